// Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K and Q6_K decoded straight into registers at the avx2 level, 32 elements
// (a "group") at a time, for the fused GEMV of exact-F32 decode (kernels/gemv_groups.h; see quant_groups_avx512.h
// for the interface), with the decoders' own quants and rounding (kernels/dequantize.h: q * d, or one fma q * d + m,
// the nibbles by the same nibbleQuants16). Through memory (gemv.h) Q8_0's F32 GEMV ran at 1.6 weights a cycle here,
// compute-bound. Only for one or two rows of x: with 16 ymm registers more rows spill the accumulators.
// Included by level_avx2.cc after simd_avx2.h.
#pragma once
#include "common/ggml_types.h"
#include "simd/k_quant_scales.h"

#define FASTFILL_QUANT_GROUPS 1

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kGroupVecs = 4;
constexpr int kMaxGroupRows = 2;  // rows of x the fused GEMV takes (more: gemv.h)

template <int32_t Type>
struct Group;
template <int32_t Type>
constexpr bool kHasGroup = Type == kTypeQ8_0 || Type == kTypeQ4_0 || Type == kTypeQ4_1 || Type == kTypeQ5_0 ||
                           Type == kTypeQ5_1 || Type == kTypeQ4_K || Type == kTypeQ5_K || Type == kTypeQ6_K;

struct SingleGroupBlock {
  struct Block {};
  static void prepare(const uint8_t*, Block*) {}
};

inline __m256 groupHalf(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return _mm256_set1_ps(_cvtsh_ss(h));
}

template <>
struct Group<kTypeQ8_0> : SingleGroupBlock {
  static constexpr int kBlockElements = 32, kBlockBytes = 34;
  static void decode(const uint8_t* block, const Block&, int, Vec out[kGroupVecs]) {
    const __m256 d = groupHalf(block);
    for (int i = 0; i < kGroupVecs; ++i) {
      const __m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(block + 2 + 8 * i)));
      out[i].v = _mm256_mul_ps(_mm256_cvtepi32_ps(q), d);
    }
  }
};

// 16 quants (nibbleQuants16, offset already subtracted) as 2 vectors of q * d + m.
inline void quantsToVecs(__m128i q, __m256 d, __m256 m, Vec* out) {
  out[0].v = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q)), d, m);
  out[1].v = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(q, 8))), d, m);
}

// The 4- and 5-bit types: d (and m) as f16 at the block's start, then (kHighBits) 32 fifth bits, then 16 bytes of
// nibbles (element j: the low nibble of byte j, element j + 16 its high nibble); value (q - kOffset) * d + m.
template <int kBytes, bool kHasMin, bool kHighBits, int kOffset>
struct NibbleGroup : SingleGroupBlock {
  static constexpr int kBlockElements = 32, kBlockBytes = kBytes;
  static void decode(const uint8_t* block, const Block&, int, Vec out[kGroupVecs]) {
    const __m256 d = groupHalf(block), m = kHasMin ? groupHalf(block + 2) : _mm256_setzero_ps();
    const uint8_t* after = block + (kHasMin ? 4 : 2);
    alignas(32) uint8_t high[32];
    if constexpr (kHighBits) {
      uint32_t bits;
      std::memcpy(&bits, after, 4);
      bitsToBytes32(bits, high);
    }
    const uint8_t* nibbles = after + (kHighBits ? 4 : 0);
    quantsToVecs(nibbleQuants16(nibbles, 0, kHighBits ? high : nullptr, 0, 1, kOffset), d, m, out);
    quantsToVecs(nibbleQuants16(nibbles, 4, kHighBits ? high + 16 : nullptr, 0, 1, kOffset), d, m, out + 2);
  }
};

template <>
struct Group<kTypeQ4_0> : NibbleGroup<18, false, false, 8> {};
template <>
struct Group<kTypeQ4_1> : NibbleGroup<20, true, false, 0> {};
template <>
struct Group<kTypeQ5_0> : NibbleGroup<22, false, true, 16> {};
template <>
struct Group<kTypeQ5_1> : NibbleGroup<24, true, true, 0> {};

// Sub-block g (32 elements) of a Q4_K / Q5_K block: nibble g % 2 of bytes 32 (g / 2) .., plus (Q5_K) bit g of the
// high-bit bytes as bit 4.
template <int kBytes, bool kHighBits>
struct KQuantGroup {
  static constexpr int kBlockElements = 256, kBlockBytes = kBytes;
  using Block = KScales;
  static void prepare(const uint8_t* block, Block* b) { loadKScales(block, b); }
  static void decode(const uint8_t* block, const Block& b, int g, Vec out[kGroupVecs]) {
    const uint8_t* nibbles = block + (kHighBits ? 48 : 16) + 32 * (g / 2);
    const __m256 d = _mm256_set1_ps(b.d[g]), m = _mm256_set1_ps(b.m[g]);
    for (int c = 0; c < 2; ++c) {
      const uint8_t* high = kHighBits ? block + 16 + 16 * c : nullptr;
      quantsToVecs(nibbleQuants16(nibbles + 16 * c, 4 * (g % 2), high, g, 1, 0), d, m, out + 2 * c);
    }
  }
};

template <>
struct Group<kTypeQ4_K> : KQuantGroup<144, false> {};
template <>
struct Group<kTypeQ5_K> : KQuantGroup<176, true> {};

// Q6_K: group g = 4h + r, 16 elements at a time as decodeQ6_K: nibble r / 2 of ql[64h + 32 (r % 2) + l] and bits 2r,
// 2r + 1 of qh[32h + l], minus 32, times d * scale[e / 16] (an fma with 0, as the decoder).
template <>
struct Group<kTypeQ6_K> {
  static constexpr int kBlockElements = 256, kBlockBytes = 210;
  using Block = Q6KScales;
  static void prepare(const uint8_t* block, Block* b) { loadQ6KScales(block, b); }
  static void decode(const uint8_t* block, const Block& b, int g, Vec out[kGroupVecs]) {
    const int h = g / 4, r = g % 4;
    for (int c = 0; c < 2; ++c) {
      const __m128i q = nibbleQuants16(block + 64 * h + 32 * (r % 2) + 16 * c, 4 * (r / 2), block + 128 + 32 * h + 16 * c, 2 * r, 3, 32);
      quantsToVecs(q, _mm256_set1_ps(b.d[2 * g + c]), _mm256_setzero_ps(), out + 2 * c);
    }
  }
};

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
