// The AVX-512 packer of int8 records (int8_records.h): two columns' 32 quants per zmm from plain loads,
// an 8 x 8 dword transpose per 256 bits lays 16 columns side by side (the record's vpdpbusd layout),
// the scales come from gathers (once per super-block for the K-quants).
#pragma once
#include <cstring>

#include "common/ggml_types.h"
#include "common/int8_panels.h"
#include "kernels/int8_record_sources.h"
#include "kernels/level_common.h"

#ifdef __AVX512BW__
namespace fastfill {
namespace FASTFILL_LEVEL {

// Gathers of 4 bytes at one offset into each of 16 columns' rows (the blocks' scales; the quants
// take plain loads: a gather costs as much as about 25 other instructions here).
struct RecordColumns {
  const uint8_t* row0;  // the first column's row
  __m512i offsets;      // c * rowBytes
  __mmask16 valid;

  __m512i at(int64_t byteOffset) const {
    return _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), valid, offsets, row0 + byteOffset, 1);
  }
  // The f16 in the low (high: true) half of each dword at byteOffset, as F32.
  __m512 halfAt(int64_t byteOffset, bool high) const {
    __m512i v = at(byteOffset);
    if (high) v = _mm512_srli_epi32(v, 16);
    return _mm512_cvtph_ps(_mm512_cvtepi32_epi16(v));
  }
};

// The scale fields of the super-block the last record came from, per half (K-quants).
struct SuperBlockScales {
  int64_t index = -1;
  __m512i field[5];
};

inline __m512i nibblesLow(__m512i v) { return _mm512_and_si512(v, _mm512_set1_epi8(0x0F)); }

// Two 256-bit halves: a (low) and z (high).
inline __m512i joined(__m256i a, __m256i z) { return _mm512_inserti64x4(_mm512_castsi256_si512(a), z, 1); }

// The 32 quants of K block b of two columns (their rows at a and z), as bytes: column a's elements 0-15
// in 128-bit lane 0 and 16-31 in lane 1 (the record's vpdpbusd groups 0-3 and 4-7), column z's in lanes
// 2 and 3. Q4_0 / Q5_0 / Q4_1 / Q5_1: f16 d, (f16 min), (32 fifth bits, element e at bit e), 16 bytes of
// nibbles (element j < 16 in the low nibble of byte j, j + 16 in its high one); Q8_0: f16 d, 32 int8s.
template <int32_t kType>
inline __m512i smallBlockQuants(const uint8_t* a, const uint8_t* z, int64_t b) {
  const int64_t block = b * kSourceBlockBytes<kType>;
  if constexpr (kType == kTypeQ8_0) {
    return joined(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + block + 2)),
                  _mm256_loadu_si256(reinterpret_cast<const __m256i*>(z + block + 2)));
  }
  constexpr bool withMin = kType == kTypeQ4_1 || kType == kTypeQ5_1;
  constexpr bool fiveBits = kType == kTypeQ5_0 || kType == kTypeQ5_1;
  constexpr int64_t high = withMin ? 4 : 2, nibbles = high + (fiveBits ? 4 : 0);
  const __m512i both = _mm512_mask_broadcast_i32x4(
      _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + block + nibbles))), 0xFF00,
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(z + block + nibbles)));
  // lanes 1 and 3 take the high nibbles
  __m512i q = nibblesLow(_mm512_srlv_epi16(both, _mm512_setr_epi64(0, 0, 0x0004000400040004, 0x0004000400040004, 0, 0,
                                                                     0x0004000400040004, 0x0004000400040004)));
  if constexpr (fiveBits) {
    uint32_t bitsA, bitsZ;
    std::memcpy(&bitsA, a + block + high, 4);
    std::memcpy(&bitsZ, z + block + high, 4);
    const __mmask64 bits = _cvtu64_mask64(static_cast<uint64_t>(bitsA) | (static_cast<uint64_t>(bitsZ) << 32));
    q = _mm512_or_si512(q, _mm512_maskz_mov_epi8(bits, _mm512_set1_epi8(16)));
  }
  constexpr int offset = kType == kTypeQ4_0 ? 8 : kType == kTypeQ5_0 ? 16 : 0;
  if constexpr (offset != 0) q = _mm512_sub_epi8(q, _mm512_set1_epi8(static_cast<char>(offset)));
  return q;
}

inline __m512i load2x256(const uint8_t* a, const uint8_t* z) {
  return joined(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a)), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(z)));
}

// Sub-block s of a Q4_K / Q5_K super-block (layouts as kernels/dequantize.h), two columns as above:
// nibble s % 2 of bytes 32 (s / 2) + j, plus (Q5_K) bit s of high-bit byte j as bit 4.
template <bool fiveBits>
inline __m512i kQuantQuants(const uint8_t* a, const uint8_t* z, int64_t b) {
  const int64_t block = (b / 8) * kSourceBlockBytes<fiveBits ? kTypeQ5_K : kTypeQ4_K>;
  const int s = static_cast<int>(b % 8);
  const int64_t nibbles = block + (fiveBits ? 48 : 16) + 32 * (s / 2);
  __m512i q = nibblesLow(_mm512_srli_epi16(load2x256(a + nibbles, z + nibbles), 4 * (s % 2)));
  if constexpr (fiveBits) {
    const __m512i high = load2x256(a + block + 16, z + block + 16);
    q = _mm512_or_si512(q, _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(high, s), _mm512_set1_epi8(1)), 4));
  }
  return q;
}

// Elements [32 s, 32 s + 32) of a Q6_K super-block (layout as kernels/dequantize.h: decodeQ6_K), two
// columns as above: (4-bit part | 2 high bits << 4) - 32.
inline __m512i q6kQuants(const uint8_t* a, const uint8_t* z, int64_t b) {
  const int64_t block = (b / 8) * 210;
  const int s = static_cast<int>(b % 8), h = s / 4, r = s % 4;
  const int64_t lowAt = block + 64 * h + 32 * (r % 2), highAt = block + 128 + 32 * h;
  const __m512i low = nibblesLow(_mm512_srli_epi16(load2x256(a + lowAt, z + lowAt), 4 * (r / 2)));
  const __m512i high = _mm512_and_si512(_mm512_srli_epi16(load2x256(a + highAt, z + highAt), 2 * r), _mm512_set1_epi8(3));
  return _mm512_sub_epi8(_mm512_or_si512(low, _mm512_slli_epi16(high, 4)), _mm512_set1_epi8(32));
}

template <int32_t kType>
inline __m512i columnPairQuants(const uint8_t* a, const uint8_t* z, int64_t b) {
  if constexpr (kType == kTypeQ6_K) return q6kQuants(a, z, b);
  else if constexpr (kType == kTypeQ4_K || kType == kTypeQ5_K) return kQuantQuants<kType == kTypeQ5_K>(a, z, b);
  else return smallBlockQuants<kType>(a, z, b);
}

// Byte j of each dword, as int32.
inline __m512i byteOf(__m512i v, int j) { return _mm512_and_si512(_mm512_srli_epi32(v, 8 * j), _mm512_set1_epi32(255)); }

// Writes one half (16 columns) of a record: the quants and their corrections, the scales, the mins.
template <int32_t kType>
class RecordHalfWriter {
 public:
  RecordHalfWriter(uint8_t* record, int half, __mmask16 valid) : record_(record + half * 64), valid_(valid) {}

  // in[i]: the quants of columns i and i + 4 (i < 4), or 8 + (i - 4) and 12 + (i - 4), 256 bits each.
  // An 8 x 8 dword transpose per 256 bits, in two unpack stages and one 128-bit lane shuffle, turns
  // them into the record's layout: group g of the 16 columns side by side.
  void quants(const __m512i (&in)[8]) {
    __m512i u[8], group[8];
#pragma GCC unroll 2
    for (int set = 0; set < 2; ++set) {
      const __m512i* r = in + 4 * set;
      const __m512i t0 = _mm512_unpacklo_epi32(r[0], r[1]), t1 = _mm512_unpackhi_epi32(r[0], r[1]);
      const __m512i t2 = _mm512_unpacklo_epi32(r[2], r[3]), t3 = _mm512_unpackhi_epi32(r[2], r[3]);
      // u[4 set + j]: group j in 128-bit lanes 0 and 2, group 4 + j in lanes 1 and 3
      u[4 * set + 0] = _mm512_unpacklo_epi64(t0, t2);
      u[4 * set + 1] = _mm512_unpackhi_epi64(t0, t2);
      u[4 * set + 2] = _mm512_unpacklo_epi64(t1, t3);
      u[4 * set + 3] = _mm512_unpackhi_epi64(t1, t3);
    }
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      group[j] = _mm512_shuffle_i32x4(u[j], u[4 + j], _MM_SHUFFLE(2, 0, 2, 0));
      group[4 + j] = _mm512_shuffle_i32x4(u[j], u[4 + j], _MM_SHUFFLE(3, 1, 3, 1));
    }
    __m512i sums[2] = {_mm512_setzero_si512(), _mm512_setzero_si512()};
#pragma GCC unroll 8
    for (int g = 0; g < 8; ++g) {
      const __m512i q = _mm512_maskz_mov_epi32(valid_, group[g]);
      _mm512_storeu_si512(record_ + g * 128, q);
      const int sub = kSubBlocks == 2 && g >= 4 ? 1 : 0;
#ifdef __AVX512VNNI__
      sums[sub] = _mm512_dpbusd_epi32(sums[sub], _mm512_set1_epi8(1), q);
#else
      const __m512i pairs = _mm512_maddubs_epi16(_mm512_set1_epi8(1), q);
      sums[sub] = _mm512_add_epi32(sums[sub], _mm512_madd_epi16(pairs, _mm512_set1_epi16(1)));
#endif
    }
#pragma GCC unroll 2
    for (int h = 0; h < kSubBlocks; ++h) {
      const __m512i correction = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_slli_epi32(sums[h], 7));
      _mm512_storeu_si512(record_ + int8CorrectionOffset(kType) + h * 128, correction);
    }
  }
  void floats(int offset, __m512 v) {
    _mm512_storeu_ps(reinterpret_cast<float*>(record_ + offset), _mm512_maskz_mov_ps(valid_, v));
  }

 private:
  static constexpr int kSubBlocks = int8SubBlocks(kType);
  uint8_t* record_;  // where this half's columns start
  __mmask16 valid_;
};

// The scales (and mins) of block b for 16 columns.
template <int32_t kType>
inline void smallBlockScales(const RecordColumns& src, int64_t b, RecordHalfWriter<kType>& out) {
  const int64_t block = b * kSourceBlockBytes<kType>;
  out.floats(kInt8ScalesOffset, src.halfAt(block, false));
  if constexpr (int8HasMins(kType)) out.floats(int8MinsOffset(kType), src.halfAt(block, true));
}

// d * scale_s and -(dmin * min_s) of sub-block s from the 6-bit packed scales (kQuantScaleMin).
template <int32_t kType>
inline void kQuantScales(const RecordColumns& src, int64_t b, SuperBlockScales& cache, RecordHalfWriter<kType>& out) {
  const int64_t superBlock = b / 8;
  if (cache.index != superBlock) {
    const int64_t block = superBlock * kSourceBlockBytes<kType>;
    for (int f = 0; f < 4; ++f) cache.field[f] = src.at(block + 4 * f);
    cache.index = superBlock;
  }
  const __m512i dd = cache.field[0], packed0 = cache.field[1], packed1 = cache.field[2], packed2 = cache.field[3];
  const int s = static_cast<int>(b % 8), j = s % 4;
  __m512i scale, min;
  if (s < 4) {
    scale = _mm512_and_si512(byteOf(packed0, j), _mm512_set1_epi32(63));
    min = _mm512_and_si512(byteOf(packed1, j), _mm512_set1_epi32(63));
  } else {
    const __m512i last = byteOf(packed2, j);
    scale = _mm512_or_si512(_mm512_and_si512(last, _mm512_set1_epi32(15)),
                            _mm512_slli_epi32(_mm512_srli_epi32(byteOf(packed0, j), 6), 4));
    min = _mm512_or_si512(_mm512_srli_epi32(last, 4), _mm512_slli_epi32(_mm512_srli_epi32(byteOf(packed1, j), 6), 4));
  }
  const __m512 d = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(dd));
  const __m512 dmin = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32(dd, 16)));
  out.floats(kInt8ScalesOffset, _mm512_mul_ps(d, _mm512_cvtepi32_ps(scale)));
  const __m512 negativeMin = _mm512_mul_ps(dmin, _mm512_cvtepi32_ps(min));
  out.floats(int8MinsOffset(kType), _mm512_xor_ps(negativeMin, _mm512_set1_ps(-0.0f)));
}

// Q6_K: d * scales[2 s + h] for its two sub-blocks of 16.
inline void q6kScales(const RecordColumns& src, int64_t b, SuperBlockScales& cache, RecordHalfWriter<kTypeQ6_K>& out) {
  const int64_t superBlock = b / 8;
  if (cache.index != superBlock) {
    const int64_t block = superBlock * 210;
    for (int f = 0; f < 4; ++f) cache.field[f] = src.at(block + 192 + 4 * f);
    cache.field[4] = src.at(block + 206);  // the last scales and d
    cache.index = superBlock;
  }
  const int s = static_cast<int>(b % 8);
  const __m512 d = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32(cache.field[4], 16)));
  for (int sub = 0; sub < 2; ++sub) {
    const int byte = (2 * s + sub) % 4;
    const __m512i scale = _mm512_srai_epi32(_mm512_slli_epi32(cache.field[s / 2], 24 - 8 * byte), 24);
    out.floats(kInt8ScalesOffset + sub * 128, _mm512_mul_ps(d, _mm512_cvtepi32_ps(scale)));
  }
}

template <int32_t kType>
inline void packInt8RunVector(const WeightView& w, int64_t panel, int64_t block0, int64_t blocks, uint8_t* dst) {
  const int64_t first = panel * kInt8PanelColumns;
  const int columns = static_cast<int>(minI64(kInt8PanelColumns, w.rows - first));
  const uint8_t* firstRow = w.data + static_cast<size_t>(first) * w.rowBytes;
  RecordColumns src[2];
  SuperBlockScales scales[2];
  for (int half = 0; half < 2; ++half) {
    const int valid = static_cast<int>(minI64(16, maxI64(0, columns - 16 * half)));
    src[half].row0 = firstRow + static_cast<size_t>(16 * half) * w.rowBytes;
    src[half].offsets = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                           _mm512_set1_epi32(static_cast<int32_t>(w.rowBytes)));
    src[half].valid = static_cast<__mmask16>((1u << valid) - 1);
  }
  const uint8_t* rows[kInt8PanelColumns];
  recordSourceRows(firstRow, w.rowBytes, columns, rows);
  for (int64_t b = block0; b < block0 + blocks; ++b) {
    if ((b - block0) % 2 == 0) prefetchRecordSources<kType>(rows, columns, b, w.rowBytes);
    uint8_t* record = dst + static_cast<size_t>(b - block0) * int8RecordBytes(kType);
    for (int half = 0; half < 2; ++half) {
      RecordHalfWriter<kType> out(record, half, src[half].valid);
      __m512i in[8];
      for (int i = 0; i < 8; ++i) {
        const int c = 16 * half + (i < 4 ? i : 4 + i);  // and c + 4
        in[i] = columnPairQuants<kType>(rows[c], rows[c + 4], b);
      }
      out.quants(in);
      if constexpr (kType == kTypeQ6_K) q6kScales(src[half], b, scales[half], out);
      else if constexpr (kType == kTypeQ4_K || kType == kTypeQ5_K) kQuantScales(src[half], b, scales[half], out);
      else smallBlockScales(src[half], b, out);
    }
  }
}
}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // __AVX512BW__
