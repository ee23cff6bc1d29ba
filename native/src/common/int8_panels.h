// Int8 panels: the layout the int8-precision GEMM (kernels/gemm_int8.h) reads weights in whose
// values are, per sub-block of 32 (Q6_K, Q3_K: 16) elements, an integer quant times a scale plus (for
// some) an offset: Q8_0, Q4_0, Q5_0, Q6_K, Q3_K, IQ4_NL, IQ4_XS (value = q d; the IQ4 quants are the table
// levels), Q4_1, Q5_1, Q4_K, Q5_K (value = q d + min;
// K-quants: d and min per sub-block), and Q2_K (value = d sc_h u - dmin m_h for half h, 16 elements: the
// record's quant is the integer sc_h u <= 45 with scale d, and its half mins m_h and dmin meet the
// activations' half sums, the int8 GEMV's steps: kernels/gemv_interleaved_q2k.h). Stored when a Weight is packed at kPrecisionInt8 (the TypeScript
// side stores Q8_0's; it leaves the others' to the GEMM, which packs them a K run at a time:
// kernels/int8_records.h).
//
// Panel p holds weight rows (outputs) [32p, 32p + 32); rows past the last are zeros. For each
// 32-element block b of K the panel has one record of int8RecordBytes(type) at (p * blocks + b) *
// int8RecordBytes(type); with S = int8SubBlocks(type) (1, or 2 for Q6_K and Q3_K):
//   bytes [0, 1024): the signed quants, element k (< 32) of column c at ((k / 4) * 32 + c) * 4 + k % 4
//     (the vpdpbusd operand layout: 4 consecutive k of one column per int32 lane);
//   then S x 32 floats: the scale d of sub-block h of column c at h * 32 + c;
//   then S x 32 int32s: -128 * (sum of the quants of that sub-block), the correction that turns a
//     dot product with activations offset by +128 (unsigned) into the signed one;
//   types with mins only, then 32 floats: the offset `min` of each column;
//   Q2_K only, then 3 x 32 floats: m_h of half 0 and of half 1 (whole numbers 0..15), and dmin, of each column.
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/ggml_types.h"
#include "common/kernel_args.h"

namespace fastfill {

constexpr int kInt8PanelColumns = 32;
constexpr int kInt8BlockElements = 32;
constexpr int kInt8ScalesOffset = 1024;  // bytes into a record

// The types listed above.
bool isInt8Type(int32_t type);

// True for the int8 types whose values have an offset (Q4_1, Q5_1, Q4_K, Q5_K). Their quants, and Q2_K's, are
// unsigned (kernels/gemm_int8_tile_maddubs.h relies on it).
constexpr bool int8HasMins(int32_t type) {
  return type == kTypeQ4_1 || type == kTypeQ5_1 || type == kTypeQ4_K || type == kTypeQ5_K;
}

// True for the int8 types with a min per half block of 16 elements (Q2_K).
constexpr bool int8HasHalfMins(int32_t type) { return type == kTypeQ2_K; }

// Sub-blocks per 32 elements: 2 for Q6_K and Q3_K, else 1.
constexpr int int8SubBlocks(int32_t type) { return type == kTypeQ6_K || type == kTypeQ3_K ? 2 : 1; }

// The largest |quant| of a type's records.
constexpr int int8MaxQuant(int32_t type) {
  return type == kTypeQ4_0 ? 8 : type == kTypeQ5_0 ? 16 : type == kTypeQ4_1 || type == kTypeQ4_K ? 15
       : type == kTypeQ5_1 || type == kTypeQ5_K ? 31 : type == kTypeQ6_K ? 32 : type == kTypeQ3_K ? 4
       : type == kTypeQ2_K ? 45 : 128;
}

// True when a sub-block's sums of pair products (vpmaddubsw: two |quant| * |activation| <= 127 each) add up
// exactly in int16 over all its 4-element steps: Q4_0, Q5_0, Q4_1, Q4_K, Q6_K and Q3_K.
constexpr bool int8SumsFitInt16(int32_t type) {
  return 2 * int8MaxQuant(type) * 127 * (8 / int8SubBlocks(type)) <= 32767;
}

// Steps of 4 elements over which vpmaddubsw's pair sums of the unsigned activations (quant + 128 <= 255)
// times the signed weight quants add up exactly in int16 (2 x 255 x |quant| per pair), as a power of two no
// larger than a sub-block's steps: Q4_0 8, Q5_0 4, Q6_K 2, Q3_K 4 (its sub-block). 0 for the types with
// mins or half mins (unsigned quants) and where one pair may overflow (Q8_0, IQ4_NL, IQ4_XS).
constexpr int int8UnsignedXSteps(int32_t type) {
  if (int8HasMins(type) || int8HasHalfMins(type)) return 0;
  const int fit = 32767 / (2 * 255 * int8MaxQuant(type));
  int steps = 8 / int8SubBlocks(type);
  while (steps > fit) steps /= 2;
  return fit == 0 ? 0 : steps;
}

// Bytes into a record of the corrections and of the mins (see above).
constexpr int int8CorrectionOffset(int32_t type) { return kInt8ScalesOffset + 4 * kInt8PanelColumns * int8SubBlocks(type); }
constexpr int int8MinsOffset(int32_t type) { return kInt8ScalesOffset + 8 * kInt8PanelColumns * int8SubBlocks(type); }

constexpr int int8RecordBytes(int32_t type) {
  return int8MinsOffset(type) + (int8HasMins(type) ? 4 * kInt8PanelColumns : int8HasHalfMins(type) ? 12 * kInt8PanelColumns : 0);
}

// True when a weight of `type` at `precision` has int8 panels.
bool usesInt8Panels(int32_t type, int32_t precision);

size_t int8PanelBytes(int32_t type, int64_t rows, int64_t cols);

// Writes the int8 panels of w (an int8 type) to dst (int8PanelBytes bytes), on the thread pool.
void packInt8Panels(const WeightView& w, uint8_t* dst);

// The quants of the 32 elements of K block b of one weight row: value = q * d[sub-block] + min (Q6_K, Q3_K: two
// sub-blocks of 16; Q4_K, Q5_K: q unsigned; Q2_K: q = sc_h u, value = q * d[0] - dmin * halfMins[h] for half h).
struct Int8BlockQuants {
  int8_t q[kInt8BlockElements];
  float d[2], min;
  float halfMins[2], dmin;
};

// Block b of weight row `row` of w (an int8 type; from its interleaved blocks when it has them).
void int8QuantsAt(const WeightView& w, int64_t row, int64_t b, Int8BlockQuants* out);

// Writes the records of K blocks [block0, block0 + blocks) of one panel of w to dst, on this thread:
// the reference form of the GEMM's own packer (kernels/int8_records.h), which packs weights without
// stored panels a K run at a time.
void packInt8Records(const WeightView& w, int64_t panel, int64_t block0, int64_t blocks, uint8_t* dst);

}  // namespace fastfill
