// The AVX2 packer of int8 records (int8_records.h), for the avx2 level: one column's 32 quants per ymm
// from plain loads, an 8 x 8 dword transpose lays 8 columns side by side (the record's vpdpbusd layout),
// the scales are decoded column by column.
#pragma once
#include <cstring>

#include "common/ggml_types.h"
#include "common/int8_panels.h"
#include "common/low_bit_blocks.h"
#include "kernels/dequantize.h"
#include "kernels/int8_record_sources.h"
#include "kernels/iq4_level_vector.h"
#include "kernels/level_common.h"

#if defined(__AVX2__) && !defined(__AVX512BW__)
namespace fastfill {
namespace FASTFILL_LEVEL {

inline __m256i nibblesLow(__m256i v) { return _mm256_and_si256(v, _mm256_set1_epi8(0x0F)); }

inline __m256i load256(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// The 32 quants of K block b of one column (its row at `row`), as bytes: elements 0-15 in the low 128
// bits (the record's vpdpbusd groups 0-3), 16-31 in the high ones (groups 4-7). Layouts as in
// int8_records_avx512.h.
template <int32_t kType>
inline __m256i columnQuants(const uint8_t* row, int64_t b) {
  if constexpr (kType == kTypeQ3_K) {
    // two low bits of qs (bit pair s % 4 of its half s / 4), minus 4 where bit s of hmask is clear
    const uint8_t* block = row + (b / 8) * 110;
    const int s = static_cast<int>(b % 8);
    const __m256i low = _mm256_and_si256(_mm256_srli_epi16(load256(block + 32 + 32 * (s / 4)), 2 * (s % 4)), _mm256_set1_epi8(3));
    const __m256i high = _mm256_and_si256(_mm256_srli_epi16(load256(block), s), _mm256_set1_epi8(1));
    return _mm256_sub_epi8(_mm256_or_si256(low, _mm256_slli_epi16(high, 2)), _mm256_set1_epi8(4));
  } else if constexpr (kType == kTypeIQ4_NL) {
    return iq4LevelVector(row + b * 18 + 2);
  } else if constexpr (kType == kTypeIQ4_XS) {
    return iq4LevelVector(row + (b / 8) * 136 + 8 + 16 * (b % 8));
  } else if constexpr (kType == kTypeQ6_K) {
    const uint8_t* block = row + (b / 8) * 210;
    const int s = static_cast<int>(b % 8), h = s / 4, r = s % 4;
    const __m256i low = nibblesLow(_mm256_srli_epi16(load256(block + 64 * h + 32 * (r % 2)), 4 * (r / 2)));
    const __m256i high = _mm256_and_si256(_mm256_srli_epi16(load256(block + 128 + 32 * h), 2 * r), _mm256_set1_epi8(3));
    return _mm256_sub_epi8(_mm256_or_si256(low, _mm256_slli_epi16(high, 4)), _mm256_set1_epi8(32));
  } else if constexpr (kType == kTypeQ4_K || kType == kTypeQ5_K) {
    constexpr bool fiveBits = kType == kTypeQ5_K;
    const uint8_t* block = row + (b / 8) * kSourceBlockBytes<kType>;
    const int s = static_cast<int>(b % 8);
    __m256i q = nibblesLow(_mm256_srli_epi16(load256(block + (fiveBits ? 48 : 16) + 32 * (s / 2)), 4 * (s % 2)));
    if constexpr (fiveBits) {
      q = _mm256_or_si256(q, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(load256(block + 16), s), _mm256_set1_epi8(1)), 4));
    }
    return q;
  } else {
    const uint8_t* block = row + b * kSourceBlockBytes<kType>;
    if constexpr (kType == kTypeQ8_0) return load256(block + 2);
    constexpr bool withMin = kType == kTypeQ4_1 || kType == kTypeQ5_1;
    constexpr bool fiveBits = kType == kTypeQ5_0 || kType == kTypeQ5_1;
    const uint8_t* high = block + (withMin ? 4 : 2);
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(high + (fiveBits ? 4 : 0)));
    __m256i q = nibblesLow(_mm256_set_m128i(_mm_srli_epi16(packed, 4), packed));
    if constexpr (fiveBits) {
      uint32_t bits;
      std::memcpy(&bits, high, 4);
      q = _mm256_or_si256(q, fifthBitsTimes16(bits));
    }
    constexpr int offset = kType == kTypeQ4_0 ? 8 : kType == kTypeQ5_0 ? 16 : 0;
    if constexpr (offset != 0) q = _mm256_sub_epi8(q, _mm256_set1_epi8(static_cast<char>(offset)));
    return q;
  }
}

// Column c's scales (and min) of K block b into the record, as common/int8_panels.cc computes them.
template <int32_t kType>
inline void columnScales(const uint8_t* row, int64_t b, int c, uint8_t* record) {
  float d[2] = {0.0f, 0.0f}, min = 0.0f;
  if constexpr (kType == kTypeQ3_K) {
    const uint8_t* block = row + (b / 8) * 110;
    const int s = static_cast<int>(b % 8);
    const float scale = loadHalf(block + 108);
    d[0] = scale * static_cast<float>(q3kScale(block + 96, 2 * s) - 32);
    d[1] = scale * static_cast<float>(q3kScale(block + 96, 2 * s + 1) - 32);
  } else if constexpr (kType == kTypeIQ4_NL) {
    d[0] = loadHalf(row + b * 18);
  } else if constexpr (kType == kTypeIQ4_XS) {
    const uint8_t* block = row + (b / 8) * 136;
    d[0] = loadHalf(block) * static_cast<float>(iq4xsScale(block, static_cast<int>(b % 8)) - 32);
  } else if constexpr (kType == kTypeQ6_K) {
    const uint8_t* block = row + (b / 8) * 210;
    const int s = static_cast<int>(b % 8);
    const float scale = loadHalf(block + 208);
    d[0] = scale * static_cast<float>(static_cast<int8_t>(block[192 + 2 * s]));
    d[1] = scale * static_cast<float>(static_cast<int8_t>(block[192 + 2 * s + 1]));
  } else if constexpr (kType == kTypeQ4_K || kType == kTypeQ5_K) {
    const uint8_t* block = row + (b / 8) * kSourceBlockBytes<kType>;
    int scale, minimum;
    kQuantScaleMin(block + 4, static_cast<int>(b % 8), &scale, &minimum);
    d[0] = loadHalf(block) * static_cast<float>(scale);
    min = -(loadHalf(block + 2) * static_cast<float>(minimum));
  } else {
    const uint8_t* block = row + b * kSourceBlockBytes<kType>;
    d[0] = loadHalf(block);
    if constexpr (int8HasMins(kType)) min = loadHalf(block + 2);
  }
  for (int h = 0; h < int8SubBlocks(kType); ++h) std::memcpy(record + kInt8ScalesOffset + 4 * (h * kInt8PanelColumns + c), &d[h], 4);
  if constexpr (int8HasMins(kType)) std::memcpy(record + int8MinsOffset(kType) + 4 * c, &min, 4);
}

// Columns [8 set, 8 set + 8) of a record: in[c] holds column c's quants (groups 0-3 | 4-7); an 8 x 8
// dword transpose gives group g of the 8 columns, stored with the corrections.
template <int32_t kType>
inline void storeColumnSet(const __m256i (&in)[8], __m256i valid, int set, uint8_t* record) {
  __m256i u[8];
  for (int half = 0; half < 2; ++half) {
    const __m256i* r = in + 4 * half;
    const __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
    const __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
    // u[4 half + j]: group j of columns 4 half .. + 3 in the low 128 bits, group 4 + j in the high
    u[4 * half + 0] = _mm256_unpacklo_epi64(t0, t2);
    u[4 * half + 1] = _mm256_unpackhi_epi64(t0, t2);
    u[4 * half + 2] = _mm256_unpacklo_epi64(t1, t3);
    u[4 * half + 3] = _mm256_unpackhi_epi64(t1, t3);
  }
  __m256i sums[2] = {_mm256_setzero_si256(), _mm256_setzero_si256()};
  for (int g = 0; g < 8; ++g) {
    const int j = g % 4;
    const __m256i q = _mm256_and_si256(valid, _mm256_permute2x128_si256(u[j], u[4 + j], g < 4 ? 0x20 : 0x31));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(record + g * 128 + set * 32), q);
    const int sub = int8SubBlocks(kType) == 2 && g >= 4 ? 1 : 0;
    const __m256i pairs = _mm256_maddubs_epi16(_mm256_set1_epi8(1), q);
    sums[sub] = _mm256_add_epi32(sums[sub], _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
  }
  for (int h = 0; h < int8SubBlocks(kType); ++h) {
    const __m256i correction = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(sums[h], 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(record + int8CorrectionOffset(kType) + h * 128 + set * 32), correction);
  }
}

template <int32_t kType>
inline void packInt8RunVector(const WeightView& w, int64_t panel, int64_t block0, int64_t blocks, uint8_t* dst) {
  const int64_t first = panel * kInt8PanelColumns;
  const int columns = static_cast<int>(minI64(kInt8PanelColumns, w.rows - first));
  const uint8_t* rows[kInt8PanelColumns];
  recordSourceRows(w.data + static_cast<size_t>(first) * w.rowBytes, w.rowBytes, columns, rows);
  __m256i valid[4];
  for (int set = 0; set < 4; ++set) {
    const __m256i column = _mm256_add_epi32(_mm256_set1_epi32(8 * set), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    valid[set] = _mm256_cmpgt_epi32(_mm256_set1_epi32(columns), column);
  }
  for (int64_t b = block0; b < block0 + blocks; ++b) {
    if ((b - block0) % 2 == 0) prefetchRecordSources<kType>(rows, columns, b, w.rowBytes);
    uint8_t* record = dst + static_cast<size_t>(b - block0) * int8RecordBytes(kType);
    for (int set = 0; set < 4; ++set) {
      __m256i in[8];
      for (int c = 0; c < 8; ++c) in[c] = columnQuants<kType>(rows[8 * set + c], b);
      storeColumnSet<kType>(in, valid[set], set, record);
    }
    for (int c = 0; c < kInt8PanelColumns; ++c) {
      if (c < columns) {
        columnScales<kType>(rows[c], b, c, record);
      } else {
        const float zero = 0.0f;
        for (int h = 0; h < int8SubBlocks(kType); ++h) std::memcpy(record + kInt8ScalesOffset + 4 * (h * kInt8PanelColumns + c), &zero, 4);
        if constexpr (int8HasMins(kType)) std::memcpy(record + int8MinsOffset(kType) + 4 * c, &zero, 4);
      }
    }
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // __AVX2__ && !__AVX512BW__
