// Field decoding of the ggml block types that carry their scales in packed bits or their quants as
// table levels (Q3_K, IQ4_NL, IQ4_XS), shared by the float decoders (kernels/dequantize.h) and the int8
// records (common/int8_panels.cc, kernels/int8_records_avx2.h).
#pragma once
#include <cstdint>

namespace fastfill {

// The 6-bit scale of Q3_K sub-block j (< 16) from its 12 packed bytes: the low (j < 8) or high nibble of
// byte j % 8, with bits 2 (j / 4), +1 of byte 8 + j % 4 on top. The weight scale is d * (that - 32).
inline int q3kScale(const uint8_t* packed, int j) {
  return ((packed[j % 8] >> (4 * (j / 8))) & 0xF) | (((packed[8 + j % 4] >> (2 * (j / 4))) & 3) << 4);
}

// ggml's kvalues_iq4nl: the 16 levels an IQ4 nibble selects.
constexpr int8_t kIq4Levels[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

// The 6-bit scale of IQ4_XS block j (< 8): nibble j % 2 of scales_l[j / 2], bits 2j, 2j+1 of scales_h on
// top. The weight scale is d * (that - 32).
inline int iq4xsScale(const uint8_t* block, int j) {
  const int high = ((block[2] | (block[3] << 8)) >> (2 * j)) & 3;
  return ((block[4 + j / 2] >> (4 * (j % 2))) & 0xF) | (high << 4);
}

}  // namespace fastfill
