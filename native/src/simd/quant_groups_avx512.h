// Block-quantized weights decoded straight into registers, 32 elements (a "group") at a time:
// Group<Type>::decode(...) writes elements [32g, 32g + 32) of one block as 2 vectors,
// with the same value and rounding as the decoders in kernels/dequantize.h (one fma or mul per
// element). Used by the fused GEMV (kernels/gemv.h). Included by level_avx512.cc after
// simd_avx512.h; layouts and formulas are ggml's (see kernels/dequantize.h).
#pragma once
#include "common/ggml_types.h"
#include "simd/k_quant_scales.h"

#define FASTFILL_QUANT_GROUPS 1

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kGroupVecs = 2;
constexpr int kMaxGroupRows = 64;  // rows of x the fused GEMV takes: any (matmul sends it fewer than kGemmMinRows)

inline float groupHalf(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return _cvtsh_ss(h);
}

// 16 bytes as 16 dword lanes.
inline __m512i bytesToLanes(const uint8_t* p) { return _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); }

// (q * d + m) for integer lanes q.
inline Vec scaleLanes(__m512i q, __m512 d, __m512 m) { return {_mm512_fmadd_ps(_mm512_cvtepi32_ps(q), d, m)}; }

inline __m512i lowNibbles(__m512i bytes) { return _mm512_and_si512(bytes, _mm512_set1_epi32(15)); }

// The 16 values q * d + m of a 4-bit group, for lookups by nibble (vpermps reads only the low 4
// bits of each index lane, so a byte's low nibble needs no mask). Same fma as scaleLanes.
inline __m512 nibbleTable(__m512 d, __m512 m) {
  const __m512 iota = _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  return _mm512_fmadd_ps(iota, d, m);
}
inline Vec lookUp(__m512i index, __m512 table) { return {_mm512_permutexvar_ps(index, table)}; }
inline __m512i highNibbles(__m512i bytes) { return _mm512_srli_epi32(bytes, 4); }

// lanes | 16 where bit i of bits is set
inline __m512i addBit4(__m512i lanes, uint32_t bits) {
  return _mm512_mask_or_epi32(lanes, static_cast<__mmask16>(bits), lanes, _mm512_set1_epi32(16));
}

// Group<Type>: kBlockElements, kBlockBytes; Block (what prepare() reads once per block, e.g.
// the unpacked scales of a K-quant); decode(block, prepared, g, out).
template <int32_t Type>
struct Group;
template <int32_t Type>
constexpr bool kHasGroup = true;  // every type matmul sends here (gemvGroups' switch) has its Group below

// Types of one group per block decode everything in decode().
struct SingleGroupBlock {
  struct Block {};
  static void prepare(const uint8_t*, Block*) {}
};

template <>
struct Group<kTypeQ8_0> : SingleGroupBlock {
  static constexpr int kBlockElements = 32, kBlockBytes = 34;
  static void decode(const uint8_t* block, const Block&, int, Vec out[2]) {
    const __m512 d = _mm512_set1_ps(groupHalf(block));
    for (int i = 0; i < 2; ++i) {
      const __m512i q = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 2 + 16 * i)));
      out[i].v = _mm512_mul_ps(_mm512_cvtepi32_ps(q), d);
    }
  }
};

template <>
struct Group<kTypeQ4_0> : SingleGroupBlock {
  static constexpr int kBlockElements = 32, kBlockBytes = 18;
  static void decode(const uint8_t* block, const Block&, int, Vec out[2]) {
    const float d = groupHalf(block);
    const __m512 table = nibbleTable(_mm512_set1_ps(d), _mm512_set1_ps(-8.0f * d));  // (q - 8) d, rounded once
    const __m512i bytes = bytesToLanes(block + 2);
    out[0] = lookUp(bytes, table);
    out[1] = lookUp(highNibbles(bytes), table);
  }
};

template <>
struct Group<kTypeQ4_1> : SingleGroupBlock {
  static constexpr int kBlockElements = 32, kBlockBytes = 20;
  static void decode(const uint8_t* block, const Block&, int, Vec out[2]) {
    const __m512 table = nibbleTable(_mm512_set1_ps(groupHalf(block)), _mm512_set1_ps(groupHalf(block + 2)));
    const __m512i bytes = bytesToLanes(block + 4);
    out[0] = lookUp(bytes, table);
    out[1] = lookUp(highNibbles(bytes), table);
  }
};

template <>
struct Group<kTypeQ5_0> : SingleGroupBlock {
  static constexpr int kBlockElements = 32, kBlockBytes = 22;
  static void decode(const uint8_t* block, const Block&, int, Vec out[2]) {
    const float d = groupHalf(block);
    const __m512 dv = _mm512_set1_ps(d), m = _mm512_set1_ps(-16.0f * d);
    uint32_t high;
    std::memcpy(&high, block + 2, 4);
    const __m512i bytes = bytesToLanes(block + 6);
    out[0] = scaleLanes(addBit4(lowNibbles(bytes), high), dv, m);
    out[1] = scaleLanes(addBit4(highNibbles(bytes), high >> 16), dv, m);
  }
};

template <>
struct Group<kTypeQ5_1> : SingleGroupBlock {
  static constexpr int kBlockElements = 32, kBlockBytes = 24;
  static void decode(const uint8_t* block, const Block&, int, Vec out[2]) {
    const __m512 d = _mm512_set1_ps(groupHalf(block)), m = _mm512_set1_ps(groupHalf(block + 2));
    uint32_t high;
    std::memcpy(&high, block + 4, 4);
    const __m512i bytes = bytesToLanes(block + 8);
    out[0] = scaleLanes(addBit4(lowNibbles(bytes), high), d, m);
    out[1] = scaleLanes(addBit4(highNibbles(bytes), high >> 16), d, m);
  }
};

// 16 signed bytes (q values already offset) as float lanes times d.
inline Vec scaleBytes(__m128i q, __m512 d) { return {_mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q)), d)}; }

// Q4_K / Q5_K: sub-block g = 2p + h is nibble h of bytes 32p .. 32p+31 [plus bit g of the 32
// high-bit bytes]; value = q * d * scale_g - dmin * min_g.
inline void decodeKGroup(const uint8_t* highBits, const uint8_t* nibbles, const KScales& s, int g, Vec out[2]) {
  const __m256i bytes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(nibbles + 32 * (g / 2)));
  const __m256i low4 = _mm256_set1_epi8(15);
  __m256i q = g % 2 == 0 ? _mm256_and_si256(bytes, low4) : _mm256_and_si256(_mm256_srli_epi16(bytes, 4), low4);
  if (highBits != nullptr) {
    const __m256i high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(highBits));
    const __m256i bit = _mm256_and_si256(_mm256_srl_epi16(high, _mm_cvtsi32_si128(g)), _mm256_set1_epi8(1));
    q = _mm256_or_si256(q, _mm256_slli_epi16(bit, 4));  // bit <= 1: stays inside its byte
  }
  const __m512 d = _mm512_set1_ps(s.d[g]), m = _mm512_set1_ps(s.m[g]);
  out[0] = scaleLanes(_mm512_cvtepu8_epi32(_mm256_castsi256_si128(q)), d, m);
  out[1] = scaleLanes(_mm512_cvtepu8_epi32(_mm256_extracti128_si256(q, 1)), d, m);
}

template <>
struct Group<kTypeQ4_K> {
  static constexpr int kBlockElements = 256, kBlockBytes = 144;
  using Block = KScales;
  static void prepare(const uint8_t* block, Block* b) { loadKScales(block, b); }
  static void decode(const uint8_t* block, const Block& b, int g, Vec out[2]) {
    const __m512 table = nibbleTable(_mm512_set1_ps(b.d[g]), _mm512_set1_ps(b.m[g]));
    const uint8_t* bytes = block + 16 + 32 * (g / 2);
    for (int i = 0; i < 2; ++i) {
      const __m512i lanes = bytesToLanes(bytes + 16 * i);
      out[i] = lookUp(g % 2 == 0 ? lanes : highNibbles(lanes), table);
    }
  }
};

template <>
struct Group<kTypeQ5_K> {
  static constexpr int kBlockElements = 256, kBlockBytes = 176;
  using Block = KScales;
  static void prepare(const uint8_t* block, Block* b) { loadKScales(block, b); }
  static void decode(const uint8_t* block, const Block& b, int g, Vec out[2]) {
    decodeKGroup(block + 16, block + 48, b, g, out);
  }
};

// Q6_K: group g = 4h + r takes, for l < 32, nibble r/2 of ql[64h + 32(r%2) + l] and bits 2r, 2r+1
// of qh[32h + l]; element e = 32g + l has value d * scale[e / 16] * (q - 32).
template <>
struct Group<kTypeQ6_K> {
  static constexpr int kBlockElements = 256, kBlockBytes = 210;
  using Block = Q6KScales;
  static void prepare(const uint8_t* block, Block* b) { loadQ6KScales(block, b); }
  static void decode(const uint8_t* block, const Block& b, int g, Vec out[2]) {
    const int h = g / 4, r = g % 4;
    const __m256i low = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 64 * h + 32 * (r % 2)));
    const __m256i high = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 128 + 32 * h));
    const __m256i low4 = _mm256_and_si256(_mm256_srl_epi16(low, _mm_cvtsi32_si128(4 * (r / 2))), _mm256_set1_epi8(15));
    const __m256i high2 = _mm256_and_si256(_mm256_srl_epi16(high, _mm_cvtsi32_si128(2 * r)), _mm256_set1_epi8(3));
    const __m256i q = _mm256_sub_epi8(_mm256_or_si256(low4, _mm256_slli_epi16(high2, 4)), _mm256_set1_epi8(32));
    out[0] = scaleBytes(_mm256_castsi256_si128(q), _mm512_set1_ps(b.d[2 * g]));
    out[1] = scaleBytes(_mm256_extracti128_si256(q, 1), _mm512_set1_ps(b.d[2 * g + 1]));
  }
};

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
