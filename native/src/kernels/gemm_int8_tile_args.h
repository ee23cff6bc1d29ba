// The arguments of the int8 GEMM micro-kernels (gemm_int8_tile.h, gemm_int8_tile_maddubs.h).
#pragma once
#include <cstring>
#include <type_traits>

#include "common/int8_panels.h"
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kInt8TileRows = 5;  // 5 measured 2-4 % faster than 6 and 4 (Zen 5)

// What the records carry beyond the quants' scales: nothing, a min per block, or half mins (Int8TileArgs).
enum class Int8Mins { kNone, kBlock, kHalves };

struct Int8TileArgs {
  // The activations (kernels/int8_activations.h) from the first row block's first row and the run's
  // first block: block b of row r of row block i at index i * rowBlockStep + r * rowStep + b *
  // blockStep; quants + 128 at xq + index * 32, scales at xd[index], d * sums (weights with mins)
  // at xs[index], minus the half sums (weights with half mins) at xh[2 index], xh[2 index + 1].
  const uint8_t* xq;
  const float* xd;
  const float* xs;
  const float* xh;
  int64_t rowStep;
  int64_t blockStep;
  int64_t rowBlockStep;
  int64_t rowBlocks;     // row blocks of `rows` rows (int8Tile), kInt8TileRows rows apart
  const uint8_t* panel;  // the first record of the run (common/int8_panels.h)
  int64_t recordBytes;
  int subBlocks;         // 1 or 2 per record
  int correctionOffset;  // bytes into a record
  int minsOffset;        // bytes into a record, or -1 when the records carry no mins
  bool halfMins;         // the mins are half mins (Q2_K: common/int8_panels.h)
  int64_t blocks;        // K blocks in the run
  float* c;              // C[r * ldc + col] of the first row block's rows
  int64_t ldc;
  int cols;              // valid columns, 1..32
  const float* bias;     // first run: C starts from bias[col], or from zeros when nullptr
  bool accumulate;       // a later run: C starts from its current value
  bool int16Sums;        // int8SumsFitInt16 of the weight type (the maddubs tile then widens once per sub-block)
  int unsignedXSteps;    // int8UnsignedXSteps of the weight type (gemm_int8_tile_unsigned_x.h)
};

inline Int8Mins int8MinsOf(const Int8TileArgs& t) {
  return t.halfMins ? Int8Mins::kHalves : t.minsOffset >= 0 ? Int8Mins::kBlock : Int8Mins::kNone;
}

// Rows [0, rows) of row block i in passes of kRows rows, the rest one row at a time: pass(R, r0, first) with R a
// std::integral_constant of the pass's rows, r0 its first row and first that row's activation index (quants at
// xq + first * 32, scale at xd[first]).
template <int kRows, class Pass>
inline void forEachTileRowPass(int rows, const Int8TileArgs& t, int64_t i, const Pass& pass) {
  int r0 = 0;
  for (; r0 + kRows <= rows; r0 += kRows) pass(std::integral_constant<int, kRows>{}, r0, i * t.rowBlockStep + r0 * t.rowStep);
  for (; r0 < rows; ++r0) pass(std::integral_constant<int, 1>{}, r0, i * t.rowBlockStep + r0 * t.rowStep);
}

inline float recordFloat(const uint8_t* record, int offset, int index) {
  float v;
  std::memcpy(&v, record + offset + 4 * index, 4);
  return v;
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
