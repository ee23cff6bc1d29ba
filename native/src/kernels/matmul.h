// out[m][n] = bias[n] + sum_k x[m][k] * W[n][k] for every weight type (compiled once per level).
//
// Fewer than kGemmMinRows rows (decode): weights with native panels (F32/F16/BF16 at f32 or int8
// precision) take the panel GEMV (gemv_panels.h: the GEMM's own FMA chains, so bit-identical to
// it); bf16 pair panels take the pair GEMV (gemv_pairs.h: F32 activations, the pair GEMM's FMA
// chains). At int8 precision Q8_0 weights take the int8 GEMM on their panels at any row count (the
// panels are only 18% bigger than the blocks and far cheaper to compute on, and decode rows are then
// bit-identical to prefill rows); from kInt8GemmMinRows (6) rows on every int8 type takes the int8 GEMM
// (gemm_int8.h); below that Q4_0, Q5_0, the K-quants and IQ4_NL / IQ4_XS
// take the int8 GEMV on their own blocks (gemv_int8.h: panels would be 2-2.7x the bytes), and weights stored as interleaved blocks (Q8_0 too) the int8 GEMV on those
// (gemv_interleaved.h; the GEMM then packs its records from them). Every other weight without panels takes dot products on its own
// layout (gemv.h; register decoding of quant groups where the level has it, gemv_groups.h), exact
// F32 (Q8_0 at bf16 precision too: its pair panels are for the GEMM). From kGemmMinRows rows on: the
// GEMM of the precision (gemm.h, gemm_pairs.h), the int8 GEMM (gemm_int8.h) for the int8 types at int8
// precision (on stored panels, or packing records as it goes), and for other block-quantized weights the GEMM with tile-by-tile decoding (or Q8_0's pair
// panels at bf16, when packed).
#pragma once
#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "kernels/gemm_int8.h"
#include "kernels/gemm_pairs.h"
#include "kernels/gemv.h"
#include "kernels/gemv_groups.h"
#include "kernels/gemv_int8.h"
#include "kernels/gemv_pairs.h"
#include "kernels/gemv_panels.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int64_t kGemmMinRows = 8;

// True when matmul (and matmulGroup) run a on the int8 GEMM.
inline bool takesInt8Gemm(const MatmulArgs& a) {
  return usesInt8Panels(a.w.type, a.w.precision) &&
         (a.m >= kInt8GemmMinRows || (int8PanelsForFewRows(a.w.type) && a.w.panels != nullptr));
}

inline void matmulFloat(const MatmulArgs& a);

inline void matmul(const MatmulArgs& a) {
  if (a.m == 0 || a.w.rows == 0) return;
  if (a.gate != nullptr && !takesInt8Gemm(a)) {
    // The int8 GEMM quantizes the gated rows as it makes them; every other path reads x as it is, so
    // the gated rows are made first.
    float* gated = callerInputScratch(static_cast<size_t>(a.m * a.w.cols));
    siluMul(a.gate, a.x, gated, a.m * a.w.cols);
    MatmulArgs plain = a;
    plain.x = gated;
    plain.gate = nullptr;
    matmul(plain);
    return;
  }
  if (a.w.precision != kPrecisionInt8) {
    matmulFloat(a);
    return;
  }
  if (takesInt8Gemm(a)) {
    gemmInt8(a);
    return;
  }
  if (gemvInt8(a)) return;  // fewer rows: the int8 GEMV on the blocks
  MatmulArgs f32 = a;
  f32.w.precision = kPrecisionF32;
  if (usesInt8Panels(a.w.type, a.w.precision)) f32.w.panels = nullptr;  // int8 panels are not the F32 GEMM's
  matmulFloat(f32);
}

// matmul at F32 or BF16 precision.
inline void matmulFloat(const MatmulArgs& a) {
  const bool manyRows = a.m >= kGemmMinRows;
  if (!manyRows && a.w.panels != nullptr && !isPanelType(a.w.type)) {  // Q8_0's bf16 pairs serve the GEMM only
    MatmulArgs blocks = a;
    blocks.w.panels = nullptr;
    matmulFloat(blocks);
    return;
  }
  if (!manyRows && gemvPanels(a)) return;  // native panels, fewer rows: the GEMM's chains
  if (!manyRows && gemvPairs(a)) return;   // bf16 pair panels, fewer rows: the pair GEMM's chains
  if (a.w.panels != nullptr || manyRows) {
    if (a.w.precision == kPrecisionBf16) gemmPairs(a, manyRows);
    else gemm(a);
    return;
  }
#ifdef FASTFILL_QUANT_GROUPS
  if (a.w.interleaved == nullptr && gemvGroups(a)) return;  // it reads the blocks themselves
#endif
  gemv(a);
}

// out[i] = row ids[i] of W, decoded.
inline void getRows(const GetRowsArgs& a) {
  const int64_t cols = a.w.cols;
  if (a.count == 0 || cols == 0) return;
  const int64_t rowsPerChunk = maxI64(1, 16384 / cols);
  forEachChunk(ceilDiv(a.count, rowsPerChunk), [&a, cols, rowsPerChunk](int64_t chunk, int) {
    const int64_t end = minI64(a.count, (chunk + 1) * rowsPerChunk);
    for (int64_t i = chunk * rowsPerChunk; i < end; ++i) decodeRow(a.w, a.ids[i], 0, cols, a.out + i * cols);
  });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
