// Fused GEMV for block-quantized weights, on levels whose simd headers decode quant groups into
// registers (simd/quant_groups_<level>.h defines FASTFILL_QUANT_GROUPS): each group of 32
// weights is decoded once and multiplied into every x row, with no trip through memory.
//
// Work item: a run of weight rows (gemv_split.h), every x row (in runs of at most 7).
#pragma once
#include "kernels/gemv_split.h"

#ifdef FASTFILL_QUANT_GROUPS

namespace fastfill {
namespace FASTFILL_LEVEL {

// acc[m] += group g of `block` times x[m] (M rows of x, k apart; x at the block's first element).
template <int32_t Type, int M>
inline void groupStep(const uint8_t* block, const typename Group<Type>::Block& prepared, int g, const float* x,
                      int64_t k, Vec (&acc)[M][kGroupVecs]) {
  Vec w[kGroupVecs];
  Group<Type>::decode(block, prepared, g, w);
  for (int m = 0; m < M; ++m)
    for (int i = 0; i < kGroupVecs; ++i) acc[m][i] = vFma(vLoad(x + m * k + 32 * g + i * kLanes), w[i], acc[m][i]);
}

// out[m][j] = bias + dot(x[m], W[j]) for m < M. Weight rows are streamed one at a time (reading
// several interleaved defeats the prefetchers); consecutive groups go to two sets of accumulators
// so that enough independent FMA chains are in flight. The groups of a block are unrolled, so
// the decoders see their group index as a constant.
template <int32_t Type, int M>
inline void groupDotRow(const MatmulArgs& a, const float* x, float* out, int64_t j) {
  using G = Group<Type>;
  constexpr int kGroups = G::kBlockElements / 32;
  const int64_t k = a.w.cols, blocks = k / G::kBlockElements;
  const uint8_t* row = a.w.data + static_cast<size_t>(j) * a.w.rowBytes;
  typename G::Block prepared;
  Vec even[M][kGroupVecs], odd[M][kGroupVecs];
  for (int m = 0; m < M; ++m)
    for (int i = 0; i < kGroupVecs; ++i) even[m][i] = odd[m][i] = vZero();
  int64_t b = 0;
  if constexpr (kGroups == 1) {
    for (; b + 2 <= blocks; b += 2) {
      const uint8_t* block = row + b * G::kBlockBytes;
      groupStep<Type, M>(block, prepared, 0, x + b * 32, k, even);
      groupStep<Type, M>(block + G::kBlockBytes, prepared, 0, x + b * 32 + 32, k, odd);
    }
  }
  for (; b < blocks; ++b) {
    const uint8_t* block = row + b * G::kBlockBytes;
    G::prepare(block, &prepared);
    const float* xb = x + b * G::kBlockElements;
#pragma GCC unroll 8
    for (int g = 0; g < kGroups; ++g) groupStep<Type, M>(block, prepared, g, xb, k, g % 2 == 0 ? even : odd);
  }
  for (int m = 0; m < M; ++m) {
    Vec sum = vZero();
    for (int i = 0; i < kGroupVecs; ++i) sum = vAdd(sum, vAdd(even[m][i], odd[m][i]));
    out[m * a.w.rows + j] = (a.bias != nullptr ? a.bias[j] : 0.0f) + vSum(sum);
  }
}

template <int32_t Type, int M>
inline void groupDotItem(const MatmulArgs& a, int64_t m0, int64_t n0, int64_t n1) {
  const float* x = a.x + m0 * a.w.cols;
  float* out = a.out + m0 * a.w.rows;
  for (int64_t j = n0; j < n1; ++j) groupDotRow<Type, M>(a, x, out, j);
}

// True when it ran: a type with a group decoder at this level (kHasGroup) and at most kMaxGroupRows rows of x.
template <int32_t Type>
inline bool gemvGroupsOf(const MatmulArgs& a) {
  if constexpr (!kHasGroup<Type>) {
    return false;
  } else {
    if (a.m > kMaxGroupRows) return false;
    constexpr int kRun = kMaxGroupRows < 7 ? kMaxGroupRows : 7;  // rows of x per pass
    const int64_t rowsPerItem = gemvRowsPerItem(a.w.rowBytes);
    forEachChunk(ceilDiv(a.w.rows, rowsPerItem), [&a, rowsPerItem](int64_t item, int) {
      const int64_t n0 = item * rowsPerItem, n1 = minI64(a.w.rows, n0 + rowsPerItem);
      for (int64_t m0 = 0; m0 < a.m; m0 += kRun) {
        withCount<kRun>(static_cast<int>(minI64(kRun, a.m - m0)),
                        [&](auto M) { groupDotItem<Type, decltype(M)::value>(a, m0, n0, n1); });
      }
    });
    return true;
  }
}

// True when it ran (see gemvGroupsOf).
inline bool gemvGroups(const MatmulArgs& a) {
  switch (a.w.type) {
    case kTypeQ8_0: return gemvGroupsOf<kTypeQ8_0>(a);
    case kTypeQ4_0: return gemvGroupsOf<kTypeQ4_0>(a);
    case kTypeQ4_1: return gemvGroupsOf<kTypeQ4_1>(a);
    case kTypeQ5_0: return gemvGroupsOf<kTypeQ5_0>(a);
    case kTypeQ5_1: return gemvGroupsOf<kTypeQ5_1>(a);
    case kTypeQ4_K: return gemvGroupsOf<kTypeQ4_K>(a);
    case kTypeQ5_K: return gemvGroupsOf<kTypeQ5_K>(a);
    case kTypeQ6_K: return gemvGroupsOf<kTypeQ6_K>(a);
    default: return false;
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill

#endif  // FASTFILL_QUANT_GROUPS
