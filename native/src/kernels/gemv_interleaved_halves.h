// The int8 GEMV's super-block step for the interleaved types with a scale per 16 elements (Q6_K, Q3_K; the
// decoders: gemv_interleaved_q6k.h, gemv_interleaved_q3k.h): unsigned quants u = q + offset (Q6_K: 32, Q3_K: 4).
#pragma once
#include "kernels/gemv_interleaved_q3k.h"
#include "kernels/gemv_interleaved_q6k.h"

#ifdef __AVX2__
namespace fastfill {
namespace FASTFILL_LEVEL {

// acc[r] += super-block sb of a group against row m0 + r of x: per 16 elements the exact sum of u * xq (vpmaddubsw
// pair sums: two of u <= 63 add up exactly in int16, all four of u <= 7) minus offset * sum xq, then the GEMM's float
// step.
// Q3_K against one row of x, with the same float steps as halvesSuperBlockStep: each qs chunk (shared by 4
// sub-blocks) and hmask chunk (by all 8) is loaded once per 128 elements, and the 8 pair-sum accumulators of those
// 4 sub-blocks stay in registers.
inline void q3kSuperBlockStepOneRow(const GemvInt8Job& job, int64_t m0, int64_t sb, const uint8_t* groupBlock, __m256 (&acc)[1]) {
  const uint8_t* xq = job.xq + m0 * job.args->w.cols + sb * 256;
  const int64_t index0 = m0 * job.blocks + sb * 8;
  const __m256i three = _mm256_set1_epi8(3), four = _mm256_set1_epi8(4), ones = _mm256_set1_epi16(1);
  for (int n = 0; n < 2; ++n) {
    __m256i sums[4][2];
    for (auto& pair : sums) pair[0] = pair[1] = _mm256_setzero_si256();
    const uint8_t* low = groupBlock + kInterleaved3LowOffset + kInterleavedChunkBytes * 8 * n;
    const uint8_t* mask = groupBlock + kInterleaved3MaskOffset;
    for (int j = 0; j < 8; ++j) {
      const __m256i qs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(low + j * kInterleavedChunkBytes));
      const __m256i hm = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(mask + j * kInterleavedChunkBytes));
      // the third bit of sub-block b = 4n + k moved to bit 2 (16-bit shifts: what a byte gets from its neighbour
      // lands outside the masks)
      const __m256i thirds[4] = {
          n == 0 ? _mm256_slli_epi16(hm, 2) : _mm256_srli_epi16(hm, 2), n == 0 ? _mm256_slli_epi16(hm, 1) : _mm256_srli_epi16(hm, 3),
          n == 0 ? hm : _mm256_srli_epi16(hm, 4), n == 0 ? _mm256_srli_epi16(hm, 1) : _mm256_srli_epi16(hm, 5)};
      const __m256i twos[4] = {qs, _mm256_srli_epi16(qs, 2), _mm256_srli_epi16(qs, 4), _mm256_srli_epi16(qs, 6)};
      for (int k = 0; k < 4; ++k) {
        const __m256i u = _mm256_or_si256(_mm256_and_si256(twos[k], three), _mm256_and_si256(thirds[k], four));
        const __m256i x = broadcastFour(xq + 32 * (4 * n + k) + 4 * j);
        sums[k][j / 4] = _mm256_add_epi16(sums[k][j / 4], _mm256_maddubs_epi16(u, x));
      }
    }
    for (int k = 0; k < 4; ++k) {
      const int s = 4 * n + k;
      __m256 scales[2];
      q3kSubBlockScales(groupBlock, s, scales[0], scales[1]);
      const int64_t index = index0 + s;
      const __m256 xd = _mm256_set1_ps(job.xd[index]);
      for (int h = 0; h < 2; ++h) {
        const __m256i dot = _mm256_add_epi32(_mm256_madd_epi16(sums[k][h], ones), _mm256_set1_epi32(job.xHalfNeg[2 * index + h] * 4));
        acc[0] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_mul_ps(xd, scales[h]), acc[0]);
      }
    }
  }
}

template <int32_t kType, int M>
inline void halvesSuperBlockStep(const GemvInt8Job& job, int64_t m0, int64_t sb, const uint8_t* groupBlock, __m256 (&acc)[M]) {
  static_assert(kType == kTypeQ6_K || kType == kTypeQ3_K);
  if constexpr (kType == kTypeQ3_K && M == 1) {
    q3kSuperBlockStepOneRow(job, m0, sb, groupBlock, acc);
    return;
  }
  constexpr int32_t kOffset = kType == kTypeQ6_K ? 32 : 4;
  const int64_t k = job.args->w.cols;
  const __m256i ones = _mm256_set1_epi16(1);
  for (int s = 0; s < 8; ++s) {
    __m256 scales[2];
    __m256i u[8];
    if constexpr (kType == kTypeQ6_K) {
      q6kSubBlockScales(groupBlock, s, scales[0], scales[1]);
      q6kSubBlockQuants(groupBlock, s, u);
    } else {
      q3kSubBlockScales(groupBlock, s, scales[0], scales[1]);
      q3kSubBlockQuants(groupBlock, s, u);
    }
    const int64_t b = sb * 8 + s;
    for (int r = 0; r < M; ++r) {
      const uint8_t* xq = job.xq + (m0 + r) * k + b * kInt8BlockElements;
      const int64_t index = (m0 + r) * job.blocks + b;
      const __m256 xd = _mm256_set1_ps(job.xd[index]);
      for (int h = 0; h < 2; ++h) {
        const int j = 4 * h;
        const __m256i front = _mm256_add_epi16(_mm256_maddubs_epi16(u[j], broadcastFour(xq + 4 * j)),
                                               _mm256_maddubs_epi16(u[j + 1], broadcastFour(xq + 4 * j + 4)));
        const __m256i back = _mm256_add_epi16(_mm256_maddubs_epi16(u[j + 2], broadcastFour(xq + 4 * j + 8)),
                                              _mm256_maddubs_epi16(u[j + 3], broadcastFour(xq + 4 * j + 12)));
        const __m256i sum = kType == kTypeQ3_K ? _mm256_madd_epi16(_mm256_add_epi16(front, back), ones)
                                               : _mm256_add_epi32(_mm256_madd_epi16(front, ones), _mm256_madd_epi16(back, ones));
        const __m256i dot = _mm256_add_epi32(sum, _mm256_set1_epi32(job.xHalfNeg[2 * index + h] * kOffset));
        acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_mul_ps(xd, scales[h]), acc[r]);
      }
    }
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // __AVX2__
