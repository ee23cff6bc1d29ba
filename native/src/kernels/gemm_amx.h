// AMX-BF16 GEMM for the bf16-precision matmul (gemm_pairs.h sends it every call with kGemmMinRows
// rows or more), compiled only at the amx level (-mamx-tile -mamx-bf16). First run on AMX hardware
// (an Intel Xeon, model 207) on 2026-11-26: native/tools/README.md, amx_check.
//
// Blocks of 32 rows x 32 columns (one weight panel), C in four tiles: tiles 0-3 hold C (rows 0-15
// and 16-31, columns 0-15 and 16-31), 4 and 5 the two 16-row A tiles, 6 and 7 the two B tiles of a
// 16-pair step. Each step: 4 tile loads, 4 TDPBF16PS. The pair panels are already the B-tile
// layout (pair q of a 16-column half is 64 bytes at q * 128, + 64 for the second half). The
// activations are packed tile by tile: each A tile is 1 KB in one piece, and a row block's tiles
// follow each other along K (rows a K apart made every A tile load touch 16 lines up to 9.7 KB
// apart; run 2 of the device runs measured that layout, this one is not yet measured).
// Work items are (a few panels) x (a run of row blocks); an item walks each panel in K blocks of
// kGemmK (16 KB of weights, kept in L1 across the run's row blocks) and keeps the run's C in
// per-worker scratch between K blocks; the last K block adds the bias and writes `out`.
#pragma once

// FASTFILL_AMX_TILES: this level runs the tiles, on the hardware or (amx_check's emulated build,
// FASTFILL_AMX_EMULATION) on native/tools/amx_emulation.h.
#if defined(__AMX_BF16__) || defined(FASTFILL_AMX_EMULATION)
#define FASTFILL_AMX_TILES 1
#ifdef FASTFILL_AMX_EMULATION
#include "amx_emulation.h"
#else
#include <immintrin.h>
#endif
#include "kernels/gemm.h"
#include "kernels/pair_slices.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

struct AmxTileConfig {
  uint8_t palette;
  uint8_t startRow;
  uint8_t reserved[14];
  uint16_t bytesPerRow[16];
  uint8_t rows[16];
};

// The two tile configurations. Both: tiles 0-3 C (16 rows x 16 floats or int32s), 4-5 A, 6-7 B.
//   kBf16: A 16 rows x 16 pairs, B 16 pairs x 16 columns (all 16 x 64 bytes);
//   kInt8 (gemm_amx_int8.h): A 16 rows x 32 quants, B 8 rows of 4 quants x 16 columns.
enum class TileShapes { kBf16, kInt8 };

// Tile configuration is per thread: each work item loads the one it needs (a few tens of cycles
// against the item's millions), so nothing else that uses tiles on the thread can leave a stale one.
inline void configureTiles(TileShapes shapes) {
  const bool int8 = shapes == TileShapes::kInt8;
  AmxTileConfig config;
  std::memset(&config, 0, sizeof(config));
  config.palette = 1;
  for (int t = 0; t < 8; ++t) {
    config.bytesPerRow[t] = t == 4 || t == 5 ? (int8 ? 32 : 64) : 64;
    config.rows[t] = t >= 6 && int8 ? 8 : 16;
  }
  _tile_loadconfig(&config);
}

constexpr int64_t kAmxRows = 32;   // rows per block: two A tiles
constexpr int64_t kAmxPairs = 16;  // K pairs per tile step
static_assert(kGemmK % (2 * kAmxPairs) == 0, "whole K blocks are whole tile steps");

constexpr int64_t kAmxStepElements = 2 * kAmxPairs;           // bf16 per A-tile row
constexpr int64_t kAmxBlockStep = kAmxRows * kAmxStepElements;  // bf16 of one row block's step: two A tiles

// Tile steps along K (K padded to whole steps).
inline int64_t amxSteps(int64_t k) { return ceilDiv(k, kAmxStepElements); }

// x (m rows of k floats) as bf16, rounded to nearest even, tile by tile: element e of row r at
// ((r / 32) * amxSteps(k) + e / 32) * kAmxBlockStep + (r % 32) * 32 + e % 32; zeros past k and in the
// rows up to the next multiple of kAmxRows.
inline void packAmxActivations(const float* x, int64_t m, int64_t k, uint16_t* packed) {
  const int64_t steps = amxSteps(k), rows = ceilDiv(m, kAmxRows) * kAmxRows;
  const int64_t rowsPerChunk = maxI64(1, 32768 / (steps * kAmxStepElements));
  forEachChunk(ceilDiv(rows, rowsPerChunk), [=](int64_t chunk, int) {
    const int64_t end = minI64(rows, (chunk + 1) * rowsPerChunk);
    for (int64_t r = chunk * rowsPerChunk; r < end; ++r) {
      uint16_t* dst = packed + (r / kAmxRows) * steps * kAmxBlockStep + (r % kAmxRows) * kAmxStepElements;
      for (int64_t s = 0; s < steps; ++s) {
        const int64_t e = s * kAmxStepElements;
        const int lo = r < m ? static_cast<int>(maxI64(0, minI64(kLanes, k - e))) : 0;
        const int hi = r < m ? static_cast<int>(maxI64(0, minI64(kLanes, k - e - kLanes))) : 0;
        const __m512 a = vLoadFirst(x + r * k + e, lo).v, b = vLoadFirst(x + r * k + e + kLanes, hi).v;
        _mm512_storeu_si512(dst + s * kAmxBlockStep, (__m512i)_mm512_cvtne2ps_pbh(b, a));
      }
    }
  });
}

// C (32 x 32 floats, 128 bytes a row) (+)= A (a row block's packed steps, from this K block's
// first) x B over `steps` 16-pair steps. Only the upper 16 rows when `upperOnly`.
inline void amxBlock(const uint16_t* a, const uint16_t* b, int64_t steps, float* c, bool accumulate, bool upperOnly) {
  constexpr int64_t cStride = kPanelColumns * 4, bStride = kPanelColumns * 4, aBytes = kAmxStepElements * 2;
  if (accumulate) {
    _tile_loadd(0, c, cStride);
    _tile_loadd(1, c + 16, cStride);
    if (!upperOnly) {
      _tile_loadd(2, c + 16 * kPanelColumns, cStride);
      _tile_loadd(3, c + 16 * kPanelColumns + 16, cStride);
    }
  } else {
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
  }
  for (int64_t s = 0; s < steps; ++s) {
    const uint16_t* bStep = b + s * kAmxPairs * kPanelColumns * 2;
    const uint16_t* aStep = a + s * kAmxBlockStep;
    _tile_loadd(6, bStep, bStride);
    _tile_loadd(7, bStep + 32, bStride);
    _tile_loadd(4, aStep, aBytes);
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    if (upperOnly) continue;
    _tile_loadd(5, aStep + kAmxBlockStep / 2, aBytes);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
  }
  _tile_stored(0, c, cStride);
  _tile_stored(1, c + 16, cStride);
  if (!upperOnly) {
    _tile_stored(2, c + 16 * kPanelColumns, cStride);
    _tile_stored(3, c + 16 * kPanelColumns + 16, cStride);
  }
}

// The first `rows` rows and `cols` columns of a 32 x 32 block c (+ bias, when there is one) to out.
inline void amxWriteBlock(const float* c, int rows, int cols, const float* bias, float* out, int64_t ldc) {
  for (int v = 0; v < kPanelColumns / kLanes; ++v) {
    const int n = static_cast<int>(maxI64(0, minI64(kLanes, cols - v * kLanes)));
    if (n == 0) continue;
    for (int r = 0; r < rows; ++r) {
      const Vec x = vLoad(c + r * kPanelColumns + v * kLanes);
      vStoreFirst(out + r * ldc + v * kLanes, bias != nullptr ? vAdd(x, vLoadFirst(bias + v * kLanes, n)) : x, n);
    }
  }
}

struct AmxJob {
  const MatmulArgs* args;
  const uint16_t* x;  // packAmxActivations
  GemmPlan plan;      // row blocks of kAmxRows
};

inline void amxItem(const AmxJob& job, int64_t item, int worker) {
  configureTiles(TileShapes::kBf16);
  const MatmulArgs& a = *job.args;
  const WeightView& w = a.w;
  const int64_t n = w.rows, k = w.cols, steps = amxSteps(k), pairs = (k + 1) / 2;
  const GemmItem r = gemmItemRange(job.plan, item);
  const int64_t blocks = r.block1 - r.block0;
  float* scratch = workerScratch(worker, static_cast<size_t>(kPairSliceFloats + blocks * kAmxRows * kPanelColumns));
  float* cBlocks = scratch + kPairSliceFloats;  // [blocks][32][32]
  for (int64_t panel = r.panel0; panel < r.panel1; ++panel) {
    for (int64_t k0 = 0; k0 < k; k0 += kGemmK) {
      const int64_t kc = minI64(kGemmK, k - k0), kSteps = ceilDiv(kc, kAmxStepElements);
      const uint16_t* b = pairSlice(w, panel, k0, kc, pairs, kSteps * kAmxPairs, scratch);
      for (int64_t block = r.block0; block < r.block1; ++block) {
        const int64_t row0 = block * kAmxRows;
        const int rows = static_cast<int>(minI64(kAmxRows, a.m - row0));
        float* c = cBlocks + (block - r.block0) * kAmxRows * kPanelColumns;
        const uint16_t* x = job.x + (block * steps + k0 / kAmxStepElements) * kAmxBlockStep;
        amxBlock(x, b, kSteps, c, k0 > 0, rows <= 16);
        if (k0 + kc < k) continue;
        const int64_t col = panel * kPanelColumns;
        amxWriteBlock(c, rows, static_cast<int>(minI64(kPanelColumns, n - col)), a.bias != nullptr ? a.bias + col : nullptr,
                      a.out + row0 * n + col, n);
      }
    }
  }
}

inline void gemmAmx(const MatmulArgs& a) {
  const int64_t rows = ceilDiv(a.m, kAmxRows) * kAmxRows;
  uint16_t* packed = reinterpret_cast<uint16_t*>(callerScratch(static_cast<size_t>(rows * amxSteps(a.w.cols) * kAmxStepElements / 2)));
  packAmxActivations(a.x, a.m, a.w.cols, packed);
  const AmxJob job{&a, packed, planGemm(a.m, a.w.rows, 0, kAmxRows)};
  forEachChunk(job.plan.items, [&job](int64_t item, int worker) { amxItem(job, item, worker); });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill

#endif  // FASTFILL_AMX_TILES
