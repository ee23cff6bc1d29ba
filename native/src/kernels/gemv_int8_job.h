// The int8 GEMV's quantized activations (gemv_int8.h) and the lane arithmetic shared by its weight types:
// per 32-element block the signed dot product in 8 lanes of 4 consecutive elements (lane l: elements
// 4l..4l+3), reduced at the end by one fixed tree, the same at every level.
#pragma once
#include "common/interleaved_blocks.h"
#include "kernels/gemv_split.h"
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kGemvInt8Lanes = 8;      // lanes of 4 elements per 32-element block
constexpr int kGemvInt8MaxRows = 5;    // rows of x per pass over the weights: below the GEMM's kInt8GemmMinRows
// Weights are prefetched this far ahead of the block being read (an item's rows are contiguous, so past a
// row's end comes the next row): on two threads the hardware prefetchers alone left the Q4_0 / Q5_0 GEMV
// 5-25 % slower (lm_head-sized Q4_0: 21.4-22.9 -> 25.8-27.1 GB/s).
constexpr int64_t kGemvPrefetchBytes = 4096;

// Prefetches the lines of [p + kGemvPrefetchBytes, p + kGemvPrefetchBytes + bytes).
inline void prefetchWeightsAhead(const uint8_t* p, int64_t bytes) {
  for (int64_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + kGemvPrefetchBytes + off, 0, 3);
}

// The quantized activations of one call (callerScratch), shared by the parts of a matmulGroup.
struct GemvInt8Job {
  const MatmulArgs* args;
  const uint8_t* xq;        // [m][k]: the signed quants' bytes
  const float* xd;          // [m][blocks]: the activation block scales
  const int32_t* xLaneNeg;  // [m][blocks][8]: minus the sum of each lane's 4 signed quants
  const float* xs;          // [m][blocks]: xd * the sum of the block's signed quants (for weights with mins)
  const int32_t* xHalfNeg;  // [m][blocks][2]: minus the sum of the block's signed quants 0-15 and 16-31

  // Minus the sum of all 32 signed quants of block `index` (row * blocks + block).
  int32_t blockNeg(int64_t index) const { return xHalfNeg[2 * index] + xHalfNeg[2 * index + 1]; }
  int64_t blocks;
};

// Calls f(m0, std::integral_constant<int, M>{}) for each pass of up to kGemvInt8MaxRows rows of x (m0 its first).
template <class F>
inline void forEachRowPass(int64_t m, const F& f) {
  for (int64_t m0 = 0; m0 < m; m0 += kGemvInt8MaxRows)
    withCount<kGemvInt8MaxRows>(static_cast<int>(minI64(kGemvInt8MaxRows, m - m0)), [&](auto rows) { f(m0, rows); });
}

// out[r][j] = f(r, j, bias[j] or 0) for every row r of x and weight row j of interleaved group `group` (the plain loops
// of gemv_interleaved*.h).
template <class F>
inline void forEachGroupOutput(const GemvInt8Job& job, int64_t group, const F& f) {
  const MatmulArgs& a = *job.args;
  for (int64_t r = 0; r < a.m; ++r) {
    for (int i = 0; i < kInterleavedRows; ++i) {
      const int64_t j = group * kInterleavedRows + i;
      if (j >= a.w.rows) break;
      a.out[r * a.w.rows + j] = f(r, j, a.bias != nullptr ? a.bias[j] : 0.0f);
    }
  }
}

// out[r][j] = bias[j] + sum (sum alone without a bias).
inline void storeLaneSum(const MatmulArgs& a, int64_t r, int64_t j, float sum) {
  a.out[r * a.w.rows + j] = a.bias != nullptr ? a.bias[j] + sum : sum;
}

// out[l] for the lanes' fixed reduction tree (mirrored by reduceLanesVec).
inline float reduceLanes(const float* v) {
  float h[4], h2[2];
  for (int i = 0; i < 4; ++i) h[i] = v[i] + v[i + 4];
  for (int i = 0; i < 2; ++i) h2[i] = h[i] + h[i + 2];
  return h2[0] + h2[1];
}

// The plain loops' accumulators of even and odd blocks, added lane by lane and reduced (as reduceLanesVec of
// their vector sum).
inline float reduceBlockPairs(const float (&acc)[2][kGemvInt8Lanes]) {
  float v[kGemvInt8Lanes];
  for (int l = 0; l < kGemvInt8Lanes; ++l) v[l] = acc[0][l] + acc[1][l];
  return reduceLanes(v);
}

// The plain loops' step of one 32-element block jb of a super-block whose sub-blocks of 16 have integer scales (Q2_K,
// Q3_K): acc[l] += float(scale(2 jb + l / 4) * sum over lane l of quant(32 jb + e) * xq[e]) * step.
template <class Quant, class Scale>
inline void scaledLanesStep(float (&acc)[kGemvInt8Lanes], const int8_t* xq, int jb, float step, const Quant& quant, const Scale& scale) {
  for (int l = 0; l < kGemvInt8Lanes; ++l) {
    int32_t partial = 0;
    for (int e = 4 * l; e < 4 * l + 4; ++e) partial += quant(32 * jb + e) * xq[e];
    acc[l] = fmaf(static_cast<float>(partial * scale(2 * jb + l / 4)), step, acc[l]);
  }
}

#ifdef __AVX2__
// Lane l of the result: acc_l + the sum over e in 4l..4l+3 of u_e * s_e (u unsigned, s signed bytes).
inline __m256i dotLanes(__m256i acc, __m256i u, __m256i s) {
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
  return _mm256_dpbusd_epi32(acc, u, s);
#else
  // pairs first: |u s + u' s'| <= 2 * 127 * 127, within int16 (u <= 127 here: IQ4 magnitudes, |s| <= 127)
  return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
#endif
}

// The 4 bytes at p in every dword lane.
inline __m256i broadcastFour(const uint8_t* p) {
  int32_t four;
  std::memcpy(&four, p, 4);
  return _mm256_set1_epi32(four);
}

// The pair sums (vpmaddubsw) of one 32-element block of activation quants xq with 8 vectors of unsigned weights
// u, each 4 elements of 8 weight rows (interleaved blocks): elements 0-15 (u[0..3]) into front, 16-31 (u[4..7])
// into back, added in int16 (the caller's types keep them in range).
inline void halfBlockPairs(const __m256i (&u)[8], const uint8_t* xq, __m256i& front, __m256i& back) {
  front = _mm256_maddubs_epi16(u[0], broadcastFour(xq));
  back = _mm256_maddubs_epi16(u[4], broadcastFour(xq + 16));
  for (int j = 1; j < 4; ++j) {
    front = _mm256_add_epi16(front, _mm256_maddubs_epi16(u[j], broadcastFour(xq + 4 * j)));
    back = _mm256_add_epi16(back, _mm256_maddubs_epi16(u[4 + j], broadcastFour(xq + 16 + 4 * j)));
  }
}

// The int32 sums of halfBlockPairs' halves: added in int16 first where all 8 pair sums fit (kFitsInt16: u <= 15),
// else (u <= 31) each half widened on its own.
template <bool kFitsInt16>
inline __m256i halfBlockSum(__m256i front, __m256i back) {
  const __m256i ones = _mm256_set1_epi16(1);
  if constexpr (kFitsInt16) return _mm256_madd_epi16(_mm256_add_epi16(front, back), ones);
  else return _mm256_add_epi32(_mm256_madd_epi16(front, ones), _mm256_madd_epi16(back, ones));
}

inline float reduceLanesVec(__m256 v) {
  const __m128 h = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 h2 = _mm_add_ps(h, _mm_movehl_ps(h, h));
  return _mm_cvtss_f32(_mm_add_ss(h2, _mm_shuffle_ps(h2, h2, 1)));
}


#ifdef __AVX512VNNI__
// The two-blocks-per-zmm accumulators as the ymm path's pair: lanes 0-7 the even blocks', 8-15 the odd blocks'.
template <int M>
inline void splitEvenOdd(const __m512 (&pairs)[M], __m256 (&acc)[M][2]) {
  for (int r = 0; r < M; ++r) {
    acc[r][0] = _mm512_castps512_ps256(pairs[r]);
    acc[r][1] = _mm512_extractf32x8_ps(pairs[r], 1);
  }
}
#endif
#endif

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
