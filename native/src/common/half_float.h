// IEEE half (F16) bits to float, exactly, in portable C++ (no F16C): for the scalar level and for
// code outside the dispatch levels (panel packing, test programs).
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

}  // namespace fastfill
