// Q3_K on interleaved super-blocks (common/interleaved_blocks.h) with AVX2: the decoding the int8 GEMV's group loop
// (gemv_interleaved_halves.h) shares with the GEMM's record packer (interleaved_records.h). Sub-block b of 32 (n = b / 4,
// k = b % 4) takes element l's two low bits from bits 2k, 2k + 1 of qs byte 32 n + l and its third from bit b of hmask
// byte l: u = q + 4 in [0, 7] (common/low_bit_blocks.h: q3kQuant); scale d * (sc - 32) per 16 elements.
#pragma once
#include "common/interleaved_blocks.h"
#include "kernels/gemv_int8_job.h"

#ifdef __AVX2__
namespace fastfill {
namespace FASTFILL_LEVEL {

// The 8 rows' scales d * (sc_j - 32) of elements 0-15 (first, j = 2b) and 16-31 (second, j = 2b + 1) of sub-block b
// (q3kScale's fields: nibble j / 8 of byte j % 8, bits 2 (j / 4), +1 of byte 8 + j % 4 on top).
inline void q3kSubBlockScales(const uint8_t* groupBlock, int b, __m256& first, __m256& second) {
  const uint8_t* chunks = groupBlock + kInterleaved3ScalesOffset;
  const __m256i top = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunks + 2 * kInterleavedChunkBytes));
  const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(groupBlock)));
  __m256* out[2] = {&first, &second};
  for (int h = 0; h < 2; ++h) {
    const int j = 2 * b + h;
    const __m256i lowChunk = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunks + kInterleavedChunkBytes * ((j % 8) / 4)));
    const __m256i low = _mm256_and_si256(_mm256_srl_epi32(lowChunk, _mm_cvtsi32_si128(8 * (j % 4) + 4 * (j / 8))), _mm256_set1_epi32(15));
    const __m256i high = _mm256_and_si256(_mm256_srl_epi32(top, _mm_cvtsi32_si128(8 * (j % 4) + 2 * (j / 4))), _mm256_set1_epi32(3));
    const __m256i sc = _mm256_sub_epi32(_mm256_or_si256(low, _mm256_slli_epi32(high, 4)), _mm256_set1_epi32(32));
    *out[h] = _mm256_mul_ps(d, _mm256_cvtepi32_ps(sc));
  }
}

// The unsigned quants u = q + 4 (0..7) of sub-block b, 4 elements of the 8 rows per vector.
inline void q3kSubBlockQuants(const uint8_t* groupBlock, int b, __m256i (&u)[8]) {
  const uint8_t* low = groupBlock + kInterleaved3LowOffset + kInterleavedChunkBytes * 8 * (b / 4);
  const uint8_t* mask = groupBlock + kInterleaved3MaskOffset;
  const __m128i lowShift = _mm_cvtsi32_si128(2 * (b % 4)), maskShift = _mm_cvtsi32_si128(b);
  for (int j = 0; j < 8; ++j) {
    const __m256i qs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(low + j * kInterleavedChunkBytes));
    const __m256i hm = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(mask + j * kInterleavedChunkBytes));
    // 16-bit shifts: the bits a byte gets from its neighbour land outside the masks
    const __m256i two = _mm256_and_si256(_mm256_srl_epi16(qs, lowShift), _mm256_set1_epi8(3));
    const __m256i third = _mm256_and_si256(_mm256_srl_epi16(hm, maskShift), _mm256_set1_epi8(1));
    u[j] = _mm256_or_si256(two, _mm256_slli_epi16(third, 2));
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // __AVX2__
