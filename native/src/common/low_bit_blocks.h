// Field decoding of the ggml block types with 2-3-bit quants, packed scales or table levels (Q2_K, Q3_K,
// IQ4_NL, IQ4_XS), one element or scale at a time: the float decoders (kernels/dequantize.h), the int8 records
// (common/int8_panels.cc, kernels/int8_records_avx2.h) and the int8 GEMVs' plain loops share them.
#pragma once
#include <cstdint>

namespace fastfill {

// The 6-bit scale of Q3_K sub-block j (< 16) from its 12 packed bytes: the low (j < 8) or high nibble of
// byte j % 8, with bits 2 (j / 4), +1 of byte 8 + j % 4 on top. The weight scale is d * (that - 32).
inline int q3kScale(const uint8_t* packed, int j) {
  return ((packed[j % 8] >> (4 * (j / 8))) & 0xF) | (((packed[8 + j % 4] >> (2 * (j / 4))) & 3) << 4);
}

// Q2_K's quants and Q3_K's low bits share a layout: element e (< 256) is bit pair (e / 32) % 4 of byte
// 32 (e / 128) + e % 32 of the 64 bytes at qs.
inline int twoBitQuant(const uint8_t* qs, int e) { return (qs[32 * (e / 128) + e % 32] >> (2 * ((e / 32) % 4))) & 3; }

// The quant in [0, 3] of element e of a Q2_K block (scales[16], qs[64], d, dmin).
inline int q2kQuant(const uint8_t* block, int e) { return twoBitQuant(block + 16, e); }

// The quant in [-4, 3] of element e of a Q3_K block (hmask[32], qs[64], scales[12], d): its two low bits, minus
// 4 where bit e / 32 of hmask[e % 32] is clear.
inline int q3kQuant(const uint8_t* block, int e) {
  return twoBitQuant(block + 32, e) - (((block[e % 32] >> (e / 32)) & 1) != 0 ? 0 : 4);
}

// ggml's kvalues_iq4nl: the 16 levels an IQ4 nibble selects.
constexpr int8_t kIq4Levels[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

// The level of element e (< 32) of 16 bytes of IQ4 nibbles (element j < 16: low nibble of byte j; j + 16: its
// high nibble).
inline int iq4Level(const uint8_t* nibbles, int e) { return kIq4Levels[e < 16 ? nibbles[e] & 0xF : nibbles[e - 16] >> 4]; }

// The 6-bit scale of IQ4_XS block j (< 8): nibble j % 2 of scales_l[j / 2], bits 2j, 2j+1 of scales_h on
// top. The weight scale is d * (that - 32).
inline int iq4xsScale(const uint8_t* block, int j) {
  const int high = ((block[2] | (block[3] << 8)) >> (2 * j)) & 3;
  return ((block[4 + j / 2] >> (4 * (j % 2))) & 0xF) | (high << 4);
}

}  // namespace fastfill
