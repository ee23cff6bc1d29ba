// Helpers shared by the kernels of one level (compiled once per level, inside its namespace).
#pragma once
#include "threads/thread_pool.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

inline int64_t minI64(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t maxI64(int64_t a, int64_t b) { return a > b ? a : b; }
inline int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Runs body(chunk, worker) for chunk in [0, chunks) on the thread pool.
template <class Body>
inline void forEachChunk(int64_t chunks, const Body& body) {
  parallelFor(
      chunks,
      [](void* context, int64_t chunk, int worker) { (*static_cast<const Body*>(context))(chunk, worker); },
      const_cast<void*>(static_cast<const void*>(&body)));
}

// For x in [-87.3, 88]: e^x = p * 2^n; returns p and sets n (an integer-valued float vector).
inline Vec expMantissa(Vec x, Vec* exponent) {
  const Vec n = vRound(vMul(x, vSplat(1.44269504088896341f)));
  Vec r = vFma(n, vSplat(-0.693359375f), x);  // x - n*ln2 in two steps (Cody-Waite)
  r = vFma(n, vSplat(2.12194440e-4f), r);
  Vec p = vSplat(1.9875691500e-4f);
  p = vFma(p, r, vSplat(1.3981999507e-3f));
  p = vFma(p, r, vSplat(8.3334519073e-3f));
  p = vFma(p, r, vSplat(4.1665795894e-2f));
  p = vFma(p, r, vSplat(1.6666665459e-1f));
  p = vFma(p, r, vSplat(5.0000001201e-1f));
  *exponent = n;
  return vFma(p, vMul(r, r), vAdd(r, vSplat(1.0f)));
}

// e^x, relative error ~2 ulp; x is clamped to [-87.3, 88] (so e^-inf gives ~1e-38, not 0).
inline Vec vExp(Vec x) {
  Vec n;
  const Vec p = expMantissa(vMin(vMax(x, vSplat(-87.33654f)), vSplat(88.0f)), &n);
  return vMul(p, vPow2(n));
}

inline float scalarExp(float x) {
  float lanes[kLanes];
  vStore(lanes, vExp(vSplat(x)));
  return lanes[0];
}

#ifdef __AVX2__
// Pins an integer accumulator to a register at this point. Without it GCC reassociates a chain of integer adds
// (int16 or int32 sums of vpmaddubsw products) over an unrolled loop into trees whose partial sums spill.
inline void keepInRegister(__m256i& v) { __asm__("" : "+x"(v)); }
#endif

// dot(a, b) over n floats
inline float dot(const float* a, const float* b, int64_t n) {
  Vec acc = vZero();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) acc = vFma(vLoad(a + i), vLoad(b + i), acc);
  float sum = vSum(acc);
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
