// Q2_K on interleaved super-blocks (common/interleaved_blocks.h): the int8 GEMV's decoding and sub-block step (its
// loops: gemv_interleaved_halves.h) and its plain loop. Sub-block s of 32 (n = s / 4, k = s % 4) takes element l's
// quant u in [0, 3] from bits 2k, 2k + 1 of qs byte 32 n + l (common/low_bit_blocks.h: q2kQuant, Q3_K's low bits);
// the half h (16 elements) has scale d * sc_j and min dmin * m_j, j = 2s + h, from the low and high nibble of scale
// byte j. Per sub-block and row of x (block b of the activations, P_h the sum of u * xq over half h, halfNeg_h minus
// the sum of its xq), in integers, then two float steps:
//   dot = sc_2s * P_0 + sc_2s+1 * P_1,  minDot = m_2s * halfNeg_0 + m_2s+1 * halfNeg_1
//   acc = fma(float(dot), xd_b * d, acc);  acc = fma(float(minDot), xd_b * dmin, acc)
// from the bias, super-blocks and sub-blocks in order: the same float steps at every level. (|P_h| <= 6,096 and
// |halfNeg_h| <= 2,032: every product and sum is exact in int32, the halves' pair sums in int16.)
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
        int32_t dot = 0, minDot = 0;
        for (int h = 0; h < 2; ++h) {
          int32_t half = 0;
          for (int l = 16 * h; l < 16 * h + 16; ++l) half += q2kQuant(block, 32 * s + l) * xq[(sb * 8 + s) * kInt8BlockElements + l];
          const uint8_t scale = block[2 * s + h];
          dot += (scale & 0xF) * half;
          minDot += (scale >> 4) * job.xHalfNeg[2 * index + h];
        }
        acc = fmaf(static_cast<float>(dot), job.xd[index] * d, acc);
        acc = fmaf(static_cast<float>(minDot), job.xd[index] * dmin, acc);
      }
    }
    return acc;
  });
}

#ifdef __AVX2__
// Sub-block s's integer scales and mins of the 8 rows: sc_2s in both int16 halves of each row's dword (first), sc_2s+1
// (second), (m_2s, m_2s+1) (mins); and d, dmin.
struct Q2KScalePairs {
  __m256i first, second, mins;
  __m256 d, dmin;
};

inline Q2KScalePairs q2kScalePairs(const uint8_t* groupBlock, int s) {
  const __m256i chunk = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(groupBlock + kInterleaved2ScalesOffset + kInterleavedChunkBytes * (s / 2)));
  // vpshufb picks of scale bytes 2 (s % 2) (+ 1) of each row's dword into its int16 halves (the 0x80 bytes stay
  // >= 0x80 after the adds: zeros)
  const __m256i both = _mm256_setr_epi8(0, -128, 0, -128, 4, -128, 4, -128, 8, -128, 8, -128, 12, -128, 12, -128,
                                        0, -128, 0, -128, 4, -128, 4, -128, 8, -128, 8, -128, 12, -128, 12, -128);
  const __m256i each = _mm256_setr_epi8(0, -128, 1, -128, 4, -128, 5, -128, 8, -128, 9, -128, 12, -128, 13, -128,
                                        0, -128, 1, -128, 4, -128, 5, -128, 8, -128, 9, -128, 12, -128, 13, -128);
  const __m256i byte = _mm256_set1_epi8(static_cast<char>(2 * (s % 2))), nibble = _mm256_set1_epi16(0x0F);
  const __m256i first = _mm256_add_epi8(both, byte);
  Q2KScalePairs out;
  out.first = _mm256_and_si256(_mm256_shuffle_epi8(chunk, first), nibble);
  out.second = _mm256_and_si256(_mm256_shuffle_epi8(chunk, _mm256_add_epi8(first, _mm256_set1_epi8(1))), nibble);
  out.mins = _mm256_srli_epi16(_mm256_shuffle_epi8(chunk, _mm256_add_epi8(each, byte)), 4);
  out.d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(groupBlock)));
  out.dmin = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(groupBlock + 16)));
  return out;
}

// acc (the 8 rows' outputs) after a sub-block against activation block `index` of one row of x, pairs[h] the int16
// pair sums of half h.
inline __m256 q2kSubBlockStep(const GemvInt8Job& job, const Q2KScalePairs& scales, int64_t index, const __m256i (&pairs)[2], __m256 acc) {
  const __m256i dot = _mm256_add_epi32(_mm256_madd_epi16(pairs[0], scales.first), _mm256_madd_epi16(pairs[1], scales.second));
  // (halfNeg_0, halfNeg_1) as int16s in every dword
  const __m128i halfNeg = _mm_packs_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(job.xHalfNeg + 2 * index)), _mm_setzero_si128());
  const __m256i minDot = _mm256_madd_epi16(scales.mins, _mm256_broadcastd_epi32(halfNeg));
  const __m256 xd = _mm256_set1_ps(job.xd[index]);
  acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), _mm256_mul_ps(xd, scales.d), acc);
  return _mm256_fmadd_ps(_mm256_cvtepi32_ps(minDot), _mm256_mul_ps(xd, scales.dmin), acc);
}

// The quants u (0..3) of elements 4j..4j+3 of sub-blocks 4n..4n+3 (qs chunk j of half n).
inline void q2kQuadQuants(const uint8_t* groupBlock, int n, int j, __m256i (&u)[4]) {
  const __m256i qs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(groupBlock + kInterleaved2LowOffset + kInterleavedChunkBytes * (8 * n + j)));
  for (int k = 0; k < 4; ++k) u[k] = _mm256_and_si256(_mm256_srli_epi16(qs, 2 * k), _mm256_set1_epi8(3));
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
