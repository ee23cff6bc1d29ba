// The int8 GEMM micro-kernel (gemm_int8_tile.h) on CPUs without AVX512-VNNI: the avx2 and avx512
// levels. Their plain loops ran at 3-4 GOPS, 50-90x slower than the same level's F32 GEMM.
//
// vpmaddubsw multiplies unsigned by signed bytes with int16 saturation, so the unsigned activations
// (quant + 128, up to 255) times weights up to 127 could saturate. Instead the signed activation x
// (the stored byte ^ 0x80) takes the weight's sign and the weight its absolute value (llama.cpp's
// AVX2 rule): |w| * (+-x) <= 128 * 127 per product, two per int16 lane, exact; vpmaddwd with ones then
// gives the int32 sum of 4. That is the signed dot product itself, so the record's correction is not
// added. The integer sums equal VNNI's and the float steps are the same, so every level agrees bit for bit.
// With AVX2, for the types whose pair sums fit (int8SumsFitInt16: all but Q8_0, Q5_1, Q5_K, Q2_K and the IQ4 types), the pairs are added
// in int16 over the sub-block and widened once: half the multiplies.
// The signed quants of at most 32 in magnitude (Q4_0, Q5_0, Q6_K, Q3_K) skip the sign rule at avx2: the
// activations as stored meet the quants as they are (gemm_int8_tile_unsigned_x.h).
// AVX2 negates with vpsignb; AVX-512BW has none, so a mask of the negative weights drives a masked
// subtraction. Records whose quants are all unsigned (the types with mins or half mins: Q4_1, Q5_1, Q4_K,
// Q5_K, Q2_K; at most 45) skip the sign rule: vpmaddubsw takes them as the unsigned operand and the signed
// activations as they are, each product at most 45 * 127, again exact.
#pragma once
#include "kernels/gemm_int8_tile_args.h"
#include "kernels/gemm_int8_tile_unsigned_x.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

#if !defined(__AVX512VNNI__) && (defined(__AVX512BW__) || defined(__AVX2__))
#ifdef __AVX512BW__
struct Int8Lanes {
  static constexpr int kColumns = kLanes;  // 16
  static constexpr bool kInt16Sums = false;  // not measured at this level
  static constexpr int kRows = 5;  // rows per pass over a run: 10 int32 sums, 5 activations, 4 weight regs
  using I = __m512i;
  struct Weights {
    I magnitude;
    __mmask64 negative;
  };
  static Weights weights(const uint8_t* p) {
    const I w = _mm512_loadu_si512(p);
    return {_mm512_abs_epi8(w), _mm512_movepi8_mask(w)};
  }
  static I activations(int32_t four) { return _mm512_xor_si512(_mm512_set1_epi32(four), _mm512_set1_epi8(-128)); }
  static I dot(I sum, I x, const Weights& w) {
    const I signedX = _mm512_mask_sub_epi8(x, w.negative, _mm512_setzero_si512(), x);
    return _mm512_add_epi32(sum, _mm512_madd_epi16(_mm512_maddubs_epi16(w.magnitude, signedX), _mm512_set1_epi16(1)));
  }
  static I dot16(I sum, I, const Weights&) { return sum; }
  static I load(const uint8_t* p) { return _mm512_loadu_si512(p); }
  static I dotUnsigned(I sum, I x, I w) {
    return _mm512_add_epi32(sum, _mm512_madd_epi16(_mm512_maddubs_epi16(w, x), _mm512_set1_epi16(1)));
  }
  static I dotUnsigned16(I sum, I, I) { return sum; }
  static I widen(I sum) { return sum; }
  static I zero() { return _mm512_setzero_si512(); }
  static Vec toFloat(I v) { return {_mm512_cvtepi32_ps(v)}; }
  static void keep(I&) {}  // not measured at this level
};
#else
struct Int8Lanes {
  static constexpr int kColumns = kLanes;  // 8
  static constexpr bool kInt16Sums = true;
  static constexpr int kRows = 2;  // 16 ymm: 8 int32 sums, 2 activations, the weights and temporaries
  using I = __m256i;
  struct Weights {
    I magnitude, sign;
  };
  static Weights weights(const uint8_t* p) {
    const I w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    return {_mm256_abs_epi8(w), w};
  }
  static I activations(int32_t four) { return _mm256_xor_si256(_mm256_set1_epi32(four), _mm256_set1_epi8(-128)); }
  static I dot(I sum, I x, const Weights& w) {
    return _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(w.magnitude, _mm256_sign_epi8(x, w.sign)),
                                                   _mm256_set1_epi16(1)));
  }
  // The pair sums added in int16 (int8SumsFitInt16), widened to int32 by widen.
  static I dot16(I sum, I x, const Weights& w) {
    return _mm256_add_epi16(sum, _mm256_maddubs_epi16(w.magnitude, _mm256_sign_epi8(x, w.sign)));
  }
  static I widen(I sum) { return _mm256_madd_epi16(sum, _mm256_set1_epi16(1)); }
  static I load(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  // Unsigned weights w: the signed x as it is.
  static I dotUnsigned(I sum, I x, I w) {
    return _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(w, x), _mm256_set1_epi16(1)));
  }
  static I dotUnsigned16(I sum, I x, I w) { return _mm256_add_epi16(sum, _mm256_maddubs_epi16(w, x)); }
  static I zero() { return _mm256_setzero_si256(); }
  static Vec toFloat(I v) { return {_mm256_cvtepi32_ps(v)}; }
  static void keep(I& v) { keepInRegister(v); }
};
#endif

// R rows (one call per group of rows of a row block) x 32 columns over the run: acc (R x 32 floats,
// in memory) += the run's blocks, as int8BlockRunVnni.
template <int R, int kSubBlocks, Int8Mins kMins, bool kInt16>
inline void int8BlockRunMaddubs(const Int8TileArgs& t, const uint8_t* xq, const float* xd, const float* xs, const float* xh,
                                float* acc) {
  using L = Int8Lanes;
  constexpr int kVecs = kInt8PanelColumns / L::kColumns;
  constexpr int kSteps = kInt8BlockElements / 4 / kSubBlocks;
  const int64_t rowBytes = t.rowStep * kInt8BlockElements, blockBytes = t.blockStep * kInt8BlockElements;
  const uint8_t* record = t.panel;
  for (int64_t b = 0; b < t.blocks; ++b, record += t.recordBytes, xq += blockBytes, xd += t.blockStep) {
    for (int h = 0; h < kSubBlocks; ++h) {
      typename L::I sum[R][kVecs];
      for (int r = 0; r < R; ++r) {
        for (int j = 0; j < kVecs; ++j) sum[r][j] = L::zero();
      }
      for (int step = h * kSteps; step < (h + 1) * kSteps; ++step) {
        typename L::I x[R];
        for (int r = 0; r < R; ++r) {
          int32_t four;
          std::memcpy(&four, xq + r * rowBytes + 4 * step, 4);
          x[r] = L::activations(four);
        }
        for (int j = 0; j < kVecs; ++j) {
          const uint8_t* weights = record + step * 128 + j * L::kColumns * 4;
          if constexpr (kMins != Int8Mins::kNone) {  // unsigned quants
            const typename L::I w = L::load(weights);
            for (int r = 0; r < R; ++r) sum[r][j] = kInt16 ? L::dotUnsigned16(sum[r][j], x[r], w) : L::dotUnsigned(sum[r][j], x[r], w);
          } else {
            const typename L::Weights w = L::weights(weights);
            for (int r = 0; r < R; ++r) sum[r][j] = kInt16 ? L::dot16(sum[r][j], x[r], w) : L::dot(sum[r][j], x[r], w);
          }
          for (int r = 0; r < R; ++r) L::keep(sum[r][j]);
        }
      }
      if constexpr (kInt16) {
        for (int r = 0; r < R; ++r) {
          for (int j = 0; j < kVecs; ++j) sum[r][j] = L::widen(sum[r][j]);
        }
      }
      const float* scales = reinterpret_cast<const float*>(record + kInt8ScalesOffset + h * 128);
      for (int r = 0; r < R; ++r) {
        const Vec xdr = vSplat(xd[r * t.rowStep]);
        for (int j = 0; j < kVecs; ++j) {
          float* a = acc + r * kInt8PanelColumns + j * L::kColumns;
          vStore(a, vFma(L::toFloat(sum[r][j]), vMul(xdr, vLoad(scales + j * L::kColumns)), vLoad(a)));
        }
      }
    }
    if constexpr (kMins == Int8Mins::kBlock) {
      const float* mins = reinterpret_cast<const float*>(record + t.minsOffset);
      for (int r = 0; r < R; ++r) {
        const Vec xsr = vSplat(xs[r * t.rowStep + b * t.blockStep]);
        for (int j = 0; j < kVecs; ++j) {
          float* a = acc + r * kInt8PanelColumns + j * L::kColumns;
          vStore(a, vFma(xsr, vLoad(mins + j * L::kColumns), vLoad(a)));
        }
      }
    } else if constexpr (kMins == Int8Mins::kHalves) {
      const float* mins = reinterpret_cast<const float*>(record + t.minsOffset);
      for (int r = 0; r < R; ++r) {
        const int64_t index = r * t.rowStep + b * t.blockStep;
        const Vec h0 = vSplat(xh[2 * index]), h1 = vSplat(xh[2 * index + 1]), xdr = vSplat(xd[r * t.rowStep]);
        for (int j = 0; j < kVecs; ++j) {
          const float* m = mins + j * L::kColumns;
          const Vec minDot = vFma(h1, vLoad(m + kInt8PanelColumns), vMul(h0, vLoad(m)));
          float* a = acc + r * kInt8PanelColumns + j * L::kColumns;
          vStore(a, vFma(minDot, vMul(xdr, vLoad(m + 2 * kInt8PanelColumns)), vLoad(a)));
        }
      }
    }
  }
}

// Rows [0, rows) of row block i, Int8Lanes::kRows at a time.
template <int kSubBlocks, Int8Mins kMins, bool kInt16>
inline void int8RowBlockMaddubs(int rows, const Int8TileArgs& t, int64_t i, float* acc) {
  forEachTileRowPass<Int8Lanes::kRows>(rows, t, i, [&](auto R, int r0, int64_t first) {
    int8BlockRunMaddubs<decltype(R)::value, kSubBlocks, kMins, kInt16>(
        t, t.xq + first * kInt8BlockElements, t.xd + first, kMins == Int8Mins::kBlock ? t.xs + first : nullptr,
        kMins == Int8Mins::kHalves ? t.xh + 2 * first : nullptr, acc + r0 * kInt8PanelColumns);
  });
}

// The sub-block count and mins of the records, and the int16 sums where the level and type allow them.
template <bool kInt16>
inline void int8RowBlockMaddubsOf(int rows, const Int8TileArgs& t, int64_t i, float* acc) {
  const Int8Mins mins = int8MinsOf(t);
  if (mins == Int8Mins::kBlock) int8RowBlockMaddubs<1, Int8Mins::kBlock, kInt16>(rows, t, i, acc);
  else if (mins == Int8Mins::kHalves) int8RowBlockMaddubs<1, Int8Mins::kHalves, kInt16>(rows, t, i, acc);
  else if (t.subBlocks == 2) int8RowBlockMaddubs<2, Int8Mins::kNone, kInt16>(rows, t, i, acc);
  else int8RowBlockMaddubs<1, Int8Mins::kNone, kInt16>(rows, t, i, acc);
}

inline void int8TileMaddubs(int rows, const Int8TileArgs& t) {
  alignas(64) float acc[kInt8TileRows * kInt8PanelColumns];
  for (int64_t i = 0; i < t.rowBlocks; ++i) {
    float* const c = t.c + i * kInt8TileRows * t.ldc;
    for (int r = 0; r < rows; ++r) {
      for (int col = 0; col < kInt8PanelColumns; ++col) {
        acc[r * kInt8PanelColumns + col] = col >= t.cols ? 0.0f
                                           : t.accumulate ? c[r * t.ldc + col]
                                           : t.bias != nullptr ? t.bias[col] : 0.0f;
      }
    }
    if (!int8RowBlockUnsignedXOf(rows, t, i, acc)) {
      if (Int8Lanes::kInt16Sums && t.int16Sums) int8RowBlockMaddubsOf<Int8Lanes::kInt16Sums>(rows, t, i, acc);
      else int8RowBlockMaddubsOf<false>(rows, t, i, acc);
    }
    for (int r = 0; r < rows; ++r) std::memcpy(c + r * t.ldc, acc + r * kInt8PanelColumns, sizeof(float) * static_cast<size_t>(t.cols));
  }
}
#endif

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
