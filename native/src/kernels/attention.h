// Tiled flash attention with online softmax over a paged KV cache (compiled once per level).
//
// Work item: one query tile x one KV head; its rows are (query, head of the KV group) pairs.
// The item walks its list of key-block entries once. For each entry the K block is transposed
// into a small buffer (headDim x keys, keys padded to whole vectors), so scores for 4 rows at a
// time are plain broadcast-FMAs; then each row folds its scores into its running max, sum and
// P*V accumulator. Causal masking inside an entry is a visible prefix: key j (position
// first + j) is visible to a query at position p iff first + j <= p.
#pragma once
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kScoreRows = 4;  // rows whose scores are computed together

struct AttentionRowState {
  float* acc;  // [headDim] running sum of p * v
  float* max;  // running max score (-inf before any key)
  float* sum;  // running sum of p
};

// kt[d * paddedKeys + j] = keys[j * rowStride + d] for j < keyCount, 0 for the padding.
inline void transposeKeys(const float* keys, int64_t rowStride, int64_t keyCount, int64_t headDim,
                          int64_t paddedKeys, float* kt) {
  for (int64_t d = 0; d < headDim; ++d) {
    float* row = kt + d * paddedKeys;
    for (int64_t j = 0; j < keyCount; ++j) row[j] = keys[j * rowStride + d];
    for (int64_t j = keyCount; j < paddedKeys; ++j) row[j] = 0.0f;
  }
}

// scores[r * paddedKeys + j] = scale * dot(q[r], key j) for r < kScoreRows, j < keyChunks * kLanes.
inline void scoreRows(const float* const q[kScoreRows], const float* kt, int64_t paddedKeys, int64_t keyChunks,
                      int64_t headDim, float scale, float* scores) {
  for (int64_t c = 0; c < keyChunks; ++c) {
    const float* column = kt + c * kLanes;
    Vec a0 = vZero(), a1 = vZero(), a2 = vZero(), a3 = vZero();
    for (int64_t d = 0; d < headDim; ++d) {
      const Vec k = vLoad(column + d * paddedKeys);
      a0 = vFma(vSplat(q[0][d]), k, a0);
      a1 = vFma(vSplat(q[1][d]), k, a1);
      a2 = vFma(vSplat(q[2][d]), k, a2);
      a3 = vFma(vSplat(q[3][d]), k, a3);
    }
    const Vec s = vSplat(scale);
    vStore(scores + c * kLanes, vMul(a0, s));
    vStore(scores + paddedKeys + c * kLanes, vMul(a1, s));
    vStore(scores + 2 * paddedKeys + c * kLanes, vMul(a2, s));
    vStore(scores + 3 * paddedKeys + c * kLanes, vMul(a3, s));
  }
}

// acc = acc * correction + sum_j p[j] * values[j], over headDim floats.
inline void accumulateValues(float* acc, float correction, const float* p, int64_t visible, const float* values,
                             int64_t rowStride, int64_t headDim) {
  const Vec c = vSplat(correction);
  int64_t d = 0;
  for (; d + 4 * kLanes <= headDim; d += 4 * kLanes) {
    Vec a0 = vMul(vLoad(acc + d), c), a1 = vMul(vLoad(acc + d + kLanes), c);
    Vec a2 = vMul(vLoad(acc + d + 2 * kLanes), c), a3 = vMul(vLoad(acc + d + 3 * kLanes), c);
    for (int64_t j = 0; j < visible; ++j) {
      const Vec pj = vSplat(p[j]);
      const float* v = values + j * rowStride + d;
      a0 = vFma(pj, vLoad(v), a0);
      a1 = vFma(pj, vLoad(v + kLanes), a1);
      a2 = vFma(pj, vLoad(v + 2 * kLanes), a2);
      a3 = vFma(pj, vLoad(v + 3 * kLanes), a3);
    }
    vStore(acc + d, a0);
    vStore(acc + d + kLanes, a1);
    vStore(acc + d + 2 * kLanes, a2);
    vStore(acc + d + 3 * kLanes, a3);
  }
  for (; d + kLanes <= headDim; d += kLanes) {
    Vec a = vMul(vLoad(acc + d), c);
    for (int64_t j = 0; j < visible; ++j) a = vFma(vSplat(p[j]), vLoad(values + j * rowStride + d), a);
    vStore(acc + d, a);
  }
  for (; d < headDim; ++d) {
    float a = acc[d] * correction;
    for (int64_t j = 0; j < visible; ++j) a += p[j] * values[j * rowStride + d];
    acc[d] = a;
  }
}

// Online softmax step for one row: scores[0, visible) become p = exp(s - newMax) in place.
inline void foldScores(float* scores, int64_t visible, const float* values, int64_t rowStride, int64_t headDim,
                       AttentionRowState row) {
  float blockMax = -INFINITY;
  for (int64_t j = 0; j < visible; ++j) blockMax = scores[j] > blockMax ? scores[j] : blockMax;
  const float oldMax = *row.max;
  const float newMax = blockMax > oldMax ? blockMax : oldMax;
  const float correction = oldMax == -INFINITY ? 0.0f : scalarExp(oldMax - newMax);
  Vec sumV = vZero();
  int64_t j = 0;
  for (; j + kLanes <= visible; j += kLanes) {
    const Vec p = vExp(vSub(vLoad(scores + j), vSplat(newMax)));
    vStore(scores + j, p);
    sumV = vAdd(sumV, p);
  }
  float sum = vSum(sumV);
  for (; j < visible; ++j) {
    scores[j] = scalarExp(scores[j] - newMax);
    sum += scores[j];
  }
  *row.sum = *row.sum * correction + sum;
  *row.max = newMax;
  accumulateValues(row.acc, correction, scores, visible, values, rowStride, headDim);
}

inline void attentionItem(const AttentionArgs& a, int64_t tile, int32_t kvHead, int worker) {
  const int32_t* t = a.tiles + 4 * tile;
  const int64_t qStart = t[0], qCount = t[1], listStart = t[2], listCount = t[3];
  const int64_t group = a.nHeads / a.nKvHeads, headDim = a.headDim;
  const int64_t rows = qCount * group;  // row r = query r / group, head-in-group r % group
  const int64_t rowStride = static_cast<int64_t>(a.nKvHeads) * headDim;  // floats between slots
  const int64_t paddedKeys = ceilDiv(a.blockSize, kLanes) * kLanes;

  float* acc = workerScratch(worker, static_cast<size_t>(rows * (headDim + 2) + headDim * paddedKeys +
                                                         kScoreRows * paddedKeys));
  float* maxes = acc + rows * headDim;
  float* sums = maxes + rows;
  float* kt = sums + rows;
  float* scores = kt + headDim * paddedKeys;
  for (int64_t r = 0; r < rows; ++r) {
    maxes[r] = -INFINITY;
    sums[r] = 0.0f;
  }
  std::memset(acc, 0, static_cast<size_t>(rows * headDim) * 4);
  const auto rowOffset = [&](int64_t r) {  // of row r in q and out
    return ((qStart + r / group) * a.nHeads + kvHead * group + r % group) * headDim;
  };

  for (int64_t e = listStart; e < listStart + listCount; ++e) {
    const int32_t* entry = a.keyBlocks + 4 * e;
    const int64_t firstPosition = entry[1], keyCount = entry[2];
    if (keyCount == 0) continue;
    const bool masked = entry[3] != 0;
    const int64_t slot0 = static_cast<int64_t>(entry[0]) * a.blockSize;
    const float* values = a.vCache + slot0 * rowStride + kvHead * headDim;
    transposeKeys(a.kCache + slot0 * rowStride + kvHead * headDim, rowStride, keyCount, headDim, paddedKeys, kt);
    const auto visibleKeys = [&](int64_t r) {
      if (!masked) return keyCount;
      const int64_t position = a.qPositions[qStart + r / group];
      return maxI64(0, minI64(keyCount, position - firstPosition + 1));
    };
    for (int64_t r0 = 0; r0 < rows; r0 += kScoreRows) {
      const int64_t count = minI64(kScoreRows, rows - r0);
      int64_t mostVisible = 0;
      for (int64_t i = 0; i < count; ++i) mostVisible = maxI64(mostVisible, visibleKeys(r0 + i));
      if (mostVisible == 0) continue;
      const float* q[kScoreRows];
      for (int64_t i = 0; i < kScoreRows; ++i) q[i] = a.q + rowOffset(r0 + minI64(i, count - 1));  // pad with the last row
      scoreRows(q, kt, paddedKeys, ceilDiv(mostVisible, kLanes), headDim, a.scale, scores);
      for (int64_t i = 0; i < count; ++i) {
        const int64_t r = r0 + i, visible = visibleKeys(r);
        if (visible == 0) continue;
        foldScores(scores + i * paddedKeys, visible, values, rowStride, headDim,
                   AttentionRowState{acc + r * headDim, maxes + r, sums + r});
      }
    }
  }

  for (int64_t r = 0; r < rows; ++r) {
    float* out = a.out + rowOffset(r);
    const float inverse = sums[r] > 0.0f ? 1.0f / sums[r] : 0.0f;  // no visible key: zeros
    for (int64_t d = 0; d < headDim; ++d) out[d] = acc[r * headDim + d] * inverse;
  }
}

inline void attention(const AttentionArgs& a) {
  const int64_t items = a.nTiles * a.nKvHeads;
  forEachChunk(items, [&a](int64_t item, int worker) {
    attentionItem(a, item / a.nKvHeads, static_cast<int32_t>(item % a.nKvHeads), worker);
  });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
