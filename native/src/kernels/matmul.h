// out[m][n] = bias[n] + sum_k x[m][k] * W[n][k] for every weight type (compiled once per level).
//
// Work item: up to kItemOutputs weight rows x kItemXRows rows of x. Inside it, K is walked in
// panels of kPanelK elements: 4 weight rows are decoded into a small float panel (per-worker
// scratch, stays in L1) and every x row of the item is dotted against them, kMatmulRows x rows
// at a time (kMatmulRows * 4 vector accumulators). Items do not depend on the thread count, so
// results are identical for any number of threads.
#pragma once
#include "kernels/dequantize.h"
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kWeightRows = 4;         // weight rows decoded together
constexpr int64_t kItemOutputs = 16;   // weight rows (outputs) per work item
constexpr int64_t kItemXRows = 64;     // x rows per work item
constexpr int64_t kPanelK = 512;       // multiple of every block size (32, 256)

// out[r][c] += dot(x[r], panel[c]) for r < R, c < validCols.
template <int R>
inline void accumulateTile(const float* x, int64_t xStride, const float* panel, int64_t len, float* out,
                           int64_t outStride, int validCols) {
  Vec acc[R][kWeightRows];
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < kWeightRows; ++c) acc[r][c] = vZero();
  int64_t k = 0;
  for (; k + kLanes <= len; k += kLanes) {
    const Vec w0 = vLoad(panel + k);
    const Vec w1 = vLoad(panel + kPanelK + k);
    const Vec w2 = vLoad(panel + 2 * kPanelK + k);
    const Vec w3 = vLoad(panel + 3 * kPanelK + k);
    for (int r = 0; r < R; ++r) {
      const Vec xv = vLoad(x + r * xStride + k);
      acc[r][0] = vFma(xv, w0, acc[r][0]);
      acc[r][1] = vFma(xv, w1, acc[r][1]);
      acc[r][2] = vFma(xv, w2, acc[r][2]);
      acc[r][3] = vFma(xv, w3, acc[r][3]);
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int c = 0; c < validCols; ++c) {
      float sum = vSum(acc[r][c]);
      for (int64_t t = k; t < len; ++t) sum += x[r * xStride + t] * panel[c * kPanelK + t];
      out[r * outStride + c] += sum;
    }
  }
}

inline void matmulItem(const MatmulArgs& a, int64_t item, int worker) {
  const int64_t n = a.w.rows, k = a.w.cols;
  const int64_t outputItems = ceilDiv(n, kItemOutputs);
  const int64_t n0 = (item % outputItems) * kItemOutputs, n1 = minI64(n, n0 + kItemOutputs);
  const int64_t m0 = (item / outputItems) * kItemXRows, m1 = minI64(a.m, m0 + kItemXRows);
  for (int64_t m = m0; m < m1; ++m)
    for (int64_t j = n0; j < n1; ++j) a.out[m * n + j] = a.bias != nullptr ? a.bias[j] : 0.0f;

  float* panel = workerScratch(worker, kWeightRows * kPanelK);
  for (int64_t k0 = 0; k0 < k; k0 += kPanelK) {
    const int64_t len = minI64(kPanelK, k - k0);
    for (int64_t j = n0; j < n1; j += kWeightRows) {
      const int rows = static_cast<int>(minI64(kWeightRows, n1 - j));
      for (int r = 0; r < kWeightRows; ++r) {
        if (r < rows) decodeRow(a.w, j + r, k0, len, panel + r * kPanelK);
        else std::memset(panel + r * kPanelK, 0, static_cast<size_t>(len) * 4);
      }
      const float* x = a.x + k0;
      float* out = a.out + j;
      int64_t m = m0;
      for (; m + kMatmulRows <= m1; m += kMatmulRows)
        accumulateTile<kMatmulRows>(x + m * k, k, panel, len, out + m * n, n, rows);
      for (; m < m1; ++m) accumulateTile<1>(x + m * k, k, panel, len, out + m * n, n, rows);
    }
  }
}

inline void matmul(const MatmulArgs& a) {
  if (a.m == 0 || a.w.rows == 0) return;
  const int64_t items = ceilDiv(a.w.rows, kItemOutputs) * ceilDiv(a.m, kItemXRows);
  forEachChunk(items, [&a](int64_t item, int worker) { matmulItem(a, item, worker); });
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
