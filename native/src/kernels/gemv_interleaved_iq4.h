// IQ4_NL and IQ4_XS on interleaved blocks (common/interleaved_blocks.h) with AVX2: the decoding the int8 GEMV's group
// loop (gemv_interleaved.h) shares with the GEMM's record packer (interleaved_records.h), and IQ4_XS's super-block
// step. A nibble's int8 level comes from one vpshufb; the levels are signed and up to 127 in size, so they meet the
// activations as Q8_0's quants do (signedBlockDots).
#pragma once
#include "common/interleaved_blocks.h"
#include "common/low_bit_blocks.h"
#include "kernels/gemv_int8_job.h"

#ifdef __AVX2__
namespace fastfill {
namespace FASTFILL_LEVEL {

// The int8 levels of one 32-element block's 4 nibble chunks (IQ4_NL's group block, or IQ4_XS's block s): w[j] chunk
// j's low nibbles (elements 4j..4j+3 of the 8 rows), w[4 + j] its high nibbles (elements 16 + 4j..).
inline void iq4ChunkLevels(const uint8_t* chunks, __m256i (&w)[8]) {
  const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4Levels)));
  const __m256i mask = _mm256_set1_epi8(0x0F);
  for (int j = 0; j < 4; ++j) {
    const __m256i chunk = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunks + j * kInterleavedChunkBytes));
    w[j] = _mm256_shuffle_epi8(table, _mm256_and_si256(chunk, mask));
    w[4 + j] = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(chunk, 4), mask));
  }
}

// The nibble chunks of IQ4_XS block s (of 32) in a group block.
inline const uint8_t* iq4xsChunks(const uint8_t* groupBlock, int s) {
  return groupBlock + kInterleavedXsNibblesOffset + 4 * kInterleavedChunkBytes * s;
}

// The 8 rows' scales d * (sc_s - 32) of IQ4_XS block s (common/low_bit_blocks.h: iq4xsScale): nibble s of the
// scales_l dword, bits 2s, 2s + 1 of scales_h on top.
inline __m256 iq4xsBlockScales(const uint8_t* groupBlock, int s) {
  const __m256i low = _mm256_and_si256(_mm256_srl_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(groupBlock + kInterleavedXsLowOffset)),
                                                        _mm_cvtsi32_si128(4 * s)), _mm256_set1_epi32(15));
  const __m256i high16 = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(groupBlock + kInterleavedXsHighOffset)));
  const __m256i high = _mm256_and_si256(_mm256_srl_epi32(high16, _mm_cvtsi32_si128(2 * s)), _mm256_set1_epi32(3));
  const __m256i sc = _mm256_sub_epi32(_mm256_or_si256(low, _mm256_slli_epi32(high, 4)), _mm256_set1_epi32(32));
  const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(groupBlock)));
  return _mm256_mul_ps(d, _mm256_cvtepi32_ps(sc));
}

// dot[r] = the exact dot products of 8 vectors of signed weights w (w[j]: elements 4j..4j+3 of 8 rows) with block b
// of rows m0 + r of x: |w| against x with w's sign (vpmaddubsw pairs <= 2 * 127 * 127, exact in int16), widened
// with vpmaddwd before adding.
template <int M>
inline void signedBlockDots(const GemvInt8Job& job, int64_t m0, int64_t b, const __m256i (&w)[8], __m256i (&dot)[M]) {
  const int64_t k = job.args->w.cols;
  __m256i magnitude[8];
  for (int j = 0; j < 8; ++j) magnitude[j] = _mm256_abs_epi8(w[j]);
  const __m256i ones = _mm256_set1_epi16(1);
  for (int r = 0; r < M; ++r) {
    const uint8_t* xq = job.xq + (m0 + r) * k + b * kInt8BlockElements;
    __m256i sum = _mm256_setzero_si256();
    for (int j = 0; j < 8; ++j) {
      const __m256i pairs = _mm256_maddubs_epi16(magnitude[j], _mm256_sign_epi8(broadcastFour(xq + 4 * j), w[j]));
      sum = _mm256_add_epi32(sum, _mm256_madd_epi16(pairs, ones));
    }
    dot[r] = sum;
  }
}

// acc[r] (the 8 rows' outputs for row m0 + r of x) += IQ4_XS super-block sb of a group: per block of 32 the exact
// dot product, then the GEMM's float step.
template <int M>
inline void iq4xsSuperBlockStep(const GemvInt8Job& job, int64_t m0, int64_t sb, const uint8_t* groupBlock, __m256 (&acc)[M]) {
  for (int s = 0; s < 8; ++s) {
    const __m256 scale = iq4xsBlockScales(groupBlock, s);
    __m256i w[8], dot[M];
    iq4ChunkLevels(iq4xsChunks(groupBlock, s), w);
    const int64_t b = sb * 8 + s;
    signedBlockDots<M>(job, m0, b, w, dot);
    for (int r = 0; r < M; ++r) {
      const __m256 step = _mm256_mul_ps(_mm256_set1_ps(job.xd[(m0 + r) * job.blocks + b]), scale);
      acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot[r]), step, acc[r]);
    }
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // __AVX2__
