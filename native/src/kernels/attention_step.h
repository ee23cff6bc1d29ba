// One online-softmax step of the flash-attention kernel (kernels/attention.h) for kBlocks (1 or 2)
// blocks of kAttnRows rows (one row per vector lane) over up to kStepRuns runs of keys:
//   scoreRun: scores of one run, kScoreKeys keys at a time, each accumulator one key across one
//     block's rows, over d (a broadcast of K straight from the cache times a vector of packed q);
//     scaled, masked scores go to memory [block][key][row];
//   softmaxStep: running max, correction, p = exp(s - max) (kPairs: 2^(s - max)) and sums across
//     rows at once, over all the step's keys; masked keys get exactly 0; p overwrites the scores;
//   accumulateValues: out = out * correction + P V in tiles of kValueRows rows x kValueVecs vectors
//     of d, per visible key kValueVecs loads of V; the multiply is skipped when the tile's
//     corrections are all exactly 1 (the running max did not move: the usual case deep into a
//     long prompt).
// Tiles are two vectors wide (two row blocks, two vectors of d): a single vector per broadcast
// leaves the FMA units waiting on loads (measured on Zen 5: ~70 % of peak against ~100 %).
// With kPairs (bf16 precision, kernels/attention_bf16.h) both products take bf16 pairs instead:
// q . k over pairs of d, P V over pairs of keys, each vdpbf16ps doing two products per lane; and
// scores and maxes are in log2 units (q . k times scale * log2(e)), so p = 2^(s - max) takes the
// short exp2NonPositive instead of expNonPositive (kernels/attention_amx.h's softmax takes the same
// scale and exp2, so its p equal these for equal scores).
// The micro-kernels are not inlined: inside the item's big body GCC spills their tiles.
#pragma once
#include <float.h>

#include "kernels/attention_bf16.h"
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kAttnRows = kLanes;                // rows per block: one per lane
constexpr int kRunKeys = kLanes >= 16 ? 16 : 8;  // keys per run
constexpr int kStepRuns = 8;                     // runs per online-softmax step (4: 1 % slower, 2: 5 %)
constexpr int kStepKeys = kStepRuns * kRunKeys;
constexpr int kMaxStepBlocks = 2;                // row blocks per step
constexpr int kValueRows = kLanes >= 16 ? 8 : kLanes >= 8 ? 4 : 1;  // rows per P V tile
constexpr int kValueVecs = 2;                    // vectors of d per P V tile
constexpr float kLog2E = 1.44269504088896341f;   // kPairs scores are q . k * scoreScaleLog2(scale)

// The factor that takes q . k to log2-unit scores: one F32 product, the same on every path that
// takes it (the pair steps, kernels/attention_amx.h), so equal dot products give equal scores and p.
inline float scoreScaleLog2(float scale) { return scale * kLog2E; }

// Keys per score pass: kBlocks * kScoreKeys accumulators.
template <int kBlocks>
constexpr int kScoreKeys = kBlocks == 1 ? kRunKeys : kRunKeys / 2;

// Up to kRunKeys consecutive keys of one key-block entry, as the step's row blocks see them.
struct KeyRun {
  const float* const* keyRows;  // [kRunKeys] key rows (headDim floats); past the run's keys, copies of key 0
  const float* values;   // value row j at values + j * valueStride (headDim floats)
  const uint32_t* keyPairs;    // kPairs: key j's bf16 row at keyPairs + j * keyPairStride, j < keys
  const uint32_t* valuePairs;  // kPairs: value pair i at valuePairs + i * valuePairStride; in a last pair
                               // of an odd run the odd half is not read
  int64_t valueStride, keyPairStride, valuePairStride;
  const float* visible;  // [kBlocks * kAttnRows]: key j is visible to row r iff firstKey + j < visible[r]
  float firstKey;        // index of key 0 of the run inside its entry
  int keys;              // keys to accumulate: no row sees a key past them
  bool allVisible;       // every row sees all kRunKeys keys: no masking needed
};

// Running state of the step's rows, one lane per row.
struct RowBlockState {
  float* max;         // running max score (-inf before any visible key; kPairs: in log2 units)
  float* sum;         // running sum of p
  float* correction;  // factor for the running output, set by each step
};

// p (and scores) of block b, run h, key j: p[((b * kStepRuns + h) * kRunKeys + j) * kAttnRows + row].
inline int64_t stepOffset(int b, int h, int j) { return ((b * kStepRuns + h) * kRunKeys + j) * kAttnRows; }
// p pairs of block b, run h, keys 2i and 2i + 1: pPairs[pairOffset(b, h, i) + row].
inline int64_t pairOffset(int b, int h, int i) { return ((b * kStepRuns + h) * (kRunKeys / 2) + i) * kAttnRows; }

#if defined(__AVX512F__)
// e^x for x <= 0 (or -inf), the same value as vExp: vscalefps takes the place of building 2^n.
inline Vec expNonPositive(Vec x) {
  Vec n;
  const Vec p = expMantissa(vMax(x, vSplat(-87.33654f)), &n);
  return {_mm512_scalef_ps(p.v, n.v)};
}

// 2^t for t <= 0 (or -inf), relative error <= 1.9e-7 (measured against exp2 in double over the
// floats of [-126, 0]): t is clamped to -126, so p stays normal (2^-126 at least, as expNonPositive
// gives e^-87.3; masked keys, -inf, are zeroed after it); f = t - floor(t) in [0, 1] (vreduceps);
// 2^f by a degree-5 polynomial (fit for least max relative error on [0, 1]) whose constant
// term is exactly 1 (2^0 = 1 exactly: a row whose max did not move gets correction 1); times
// 2^floor(t) (vscalefps).
inline Vec exp2NonPositive(Vec t) {
  const __m512 x = _mm512_max_ps(t.v, _mm512_set1_ps(-126.0f));
  const __m512 f = _mm512_reduce_ps(x, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  __m512 p = _mm512_set1_ps(1.867130515e-3f);
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(9.017029777e-3f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(5.579991266e-2f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(2.401644439e-1f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(6.931512952e-1f));
  p = _mm512_fmadd_ps(p, f, _mm512_set1_ps(1.0f));
  return {_mm512_scalef_ps(p, x)};
}
#else
inline Vec expNonPositive(Vec x) { return vExp(x); }
// Only the pair steps (AVX512-BF16 levels) take it; elsewhere a plain fallback.
inline Vec exp2NonPositive(Vec t) { return vExp(vMul(t, vSplat(0.693147180559945309f))); }
#endif

// Exponent base of the steps' scores: e at F32, 2 with kPairs (log2 units).
template <bool kPairs>
inline Vec stepExp(Vec x) {
  if constexpr (kPairs) {
    return exp2NonPositive(x);
  } else {
    return expNonPositive(x);
  }
}

// Scores of run h for the step's blocks: scale * q_row . k_j (kPairs: times log2(e)), -inf where
// key j is masked for the row, for j < kRunKeys, to p (stepOffset); blockMax[row] = max(blockMax[row],
// those scores).
// q: the first block's packed queries [d][row] (kPairs: its q pairs [d / 2][row]); the next
// block's follow at q + headDim * kAttnRows (kPairs: + ceil(headDim / 2) * kAttnRows).
template <int kBlocks, bool kPairs>
__attribute__((noinline)) void scoreRun(const void* q, int64_t headDim, const KeyRun& run, int h, float scale, float* p,
                                        float* blockMax) {
  constexpr int kKeys = kScoreKeys<kBlocks>;
  // Locals: the vector stores below may alias anything, so fields read in the loops would be reloaded.
  const bool allVisible = run.allVisible;
  const float firstKey = run.firstKey;
  const float* visible = run.visible;
  const Vec scaleV = vSplat(kPairs ? scoreScaleLog2(scale) : scale), minusInf = vSplat(-INFINITY);
  for (int k0 = 0; k0 < kRunKeys; k0 += kKeys) {
    Vec s[kKeys][kBlocks];
    for (int j = 0; j < kKeys; ++j) {
      for (int b = 0; b < kBlocks; ++b) s[j][b] = vZero();
    }
    if constexpr (kPairs) {
#ifdef __AVX512BF16__
      const uint32_t* qPairs = static_cast<const uint32_t*>(q);
      const int64_t pairs = ceilDiv(headDim, 2), stride = run.keyPairStride;
      const uint32_t* keys[kKeys];
      for (int j = 0; j < kKeys; ++j) keys[j] = run.keyPairs + (k0 + j < run.keys ? k0 + j : 0) * stride;
#pragma GCC unroll 4
      for (int64_t i = 0; i < pairs; ++i) {
        __m512i x[kBlocks];
        for (int b = 0; b < kBlocks; ++b) x[b] = _mm512_loadu_si512(qPairs + (b * pairs + i) * kAttnRows);
        for (int j = 0; j < kKeys; ++j) {
          for (int b = 0; b < kBlocks; ++b) s[j][b].v = dotPairs(s[j][b].v, x[b], keys[j][i]);
        }
      }
#endif
    } else {
      const float* qRows = static_cast<const float*>(q);
      const float* keys[kKeys];
      for (int j = 0; j < kKeys; ++j) keys[j] = run.keyRows[k0 + j];
#pragma GCC unroll 4
      for (int64_t d = 0; d < headDim; ++d) {
        Vec x[kBlocks];
        for (int b = 0; b < kBlocks; ++b) x[b] = vLoad(qRows + (b * headDim + d) * kAttnRows);
        for (int j = 0; j < kKeys; ++j) {
          const Vec k = vSplat(keys[j][d]);
          for (int b = 0; b < kBlocks; ++b) s[j][b] = vFma(k, x[b], s[j][b]);
        }
      }
    }
    for (int b = 0; b < kBlocks; ++b) {
      Vec max = vLoad(blockMax + b * kAttnRows);
      float* at = p + stepOffset(b, h, k0);
      if (allVisible) {
        for (int j = 0; j < kKeys; ++j) {
          const Vec x = vMul(s[j][b], scaleV);
          max = vMax(max, x);
          vStore(at + j * kAttnRows, x);
        }
      } else {
        const Vec limit = vLoad(visible + b * kAttnRows);
        for (int j = 0; j < kKeys; ++j) {
          const Vec x = vIfLess(vSplat(firstKey + static_cast<float>(k0 + j)), limit, vMul(s[j][b], scaleV), minusInf);
          max = vMax(max, x);
          vStore(at + j * kAttnRows, x);
        }
      }
      vStore(blockMax + b * kAttnRows, max);
    }
  }
}

// Turns the scores of runs [0, nRuns) into p and updates the state of the step's rows; blockMax:
// the max of those scores per row. kPairs: p goes to pPairs (pairOffset) as bf16 pairs instead.
template <int kBlocks, bool kPairs>
__attribute__((noinline)) void softmaxStep(const KeyRun* runs, int nRuns, const float* blockMax, RowBlockState state,
                                           float* p, uint32_t* pPairs) {
  for (int b = 0; b < kBlocks; ++b) {
    const int64_t r0 = b * kAttnRows;
    const Vec oldMax = vLoad(state.max + r0), newMax = vMax(oldMax, vLoad(blockMax + r0));
    // Rows that have seen no key yet keep max -inf: exponents are taken against 0 there (their p
    // are all masked to 0, their sums and outputs are 0, so the tiny correction changes nothing).
    const Vec base = vIfLess(vSplat(-FLT_MAX), newMax, newMax, vZero());
    const Vec correction = stepExp<kPairs>(vSub(oldMax, base));
    Vec total0 = vZero(), total1 = vZero();
    for (int h = 0; h < nRuns; ++h) {
      // Locals: the vector stores below may alias anything, so the run's fields would be reloaded.
      const bool allVisible = runs[h].allVisible;
      const float firstKey = runs[h].firstKey;
      const Vec limit = vLoad(runs[h].visible + r0), zero = vZero();
      [[maybe_unused]] uint32_t* pairsAt = pPairs + pairOffset(b, h, 0);
      for (int j = 0; j < kRunKeys; j += 2) {
        float* at = p + stepOffset(b, h, j);
        Vec p0 = stepExp<kPairs>(vSub(vLoad(at), base));
        Vec p1 = stepExp<kPairs>(vSub(vLoad(at + kAttnRows), base));
        if (!allVisible) {
          p0 = vIfLess(vSplat(firstKey + static_cast<float>(j)), limit, p0, zero);
          p1 = vIfLess(vSplat(firstKey + static_cast<float>(j + 1)), limit, p1, zero);
        }
        if constexpr (kPairs) {
#ifdef __AVX512BF16__
          _mm512_storeu_si512(pairsAt + j / 2 * kAttnRows, bf16Pairs(p0.v, p1.v));
#endif
        } else {
          vStore(at, p0);
          vStore(at + kAttnRows, p1);
        }
        total0 = vAdd(total0, p0);
        total1 = vAdd(total1, p1);
      }
    }
    vStore(state.sum + r0, vFma(vLoad(state.sum + r0), correction, vAdd(total0, total1)));
    vStore(state.max + r0, newMax);
    vStore(state.correction + r0, correction);
  }
}

// One P V tile: rows [0, kValueRows) at out + r * headDim, kVecs vectors of d from d0 (the last
// one lastLanes wide unless kFullLast): out = out * correction[r] (when rescale) + sum over the
// runs' keys of p * value. pRows: p of row 0, key j of run h at pRows + stepOffset(0, h, j)
// (kPairs: p pairs of row 0, keys 2i and 2i + 1 at pRows + pairOffset(0, h, i), times v pairs).
template <int kVecs, bool kFullLast, bool kPairs>
__attribute__((noinline)) void valueTile(float* out, int64_t headDim, int64_t d0, int lastLanes, const float* correction,
                                         bool rescale, const void* pRows, const KeyRun* runs, int nRuns) {
  const auto load = [lastLanes](const float* x, int v) {
    return kFullLast || v + 1 < kVecs ? vLoad(x) : vLoadFirst(x, lastLanes);
  };
  Vec acc[kValueRows][kVecs];
  for (int r = 0; r < kValueRows; ++r) {
    for (int v = 0; v < kVecs; ++v) acc[r][v] = load(out + r * headDim + d0 + v * kLanes, v);
  }
  if (rescale) {
    for (int r = 0; r < kValueRows; ++r) {
      const Vec c = vSplat(correction[r]);
      for (int v = 0; v < kVecs; ++v) acc[r][v] = vMul(acc[r][v], c);
    }
  }
  for (int h = 0; h < nRuns; ++h) {
    if constexpr (kPairs) {
#ifdef __AVX512BF16__
      const uint32_t* values = runs[h].valuePairs + d0;
      const uint32_t* runP = static_cast<const uint32_t*>(pRows) + pairOffset(0, h, 0);
      const int64_t stride = runs[h].valuePairStride;
      const __mmask16 lastMask = static_cast<__mmask16>((1u << lastLanes) - 1);
      const int keys = runs[h].keys;
      for (int i = 0; 2 * i < keys; ++i) {
        __m512i x[kVecs];  // lanes past headDim are not loaded: their sums are never stored
        for (int v = 0; v < kVecs; ++v) {
          const uint32_t* at = values + i * stride + v * kLanes;
          x[v] = kFullLast || v + 1 < kVecs ? _mm512_loadu_si512(at) : _mm512_maskz_loadu_epi32(lastMask, at);
        }
        if (2 * i + 1 == keys) {  // the odd half is another slot (p = 0 there, but it may hold any bits)
          for (int v = 0; v < kVecs; ++v) x[v] = _mm512_and_si512(x[v], _mm512_set1_epi32(0xFFFF));
        }
        for (int r = 0; r < kValueRows; ++r) {
          for (int v = 0; v < kVecs; ++v) acc[r][v].v = dotPairs(acc[r][v].v, x[v], runP[i * kAttnRows + r]);
        }
      }
#endif
    } else {
      const float* values = runs[h].values + d0;
      const float* runP = static_cast<const float*>(pRows) + stepOffset(0, h, 0);
      for (int j = 0; j < runs[h].keys; ++j) {
        Vec x[kVecs];
        for (int v = 0; v < kVecs; ++v) x[v] = load(values + j * runs[h].valueStride + v * kLanes, v);
        for (int r = 0; r < kValueRows; ++r) {
          const Vec pr = vSplat(runP[j * kAttnRows + r]);
          for (int v = 0; v < kVecs; ++v) acc[r][v] = vFma(pr, x[v], acc[r][v]);
        }
      }
    }
  }
  for (int r = 0; r < kValueRows; ++r) {
    for (int v = 0; v < kVecs; ++v) {
      float* at = out + r * headDim + d0 + v * kLanes;
      if (kFullLast || v + 1 < kVecs) {
        vStore(at, acc[r][v]);
      } else {
        vStoreFirst(at, acc[r][v], lastLanes);
      }
    }
  }
}

// P V of the step for its first liveRows rows (the others are padding: their output is dropped).
// out: the step's first row [row][headDim]. Row groups inside d chunks: each chunk of V is read
// by all row groups while it is in L1.
// p: the step's p, or with kPairs its p pairs.
template <int kBlocks, bool kPairs>
inline void accumulateValues(float* out, int64_t headDim, const float* correction, const void* p, const KeyRun* runs,
                             int nRuns, int64_t liveRows) {
  constexpr int kRows = kBlocks * kAttnRows;
  bool rescale[kRows / kValueRows];
  for (int g = 0; g < kRows; g += kValueRows) {
    rescale[g / kValueRows] = false;
    for (int r = 0; r < kValueRows; ++r) rescale[g / kValueRows] |= correction[g + r] != 1.0f;
  }
  const auto rowGroups = [&](auto tile, int64_t d0, int lastLanes) {
    for (int g = 0; g < kRows && g < liveRows; g += kValueRows) {
      const int64_t pAt = (kPairs ? pairOffset(g / kAttnRows, 0, 0) : stepOffset(g / kAttnRows, 0, 0)) + g % kAttnRows;
      tile(out + g * headDim, headDim, d0, lastLanes, correction + g, rescale[g / kValueRows],
           static_cast<const uint32_t*>(p) + pAt, runs, nRuns);
    }
  };
  int64_t d0 = 0;
  for (; d0 + kValueVecs * kLanes <= headDim; d0 += kValueVecs * kLanes) {
    rowGroups(valueTile<kValueVecs, true, kPairs>, d0, kLanes);
  }
  const int64_t left = headDim - d0;
  if (left > kLanes) {
    rowGroups(valueTile<2, false, kPairs>, d0, static_cast<int>(left - kLanes));
  } else if (left == kLanes) {
    rowGroups(valueTile<1, true, kPairs>, d0, kLanes);
  } else if (left > 0) {
    rowGroups(valueTile<1, false, kPairs>, d0, static_cast<int>(left));
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
