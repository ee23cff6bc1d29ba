// AMX-BF16 GEMM for the bf16-precision matmul (gemm_pairs.h sends it every call with kGemmMinRows
// rows or more), compiled only at the amx level (-mamx-tile -mamx-bf16). Checked on AMX hardware (an
// Intel Xeon, model 207) by amx_check: native/tools/README.md; timings in bench/RESULTS.md.
//
// Blocks of 32 rows x 32 columns (one weight panel), C in four tiles: tiles 0-3 hold C (rows 0-15
// and 16-31, columns 0-15 and 16-31), 4 and 5 the two 16-row A tiles, 6 and 7 the two B tiles of a
// 16-pair step. Each step: 4 tile loads, 4 TDPBF16PS. The pair panels are already the B-tile
// layout (pair q of a 16-column half is 64 bytes at q * 128, + 64 for the second half). The
// activations are packed tile by tile: each A tile is 1 KB in one piece, and a row block's tiles
// follow each other along K.
// Work items are (a few panels) x (a run of row blocks). By default (AmxGemmOptions, cpu/amx.h) each
// row block keeps its C in tiles over all of K, and each step prefetches the A and B of two steps
// ahead into L1: on the Xeon that was 1.3x the model's pp512 of the old walk (C through memory every
// K block of kGemmK, no prefetch; bench/RESULTS.md, 2026-11-27). There the 2 x 2 step itself ran at
// 37-43 % of TDPBF16PS alone even with its operands in L1 (amx_check's PEAK rows), which bounds
// this kernel. The last K block adds the bias and writes `out`.
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
#include "cpu/amx.h"
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

// One K block of a group: its pair slice, its first tile step along K and its steps.
struct AmxSegment {
  const uint16_t* b;
  int64_t step0, steps;
};

inline void prefetchLines(const void* p, int lines) {
  for (int line = 0; line < lines; ++line) _mm_prefetch(static_cast<const char*>(p) + line * 64, _MM_HINT_T0);
}

// C (32 x 32 floats, 128 bytes a row) (+)= A x B over the group's segments, C kept in tiles across them. a:
// the row block's packed activations from step 0. Only the upper 16 rows when `upperOnly`. next: the next
// row block's activations (from step 0) for prefetch mode 1, or null (AmxGemmOptions::prefetch).
inline void amxBlockGroup(const uint16_t* a, const AmxSegment* segments, int count, float* c, bool accumulate,
                          bool upperOnly, const uint16_t* next, int prefetch) {
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
  const int aLines = upperOnly ? 16 : 32;  // 64-byte lines of one step's A tiles (B: always 32)
  for (int g = 0; g < count; ++g) {
    const AmxSegment& seg = segments[g];
    for (int64_t s = 0; s < seg.steps; ++s) {
      const uint16_t* bStep = seg.b + s * kAmxPairs * kPanelColumns * 2;
      const uint16_t* aStep = a + (seg.step0 + s) * kAmxBlockStep;
      if (prefetch == 1 && next != nullptr) {
        prefetchLines(next + (seg.step0 + s) * kAmxBlockStep, aLines);
      } else if (prefetch >= 2 && s + 2 < seg.steps) {
        prefetchLines(aStep + 2 * kAmxBlockStep, aLines);
        if (prefetch == 2) prefetchLines(bStep + 2 * kAmxPairs * kPanelColumns * 2, 32);
      }
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
  AmxGemmOptions options;
};

constexpr int kMaxAmxGroupBlocks = 64;  // K blocks per group at most (a group of all of K is cut there)

// Walks the item's panels and K in groups of K blocks (panels outside, or K outside in a kOuter plan); for
// each group, every row block of the item's run keeps its C in tiles over the group's K blocks, and between
// groups in per-worker scratch (one C per row block, or per panel and row block when K is outside). The
// last group adds the bias and writes `out`.
inline void amxItem(const AmxJob& job, int64_t item, int worker) {
  configureTiles(TileShapes::kBf16);
  const MatmulArgs& a = *job.args;
  const WeightView& w = a.w;
  const AmxGemmOptions& o = job.options;
  const int64_t n = w.rows, k = w.cols, steps = amxSteps(k), pairs = (k + 1) / 2;
  const GemmItem r = gemmItemRange(job.plan, item);
  const int64_t blocks = r.block1 - r.block0;
  const int64_t kBlocks = ceilDiv(k, kGemmK);
  const int64_t groupBlocks = minI64(kMaxAmxGroupBlocks, o.kGroup == 0 ? kBlocks : minI64(kBlocks, o.kGroup));
  const int64_t cBlockCount = job.plan.kOuter ? (r.panel1 - r.panel0) * blocks : blocks;
  constexpr int64_t cFloats = kAmxRows * kPanelColumns;
  // [group's pair slices][decode buffers][C: panels of the item, when kOuter][blocks][32][32]
  float* scratch = workerScratch(worker, static_cast<size_t>(groupBlocks * kPairSliceOutFloats + kPairDecodeFloats +
                                                             cBlockCount * cFloats));
  float* decode = scratch + groupBlocks * kPairSliceOutFloats;
  float* cBlocks = decode + kPairDecodeFloats;
  AmxSegment segments[kMaxAmxGroupBlocks];
  auto group = [&](int64_t panel, int64_t kg0) {
    const int64_t kgEnd = minI64(k, kg0 + groupBlocks * kGemmK);
    int count = 0;
    for (int64_t k0 = kg0; k0 < kgEnd; k0 += kGemmK, ++count) {
      const int64_t kc = minI64(kGemmK, k - k0), kSteps = ceilDiv(kc, kAmxStepElements);
      segments[count] = {pairSlice(w, panel, k0, kc, pairs, kSteps * kAmxPairs, scratch + count * kPairSliceOutFloats,
                                   decode),
                         k0 / kAmxStepElements, kSteps};
    }
    const int64_t cPanel = job.plan.kOuter ? (panel - r.panel0) * blocks : 0;
    for (int64_t block = r.block0; block < r.block1; ++block) {
      const int64_t row0 = block * kAmxRows;
      const int rows = static_cast<int>(minI64(kAmxRows, a.m - row0));
      float* c = cBlocks + (cPanel + block - r.block0) * cFloats;
      const uint16_t* x = job.x + block * steps * kAmxBlockStep;
      const uint16_t* next = block + 1 < r.block1 ? x + steps * kAmxBlockStep : nullptr;
      amxBlockGroup(x, segments, count, c, kg0 > 0, rows <= 16, next, o.prefetch);
      if (kgEnd < k) continue;
      const int64_t col = panel * kPanelColumns;
      amxWriteBlock(c, rows, static_cast<int>(minI64(kPanelColumns, n - col)), a.bias != nullptr ? a.bias + col : nullptr,
                    a.out + row0 * n + col, n);
    }
  };
  const int64_t groupK = groupBlocks * kGemmK;
  if (job.plan.kOuter) {
    for (int64_t kg0 = 0; kg0 < k; kg0 += groupK)
      for (int64_t panel = r.panel0; panel < r.panel1; ++panel) group(panel, kg0);
  } else {
    for (int64_t panel = r.panel0; panel < r.panel1; ++panel)
      for (int64_t kg0 = 0; kg0 < k; kg0 += groupK) group(panel, kg0);
  }
}

inline void gemmAmx(const MatmulArgs& a) {
  const int64_t rows = ceilDiv(a.m, kAmxRows) * kAmxRows;
  uint16_t* packed = reinterpret_cast<uint16_t*>(callerScratch(static_cast<size_t>(rows * amxSteps(a.w.cols) * kAmxStepElements / 2)));
  packAmxActivations(a.x, a.m, a.w.cols, packed);
  const AmxGemmOptions options = amxGemmOptions();
  // kOuter: a plan with K outside whatever the activations' size (planGemm's rule for the float GEMMs)
  const int64_t planBytes = options.kOuter ? kGemmPanelMajorMaxXBytes + 1 : 0;
  const AmxJob job{&a, packed, planGemm(a.m, a.w.rows, planBytes, kAmxRows), options};
  forEachChunk(job.plan.items, [&job](int64_t item, int worker) { amxItem(job, item, worker); });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill

#endif  // FASTFILL_AMX_TILES
