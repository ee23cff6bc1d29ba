// The int8 GEMV's super-block steps for the interleaved types with a scale per 16 elements (the decoders:
// gemv_interleaved_q6k.h, gemv_interleaved_q3k.h, gemv_interleaved_q2k.h): unsigned quants u = q + offset (Q6_K: 32,
// Q3_K: 4, Q2_K: 0), per 16 elements the exact sum of u * xq (vpmaddubsw pair sums: two of u <= 63 add up exactly in
// int16, all four of u <= 7) minus offset * sum xq, then the GEMM's float step (Q2_K: its integer scales and mins and
// two float steps per 32 elements, as gemv_interleaved_q2k.h says, which the GEMM's Q2_K records repeat).
#pragma once
#include <type_traits>

#include "kernels/gemv_interleaved_q2k.h"
#include "kernels/gemv_interleaved_q3k.h"
#include "kernels/gemv_interleaved_q6k.h"

#ifdef __AVX2__
namespace fastfill {
namespace FASTFILL_LEVEL {

template <int32_t kType>
constexpr int32_t halvesOffset() { return kType == kTypeQ6_K ? 32 : kType == kTypeQ3_K ? 4 : 0; }

// acc after the float steps of one half (16 elements) of a sub-block: pairs its vpmaddubsw pair sums in int16, index
// its block's (row * blocks + block), h the half.
template <int32_t kType>
inline __m256 halfStep(const GemvInt8Job& job, __m256i pairs, int64_t index, int h, __m256 scale, __m256 acc) {
  const int32_t halfNeg = job.xHalfNeg[2 * index + h];
  __m256i dot = _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
  if constexpr (halvesOffset<kType>() != 0) dot = _mm256_add_epi32(dot, _mm256_set1_epi32(halfNeg * halvesOffset<kType>()));
  return _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_mul_ps(_mm256_set1_ps(job.xd[index]), scale), acc);
}

// The scales of sub-block s as lowBitSubBlockStep takes them: Q2_K's integer scale pairs, the others' float scales
// of its halves.
struct HalvesScales {
  __m256 halves[2];
};

template <int32_t kType>
using SubBlockScales = std::conditional_t<kType == kTypeQ2_K, Q2KScalePairs, HalvesScales>;

template <int32_t kType>
inline SubBlockScales<kType> subBlockScales(const uint8_t* groupBlock, int s) {
  SubBlockScales<kType> out;
  if constexpr (kType == kTypeQ2_K) out = q2kScalePairs(groupBlock, s);
  else if constexpr (kType == kTypeQ6_K) q6kSubBlockScales(groupBlock, s, out.halves[0], out.halves[1]);
  else q3kSubBlockScales(groupBlock, s, out.halves[0], out.halves[1]);
  return out;
}

// acc after a Q2_K or Q3_K sub-block against activation block `index` of one row of x, pairs[h] the int16 pair sums
// of half h.
template <int32_t kType>
inline __m256 lowBitSubBlockStep(const GemvInt8Job& job, const SubBlockScales<kType>& scales, int64_t index, const __m256i (&pairs)[2], __m256 acc) {
  if constexpr (kType == kTypeQ2_K) {
    return q2kSubBlockStep(job, scales, index, pairs, acc);
  } else {
    acc = halfStep<kType>(job, pairs[0], index, 0, scales.halves[0], acc);
    return halfStep<kType>(job, pairs[1], index, 1, scales.halves[1], acc);
  }
}

// Q2_K / Q3_K against one row of x, with the same float steps as halvesSuperBlockStep: each quant chunk (Q2_K's qs
// chunk is shared by 4 sub-blocks, Q3_K's triples by all 8) is loaded once per 128 elements (sub-blocks 4n..4n+3),
// and the 8 pair-sum accumulators of those 4 sub-blocks stay in registers.
template <int32_t kType, int n>
inline void lowBitSubBlocksStepOneRow(const GemvInt8Job& job, int64_t m0, int64_t sb, const uint8_t* groupBlock, __m256 (&acc)[1]) {
  const uint8_t* xq = job.xq + m0 * job.args->w.cols + sb * 256;
  const int64_t index0 = m0 * job.blocks + sb * 8;
  // the 4 sub-blocks' pair sums of half h (elements 16h..16h + 15 of each)
  const auto halfSums = [&](int h, __m256i (&sums)[4]) {
    for (__m256i& sum : sums) sum = _mm256_setzero_si256();
    for (int j = 4 * h; j < 4 * h + 4; ++j) {
      __m256i u[4];
      if constexpr (kType == kTypeQ3_K) q3kQuadQuants<n>(q3kTriplesAt(groupBlock, j), u);
      else q2kQuadQuants(groupBlock, n, j, u);
      for (int k = 0; k < 4; ++k) {
        const __m256i x = broadcastFour(xq + 32 * (4 * n + k) + 4 * j);
        sums[k] = _mm256_add_epi16(sums[k], _mm256_maddubs_epi16(u[k], x));
      }
    }
  };
  __m256i first[4], second[4];
  halfSums(0, first);
  halfSums(1, second);
  for (int k = 0; k < 4; ++k) {
    const __m256i pairs[2] = {first[k], second[k]};
    acc[0] = lowBitSubBlockStep<kType>(job, subBlockScales<kType>(groupBlock, 4 * n + k), index0 + 4 * n + k, pairs, acc[0]);
  }
}

// acc[r] (the 8 rows' outputs for row m0 + r of x) += super-block sb of a group.
template <int32_t kType, int M>
inline void halvesSuperBlockStep(const GemvInt8Job& job, int64_t m0, int64_t sb, const uint8_t* groupBlock, __m256 (&acc)[M]) {
  static_assert(kType == kTypeQ6_K || kType == kTypeQ3_K || kType == kTypeQ2_K);
  if constexpr (kType != kTypeQ6_K && M == 1) {
    lowBitSubBlocksStepOneRow<kType, 0>(job, m0, sb, groupBlock, acc);
    lowBitSubBlocksStepOneRow<kType, 1>(job, m0, sb, groupBlock, acc);
    return;
  }
  const int64_t k = job.args->w.cols;
  const auto subBlock = [&](auto s) {
    const SubBlockScales<kType> scales = subBlockScales<kType>(groupBlock, s);
    __m256i u[8];
    if constexpr (kType == kTypeQ6_K) q6kSubBlockQuants(groupBlock, s, u);
    else if constexpr (kType == kTypeQ3_K) q3kSubBlockQuantsOf<decltype(s)::value>(groupBlock, u);
    else q2kSubBlockQuants(groupBlock, s, u);
    const int64_t b = sb * 8 + s;
    for (int r = 0; r < M; ++r) {
      const uint8_t* xq = job.xq + (m0 + r) * k + b * kInt8BlockElements;
      const int64_t index = (m0 + r) * job.blocks + b;
      __m256i halves[2];
      for (int h = 0; h < 2; ++h) {
        const int j = 4 * h;
        __m256i pairs[2];
        for (int i = 0; i < 2; ++i) {
          pairs[i] = _mm256_add_epi16(_mm256_maddubs_epi16(u[j + 2 * i], broadcastFour(xq + 4 * (j + 2 * i))),
                                      _mm256_maddubs_epi16(u[j + 2 * i + 1], broadcastFour(xq + 4 * (j + 2 * i + 1))));
        }
        if constexpr (kType == kTypeQ6_K) {
          // u <= 63: the two pair sums are widened apart
          const __m256i ones = _mm256_set1_epi16(1);
          const __m256i dot = _mm256_add_epi32(_mm256_add_epi32(_mm256_madd_epi16(pairs[0], ones), _mm256_madd_epi16(pairs[1], ones)),
                                               _mm256_set1_epi32(job.xHalfNeg[2 * index + h] * 32));
          acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_mul_ps(_mm256_set1_ps(job.xd[index]), scales.halves[h]), acc[r]);
        } else {
          halves[h] = _mm256_add_epi16(pairs[0], pairs[1]);
        }
      }
      if constexpr (kType != kTypeQ6_K) acc[r] = lowBitSubBlockStep<kType>(job, scales, index, halves, acc[r]);
    }
  };
  // Q3_K's decoding takes its sub-block as a constant; Q6_K: a loop (unrolled measured about 12 % slower, once)
  if constexpr (kType == kTypeQ6_K) {
    for (int s = 0; s < 8; ++s) subBlock(s);
  } else {
    forEachSubBlock(subBlock);
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // __AVX2__
