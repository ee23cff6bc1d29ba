// The int8 GEMV for K-quant weights (Q4_K, Q5_K, Q6_K; dispatched by gemv_int8.h): 1..5 rows of x (kGemvInt8MaxRows)
// against 256-element super-blocks read in their own layout. Each super-block of a weight row is decoded once for all
// rows of x: the unsigned quants u of its 8 blocks of 32 in element order (Q5_K: with the fifth bit; Q6_K: q6 + 32),
// the weight scales (Q4_K, Q5_K: d * sc per block; Q6_K: d * sc per 16 elements, so lanes 0-3 of a block take one and
// lanes 4-7 the next) and, for Q4_K and Q5_K, the offsets dmin * m of the blocks. Then per block b and row of x, as
// for Q4_0 (gemv_int8.h), with scale[l] the weight scale of lane l:
//   acc[b % 2][l] = fma(float(partial_l), xd_b * scale[l], acc[b % 2][l])
// with partial_l the lane's sum of u * xq (Q6_K: plus -32 * the lane sums), and for Q4_K and Q5_K the offsets in one
// lane per block position j of the super-block:
//   mins[j] = fma(xs_b, dmin * m_j, mins[j])      (xs_b = xd_b * the block's sum of quants)
// out = bias + (reduceLanes(acc[0] + acc[1]) - reduceLanes(mins)). Every level takes these float steps.
#pragma once
#include "kernels/dequantize.h"
#include "kernels/gemv_int8_job.h"
#include "kernels/gemv_split.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

enum class KQuant { kQ4_K, kQ5_K, kQ6_K };

constexpr int kKBlocks = 8;  // blocks of 32 per 256-element super-block

struct KSuperBlock {
  alignas(64) uint8_t u[kKBlocks * kInt8BlockElements];
  alignas(64) float scales[2 * kKBlocks];  // Q4_K, Q5_K: one per block (the first 8); Q6_K: one per 16 elements
  alignas(32) float mins[kKBlocks];
};

template <KQuant kKind>
struct KQuantFormat {
  static constexpr bool kMins = kKind != KQuant::kQ6_K;  // Q4_K, Q5_K: a (scale, min) pair per block
  static constexpr bool kFifthBit = kKind == KQuant::kQ5_K;
  static constexpr int64_t kBytes = kKind == KQuant::kQ4_K ? 144 : kKind == KQuant::kQ5_K ? 176 : 210;
  static constexpr int kNibbles = kFifthBit ? 48 : 16;  // Q4_K / Q5_K: bytes to the nibbles (Q5_K: after qh[32])
  static constexpr int kShift = 5;  // Q6_K: offset 32 = 1 << kShift (Q4_K, Q5_K have none)
  // The weight scale of lane l of block j.
  static float laneScale(const KSuperBlock& s, int j, int l) {
    return kMins ? s.scales[j] : s.scales[2 * j + l / (kGemvInt8Lanes / 2)];
  }
};

// The plain loops' form of a super-block (the vector paths decode it in registers, kQuantScales / forEachKBlock).
// Q4_K (144 bytes): f16 d, f16 dmin, 12 bytes of 6-bit (scale, min) pairs, 128 bytes of nibbles: per 64
// elements 32 bytes, the low nibbles the first block, the high nibbles the second. Q5_K (176 bytes): the same
// with 32 bytes qh before the nibbles, bit j of qh[l] the fifth bit of element l of block j.
template <bool kFifthBit>
inline void unpackQ45_K(const uint8_t* b, KSuperBlock& s) {
  const float d = loadHalf(b), dmin = loadHalf(b + 2);
  const uint8_t* sc = b + 4;
  const uint8_t* qh = b + 16;
  const uint8_t* qs = b + (kFifthBit ? 48 : 16);
  for (int j = 0; j < kKBlocks; ++j) {
    int scale, min;
    kQuantScaleMin(sc, j, &scale, &min);
    s.scales[j] = d * static_cast<float>(scale);
    s.mins[j] = dmin * static_cast<float>(min);
  }
  for (int i = 0; i < 4; ++i) {
    for (int l = 0; l < 32; ++l) {
      const int fifthLow = kFifthBit ? ((qh[l] >> (2 * i)) & 1) << 4 : 0;
      const int fifthHigh = kFifthBit ? ((qh[l] >> (2 * i + 1)) & 1) << 4 : 0;
      s.u[64 * i + l] = static_cast<uint8_t>((qs[32 * i + l] & 0x0F) | fifthLow);
      s.u[64 * i + 32 + l] = static_cast<uint8_t>((qs[32 * i + l] >> 4) | fifthHigh);
    }
  }
}

// Q6_K (210 bytes): ql[128], qh[64], 16 int8 scales (one per 16 elements), f16 d. Per 128 elements (ql
// 64 bytes, qh 32): element l + 32k (l < 32) has the low (k < 2) or high nibble of ql[l + 32 (k & 1)] and
// bits 2k, 2k + 1 of qh[l] on top.
inline void unpackQ6_K(const uint8_t* b, KSuperBlock& s) {
  const uint8_t* ql = b;
  const uint8_t* qh = b + 128;
  const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192);
  const float d = loadHalf(b + 208);
  for (int i = 0; i < 2 * kKBlocks; ++i) s.scales[i] = d * static_cast<float>(sc[i]);
  for (int n = 0; n < 2; ++n) {
    const uint8_t* l64 = ql + 64 * n;
    const uint8_t* h32 = qh + 32 * n;
    uint8_t* out = s.u + 128 * n;
    for (int k = 0; k < 4; ++k) {
      for (int l = 0; l < 32; ++l) {
        const uint8_t byte = l64[l + 32 * (k & 1)];
        out[32 * k + l] = static_cast<uint8_t>((k < 2 ? byte & 0x0F : byte >> 4) | (((h32[l] >> (2 * k)) & 3) << 4));
      }
    }
  }
}

template <KQuant kKind>
inline void unpackKSuperBlock(const uint8_t* block, KSuperBlock& s) {
  if constexpr (KQuantFormat<kKind>::kMins) unpackQ45_K<KQuantFormat<kKind>::kFifthBit>(block, s);
  else unpackQ6_K(block, s);
}

#ifdef __AVX2__
// The weight scales of a super-block as vectors: Q4_K d * sc and dmin * m of its 8 blocks, decoded from the
// 12 packed bytes four at a time; Q6_K d * sc of its 16 halves (lo: 0-7, hi: 8-15).
struct KQuantScales {
  __m256 lo, hi, mins;
};

template <KQuant kKind>
inline KQuantScales kQuantScales(const uint8_t* block) {
  KQuantScales v{};
  if constexpr (KQuantFormat<kKind>::kMins) {
    uint32_t w[3];
    std::memcpy(w, block + 4, 12);
    // blocks 0-3: the low 6 bits of bytes 0-3 (scales) and 4-7 (mins); blocks 4-7: the nibbles of bytes
    // 8-11 with the top 2 bits of bytes 0-3 (scales) and 4-7 (mins) above them
    const uint32_t scalesHigh = (w[2] & 0x0F0F0F0Fu) | ((w[0] >> 2) & 0x30303030u);
    const uint32_t minsHigh = ((w[2] >> 4) & 0x0F0F0F0Fu) | ((w[1] >> 2) & 0x30303030u);
    const __m128i scales = _mm_set_epi32(0, 0, static_cast<int32_t>(scalesHigh), static_cast<int32_t>(w[0] & 0x3F3F3F3Fu));
    const __m128i mins = _mm_set_epi32(0, 0, static_cast<int32_t>(minsHigh), static_cast<int32_t>(w[1] & 0x3F3F3F3Fu));
    v.lo = _mm256_mul_ps(_mm256_set1_ps(loadHalf(block)), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(scales)));
    v.mins = _mm256_mul_ps(_mm256_set1_ps(loadHalf(block + 2)), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(mins)));
  } else {
    const __m128i sc = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 192));
    const __m256 d = _mm256_set1_ps(loadHalf(block + 208));
    v.lo = _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(sc)));
    v.hi = _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(sc, 8))));
  }
  return v;
}

// 16 * bit n of each byte of qh (Q5_K's fifth bits of a block). 16-bit shifts: the bits a byte gets from its
// neighbour land outside the mask.
inline __m256i qhBitTimes16(__m256i qh, int n) {
  const __m256i moved = n <= 4 ? _mm256_sll_epi16(qh, _mm_cvtsi32_si128(4 - n)) : _mm256_srl_epi16(qh, _mm_cvtsi32_si128(n - 4));
  return _mm256_and_si256(moved, _mm256_set1_epi8(0x10));
}

// The unsigned quants of the super-block's 8 blocks, 32 bytes each in element order, to f(j, u) in order.
template <KQuant kKind, class F>
inline void forEachKBlock(const uint8_t* block, const F& f) {
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  if constexpr (KQuantFormat<kKind>::kMins) {
    using Format = KQuantFormat<kKind>;
    const __m256i qh = Format::kFifthBit ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 16)) : _mm256_setzero_si256();
    for (int i = 0; i < 4; ++i) {
      const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + Format::kNibbles + 32 * i));
      __m256i low = _mm256_and_si256(q, nibble), high = _mm256_and_si256(_mm256_srli_epi16(q, 4), nibble);
      if constexpr (Format::kFifthBit) {
        low = _mm256_or_si256(low, qhBitTimes16(qh, 2 * i));
        high = _mm256_or_si256(high, qhBitTimes16(qh, 2 * i + 1));
      }
      f(2 * i, low, high);
    }
  } else {
    const __m256i top = _mm256_set1_epi8(0x30);
    for (int n = 0; n < 2; ++n) {
      const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 64 * n));
      const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 64 * n + 32));
      const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 128 + 32 * n));
      // 16-bit shifts: the bits a byte gets from its neighbour land outside the masks
      f(4 * n, _mm256_or_si256(_mm256_and_si256(ql0, nibble), _mm256_and_si256(_mm256_slli_epi16(h, 4), top)),
        _mm256_or_si256(_mm256_and_si256(ql1, nibble), _mm256_and_si256(_mm256_slli_epi16(h, 2), top)));
      f(4 * n + 2, _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), nibble), _mm256_and_si256(h, top)),
        _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), nibble), _mm256_and_si256(_mm256_srli_epi16(h, 2), top)));
    }
  }
}

// The weight scale of each lane of block j (lane l: 4 elements).
template <KQuant kKind>
inline __m256 kLaneScales(const KQuantScales& v, int j) {
  if constexpr (KQuantFormat<kKind>::kMins) return _mm256_permutevar8x32_ps(v.lo, _mm256_set1_epi32(j));
  const __m256i index = _mm256_add_epi32(_mm256_set1_epi32((2 * j) % 8), _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1));
  return _mm256_permutevar8x32_ps(2 * j < 8 ? v.lo : v.hi, index);
}

#if defined(__AVX512VNNI__)
// Blocks b and b + 1 (u0, u1) in one zmm: lanes 0-7 the even blocks' accumulator, lanes 8-15 the odd ones'.
template <KQuant kKind, int M>
inline void kPairStep(const GemvInt8Job& job, int64_t m0, int64_t b, __m256i u0, __m256i u1, __m512 weightScale,
                      __m512 (&acc)[M]) {
  const int64_t k = job.args->w.cols;
  const __m512i u = _mm512_inserti64x4(_mm512_castsi256_si512(u0), u1, 1);
  for (int r = 0; r < M; ++r) {
    const int64_t row = m0 + r;
    const __m512i x = _mm512_loadu_si512(job.xq + row * k + b * kInt8BlockElements);
    __m512i start = _mm512_setzero_si512();
    if constexpr (kKind == KQuant::kQ6_K)
      start = _mm512_slli_epi32(_mm512_loadu_si512(job.xLaneNeg + (row * job.blocks + b) * kGemvInt8Lanes), KQuantFormat<kKind>::kShift);
    const __m512i partial = _mm512_dpbusd_epi32(start, u, x);
    const float* xd = job.xd + row * job.blocks + b;
    const __m512 scale = _mm512_mul_ps(_mm512_mask_blend_ps(0xFF00, _mm512_set1_ps(xd[0]), _mm512_set1_ps(xd[1])), weightScale);
    acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(partial), scale, acc[r]);
  }
}
#else
// Block b (u) into acc[r][b % 2].
template <KQuant kKind, int M>
inline void kBlockStep(const GemvInt8Job& job, int64_t m0, int64_t b, __m256i u, __m256 weightScale, __m256 (&acc)[M][2]) {
  const int64_t k = job.args->w.cols;
  for (int r = 0; r < M; ++r) {
    const int64_t row = m0 + r;
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(job.xq + row * k + b * kInt8BlockElements));
    __m256i start = _mm256_setzero_si256();
    if constexpr (kKind == KQuant::kQ6_K)
      start = _mm256_slli_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(job.xLaneNeg + (row * job.blocks + b) * kGemvInt8Lanes)),
                                KQuantFormat<kKind>::kShift);
    const __m256i partial = dotLanes(start, u, x);
    const __m256 scale = _mm256_mul_ps(_mm256_set1_ps(job.xd[row * job.blocks + b]), weightScale);
    acc[r][b % 2] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(partial), scale, acc[r][b % 2]);
  }
}
#endif

template <KQuant kKind, int M>
inline void gemvInt8KRowsVec(const GemvInt8Job& job, int64_t m0, int64_t j0, int64_t j1) {
  const MatmulArgs& a = *job.args;
  for (int64_t j = j0; j < j1; ++j) {
    const uint8_t* row = a.w.data + static_cast<size_t>(j) * a.w.rowBytes;
    __m256 acc[M][2], mins[M];
#if defined(__AVX512VNNI__)
    __m512 pairs[M];
    for (int r = 0; r < M; ++r) pairs[r] = _mm512_setzero_ps(), mins[r] = _mm256_setzero_ps();
#else
    for (int r = 0; r < M; ++r) acc[r][0] = acc[r][1] = mins[r] = _mm256_setzero_ps();
#endif
    for (int64_t first = 0; first < job.blocks; first += kKBlocks) {
      const uint8_t* block = row + (first / kKBlocks) * KQuantFormat<kKind>::kBytes;
      prefetchWeightsAhead(block, KQuantFormat<kKind>::kBytes);
      const KQuantScales scales = kQuantScales<kKind>(block);
      forEachKBlock<kKind>(block, [&](int jb, __m256i u0, __m256i u1) {
#if defined(__AVX512VNNI__)
        const __m512 weightScale = _mm512_insertf32x8(_mm512_castps256_ps512(kLaneScales<kKind>(scales, jb)),
                                                      kLaneScales<kKind>(scales, jb + 1), 1);
        kPairStep<kKind, M>(job, m0, first + jb, u0, u1, weightScale, pairs);
#else
        kBlockStep<kKind, M>(job, m0, first + jb, u0, kLaneScales<kKind>(scales, jb), acc);
        kBlockStep<kKind, M>(job, m0, first + jb + 1, u1, kLaneScales<kKind>(scales, jb + 1), acc);
#endif
      });
      if constexpr (KQuantFormat<kKind>::kMins) {
        for (int r = 0; r < M; ++r)
          mins[r] = _mm256_fmadd_ps(_mm256_loadu_ps(job.xs + (m0 + r) * job.blocks + first), scales.mins, mins[r]);
      }
    }
#if defined(__AVX512VNNI__)
    splitEvenOdd<M>(pairs, acc);
#endif
    for (int r = 0; r < M; ++r) {
      float sum = reduceLanesVec(_mm256_add_ps(acc[r][0], acc[r][1]));
      if constexpr (KQuantFormat<kKind>::kMins) sum -= reduceLanesVec(mins[r]);
      storeLaneSum(a, m0 + r, j, sum);
    }
  }
}
#endif

template <KQuant kKind>
inline void gemvInt8KRowPlain(const GemvInt8Job& job, int64_t j) {
  const MatmulArgs& a = *job.args;
  const int64_t k = a.w.cols;
  const uint8_t* row = a.w.data + static_cast<size_t>(j) * a.w.rowBytes;
  KSuperBlock s;
  for (int64_t r = 0; r < a.m; ++r) {
    float acc[2][kGemvInt8Lanes] = {}, mins[kKBlocks] = {};
    for (int64_t first = 0; first < job.blocks; first += kKBlocks) {
      unpackKSuperBlock<kKind>(row + (first / kKBlocks) * KQuantFormat<kKind>::kBytes, s);
      for (int jb = 0; jb < kKBlocks; ++jb) {
        const int64_t b = first + jb;
        const int8_t* xq = reinterpret_cast<const int8_t*>(job.xq + r * k + b * kInt8BlockElements);
        const int32_t* laneNeg = job.xLaneNeg + (r * job.blocks + b) * kGemvInt8Lanes;
        for (int l = 0; l < kGemvInt8Lanes; ++l) {
          int32_t partial = kKind == KQuant::kQ6_K ? laneNeg[l] * (1 << KQuantFormat<kKind>::kShift) : 0;
          for (int e = 4 * l; e < 4 * l + 4; ++e) partial += static_cast<int32_t>(s.u[jb * kInt8BlockElements + e]) * xq[e];
          const float scale = job.xd[r * job.blocks + b] * KQuantFormat<kKind>::laneScale(s, jb, l);
          acc[jb % 2][l] = fmaf(static_cast<float>(partial), scale, acc[jb % 2][l]);
        }
        if constexpr (KQuantFormat<kKind>::kMins) mins[jb] = fmaf(job.xs[r * job.blocks + b], s.mins[jb], mins[jb]);
      }
    }
    float sum = reduceBlockPairs(acc);
    if constexpr (KQuantFormat<kKind>::kMins) sum -= reduceLanes(mins);
    storeLaneSum(a, r, j, sum);
  }
}

template <KQuant kKind>
inline void gemvInt8KItem(const GemvInt8Job& job, int64_t j0, int64_t j1) {
#ifdef __AVX2__
  forEachRowPass(job.args->m, [&](int64_t m0, auto M) { gemvInt8KRowsVec<kKind, decltype(M)::value>(job, m0, j0, j1); });
#else
  for (int64_t j = j0; j < j1; ++j) gemvInt8KRowPlain<kKind>(job, j);
#endif
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
