// How the GEMVs split weight rows into work items. One item is a contiguous run of rows, about
// kGemvItemBytes of weights: long enough that the hardware prefetchers stay on one sequential
// stream and the pool's atomic counter is touched rarely (the lm_head has 150k rows), short enough
// for dynamic balancing when a vCPU is taken away. Items are whole multiples of 16 rows, so two
// items never write the same 64-byte line of an output row (when it is 64-byte aligned). The split
// depends only on the shape, never on the thread count.
#pragma once
#include <type_traits>

#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int64_t kGemvItemBytes = 64 * 1024;
constexpr int64_t kGemvRowQuantum = 16;

inline int64_t gemvRowsPerItem(size_t rowBytes) {
  const int64_t rows = static_cast<int64_t>(kGemvItemBytes / (rowBytes > 0 ? rowBytes : 1));
  return maxI64(kGemvRowQuantum, ceilDiv(rows, kGemvRowQuantum) * kGemvRowQuantum);
}

// Calls f(std::integral_constant<int, N>{}) with N = count (1..Max): a run-time count (a GEMV's rows of x, a
// group's panels) as a template argument, so that its accumulators stay in registers.
template <int Max, class F>
inline void withCount(int count, const F& f) {
  if constexpr (Max > 1) {
    if (count < Max) {
      withCount<Max - 1>(count, f);
      return;
    }
  }
  f(std::integral_constant<int, Max>{});
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
