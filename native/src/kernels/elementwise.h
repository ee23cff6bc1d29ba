// Element-wise kernels (compiled once per level). In-place use (out == an input) is allowed.
#pragma once
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int64_t kElementwiseChunk = 16384;  // elements per work chunk (a multiple of kLanes)

template <class Op>
inline void forEachRange(int64_t n, const Op& op) {
  forEachChunk(ceilDiv(n, kElementwiseChunk), [n, &op](int64_t chunk, int) {
    const int64_t begin = chunk * kElementwiseChunk;
    op(begin, minI64(n, begin + kElementwiseChunk));
  });
}

inline Vec vSilu(Vec g) { return vDiv(g, vAdd(vSplat(1.0f), vExp(vSub(vZero(), g)))); }

// out = silu(gate) * up over n floats on the calling thread (also the gated input of matmul, matmul.h).
inline void siluMulRow(const float* gate, const float* up, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) vStore(out + i, vMul(vSilu(vLoad(gate + i)), vLoad(up + i)));
  // The tail takes the same vSilu in part of a vector: an element's value must not depend on where
  // the array, or a thread's range of it, ends (chunked prefill would then change the logits).
  if (i < n) {
    const int left = static_cast<int>(n - i);
    vStoreFirst(out + i, vMul(vSilu(vLoadFirst(gate + i, left)), vLoadFirst(up + i, left)), left);
  }
}

inline void siluMul(const float* gate, const float* up, float* out, int64_t n) {
  forEachRange(n, [=](int64_t i, int64_t end) { siluMulRow(gate + i, up + i, out + i, end - i); });
}

// out = a + b over n floats on the calling thread (also the residual add of rms_norm.h's addRmsNorm).
inline void addRow(const float* a, const float* b, float* out, int64_t n) {
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) vStore(out + i, vAdd(vLoad(a + i), vLoad(b + i)));
  for (; i < n; ++i) out[i] = a[i] + b[i];
}

inline void add(const float* a, const float* b, float* out, int64_t n) {
  forEachRange(n, [=](int64_t i, int64_t end) { addRow(a + i, b + i, out + i, end - i); });
}

inline void scale(const float* x, float factor, float* out, int64_t n) {
  forEachRange(n, [=](int64_t i, int64_t end) {
    const Vec f = vSplat(factor);
    for (; i + kLanes <= end; i += kLanes) vStore(out + i, vMul(vLoad(x + i), f));
    for (; i < end; ++i) out[i] = x[i] * factor;
  });
}

inline void addBias(float* x, int64_t rows, int64_t cols, const float* bias) {
  if (rows == 0 || cols == 0) return;
  const int64_t rowsPerChunk = maxI64(1, kElementwiseChunk / cols);
  forEachChunk(ceilDiv(rows, rowsPerChunk), [=](int64_t chunk, int) {
    const int64_t end = minI64(rows, (chunk + 1) * rowsPerChunk);
    for (int64_t r = chunk * rowsPerChunk; r < end; ++r) {
      float* row = x + r * cols;
      int64_t c = 0;
      for (; c + kLanes <= cols; c += kLanes) vStore(row + c, vAdd(vLoad(row + c), vLoad(bias + c)));
      for (; c < cols; ++c) row[c] += bias[c];
    }
  });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
