// The int8 GEMV for Q2_K weights (dispatched by gemv_int8.h): 1..7 rows of x against the super-blocks in their
// own layout. Q2_K (84 bytes): scales[16] (low nibble sc, high nibble m), qs[64], f16 d, f16 dmin; element e of
// sub-block s (16 elements) has quant q in [0, 3] (bit pair (e / 32) % 4 of qs[32 (e / 128) + e % 32]) and value
// d * sc_s * q - dmin * m_s. A min per 16 elements is more than the int8 GEMM's records hold, so prefill stays at
// F32 on decoded tiles; here each lane l (4 elements, one sub-block) takes the min with the activations' lane
// sums: per block b and row of x,
//   acc[b % 2][l] = fma(float(partial_l), xd_b * d sc_l, acc[b % 2][l])   (partial_l: the lane's sum of q * xq)
//   acc[b % 2][l] = fma(float(laneNeg_l), xd_b * dmin m_l, acc[b % 2][l])  (laneNeg_l: minus its sum of xq)
// out = bias + reduceLanes(acc[0] + acc[1]), the same float steps at every level.
#pragma once
#include "kernels/dequantize.h"
#include "kernels/gemv_int8_job.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int64_t kQ2KBytes = 84;

#ifdef __AVX2__
// The 16 sub-blocks' d * sc (or dmin * m) as two vectors: sub-blocks 0-7 and 8-15.
struct Q2KLaneValues {
  __m256 scales[2], mins[2];
};

inline Q2KLaneValues q2kLaneValues(const uint8_t* block) {
  const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block));
  const __m128i nibble = _mm_set1_epi8(0x0F);
  const __m128i sc = _mm_and_si128(packed, nibble), m = _mm_and_si128(_mm_srli_epi16(packed, 4), nibble);
  const __m256 d = _mm256_set1_ps(loadHalf(block + 80)), dmin = _mm256_set1_ps(loadHalf(block + 82));
  Q2KLaneValues v;
  for (int h = 0; h < 2; ++h) {
    v.scales[h] = _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(sc, 8 * h))));
    v.mins[h] = _mm256_mul_ps(dmin, _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(m, 8 * h))));
  }
  return v;
}

// Lanes 0-3 take sub-block 2 jb's value, lanes 4-7 sub-block 2 jb + 1's.
inline __m256 q2kLanes(const __m256 (&values)[2], int jb) {
  const __m256i index = _mm256_add_epi32(_mm256_set1_epi32((2 * jb) % 8), _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1));
  return _mm256_permutevar8x32_ps(values[jb / 4], index);
}

template <int M>
inline void gemvQ2KRowsVec(const GemvInt8Job& job, int64_t m0, int64_t j0, int64_t j1) {
  const MatmulArgs& a = *job.args;
  const int64_t k = a.w.cols;
  for (int64_t j = j0; j < j1; ++j) {
    const uint8_t* row = a.w.data + static_cast<size_t>(j) * a.w.rowBytes;
    __m256 acc[M][2];
    for (int r = 0; r < M; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
    for (int64_t first = 0; first < job.blocks; first += 8) {
      const uint8_t* block = row + (first / 8) * kQ2KBytes;
      prefetchWeightsAhead(block, kQ2KBytes);
      const Q2KLaneValues values = q2kLaneValues(block);
      for (int n = 0; n < 2; ++n) {
        const __m256i qs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 16 + 32 * n));
        for (int pair = 0; pair < 4; ++pair) {
          const int jb = 4 * n + pair;
          const int64_t b = first + jb;
          // 16-bit shifts: the bits a byte gets from its neighbour land outside the mask
          const __m256i u = _mm256_and_si256(_mm256_srl_epi16(qs, _mm_cvtsi32_si128(2 * pair)), _mm256_set1_epi8(3));
          const __m256 scale = q2kLanes(values.scales, jb), min = q2kLanes(values.mins, jb);
          for (int r = 0; r < M; ++r) {
            const int64_t xRow = m0 + r;
            const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(job.xq + xRow * k + b * kInt8BlockElements));
            const __m256 xd = _mm256_set1_ps(job.xd[xRow * job.blocks + b]);
            const __m256i laneNeg = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(job.xLaneNeg + (xRow * job.blocks + b) * kGemvInt8Lanes));
            __m256& sum = acc[r][b % 2];
            sum = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dotLanes(_mm256_setzero_si256(), u, x)), _mm256_mul_ps(xd, scale), sum);
            sum = _mm256_fmadd_ps(_mm256_cvtepi32_ps(laneNeg), _mm256_mul_ps(xd, min), sum);
          }
        }
      }
    }
    for (int r = 0; r < M; ++r) storeLaneSum(a, m0 + r, j, reduceLanesVec(_mm256_add_ps(acc[r][0], acc[r][1])));
  }
}
#endif

inline void gemvQ2KRowPlain(const GemvInt8Job& job, int64_t j) {
  const MatmulArgs& a = *job.args;
  const int64_t k = a.w.cols;
  const uint8_t* row = a.w.data + static_cast<size_t>(j) * a.w.rowBytes;
  for (int64_t r = 0; r < a.m; ++r) {
    float acc[2][kGemvInt8Lanes] = {};
    for (int64_t b = 0; b < job.blocks; ++b) {
      const uint8_t* block = row + (b / 8) * kQ2KBytes;
      const int jb = static_cast<int>(b % 8);
      const float d = loadHalf(block + 80), dmin = loadHalf(block + 82), xd = job.xd[r * job.blocks + b];
      const int8_t* xq = reinterpret_cast<const int8_t*>(job.xq + r * k + b * kInt8BlockElements);
      const int32_t* laneNeg = job.xLaneNeg + (r * job.blocks + b) * kGemvInt8Lanes;
      for (int l = 0; l < kGemvInt8Lanes; ++l) {
        const int s = 2 * jb + l / 4;  // the lane's sub-block
        int32_t partial = 0;
        for (int e = 4 * l; e < 4 * l + 4; ++e) {
          partial += ((block[16 + 32 * (jb / 4) + e] >> (2 * (jb % 4))) & 3) * xq[e];
        }
        acc[b % 2][l] = fmaf(static_cast<float>(partial), xd * (d * static_cast<float>(block[s] & 0xF)), acc[b % 2][l]);
        acc[b % 2][l] = fmaf(static_cast<float>(laneNeg[l]), xd * (dmin * static_cast<float>(block[s] >> 4)), acc[b % 2][l]);
      }
    }
    float v[kGemvInt8Lanes];
    for (int l = 0; l < kGemvInt8Lanes; ++l) v[l] = acc[0][l] + acc[1][l];
    storeLaneSum(a, r, j, reduceLanes(v));
  }
}

inline void gemvQ2KItem(const GemvInt8Job& job, int64_t j0, int64_t j1) {
#ifdef __AVX2__
  forEachRowPass(job.args->m, [&](int64_t m0, auto M) { gemvQ2KRowsVec<decltype(M)::value>(job, m0, j0, j1); });
#else
  for (int64_t j = j0; j < j1; ++j) gemvQ2KRowPlain(job, j);
#endif
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
