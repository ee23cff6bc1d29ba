// The int8 GEMV's super-block steps for the interleaved types with a scale per 16 elements (the decoders:
// gemv_interleaved_q6k.h, gemv_interleaved_q3k.h, gemv_interleaved_q2k.h): unsigned quants u = q + offset (Q6_K: 32,
// Q3_K: 4, Q2_K: 0), per 16 elements the exact sum of u * xq (vpmaddubsw pair sums: two of u <= 63 add up exactly in
// int16, all four of u <= 7) minus offset * sum xq, then the GEMM's float step (Q2_K: and its min's, as
// gemv_interleaved_q2k.h says).
#pragma once
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
inline __m256 halfStep(const GemvInt8Job& job, __m256i pairs, int64_t index, int h, __m256 scale, __m256 min, __m256 acc) {
  const int32_t halfNeg = job.xHalfNeg[2 * index + h];
  __m256i dot = _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
  if constexpr (halvesOffset<kType>() != 0) dot = _mm256_add_epi32(dot, _mm256_set1_epi32(halfNeg * halvesOffset<kType>()));
  acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_mul_ps(_mm256_set1_ps(job.xd[index]), scale), acc);
  if constexpr (kType == kTypeQ2_K) acc = _mm256_fmadd_ps(_mm256_set1_ps(job.xd[index] * static_cast<float>(halfNeg)), min, acc);
  return acc;
}

// The scales (and Q2_K's mins) of the halves of sub-block s.
template <int32_t kType>
inline void halvesScales(const uint8_t* groupBlock, int s, __m256 (&scales)[2], __m256 (&mins)[2]) {
  if constexpr (kType == kTypeQ6_K) q6kSubBlockScales(groupBlock, s, scales[0], scales[1]);
  else if constexpr (kType == kTypeQ3_K) q3kSubBlockScales(groupBlock, s, scales[0], scales[1]);
  else q2kSubBlockScales(groupBlock, s, scales, mins);
}

// Q2_K / Q3_K against one row of x, with the same float steps as halvesSuperBlockStep: each qs chunk (shared by 4
// sub-blocks) and Q3_K's hmask chunk (by all 8) is loaded once per 128 elements, and the 8 pair-sum accumulators of
// those 4 sub-blocks stay in registers.
template <int32_t kType>
inline void lowBitSuperBlockStepOneRow(const GemvInt8Job& job, int64_t m0, int64_t sb, const uint8_t* groupBlock, __m256 (&acc)[1]) {
  const uint8_t* xq = job.xq + m0 * job.args->w.cols + sb * 256;
  const int64_t index0 = m0 * job.blocks + sb * 8;
  const __m256i three = _mm256_set1_epi8(3), four = _mm256_set1_epi8(4);
  for (int n = 0; n < 2; ++n) {
    __m256i sums[4][2];
    for (auto& pair : sums) pair[0] = pair[1] = _mm256_setzero_si256();
    const uint8_t* low = groupBlock + (kType == kTypeQ3_K ? kInterleaved3LowOffset : kInterleaved2LowOffset) + kInterleavedChunkBytes * 8 * n;
    for (int j = 0; j < 8; ++j) {
      const __m256i qs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(low + j * kInterleavedChunkBytes));
      const __m256i twos[4] = {qs, _mm256_srli_epi16(qs, 2), _mm256_srli_epi16(qs, 4), _mm256_srli_epi16(qs, 6)};
      __m256i thirds[4];
      if constexpr (kType == kTypeQ3_K) {
        // the third bit of sub-block b = 4n + k moved to bit 2 (16-bit shifts: what a byte gets from its neighbour
        // lands outside the masks)
        const __m256i hm = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(groupBlock + kInterleaved3MaskOffset + j * kInterleavedChunkBytes));
        thirds[0] = n == 0 ? _mm256_slli_epi16(hm, 2) : _mm256_srli_epi16(hm, 2);
        thirds[1] = n == 0 ? _mm256_slli_epi16(hm, 1) : _mm256_srli_epi16(hm, 3);
        thirds[2] = n == 0 ? hm : _mm256_srli_epi16(hm, 4);
        thirds[3] = n == 0 ? _mm256_srli_epi16(hm, 1) : _mm256_srli_epi16(hm, 5);
      }
      for (int k = 0; k < 4; ++k) {
        __m256i u = _mm256_and_si256(twos[k], three);
        if constexpr (kType == kTypeQ3_K) u = _mm256_or_si256(u, _mm256_and_si256(thirds[k], four));
        const __m256i x = broadcastFour(xq + 32 * (4 * n + k) + 4 * j);
        sums[k][j / 4] = _mm256_add_epi16(sums[k][j / 4], _mm256_maddubs_epi16(u, x));
      }
    }
    for (int k = 0; k < 4; ++k) {
      const int s = 4 * n + k;
      __m256 scales[2], mins[2];
      halvesScales<kType>(groupBlock, s, scales, mins);
      for (int h = 0; h < 2; ++h) acc[0] = halfStep<kType>(job, sums[k][h], index0 + s, h, scales[h], mins[h], acc[0]);
    }
  }
}

// acc[r] (the 8 rows' outputs for row m0 + r of x) += super-block sb of a group.
template <int32_t kType, int M>
inline void halvesSuperBlockStep(const GemvInt8Job& job, int64_t m0, int64_t sb, const uint8_t* groupBlock, __m256 (&acc)[M]) {
  static_assert(kType == kTypeQ6_K || kType == kTypeQ3_K || kType == kTypeQ2_K);
  if constexpr (kType != kTypeQ6_K && M == 1) {
    lowBitSuperBlockStepOneRow<kType>(job, m0, sb, groupBlock, acc);
    return;
  }
  const int64_t k = job.args->w.cols;
  for (int s = 0; s < 8; ++s) {
    __m256 scales[2], mins[2];
    halvesScales<kType>(groupBlock, s, scales, mins);
    __m256i u[8];
    if constexpr (kType == kTypeQ6_K) q6kSubBlockQuants(groupBlock, s, u);
    else if constexpr (kType == kTypeQ3_K) q3kSubBlockQuants(groupBlock, s, u);
    else q2kSubBlockQuants(groupBlock, s, u);
    const int64_t b = sb * 8 + s;
    for (int r = 0; r < M; ++r) {
      const uint8_t* xq = job.xq + (m0 + r) * k + b * kInt8BlockElements;
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
                                               _mm256_set1_epi32(job.xHalfNeg[2 * ((m0 + r) * job.blocks + b) + h] * 32));
          acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_mul_ps(_mm256_set1_ps(job.xd[(m0 + r) * job.blocks + b]), scales[h]), acc[r]);
        } else {
          acc[r] = halfStep<kType>(job, _mm256_add_epi16(pairs[0], pairs[1]), (m0 + r) * job.blocks + b, h, scales[h], mins[h], acc[r]);
        }
      }
    }
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // __AVX2__
