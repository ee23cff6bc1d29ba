// The int8 GEMM's quantized activations (kernels/gemm_int8.h): x quantized per row and 32-element
// block as llama.cpp's Q8_0 activations, but with an F32 scale:
//   d = amax / 127, q = round-to-nearest-even(x * (1 / d)) clamped to [-127, 127] (q = 0 when d = 0)
// stored as q + 128 (the unsigned operand of vpdpbusd), plus, for weights with mins, s = d * the sum
// of the block's quants, and for weights with half mins (Q2_K) h = minus the sums of its quants 0-15 and
// 16-31 (whole numbers, as floats).
//
// Layout: rows in groups of `rowGroup` (kInt8TileRows, so that a micro-tile reads one contiguous run
// per K block; 1, plain row-major, for the AMX tiles). Block b of row r has the index
//   ((r / rowGroup) * blocksPerRow + b) * rowGroup + r % rowGroup
// its 32 quants at index * 32 bytes of q, its d and s at index of d and s, its h at 2 index. Rows are padded to whole
// groups; the padding is never written and only read into outputs that are not stored.
#pragma once
#include "common/int8_panels.h"
#include "kernels/elementwise.h"
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

struct Int8Activations {
  const uint8_t* q;
  const float* d;
  const float* s;  // nullptr when the sums were not asked for
  const float* h;  // nullptr when the half sums were not asked for
  int64_t blocksPerRow;
  int64_t rowGroup;
};

inline int64_t int8BlockIndex(int64_t blocksPerRow, int64_t rowGroup, int64_t row, int64_t block) {
  return ((row / rowGroup) * blocksPerRow + block) * rowGroup + row % rowGroup;
}

// Quantizes the 32 floats at x into q (+128) and returns the scale d; *scaledSum = d * the sum of
// the signed quants, and halfNeg[0..1] (when not nullptr) minus the sums of quants 0-15 and 16-31. (The
// one-block rule; also the int8 GEMV's, kernels/gemv_int8.h.)
inline float quantizeBlock(const float* x, uint8_t* q, float* scaledSum, float* halfNeg = nullptr) {
  Vec amax = vZero();
  for (int e = 0; e < kInt8BlockElements; e += kLanes) {
    const Vec v = vLoad(x + e);
    amax = vMax(amax, vMax(v, vSub(vZero(), v)));
  }
  const float d = vMaxAll(amax) / 127.0f;
  const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
  int32_t sum = 0, halves[2] = {0, 0};
#ifdef __AVX512F__
  __m512i values[2];  // quants 0-15 and 16-31 (kLanes is 16)
  for (int e = 0; e < kInt8BlockElements; e += kLanes) {
    const Vec v = vMin(vMax(vRound(vMul(vLoad(x + e), vSplat(inverse))), vSplat(-127.0f)), vSplat(127.0f));
    values[e / kLanes] = _mm512_cvtps_epi32(v.v);  // exact: v is a whole number
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + e), _mm512_cvtepi32_epi8(_mm512_add_epi32(values[e / kLanes], _mm512_set1_epi32(128))));
  }
  sum = _mm512_reduce_add_epi32(_mm512_add_epi32(values[0], values[1]));
  if (halfNeg != nullptr) {
    halves[0] = _mm512_reduce_add_epi32(values[0]);
    halves[1] = sum - halves[0];
  }
#else
  float rounded[kInt8BlockElements];
  for (int e = 0; e < kInt8BlockElements; e += kLanes) {
    const Vec v = vRound(vMul(vLoad(x + e), vSplat(inverse)));
    vStore(rounded + e, vMin(vMax(v, vSplat(-127.0f)), vSplat(127.0f)));
  }
  for (int e = 0; e < kInt8BlockElements; ++e) {
    const int32_t value = static_cast<int32_t>(rounded[e]);
    q[e] = static_cast<uint8_t>(value + 128);
    halves[e / 16] += value;
  }
  sum = halves[0] + halves[1];
#endif
  *scaledSum = d * static_cast<float>(sum);
  if (halfNeg != nullptr) {
    halfNeg[0] = static_cast<float>(-halves[0]);
    halfNeg[1] = static_cast<float>(-halves[1]);
  }
  return d;
}

#ifdef __AVX512F__
// Lane j of the result = op over all lanes of v[j] (op associative and commutative: max, add), by a
// transposing tree: 45 shuffles and ops for 16 vectors instead of 16 horizontal reductions.
template <class Op>
inline __m512 reduceLanes16(const __m512* v, Op op) {
  __m512 halves[8], quarters[4], eighths[2];
  for (int i = 0; i < 8; ++i)  // 128-bit lanes: [v[2i] v[2i] v[2i+1] v[2i+1]]
    halves[i] = op(_mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], 0x44), _mm512_shuffle_f32x4(v[2 * i], v[2 * i + 1], 0xEE));
  for (int i = 0; i < 4; ++i)  // 128-bit lane L: v[4i + L]
    quarters[i] = op(_mm512_shuffle_f32x4(halves[2 * i], halves[2 * i + 1], 0x88),
                     _mm512_shuffle_f32x4(halves[2 * i], halves[2 * i + 1], 0xDD));
  for (int i = 0; i < 2; ++i)  // lane L: v[8i + L] twice, then v[8i + 4 + L] twice
    eighths[i] = op(_mm512_shuffle_ps(quarters[2 * i], quarters[2 * i + 1], 0x44),
                    _mm512_shuffle_ps(quarters[2 * i], quarters[2 * i + 1], 0xEE));
  // element 4L + j: v[4j + L]
  const __m512 mixed = op(_mm512_shuffle_ps(eighths[0], eighths[1], 0x88), _mm512_shuffle_ps(eighths[0], eighths[1], 0xDD));
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  return _mm512_permutexvar_ps(order, mixed);
}

// Blocks [0, count) (count <= 16) of the row at x, block j at index first + j * step: quants to
// q + index * 32, scale to d[index] (and s[index], h[2 index..]). The same numbers as quantizeBlock: clamping
// before the (round-to-nearest-even) conversion equals clamping after rounding, the bounds being
// whole numbers.
inline void quantize16Blocks(const float* x, int count, int64_t first, int64_t step, uint8_t* q, float* d, float* s,
                             float* h) {
  const __m512 signBit = _mm512_set1_ps(-0.0f);
  __m512 amax[16];
  for (int j = 0; j < 16; ++j) {
    amax[j] = j < count ? _mm512_max_ps(_mm512_andnot_ps(signBit, _mm512_loadu_ps(x + 32 * j)),
                                        _mm512_andnot_ps(signBit, _mm512_loadu_ps(x + 32 * j + 16)))
                        : _mm512_setzero_ps();
  }
  const __m512 scales = _mm512_div_ps(reduceLanes16(amax, [](__m512 a, __m512 b) { return _mm512_max_ps(a, b); }),
                                      _mm512_set1_ps(127.0f));
  const __mmask16 nonzero = _mm512_cmp_ps_mask(scales, _mm512_setzero_ps(), _CMP_NEQ_UQ);
  alignas(64) float inverses[16], scaleArray[16];
  _mm512_store_ps(inverses, _mm512_maskz_div_ps(nonzero, _mm512_set1_ps(1.0f), scales));
  _mm512_store_ps(scaleArray, scales);
  const __m512 low = _mm512_set1_ps(-127.0f), high = _mm512_set1_ps(127.0f);
  const __m128i offset = _mm_set1_epi8(static_cast<char>(0x80));
  __m512 sums[16], seconds[16];  // sums: of all 32 quants, or (with h) of the first 16
  for (int j = 0; j < count; ++j) {
    const __m512 inverse = _mm512_set1_ps(inverses[j]);
    const __m512i q0 = _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(_mm512_loadu_ps(x + 32 * j), inverse), low), high));
    const __m512i q1 = _mm512_cvtps_epi32(_mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(_mm512_loadu_ps(x + 32 * j + 16), inverse), low), high));
    const int64_t index = first + j * step;
    uint8_t* out = q + index * kInt8BlockElements;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_xor_si128(_mm512_cvtepi32_epi8(q0), offset));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16), _mm_xor_si128(_mm512_cvtepi32_epi8(q1), offset));
    d[index] = scaleArray[j];
    sums[j] = _mm512_castsi512_ps(h != nullptr ? q0 : _mm512_add_epi32(q0, q1));
    seconds[j] = _mm512_castsi512_ps(q1);
  }
  if (s == nullptr && h == nullptr) return;
  for (int j = count; j < 16; ++j) sums[j] = seconds[j] = _mm512_setzero_ps();
  const auto addInts = [](__m512 a, __m512 b) {
    return _mm512_castsi512_ps(_mm512_add_epi32(_mm512_castps_si512(a), _mm512_castps_si512(b)));
  };
  __m512 total = reduceLanes16(sums, addInts);
  if (h != nullptr) {
    const __m512 second = reduceLanes16(seconds, addInts);
    alignas(64) int32_t firstHalves[16], secondHalves[16];
    _mm512_store_si512(firstHalves, _mm512_castps_si512(total));
    _mm512_store_si512(secondHalves, _mm512_castps_si512(second));
    for (int j = 0; j < count; ++j) {
      h[2 * (first + j * step)] = static_cast<float>(-firstHalves[j]);
      h[2 * (first + j * step) + 1] = static_cast<float>(-secondHalves[j]);
    }
    if (s == nullptr) return;
    total = addInts(total, second);
  }
  alignas(64) float scaledSums[16];
  _mm512_store_ps(scaledSums, _mm512_mul_ps(scales, _mm512_cvtepi32_ps(_mm512_castps_si512(total))));
  for (int j = 0; j < count; ++j) s[first + j * step] = scaledSums[j];
}
#endif

// Quantizes x (m rows of k floats) into q, d and (when not nullptr) s and h, laid out as above. With a
// gate ([m][k]), the rows quantized are silu(gate) * x (siluMulRow's floats), made a few blocks at a
// time in a local buffer: the product never goes through memory.
inline void quantizeActivations(const float* x, const float* gate, int64_t m, int64_t k, int64_t rowGroup, uint8_t* q,
                                float* d, float* s, float* h) {
  const int64_t blocksPerRow = k / kInt8BlockElements;
  // whole row groups per chunk: threads writing rows of one group would share cache lines
  const int64_t rowsPerChunk = ceilDiv(maxI64(1, 16384 / k), rowGroup) * rowGroup;
  forEachChunk(ceilDiv(m, rowsPerChunk), [=](int64_t chunk, int) {
    constexpr int64_t kBlocksAtOnce = 16;
    alignas(64) float gated[kBlocksAtOnce * kInt8BlockElements];
    const int64_t end = minI64(m, (chunk + 1) * rowsPerChunk);
    for (int64_t r = chunk * rowsPerChunk; r < end; ++r) {
      const int64_t first = int8BlockIndex(blocksPerRow, rowGroup, r, 0);  // block b: first + b * rowGroup
      for (int64_t b = 0; b < blocksPerRow; b += kBlocksAtOnce) {
        const int count = static_cast<int>(minI64(kBlocksAtOnce, blocksPerRow - b));
        const int64_t offset = r * k + b * kInt8BlockElements;
        const float* blocks = x + offset;
        // the input 8 KiB ahead (past a row's end comes the next row): it mostly comes from memory, and
        // the prefetch made the quantization ~15 % faster
        for (int line = 0; line < 32; ++line) {
          __builtin_prefetch(x + offset + 2048 + 16 * line, 0, 3);
          if (gate != nullptr) __builtin_prefetch(gate + offset + 2048 + 16 * line, 0, 3);
        }
        if (gate != nullptr) {
          siluMulRow(gate + offset, x + offset, gated, count * kInt8BlockElements);
          blocks = gated;
        }
#ifdef __AVX512F__
        quantize16Blocks(blocks, count, first + b * rowGroup, rowGroup, q, d, s, h);
#else
        for (int j = 0; j < count; ++j) {
          const int64_t i = first + (b + j) * rowGroup;
          float scaledSum;
          d[i] = quantizeBlock(blocks + j * kInt8BlockElements, q + i * kInt8BlockElements, &scaledSum,
                               h != nullptr ? h + 2 * i : nullptr);
          if (s != nullptr) s[i] = scaledSum;
        }
#endif
      }
    }
  });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
