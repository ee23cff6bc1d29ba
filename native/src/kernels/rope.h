// Rotary position embedding in place (compiled once per level). Angles are computed in double
// once per token and applied to all its heads.
#pragma once
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

// cos/sin of angle_i = position * freqBase^(-2i/ropeDim) / freqFactors[i], i < ropeDim/2.
inline void ropeAngles(const RopeArgs& a, int32_t position, float* cosines, float* sines) {
  const int64_t pairs = a.ropeDim / 2;
  for (int64_t i = 0; i < pairs; ++i) {
    double angle = static_cast<double>(position) *
                   pow(a.freqBase, -2.0 * static_cast<double>(i) / static_cast<double>(a.ropeDim));
    if (a.freqFactors != nullptr) angle /= static_cast<double>(a.freqFactors[i]);
    cosines[i] = static_cast<float>(cos(angle));
    sines[i] = static_cast<float>(sin(angle));
  }
}

// Rotates pairs (first[i*stride], second[i*stride]) by the angles.
inline void rotatePairs(float* first, float* second, int64_t stride, const float* cosines, const float* sines,
                        int64_t pairs) {
  for (int64_t i = 0; i < pairs; ++i) {
    const float x0 = first[i * stride], x1 = second[i * stride];
    first[i * stride] = x0 * cosines[i] - x1 * sines[i];
    second[i * stride] = x0 * sines[i] + x1 * cosines[i];
  }
}

inline void rope(const RopeArgs& a) {
  if (a.tokens == 0 || a.heads == 0 || a.ropeDim == 0) return;
  const int64_t pairs = a.ropeDim / 2;
  const int64_t tokensPerChunk = maxI64(1, 4096 / (a.heads * a.headDim));
  forEachChunk(ceilDiv(a.tokens, tokensPerChunk), [&a, pairs, tokensPerChunk](int64_t chunk, int worker) {
    float* cosines = workerScratch(worker, static_cast<size_t>(2 * pairs));
    float* sines = cosines + pairs;
    const int64_t end = minI64(a.tokens, (chunk + 1) * tokensPerChunk);
    for (int64_t t = chunk * tokensPerChunk; t < end; ++t) {
      ropeAngles(a, a.positions[t], cosines, sines);
      for (int64_t h = 0; h < a.heads; ++h) {
        float* head = a.x + (t * a.heads + h) * a.headDim;
        if (a.neox) rotatePairs(head, head + pairs, 1, cosines, sines, pairs);
        else rotatePairs(head, head + 1, 2, cosines, sines, pairs);
      }
    }
  });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
