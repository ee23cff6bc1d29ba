// Vector operations of the scalar level: one lane, portable C++ (the fallback for any CPU).
// Included first by native/src/levels/level_scalar.cc; see native/src/levels/README.md.
#pragma once
#include <math.h>

#include <cstdint>
#include <cstring>

#include "common/half_float.h"

#ifndef FASTFILL_LEVEL
#error "define FASTFILL_LEVEL before including a simd header"
#endif

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kLanes = 1;
constexpr int kMatmulRows = 2;  // x rows per matmul micro-tile (weight rows: 4)
constexpr int kGemmRows = 4;    // GEMM micro-tile: 4 rows x 8 columns
constexpr int kGemmVecs = 8;

struct Vec {
  float v;
};

inline Vec vZero() { return {0.0f}; }
inline Vec vSplat(float a) { return {a}; }
inline Vec vLoad(const float* p) { return {*p}; }
inline void vStore(float* p, Vec a) { *p = a.v; }
inline Vec vAdd(Vec a, Vec b) { return {a.v + b.v}; }
inline Vec vSub(Vec a, Vec b) { return {a.v - b.v}; }
inline Vec vMul(Vec a, Vec b) { return {a.v * b.v}; }
inline Vec vDiv(Vec a, Vec b) { return {a.v / b.v}; }
inline Vec vFma(Vec a, Vec b, Vec c) { return {a.v * b.v + c.v}; }  // a * b + c
inline Vec vMax(Vec a, Vec b) { return {a.v > b.v ? a.v : b.v}; }
inline Vec vMin(Vec a, Vec b) { return {a.v < b.v ? a.v : b.v}; }
inline float vSum(Vec a) { return a.v; }
inline float vMaxAll(Vec a) { return a.v; }
// Per lane: x < y ? a : b.
inline Vec vIfLess(Vec x, Vec y, Vec a, Vec b) { return {x.v < y.v ? a.v : b.v}; }
inline Vec vRound(Vec a) { return {nearbyintf(a.v)}; }
// 2^n for integral n in [-126, 127]
inline Vec vPow2(Vec n) {
  const uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(n.v) + 127) << 23;
  float r;
  std::memcpy(&r, &bits, 4);
  return {r};
}

// The first n lanes (0 <= n <= kLanes) of p; the others are 0 and p beyond n is not read.
inline Vec vLoadFirst(const float* p, int n) { return {n > 0 ? *p : 0.0f}; }
inline void vStoreFirst(float* p, Vec a, int n) {
  if (n > 0) *p = a.v;
}

inline float halfToFloat(uint16_t h) { return halfBitsToFloat(h); }

// kLanes f16 / bf16 values as floats.
inline Vec vLoadHalves(const uint16_t* p) { return {halfToFloat(*p)}; }
inline Vec vLoadBf16s(const uint16_t* p) {
  const uint32_t bits = static_cast<uint32_t>(*p) << 16;
  float r;
  std::memcpy(&r, &bits, 4);
  return {r};
}

// kLanes (even, odd) pairs of bf16 values: the even and the odd ones as floats.
inline void vLoadBf16Pairs(const uint16_t* p, Vec* even, Vec* odd) {
  *even = vLoadBf16s(p);
  *odd = vLoadBf16s(p + 1);
}

inline void halvesToFloats(const uint8_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, src + 2 * i, 2);
    dst[i] = halfToFloat(h);
  }
}

inline void bf16sToFloats(const uint8_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, src + 2 * i, 2);
    const uint32_t bits = static_cast<uint32_t>(h) << 16;
    std::memcpy(dst + i, &bits, 4);
  }
}


// Quant decoding, 16 elements: q_j = ((lo[j] >> loShift) & 15) | (((hi[j] >> hiShift) & hiMask) << 4)
// (no high part when hi is null), out[j] = (q_j - offset) * d + m.
inline void decodeNibbles16(const uint8_t* lo, int loShift, const uint8_t* hi, int hiShift, int hiMask, int offset,
                            float d, float m, float* out) {
  for (int j = 0; j < 16; ++j) {
    int q = (lo[j] >> loShift) & 15;
    if (hi != nullptr) q |= ((hi[j] >> hiShift) & hiMask) << 4;
    out[j] = static_cast<float>(q - offset) * d + m;
  }
}

// out[j] = bit j of bits (0 or 1), j < 32.
inline void bitsToBytes32(uint32_t bits, uint8_t* out) {
  for (int j = 0; j < 32; ++j) out[j] = static_cast<uint8_t>((bits >> j) & 1u);
}


// out[j] = q[j] * d, j < 16.
inline void decodeInt8x16(const int8_t* q, float d, float* out) {
  for (int j = 0; j < 16; ++j) out[j] = static_cast<float>(q[j]) * d;
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
