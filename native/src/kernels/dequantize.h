// Decoding of ggml weight blocks into floats (compiled once per level, inside its namespace).
// Block layouts and formulas are ggml's; each decoder writes one whole block.
#pragma once
#include "common/ggml_types.h"
#include "common/int8_panels.h"
#include "common/interleaved_blocks.h"
#include "common/kernel_args.h"
#include "common/low_bit_blocks.h"
#include "common/weight_panels.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

inline float loadHalf(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return halfToFloat(h);
}

// The decoders below are level-independent; the bit work is in decodeNibbles16, decodeInt8x16
// and bitsToBytes32 of the level's simd header (GCC does not vectorize these byte loops itself).

// Q4_0: d (f16), 16 bytes of nibbles; element j = low nibble of byte j, element j+16 = its high
// nibble; value = (q - 8) * d.
inline void decodeQ4_0(const uint8_t* block, float* out) {
  const float d = loadHalf(block);
  decodeNibbles16(block + 2, 0, nullptr, 0, 0, 8, d, 0.0f, out);
  decodeNibbles16(block + 2, 4, nullptr, 0, 0, 8, d, 0.0f, out + 16);
}

// Q4_1: d, m (f16), nibbles as Q4_0; value = q * d + m.
inline void decodeQ4_1(const uint8_t* block, float* out) {
  const float d = loadHalf(block), m = loadHalf(block + 2);
  decodeNibbles16(block + 4, 0, nullptr, 0, 0, 0, d, m, out);
  decodeNibbles16(block + 4, 4, nullptr, 0, 0, 0, d, m, out + 16);
}

// Q5_0: d (f16), 32 high bits (bit j for element j), nibbles as Q4_0; value = (q - 16) * d.
inline void decodeQ5_0(const uint8_t* block, float* out) {
  const float d = loadHalf(block);
  uint32_t bits;
  std::memcpy(&bits, block + 2, 4);
  uint8_t high[32];
  bitsToBytes32(bits, high);
  decodeNibbles16(block + 6, 0, high, 0, 1, 16, d, 0.0f, out);
  decodeNibbles16(block + 6, 4, high + 16, 0, 1, 16, d, 0.0f, out + 16);
}

// Q5_1: d, m (f16), 32 high bits, nibbles; value = q * d + m.
inline void decodeQ5_1(const uint8_t* block, float* out) {
  const float d = loadHalf(block), m = loadHalf(block + 2);
  uint32_t bits;
  std::memcpy(&bits, block + 4, 4);
  uint8_t high[32];
  bitsToBytes32(bits, high);
  decodeNibbles16(block + 8, 0, high, 0, 1, 0, d, m, out);
  decodeNibbles16(block + 8, 4, high + 16, 0, 1, 0, d, m, out + 16);
}

// Q8_0: d (f16), 32 int8; value = q * d.
inline void decodeQ8_0(const uint8_t* block, float* out) {
  const float d = loadHalf(block);
  const int8_t* q = reinterpret_cast<const int8_t*>(block + 2);
  decodeInt8x16(q, d, out);
  decodeInt8x16(q + 16, d, out + 16);
}

// 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes of Q4_K / Q5_K.
inline void kQuantScaleMin(const uint8_t* packed, int j, int* scale, int* min) {
  if (j < 4) {
    *scale = packed[j] & 63;
    *min = packed[j + 4] & 63;
  } else {
    *scale = (packed[j + 4] & 0xF) | ((packed[j - 4] >> 6) << 4);
    *min = (packed[j + 4] >> 4) | ((packed[j] >> 6) << 4);
  }
}

// Q4_K / Q5_K: d, dmin (f16), 12 bytes of 6-bit scales/mins, [Q5_K: 32 bytes of high bits],
// 128 bytes of nibbles. Sub-block s = 2g + h (g < 4, h < 2) holds 32 elements: nibble h of
// bytes 32g .. 32g+31 [plus bit s of the same high-bit bytes]; value = d*scale_s*q - dmin*min_s.
inline void decodeKQuant(const uint8_t* block, const uint8_t* highBits, const uint8_t* nibbles, float* out) {
  const float d = loadHalf(block), dmin = loadHalf(block + 2);
  for (int s = 0; s < 8; ++s) {
    int scale, min;
    kQuantScaleMin(block + 4, s, &scale, &min);
    const float ds = d * static_cast<float>(scale), ms = -dmin * static_cast<float>(min);
    const uint8_t* lo = nibbles + 32 * (s / 2);
    const int shift = 4 * (s % 2);
    for (int c = 0; c < 32; c += 16) {
      decodeNibbles16(lo + c, shift, highBits != nullptr ? highBits + c : nullptr, s, 1, 0, ds, ms, out + 32 * s + c);
    }
  }
}

inline void decodeQ4_K(const uint8_t* block, float* out) { decodeKQuant(block, nullptr, block + 16, out); }

inline void decodeQ5_K(const uint8_t* block, float* out) { decodeKQuant(block, block + 16, block + 48, out); }

// Q6_K: 128 bytes of low nibbles (ql), 64 bytes of 2-bit highs (qh), 16 int8 scales, d (f16).
// Half h (128 elements) uses ql + 64h and qh + 32h; its run r (32 elements, l < 32) takes
// nibble r/2 of ql[l + 32 (r%2)] and bits 2r, 2r+1 of qh[l]; value = d * scale[e/16] * (q - 32)
// for element e.
inline void decodeQ6_K(const uint8_t* block, float* out) {
  const float d = loadHalf(block + 208);
  const int8_t* scales = reinterpret_cast<const int8_t*>(block + 192);
  for (int h = 0; h < 2; ++h) {
    const uint8_t* ql = block + 64 * h;
    const uint8_t* qh = block + 128 + 32 * h;
    for (int r = 0; r < 4; ++r) {
      for (int c = 0; c < 32; c += 16) {
        const int e = 128 * h + 32 * r + c;
        decodeNibbles16(ql + 32 * (r % 2) + c, 4 * (r / 2), qh + c, 2 * r, 3, 32, d * static_cast<float>(scales[e / 16]),
                        0.0f, out + e);
      }
    }
  }
}

// Q2_K (84 bytes): scales[16] (low nibble scale, high nibble min), qs[64], d, dmin (f16). Sub-block s (16
// elements e = 16 s + l) takes bit pair (e / 32) % 4 of qs[32 (e / 128) + e % 32]; value = d*sc*q - dmin*m.
inline void decodeQ2_K(const uint8_t* block, float* out) {
  const float d = loadHalf(block + 80), dmin = loadHalf(block + 82);
  uint8_t q[16];
  for (int s = 0; s < 16; ++s) {
    for (int l = 0; l < 16; ++l) q[l] = static_cast<uint8_t>(q2kQuant(block, 16 * s + l));
    decodeNibbles16(q, 0, nullptr, 0, 0, 0, d * static_cast<float>(block[s] & 0xF), -(dmin * static_cast<float>(block[s] >> 4)),
                    out + 16 * s);
  }
}

// Q3_K (110 bytes): hmask[32], qs[64], scales[12], d (f16). Element e: its two low bits as Q2_K's quants
// (qs), minus 4 where bit e / 32 of hmask[e % 32] is clear; value = d * (sc - 32) * q.
inline void decodeQ3_K(const uint8_t* block, float* out) {
  const float d = loadHalf(block + 108);
  int8_t q[16];
  for (int s = 0; s < 16; ++s) {
    for (int l = 0; l < 16; ++l) q[l] = static_cast<int8_t>(q3kQuant(block, 16 * s + l));
    decodeInt8x16(q, d * static_cast<float>(q3kScale(block + 96, s) - 32), out + 16 * s);
  }
}

// 32 elements from 16 bytes of IQ4 nibbles (element j: low nibble of byte j, j + 16: its high nibble).
inline void decodeIq4Levels32(const uint8_t* nibbles, float scale, float* out) {
  int8_t q[32];
  for (int e = 0; e < 32; ++e) q[e] = static_cast<int8_t>(iq4Level(nibbles, e));
  decodeInt8x16(q, scale, out);
  decodeInt8x16(q + 16, scale, out + 16);
}

// IQ4_NL (18 bytes, 32 elements): d (f16), 16 bytes of nibbles; value = d * level.
inline void decodeIQ4_NL(const uint8_t* block, float* out) { decodeIq4Levels32(block + 2, loadHalf(block), out); }

// IQ4_XS (136 bytes, 256 elements): d (f16), scales_h (u16), scales_l[4], qs[128]; block j (32 elements,
// nibbles qs + 16 j as IQ4_NL's): value = d * (sc_j - 32) * level.
inline void decodeIQ4_XS(const uint8_t* block, float* out) {
  const float d = loadHalf(block);
  for (int j = 0; j < 8; ++j) decodeIq4Levels32(block + 8 + 16 * j, d * static_cast<float>(iq4xsScale(block, j) - 32), out + 32 * j);
}

template <void (*Decode)(const uint8_t*, float*), int kElements, int kBytes>
inline void decodeBlocks(const uint8_t* src, int64_t k0, int64_t count, float* dst) {
  const uint8_t* block = src + (k0 / kElements) * kBytes;
  for (int64_t e = 0; e < count; e += kElements, block += kBytes) Decode(block, dst + e);
}

inline void decodeInterleavedRow(const WeightView& w, int64_t row, int64_t k0, int64_t count, float* dst);
inline void decodePanelRow(const WeightView& w, int64_t row, int64_t k0, int64_t count, float* dst);
inline void decodeQ8RecordRow(const WeightView& w, int64_t row, int64_t k0, int64_t count, float* dst);

// Decodes elements [k0, k0 + count) of weight row `row` into dst. For block types k0 and count
// are whole blocks (the bindings require cols to be a multiple of the block). Where a packed copy
// has replaced the weight's own bytes (their file pages are released: interleaved blocks, F32 / F16 /
// BF16 native panels, Q8_0's int8 panels), the row comes from that copy, with the same values.
inline void decodeRow(const WeightView& w, int64_t row, int64_t k0, int64_t count, float* dst) {
  if (w.interleaved != nullptr) {
    decodeInterleavedRow(w, row, k0, count, dst);
    return;
  }
  if (w.panels != nullptr && w.precision != kPrecisionBf16 && isPanelType(w.type)) {
    decodePanelRow(w, row, k0, count, dst);
    return;
  }
  if (w.panels != nullptr && w.precision == kPrecisionInt8 && w.type == kTypeQ8_0) {
    decodeQ8RecordRow(w, row, k0, count, dst);
    return;
  }
  const uint8_t* src = w.data + static_cast<size_t>(row) * w.rowBytes;
  switch (w.type) {
    case kTypeF32: std::memcpy(dst, src + 4 * k0, static_cast<size_t>(count) * 4); return;
    case kTypeF16: halvesToFloats(src + 2 * k0, dst, count); return;
    case kTypeBF16: bf16sToFloats(src + 2 * k0, dst, count); return;
    case kTypeQ4_0: decodeBlocks<decodeQ4_0, 32, 18>(src, k0, count, dst); return;
    case kTypeQ4_1: decodeBlocks<decodeQ4_1, 32, 20>(src, k0, count, dst); return;
    case kTypeQ5_0: decodeBlocks<decodeQ5_0, 32, 22>(src, k0, count, dst); return;
    case kTypeQ5_1: decodeBlocks<decodeQ5_1, 32, 24>(src, k0, count, dst); return;
    case kTypeQ8_0: decodeBlocks<decodeQ8_0, 32, 34>(src, k0, count, dst); return;
    case kTypeQ4_K: decodeBlocks<decodeQ4_K, 256, 144>(src, k0, count, dst); return;
    case kTypeQ5_K: decodeBlocks<decodeQ5_K, 256, 176>(src, k0, count, dst); return;
    case kTypeQ6_K: decodeBlocks<decodeQ6_K, 256, 210>(src, k0, count, dst); return;
    case kTypeQ2_K: decodeBlocks<decodeQ2_K, 256, 84>(src, k0, count, dst); return;
    case kTypeQ3_K: decodeBlocks<decodeQ3_K, 256, 110>(src, k0, count, dst); return;
    case kTypeIQ4_NL: decodeBlocks<decodeIQ4_NL, 32, 18>(src, k0, count, dst); return;
    case kTypeIQ4_XS: decodeBlocks<decodeIQ4_XS, 256, 136>(src, k0, count, dst); return;
    default: std::memset(dst, 0, static_cast<size_t>(count) * 4); return;  // rejected by the bindings
  }
}

// decodeRow of an F32 / F16 / BF16 weight from its native panels (common/weight_panels.h: element k of row 32p + c at
// k * 32 + c of panel p, in the weight's own type).
inline void decodePanelRow(const WeightView& w, int64_t row, int64_t k0, int64_t count, float* dst) {
  const size_t bytes = w.type == kTypeF32 ? 4 : 2;
  const uint8_t* column = w.panels + (static_cast<size_t>(row / kPanelColumns) * static_cast<size_t>(w.cols) * kPanelColumns +
                                      static_cast<size_t>(row % kPanelColumns)) * bytes;
  for (int64_t k = k0; k < k0 + count; ++k) {
    const uint8_t* element = column + static_cast<size_t>(k) * kPanelColumns * bytes;
    uint16_t half;
    std::memcpy(&half, element, 2);
    if (w.type == kTypeF32) std::memcpy(dst + k - k0, element, 4);
    else dst[k - k0] = w.type == kTypeF16 ? halfToFloat(half) : bf16ToFloat(half);
  }
}

// decodeRow of a Q8_0 weight from its int8 panels (common/int8_panels.h: quant k of column c at ((k / 4) * 32 + c) * 4 +
// k % 4 of its block's record, the scale, f16 d as a float, at kInt8ScalesOffset + 4c): decodeQ8_0's products.
inline void decodeQ8RecordRow(const WeightView& w, int64_t row, int64_t k0, int64_t count, float* dst) {
  const int64_t blocks = w.cols / kInt8BlockElements, c = row % kInt8PanelColumns;
  for (int64_t b = k0 / kInt8BlockElements; b < (k0 + count) / kInt8BlockElements; ++b) {
    const uint8_t* record = w.panels + static_cast<size_t>((row / kInt8PanelColumns) * blocks + b) * int8RecordBytes(kTypeQ8_0);
    int8_t q[kInt8BlockElements];
    for (int k = 0; k < kInt8BlockElements; ++k) q[k] = static_cast<int8_t>(record[((k / 4) * kInt8PanelColumns + c) * 4 + k % 4]);
    float d;
    std::memcpy(&d, record + kInt8ScalesOffset + 4 * c, 4);
    float* out = dst + b * kInt8BlockElements - k0;
    decodeInt8x16(q, d, out);
    decodeInt8x16(q + 16, d, out + 16);
  }
}

// decodeRow of a weight kept as interleaved blocks (common/interleaved_blocks.h), which then replace its blocks
// (their file pages are released): each block is put back together, then decoded as the type's own.
inline void decodeInterleavedRow(const WeightView& w, int64_t row, int64_t k0, int64_t count, float* dst) {
  const int64_t elements = interleavedBlockElements(w.type);
  alignas(64) uint8_t block[256];  // the largest block of the interleaved types (Q6_K: 210 bytes)
  WeightView one = w;
  one.data = block;
  one.interleaved = nullptr;
  for (int64_t e = 0; e < count; e += elements) {
    interleavedRowBlock(w, row, (k0 + e) / elements, block);
    decodeRow(one, 0, 0, elements, dst + e);
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
