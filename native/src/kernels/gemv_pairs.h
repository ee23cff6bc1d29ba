// The bf16-precision GEMV: 1..7 rows of x (kept F32) against F32/F16/BF16 weights in their bf16
// pair panels (common/weight_panels.h), streamed a few panels at a time like gemv_panels.h.
//
// Every output is the chain of the pair GEMM's FMA kernel at these row counts (gemm_pairs.h,
// pairTileFma): it starts at its bias (or 0) and takes, per pair q, fma(x[2q], even) then
// fma(x[2q + 1], odd), where a K padded to whole pairs has x = 0 and weight 0 for the last odd
// element. So results do not depend on the batch's other rows or on the threads.
#pragma once
#include "kernels/gemv_panels.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

// Panels per group for M rows: up to 4, within about 12 vector accumulators (each panel also
// holds an even and an odd vector per kLanes columns while it is used).
template <int M>
constexpr int pairGroup() {
  const int fit = 12 / (M * kPanelVecs);
  return fit < 1 ? 1 : (fit > 4 ? 4 : fit);
}

template <int M, int G>
inline void pairGemvGroup(const MatmulArgs& a, int64_t m0, int64_t p0, int count) {
  const int64_t k = a.w.cols, pairs = (k + 1) / 2;
  const uint16_t* panels = reinterpret_cast<const uint16_t*>(a.w.panels);
  const uint16_t* base[G];
  for (int g = 0; g < G; ++g) base[g] = panels + static_cast<size_t>((p0 + (g < count ? g : 0)) * pairs) * kPanelColumns * 2;
  int lanes[G][kPanelVecs];
  Vec acc[M][G][kPanelVecs];
  startPanelGroup<M, G>(a, p0, count, lanes, acc);
  const float* x = a.x + m0 * k;
  for (int64_t q = 0; q < pairs; ++q) {
    Vec even[G][kPanelVecs], odd[G][kPanelVecs];
    for (int g = 0; g < G; ++g)
      for (int v = 0; v < kPanelVecs; ++v)
        vLoadBf16Pairs(base[g] + (q * kPanelColumns + v * kLanes) * 2, &even[g][v], &odd[g][v]);
    const bool hasOdd = 2 * q + 1 < k;
    for (int r = 0; r < M; ++r) {
      const Vec x0 = vSplat(x[r * k + 2 * q]), x1 = vSplat(hasOdd ? x[r * k + 2 * q + 1] : 0.0f);
      for (int g = 0; g < G; ++g)
        for (int v = 0; v < kPanelVecs; ++v) acc[r][g][v] = vFma(x1, odd[g][v], vFma(x0, even[g][v], acc[r][g][v]));
    }
  }
  storePanelGroup<M, G>(a, m0, p0, count, lanes, acc);
}

// Panels per work item: whole panels, about kGemvItemBytes (2 bytes per weight).
inline int64_t pairGemvPerItem(const MatmulArgs& a) {
  const int64_t panelBytes = (a.w.cols + 1) / 2 * 2 * kPanelColumns * 2;
  return maxI64(1, ceilDiv(kGemvItemBytes, panelBytes));
}

inline int64_t pairGemvItems(const MatmulArgs& a) {
  return ceilDiv(ceilDiv(a.w.rows, kPanelColumns), pairGemvPerItem(a));
}

inline void pairGemvItem(const MatmulArgs& a, int64_t item) {
  const int64_t panels = ceilDiv(a.w.rows, kPanelColumns), perItem = pairGemvPerItem(a);
  const int64_t p0 = item * perItem, p1 = minI64(panels, p0 + perItem);
  for (int64_t m0 = 0; m0 < a.m; m0 += kGemvPanelMaxRows) {
    const int rows = static_cast<int>(minI64(kGemvPanelMaxRows, a.m - m0));
    withCount<kGemvPanelMaxRows>(rows, [&](auto rowCount) {
      constexpr int M = decltype(rowCount)::value, G = pairGroup<M>();
      for (int64_t p = p0; p < p1; p += G) {
        const int count = static_cast<int>(minI64(G, p1 - p));
        withCount<G>(count, [&](auto g) { pairGemvGroup<M, decltype(g)::value>(a, m0, p, count); });
      }
    });
  }
}

// True when a takes the pair GEMV: bf16 precision with pair panels (F32/F16/BF16 weights), 1..7 rows.
inline bool takesGemvPairs(const MatmulArgs& a) {
  return a.w.panels != nullptr && a.w.precision == kPrecisionBf16 && a.m <= kGemvPanelMaxRows &&
         (a.w.type == kTypeF32 || a.w.type == kTypeF16 || a.w.type == kTypeBF16);
}

// True when it ran (see takesGemvPairs).
inline bool gemvPairs(const MatmulArgs& a) {
  if (!takesGemvPairs(a)) return false;
  forEachChunk(pairGemvItems(a), [&a](int64_t item, int) { pairGemvItem(a, item); });
  return true;
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
