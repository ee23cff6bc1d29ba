// The int8 GEMV for Q3_K weights (dispatched by gemv_int8.h): 1..5 rows of x (kGemvInt8MaxRows) against the
// super-blocks in their own layout. Q3_K (110 bytes): hmask[32], qs[64], 12 bytes of 6-bit scales, f16 d; element e
// of sub-block s (16 elements) has quant q in [-4, 3] (common/low_bit_blocks.h: q3kQuant) and value d * (sc_s - 32) *
// q. vpmaddubsw wants an unsigned operand, so |q| meets the activations with q's sign moved onto them; the sub-block
// scales multiply the pair sums in integers (vpmaddwd). Per row of x and block b (lane l: 4 elements of sub-block
// s(l)):
//   acc[b % 2][l] = fma(float((sc_s(l) - 32) * sum_lane q * xq), xd_b * d, acc[b % 2][l])
// out = bias + reduceLanes(acc[0] + acc[1]), the same float steps at every level.
#pragma once
#include <cstring>

#include "common/low_bit_blocks.h"
#include "kernels/dequantize.h"
#include "kernels/gemv_int8_job.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int64_t kQ3KBytes = 110;

// The 16 sub-blocks' sc - 32 of a Q3_K block.
inline void q3kSignedScales(const uint8_t* block, int16_t (&scales)[16]) {
  for (int s = 0; s < 16; ++s) scales[s] = static_cast<int16_t>(q3kScale(block + 96, s) - 32);
}

#ifdef __AVX2__
// The 16 sub-blocks' sc - 32 as int16s (q3kSignedScales with vectors): low nibbles from bytes 0-7 (sub-blocks
// 0-7, then their high nibbles 8-15), top bits from bytes 8-11 (dword lane g of their broadcast, shifted by 2 g,
// serves sub-blocks 4 g .. 4 g + 3).
inline __m256i q3kSignedScalesVec(const uint8_t* block) {
  uint8_t packed[16] = {};
  std::memcpy(packed, block + 96, 12);
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(packed));
  const __m128i nibble = _mm_set1_epi8(0x0F);
  const __m128i low = _mm_unpacklo_epi64(_mm_and_si128(v, nibble), _mm_and_si128(_mm_srli_epi16(v, 4), nibble));
  const __m128i top = _mm_srlv_epi32(_mm_shuffle_epi32(v, 0xAA), _mm_setr_epi32(0, 2, 4, 6));
  const __m128i bytes = _mm_sub_epi8(_mm_or_si128(low, _mm_slli_epi16(_mm_and_si128(top, _mm_set1_epi8(3)), 4)), _mm_set1_epi8(32));
  return _mm256_cvtepi8_epi16(bytes);
}

template <int M>
inline void gemvQ3KRowsVec(const GemvInt8Job& job, int64_t m0, int64_t j0, int64_t j1) {
  const MatmulArgs& a = *job.args;
  const int64_t k = a.w.cols;
  const __m256i three = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1), four = _mm256_set1_epi8(4);
  const __m256i pickPair = _mm256_setr_epi8(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3);
  for (int64_t j = j0; j < j1; ++j) {
    const uint8_t* row = a.w.data + static_cast<size_t>(j) * a.w.rowBytes;
    __m256 acc[M][2];
    for (int r = 0; r < M; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (int64_t first = 0; first < job.blocks; first += 8) {
      const uint8_t* block = row + (first / 8) * kQ3KBytes;
      prefetchWeightsAhead(block, kQ3KBytes);
      const __m256i scales = q3kSignedScalesVec(block);
      // sub-blocks 0-7 (8-15) in both 128-bit halves, for the per-block picks below
      const __m256i scaleHalves[2] = {_mm256_permute2x128_si256(scales, scales, 0x00), _mm256_permute2x128_si256(scales, scales, 0x11)};
      const float d = loadHalf(block + 108);
      const __m256i hmask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block));
      for (int n = 0; n < 2; ++n) {
        const __m256i qs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 32 + 32 * n));
        for (int pair = 0; pair < 4; ++pair) {
          const int jb = 4 * n + pair;
          const int64_t b = first + jb;
          // 16-bit shifts: the bits a byte gets from its neighbour land outside the masks
          const __m256i low = _mm256_and_si256(_mm256_srl_epi16(qs, _mm_cvtsi32_si128(2 * pair)), three);
          const __m256i high = _mm256_and_si256(_mm256_srl_epi16(hmask, _mm_cvtsi32_si128(jb)), one);
          const __m256i q = _mm256_sub_epi8(_mm256_or_si256(low, _mm256_slli_epi16(high, 2)), four);
          const __m256i magnitudes = _mm256_abs_epi8(q);
          // int16 sc - 32 of sub-block 2 jb in the low 128 bits, of 2 jb + 1 in the high ones
          const __m256i blockScales = _mm256_shuffle_epi8(scaleHalves[n], _mm256_add_epi8(pickPair, _mm256_set1_epi8(static_cast<char>(4 * pair))));
          for (int r = 0; r < M; ++r) {
            const int64_t xRow = m0 + r;
            const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(job.xq + xRow * k + b * kInt8BlockElements));
            const __m256i scaled = _mm256_madd_epi16(_mm256_maddubs_epi16(magnitudes, _mm256_sign_epi8(x, q)), blockScales);
            const __m256 step = _mm256_set1_ps(job.xd[xRow * job.blocks + b] * d);
            acc[r][b % 2] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(scaled), step, acc[r][b % 2]);
          }
        }
      }
    }
    for (int r = 0; r < M; ++r) storeLaneSum(a, m0 + r, j, reduceLanesVec(_mm256_add_ps(acc[r][0], acc[r][1])));
  }
}
#endif

inline void gemvQ3KRowPlain(const GemvInt8Job& job, int64_t j) {
  const MatmulArgs& a = *job.args;
  const int64_t k = a.w.cols;
  const uint8_t* row = a.w.data + static_cast<size_t>(j) * a.w.rowBytes;
  for (int64_t r = 0; r < a.m; ++r) {
    float acc[2][kGemvInt8Lanes] = {};
    for (int64_t first = 0; first < job.blocks; first += 8) {
      const uint8_t* block = row + (first / 8) * kQ3KBytes;
      int16_t scales[16];
      q3kSignedScales(block, scales);
      const float d = loadHalf(block + 108);
      for (int jb = 0; jb < 8; ++jb) {
        const int64_t b = first + jb;
        const int8_t* xq = reinterpret_cast<const int8_t*>(job.xq + r * k + b * kInt8BlockElements);
        scaledLanesStep(acc[b % 2], xq, jb, job.xd[r * job.blocks + b] * d, [&](int e) { return q3kQuant(block, e); },
                        [&](int s) { return static_cast<int32_t>(scales[s]); });
      }
    }
    storeLaneSum(a, r, j, reduceBlockPairs(acc));
  }
}

inline void gemvQ3KItem(const GemvInt8Job& job, int64_t j0, int64_t j1) {
#ifdef __AVX2__
  forEachRowPass(job.args->m, [&](int64_t m0, auto M) { gemvQ3KRowsVec<decltype(M)::value>(job, m0, j0, j1); });
#else
  for (int64_t j = j0; j < j1; ++j) gemvQ3KRowPlain(job, j);
#endif
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
