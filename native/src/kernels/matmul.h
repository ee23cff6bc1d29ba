// out[m][n] = bias[n] + sum_k x[m][k] * W[n][k] for every weight type (compiled once per level).
//
// Weights with panels (F32/F16/BF16, packed at load) always take the GEMM of their precision
// (gemm.h, gemm_pairs.h): for a single row it streams the panels as a GEMV would. Weights without
// panels take dot products on their own layout (gemv.h; register decoding of quant groups where
// the level has it, gemv_groups.h) for fewer than kGemmMinRows rows, where decoding each weight
// once per call is the whole cost, and the GEMM with tile-by-tile decoding from there on. Those
// few-row paths are exact F32 at any precision. At int8 precision, weights with int8 panels take
// the int8 GEMM (gemm_int8.h) from kGemmMinRows rows on; everything else computes as at F32.
#pragma once
#include "kernels/gemm.h"
#include "kernels/gemm_int8.h"
#include "kernels/gemm_pairs.h"
#include "kernels/gemv.h"
#include "kernels/gemv_groups.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int64_t kGemmMinRows = 8;

inline void matmulFloat(const MatmulArgs& a);

inline void matmul(const MatmulArgs& a) {
  if (a.m == 0 || a.w.rows == 0) return;
  if (a.w.precision != kPrecisionInt8) {
    matmulFloat(a);
    return;
  }
  MatmulArgs f32 = a;
  f32.w.precision = kPrecisionF32;
  if (usesInt8Panels(a.w.type, a.w.precision)) {
    if (a.w.panels != nullptr && a.m >= kGemmMinRows) {
      gemmInt8(a);
      return;
    }
    f32.w.panels = nullptr;  // int8 panels are not the F32 GEMM's
  }
  matmulFloat(f32);
}

// matmul at F32 or BF16 precision.
inline void matmulFloat(const MatmulArgs& a) {
  const bool manyRows = a.m >= kGemmMinRows;
  if (a.w.panels != nullptr || manyRows) {
    if (a.w.precision == kPrecisionBf16) gemmPairs(a, manyRows);
    else gemm(a);
    return;
  }
#ifdef FASTFILL_QUANT_GROUPS
  if (gemvGroups(a)) return;
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
