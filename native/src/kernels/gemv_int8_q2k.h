// The int8 GEMV for Q2_K weights (dispatched by gemv_int8.h): 1..5 rows of x (kGemvInt8MaxRows) against the
// super-blocks in their own layout. Q2_K (84 bytes): scales[16] (low nibble sc, high nibble m), qs[64], f16 d, f16
// dmin; element e of sub-block s (16 elements) has quant q in [0, 3] (common/low_bit_blocks.h: q2kQuant) and value
// d * sc_s * q - dmin * m_s. (Prefill: the int8 GEMM, whose Q2_K records hold sc_s * q and the half mins: common/int8_panels.h.)
// Here the sub-block scales multiply in integers (vpmaddwd of the pair sums by sc), and the mins
// meet the activations' half-block sums once per super-block. Per row of x, block b (lane l: 4 elements of sub-block
// s(l)) and super-block (sub-blocks s, halfNeg_s = minus the sum of their xq):
//   acc[b % 2][l] = fma(float(sc_s(l) * sum_lane q * xq), xd_b * d, acc[b % 2][l])
//   mins[s % 8]   = fma(xd_(s / 2) * float(halfNeg_s), dmin * float(m_s), mins[s % 8])
// out = bias + (reduceLanes(acc[0] + acc[1]) + reduceLanes(mins)), the same float steps at every level.
#pragma once
#include "common/low_bit_blocks.h"
#include "kernels/dequantize.h"
#include "kernels/gemv_int8_job.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int64_t kQ2KBytes = 84;

#ifdef __AVX2__
template <int M>
inline void gemvQ2KRowsVec(const GemvInt8Job& job, int64_t m0, int64_t j0, int64_t j1) {
  const MatmulArgs& a = *job.args;
  const int64_t k = a.w.cols;
  const __m256i nibble = _mm256_set1_epi8(0x0F), three = _mm256_set1_epi8(3);
  // vpshufb picks of bytes 0 (low 128 bits) and 1 (high) as int16s; + 2 jb picks sub-blocks 2 jb, 2 jb + 1 (the
  // 0x80 bytes stay >= 0x80: zeros)
  const __m256i pickFirst = _mm256_setr_epi8(0, -128, 0, -128, 0, -128, 0, -128, 0, -128, 0, -128, 0, -128, 0, -128,
                                             1, -128, 1, -128, 1, -128, 1, -128, 1, -128, 1, -128, 1, -128, 1, -128);
  for (int64_t j = j0; j < j1; ++j) {
    const uint8_t* row = a.w.data + static_cast<size_t>(j) * a.w.rowBytes;
    __m256 acc[M][2], mins[M];
    for (int r = 0; r < M; ++r) acc[r][0] = acc[r][1] = mins[r] = _mm256_setzero_ps();
    for (int64_t first = 0; first < job.blocks; first += 8) {
      const uint8_t* block = row + (first / 8) * kQ2KBytes;
      prefetchWeightsAhead(block, kQ2KBytes);
      const __m256i packed = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block)));
      const __m256i sc = _mm256_and_si256(packed, nibble);
      const float d = loadHalf(block + 80), dmin = loadHalf(block + 82);
      // dmin * m of sub-blocks 0-7 and 8-15
      const __m128i m = _mm_and_si128(_mm_srli_epi16(_mm256_castsi256_si128(packed), 4), _mm_set1_epi8(0x0F));
      const __m256 minLo = _mm256_mul_ps(_mm256_set1_ps(dmin), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(m)));
      const __m256 minHi = _mm256_mul_ps(_mm256_set1_ps(dmin), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(m, 8))));
      for (int r = 0; r < M; ++r) {
        const int64_t xRow = m0 + r;
        const __m256 xd = _mm256_loadu_ps(job.xd + xRow * job.blocks + first);
        const int32_t* halfNeg = job.xHalfNeg + 2 * (xRow * job.blocks + first);
        const __m256 xdLo = _mm256_permutevar8x32_ps(xd, _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3));
        const __m256 xdHi = _mm256_permutevar8x32_ps(xd, _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7));
        const __m256 sumLo = _mm256_cvtepi32_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(halfNeg)));
        const __m256 sumHi = _mm256_cvtepi32_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(halfNeg + 8)));
        mins[r] = _mm256_fmadd_ps(_mm256_mul_ps(xdLo, sumLo), minLo, mins[r]);
        mins[r] = _mm256_fmadd_ps(_mm256_mul_ps(xdHi, sumHi), minHi, mins[r]);
      }
      for (int n = 0; n < 2; ++n) {
        const __m256i qs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 16 + 32 * n));
        for (int pair = 0; pair < 4; ++pair) {
          const int jb = 4 * n + pair;
          const int64_t b = first + jb;
          // 16-bit shifts: the bits a byte gets from its neighbour land outside the mask
          const __m256i u = _mm256_and_si256(_mm256_srl_epi16(qs, _mm_cvtsi32_si128(2 * pair)), three);
          // int16 sc of sub-block 2 jb in the low 128 bits, of 2 jb + 1 in the high ones (zero high bytes)
          const __m256i scales = _mm256_shuffle_epi8(sc, _mm256_add_epi8(pickFirst, _mm256_set1_epi8(static_cast<char>(2 * jb))));
          for (int r = 0; r < M; ++r) {
            const int64_t xRow = m0 + r;
            const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(job.xq + xRow * k + b * kInt8BlockElements));
            const __m256i scaled = _mm256_madd_epi16(_mm256_maddubs_epi16(u, x), scales);
            const __m256 step = _mm256_set1_ps(job.xd[xRow * job.blocks + b] * d);
            acc[r][b % 2] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(scaled), step, acc[r][b % 2]);
          }
        }
      }
    }
    for (int r = 0; r < M; ++r) {
      storeLaneSum(a, m0 + r, j, reduceLanesVec(_mm256_add_ps(acc[r][0], acc[r][1])) + reduceLanesVec(mins[r]));
    }
  }
}
#endif

inline void gemvQ2KRowPlain(const GemvInt8Job& job, int64_t j) {
  const MatmulArgs& a = *job.args;
  const int64_t k = a.w.cols;
  const uint8_t* row = a.w.data + static_cast<size_t>(j) * a.w.rowBytes;
  for (int64_t r = 0; r < a.m; ++r) {
    float acc[2][kGemvInt8Lanes] = {}, mins[kGemvInt8Lanes] = {};
    for (int64_t first = 0; first < job.blocks; first += 8) {
      const uint8_t* block = row + (first / 8) * kQ2KBytes;
      const float d = loadHalf(block + 80), dmin = loadHalf(block + 82);
      for (int s = 0; s < 16; ++s) {
        const float xd = job.xd[r * job.blocks + first + s / 2];
        const int32_t halfNeg = job.xHalfNeg[2 * (r * job.blocks + first) + s];
        mins[s % 8] = fmaf(xd * static_cast<float>(halfNeg), dmin * static_cast<float>(block[s] >> 4), mins[s % 8]);
      }
      for (int jb = 0; jb < 8; ++jb) {
        const int64_t b = first + jb;
        const int8_t* xq = reinterpret_cast<const int8_t*>(job.xq + r * k + b * kInt8BlockElements);
        scaledLanesStep(acc[b % 2], xq, jb, job.xd[r * job.blocks + b] * d, [&](int e) { return q2kQuant(block, e); },
                        [&](int s) { return block[s] & 0xF; });
      }
    }
    storeLaneSum(a, r, j, reduceBlockPairs(acc) + reduceLanes(mins));
  }
}

inline void gemvQ2KItem(const GemvInt8Job& job, int64_t j0, int64_t j1) {
#ifdef __AVX2__
  forEachRowPass(job.args->m, [&](int64_t m0, auto M) { gemvQ2KRowsVec<decltype(M)::value>(job, m0, j0, j1); });
#else
  for (int64_t j = j0; j < j1; ++j) gemvQ2KRowPlain(job, j);
#endif
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
