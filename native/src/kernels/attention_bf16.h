// bf16 products for the attention kernel (AttentionArgs::precision == kPrecisionBf16), on levels
// with AVX512-BF16 (kAttentionPairs): q, k, p and v are rounded to bf16 (nearest even) and every
// product runs on vdpbf16ps, two bf16 products per F32 lane per instruction; scores, softmax and
// sums stay F32, as on AMX or a GPU's flash attention. Other levels compute bf16 requests at F32.
// Pair layouts (uint32 lanes, low half the even element):
//   q pairs: [block][d / 2][row]           (the lanes of one vector are rows, as packed q;
//                                           kLanes rows per block)
//   k pairs: [key][keyPairStride(headDim)]   (a key row in bf16: pairs of consecutive d)
//   v pairs: [key / 2][valuePairStride(headDim)] (lane d holds v[2i][d] and v[2i + 1][d])
//   p pairs: [block][run][key / 2][row]    (lane row holds p of keys 2i and 2i + 1)
#pragma once
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

#ifdef __AVX512BF16__
constexpr bool kAttentionPairs = true;
#else
constexpr bool kAttentionPairs = false;
#endif

inline int64_t keyPairStride(int64_t headDim) { return ceilDiv(headDim, 32) * 16; }
inline int64_t valuePairStride(int64_t headDim) { return ceilDiv(headDim, 16) * 16; }

#ifdef __AVX512BF16__
// The first `left` floats at p (none when left <= 0, a vector at most); the other lanes are 0.
inline __m512 loadUpTo(const float* p, int64_t left) { return vLoadFirst(p, static_cast<int>(maxI64(0, minI64(kLanes, left)))).v; }

// Lane i: bf16(even[i]) | bf16(odd[i]) << 16. One conversion of both (bf16 elements 0..15 from
// even, 16..31 from odd) and one word permutation interleaving them.
inline __m512i bf16Pairs(__m512 even, __m512 odd) {
  const __m512i interleave = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                              23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  return _mm512_permutexvar_epi16(interleave, (__m512i)_mm512_cvtne2ps_pbh(odd, even));
}

// packedQ [block][d][row] floats -> q pairs; an odd last d pairs with 0.
inline void packQueryPairs(const float* packedQ, int64_t blocks, int64_t headDim, uint32_t* qPairs) {
  const int64_t pairs = ceilDiv(headDim, 2);
  for (int64_t b = 0; b < blocks; ++b) {
    const float* q = packedQ + b * headDim * kLanes;
    for (int64_t i = 0; i < pairs; ++i) {
      const __m512 even = _mm512_loadu_ps(q + 2 * i * kLanes);
      const __m512 odd = 2 * i + 1 < headDim ? _mm512_loadu_ps(q + (2 * i + 1) * kLanes) : _mm512_setzero_ps();
      _mm512_storeu_si512(qPairs + (b * pairs + i) * kLanes, bf16Pairs(even, odd));
    }
  }
}

// One key row (headDim floats) as bf16 at dst (keyPairStride uint32s, zero past headDim).
inline void keyRowPairs(const float* key, int64_t headDim, uint32_t* dst) {
  for (int64_t d = 0; d < headDim; d += 32) {
    const __m512 lo = loadUpTo(key + d, headDim - d);
    const __m512 hi = loadUpTo(key + d + 16, headDim - d - 16);
    _mm512_storeu_si512(dst + d / 2, (__m512i)_mm512_cvtne2ps_pbh(hi, lo));
  }
}

// Value rows 0..keys-1 (row j at values + j * stride) as v pairs; a missing odd row is 0.
inline void valueRowPairs(const float* values, int64_t stride, int keys, int64_t headDim, uint32_t* dst) {
  const int64_t dStride = valuePairStride(headDim);
  for (int i = 0; 2 * i < keys; ++i) {
    const float* even = values + 2 * i * stride;
    const float* odd = 2 * i + 1 < keys ? even + stride : nullptr;
    for (int64_t d = 0; d < headDim; d += 16) {
      const __m512 e = loadUpTo(even + d, headDim - d);
      const __m512 o = odd != nullptr ? loadUpTo(odd + d, headDim - d) : _mm512_setzero_ps();
      _mm512_storeu_si512(dst + i * dStride + d, bf16Pairs(e, o));
    }
  }
}

inline __m512 dotPairs(__m512 acc, __m512i a, uint32_t broadcast) {
  return _mm512_dpbf16_ps(acc, (__m512bh)a, (__m512bh)_mm512_set1_epi32(static_cast<int>(broadcast)));
}
#endif

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
