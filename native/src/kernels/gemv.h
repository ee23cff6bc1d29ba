// out = x W^T (+ bias) for a few rows of x and weights without panels (block-quantized types):
// dot products on the weights' own layout (compiled once per level).
//
// Work item: kGemvItemRows weight rows (outputs), every row of x. Weight rows are decoded 4 at a
// time over the whole of K into per-worker scratch, then each group of kMatmulRows x rows is
// dotted against them with kMatmulRows * 4 vector accumulators, reduced once per output.
#pragma once
#include "kernels/dequantize.h"
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kGemvWeightRows = 4;       // weight rows decoded together
constexpr int64_t kGemvItemRows = 16;    // weight rows per work item

// out[r * outStride + c] = start[c] + dot(x[r], rows[c]) for r < R, c < validCols; rows[c] is at
// rows + c * rowStride.
template <int R>
inline void dotTile(const float* x, int64_t xStride, const float* rows, int64_t rowStride, int64_t len,
                    const float* start, float* out, int64_t outStride, int validCols) {
  Vec acc[R][kGemvWeightRows];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < kGemvWeightRows; ++c) acc[r][c] = vZero();
  int64_t k = 0;
  for (; k + kLanes <= len; k += kLanes) {
    Vec w[kGemvWeightRows];
    for (int c = 0; c < kGemvWeightRows; ++c) w[c] = vLoad(rows + c * rowStride + k);
    for (int r = 0; r < R; ++r) {
      const Vec xv = vLoad(x + r * xStride + k);
      for (int c = 0; c < kGemvWeightRows; ++c) acc[r][c] = vFma(xv, w[c], acc[r][c]);
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int c = 0; c < validCols; ++c) {
      float sum = vSum(acc[r][c]);
      for (int64_t t = k; t < len; ++t) sum += x[r * xStride + t] * rows[c * rowStride + t];
      out[r * outStride + c] = (start != nullptr ? start[c] : 0.0f) + sum;
    }
  }
}

inline void gemvItem(const MatmulArgs& a, int64_t item, int worker) {
  const int64_t n = a.w.rows, k = a.w.cols;
  const int64_t n0 = item * kGemvItemRows, n1 = minI64(n, n0 + kGemvItemRows);
  const int64_t stride = ceilDiv(k, 16) * 16;
  float* rows = workerScratch(worker, static_cast<size_t>(kGemvWeightRows * stride));
  for (int64_t j = n0; j < n1; j += kGemvWeightRows) {
    const int valid = static_cast<int>(minI64(kGemvWeightRows, n1 - j));
    for (int c = 0; c < kGemvWeightRows; ++c) {
      if (c < valid) decodeRow(a.w, j + c, 0, k, rows + c * stride);
      else std::memset(rows + c * stride, 0, static_cast<size_t>(k) * 4);
    }
    const float* start = a.bias != nullptr ? a.bias + j : nullptr;
    float* out = a.out + j;
    int64_t m = 0;
    for (; m + kMatmulRows <= a.m; m += kMatmulRows)
      dotTile<kMatmulRows>(a.x + m * k, k, rows, stride, k, start, out + m * n, n, valid);
    for (; m < a.m; ++m) dotTile<1>(a.x + m * k, k, rows, stride, k, start, out + m * n, n, valid);
  }
}

inline void gemv(const MatmulArgs& a) {
  forEachChunk(ceilDiv(a.w.rows, kGemvItemRows), [&a](int64_t item, int worker) { gemvItem(a, item, worker); });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
