// AMX-INT8 for the int8 GEMM (gemm_int8.h) at the amx level, for stored int8 panels with one scale per
// 32-element block and no mins (Q8_0; Q4_0 and Q5_0 when theirs are stored), with FASTFILL_AMX_INT8=1 (cpu/amx.h: slower
// than VNNI in whole-model prefill on the one AMX machine measured); the other int8 types keep the VNNI tile.
//
// Per K block of 32 and 32 rows x 32 columns: TDPBUSD gives the exact int32 sums of (activation
// quant + 128) x weight quant in four C tiles (tiles 0-3; A: tiles 4-5, 16 rows x 32 bytes; B:
// tiles 6-7, 8 rows of 4 quants x 16 columns, the int8 panel layout at stride 128); then, as the
// VNNI tile does, acc = fma(float(sum + correction), xd * wd, acc). The integer sums are exact and
// the float steps are the VNNI tile's, so the results equal it bit for bit.
#pragma once
#include "cpu/amx.h"
#include "kernels/gemm_amx.h"
#include "kernels/gemm_int8_tile.h"
#include "kernels/int8_activations.h"

#ifdef FASTFILL_AMX_TILES
namespace fastfill {
namespace FASTFILL_LEVEL {

// The weights this kernel takes: stored int8 panels with one scale per block and no mins.
inline bool amxInt8Takes(const WeightView& w) {
  return w.panels != nullptr && int8SubBlocks(w.type) == 1 && !int8HasMins(w.type) && !int8HasHalfMins(w.type);
}

// acc rows [0, rows) (32 floats each) += float(sums + correction) * (xd[r] * wd) for one K block.
inline void amxInt8Scale(const int32_t* sums, const uint8_t* record, int correctionOffset, const float* xd,
                         int64_t xdStride, int rows, float* acc) {
  const __m512i correction0 = _mm512_loadu_si512(record + correctionOffset);
  const __m512i correction1 = _mm512_loadu_si512(record + correctionOffset + 64);
  const __m512 wd0 = _mm512_loadu_ps(reinterpret_cast<const float*>(record + kInt8ScalesOffset));
  const __m512 wd1 = _mm512_loadu_ps(reinterpret_cast<const float*>(record + kInt8ScalesOffset) + 16);
  for (int r = 0; r < rows; ++r) {
    const __m512 xdr = _mm512_set1_ps(xd[r * xdStride]);
    const __m512i s0 = _mm512_add_epi32(_mm512_load_si512(sums + r * 32), correction0);
    const __m512i s1 = _mm512_add_epi32(_mm512_load_si512(sums + r * 32 + 16), correction1);
    _mm512_store_ps(acc + r * 32, _mm512_fmadd_ps(_mm512_cvtepi32_ps(s0), _mm512_mul_ps(xdr, wd0), _mm512_load_ps(acc + r * 32)));
    _mm512_store_ps(acc + r * 32 + 16,
                    _mm512_fmadd_ps(_mm512_cvtepi32_ps(s1), _mm512_mul_ps(xdr, wd1), _mm512_load_ps(acc + r * 32 + 16)));
  }
}

// out rows [row0, row1) x panels [panel0, panel1) over all of K. x: row-major (rowGroup 1: the
// quants of a row k bytes apart), readable for 32 rows past row1 (tiles load 16 rows).
inline void amxInt8Rows(const MatmulArgs& a, const Int8Activations& x, int64_t panel0, int64_t panel1, int64_t row0,
                        int64_t row1) {
  configureTiles(TileShapes::kInt8);
  const uint8_t* xq = x.q;
  const float* xd = x.d;
  const int64_t blocksPerRow = x.blocksPerRow;
  const int64_t n = a.w.rows, k = a.w.cols, recordBytes = int8RecordBytes(a.w.type);
  const int correctionOffset = int8CorrectionOffset(a.w.type);
  alignas(64) int32_t sums[32 * 32];
  alignas(64) float acc[32 * 32];
  for (int64_t panel = panel0; panel < panel1; ++panel) {
    const int64_t col = panel * kInt8PanelColumns;
    const int cols = static_cast<int>(minI64(kInt8PanelColumns, n - col));
    const __mmask16 mask0 = static_cast<__mmask16>(cols >= 16 ? 0xFFFFu : (1u << cols) - 1);
    const __mmask16 mask1 = static_cast<__mmask16>(cols >= 32 ? 0xFFFFu : cols <= 16 ? 0u : (1u << (cols - 16)) - 1);
    const __m512 bias0 = a.bias != nullptr ? _mm512_maskz_loadu_ps(mask0, a.bias + col) : _mm512_setzero_ps();
    const __m512 bias1 = a.bias != nullptr ? _mm512_maskz_loadu_ps(mask1, a.bias + col + 16) : _mm512_setzero_ps();
    const uint8_t* records = a.w.panels + static_cast<size_t>(panel * blocksPerRow * recordBytes);
    for (int64_t r0 = row0; r0 < row1; r0 += 32) {
      const int rows = static_cast<int>(minI64(32, row1 - r0));
      const bool upperOnly = rows <= 16;
      for (int r = 0; r < rows; ++r) {
        _mm512_store_ps(acc + r * 32, bias0);
        _mm512_store_ps(acc + r * 32 + 16, bias1);
      }
      const uint8_t* rows0 = xq + r0 * k;
      for (int64_t b = 0; b < blocksPerRow; ++b) {
        const uint8_t* record = records + b * recordBytes;
        _tile_zero(0);
        _tile_zero(1);
        _tile_loadd(6, record, 128);
        _tile_loadd(7, record + 64, 128);
        _tile_loadd(4, rows0 + b * kInt8BlockElements, k);
        _tile_dpbusd(0, 4, 6);
        _tile_dpbusd(1, 4, 7);
        _tile_stored(0, sums, 128);
        _tile_stored(1, sums + 16, 128);
        if (!upperOnly) {
          _tile_zero(2);
          _tile_zero(3);
          _tile_loadd(5, rows0 + 16 * k + b * kInt8BlockElements, k);
          _tile_dpbusd(2, 5, 6);
          _tile_dpbusd(3, 5, 7);
          _tile_stored(2, sums + 16 * 32, 128);
          _tile_stored(3, sums + 16 * 32 + 16, 128);
        }
        amxInt8Scale(sums, record, correctionOffset, xd + r0 * blocksPerRow + b, blocksPerRow, rows, acc);
      }
      amxWriteBlock(acc, rows, cols, nullptr, a.out + r0 * n + col, n);  // acc started from the bias
    }
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // FASTFILL_AMX_TILES
