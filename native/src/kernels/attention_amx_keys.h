// The keys and values of one step of kernels/attention_amx.h, copied into the layouts its tiles read:
// keys transposed (d pairs x step keys, the B operand of S = Q K^T) and values as key pairs (the B
// operand of P V), bf16, zero for the keys a run lacks. From a bf16 cache they move as uint32 pairs;
// from an F32 or F16 cache they are rounded to bf16 first (attention_bf16.h's keyRowPairs and
// valueRowPairs, the pair steps' own conversions). Keys are transposed 16 x 16 in registers either way.
#pragma once
#include "common/half_float.h"
#include "kernels/attention_step.h"
#include "kernels/gemm_amx.h"  // FASTFILL_AMX_TILES

#ifdef FASTFILL_AMX_TILES
namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int64_t kAmxAttentionMaxHeadDim = 256;

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

// A run's key rows as bf16 pairs (row j at rows + j * rowStride uint32s, j < keys; headDim / 2 pairs)
// into its columns of keyT (keyTRun[i * kStepKeys + j] = pair i of key j, zero for j >= keys), 16 pairs
// x 16 keys at a time.
inline void amxTransposeRunKeys(const uint32_t* rows, int64_t rowStride, int64_t keys, int64_t headDim,
                                uint32_t* keyTRun) {
  static_assert(kRunKeys == 16, "a run is one 16 x 16 transposition");
  for (int64_t i0 = 0; i0 < headDim / 2; i0 += 16) {
    __m512i block[16];
    for (int j = 0; j < kRunKeys; ++j) {
      block[j] = j < keys ? _mm512_loadu_si512(rows + j * rowStride + i0) : _mm512_setzero_si512();
    }
    transpose16x16(block);
    for (int i = 0; i < 16; ++i) _mm512_storeu_si512(keyTRun + (i0 + i) * kStepKeys, block[i]);
  }
}

// From a bf16 cache, which holds key rows and value pairs already: keys transposed, value pairs
// copied. slot0 is even (runs start at multiples of kRunKeys in blocks of an even size), so pair i of
// a run is cache pair slot0 / 2 + i; the odd half of an odd run's last pair is another slot (it may
// hold anything), masked to 0.
inline void amxStepKeysBf16(const AttentionArgs& a, const int64_t* slot0, const int64_t* keys, int nRuns,
                            int64_t headOffset, uint32_t* keyT, uint32_t* valueP) {
  const int64_t headDim = a.headDim, rowStride = static_cast<int64_t>(a.nKvHeads) * headDim;
  const uint32_t* kCache = reinterpret_cast<const uint32_t*>(a.kCacheBf16);
  const uint32_t* vCache = reinterpret_cast<const uint32_t*>(a.vCacheBf16);
  for (int h = 0; h < nRuns; ++h) {
    amxTransposeRunKeys(kCache + (slot0[h] * rowStride + headOffset) / 2, rowStride / 2, keys[h], headDim,
                        keyT + h * kRunKeys);
    for (int64_t i = 0; 2 * i < keys[h]; ++i) {
      const uint32_t* v = vCache + (slot0[h] / 2 + i) * rowStride + headOffset;
      uint32_t* dst = valueP + (h * kRunKeys / 2 + i) * headDim;
      const __m512i keep = _mm512_set1_epi32(2 * i + 1 < keys[h] ? -1 : 0xFFFF);
      for (int64_t d = 0; d < headDim; d += 16) {
        _mm512_storeu_si512(dst + d, _mm512_and_si512(_mm512_loadu_si512(v + d), keep));
      }
    }
  }
}

// Rows [0, rows) of an F32 cache from `at` (f32 set; rowStride apart), or of an F16 one widened into
// wide (headDim apart); *stride: the distance between the rows returned.
inline const float* amxRowsF32(const float* f32, const uint16_t* f16, int64_t at, int64_t rowStride, int64_t rows,
                               int64_t headDim, float* wide, int64_t* stride) {
  if (f32 != nullptr) {
    *stride = rowStride;
    return f32 + at;
  }
  for (int64_t j = 0; j < rows; ++j) {
    halvesToFloats(reinterpret_cast<const uint8_t*>(f16 + at + j * rowStride), wide + j * headDim, headDim);
  }
  *stride = headDim;
  return wide;
}

// From an F32 or F16 cache: each run's key rows rounded to bf16 pairs, then transposed; its values
// rounded to key pairs (valueRowPairs: valueP's layout, as headDim is a multiple of 16).
inline void amxStepKeysRounded(const AttentionArgs& a, const int64_t* slot0, const int64_t* keys, int nRuns,
                               int64_t headOffset, uint32_t* keyT, uint32_t* valueP) {
  const int64_t headDim = a.headDim, rowStride = static_cast<int64_t>(a.nKvHeads) * headDim;
  const float *kCache = a.kCache, *vCache = a.vCache;
  const uint16_t *kCacheF16 = a.kCacheF16, *vCacheF16 = a.vCacheF16;
  alignas(64) float wide[kRunKeys * kAmxAttentionMaxHeadDim];
  alignas(64) uint32_t keyRows[kRunKeys * kAmxAttentionMaxHeadDim / 2];
  for (int h = 0; h < nRuns; ++h) {
    const int64_t at = slot0[h] * rowStride + headOffset, n = keys[h];
    int64_t stride = 0;
    const float* k = amxRowsF32(kCache, kCacheF16, at, rowStride, n, headDim, wide, &stride);
    for (int64_t j = 0; j < n; ++j) keyRowPairs(k + j * stride, headDim, keyRows + j * headDim / 2);
    amxTransposeRunKeys(keyRows, headDim / 2, n, headDim, keyT + h * kRunKeys);
    const float* v = amxRowsF32(vCache, vCacheF16, at, rowStride, n, headDim, wide, &stride);
    valueRowPairs(v, stride, static_cast<int>(n), headDim, valueP + h * kRunKeys / 2 * headDim);
  }
}

// The step's keys and values, tile-ready: keyT[i * kStepKeys + key] = the pair (k[key][2i], k[key][2i + 1])
// and valueP[((key / 2) * headDim + d) * 2 + key % 2] = v[key][d] (bf16), zero for keys a run lacks (run h
// of the step holds step keys [h * kRunKeys, h * kRunKeys + keys[h])).
inline void amxStepKeys(const AttentionArgs& a, const int64_t* slot0, const int64_t* keys, int nRuns, int64_t headOffset,
                        uint32_t* keyT, uint16_t* valueP) {
  std::memset(keyT, 0, static_cast<size_t>(a.headDim * kStepKeys) * 2);
  std::memset(valueP, 0, static_cast<size_t>(a.headDim * kStepKeys) * 2);
  uint32_t* valuePairs = reinterpret_cast<uint32_t*>(valueP);  // [key pair][d]: valueP's two halves per d
  if (a.kCacheBf16 != nullptr) {
    amxStepKeysBf16(a, slot0, keys, nRuns, headOffset, keyT, valuePairs);
  } else {
    amxStepKeysRounded(a, slot0, keys, nRuns, headOffset, keyT, valuePairs);
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // FASTFILL_AMX_TILES
