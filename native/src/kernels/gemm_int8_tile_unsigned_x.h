// The maddubs tile (gemm_int8_tile_maddubs.h) for small signed quants at the avx2 level: Q4_0, Q5_0, Q6_K
// and Q3_K (int8UnsignedXSteps > 0). The activations as stored (quant + 128, at most 255) are vpmaddubsw's
// unsigned operand and the weight quants, as they are, its signed one: no vpabsb / vpsignb per product,
// and no flip of the activations. A pair sum is at most 2 x 255 x |quant|, so kGroup steps add up in int16
// exactly; each group widens to int32 with vpmaddwd, and the record's correction (-128 x the sub-block's
// quant sum) turns the sum into the signed dot product. The integer sums are those of the sign rule and of
// VNNI, and the float steps the same, so the results agree bit for bit.
#pragma once
#include "kernels/gemm_int8_tile_args.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

#if defined(__AVX2__) && !defined(__AVX512BW__)
// R rows x 32 columns over the run: acc (R x 32 floats) += the run's blocks.
template <int R, int kSubBlocks, int kGroup>
inline void int8BlockRunUnsignedX(const Int8TileArgs& t, const uint8_t* xq, const float* xd, float* acc) {
  constexpr int kVecs = kInt8PanelColumns / 8;
  constexpr int kSteps = kInt8BlockElements / 4 / kSubBlocks;
  static_assert(kSteps % kGroup == 0, "a group of steps lies in one sub-block");
  const int64_t rowBytes = t.rowStep * kInt8BlockElements, blockBytes = t.blockStep * kInt8BlockElements;
  const __m256i ones = _mm256_set1_epi16(1);
  const uint8_t* record = t.panel;
  for (int64_t b = 0; b < t.blocks; ++b, record += t.recordBytes, xq += blockBytes, xd += t.blockStep) {
    for (int h = 0; h < kSubBlocks; ++h) {
      __m256i sum[R][kVecs];  // zeros fold away: the adds below start from the first products
      for (int r = 0; r < R; ++r) {
        for (int j = 0; j < kVecs; ++j) sum[r][j] = _mm256_setzero_si256();
      }
      for (int g = h * kSteps; g < (h + 1) * kSteps; g += kGroup) {
        __m256i pairs[R][kVecs];
        for (int r = 0; r < R; ++r) {
          for (int j = 0; j < kVecs; ++j) pairs[r][j] = _mm256_setzero_si256();
        }
        for (int step = g; step < g + kGroup; ++step) {
          __m256i x[R];
          for (int r = 0; r < R; ++r) {
            int32_t four;
            std::memcpy(&four, xq + r * rowBytes + 4 * step, 4);
            x[r] = _mm256_set1_epi32(four);
          }
          for (int j = 0; j < kVecs; ++j) {
            const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(record + step * 128 + j * 32));
            for (int r = 0; r < R; ++r) {
              pairs[r][j] = _mm256_add_epi16(pairs[r][j], _mm256_maddubs_epi16(x[r], w));
              keepInRegister(pairs[r][j]);
            }
          }
        }
        for (int r = 0; r < R; ++r) {
          for (int j = 0; j < kVecs; ++j) sum[r][j] = _mm256_add_epi32(sum[r][j], _mm256_madd_epi16(pairs[r][j], ones));
        }
      }
      const uint8_t* corrections = record + t.correctionOffset + h * 128;
      const float* scales = reinterpret_cast<const float*>(record + kInt8ScalesOffset + h * 128);
      for (int j = 0; j < kVecs; ++j) {
        const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(corrections + j * 32));
        const Vec s = vLoad(scales + j * 8);
        for (int r = 0; r < R; ++r) {
          float* a = acc + r * kInt8PanelColumns + j * 8;
          const Vec dot = {_mm256_cvtepi32_ps(_mm256_add_epi32(sum[r][j], c))};
          vStore(a, vFma(dot, vMul(vSplat(xd[r * t.rowStep]), s), vLoad(a)));
        }
      }
    }
  }
}

// Rows [0, rows) of row block i, 2 at a time (16 ymm: 8 pair sums, 2 activations, a weight; where a group is
// shorter than the sub-block, Q5_0 and Q6_K, the int32 sums wait on the stack between groups).
template <int kSubBlocks, int kGroup>
inline void int8RowBlockUnsignedX(int rows, const Int8TileArgs& t, int64_t i, float* acc) {
  forEachTileRowPass<2>(rows, t, i, [&](auto R, int r0, int64_t first) {
    int8BlockRunUnsignedX<decltype(R)::value, kSubBlocks, kGroup>(t, t.xq + first * kInt8BlockElements, t.xd + first,
                                                                  acc + r0 * kInt8PanelColumns);
  });
}

// False when the records' type is not one of these (unsignedXSteps 0: the caller takes the sign rule).
inline bool int8RowBlockUnsignedXOf(int rows, const Int8TileArgs& t, int64_t i, float* acc) {
  if (t.subBlocks == 1 && t.unsignedXSteps == 8) int8RowBlockUnsignedX<1, 8>(rows, t, i, acc);       // Q4_0
  else if (t.subBlocks == 1 && t.unsignedXSteps == 4) int8RowBlockUnsignedX<1, 4>(rows, t, i, acc);  // Q5_0
  else if (t.subBlocks == 2 && t.unsignedXSteps == 2) int8RowBlockUnsignedX<2, 2>(rows, t, i, acc);  // Q6_K
  else if (t.subBlocks == 2 && t.unsignedXSteps == 4) int8RowBlockUnsignedX<2, 4>(rows, t, i, acc);  // Q3_K
  else return false;
  return true;
}
#else
inline bool int8RowBlockUnsignedXOf(int, const Int8TileArgs&, int64_t, float*) { return false; }  // not measured at avx512
#endif

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
