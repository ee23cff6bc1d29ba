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
template <int32_t kType, int M>
inline void halvesSuperBlockStep(const GemvInt8Job& job, int64_t m0, int64_t sb, const uint8_t* groupBlock, __m256 (&acc)[M]) {
  static_assert(kType == kTypeQ6_K || kType == kTypeQ3_K);
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
