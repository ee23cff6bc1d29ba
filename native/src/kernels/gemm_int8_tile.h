// The int8 GEMM micro-kernel: rows x (up to) 32 columns of C over a run of 32-element K blocks.
// Per block and output the exact int32 sum of (activation quant + 128) * weight quant, plus the
// panel's correction (-128 * sum of the weight quants), is the signed dot product; it becomes
//   acc = fma(float(sum), xd * wd, acc)
// per sub-block (Q6_K: two of 16 elements, each with its own scale wd), followed, for weights
// with mins, by acc = fma(xs, wmin, acc) (xs = xd * float(sum of the activation quants of the
// block)), with acc starting from bias (first K run), 0, or C (later runs). Integer sums are exact and the
// float steps are the same at every level, so all levels agree bit for bit.
// With AVX512-VNNI the sums come from vpdpbusd (kInt8TileRows x 32 columns: 12 zmm of int32 sums
// plus 12 of float accumulators); every other level runs the plain loops.
#pragma once
#include "common/int8_panels.h"
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kInt8TileRows = 6;

struct Int8TileArgs {
  const uint8_t* xq;   // activation quants + 128: xq[r * k + e], e from the tile's first block
  const float* xd;     // activation block scales: xd[r * blocksPerRow + b], b from the first block
  const float* xs;     // xd times the sum of the block's quants (for weights with mins), as xd
  int64_t k;           // row stride of xq (elements)
  int64_t blocksPerRow;
  const uint8_t* panel;  // the first record of the run (common/int8_panels.h)
  int64_t recordBytes;
  int subBlocks;         // 1 or 2 per record
  int correctionOffset;  // bytes into a record
  int minsOffset;        // bytes into a record, or -1 when the records carry no mins
  int64_t blocks;        // K blocks in the run
  float* c;              // C[r * ldc + col]
  int64_t ldc;
  int cols;              // valid columns, 1..32
  const float* bias;     // first run: C starts from bias[col], or from zeros when nullptr
  bool accumulate;       // a later run: C starts from its current value
};

inline float recordFloat(const uint8_t* record, int offset, int index) {
  float v;
  std::memcpy(&v, record + offset + 4 * index, 4);
  return v;
}

inline void int8TilePlain(int rows, const Int8TileArgs& t) {
  const int subElements = kInt8BlockElements / t.subBlocks;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < t.cols; ++c) {
      float acc = t.accumulate ? t.c[r * t.ldc + c] : (t.bias != nullptr ? t.bias[c] : 0.0f);
      const uint8_t* record = t.panel;
      for (int64_t b = 0; b < t.blocks; ++b, record += t.recordBytes) {
        const uint8_t* x = t.xq + r * t.k + b * kInt8BlockElements;
        const float xd = t.xd[r * t.blocksPerRow + b];
        for (int h = 0; h < t.subBlocks; ++h) {
          int32_t sum;
          std::memcpy(&sum, record + t.correctionOffset + 4 * (h * kInt8PanelColumns + c), 4);
          for (int e = h * subElements; e < (h + 1) * subElements; ++e) {
            const int8_t wq = static_cast<int8_t>(record[((e / 4) * kInt8PanelColumns + c) * 4 + e % 4]);
            sum += static_cast<int32_t>(x[e]) * static_cast<int32_t>(wq);
          }
          const float scale = xd * recordFloat(record, kInt8ScalesOffset, h * kInt8PanelColumns + c);
          acc = fmaf(static_cast<float>(sum), scale, acc);
        }
        if (t.minsOffset >= 0) acc = fmaf(t.xs[r * t.blocksPerRow + b], recordFloat(record, t.minsOffset, c), acc);
      }
      t.c[r * t.ldc + c] = acc;
    }
  }
}

#ifdef __AVX512VNNI__
template <int R, int kSubBlocks, bool kMins>
inline void int8TileVnni(const Int8TileArgs& t) {
  constexpr int kSteps = kInt8BlockElements / 4 / kSubBlocks;  // vpdpbusd steps per sub-block
  const __mmask16 mask0 = static_cast<__mmask16>(t.cols >= 16 ? 0xFFFFu : (1u << t.cols) - 1);
  const __mmask16 mask1 = static_cast<__mmask16>(t.cols >= 32 ? 0xFFFFu : t.cols <= 16 ? 0u : (1u << (t.cols - 16)) - 1);
  __m512 acc[R][2];
  for (int r = 0; r < R; ++r) {
    if (t.accumulate) {
      acc[r][0] = _mm512_maskz_loadu_ps(mask0, t.c + r * t.ldc);
      acc[r][1] = _mm512_maskz_loadu_ps(mask1, t.c + r * t.ldc + 16);
    } else if (t.bias != nullptr) {
      acc[r][0] = _mm512_maskz_loadu_ps(mask0, t.bias);
      acc[r][1] = _mm512_maskz_loadu_ps(mask1, t.bias + 16);
    } else {
      acc[r][0] = acc[r][1] = _mm512_setzero_ps();
    }
  }
  const uint8_t* record = t.panel;
  for (int64_t b = 0; b < t.blocks; ++b, record += t.recordBytes) {
    const uint8_t* x = t.xq + b * kInt8BlockElements;
    for (int h = 0; h < kSubBlocks; ++h) {
      const uint8_t* correction = record + t.correctionOffset + h * 128;
      const __m512i correction0 = _mm512_loadu_si512(correction);
      const __m512i correction1 = _mm512_loadu_si512(correction + 64);
      __m512i sum[R][2];
      for (int r = 0; r < R; ++r) {
        sum[r][0] = correction0;
        sum[r][1] = correction1;
      }
      for (int step = h * kSteps; step < (h + 1) * kSteps; ++step) {
        const __m512i w0 = _mm512_loadu_si512(record + step * 128);
        const __m512i w1 = _mm512_loadu_si512(record + step * 128 + 64);
        for (int r = 0; r < R; ++r) {
          int32_t four;
          std::memcpy(&four, x + r * t.k + 4 * step, 4);
          const __m512i xs = _mm512_set1_epi32(four);
          sum[r][0] = _mm512_dpbusd_epi32(sum[r][0], xs, w0);
          sum[r][1] = _mm512_dpbusd_epi32(sum[r][1], xs, w1);
        }
      }
      const float* scales = reinterpret_cast<const float*>(record + kInt8ScalesOffset + h * 128);
      const __m512 wd0 = _mm512_loadu_ps(scales);
      const __m512 wd1 = _mm512_loadu_ps(scales + 16);
      for (int r = 0; r < R; ++r) {
        const __m512 xd = _mm512_set1_ps(t.xd[r * t.blocksPerRow + b]);
        acc[r][0] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum[r][0]), _mm512_mul_ps(xd, wd0), acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum[r][1]), _mm512_mul_ps(xd, wd1), acc[r][1]);
      }
    }
    if constexpr (kMins) {
      const __m512 min0 = _mm512_loadu_ps(reinterpret_cast<const float*>(record + t.minsOffset));
      const __m512 min1 = _mm512_loadu_ps(reinterpret_cast<const float*>(record + t.minsOffset + 64));
      for (int r = 0; r < R; ++r) {
        const __m512 xs = _mm512_set1_ps(t.xs[r * t.blocksPerRow + b]);
        acc[r][0] = _mm512_fmadd_ps(xs, min0, acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(xs, min1, acc[r][1]);
      }
    }
  }
  for (int r = 0; r < R; ++r) {
    _mm512_mask_storeu_ps(t.c + r * t.ldc, mask0, acc[r][0]);
    _mm512_mask_storeu_ps(t.c + r * t.ldc + 16, mask1, acc[r][1]);
  }
}

template <int R = kInt8TileRows>
inline void int8TileVnniRows(int rows, const Int8TileArgs& t) {
  if constexpr (R > 1) {
    if (rows < R) {
      int8TileVnniRows<R - 1>(rows, t);
      return;
    }
  }
  if (t.minsOffset >= 0) int8TileVnni<R, 1, true>(t);
  else if (t.subBlocks == 2) int8TileVnni<R, 2, false>(t);
  else int8TileVnni<R, 1, false>(t);
}
#endif

inline void int8Tile(int rows, const Int8TileArgs& t) {
#ifdef __AVX512VNNI__
  int8TileVnniRows(rows, t);
#else
  int8TilePlain(rows, t);
#endif
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
