// What the int8 record packers (int8_records_avx512.h, int8_records_avx2.h) read: the source blocks of
// each int8 type, a panel's 32 rows, and their prefetch; the Q5 fifth bits as bytes (also the int8 GEMV's).
#pragma once
#include <type_traits>

#include "common/ggml_types.h"
#include "common/int8_panels.h"
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

// A source block of kType: its bytes and its K blocks of 32.
template <int32_t kType>
constexpr int64_t kSourceBlockBytes = kType == kTypeQ8_0 ? 34 : kType == kTypeQ4_0 || kType == kTypeIQ4_NL ? 18
                                    : kType == kTypeQ5_0 ? 22 : kType == kTypeQ4_1 ? 20 : kType == kTypeQ5_1 ? 24
                                    : kType == kTypeQ4_K ? 144 : kType == kTypeQ5_K ? 176 : kType == kTypeQ3_K ? 110
                                    : kType == kTypeIQ4_XS ? 136 : 210;
template <int32_t kType>
constexpr int64_t kSourceBlocks = kType == kTypeQ4_K || kType == kTypeQ5_K || kType == kTypeQ6_K || kType == kTypeQ3_K ||
                                  kType == kTypeIQ4_XS ? 8 : 1;

// The rows of a panel's 32 columns; columns past the weight's last row read its first row instead
// (their quants are masked out).
inline void recordSourceRows(const uint8_t* firstRow, size_t rowBytes, int columns, const uint8_t* (&rows)[kInt8PanelColumns]) {
  for (int c = 0; c < kInt8PanelColumns; ++c) rows[c] = firstRow + static_cast<size_t>(c < columns ? c : 0) * rowBytes;
}

constexpr int64_t kRecordPrefetchBytes = 256;

// The 32 rows are read side by side: left to the caches' own prefetchers, their misses cost the model's
// prefill 4-6 %. Called every other block (at most 53 bytes apart), it reaches every line.
template <int32_t kType>
inline void prefetchRecordSources(const uint8_t* const (&rows)[kInt8PanelColumns], int columns, int64_t b, size_t rowBytes) {
  const int64_t ahead = minI64(static_cast<int64_t>(rowBytes) - 1, b * kSourceBlockBytes<kType> / kSourceBlocks<kType> + kRecordPrefetchBytes);
  for (int c = 0; c < columns; ++c) __builtin_prefetch(rows[c] + ahead, 0, 3);
}

#ifdef __AVX2__
// 16 * the fifth bit of each element, as 32 bytes in element order.
inline __m256i fifthBitsTimes16(uint32_t bits) {
#if defined(__AVX512BW__) && defined(__AVX512VL__)
  return _mm256_maskz_mov_epi8(bits, _mm256_set1_epi8(16));
#else
  // byte e takes the byte of bits that holds bit e, then tests bit e % 8 of it
  const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int32_t>(bits)),
                                             _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                                                              2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
  const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
  return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit), _mm256_set1_epi8(16));
#endif
}
#endif

// Calls f(std::integral_constant<int32_t, type>{}) for an int8 type; false for any other.
template <class F>
inline bool withInt8Type(int32_t type, const F& f) {
  switch (type) {
    case kTypeQ8_0: f(std::integral_constant<int32_t, kTypeQ8_0>{}); return true;
    case kTypeQ4_0: f(std::integral_constant<int32_t, kTypeQ4_0>{}); return true;
    case kTypeQ5_0: f(std::integral_constant<int32_t, kTypeQ5_0>{}); return true;
    case kTypeQ4_1: f(std::integral_constant<int32_t, kTypeQ4_1>{}); return true;
    case kTypeQ5_1: f(std::integral_constant<int32_t, kTypeQ5_1>{}); return true;
    case kTypeQ4_K: f(std::integral_constant<int32_t, kTypeQ4_K>{}); return true;
    case kTypeQ5_K: f(std::integral_constant<int32_t, kTypeQ5_K>{}); return true;
    case kTypeQ6_K: f(std::integral_constant<int32_t, kTypeQ6_K>{}); return true;
    default: return false;
  }
}

// As withInt8Type for the int8 types only the AVX2 packer packs with vectors (Q3_K, IQ4_NL, IQ4_XS; the
// AVX-512 levels take the plain form for them).
template <class F>
inline bool withAvx2OnlyInt8Type(int32_t type, const F& f) {
  switch (type) {
    case kTypeQ3_K: f(std::integral_constant<int32_t, kTypeQ3_K>{}); return true;
    case kTypeIQ4_NL: f(std::integral_constant<int32_t, kTypeIQ4_NL>{}); return true;
    case kTypeIQ4_XS: f(std::integral_constant<int32_t, kTypeIQ4_XS>{}); return true;
    default: return false;
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
