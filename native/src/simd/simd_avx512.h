// Vector operations of the avx512 level: 16 float lanes (AVX-512 F/BW/VL/DQ, plus AVX2/FMA/F16C).
// Included first by native/src/levels/level_avx512.cc; see native/src/levels/README.md.
#pragma once
#include <immintrin.h>
#include <math.h>

#include <cstdint>
#include <cstring>

#ifndef FASTFILL_LEVEL
#error "define FASTFILL_LEVEL before including a simd header"
#endif

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kLanes = 16;
constexpr int kMatmulRows = 4;  // 4 x rows * 4 weight rows = 16 accumulators of 32 zmm registers
constexpr int kGemmRows = 14;   // GEMM micro-tile: 14 rows x 2 vectors = 28 accumulators of 32 zmm
constexpr int kGemmVecs = 2;

struct Vec {
  __m512 v;
};

inline Vec vZero() { return {_mm512_setzero_ps()}; }
inline Vec vSplat(float a) { return {_mm512_set1_ps(a)}; }
inline Vec vLoad(const float* p) { return {_mm512_loadu_ps(p)}; }
inline void vStore(float* p, Vec a) { _mm512_storeu_ps(p, a.v); }
inline Vec vAdd(Vec a, Vec b) { return {_mm512_add_ps(a.v, b.v)}; }
inline Vec vSub(Vec a, Vec b) { return {_mm512_sub_ps(a.v, b.v)}; }
inline Vec vMul(Vec a, Vec b) { return {_mm512_mul_ps(a.v, b.v)}; }
inline Vec vDiv(Vec a, Vec b) { return {_mm512_div_ps(a.v, b.v)}; }
inline Vec vFma(Vec a, Vec b, Vec c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }  // a * b + c
inline Vec vMax(Vec a, Vec b) { return {_mm512_max_ps(a.v, b.v)}; }
inline Vec vMin(Vec a, Vec b) { return {_mm512_min_ps(a.v, b.v)}; }
inline float vSum(Vec a) { return _mm512_reduce_add_ps(a.v); }
inline float vMaxAll(Vec a) { return _mm512_reduce_max_ps(a.v); }
// Per lane: x < y ? a : b.
inline Vec vIfLess(Vec x, Vec y, Vec a, Vec b) { return {_mm512_mask_blend_ps(_mm512_cmp_ps_mask(x.v, y.v, _CMP_LT_OQ), b.v, a.v)}; }
inline Vec vRound(Vec a) { return {_mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)}; }

// 2^n for integral n in [-126, 127]
inline Vec vPow2(Vec n) {
  const __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(n.v), _mm512_set1_epi32(127));
  return {_mm512_castsi512_ps(_mm512_slli_epi32(e, 23))};
}

// The first n lanes (0 <= n <= kLanes) of p; the others are 0 and p beyond n is not read.
inline Vec vLoadFirst(const float* p, int n) { return {_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1), p)}; }
inline void vStoreFirst(float* p, Vec a, int n) { _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1), a.v); }

// kLanes f16 / bf16 values as floats.
inline Vec vLoadHalves(const uint16_t* p) { return {_mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)))}; }
inline Vec vLoadBf16s(const uint16_t* p) {
  const __m512i wide = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  return {_mm512_castsi512_ps(_mm512_slli_epi32(wide, 16))};
}

// kLanes (even, odd) pairs of bf16 values: the even and the odd ones as floats.
inline void vLoadBf16Pairs(const uint16_t* p, Vec* even, Vec* odd) {
  const __m512i x = _mm512_loadu_si512(p);
  even->v = _mm512_castsi512_ps(_mm512_slli_epi32(x, 16));
  odd->v = _mm512_castsi512_ps(_mm512_and_si512(x, _mm512_set1_epi32(static_cast<int>(0xFFFF0000u))));
}

inline float halfToFloat(uint16_t h) { return _cvtsh_ss(h); }

inline void halvesToFloats(const uint8_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + 2 * i));
    _mm512_storeu_ps(dst + i, _mm512_cvtph_ps(h));
  }
  for (; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, src + 2 * i, 2);
    dst[i] = _cvtsh_ss(h);
  }
}

inline void bf16sToFloats(const uint8_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + 2 * i));
    const __m512i wide = _mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16);
    _mm512_storeu_ps(dst + i, _mm512_castsi512_ps(wide));
  }
  for (; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, src + 2 * i, 2);
    const uint32_t bits = static_cast<uint32_t>(h) << 16;
    std::memcpy(dst + i, &bits, 4);
  }
}


// Quant decoding, 16 elements: q_j = ((lo[j] >> loShift) & 15) | (((hi[j] >> hiShift) & hiMask) << 4)
// (no high part when hi is null), out[j] = (q_j - offset) * d + m.
inline __m128i nibbleQuants16(const uint8_t* lo, int loShift, const uint8_t* hi, int hiShift, int hiMask, int offset) {
  const __m128i low = _mm_loadu_si128(reinterpret_cast<const __m128i*>(lo));
  __m128i q = _mm_and_si128(_mm_srl_epi16(low, _mm_cvtsi32_si128(loShift)), _mm_set1_epi8(15));
  if (hi != nullptr) {
    const __m128i high = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hi));
    const __m128i bits = _mm_and_si128(_mm_srl_epi16(high, _mm_cvtsi32_si128(hiShift)), _mm_set1_epi8(static_cast<char>(hiMask)));
    q = _mm_or_si128(q, _mm_slli_epi16(bits, 4));  // bits <= 3, so the shift stays inside each byte
  }
  return _mm_sub_epi8(q, _mm_set1_epi8(static_cast<char>(offset)));
}

inline void decodeNibbles16(const uint8_t* lo, int loShift, const uint8_t* hi, int hiShift, int hiMask, int offset,
                            float d, float m, float* out) {
  const __m128i q = nibbleQuants16(lo, loShift, hi, hiShift, hiMask, offset);
  const __m512 values = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q));
  _mm512_storeu_ps(out, _mm512_fmadd_ps(values, _mm512_set1_ps(d), _mm512_set1_ps(m)));
}

// out[j] = bit j of bits (0 or 1), j < 32.
inline void bitsToBytes32(uint32_t bits, uint8_t* out) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_maskz_set1_epi8(static_cast<__mmask32>(bits), 1));
}


// out[j] = q[j] * d, j < 16.
inline void decodeInt8x16(const int8_t* q, float d, float* out) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
  _mm512_storeu_ps(out, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(bytes)), _mm512_set1_ps(d)));
}

// dst[k * width + r] = src[r * srcStride + k] for r < rows, k < count; dst[k * width + r] = 0
// for rows <= r < width (a multiple of kLanes, >= rows): GEMM weight panels from decoded rows,
// attention keys. 16 x 16 blocks in registers.
inline void transposeToPanel(const float* src, int64_t srcStride, int rows, int64_t count, float* dst, int width) {
  int64_t k = 0;
  for (; k + 16 <= count; k += 16) {
    for (int r0 = 0; r0 < width; r0 += 16) {
      __m512 t[16];
      for (int i = 0; i < 16; ++i)
        t[i] = r0 + i < rows ? _mm512_loadu_ps(src + (r0 + i) * srcStride + k) : _mm512_setzero_ps();
      // 16 x 16 transpose: 32-bit, 64-bit, then 128-bit lane interleaves.
      __m512 u[16];
      for (int i = 0; i < 16; i += 2) {
        u[i] = _mm512_unpacklo_ps(t[i], t[i + 1]);
        u[i + 1] = _mm512_unpackhi_ps(t[i], t[i + 1]);
      }
      for (int i = 0; i < 16; i += 4) {
        for (int j = 0; j < 2; ++j) {
          const __m512d a = _mm512_castps_pd(u[i + j]), b = _mm512_castps_pd(u[i + 2 + j]);
          t[i + j] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
          t[i + 2 + j] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
        }
      }
      // Now t[4g + s], 128-bit lane q, holds rows 4g..4g+3 of column 4q + (0, 2, 1, 3)[s].
      for (int i = 0; i < 8; ++i) {
        const int g = i / 4 * 8 + i % 4;  // pairs (0,4) (1,5) (2,6) (3,7) (8,12) ...
        u[g] = _mm512_shuffle_f32x4(t[g], t[g + 4], 0x88);
        u[g + 4] = _mm512_shuffle_f32x4(t[g], t[g + 4], 0xDD);
      }
      for (int i = 0; i < 4; ++i) {
        t[i] = _mm512_shuffle_f32x4(u[i], u[i + 8], 0x88);
        t[i + 8] = _mm512_shuffle_f32x4(u[i], u[i + 8], 0xDD);
        t[i + 4] = _mm512_shuffle_f32x4(u[i + 4], u[i + 12], 0x88);
        t[i + 12] = _mm512_shuffle_f32x4(u[i + 4], u[i + 12], 0xDD);
      }
      static constexpr int kColumnOf[16] = {0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11, 12, 14, 13, 15};
      for (int i = 0; i < 16; ++i) _mm512_storeu_ps(dst + (k + kColumnOf[i]) * width + r0, t[i]);
    }
  }
  for (; k < count; ++k) {
    for (int r = 0; r < width; ++r) dst[k * width + r] = r < rows ? src[r * srcStride + k] : 0.0f;
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
