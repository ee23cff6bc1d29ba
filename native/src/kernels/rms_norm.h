// out = x / sqrt(mean(x^2) + eps) * weight, per row (compiled once per level). out may equal x.
// With a delta (addRmsNorm) the row is first replaced by x + delta, the residual add before a norm.
#pragma once
#include "kernels/elementwise.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

// Sum of squares: float vector partial sums over runs of 256 elements, added up in double.
inline double sumOfSquares(const float* x, int64_t n) {
  double total = 0.0;
  for (int64_t begin = 0; begin < n; begin += 256) {
    const int64_t end = minI64(n, begin + 256);
    Vec acc = vZero();
    int64_t i = begin;
    for (; i + kLanes <= end; i += kLanes) {
      const Vec v = vLoad(x + i);
      acc = vFma(v, v, acc);
    }
    float partial = vSum(acc);
    for (; i < end; ++i) partial += x[i] * x[i];
    total += partial;
  }
  return total;
}

inline void rmsNormRow(const float* x, int64_t cols, const float* weight, float eps, float* out) {
  const double meanSquare = sumOfSquares(x, cols) / static_cast<double>(cols);
  const float inverse = static_cast<float>(1.0 / sqrt(meanSquare + static_cast<double>(eps)));
  const Vec inv = vSplat(inverse);
  int64_t i = 0;
  for (; i + kLanes <= cols; i += kLanes) vStore(out + i, vMul(vMul(vLoad(x + i), inv), vLoad(weight + i)));
  for (; i < cols; ++i) out[i] = x[i] * inverse * weight[i];
}

inline void rmsNorm(const RmsNormArgs& a) {
  if (a.rows == 0 || a.cols == 0) return;
  const int64_t rowsPerChunk = maxI64(1, 8192 / a.cols);
  forEachChunk(ceilDiv(a.rows, rowsPerChunk), [&a, rowsPerChunk](int64_t chunk, int) {
    const int64_t end = minI64(a.rows, (chunk + 1) * rowsPerChunk);
    for (int64_t r = chunk * rowsPerChunk; r < end; ++r) {
      const float* x = a.x + r * a.cols;
      if (a.delta != nullptr) {
        float* sum = a.residual + r * a.cols;
        addRow(x, a.delta + r * a.cols, sum, a.cols);
        x = sum;
      }
      rmsNormRow(x, a.cols, a.weight, a.eps, a.out + r * a.cols);
    }
  });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
