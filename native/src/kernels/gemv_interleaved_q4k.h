// Q4_K and Q5_K on interleaved super-blocks (common/interleaved_blocks.h) with AVX2: the int8 GEMV's group
// loop (gemv_interleaved.h) and the decoding it shares with the GEMM's record packer (interleaved_records.h).
// Per sub-block s of 32 the 8 rows' scale d * sc_s and min -(dmin * m_s) come from their 6-bit fields in one
// vector each; the quants are unsigned nibbles (Q5_K: plus 16 * the fifth bit), value d sc u - dmin m.
#pragma once
#include "common/interleaved_blocks.h"
#include "kernels/gemv_int8_job.h"
#include "kernels/sub_block_index.h"

#ifdef __AVX2__
namespace fastfill {
namespace FASTFILL_LEVEL {

inline __m256i shiftRight32(__m256i v, int bits) { return _mm256_srl_epi32(v, _mm_cvtsi32_si128(bits)); }

// The 8 rows' scale d * sc_s and min -(dmin * m_s) of sub-block s (0..7) of a Q4_K / Q5_K group block, as
// common/int8_panels.cc computes them (kQuantScaleMin's fields: bytes 0-3 of the 12 the scales of
// sub-blocks 0-3, bytes 4-7 their mins, bytes 8-11 the low 4 bits of 4-7's, whose high 2 bits are the
// top bits of bytes 0-7).
inline void q4kSubBlockScales(const uint8_t* groupBlock, int s, __m256& scale, __m256& min) {
  const __m256i c0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(groupBlock + kInterleavedKScalesOffset));
  const __m256i c1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(groupBlock + kInterleavedKScalesOffset + 32));
  const __m256i c2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(groupBlock + kInterleavedKScalesOffset + 64));
  const int t = 8 * (s % 4);
  __m256i sc, m;
  if (s < 4) {
    sc = _mm256_and_si256(shiftRight32(c0, t), _mm256_set1_epi32(63));
    m = _mm256_and_si256(shiftRight32(c1, t), _mm256_set1_epi32(63));
  } else {
    const __m256i low4 = _mm256_set1_epi32(15), top2 = _mm256_set1_epi32(3);
    sc = _mm256_or_si256(_mm256_and_si256(shiftRight32(c2, t), low4),
                         _mm256_slli_epi32(_mm256_and_si256(shiftRight32(c0, t + 6), top2), 4));
    m = _mm256_or_si256(_mm256_and_si256(shiftRight32(c2, t + 4), low4),
                        _mm256_slli_epi32(_mm256_and_si256(shiftRight32(c1, t + 6), top2), 4));
  }
  const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(groupBlock)));
  const __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(groupBlock + 16)));
  scale = _mm256_mul_ps(d, _mm256_cvtepi32_ps(sc));
  min = _mm256_xor_ps(_mm256_mul_ps(dmin, _mm256_cvtepi32_ps(m)), _mm256_set1_ps(-0.0f));
}

// The unsigned quants of sub-block s (an int, or a SubBlock constant: sub_block_index.h) of a Q4_K / Q5_K group
// block, 4 elements of the 8 rows per vector.
template <int32_t kType, class Index>
inline void q45kSubBlockQuants(const uint8_t* groupBlock, Index s, __m256i (&u)[8]) {
  const uint8_t* chunks = groupBlock + interleavedKNibblesOffset(kType) + 8 * kInterleavedChunkBytes * (s / 2);
  const __m256i mask = _mm256_set1_epi8(0x0F), bit = _mm256_set1_epi8(static_cast<char>(1 << s));
  for (int j = 0; j < 8; ++j) {
    const __m256i chunk = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunks + j * kInterleavedChunkBytes));
    u[j] = _mm256_and_si256(s % 2 == 0 ? chunk : _mm256_srli_epi16(chunk, 4), mask);
    if constexpr (kType == kTypeQ5_K) {
      // bit s of each qh byte to bit 4 (masked first: nothing crosses a byte)
      const __m256i high = _mm256_and_si256(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(groupBlock + kInterleavedKHighOffset + j * kInterleavedChunkBytes)), bit);
      u[j] = _mm256_or_si256(u[j], s < 4 ? _mm256_slli_epi16(high, 4 - s) : s == 4 ? high : _mm256_srli_epi16(high, s - 4));
    }
  }
}

// acc[r] (the 8 rows' outputs for row m0 + r of x) += super-block sb of a group: per sub-block, the exact
// sum of u * xq (pair sums of u <= 15 add up exactly in int16 over all 8 vectors, of u <= 31 over 4), then
// the GEMM's two float steps.
template <int32_t kType, int M>
inline void q45kSuperBlockStep(const GemvInt8Job& job, int64_t m0, int64_t sb, const uint8_t* groupBlock, __m256 (&acc)[M]) {
  const int64_t k = job.args->w.cols;
  const auto subBlock = [&](auto s) {
    __m256 scale, min;
    q4kSubBlockScales(groupBlock, s, scale, min);
    __m256i u[8];
    q45kSubBlockQuants<kType>(groupBlock, s, u);
    const int64_t b = sb * 8 + s;
    for (int r = 0; r < M; ++r) {
      __m256i front, back;
      halfBlockPairs(u, job.xq + (m0 + r) * k + b * kInt8BlockElements, front, back);
      const int64_t index = (m0 + r) * job.blocks + b;
      const __m256 dot = _mm256_cvtepi32_ps(halfBlockSum<kType != kTypeQ5_K>(front, back));
      acc[r] = _mm256_fmadd_ps(dot, _mm256_mul_ps(_mm256_set1_ps(job.xd[index]), scale), acc[r]);
      acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(job.xs[index]), min, acc[r]);
    }
  };
  // Q5_K: unrolled, its fifth-bit shifts constants (about +20 %); Q4_K: a loop (unrolled measured 10-25 % slower, once)
  if constexpr (kType == kTypeQ5_K) {
    forEachSubBlock(subBlock);
  } else {
    for (int s = 0; s < 8; ++s) subBlock(s);
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // __AVX2__
