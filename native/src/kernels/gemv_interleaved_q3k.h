// Q3_K on interleaved super-blocks (common/interleaved_blocks.h) with AVX2: the decoding the int8 GEMV's group loop
// (gemv_interleaved_halves.h) shares with the GEMM's record packer (interleaved_records.h). Sub-block b of 32 takes
// the unsigned quants u = q + 4 in [0, 7] (common/low_bit_blocks.h: q3kQuant) of elements 4j..4j+3 from triple
// chunks 3j..3j+2; scale d * (sc - 32) per 16 elements.
#pragma once
#include "common/interleaved_blocks.h"
#include "kernels/gemv_int8_job.h"
#include "kernels/sub_block_index.h"

#ifdef __AVX2__
namespace fastfill {
namespace FASTFILL_LEVEL {

// The three triple chunks of element quad j.
struct Q3KTriples {
  __m256i t[3];
};

inline Q3KTriples q3kTriplesAt(const uint8_t* groupBlock, int j) {
  const uint8_t* chunks = groupBlock + kInterleaved3TriplesOffset + 3 * kInterleavedChunkBytes * j;
  Q3KTriples out;
  for (int i = 0; i < 3; ++i) out.t[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunks + i * kInterleavedChunkBytes));
  return out;
}

// u of sub-block b from its quad's triples. 16-bit shifts: the bits a byte gets from its neighbour land outside
// the masks.
template <int b>
inline __m256i q3kTripleQuant(const Q3KTriples& q) {
  if constexpr (b == 2 || b == 5) {
    const __m256i low = _mm256_and_si256(_mm256_srli_epi16(q.t[b / 3], 6), _mm256_set1_epi8(3));
    const __m256i third = _mm256_srli_epi16(q.t[2], b == 2 ? 4 : 5);
    return _mm256_or_si256(low, _mm256_and_si256(third, _mm256_set1_epi8(4)));
  } else {
    return _mm256_and_si256(_mm256_srli_epi16(q.t[b / 3], 3 * (b % 3)), _mm256_set1_epi8(7));
  }
}

// u of sub-blocks 4n..4n+3.
template <int n>
inline void q3kQuadQuants(const Q3KTriples& q, __m256i (&u)[4]) {
  u[0] = q3kTripleQuant<4 * n>(q);
  u[1] = q3kTripleQuant<4 * n + 1>(q);
  u[2] = q3kTripleQuant<4 * n + 2>(q);
  u[3] = q3kTripleQuant<4 * n + 3>(q);
}

// The scales sc - 32 of 16-element runs 4g..4g+3 as int8s, run 4g + k in byte k of each row's dword (q3kScale's
// fields: nibble g / 2 of packed byte 4 (g % 2) + k, bits 2g, 2g + 1 of byte 8 + k on top).
inline __m256i q3kScaleBytes(const uint8_t* groupBlock, int g) {
  const uint8_t* chunks = groupBlock + kInterleaved3ScalesOffset;
  const __m256i packed = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunks + kInterleavedChunkBytes * (g % 2)));
  const __m256i top = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunks + 2 * kInterleavedChunkBytes));
  // 16-bit shifts, as above
  const __m256i low = _mm256_and_si256(_mm256_srl_epi16(packed, _mm_cvtsi32_si128(4 * (g / 2))), _mm256_set1_epi8(0x0F));
  const __m256i high = _mm256_slli_epi16(_mm256_and_si256(_mm256_srl_epi16(top, _mm_cvtsi32_si128(2 * g)), _mm256_set1_epi8(3)), 4);
  return _mm256_sub_epi8(_mm256_or_si256(low, high), _mm256_set1_epi8(32));
}

// The 8 rows' d * (sc - 32) of byte k of q3kScaleBytes.
inline __m256 q3kScaleOf(__m256i scaleBytes, int k, __m256 d) {
  const __m256i sc = _mm256_srai_epi32(_mm256_sll_epi32(scaleBytes, _mm_cvtsi32_si128(24 - 8 * k)), 24);
  return _mm256_mul_ps(d, _mm256_cvtepi32_ps(sc));
}

// The 8 rows' scales of elements 0-15 (first, run 2b) and 16-31 (second, run 2b + 1) of sub-block b.
inline void q3kSubBlockScales(const uint8_t* groupBlock, int b, __m256& first, __m256& second) {
  const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(groupBlock)));
  const __m256i bytes = q3kScaleBytes(groupBlock, b / 2);
  first = q3kScaleOf(bytes, 2 * (b % 2), d);
  second = q3kScaleOf(bytes, 2 * (b % 2) + 1, d);
}

// The unsigned quants u = q + 4 (0..7) of sub-block b, 4 elements of the 8 rows per vector.
template <int b>
inline void q3kSubBlockQuantsOf(const uint8_t* groupBlock, __m256i (&u)[8]) {
  for (int j = 0; j < 8; ++j) u[j] = q3kTripleQuant<b>(q3kTriplesAt(groupBlock, j));
}

inline void q3kSubBlockQuants(const uint8_t* groupBlock, int b, __m256i (&u)[8]) {
  withSubBlock(b, [&](auto B) { q3kSubBlockQuantsOf<decltype(B)::value>(groupBlock, u); });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // __AVX2__
