// AMX-BF16 micro-kernel for the bf16-precision GEMM (gemm_pairs.h), compiled only at the amx
// level (-mamx-tile -mamx-bf16). Never run on AMX hardware: no machine with AMX and Node was
// available, so the amx level is used only with FASTFILL_AMX=1 (cpu/amx.h). Its tile code passes
// amx_check's emulated build (native/tools/amx_emulation.h: software tiles, every case checked
// against float64). What to check first on a Sapphire Rapids machine: native/tools/README.md
// (amx_check), or `FASTFILL_AMX=1 node --test dist/test/kernels/` where Node is installed.
//
// Tiles: 0 and 1 hold C (kGemmRows rows x 16 floats each, columns 0-15 and 16-31 of the panel),
// 2 holds A (kGemmRows rows x 32 bf16: 16 pairs of K), 3 and 4 hold B (16 pairs x 16 columns
// x 2 bf16). The pair panels are already the B-tile layout: pair q of a 16-column half is 64
// bytes at q * 128 (+ 64 for the second half). A comes row-major in bf16, K zero-padded to 32.
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

namespace fastfill {
namespace FASTFILL_LEVEL {

struct AmxTileConfig {
  uint8_t palette;
  uint8_t startRow;
  uint8_t reserved[14];
  uint16_t bytesPerRow[16];
  uint8_t rows[16];
};

// Tile configuration is per thread: loaded once by each thread that runs an AMX tile.
inline void configureTiles() {
  thread_local bool configured = false;
  if (configured) return;
  AmxTileConfig config;
  std::memset(&config, 0, sizeof(config));
  config.palette = 1;
  for (int t = 0; t < 5; ++t) {
    config.bytesPerRow[t] = 64;
    config.rows[t] = t < 3 ? kGemmRows : 16;
  }
  _tile_loadconfig(&config);
  configured = true;
}

constexpr int64_t kAmxPairs = 16;  // K pairs per A/B tile

// C[rows][cols] of a kGemmRows x 32 tile (+)= A x B over `pairs` pairs. a: row-major bf16 rows
// (aStride elements apart) starting at this K block; b: the pair panel slice.
inline void amxTile(const uint16_t* a, int64_t aStride, const uint16_t* b, int64_t pairs, float* c, int64_t ldc,
                    int rows, int cols, const float* bias, bool accumulate) {
  configureTiles();
  alignas(64) float temp[kGemmRows * kPanelColumns];
  alignas(64) uint16_t tail[kAmxPairs * kPanelColumns * 2];
  const bool whole = rows == kGemmRows && cols == kPanelColumns;
  float* tile = whole ? c : temp;
  const int64_t stride = whole ? ldc : kPanelColumns;
  if (!whole) std::memset(temp, 0, sizeof(temp));
  for (int r = 0; r < rows; ++r) {
    for (int j = 0; j < cols; ++j) {
      const float start = accumulate ? c[r * ldc + j] : (bias != nullptr ? bias[j] : 0.0f);
      tile[r * stride + j] = start;
    }
  }
  _tile_loadd(0, tile, stride * 4);
  _tile_loadd(1, tile + 16, stride * 4);
  for (int64_t q0 = 0; q0 < pairs; q0 += kAmxPairs) {
    const uint16_t* bTile = b + q0 * kPanelColumns * 2;
    if (pairs - q0 < kAmxPairs) {  // the last pairs of the panel: pad with zeros (never read past it)
      std::memset(tail, 0, sizeof(tail));
      std::memcpy(tail, bTile, static_cast<size_t>(pairs - q0) * kPanelColumns * 4);
      bTile = tail;
    }
    _tile_loadd(2, a + 2 * q0, aStride * 2);
    _tile_loadd(3, bTile, kPanelColumns * 4);
    _tile_loadd(4, bTile + 32, kPanelColumns * 4);
    _tile_dpbf16ps(0, 2, 3);
    _tile_dpbf16ps(1, 2, 4);
  }
  _tile_stored(0, tile, stride * 4);
  _tile_stored(1, tile + 16, stride * 4);
  if (!whole) {
    for (int r = 0; r < rows; ++r)
      for (int j = 0; j < cols; ++j) c[r * ldc + j] = temp[r * kPanelColumns + j];
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill

#endif  // FASTFILL_AMX_TILES
