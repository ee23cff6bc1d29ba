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
inline Vec vRound(Vec a) { return {_mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)}; }

// 2^n for integral n in [-126, 127]
inline Vec vPow2(Vec n) {
  const __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(n.v), _mm512_set1_epi32(127));
  return {_mm512_castsi512_ps(_mm512_slli_epi32(e, 23))};
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

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
