// IQ4 nibbles as their int8 levels in one ymm (the int8 record packer and the int8 GEMV read them so).
#pragma once
#include "common/low_bit_blocks.h"
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

#ifdef __AVX2__
// 16 bytes of IQ4 nibbles (element j the low nibble of byte j, j + 16 its high one) as 32 int8 levels.
inline __m256i iq4LevelVector(const uint8_t* nibbles) {
  const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(nibbles));
  const __m128i levels = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4Levels));
  const __m256i both = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
  return _mm256_shuffle_epi8(_mm256_set_m128i(levels, levels), _mm256_and_si256(both, _mm256_set1_epi8(0x0F)));
}
#endif

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
