// The int8-precision GEMV: out = x W^T (+ bias) for 1..5 rows of x (gemm_int8.h: kInt8GemmMinRows) and Q4_0 or Q5_0 weights at
// kPrecisionInt8, read in their own layout (0.56 / 0.69 bytes per weight;
// the panels would be 1.25); Q4_K, Q5_K and Q6_K likewise in gemv_int8_kquants.h. Decode is bandwidth-bound:
// the point is to keep the arithmetic per weight byte small enough that both threads stream at the
// memory's rate. (Q8_0 decodes on its panels with the int8 GEMM: matmul.h; weights stored as interleaved
// blocks take gemv_interleaved.h.)
//
// Activations are quantized per row and 32-element block exactly as for the int8 GEMM
// (quantizeBlock, gemm_int8.h). A weight is u - offset with u unsigned: Q4_0 u = its nibble, offset 8;
// Q5_0 u = nibble + 16 * its fifth bit, offset 16. Per block the signed dot product of activation and
// weight quants is formed in 8 lanes of 4 consecutive elements (lane l: elements 4l..4l+3), exact in
// int32, as the sum of u times x plus -offset * x's lane sums: vpdpbusd on 256-bit vectors with
// AVX512-VNNI, vpmaddubsw + vpmaddwd on AVX2, plain loops below.
// Each lane accumulates in float over the blocks, alternating two sets:
//   acc[b % 2][l] = fma(float(partial_l), xd_b * wd_b, acc[b % 2][l])
// and out = bias + reduceLanes(acc[0] + acc[1]) with the fixed tree of reduceLanes. Every path takes
// the same float steps, so every level agrees bit for bit; every output is computed by one work
// item, so results do not depend on the threads.
#pragma once
#include "common/int8_panels.h"
#include "kernels/dequantize.h"
#include "kernels/gemm_int8.h"
#include "kernels/gemv_int8_job.h"
#include "kernels/gemv_interleaved.h"
#include "kernels/int8_record_sources.h"
#include "kernels/gemv_int8_iq4.h"
#include "kernels/gemv_int8_kquants.h"
#include "kernels/gemv_int8_q2k.h"
#include "kernels/gemv_int8_q3k.h"
#include "kernels/gemv_split.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

// A block: f16 d, (Q5_0: the 32 fifth bits, element e at bit e), then 16 bytes of nibbles (element e < 16
// in the low nibble of byte e, element e + 16 in its high nibble).
template <bool kQ5>
struct GemvInt8Block {
  static constexpr int64_t kBytes = kQ5 ? 22 : 18;
  static constexpr int kNibbles = kQ5 ? 6 : 2;  // bytes into the block
  static constexpr int kShift = kQ5 ? 4 : 3;    // offset = 1 << kShift

  static uint32_t fifthBits(const uint8_t* block) {
    uint32_t bits = 0;
    if constexpr (kQ5) std::memcpy(&bits, block + 2, 4);
    else (void)block;
    return bits;
  }
};

// The lane partials of one block of weights against activation row r: plain loops.
template <bool kQ5>
inline void lanePartialsPlain(const GemvInt8Job& job, int64_t r, int64_t b, const uint8_t* block, int32_t* partial) {
  using Block = GemvInt8Block<kQ5>;
  const int64_t k = job.args->w.cols;
  const uint8_t* xq = job.xq + r * k + b * kInt8BlockElements;
  const uint32_t fifth = Block::fifthBits(block);
  for (int l = 0; l < kGemvInt8Lanes; ++l) {
    int32_t sum = 0;
    for (int e = 4 * l; e < 4 * l + 4; ++e) {
      const uint8_t byte = block[Block::kNibbles + (e % 16)];
      const int32_t u = (e < 16 ? byte & 0x0F : byte >> 4) | static_cast<int32_t>(((fifth >> e) & 1u) << 4);
      sum += static_cast<int8_t>(xq[e]) * (u - (1 << Block::kShift));
    }
    partial[l] = sum;
  }
}

template <bool kQ5>
inline void gemvInt8RowPlain(const GemvInt8Job& job, int64_t j) {
  const MatmulArgs& a = *job.args;
  const uint8_t* row = a.w.data + static_cast<size_t>(j) * a.w.rowBytes;
  for (int64_t r = 0; r < a.m; ++r) {
    float acc[2][kGemvInt8Lanes] = {};
    for (int64_t b = 0; b < job.blocks; ++b) {
      const uint8_t* block = row + b * GemvInt8Block<kQ5>::kBytes;
      int32_t partial[kGemvInt8Lanes];
      lanePartialsPlain<kQ5>(job, r, b, block, partial);
      const float scale = job.xd[r * job.blocks + b] * loadHalf(block);
      for (int l = 0; l < kGemvInt8Lanes; ++l) acc[b % 2][l] = fmaf(static_cast<float>(partial[l]), scale, acc[b % 2][l]);
    }
    storeLaneSum(a, r, j, reduceBlockPairs(acc));
  }
}

#ifdef __AVX2__

// acc[r][parity] += the lane partials of block b against rows m0..m0+M-1, times their scales.
template <bool kQ5, int M>
inline void blockStepVec(const GemvInt8Job& job, int64_t m0, int64_t b, const uint8_t* block, int parity,
                         __m256 (&acc)[M][2]) {
  using Block = GemvInt8Block<kQ5>;
  const int64_t k = job.args->w.cols;
  const float wd = loadHalf(block);
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + Block::kNibbles));
  const __m128i low = _mm_and_si128(bytes, _mm_set1_epi8(0x0F));
  const __m128i high = _mm_and_si128(_mm_srli_epi16(bytes, 4), _mm_set1_epi8(0x0F));
  __m256i u = _mm256_inserti128_si256(_mm256_castsi128_si256(low), high, 1);  // the nibbles, in element order
  if constexpr (kQ5) u = _mm256_or_si256(u, fifthBitsTimes16(Block::fifthBits(block)));
  for (int r = 0; r < M; ++r) {
    const int64_t row = m0 + r;
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(job.xq + row * k + b * kInt8BlockElements));
    // u times x, plus -offset * the lane sums of x
    const __m256i laneNeg = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(job.xLaneNeg + (row * job.blocks + b) * kGemvInt8Lanes));
    const __m256i partial = dotLanes(_mm256_slli_epi32(laneNeg, Block::kShift), u, x);
    const __m256 scale = _mm256_set1_ps(job.xd[row * job.blocks + b] * wd);
    acc[r][parity] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(partial), scale, acc[r][parity]);
  }
}

#endif

#ifdef __AVX512VNNI__
// Blocks b and b + 1 in one zmm: lanes 0-7 block b, lanes 8-15 block b + 1, so the low half is the even
// blocks' accumulator acc[0] of blockStepVec and the high half the odd blocks' acc[1], with the same
// float steps per lane (results bit-identical to the 256-bit path).
// The unsigned weights of blocks b and b + 1 as blockPairStepZmm's u.
template <bool kQ5>
inline __m512i blockPairWeights(const uint8_t* block) {
  using Block = GemvInt8Block<kQ5>;
  const uint8_t* next = block + Block::kBytes;
  const __m256i bytes = _mm256_inserti128_si256(
      _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(block + Block::kNibbles))),
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(next + Block::kNibbles)), 1);
  const __m256i low = _mm256_and_si256(bytes, _mm256_set1_epi8(0x0F));
  const __m256i high = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), _mm256_set1_epi8(0x0F));
  // [low b, low b+1, high b, high b+1] -> [low b, high b, low b+1, high b+1]: each block's nibbles in element order
  __m512i u = _mm512_shuffle_i64x2(_mm512_inserti64x4(_mm512_castsi256_si512(low), high, 1),
                                   _mm512_inserti64x4(_mm512_castsi256_si512(low), high, 1), _MM_SHUFFLE(3, 1, 2, 0));
  if constexpr (kQ5) {
    const __mmask64 fifth = static_cast<__mmask64>(Block::fifthBits(block)) | (static_cast<__mmask64>(Block::fifthBits(next)) << 32);
    u = _mm512_or_si512(u, _mm512_maskz_mov_epi8(fifth, _mm512_set1_epi8(16)));
  }
  return u;
}

// acc[r] += the lane partials of the block pair at b (weights u) against row m0 + r, each half times its scale.
template <bool kQ5, int M>
inline void blockPairDots(const GemvInt8Job& job, int64_t m0, int64_t b, __m512i u, const __m512 (&scales)[M],
                          __m512 (&acc)[M]) {
  using Block = GemvInt8Block<kQ5>;
  const int64_t k = job.args->w.cols;
  for (int r = 0; r < M; ++r) {
    const int64_t row = m0 + r;
    const __m512i x = _mm512_loadu_si512(job.xq + row * k + b * kInt8BlockElements);
    const __m512i laneNeg = _mm512_loadu_si512(job.xLaneNeg + (row * job.blocks + b) * kGemvInt8Lanes);
    const __m512i partial = _mm512_dpbusd_epi32(_mm512_slli_epi32(laneNeg, Block::kShift), u, x);
    acc[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(partial), scales[r], acc[r]);
  }
}

template <bool kQ5, int M>
inline void blockPairStepZmm(const GemvInt8Job& job, int64_t m0, int64_t b, const uint8_t* block, __m512 (&acc)[M]) {
  using Block = GemvInt8Block<kQ5>;
  const float wd0 = loadHalf(block), wd1 = loadHalf(block + Block::kBytes);
  __m512 scales[M];
  for (int r = 0; r < M; ++r) {
    const float* xd = job.xd + (m0 + r) * job.blocks + b;
    scales[r] = _mm512_mask_blend_ps(0xFF00, _mm512_set1_ps(xd[0] * wd0), _mm512_set1_ps(xd[1] * wd1));
  }
  blockPairDots<kQ5, M>(job, m0, b, blockPairWeights<kQ5>(block), scales, acc);
}

// Blocks b..b + 3 as two block pairs, with the four scale products made in one vector (the same products
// as blockPairStepZmm's, so the same bits).
template <bool kQ5, int M>
inline void blockQuadStepZmm(const GemvInt8Job& job, int64_t m0, int64_t b, const uint8_t* block, __m512 (&acc)[M]) {
  using Block = GemvInt8Block<kQ5>;
  uint16_t d[4];
  for (int i = 0; i < 4; ++i) std::memcpy(&d[i], block + i * Block::kBytes, 2);
  __m128i halves = _mm_cvtsi32_si128(static_cast<int>(d[0] | (static_cast<uint32_t>(d[1]) << 16)));
  halves = _mm_insert_epi16(_mm_insert_epi16(halves, d[2], 2), d[3], 3);
  const __m128 wd = _mm_cvtph_ps(halves);
  const __m512i first = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
  const __m512i second = _mm512_setr_epi32(2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
  __m512 scales0[M], scales1[M];
  for (int r = 0; r < M; ++r) {
    const __m512 s = _mm512_castps128_ps512(_mm_mul_ps(_mm_loadu_ps(job.xd + (m0 + r) * job.blocks + b), wd));
    scales0[r] = _mm512_permutexvar_ps(first, s);
    scales1[r] = _mm512_permutexvar_ps(second, s);
  }
  blockPairDots<kQ5, M>(job, m0, b, blockPairWeights<kQ5>(block), scales0, acc);
  blockPairDots<kQ5, M>(job, m0, b + 2, blockPairWeights<kQ5>(block + 2 * Block::kBytes), scales1, acc);
}

#endif

#ifdef __AVX2__
// Weight rows j0..j1 against rows m0..m0+M-1 of x: at the VNNI levels two blocks per zmm, four per step, else
// one block per ymm step; the last block of an odd count on the ymm step.
template <bool kQ5, int M>
inline void gemvInt8RowsVec(const GemvInt8Job& job, int64_t m0, int64_t j0, int64_t j1) {
  constexpr int64_t kBytes = GemvInt8Block<kQ5>::kBytes;
  const MatmulArgs& a = *job.args;
  for (int64_t j = j0; j < j1; ++j) {
    const uint8_t* row = a.w.data + static_cast<size_t>(j) * a.w.rowBytes;
    __m256 acc[M][2];
#ifdef __AVX512VNNI__
    __m512 pairs[M];
    for (int r = 0; r < M; ++r) pairs[r] = _mm512_setzero_ps();
#else
    for (int r = 0; r < M; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
#endif
    int64_t b = 0;
#ifdef __AVX512VNNI__
    for (; b + 4 <= job.blocks; b += 4) {
      prefetchWeightsAhead(row + b * kBytes, 64);  // a line per 4 blocks (72-88 bytes)
      blockQuadStepZmm<kQ5, M>(job, m0, b, row + b * kBytes, pairs);
    }
    if (b + 2 <= job.blocks) {
      prefetchWeightsAhead(row + b * kBytes, 64);
      blockPairStepZmm<kQ5, M>(job, m0, b, row + b * kBytes, pairs);
      b += 2;
    }
    splitEvenOdd<M>(pairs, acc);
#else
    for (; b + 2 <= job.blocks; b += 2) {
      if (b % 4 == 0) prefetchWeightsAhead(row + b * kBytes, 64);  // a line per 4 blocks (72-88 bytes)
      blockStepVec<kQ5, M>(job, m0, b, row + b * kBytes, 0, acc);
      blockStepVec<kQ5, M>(job, m0, b + 1, row + (b + 1) * kBytes, 1, acc);
    }
#endif
    if (b < job.blocks) blockStepVec<kQ5, M>(job, m0, b, row + b * kBytes, 0, acc);
    for (int r = 0; r < M; ++r) storeLaneSum(a, m0 + r, j, reduceLanesVec(_mm256_add_ps(acc[r][0], acc[r][1])));
  }
}
#endif

template <bool kQ5>
inline void gemvInt8Item(const GemvInt8Job& job, int64_t j0, int64_t j1) {
#ifdef __AVX2__
  forEachRowPass(job.args->m, [&](int64_t m0, auto M) { gemvInt8RowsVec<kQ5, decltype(M)::value>(job, m0, j0, j1); });
#else
  for (int64_t j = j0; j < j1; ++j) gemvInt8RowPlain<kQ5>(job, j);
#endif
}

// Quantizes the activations into callerScratch (quantizeBlock's rule, kept as signed quants) with
// the negated lane sums (the corrections of the unsigned weights, up to their offset).
inline GemvInt8Job quantizeGemvActivations(const MatmulArgs& a) {
  const int64_t k = a.w.cols, blocks = k / kInt8BlockElements;
  // k is a multiple of 32, so the quants are a whole number of floats
  float* scratch = callerScratch(static_cast<size_t>(a.m * k / 4 + a.m * blocks * (4 + kGemvInt8Lanes)));
  uint8_t* xq = reinterpret_cast<uint8_t*>(scratch);
  float* xd = scratch + a.m * k / 4;
  float* xs = xd + a.m * blocks;
  int32_t* xLaneNeg = reinterpret_cast<int32_t*>(xs + a.m * blocks);
  int32_t* xHalfNeg = xLaneNeg + a.m * blocks * kGemvInt8Lanes;
  for (int64_t r = 0; r < a.m; ++r) {
    for (int64_t b = 0; b < blocks; ++b) {
      const int64_t i = r * blocks + b;
      uint8_t* q = xq + r * k + b * kInt8BlockElements;
      xd[i] = quantizeBlock(a.x + r * k + b * kInt8BlockElements, q, &xs[i]);
#ifdef __AVX2__
      // quant + 128 -> quant; each lane's 4 quants summed by (1 x q) pair products, then pairs of those
      const __m256i quants = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q)), _mm256_set1_epi8(-128));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(q), quants);
      const __m256i sums = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), quants), _mm256_set1_epi16(1));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(xLaneNeg + i * kGemvInt8Lanes), _mm256_sub_epi32(_mm256_setzero_si256(), sums));
#else
      for (int e = 0; e < kInt8BlockElements; ++e) q[e] = static_cast<uint8_t>(q[e] ^ 0x80);  // quant + 128 -> quant
      for (int l = 0; l < kGemvInt8Lanes; ++l) {
        int32_t sum = 0;
        for (int e = 4 * l; e < 4 * l + 4; ++e) sum += static_cast<int8_t>(q[e]);
        xLaneNeg[i * kGemvInt8Lanes + l] = -sum;
      }
#endif
      for (int h = 0; h < 2; ++h) {
        int32_t half = 0;
        for (int l = 4 * h; l < 4 * h + 4; ++l) half += xLaneNeg[i * kGemvInt8Lanes + l];
        xHalfNeg[2 * i + h] = half;
      }
    }
  }
  return GemvInt8Job{&a, xq, xd, xLaneNeg, xs, xHalfNeg, blocks};
}

inline int64_t gemvInt8RowsPerItem(const MatmulArgs& a) { return gemvRowsPerItem(a.w.rowBytes); }
inline int64_t gemvInt8Items(const MatmulArgs& a) { return ceilDiv(a.w.rows, gemvInt8RowsPerItem(a)); }

// Work item `item` of job (its args' weight rows, about kGemvItemBytes of them).
inline void gemvInt8RunItem(const GemvInt8Job& job, int64_t item) {
  const int64_t perItem = gemvInt8RowsPerItem(*job.args);
  const int64_t j0 = item * perItem, j1 = minI64(job.args->w.rows, j0 + perItem);
  if (job.args->w.interleaved != nullptr) {
    gemvInterleavedItem(job, j0, j1);
    return;
  }
  switch (job.args->w.type) {
    case kTypeQ5_0: gemvInt8Item<true>(job, j0, j1); return;
    case kTypeQ4_K: gemvInt8KItem<KQuant::kQ4_K>(job, j0, j1); return;
    case kTypeQ5_K: gemvInt8KItem<KQuant::kQ5_K>(job, j0, j1); return;
    case kTypeQ6_K: gemvInt8KItem<KQuant::kQ6_K>(job, j0, j1); return;
    case kTypeQ3_K: gemvQ3KItem(job, j0, j1); return;
    case kTypeIQ4_NL: gemvIq4Item<false>(job, j0, j1); return;
    case kTypeIQ4_XS: gemvIq4Item<true>(job, j0, j1); return;
    case kTypeQ2_K: gemvQ2KItem(job, j0, j1); return;
    default: gemvInt8Item<false>(job, j0, j1); return;
  }
}

// True when a takes the int8 GEMV: fewer than kInt8GemmMinRows rows of x, Q4_0, Q5_0, Q4_K, Q5_K, Q6_K, Q3_K, IQ4_NL, IQ4_XS or Q2_K weights at
// int8 precision (stored panels, if any, are not read), or interleaved blocks of any type (gemv_interleaved.h).
inline bool takesGemvInt8(const MatmulArgs& a) {
  return a.w.precision == kPrecisionInt8 && a.m <= kGemvInt8MaxRows &&
         (a.w.interleaved != nullptr || a.w.type == kTypeQ4_0 || a.w.type == kTypeQ5_0 || a.w.type == kTypeQ4_K || a.w.type == kTypeQ5_K ||
          a.w.type == kTypeQ6_K || a.w.type == kTypeQ3_K || a.w.type == kTypeIQ4_NL || a.w.type == kTypeIQ4_XS ||
          a.w.type == kTypeQ2_K);
}

// True when it ran (see takesGemvInt8).
inline bool gemvInt8(const MatmulArgs& a) {
  if (!takesGemvInt8(a)) return false;
  const GemvInt8Job job = quantizeGemvActivations(a);
  forEachChunk(gemvInt8Items(a), [&job](int64_t item, int) { gemvInt8RunItem(job, item); });
  return true;
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
