// The int8 GEMM micro-kernel: rows x (up to) 32 columns of C over a run of 32-element K blocks, for
// a column of row blocks (one call per panel run: the per-call setup is paid once).
// Per block and output the exact int32 sum of (activation quant + 128) * weight quant, plus the
// panel's correction (-128 * sum of the weight quants), is the signed dot product; it becomes
//   acc = fma(float(sum), xd * wd, acc)
// per sub-block (Q6_K: two of 16 elements, each with its own scale wd), followed, for weights
// with mins, by acc = fma(xs, wmin, acc) (xs = xd * float(sum of the activation quants of the
// block)), for weights with half mins (Q2_K) by acc = fma(fma(h1, m1, h0 * m0), xd * dmin, acc) (h0, h1
// minus the sums of the block's activation quants 0-15 and 16-31, m0, m1 the half mins: the product and
// sum are whole numbers below 2^24, exact, so this is the int8 GEMV's integer step: kernels/gemv_interleaved_q2k.h),
// with acc starting from bias (first K run), 0, or C (later runs). Integer sums are exact and the
// float steps are the same at every level, so all levels agree bit for bit.
// With AVX512-VNNI the sums come from vpdpbusd (kInt8TileRows x 32 columns: 2 kInt8TileRows zmm of
// int32 sums plus as many float accumulators); the avx2 and avx512 levels use vpmaddubsw on the signed
// form (gemm_int8_tile_maddubs.h), the scalar level the plain loops. Per block a
// row costs 16 vpdpbusd and, on the same two pipes (Zen 4/5), 2 vmulps and 2 vfmadd: at most ~80 %
// of the vpdpbusd peak (a hand-scheduled asm loop measured 78-79 %, this code 75-76 % on L1 data).
#pragma once
#include "kernels/gemm_int8_tile_args.h"
#include "kernels/gemm_int8_tile_maddubs.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

inline void int8TilePlain(int rows, const Int8TileArgs& t) {
  const int subElements = kInt8BlockElements / t.subBlocks;
  for (int64_t i = 0; i < t.rowBlocks; ++i) {
    float* const c = t.c + i * kInt8TileRows * t.ldc;
    for (int r = 0; r < rows; ++r) {
      for (int col = 0; col < t.cols; ++col) {
        float acc = t.accumulate ? c[r * t.ldc + col] : (t.bias != nullptr ? t.bias[col] : 0.0f);
        const uint8_t* record = t.panel;
        for (int64_t b = 0; b < t.blocks; ++b, record += t.recordBytes) {
          const int64_t index = i * t.rowBlockStep + r * t.rowStep + b * t.blockStep;
          const uint8_t* x = t.xq + index * kInt8BlockElements;
          for (int h = 0; h < t.subBlocks; ++h) {
            int32_t sum;
            std::memcpy(&sum, record + t.correctionOffset + 4 * (h * kInt8PanelColumns + col), 4);
            for (int e = h * subElements; e < (h + 1) * subElements; ++e) {
              const int8_t wq = static_cast<int8_t>(record[((e / 4) * kInt8PanelColumns + col) * 4 + e % 4]);
              sum += static_cast<int32_t>(x[e]) * static_cast<int32_t>(wq);
            }
            const float scale = t.xd[index] * recordFloat(record, kInt8ScalesOffset, h * kInt8PanelColumns + col);
            acc = fmaf(static_cast<float>(sum), scale, acc);
          }
          if (t.halfMins) {
            const float minDot = fmaf(t.xh[2 * index + 1], recordFloat(record, t.minsOffset, kInt8PanelColumns + col),
                                      t.xh[2 * index] * recordFloat(record, t.minsOffset, col));
            acc = fmaf(minDot, t.xd[index] * recordFloat(record, t.minsOffset, 2 * kInt8PanelColumns + col), acc);
          } else if (t.minsOffset >= 0) {
            acc = fmaf(t.xs[index], recordFloat(record, t.minsOffset, col), acc);
          }
        }
        c[r * t.ldc + col] = acc;
      }
    }
  }
}

#ifdef __AVX512VNNI__
// One row block: acc (R x 32 floats, from bias, zeros or C) += the run's blocks.
template <int R, int kSubBlocks, Int8Mins kMins>
inline void int8BlockRunVnni(const Int8TileArgs& t, const uint8_t* xq, const float* xd, const float* xs, const float* xh,
                             __m512 (&acc)[R][2]) {
  constexpr int kSteps = kInt8BlockElements / 4 / kSubBlocks;  // vpdpbusd steps per sub-block
  const int64_t rowBytes = t.rowStep * kInt8BlockElements, blockBytes = t.blockStep * kInt8BlockElements;
  const uint8_t* record = t.panel;
  for (int64_t b = 0; b < t.blocks; ++b, record += t.recordBytes, xq += blockBytes, xd += t.blockStep) {
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
          std::memcpy(&four, xq + r * rowBytes + 4 * step, 4);
          const __m512i x = _mm512_set1_epi32(four);
          sum[r][0] = _mm512_dpbusd_epi32(sum[r][0], x, w0);
          sum[r][1] = _mm512_dpbusd_epi32(sum[r][1], x, w1);
        }
      }
      const float* scales = reinterpret_cast<const float*>(record + kInt8ScalesOffset + h * 128);
      const __m512 wd0 = _mm512_loadu_ps(scales);
      const __m512 wd1 = _mm512_loadu_ps(scales + 16);
      for (int r = 0; r < R; ++r) {
        const __m512 xdr = _mm512_set1_ps(xd[r * t.rowStep]);
        acc[r][0] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum[r][0]), _mm512_mul_ps(xdr, wd0), acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum[r][1]), _mm512_mul_ps(xdr, wd1), acc[r][1]);
      }
    }
    if constexpr (kMins == Int8Mins::kBlock) {
      const __m512 min0 = _mm512_loadu_ps(reinterpret_cast<const float*>(record + t.minsOffset));
      const __m512 min1 = _mm512_loadu_ps(reinterpret_cast<const float*>(record + t.minsOffset + 64));
      for (int r = 0; r < R; ++r) {
        const __m512 xsr = _mm512_set1_ps(xs[r * t.rowStep + b * t.blockStep]);
        acc[r][0] = _mm512_fmadd_ps(xsr, min0, acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(xsr, min1, acc[r][1]);
      }
    } else if constexpr (kMins == Int8Mins::kHalves) {
      const float* mins = reinterpret_cast<const float*>(record + t.minsOffset);
      for (int v = 0; v < 2; ++v) {
        const __m512 m0 = _mm512_loadu_ps(mins + 16 * v), m1 = _mm512_loadu_ps(mins + 32 + 16 * v);
        const __m512 dmin = _mm512_loadu_ps(mins + 64 + 16 * v);
        for (int r = 0; r < R; ++r) {
          const int64_t index = r * t.rowStep + b * t.blockStep;
          const __m512 minDot = _mm512_fmadd_ps(_mm512_set1_ps(xh[2 * index + 1]), m1, _mm512_mul_ps(_mm512_set1_ps(xh[2 * index]), m0));
          acc[r][v] = _mm512_fmadd_ps(minDot, _mm512_mul_ps(_mm512_set1_ps(xd[r * t.rowStep]), dmin), acc[r][v]);
        }
      }
    }
  }
}

template <int R, int kSubBlocks, Int8Mins kMins>
inline void int8TileVnni(const Int8TileArgs& t) {
  const __mmask16 mask0 = static_cast<__mmask16>(t.cols >= 16 ? 0xFFFFu : (1u << t.cols) - 1);
  const __mmask16 mask1 = static_cast<__mmask16>(t.cols >= 32 ? 0xFFFFu : t.cols <= 16 ? 0u : (1u << (t.cols - 16)) - 1);
  const __m512 start0 = t.bias != nullptr ? _mm512_maskz_loadu_ps(mask0, t.bias) : _mm512_setzero_ps();
  const __m512 start1 = t.bias != nullptr ? _mm512_maskz_loadu_ps(mask1, t.bias + 16) : _mm512_setzero_ps();
  for (int64_t i = 0; i < t.rowBlocks; ++i) {
    // locals, not t's fields: a store through c could alias t, which the compiler would then reload
    float* const c = t.c + i * kInt8TileRows * t.ldc;
    const int64_t ldc = t.ldc, first = i * t.rowBlockStep;
    if (i + 1 < t.rowBlocks) {
      // the next row block's C lines, a row block ahead: left to the stores, their misses cost the
      // up/gate shape (10 MiB of C) 3-5 %
      for (int r = 0; r < R; ++r) {
        _m_prefetchw(c + (kInt8TileRows + r) * ldc);
        _m_prefetchw(c + (kInt8TileRows + r) * ldc + 16);
      }
    }
    __m512 acc[R][2];
    for (int r = 0; r < R; ++r) {
      acc[r][0] = t.accumulate ? _mm512_maskz_loadu_ps(mask0, c + r * ldc) : start0;
      acc[r][1] = t.accumulate ? _mm512_maskz_loadu_ps(mask1, c + r * ldc + 16) : start1;
    }
    int8BlockRunVnni<R, kSubBlocks, kMins>(t, t.xq + first * kInt8BlockElements, t.xd + first,
                                           kMins == Int8Mins::kBlock ? t.xs + first : nullptr,
                                           kMins == Int8Mins::kHalves ? t.xh + 2 * first : nullptr, acc);
    for (int r = 0; r < R; ++r) {
      _mm512_mask_storeu_ps(c + r * ldc, mask0, acc[r][0]);
      _mm512_mask_storeu_ps(c + r * ldc + 16, mask1, acc[r][1]);
    }
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
  const Int8Mins mins = int8MinsOf(t);
  if (mins == Int8Mins::kBlock) int8TileVnni<R, 1, Int8Mins::kBlock>(t);
  else if (mins == Int8Mins::kHalves) int8TileVnni<R, 1, Int8Mins::kHalves>(t);
  else if (t.subBlocks == 2) int8TileVnni<R, 2, Int8Mins::kNone>(t);
  else int8TileVnni<R, 1, Int8Mins::kNone>(t);
}
#endif

// t.rowBlocks row blocks of `rows` rows each (rows < kInt8TileRows: one row block, the last).
inline void int8Tile(int rows, const Int8TileArgs& t) {
#ifdef __AVX512VNNI__
  int8TileVnniRows(rows, t);
#elif defined(__AVX512BW__) || defined(__AVX2__)
  int8TileMaddubs(rows, t);
#else
  int8TilePlain(rows, t);
#endif
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
