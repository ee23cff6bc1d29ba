// Q2_K on interleaved super-blocks (common/interleaved_blocks.h): the int8 GEMV's decoding (its steps:
// gemv_interleaved_halves.h) and its plain loop. Sub-block s of 32 (n = s / 4, k = s % 4) takes element l's quant
// u in [0, 3] from bits 2k, 2k + 1 of qs byte 32 n + l (common/low_bit_blocks.h: q2kQuant, Q3_K's low bits); the
// half h (16 elements) has scale d * sc_j and min dmin * m_j, j = 2s + h, from the low and high nibble of scale
// byte j. Per half and row of x (halfNeg: minus the sum of the half's xq):
//   acc = fma(float(sum u * xq), xd * (d * sc_j), acc)
//   acc = fma(xd * float(halfNeg), dmin * m_j, acc)
// from the bias, super-blocks and sub-blocks in order: the same float steps at every level.
#pragma once
#include <cstring>

#include "common/interleaved_blocks.h"
#include "common/low_bit_blocks.h"
#include "kernels/dequantize.h"
#include "kernels/gemv_int8_job.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

// Every output of group `group` against every row of x, a row's block at a time (interleavedRowBlock).
inline void gemvInterleavedQ2KPlain(const GemvInt8Job& job, int64_t group) {
  const MatmulArgs& a = *job.args;
  forEachGroupOutput(job, group, [&](int64_t r, int64_t j, float acc) {
    const int8_t* xq = reinterpret_cast<const int8_t*>(job.xq + r * a.w.cols);
    for (int64_t sb = 0; sb < a.w.cols / 256; ++sb) {
      uint8_t block[84];
      interleavedRowBlock(a.w, j, sb, block);
      const float d = loadHalf(block + 80), dmin = loadHalf(block + 82);
      for (int s = 0; s < 8; ++s) {
        const int64_t index = r * job.blocks + sb * 8 + s;
        for (int h = 0; h < 2; ++h) {
          int32_t dot = 0;
          for (int l = 16 * h; l < 16 * h + 16; ++l) dot += q2kQuant(block, 32 * s + l) * xq[(sb * 8 + s) * kInt8BlockElements + l];
          const uint8_t scale = block[2 * s + h];
          acc = fmaf(static_cast<float>(dot), job.xd[index] * (d * static_cast<float>(scale & 0xF)), acc);
          acc = fmaf(job.xd[index] * static_cast<float>(job.xHalfNeg[2 * index + h]), dmin * static_cast<float>(scale >> 4), acc);
        }
      }
    }
    return acc;
  });
}

#ifdef __AVX2__
// The 8 rows' scales d * sc_j and mins dmin * m_j of the halves (j = 2s, 2s + 1) of sub-block s.
inline void q2kSubBlockScales(const uint8_t* groupBlock, int s, __m256 (&scales)[2], __m256 (&mins)[2]) {
  const __m256i chunk = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(groupBlock + kInterleaved2ScalesOffset + kInterleavedChunkBytes * (s / 2)));
  const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(groupBlock)));
  const __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(groupBlock + 16)));
  const __m256i nibble = _mm256_set1_epi32(15);
  for (int h = 0; h < 2; ++h) {
    const int shift = 8 * ((2 * s + h) % 4);  // scale byte j is byte j % 4 of chunk j / 4
    const __m256i sc = _mm256_and_si256(_mm256_srl_epi32(chunk, _mm_cvtsi32_si128(shift)), nibble);
    const __m256i m = _mm256_and_si256(_mm256_srl_epi32(chunk, _mm_cvtsi32_si128(shift + 4)), nibble);
    scales[h] = _mm256_mul_ps(d, _mm256_cvtepi32_ps(sc));
    mins[h] = _mm256_mul_ps(dmin, _mm256_cvtepi32_ps(m));
  }
}

// The quants u (0..3) of sub-block s, 4 elements of the 8 rows per vector.
inline void q2kSubBlockQuants(const uint8_t* groupBlock, int s, __m256i (&u)[8]) {
  const uint8_t* low = groupBlock + kInterleaved2LowOffset + kInterleavedChunkBytes * 8 * (s / 4);
  const __m128i shift = _mm_cvtsi32_si128(2 * (s % 4));
  for (int j = 0; j < 8; ++j) {
    const __m256i qs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(low + j * kInterleavedChunkBytes));
    u[j] = _mm256_and_si256(_mm256_srl_epi16(qs, shift), _mm256_set1_epi8(3));
  }
}
#endif

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
