// The scales of a K-quant block as the register decoders of the avx2 and avx512 levels take them
// (quant_groups_*.h, after their simd header), the same floats as kernels/dequantize.h's decoders: Q4_K / Q5_K's
// 8 (scale, min) pairs unpacked with vectors as d * scale and -dmin * min (decodeKQuant's ds and ms), Q6_K's 16
// d * scale.
#pragma once
#include <cstdint>
#include <cstring>

namespace fastfill {
namespace FASTFILL_LEVEL {

struct KScales {
  float d[8];
  float m[8];
};

inline float kScalesHalf(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return _cvtsh_ss(h);
}

// The 12 packed bytes hold scale_g, min_g (6 bits each): for g < 4 the low 6 bits of bytes g and
// g + 4; for g >= 4 a nibble of byte g + 4 plus the top 2 bits of bytes g - 4 and g. Done on
// three 32-bit words at once (4 sub-blocks per word).
inline void loadKScales(const uint8_t* block, KScales* s) {
  uint32_t w[3];
  std::memcpy(w, block + 4, 12);
  const uint32_t six = 0x3f3f3f3fu, nibble = 0x0f0f0f0fu, two = 0x03030303u;
  const uint32_t bytes[4] = {
      w[0] & six,                                           // scales 0..3
      (w[2] & nibble) | (((w[0] >> 6) & two) << 4),         // scales 4..7
      w[1] & six,                                           // mins 0..3
      ((w[2] >> 4) & nibble) | (((w[1] >> 6) & two) << 4),  // mins 4..7
  };
  const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes));
  const __m256 scales = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(packed));
  const __m256 mins = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(packed, 8)));
  _mm256_storeu_ps(s->d, _mm256_mul_ps(scales, _mm256_set1_ps(kScalesHalf(block))));
  _mm256_storeu_ps(s->m, _mm256_mul_ps(mins, _mm256_set1_ps(-kScalesHalf(block + 2))));
}

struct Q6KScales {
  float d[16];  // d * scale[i] for the 16 runs of 16 elements
};

inline void loadQ6KScales(const uint8_t* block, Q6KScales* s) {
  const float d = kScalesHalf(block + 208);
  const int8_t* scales = reinterpret_cast<const int8_t*>(block + 192);
  for (int i = 0; i < 16; ++i) s->d[i] = d * static_cast<float>(scales[i]);
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
