// The int8 GEMV for IQ4_NL and IQ4_XS weights (dispatched by gemv_int8.h): 1..5 rows of x (kGemvInt8MaxRows) against
// the blocks in their own layout. Each 32-element block's nibbles become their int8 levels (a table lookup per byte);
// vpmaddubsw wants an unsigned operand, so the levels' magnitudes meet the activations with the levels' signs moved
// onto them (|level| <= 127, |xq| <= 127: pair sums within int16). Per block b and row of x, with ws_b the block's
// weight scale (IQ4_NL: d; IQ4_XS: d * (sc_b - 32)):
//   acc[b % 2][l] = fma(float(partial_l), xd_b * ws_b, acc[b % 2][l])
// out = bias + reduceLanes(acc[0] + acc[1]), the same float steps at every level.
#pragma once
#include <cstring>

#include "common/low_bit_blocks.h"
#include "kernels/dequantize.h"
#include "kernels/gemv_int8_job.h"
#include "kernels/iq4_level_vector.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

template <bool kXS>
struct Iq4Format {
  static constexpr int64_t kBytes = kXS ? 136 : 18;  // a super-block of 8 blocks, or one block
  static constexpr int64_t kBlocks = kXS ? 8 : 1;
  static const uint8_t* unit(const uint8_t* row, int64_t b) { return row + (b / kBlocks) * kBytes; }
  static const uint8_t* nibbles(const uint8_t* unit, int64_t b) { return kXS ? unit + 8 + 16 * (b % 8) : unit + 2; }
  static float scale(const uint8_t* unit, int64_t b) {
    return kXS ? loadHalf(unit) * static_cast<float>(iq4xsScale(unit, static_cast<int>(b % 8)) - 32) : loadHalf(unit);
  }
};

#ifdef __AVX2__
// The 8 block scales d * (sc_j - 32) of an IQ4_XS super-block (Iq4Format<true>::scale with vectors): sc_j's low
// nibble is bits 4 j.. of the 4 scales_l bytes, its top 2 bits bits 2 j.. of scales_h.
inline __m256 iq4xsScalesVec(const uint8_t* unit) {
  int32_t low;
  uint16_t high;
  std::memcpy(&low, unit + 4, 4);
  std::memcpy(&high, unit + 2, 2);
  const __m256i lowBits = _mm256_and_si256(_mm256_srlv_epi32(_mm256_set1_epi32(low), _mm256_setr_epi32(0, 4, 8, 12, 16, 20, 24, 28)),
                                           _mm256_set1_epi32(15));
  const __m256i highBits = _mm256_and_si256(_mm256_srlv_epi32(_mm256_set1_epi32(high), _mm256_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14)),
                                            _mm256_set1_epi32(3));
  const __m256i sc = _mm256_sub_epi32(_mm256_or_si256(lowBits, _mm256_slli_epi32(highBits, 4)), _mm256_set1_epi32(32));
  return _mm256_mul_ps(_mm256_set1_ps(loadHalf(unit)), _mm256_cvtepi32_ps(sc));
}

template <bool kXS, int M>
inline void gemvIq4RowsVec(const GemvInt8Job& job, int64_t m0, int64_t j0, int64_t j1) {
  using Format = Iq4Format<kXS>;
  const MatmulArgs& a = *job.args;
  const int64_t k = a.w.cols;
  for (int64_t j = j0; j < j1; ++j) {
    const uint8_t* row = a.w.data + static_cast<size_t>(j) * a.w.rowBytes;
    __m256 acc[M][2];
    for (int r = 0; r < M; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    __m256 superScales = _mm256_setzero_ps();  // IQ4_XS: the block scales of the current super-block
    for (int64_t b = 0; b < job.blocks; ++b) {
      const uint8_t* unit = Format::unit(row, b);
      if (b % (kXS ? 8 : 4) == 0) prefetchWeightsAhead(unit, kXS ? Format::kBytes : 4 * Format::kBytes);
      if (kXS && b % 8 == 0) superScales = iq4xsScalesVec(unit);
      const __m256i levels = iq4LevelVector(Format::nibbles(unit, b));
      const __m256i magnitudes = _mm256_abs_epi8(levels);
      const __m256 weightScale = kXS ? _mm256_permutevar8x32_ps(superScales, _mm256_set1_epi32(static_cast<int>(b % 8)))
                                     : _mm256_set1_ps(Format::scale(unit, b));
      for (int r = 0; r < M; ++r) {
        const int64_t xRow = m0 + r;
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(job.xq + xRow * k + b * kInt8BlockElements));
        const __m256i partial = dotLanes(_mm256_setzero_si256(), magnitudes, _mm256_sign_epi8(x, levels));
        const __m256 scale = _mm256_mul_ps(_mm256_set1_ps(job.xd[xRow * job.blocks + b]), weightScale);
        acc[r][b % 2] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(partial), scale, acc[r][b % 2]);
      }
    }
    for (int r = 0; r < M; ++r) storeLaneSum(a, m0 + r, j, reduceLanesVec(_mm256_add_ps(acc[r][0], acc[r][1])));
  }
}
#endif

template <bool kXS>
inline void gemvIq4RowPlain(const GemvInt8Job& job, int64_t j) {
  using Format = Iq4Format<kXS>;
  const MatmulArgs& a = *job.args;
  const int64_t k = a.w.cols;
  const uint8_t* row = a.w.data + static_cast<size_t>(j) * a.w.rowBytes;
  for (int64_t r = 0; r < a.m; ++r) {
    float acc[2][kGemvInt8Lanes] = {};
    for (int64_t b = 0; b < job.blocks; ++b) {
      const uint8_t* unit = Format::unit(row, b);
      const uint8_t* nibbles = Format::nibbles(unit, b);
      const int8_t* xq = reinterpret_cast<const int8_t*>(job.xq + r * k + b * kInt8BlockElements);
      const float scale = job.xd[r * job.blocks + b] * Format::scale(unit, b);
      for (int l = 0; l < kGemvInt8Lanes; ++l) {
        int32_t partial = 0;
        for (int e = 4 * l; e < 4 * l + 4; ++e) partial += iq4Level(nibbles, e) * xq[e];
        acc[b % 2][l] = fmaf(static_cast<float>(partial), scale, acc[b % 2][l]);
      }
    }
    storeLaneSum(a, r, j, reduceBlockPairs(acc));
  }
}

template <bool kXS>
inline void gemvIq4Item(const GemvInt8Job& job, int64_t j0, int64_t j1) {
#ifdef __AVX2__
  forEachRowPass(job.args->m, [&](int64_t m0, auto M) { gemvIq4RowsVec<kXS, decltype(M)::value>(job, m0, j0, j1); });
#else
  for (int64_t j = j0; j < j1; ++j) gemvIq4RowPlain<kXS>(job, j);
#endif
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
