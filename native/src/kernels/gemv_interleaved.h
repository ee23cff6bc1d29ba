// The int8 GEMV on interleaved blocks (common/interleaved_blocks.h): Q4_0, Q5_0, Q4_1, Q5_1, Q8_0, IQ4_NL and the 256-element
// types (Q4_K, Q5_K: gemv_interleaved_q4k.h; Q6_K, Q3_K, Q2_K: gemv_interleaved_halves.h; IQ4_XS: gemv_interleaved_iq4.h)
// 8 rows side by side, for 1..5 rows of x at kPrecisionInt8. With AVX2 one 256-bit vector holds 4 quants of each of
// 8 weight rows, so a block of 8 rows is 4 (Q4_0, Q5_0) or 8 (Q8_0) loads and 8 multiplies per row of x, with no
// horizontal sums: the blocks' own GEMV (gemv_int8.h) spends about 3x the instructions per weight byte, which left
// Q4_0 / Q5_0 decode compute-bound on AVX2-only CPUs.
//
// Activations are gemv_int8.h's (quantizeGemvActivations). Per weight row i and block b the signed dot
// product of the 32 quants is formed exactly in int32:
//   Q4_0: sum of nibble * x (vpmaddubsw, unsigned nibble <= 15 by signed x: pair sums <= 3,810, so the 8
//         pair sums of a lane add up exactly in int16) minus 8 * sum x;
//   Q5_0: the same with u = nibble + 16 fifth <= 31 (pair sums <= 7,874: 4 add up exactly in int16, so the
//         low and the high nibbles' sums are widened apart) minus 16 * sum x;
//   Q8_0: sum of |w| * (x with w's sign) (vpmaddubsw, exact pairs as in gemm_int8_tile_maddubs.h), widened
//         with vpmaddwd before adding; IQ4_NL (and IQ4_XS) the same on the nibbles' int8 levels.
//   Q4_1, Q5_1: the sum of u * x.
// Then one chain from the bias (or 0): acc = fma(float(dot), xd_b * wd_b, acc) (Q4_1, Q5_1: then
// acc = fma(xs_b, m_b, acc), xs_b = xd_b * sum x) over the blocks in order,
// the int8 GEMM's own float steps (gemm_int8_tile.h), so a decode row is bit-identical to the same row in a
// prefill batch. The plain loops take the same steps, so every level agrees bit for bit, and every output
// is computed by one work item, so results do not depend on the threads.
#pragma once
#include "common/int8_panels.h"
#include "common/interleaved_blocks.h"
#include "kernels/dequantize.h"
#include "kernels/gemv_int8_job.h"
#include "kernels/gemv_interleaved_halves.h"
#include "kernels/gemv_interleaved_iq4.h"
#include "kernels/gemv_interleaved_q4k.h"
#include "kernels/interleaved_nibbles.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

// The plain loops: each block's quants as the int8 GEMM's records hold them (common/int8_panels.h), and its
// float steps (with the min term of Q4_K; per 16 elements for Q6_K).
inline void gemvInterleavedGroupPlain(const GemvInt8Job& job, int64_t group) {
  const MatmulArgs& a = *job.args;
  const bool mins = int8HasMins(a.w.type);
  forEachGroupOutput(job, group, [&](int64_t r, int64_t j, float acc) {
    const int8_t* xq = reinterpret_cast<const int8_t*>(job.xq + r * a.w.cols);
    for (int64_t b = 0; b < job.blocks; ++b) {
      Int8BlockQuants quants;
      int8QuantsAt(a.w, j, b, &quants);
      const int subBlocks = int8SubBlocks(a.w.type), subElements = kInt8BlockElements / subBlocks;
      for (int h = 0; h < subBlocks; ++h) {
        int32_t dot = 0;
        for (int e = h * subElements; e < (h + 1) * subElements; ++e) dot += quants.q[e] * xq[b * kInt8BlockElements + e];
        acc = fmaf(static_cast<float>(dot), job.xd[r * job.blocks + b] * quants.d[h], acc);
      }
      if (mins) acc = fmaf(job.xs[r * job.blocks + b], quants.min, acc);
    }
    return acc;
  });
}

#ifdef __AVX2__

// dot[r] = the exact dot products of one Q4_0, Q5_0, Q4_1 or Q5_1 group block (8 weight rows) against rows m0 + r
// of x: u = nibble (Q5_0, Q5_1: + 16 * fifth bit) summed against x, minus the offset 8 (Q5_0: 16; Q4_1, Q5_1: 0) *
// sum x (blockNeg is minus the sum of x).
template <int32_t kType, int M>
inline void interleavedDotsSmall(const GemvInt8Job& job, int64_t m0, int64_t b, const uint8_t* groupBlock, __m256i (&dot)[M]) {
  const int64_t k = job.args->w.cols;
  constexpr int kOffset = interleavedHasMins(kType) ? 0 : kType == kTypeQ5_0 ? 16 : 8;
  __m256i u[8];
  smallBlockNibbles<kType>(groupBlock, u);
  for (int r = 0; r < M; ++r) {
    __m256i front, back;
    halfBlockPairs(u, job.xq + (m0 + r) * k + b * kInt8BlockElements, front, back);
    dot[r] = halfBlockSum<!interleavedHasFifthBits(kType)>(front, back);
    if constexpr (kOffset != 0) dot[r] = _mm256_add_epi32(dot[r], _mm256_set1_epi32(job.blockNeg((m0 + r) * job.blocks + b) * kOffset));
  }
}

// Q8_0's quants, IQ4_NL's levels: signed int8 weights (signedBlockDots).
template <int32_t kType, int M>
inline void interleavedDotsSigned(const GemvInt8Job& job, int64_t m0, int64_t b, const uint8_t* groupBlock, __m256i (&dot)[M]) {
  __m256i w[8];
  if constexpr (kType == kTypeIQ4_NL) {
    iq4ChunkLevels(groupBlock + interleavedQuantsOffset(kType), w);
  } else {
    for (int j = 0; j < 8; ++j) w[j] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(groupBlock + kInterleavedScaleBytes + j * kInterleavedChunkBytes));
  }
  signedBlockDots<M>(job, m0, b, w, dot);
}

template <int32_t kType, int M>
inline void gemvInterleavedGroupVec(const GemvInt8Job& job, int64_t m0, int64_t group) {
  const MatmulArgs& a = *job.args;
  constexpr int64_t kBytes = interleavedBlockBytes(kType);
  const int64_t blocks = a.w.cols / interleavedBlockElements(kType);
  const uint8_t* groupBlock = interleavedBlock(a.w, group, 0);
  const int64_t j0 = group * kInterleavedRows;
  const int valid = static_cast<int>(minI64(kInterleavedRows, a.w.rows - j0));
  alignas(32) float start[kInterleavedRows] = {};
  for (int i = 0; i < valid && a.bias != nullptr; ++i) start[i] = a.bias[j0 + i];
  __m256 acc[M];
  for (int r = 0; r < M; ++r) acc[r] = _mm256_load_ps(start);
  for (int64_t b = 0; b < blocks; ++b, groupBlock += kBytes) {
    prefetchWeightsAhead(groupBlock, kBytes);
    if constexpr (interleavedBlockElements(kType) == 256) {
      if constexpr (kType == kTypeQ6_K || kType == kTypeQ3_K || kType == kTypeQ2_K) halvesSuperBlockStep<kType, M>(job, m0, b, groupBlock, acc);
      else if constexpr (kType == kTypeIQ4_XS) iq4xsSuperBlockStep<M>(job, m0, b, groupBlock, acc);
      else q45kSuperBlockStep<kType, M>(job, m0, b, groupBlock, acc);
      continue;
    }
    __m256i dot[M];
    if constexpr (kType == kTypeQ8_0 || kType == kTypeIQ4_NL) interleavedDotsSigned<kType, M>(job, m0, b, groupBlock, dot);
    else interleavedDotsSmall<kType, M>(job, m0, b, groupBlock, dot);
    const __m256 wd = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(groupBlock)));
    __m256 mins = _mm256_setzero_ps();
    if constexpr (interleavedHasMins(kType)) mins = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(groupBlock + kInterleavedMinsOffset)));
    for (int r = 0; r < M; ++r) {
      const int64_t index = (m0 + r) * job.blocks + b;
      acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot[r]), _mm256_mul_ps(_mm256_set1_ps(job.xd[index]), wd), acc[r]);
      if constexpr (interleavedHasMins(kType)) acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(job.xs[index]), mins, acc[r]);
    }
  }
  for (int r = 0; r < M; ++r) {
    float* out = a.out + (m0 + r) * a.w.rows + j0;
    if (valid == kInterleavedRows) {
      _mm256_storeu_ps(out, acc[r]);
    } else {
      alignas(32) float sums[kInterleavedRows];
      _mm256_store_ps(sums, acc[r]);
      std::memcpy(out, sums, sizeof(float) * static_cast<size_t>(valid));
    }
  }
}

#endif

// Weight rows [j0, j1) (whole groups but at the weight's end) against every row of x.
inline void gemvInterleavedItem(const GemvInt8Job& job, int64_t j0, int64_t j1) {
  const int64_t group0 = j0 / kInterleavedRows, group1 = ceilDiv(j1, kInterleavedRows);
#ifdef __AVX2__
  const int32_t type = job.args->w.type;
  forEachRowPass(job.args->m, [&](int64_t m0, auto M) {
    constexpr int kM = decltype(M)::value;
    for (int64_t group = group0; group < group1; ++group) {
      if (type == kTypeQ8_0) gemvInterleavedGroupVec<kTypeQ8_0, kM>(job, m0, group);
      else if (type == kTypeQ5_0) gemvInterleavedGroupVec<kTypeQ5_0, kM>(job, m0, group);
      else if (type == kTypeQ4_1) gemvInterleavedGroupVec<kTypeQ4_1, kM>(job, m0, group);
      else if (type == kTypeQ5_1) gemvInterleavedGroupVec<kTypeQ5_1, kM>(job, m0, group);
      else if (type == kTypeQ4_K) gemvInterleavedGroupVec<kTypeQ4_K, kM>(job, m0, group);
      else if (type == kTypeQ5_K) gemvInterleavedGroupVec<kTypeQ5_K, kM>(job, m0, group);
      else if (type == kTypeQ6_K) gemvInterleavedGroupVec<kTypeQ6_K, kM>(job, m0, group);
      else if (type == kTypeIQ4_NL) gemvInterleavedGroupVec<kTypeIQ4_NL, kM>(job, m0, group);
      else if (type == kTypeQ3_K) gemvInterleavedGroupVec<kTypeQ3_K, kM>(job, m0, group);
      else if (type == kTypeQ2_K) gemvInterleavedGroupVec<kTypeQ2_K, kM>(job, m0, group);
      else if (type == kTypeIQ4_XS) gemvInterleavedGroupVec<kTypeIQ4_XS, kM>(job, m0, group);
      else gemvInterleavedGroupVec<kTypeQ4_0, kM>(job, m0, group);
    }
  });
#else
  for (int64_t group = group0; group < group1; ++group) {
    if (job.args->w.type == kTypeQ2_K) gemvInterleavedQ2KPlain(job, group);
    else gemvInterleavedGroupPlain(job, group);
  }
#endif
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
