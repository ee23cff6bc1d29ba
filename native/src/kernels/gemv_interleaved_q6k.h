// Q6_K on interleaved super-blocks (common/interleaved_blocks.h) with AVX2: the decoding the int8 GEMV's group loop
// (gemv_interleaved_halves.h) shares with the GEMM's record packer (interleaved_records.h).
// Sub-block b of 32 (half n = b / 4, k = b % 4) takes element l's low 4 bits from nibble k / 2 of ql byte
// 64 n + 32 (k % 2) + l and bits 4-5 from bits 2k, 2k + 1 of qh byte 32 n + l (q - 32, scale d * sc per 16).
#pragma once
#include "common/interleaved_blocks.h"
#include "kernels/gemv_int8_job.h"
#include "kernels/sub_block_index.h"

#ifdef __AVX2__
namespace fastfill {
namespace FASTFILL_LEVEL {

// The 8 rows' scales d * sc of elements 0-15 (first) and 16-31 (second) of sub-block b.
inline void q6kSubBlockScales(const uint8_t* groupBlock, int b, __m256& first, __m256& second) {
  const __m256i chunk = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(groupBlock + kInterleaved6ScalesOffset + 32 * (b / 2)));
  const int byte = 2 * (b % 2);  // scale 2b of a row is byte 2b % 4 of its dword, scale 2b + 1 the next
  const auto signedByte = [&](int i) {
    return _mm256_srai_epi32(_mm256_sll_epi32(chunk, _mm_cvtsi32_si128(24 - 8 * i)), 24);
  };
  const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(groupBlock)));
  first = _mm256_mul_ps(d, _mm256_cvtepi32_ps(signedByte(byte)));
  second = _mm256_mul_ps(d, _mm256_cvtepi32_ps(signedByte(byte + 1)));
}

// The unsigned quants u = q + 32 (0..63) of sub-block b, 4 elements of the 8 rows per vector.
// b: an int, or a SubBlock constant (sub_block_index.h).
template <class Index>
inline void q6kSubBlockQuants(const uint8_t* groupBlock, Index b, __m256i (&u)[8]) {
  const int n = b / 4, k = b % 4;
  const uint8_t* low = groupBlock + kInterleaved6LowOffset + kInterleavedChunkBytes * (16 * n + 8 * (k % 2));
  const uint8_t* high = groupBlock + kInterleaved6HighOffset + kInterleavedChunkBytes * 8 * n;
  const __m256i mask = _mm256_set1_epi8(0x0F), bits = _mm256_set1_epi8(static_cast<char>(3 << (2 * k)));
  for (int j = 0; j < 8; ++j) {
    const __m256i ql = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(low + j * kInterleavedChunkBytes));
    const __m256i qh = _mm256_and_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(high + j * kInterleavedChunkBytes)), bits);
    // bits 2k, 2k + 1 of each byte to bits 4, 5 (masked first, so nothing crosses a byte)
    const __m256i top = k < 2 ? _mm256_slli_epi16(qh, 4 - 2 * k) : k == 2 ? qh : _mm256_srli_epi16(qh, 2);
    u[j] = _mm256_or_si256(_mm256_and_si256(k < 2 ? ql : _mm256_srli_epi16(ql, 4), mask), top);
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // __AVX2__
