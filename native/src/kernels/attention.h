// Tiled flash attention with online softmax over a paged KV cache (compiled once per level).
//
// Work item: one query tile x one KV head; its rows are (query, head of the KV group) pairs, so
// every K/V block is read once for all query heads that share it (GQA). Rows go in blocks of
// kAttnRows = kLanes, one row per vector lane; their queries are packed [d][row]. The tile's key
// list is cut into runs of up to kRunKeys keys of one entry, taken kStepRuns runs at a time (128
// keys for avx512 with blocks of 16); each pair of row blocks (or a last single one) takes one
// online-softmax step over those keys (kernels/attention_step.h), reading K and V straight from
// the cache. Padding rows repeat the last row; their results are dropped.
// At bf16 precision (where kAttentionPairs) the item also packs its queries as bf16 pairs; from an F32
// cache it converts each run's keys and values to bf16 pairs (kernels/attention_bf16.h), once for all
// its row blocks, while a bf16 cache already holds them so (common/kernel_args.h) and is read in
// place. Levels without the pair steps widen a bf16 cache's runs to F32 instead, and every level
// widens an F16 cache's runs to F32 (the pair steps then convert the widened run).
// At the amx level (unless FASTFILL_AMX_ATTENTION=0), bf16-precision calls whose head size is a multiple of 32
// take kernels/attention_amx.h instead (the same items, runs and steps on AMX tiles).
// Causal masking inside an entry is a visible prefix: key j (position first + j) is visible to a
// query at position p iff first + j <= p. A query that sees no key gets zeros.
#pragma once
#include "common/half_float.h"
#include "kernels/attention_amx.h"
#include "kernels/attention_step.h"
#include "kernels/attention_tile.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

// What one run holds for all row blocks of the item.
struct RunData {
  const float* keyRows[kRunKeys];  // key rows; past the run's keys, key 0 again
  const float* values;             // value row of key 0 of the run
  const uint32_t* keyPairs;        // bf16 precision: the run's keys and values as pairs
  const uint32_t* valuePairs;
  int64_t valueStride, keyPairStride, valuePairStride;
  float* visible;                  // [paddedRows] visible keys of the entry per row
  int64_t c0, keys;                // first key in the entry, keys in the run
};

// One step of rows [r0, r0 + kBlocks * kAttnRows) over the prepared runs; liveRows: rows of the
// item from r0 on (the rest are padding).
template <int kBlocks, bool kPairs>
inline void attendStep(const AttentionArgs& a, const float* packedQ, const uint32_t* qPairs, float* out,
                       RowBlockState state, const RunData* runData, int nRuns, int64_t r0, int64_t liveRows,
                       float* blockMax, float* p, uint32_t* pPairs) {
  constexpr int kRows = kBlocks * kAttnRows;
  KeyRun runs[kStepRuns];
  int used = 0;
  for (int h = 0; h < nRuns; ++h) {
    const RunData& run = runData[h];
    int64_t most = 0, least = run.c0 + kRunKeys;
    for (int i = 0; i < kRows; ++i) {
      const int64_t v = static_cast<int64_t>(run.visible[r0 + i]);
      most = maxI64(most, v);
      least = minI64(least, v);
    }
    const int64_t keys = minI64(run.keys, most - run.c0);
    if (keys <= 0) continue;
    runs[used++] = KeyRun{run.keyRows, run.values, run.keyPairs, run.valuePairs, run.valueStride, run.keyPairStride,
                          run.valuePairStride, run.visible + r0, static_cast<float>(run.c0), static_cast<int>(keys),
                          least >= run.c0 + kRunKeys};
  }
  if (used == 0) return;
  const int64_t headDim = a.headDim;
  const RowBlockState rowsState{state.max + r0, state.sum + r0, state.correction + r0};
  for (int i = 0; i < kRows; ++i) blockMax[i] = -INFINITY;
  const void* q = kPairs ? static_cast<const void*>(qPairs + r0 * ceilDiv(headDim, 2)) : packedQ + r0 * headDim;
  for (int h = 0; h < used; ++h) scoreRun<kBlocks, kPairs>(q, headDim, runs[h], h, a.scale, p, blockMax);
  softmaxStep<kBlocks, kPairs>(runs, used, blockMax, rowsState, p, pPairs);
  accumulateValues<kBlocks, kPairs>(out + r0 * headDim, headDim, rowsState.correction,
                                    kPairs ? static_cast<const void*>(pPairs) : p, runs, used, liveRows);
}

// Keys and values [0, keys) of a run from slot0 of a bf16 or F16 cache, widened to F32 rows of headDim.
inline void widenRun(const AttentionArgs& a, int64_t slot0, int64_t headOffset, int64_t keys, float* keyRows,
                     float* valueRows) {
  const int64_t headDim = a.headDim, rowStride = static_cast<int64_t>(a.nKvHeads) * headDim;
  for (int64_t j = 0; j < keys; ++j) {
    const int64_t slot = slot0 + j;
    const auto bytes = [](const uint16_t* p) { return reinterpret_cast<const uint8_t*>(p); };
    if (a.kCacheF16 != nullptr) {
      halvesToFloats(bytes(a.kCacheF16 + slot * rowStride + headOffset), keyRows + j * headDim, headDim);
      halvesToFloats(bytes(a.vCacheF16 + slot * rowStride + headOffset), valueRows + j * headDim, headDim);
    } else {
      bf16sToFloats(bytes(a.kCacheBf16 + slot * rowStride + headOffset), keyRows + j * headDim, headDim);
      const uint16_t* v = a.vCacheBf16 + 2 * (slot / 2 * rowStride + headOffset) + slot % 2;
      for (int64_t d = 0; d < headDim; ++d) valueRows[j * headDim + d] = bf16ToFloat(v[2 * d]);
    }
  }
}

inline void attentionItem(const AttentionArgs& a, int64_t tile, int32_t kvHead, int worker) {
  const TileRows item = tileRows(a, tile, kvHead);
  const int64_t rows = item.rows, blocks = item.blocks, paddedRows = item.paddedRows, headDim = a.headDim;
  const int64_t rowStride = static_cast<int64_t>(a.nKvHeads) * headDim;  // floats between slots

  // Every item at bf16 precision takes the pairs, however few its rows (a decode step converts each key
  // for one row block: 0.115 against 0.104 ms at F32 for 2K keys): a query's result then does not
  // depend on its tile, so chunked prefill, decode and prefix reuse agree bit for bit.
  const bool pairs = kAttentionPairs && a.precision == kPrecisionBf16;
  // A bf16 cache is read in place by the pair steps; the F32 steps read each run of it widened to F32,
  // and every step reads an F16 cache so (the pair steps then convert the widened run).
  const bool bf16Cache = a.kCacheBf16 != nullptr, f32Cache = a.kCache != nullptr;
  const bool convertRuns = pairs && !bf16Cache, widenRuns = !f32Cache && !(pairs && bf16Cache);
  // Scratch: packed q, outputs, then max, sum, correction, query position per padded row, block
  // max, then per run of a step its visible counts, then p; at bf16 precision then q pairs, p
  // pairs and (unless read in place) per run of a step its key and value pairs; from a bf16 or
  // F16 cache, unless read in place, per run of a step its keys and values in F32.
  const int64_t keyPairFloats = kRunKeys * keyPairStride(headDim), valuePairFloats = kRunKeys / 2 * valuePairStride(headDim);
  const int64_t pairFloats = !pairs ? 0 : paddedRows * ceilDiv(headDim, 2) + kMaxStepBlocks * kStepKeys / 2 * kAttnRows +
                                              (convertRuns ? kStepRuns * (keyPairFloats + valuePairFloats) : 0);
  const int64_t wideFloats = widenRuns ? kStepRuns * 2 * kRunKeys * headDim : 0;
  float* packedQ = workerScratch(worker, static_cast<size_t>(paddedRows * (2 * headDim + 4) + kMaxStepBlocks * kAttnRows +
                                                             kStepRuns * paddedRows +
                                                             kMaxStepBlocks * kStepKeys * kAttnRows + pairFloats + wideFloats));
  float* out = packedQ + paddedRows * headDim;
  float* maxes = out + paddedRows * headDim;
  float* sums = maxes + paddedRows;
  float* corrections = sums + paddedRows;
  int32_t* rowPositions = reinterpret_cast<int32_t*>(corrections + paddedRows);
  float* blockMax = corrections + 2 * paddedRows;
  float* runScratch = blockMax + kMaxStepBlocks * kAttnRows;
  float* p = runScratch + kStepRuns * paddedRows;
  uint32_t* qPairs = reinterpret_cast<uint32_t*>(p + kMaxStepBlocks * kStepKeys * kAttnRows);
  uint32_t* pPairs = qPairs + paddedRows * ceilDiv(headDim, 2);
  [[maybe_unused]] uint32_t* runPairs = pPairs + kMaxStepBlocks * kStepKeys / 2 * kAttnRows;
  float* runWide = p + kMaxStepBlocks * kStepKeys * kAttnRows + pairFloats;
  for (int64_t r = 0; r < paddedRows; ++r) {
    const float* q = a.q + item.offset(a, r);
    float* dst = packedQ + (r / kAttnRows) * headDim * kAttnRows + r % kAttnRows;
    for (int64_t d = 0; d < headDim; ++d) dst[d * kAttnRows] = q[d];
    maxes[r] = -INFINITY;
    sums[r] = 0.0f;
    rowPositions[r] = item.position(a, r);
  }
  std::memset(out, 0, static_cast<size_t>(paddedRows * headDim) * 4);
#ifdef __AVX512BF16__
  if (pairs) packQueryPairs(packedQ, blocks, headDim, qPairs);
#endif

  const RowBlockState state{maxes, sums, corrections};
  RunCursor cursor = firstRun(a, item);
  RunData runData[kStepRuns];
  while (!cursor.done()) {
    int nRuns = 0;
    for (; nRuns < kStepRuns && !cursor.done(); ++nRuns, cursor.next()) {
      const int32_t* entry = cursor.current();
      const int64_t slot0 = static_cast<int64_t>(entry[0]) * a.blockSize + cursor.c0;
      RunData& run = runData[nRuns];
      run.visible = runScratch + nRuns * paddedRows;
      run.c0 = cursor.c0;
      run.keys = cursor.keys();
      const int64_t headOffset = kvHead * headDim;
      if (f32Cache) {
        run.values = a.vCache + slot0 * rowStride + headOffset;
        run.valueStride = rowStride;
        const float* keys = a.kCache + slot0 * rowStride + headOffset;
        for (int j = 0; j < kRunKeys; ++j) run.keyRows[j] = keys + (j < run.keys ? j * rowStride : 0);
      } else if (widenRuns) {
        float* keys = runWide + nRuns * 2 * kRunKeys * headDim;
        float* values = keys + kRunKeys * headDim;
        widenRun(a, slot0, headOffset, run.keys, keys, values);
        run.values = values;
        run.valueStride = headDim;
        for (int j = 0; j < kRunKeys; ++j) run.keyRows[j] = keys + (j < run.keys ? j * headDim : 0);
      }
#ifdef __AVX512BF16__
      if (convertRuns) {
        uint32_t* keyPairs = runPairs + nRuns * (keyPairFloats + valuePairFloats);
        uint32_t* valuePairs = keyPairs + keyPairFloats;
        for (int j = 0; j < run.keys; ++j) keyRowPairs(run.keyRows[j], headDim, keyPairs + j * keyPairStride(headDim));
        valueRowPairs(run.values, run.valueStride, static_cast<int>(run.keys), headDim, valuePairs);
        run.keyPairs = keyPairs;
        run.valuePairs = valuePairs;
        run.keyPairStride = keyPairStride(headDim);
        run.valuePairStride = valuePairStride(headDim);
      } else if (pairs) {  // bf16 cache, in place (slot0 is even: blockSize is, and runs start at multiples of kRunKeys)
        run.keyPairs = reinterpret_cast<const uint32_t*>(a.kCacheBf16 + slot0 * rowStride + headOffset);
        run.valuePairs = reinterpret_cast<const uint32_t*>(a.vCacheBf16) + slot0 / 2 * rowStride + headOffset;
        run.keyPairStride = rowStride / 2;
        run.valuePairStride = rowStride;
      }
#endif
      entryVisible(entry, rowPositions, paddedRows, run.visible);
    }
    for (int64_t block = 0; block < blocks;) {
      const int64_t r0 = block * kAttnRows;
      const int step = blocks - block >= 2 ? 2 : 1;
      if constexpr (kAttentionPairs) {  // the pair steps exist only on levels that can run them
        if (pairs) {
          if (step == 2) attendStep<2, true>(a, packedQ, qPairs, out, state, runData, nRuns, r0, rows - r0, blockMax, p, pPairs);
          else attendStep<1, true>(a, packedQ, qPairs, out, state, runData, nRuns, r0, rows - r0, blockMax, p, pPairs);
          block += step;
          continue;
        }
      }
      if (step == 2) {
        attendStep<2, false>(a, packedQ, qPairs, out, state, runData, nRuns, r0, rows - r0, blockMax, p, pPairs);
      } else {
        attendStep<1, false>(a, packedQ, qPairs, out, state, runData, nRuns, r0, rows - r0, blockMax, p, pPairs);
      }
      block += step;
    }
  }

  writeTileOutput(a, item, out, sums);
}

// Decode-sized calls (a few queries over short key lists) run on the calling thread: measured on the
// 2-vCPU VM, one decode query with 14/2 heads took 9 / 13 / 42 us on one thread at 80 / 144 / 512 keys
// and 18 / 33 / 53 us as a two-item pool job; from about 1K keys on the job wins.
constexpr int64_t kSerialAttentionMaxQueries = 8;
constexpr int64_t kSerialAttentionMaxKeyHeads = 2048;  // listed keys x KV heads, summed over tiles

inline void attention(const AttentionArgs& a) {
  const int64_t items = a.nTiles * a.nKvHeads;
#ifdef FASTFILL_AMX_TILES
  const bool tiles = amxAttentionFits(a);
#endif
  const auto run = [&](int64_t item, int worker) {
#ifdef FASTFILL_AMX_TILES
    if (tiles) {
      amxAttentionItem(a, item / a.nKvHeads, static_cast<int32_t>(item % a.nKvHeads), worker);
      return;
    }
#endif
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
