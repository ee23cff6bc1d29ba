// Vector operations of the avx2 level: 8 float lanes (AVX2 + FMA + F16C).
// Included first by native/src/levels/level_avx2.cc; see native/src/levels/README.md.
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

constexpr int kLanes = 8;
constexpr int kMatmulRows = 2;  // 2 x rows * 4 weight rows = 8 accumulators of 16 ymm registers
constexpr int kGemmRows = 6;    // GEMM micro-tile: 6 rows x 2 vectors = 12 accumulators of 16 ymm
constexpr int kGemmVecs = 2;

struct Vec {
  __m256 v;
};

inline Vec vZero() { return {_mm256_setzero_ps()}; }
inline Vec vSplat(float a) { return {_mm256_set1_ps(a)}; }
inline Vec vLoad(const float* p) { return {_mm256_loadu_ps(p)}; }
inline void vStore(float* p, Vec a) { _mm256_storeu_ps(p, a.v); }
inline Vec vAdd(Vec a, Vec b) { return {_mm256_add_ps(a.v, b.v)}; }
inline Vec vSub(Vec a, Vec b) { return {_mm256_sub_ps(a.v, b.v)}; }
inline Vec vMul(Vec a, Vec b) { return {_mm256_mul_ps(a.v, b.v)}; }
inline Vec vDiv(Vec a, Vec b) { return {_mm256_div_ps(a.v, b.v)}; }
inline Vec vFma(Vec a, Vec b, Vec c) { return {_mm256_fmadd_ps(a.v, b.v, c.v)}; }  // a * b + c
inline Vec vMax(Vec a, Vec b) { return {_mm256_max_ps(a.v, b.v)}; }
inline Vec vMin(Vec a, Vec b) { return {_mm256_min_ps(a.v, b.v)}; }

inline float vSum(Vec a) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(a.v), _mm256_extractf128_ps(a.v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float vMaxAll(Vec a) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(a.v), _mm256_extractf128_ps(a.v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Per lane: x < y ? a : b.
inline Vec vIfLess(Vec x, Vec y, Vec a, Vec b) { return {_mm256_blendv_ps(b.v, a.v, _mm256_cmp_ps(x.v, y.v, _CMP_LT_OQ))}; }
inline Vec vRound(Vec a) { return {_mm256_round_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)}; }

// 2^n for integral n in [-126, 127]
inline Vec vPow2(Vec n) {
  const __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n.v), _mm256_set1_epi32(127));
  return {_mm256_castsi256_ps(_mm256_slli_epi32(e, 23))};
}

inline __m256i firstLanesMask(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
// The first n lanes (0 <= n <= kLanes) of p; the others are 0 and p beyond n is not read.
inline Vec vLoadFirst(const float* p, int n) { return {_mm256_maskload_ps(p, firstLanesMask(n))}; }
inline void vStoreFirst(float* p, Vec a, int n) { _mm256_maskstore_ps(p, firstLanesMask(n), a.v); }

// kLanes f16 / bf16 values as floats.
inline Vec vLoadHalves(const uint16_t* p) { return {_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)))}; }
inline Vec vLoadBf16s(const uint16_t* p) {
  const __m256i wide = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  return {_mm256_castsi256_ps(_mm256_slli_epi32(wide, 16))};
}

// kLanes (even, odd) pairs of bf16 values: the even and the odd ones as floats.
inline void vLoadBf16Pairs(const uint16_t* p, Vec* even, Vec* odd) {
  const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  even->v = _mm256_castsi256_ps(_mm256_slli_epi32(x, 16));
  odd->v = _mm256_castsi256_ps(_mm256_and_si256(x, _mm256_set1_epi32(static_cast<int>(0xFFFF0000u))));
}

inline float halfToFloat(uint16_t h) { return _cvtsh_ss(h); }

inline void halvesToFloats(const uint8_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i));
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
  }
  for (; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, src + 2 * i, 2);
    dst[i] = _cvtsh_ss(h);
  }
}

inline void bf16sToFloats(const uint8_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + 2 * i));
    const __m256i wide = _mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16);
    _mm256_storeu_ps(dst + i, _mm256_castsi256_ps(wide));
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
  const __m256 dv = _mm256_set1_ps(d), mv = _mm256_set1_ps(m);
  const __m256 first = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q));
  const __m256 second = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(q, 8)));
  _mm256_storeu_ps(out, _mm256_fmadd_ps(first, dv, mv));
  _mm256_storeu_ps(out + 8, _mm256_fmadd_ps(second, dv, mv));
}

// out[j] = bit j of bits (0 or 1), j < 32.
inline void bitsToBytes32(uint32_t bits, uint8_t* out) {
  // byte j takes byte j/8 of bits, then tests bit j%8
  const __m256i spread = _mm256_shuffle_epi8(
      _mm256_set1_epi32(static_cast<int>(bits)),
      _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
  const __m256i select = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ULL));
  const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, select), select);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_and_si256(set, _mm256_set1_epi8(1)));
}


// out[j] = q[j] * d, j < 16.
inline void decodeInt8x16(const int8_t* q, float d, float* out) {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
  const __m256 dv = _mm256_set1_ps(d);
  _mm256_storeu_ps(out, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes)), dv));
  _mm256_storeu_ps(out + 8, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(bytes, 8))), dv));
}

// dst[k * width + r] = src[r * srcStride + k] for r < rows, k < count; dst[k * width + r] = 0
// for rows <= r < width (a multiple of kLanes, >= rows): GEMM weight panels from decoded rows,
// attention keys.
inline void transposeToPanel(const float* src, int64_t srcStride, int rows, int64_t count, float* dst, int width) {
  for (int64_t k0 = 0; k0 < count; k0 += 8) {
    const int64_t k1 = k0 + 8 < count ? k0 + 8 : count;
    for (int r = 0; r < width; ++r) {
      const float* row = src + r * srcStride;
      for (int64_t k = k0; k < k1; ++k) dst[k * width + r] = r < rows ? row[k] : 0.0f;
    }
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
