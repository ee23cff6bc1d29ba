// Rotary position embedding in place (compiled once per level). A token's cosines and sines come
// from the batch's table (common/rope_table.h) or, without one, from its position (computed in
// double once per token for all its heads); both give the same floats.
#pragma once
#include "common/rope_angles.h"
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

// neox: rotates pairs (head[i], head[i + pairs]), i < pairs, by the angles; the same vector steps
// for every i (a masked one for the last few), so an element's result does not depend on pairs.
inline void rotateHalves(float* head, const float* cosines, const float* sines, int64_t pairs) {
  float* second = head + pairs;
  for (int64_t i = 0; i < pairs; i += kLanes) {
    const int n = static_cast<int>(minI64(kLanes, pairs - i));
    const Vec x0 = vLoadFirst(head + i, n), x1 = vLoadFirst(second + i, n);
    const Vec c = vLoadFirst(cosines + i, n), s = vLoadFirst(sines + i, n);
    vStoreFirst(head + i, vSub(vMul(x0, c), vMul(x1, s)), n);
    vStoreFirst(second + i, vAdd(vMul(x0, s), vMul(x1, c)), n);
  }
}

// GGUF llama layout: rotates pairs (head[2i], head[2i + 1]).
inline void rotateAdjacent(float* head, const float* cosines, const float* sines, int64_t pairs) {
  for (int64_t i = 0; i < pairs; ++i) {
    const float x0 = head[2 * i], x1 = head[2 * i + 1];
    head[2 * i] = x0 * cosines[i] - x1 * sines[i];
    head[2 * i + 1] = x0 * sines[i] + x1 * cosines[i];
  }
}

inline void rope(const RopeArgs& a) {
  if (a.tokens == 0 || a.heads == 0 || a.ropeDim == 0) return;
  const int64_t pairs = a.ropeDim / 2;
  const int64_t tokensPerChunk = maxI64(1, 4096 / (a.heads * a.headDim));
  forEachChunk(ceilDiv(a.tokens, tokensPerChunk), [&a, pairs, tokensPerChunk](int64_t chunk, int worker) {
    float* scratch = a.table == nullptr ? workerScratch(worker, static_cast<size_t>(2 * pairs)) : nullptr;
    const int64_t end = minI64(a.tokens, (chunk + 1) * tokensPerChunk);
    for (int64_t t = chunk * tokensPerChunk; t < end; ++t) {
      const float* cosines = a.table != nullptr ? a.table + t * a.ropeDim : scratch;
      if (a.table == nullptr) ropeAngles(a.positions[t], a.ropeDim, a.freqBase, a.freqFactors, scratch, scratch + pairs);
      for (int64_t h = 0; h < a.heads; ++h) {
        float* head = a.x + (t * a.heads + h) * a.headDim;
        if (a.neox) rotateHalves(head, cosines, cosines + pairs, pairs);
        else rotateAdjacent(head, cosines, cosines + pairs, pairs);
      }
    }
  });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
