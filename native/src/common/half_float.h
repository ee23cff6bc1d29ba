// IEEE half (F16) and bf16 bits to and from float, exactly, in portable C++ (no F16C,
// no AVX512-BF16): for the scalar level and for code outside the dispatch levels (panel packing, the
// KV cache writer, test programs).
#pragma once
#include <cstdint>
#include <cstring>

namespace fastfill {

inline float halfBitsToFloat(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1Fu, mantissa = h & 0x3FFu;
  uint32_t bits;
  if (exponent == 0) {
    const float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;  // 2^-24
    std::memcpy(&bits, &magnitude, 4);
    bits |= sign;
  } else if (exponent == 31) {
    bits = sign | 0x7F800000u | (mantissa << 13);
  } else {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  }
  float r;
  std::memcpy(&r, &bits, 4);
  return r;
}

// Round to nearest even IEEE half (bits): overflow gives infinity, tiny values subnormals or zero, NaN a
// quiet NaN.
inline uint16_t floatToHalfBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t magnitude = bits & 0x7FFFFFFFu;
  if (magnitude > 0x7F800000u) return static_cast<uint16_t>(sign | 0x7E00u | ((magnitude >> 13) & 0x3FFu));
  if (magnitude >= 0x38800000u) {  // 2^-14 and up: a normal half unless it overflows
    const uint32_t rounded = magnitude + 0xFFFu + ((magnitude >> 13) & 1u) - (112u << 23);  // exponent rebased 127 -> 15
    if (rounded >= (31u << 23)) return static_cast<uint16_t>(sign | 0x7C00u);
    return static_cast<uint16_t>(sign | (rounded >> 13));
  }
  // Below 2^-14: in [0.5, 0.5 + 2^-14) one float ulp is 2^-24, one half subnormal step, so the float
  // addition rounds to the nearest step (ties to even) and the low bits are the subnormal's.
  float absolute;
  std::memcpy(&absolute, &magnitude, 4);
  const float shifted = absolute + 0.5f;
  uint32_t shiftedBits;
  std::memcpy(&shiftedBits, &shifted, 4);
  return static_cast<uint16_t>(sign | (shiftedBits - 0x3F000000u));
}

// Round to nearest even bf16 (bits; NaN stays a quiet NaN), as vcvtneps2bf16 does. Branch-free, so
// loops over it vectorize.
inline uint16_t floatToBf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  const uint32_t rounded = (bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16;
  const uint32_t quietNan = (bits >> 16) | 0x40u;
  return static_cast<uint16_t>((bits & 0x7FFFFFFFu) > 0x7F800000u ? quietNan : rounded);
}

inline float bf16ToFloat(uint16_t bits) {
  const uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float r;
  std::memcpy(&r, &wide, 4);
  return r;
}

}  // namespace fastfill
