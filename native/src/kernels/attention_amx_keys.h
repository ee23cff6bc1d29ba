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

// Row `at` of an F32 cache (f32 set) or an F16 one as bf16, headDim of them (a multiple of 32) at dst.
inline void amxRowBf16(const float* f32, const uint16_t* f16, int64_t at, int64_t headDim, uint16_t* dst) {
  alignas(64) float wide[kAmxAttentionMaxHeadDim];
  if (f32 == nullptr) halvesToFloats(reinterpret_cast<const uint8_t*>(f16 + at), wide, headDim);
  keyRowPairs(f32 != nullptr ? f32 + at : wide, headDim, reinterpret_cast<uint32_t*>(dst));
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

// From a bf16 cache, which holds key rows and value pairs already: keys 16 d pairs x 16 keys at a time
// transposed in registers, value pairs copied. slot0 is even (runs start at multiples of kRunKeys in
// blocks of an even size), so pair i of a run is cache pair slot0 / 2 + i; the odd half of an odd
// run's last pair is another slot (it may hold anything), masked to 0.
inline void amxStepKeysBf16(const AttentionArgs& a, const int64_t* slot0, const int64_t* keys, int nRuns,
                            int64_t headOffset, uint32_t* keyT, uint32_t* valueP) {
  const int64_t headDim = a.headDim, rowStride = static_cast<int64_t>(a.nKvHeads) * headDim;
  for (int h = 0; h < nRuns; ++h) {
    const uint32_t* k = reinterpret_cast<const uint32_t*>(a.kCacheBf16 + slot0[h] * rowStride + headOffset);
    for (int64_t i0 = 0; i0 < headDim / 2; i0 += 16) {
      __m512i rows[16];
      for (int j = 0; j < kRunKeys; ++j) {
        rows[j] = j < keys[h] ? _mm512_loadu_si512(k + j * rowStride / 2 + i0) : _mm512_setzero_si512();
      }
      transpose16x16(rows);
      for (int i = 0; i < 16; ++i) _mm512_storeu_si512(keyT + (i0 + i) * kStepKeys + h * kRunKeys, rows[i]);
    }
    for (int64_t i = 0; 2 * i < keys[h]; ++i) {
      const uint32_t* v = reinterpret_cast<const uint32_t*>(a.vCacheBf16) + (slot0[h] / 2 + i) * rowStride + headOffset;
      uint32_t* dst = valueP + (h * kRunKeys / 2 + i) * headDim;
      const uint32_t keep = 2 * i + 1 < keys[h] ? 0xFFFFFFFFu : 0xFFFFu;
      for (int64_t d = 0; d < headDim; ++d) dst[d] = v[d] & keep;
    }
  }
}

// From an F32 or F16 cache: each key and value row rounded to bf16, then spread into place.
inline void amxStepKeysRounded(const AttentionArgs& a, const int64_t* slot0, const int64_t* keys, int nRuns,
                               int64_t headOffset, uint32_t* keyT, uint16_t* valueP) {
  const int64_t headDim = a.headDim, rowStride = static_cast<int64_t>(a.nKvHeads) * headDim;
  alignas(64) uint16_t row[kAmxAttentionMaxHeadDim];
  const uint32_t* rowPairs = reinterpret_cast<const uint32_t*>(row);
  for (int h = 0; h < nRuns; ++h) {
    for (int64_t j = 0; j < keys[h]; ++j) {
      const int64_t key = h * kRunKeys + j, at = (slot0[h] + j) * rowStride + headOffset;
      amxRowBf16(a.kCache, a.kCacheF16, at, headDim, row);
      for (int64_t i = 0; i < headDim / 2; ++i) keyT[i * kStepKeys + key] = rowPairs[i];
      amxRowBf16(a.vCache, a.vCacheF16, at, headDim, row);
      for (int64_t d = 0; d < headDim; ++d) valueP[((key / 2) * headDim + d) * 2 + key % 2] = row[d];
    }
  }
}

// The step's keys and values, tile-ready: keyT[i * kStepKeys + key] = the pair (k[key][2i], k[key][2i + 1])
// and valueP[((key / 2) * headDim + d) * 2 + key % 2] = v[key][d] (bf16), zero for keys a run lacks (run h
// of the step holds step keys [h * kRunKeys, h * kRunKeys + keys[h])).
inline void amxStepKeys(const AttentionArgs& a, const int64_t* slot0, const int64_t* keys, int nRuns, int64_t headOffset,
                        uint32_t* keyT, uint16_t* valueP) {
  std::memset(keyT, 0, static_cast<size_t>(a.headDim * kStepKeys) * 2);
  std::memset(valueP, 0, static_cast<size_t>(a.headDim * kStepKeys) * 2);
  if (a.kCacheBf16 != nullptr) {
    amxStepKeysBf16(a, slot0, keys, nRuns, headOffset, keyT, reinterpret_cast<uint32_t*>(valueP));
  } else {
    amxStepKeysRounded(a, slot0, keys, nRuns, headOffset, keyT, valueP);
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // FASTFILL_AMX_TILES
