// The unsigned quants of a Q4_0, Q5_0, Q4_1 or Q5_1 group block (common/interleaved_blocks.h) with AVX2, as the int8
// GEMV (gemv_interleaved.h) and the GEMM's record packer (interleaved_records.h) both take them: u[j] nibble chunk j's
// low nibbles (elements 4j..4j+3 of the 8 rows), u[4 + j] its high nibbles (16 + 4j..), Q5_0's and Q5_1's with 16 *
// the fifth bit.
#pragma once
#include "common/interleaved_blocks.h"
#include "kernels/level_common.h"

#ifdef __AVX2__
namespace fastfill {
namespace FASTFILL_LEVEL {

template <int32_t kType>
inline void smallBlockNibbles(const uint8_t* groupBlock, __m256i (&u)[8]) {
  const __m256i mask = _mm256_set1_epi8(0x0F);
  const uint8_t* chunks = groupBlock + interleavedQuantsOffset(kType);
  __m256i fifth = _mm256_setzero_si256();
  if constexpr (interleavedHasFifthBits(kType)) fifth = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(groupBlock + interleavedFifthOffset(kType)));
  for (int j = 0; j < 4; ++j) {
    const __m256i chunk = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(chunks + j * kInterleavedChunkBytes));
    __m256i low = _mm256_and_si256(chunk, mask), high = _mm256_and_si256(_mm256_srli_epi16(chunk, 4), mask);
    if constexpr (interleavedHasFifthBits(kType)) {
      // bit j (low nibbles) or 4 + j (high) of each fifth-bit byte, moved to bit 4 (masked first: nothing
      // crosses a byte)
      low = _mm256_or_si256(low, _mm256_slli_epi16(_mm256_and_si256(fifth, _mm256_set1_epi8(static_cast<char>(1 << j))), 4 - j));
      high = _mm256_or_si256(high, _mm256_srli_epi16(_mm256_and_si256(fifth, _mm256_set1_epi8(static_cast<char>(16 << j))), j));
    }
    u[j] = low;
    u[4 + j] = high;
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // __AVX2__
