// Tiled flash attention with online softmax over a paged KV cache (compiled once per level).
//
// Work item: one query tile x one KV head; its rows are (query, head of the KV group) pairs, so
// every K/V block is read once for all query heads that share it (GQA). Rows go in blocks of
// kAttnRows = kLanes, one row per vector lane; their queries are packed [d][row]. For each
// key-block entry, K is transposed once into kt [d][key] (shared by all row blocks); then each row
// block takes the entry's keys kAttnKeys at a time:
//   scores: kAttnKeys accumulators, each one key across the block's rows, over d (a broadcast of
//     kt, a vector of packed q);
//   softmax: running max, correction, p = exp(s - max) and sums, all across rows at once; masked
//     keys get exactly 0; p is stored [key][row];
//   P V: kAttnRows accumulators (one per row) over a vector of d, per visible key one load of V.
// Causal masking inside an entry is a visible prefix: key j (position first + j) is visible to a
// query at position p iff first + j <= p. A query that sees no key gets zeros. The micro-kernels
// are not inlined: inside the item's big body GCC spills their tiles.
#pragma once
#include <float.h>

#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kAttnRows = kLanes;                 // rows per block: one per lane
constexpr int kAttnKeys = kLanes >= 16 ? 16 : 8;  // keys per online-softmax step

// Per-block running state, one lane per row.
struct RowBlockState {
  float* max;         // [kAttnRows] running max score (-inf before any visible key)
  float* sum;         // [kAttnRows] running sum of p
  float* correction;  // [kAttnRows] factor for the running output, set by each step
};

// One online-softmax step over keys [c0, c0 + kAttnKeys) of an entry (kt padded with zeros past
// its keys): writes p to pT[j * kAttnRows + row] (0 where key c0 + j >= visible[row]) and updates
// the state. q: the block's packed queries [d][row].
__attribute__((noinline)) void softmaxStep(const float* q, const float* kt, int64_t paddedKeys, int64_t c0,
                                           int64_t headDim, float scale, const float* visible, RowBlockState state,
                                           float* pT) {
  Vec s[kAttnKeys];
  for (int j = 0; j < kAttnKeys; ++j) s[j] = vZero();
  const float* keys = kt + c0;
  for (int64_t d = 0; d < headDim; ++d) {
    const Vec x = vLoad(q + d * kAttnRows);
    for (int j = 0; j < kAttnKeys; ++j) s[j] = vFma(vSplat(keys[d * paddedKeys + j]), x, s[j]);
  }
  const Vec limit = vLoad(visible), minusInf = vSplat(-INFINITY), scaleV = vSplat(scale);
  Vec blockMax = minusInf;
  for (int j = 0; j < kAttnKeys; ++j) {
    s[j] = vIfLess(vSplat(static_cast<float>(c0 + j)), limit, vMul(s[j], scaleV), minusInf);
    blockMax = vMax(blockMax, s[j]);
  }
  const Vec oldMax = vLoad(state.max), newMax = vMax(oldMax, blockMax);
  // Rows that have seen no key yet keep max -inf: exponents are taken against 0 there (their p are
  // all masked to 0, their sums and outputs are 0, so the tiny correction changes nothing).
  const Vec base = vIfLess(vSplat(-FLT_MAX), newMax, newMax, vZero());
  const Vec correction = vExp(vSub(oldMax, base));
  Vec total = vZero();
  for (int j = 0; j < kAttnKeys; ++j) {
    const Vec p = vIfLess(vSplat(static_cast<float>(c0 + j)), limit, vExp(vSub(s[j], base)), vZero());
    vStore(pT + j * kAttnRows, p);
    total = vAdd(total, p);
  }
  vStore(state.sum, vFma(vLoad(state.sum), correction, total));
  vStore(state.max, newMax);
  vStore(state.correction, correction);
}

// out[r][0, lanes) = out[r] * correction[r] + sum_j pT[j][r] * values[j] over `keys` keys, for the
// kAttnRows rows at out + r * headDim; values[j] is at values + j * rowStride.
__attribute__((noinline)) void valueVec(float* out, int64_t headDim, const float* correction, const float* pT,
                                        int64_t keys, const float* values, int64_t rowStride, int lanes) {
  Vec acc[kAttnRows];
  for (int r = 0; r < kAttnRows; ++r) acc[r] = vMul(vLoadFirst(out + r * headDim, lanes), vSplat(correction[r]));
  if (lanes == kLanes) {
    for (int64_t j = 0; j < keys; ++j) {
      const Vec v = vLoad(values + j * rowStride);
      for (int r = 0; r < kAttnRows; ++r) acc[r] = vFma(vSplat(pT[j * kAttnRows + r]), v, acc[r]);
    }
  } else {
    for (int64_t j = 0; j < keys; ++j) {
      const Vec v = vLoadFirst(values + j * rowStride, lanes);
      for (int r = 0; r < kAttnRows; ++r) acc[r] = vFma(vSplat(pT[j * kAttnRows + r]), v, acc[r]);
    }
  }
  for (int r = 0; r < kAttnRows; ++r) vStoreFirst(out + r * headDim, acc[r], lanes);
}

inline void attentionItem(const AttentionArgs& a, int64_t tile, int32_t kvHead, int worker) {
  const int32_t* t = a.tiles + 4 * tile;
  const int64_t qStart = t[0], qCount = t[1], listStart = t[2], listCount = t[3];
  const int64_t group = a.nHeads / a.nKvHeads, headDim = a.headDim;
  const int64_t rows = qCount * group;  // row r = query r / group, head-in-group r % group
  const int64_t blocks = ceilDiv(rows, kAttnRows), paddedRows = blocks * kAttnRows;
  const int64_t rowStride = static_cast<int64_t>(a.nKvHeads) * headDim;  // floats between slots
  const int64_t paddedKeys = ceilDiv(a.blockSize, kAttnKeys) * kAttnKeys;

  // Scratch: packed q, outputs, then max, sum, correction, visible per padded row, kt, pT.
  float* packedQ = workerScratch(worker, static_cast<size_t>(paddedRows * (2 * headDim + 4) + headDim * paddedKeys +
                                                             kAttnKeys * kAttnRows));
  float* out = packedQ + paddedRows * headDim;
  float* maxes = out + paddedRows * headDim;
  float* sums = maxes + paddedRows;
  float* corrections = sums + paddedRows;
  float* visible = corrections + paddedRows;
  float* kt = visible + paddedRows;
  float* pT = kt + headDim * paddedKeys;
  const auto rowOffset = [&](int64_t r) {  // of row r in q and out
    return ((qStart + r / group) * a.nHeads + kvHead * group + r % group) * headDim;
  };
  for (int64_t r = 0; r < paddedRows; ++r) {
    const float* q = a.q + rowOffset(r < rows ? r : rows - 1);  // padding rows repeat the last one
    float* dst = packedQ + (r / kAttnRows) * headDim * kAttnRows + r % kAttnRows;
    for (int64_t d = 0; d < headDim; ++d) dst[d * kAttnRows] = q[d];
    maxes[r] = -INFINITY;
    sums[r] = 0.0f;
  }
  std::memset(out, 0, static_cast<size_t>(paddedRows * headDim) * 4);

  for (int64_t e = listStart; e < listStart + listCount; ++e) {
    const int32_t* entry = a.keyBlocks + 4 * e;
    const int64_t firstPosition = entry[1], keyCount = entry[2];
    if (keyCount == 0) continue;
    const bool masked = entry[3] != 0;
    const int64_t slot0 = static_cast<int64_t>(entry[0]) * a.blockSize;
    const float* values = a.vCache + slot0 * rowStride + kvHead * headDim;
    transposeToPanel(a.kCache + slot0 * rowStride + kvHead * headDim, rowStride, static_cast<int>(keyCount), headDim,
                     kt, static_cast<int>(paddedKeys));
    for (int64_t r = 0; r < paddedRows; ++r) {
      int64_t v = 0;
      if (r < rows) v = masked ? maxI64(0, minI64(keyCount, a.qPositions[qStart + r / group] - firstPosition + 1)) : keyCount;
      visible[r] = static_cast<float>(v);
    }
    for (int64_t block = 0; block < blocks; ++block) {
      const int64_t r0 = block * kAttnRows;
      int64_t mostVisible = 0;
      for (int i = 0; i < kAttnRows; ++i) mostVisible = maxI64(mostVisible, static_cast<int64_t>(visible[r0 + i]));
      const RowBlockState state{maxes + r0, sums + r0, corrections + r0};
      for (int64_t c0 = 0; c0 < mostVisible; c0 += kAttnKeys) {
        softmaxStep(packedQ + r0 * headDim, kt, paddedKeys, c0, headDim, a.scale, visible + r0, state, pT);
        const int64_t keys = minI64(kAttnKeys, mostVisible - c0);
        for (int64_t d = 0; d < headDim; d += kLanes) {
          valueVec(out + r0 * headDim + d, headDim, state.correction, pT, keys, values + c0 * rowStride + d, rowStride,
                   static_cast<int>(minI64(kLanes, headDim - d)));
        }
      }
    }
  }

  for (int64_t r = 0; r < rows; ++r) {
    float* dst = a.out + rowOffset(r);
    const float inverse = sums[r] > 0.0f ? 1.0f / sums[r] : 0.0f;  // no visible key: zeros
    for (int64_t d = 0; d < headDim; ++d) dst[d] = out[r * headDim + d] * inverse;
  }
}

// Decode-sized calls (a few queries over short key lists) run on the calling thread: measured on the
// 2-vCPU VM, one decode query with 14/2 heads took 9 / 13 / 42 us on one thread at 80 / 144 / 512 keys
// and 18 / 33 / 53 us as a two-item pool job; from about 1K keys on the job wins.
constexpr int64_t kSerialAttentionMaxQueries = 8;
constexpr int64_t kSerialAttentionMaxKeyHeads = 2048;  // listed keys x KV heads, summed over tiles

inline void attention(const AttentionArgs& a) {
  const int64_t items = a.nTiles * a.nKvHeads;
  const auto run = [&a](int64_t item, int worker) {
    attentionItem(a, item / a.nKvHeads, static_cast<int32_t>(item % a.nKvHeads), worker);
  };
  if (a.nQ <= kSerialAttentionMaxQueries) {
    int64_t keyHeads = 0;
    for (int64_t t = 0; t < a.nTiles; ++t) keyHeads += static_cast<int64_t>(a.tiles[4 * t + 3]) * a.blockSize * a.nKvHeads;
    if (keyHeads <= kSerialAttentionMaxKeyHeads) {
      for (int64_t item = 0; item < items; ++item) run(item, 0);  // worker 0: the calling thread's scratch
      return;
    }
  }
  forEachChunk(items, run);
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
