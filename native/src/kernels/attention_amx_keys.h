// The keys and values of one step of kernels/attention_amx.h, copied into the layouts its tiles read:
// keys transposed (d pairs x step keys, the B operand of S = Q K^T) and values as key pairs (the B
// operand of P V), bf16, zero for the keys a run lacks. From a bf16 cache they move as uint32 pairs
// (keys transposed 16 x 16 in registers); from an F32 or F16 cache they are rounded to bf16 first.
#pragma once
#include "common/half_float.h"
#include "kernels/attention_step.h"
#include "kernels/gemm_amx.h"  // FASTFILL_AMX_TILES

#ifdef FASTFILL_AMX_TILES
namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int64_t kAmxAttentionMaxHeadDim = 256;

// Key j of the run at slot0 as bf16 (headDim of them) at dst, from whichever cache is set.
inline void amxKeyRow(const AttentionArgs& a, int64_t slot, int64_t headOffset, uint16_t* dst) {
  const int64_t rowStride = static_cast<int64_t>(a.nKvHeads) * a.headDim, at = slot * rowStride + headOffset;
  if (a.kCacheBf16 != nullptr) {
    std::memcpy(dst, a.kCacheBf16 + at, static_cast<size_t>(a.headDim) * 2);
    return;
  }
  alignas(64) float wide[kAmxAttentionMaxHeadDim];
  const float* row = a.kCache != nullptr ? a.kCache + at : wide;
  if (a.kCache == nullptr) halvesToFloats(reinterpret_cast<const uint8_t*>(a.kCacheF16 + at), wide, a.headDim);
  for (int64_t d = 0; d < a.headDim; d += 32) {
    _mm512_storeu_si512(dst + d, (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(row + d + 16), _mm512_loadu_ps(row + d)));
  }
}

// Value d of slot (bf16 bits), from whichever cache is set.
inline void amxValueRow(const AttentionArgs& a, int64_t slot, int64_t headOffset, uint16_t* dst) {
  const int64_t rowStride = static_cast<int64_t>(a.nKvHeads) * a.headDim;
  if (a.vCacheBf16 != nullptr) {
    const uint16_t* v = a.vCacheBf16 + 2 * (slot / 2 * rowStride + headOffset) + slot % 2;
    for (int64_t d = 0; d < a.headDim; ++d) dst[d] = v[2 * d];
    return;
  }
  alignas(64) float wide[kAmxAttentionMaxHeadDim];
  const int64_t at = slot * rowStride + headOffset;
  const float* row = a.vCache != nullptr ? a.vCache + at : wide;
  if (a.vCache == nullptr) halvesToFloats(reinterpret_cast<const uint8_t*>(a.vCacheF16 + at), wide, a.headDim);
  for (int64_t d = 0; d < a.headDim; d += 32) {
    _mm512_storeu_si512(dst + d, (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(row + d + 16), _mm512_loadu_ps(row + d)));
  }
}

// rows[i] lane j becomes rows[j] lane i (16 x 16 uint32).
inline void transpose16x16(__m512i (&rows)[16]) {
  __m512i t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_epi32(rows[i], rows[i + 1]);
    t[i + 1] = _mm512_unpackhi_epi32(rows[i], rows[i + 1]);
  }
  for (int i = 0; i < 16; i += 4) {
    rows[i] = _mm512_unpacklo_epi64(t[i], t[i + 2]);
    rows[i + 1] = _mm512_unpackhi_epi64(t[i], t[i + 2]);
    rows[i + 2] = _mm512_unpacklo_epi64(t[i + 1], t[i + 3]);
    rows[i + 3] = _mm512_unpackhi_epi64(t[i + 1], t[i + 3]);
  }
  for (int i = 0; i < 16; i += 8) {
    for (int j = 0; j < 4; ++j) {
      t[i + j] = _mm512_shuffle_i32x4(rows[i + j], rows[i + j + 4], 0x88);
      t[i + j + 4] = _mm512_shuffle_i32x4(rows[i + j], rows[i + j + 4], 0xdd);
    }
  }
  for (int j = 0; j < 8; ++j) {
    rows[j] = _mm512_shuffle_i32x4(t[j], t[j + 8], 0x88);
    rows[j + 8] = _mm512_shuffle_i32x4(t[j], t[j + 8], 0xdd);
  }
}

// The step's keys and values, tile-ready: keyT[(i * kStepKeys + key) * 2 + h] = k[key][2i + h] and
// valueP[((key / 2) * headDim + d) * 2 + key % 2] = v[key][d], zero for keys a run lacks (run h of
// the step holds step keys [h * kRunKeys, h * kRunKeys + keys[h])).
inline void amxStepKeys(const AttentionArgs& a, const int64_t* slot0, const int64_t* keys, int nRuns, int64_t headOffset,
                        uint16_t* keyT, uint16_t* valueP) {
  const int64_t headDim = a.headDim;
  std::memset(keyT, 0, static_cast<size_t>(headDim * kStepKeys) * 2);
  std::memset(valueP, 0, static_cast<size_t>(headDim * kStepKeys) * 2);
  if (a.kCacheBf16 != nullptr) {  // in the cache already as bf16 key rows and value pairs: copy as pairs (uint32)
    const int64_t rowStride = static_cast<int64_t>(a.nKvHeads) * headDim, pairs = headDim / 2;
    uint32_t* keyT32 = reinterpret_cast<uint32_t*>(keyT);
    uint32_t* valueP32 = reinterpret_cast<uint32_t*>(valueP);
    for (int h = 0; h < nRuns; ++h) {
      const uint32_t* k = reinterpret_cast<const uint32_t*>(a.kCacheBf16 + slot0[h] * rowStride + headOffset);
      for (int64_t i0 = 0; i0 < pairs; i0 += 16) {  // 16 d pairs x the run's keys, transposed in registers
        __m512i rows[16];
        for (int j = 0; j < kRunKeys; ++j) {
          rows[j] = j < keys[h] ? _mm512_loadu_si512(k + j * rowStride / 2 + i0) : _mm512_setzero_si512();
        }
        transpose16x16(rows);
        for (int i = 0; i < 16; ++i) _mm512_storeu_si512(keyT32 + (i0 + i) * kStepKeys + h * kRunKeys, rows[i]);
      }
      // slot0 is even (runs start at multiples of kRunKeys in blocks of an even size): pair i of the run is
      // cache pair slot0 / 2 + i; the odd half of an odd run's last pair is another slot, masked to 0
      for (int64_t i = 0; 2 * i < keys[h]; ++i) {
        const uint32_t* v = reinterpret_cast<const uint32_t*>(a.vCacheBf16) + (slot0[h] / 2 + i) * rowStride + headOffset;
        uint32_t* dst = valueP32 + (h * kRunKeys / 2 + i) * headDim;
        const uint32_t keep = 2 * i + 1 < keys[h] ? 0xFFFFFFFFu : 0xFFFFu;
        for (int64_t d = 0; d < headDim; ++d) dst[d] = v[d] & keep;
      }
    }
    return;
  }
  alignas(64) uint16_t row[kAmxAttentionMaxHeadDim];
  for (int h = 0; h < nRuns; ++h) {
    for (int64_t j = 0; j < keys[h]; ++j) {
      const int64_t key = h * kRunKeys + j;
      amxKeyRow(a, slot0[h] + j, headOffset, row);
      for (int64_t i = 0; i < headDim / 2; ++i) {
        keyT[(i * kStepKeys + key) * 2] = row[2 * i];
        keyT[(i * kStepKeys + key) * 2 + 1] = row[2 * i + 1];
      }
      amxValueRow(a, slot0[h] + j, headOffset, row);
      for (int64_t d = 0; d < headDim; ++d) valueP[((key / 2) * headDim + d) * 2 + key % 2] = row[d];
    }
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // FASTFILL_AMX_TILES
