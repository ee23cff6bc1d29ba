// Exact-F32 GEMV on native panels (F32/F16/BF16 weights packed for kPrecisionF32, which weights at
// kPrecisionInt8 share): 1..7 rows of x, no activation packing, panels streamed a few at a time.
//
// Every output is the GEMM's chain (gemm_tile.h): it starts at its bias (or 0) and takes one FMA
// per k, in order, of the same operands, so a row's result is bit-identical to what the GEMM gives
// it in any batch, at any thread count. Work item: a run of whole panels of about kGemvItemBytes
// (gemv_split.h); inside it, groups of panelGroup<M>() panels so that enough independent chains
// are in flight (the chains are long: one FMA per k).
#pragma once
#include "kernels/gemm_tile.h"
#include "kernels/gemv_split.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kPanelVecs = kPanelColumns / kLanes;
constexpr int kGemvPanelMaxRows = 7;  // rows of x per pass over the panels

// Panels per group for M rows: up to 4, within about 24 vector accumulators.
template <int M>
constexpr int panelGroup() {
  const int fit = 24 / (M * kPanelVecs);
  return fit < 1 ? 1 : (fit > 4 ? 4 : fit);
}

// The valid lanes of each vector of panels p0..p0+count-1 (0 for the group's unused slots), and
// every accumulator started at its column's bias (or 0). Shared with gemv_pairs.h.
template <int M, int G>
inline void startPanelGroup(const MatmulArgs& a, int64_t p0, int count, int (&lanes)[G][kPanelVecs],
                            Vec (&acc)[M][G][kPanelVecs]) {
  for (int g = 0; g < G; ++g) {
    for (int v = 0; v < kPanelVecs; ++v) {
      lanes[g][v] = g < count ? lanesOf(static_cast<int>(a.w.rows - (p0 + g) * kPanelColumns), v) : 0;
      const int64_t col = (p0 + g) * kPanelColumns + v * kLanes;
      const Vec start = a.bias != nullptr && lanes[g][v] > 0 ? vLoadFirst(a.bias + col, lanes[g][v]) : vZero();
      for (int r = 0; r < M; ++r) acc[r][g][v] = start;
    }
  }
}

// Stores the valid lanes of the accumulators to out rows m0..m0+M-1.
template <int M, int G>
inline void storePanelGroup(const MatmulArgs& a, int64_t m0, int64_t p0, int count, const int (&lanes)[G][kPanelVecs],
                            const Vec (&acc)[M][G][kPanelVecs]) {
  for (int g = 0; g < count; ++g) {
    for (int v = 0; v < kPanelVecs; ++v) {
      const int valid = lanes[g][v];
      if (valid == 0) continue;
      const int64_t col = (p0 + g) * kPanelColumns + v * kLanes;
      for (int r = 0; r < M; ++r) {
        float* out = a.out + (m0 + r) * a.w.rows + col;
        if (valid == kLanes) vStore(out, acc[r][g][v]);
        else vStoreFirst(out, acc[r][g][v], valid);
      }
    }
  }
}

// out rows m0..m0+M-1, panels p0..p0+count-1 (count <= G).
template <class Panel, int M, int G>
inline void panelGemvGroup(const MatmulArgs& a, int64_t m0, int64_t p0, int count) {
  using Elem = typename Panel::Elem;
  const int64_t k = a.w.cols;
  const Elem* panels = reinterpret_cast<const Elem*>(a.w.panels);
  const Elem* base[G];
  for (int g = 0; g < G; ++g) base[g] = panels + static_cast<size_t>((p0 + (g < count ? g : 0)) * k) * kPanelColumns;
  int lanes[G][kPanelVecs];
  Vec acc[M][G][kPanelVecs];
  startPanelGroup<M, G>(a, p0, count, lanes, acc);
  const float* x = a.x + m0 * k;
  for (int64_t e = 0; e < k; ++e) {
    Vec w[G][kPanelVecs];
    for (int g = 0; g < G; ++g)
      for (int v = 0; v < kPanelVecs; ++v) w[g][v] = Panel::load(base[g] + e * kPanelColumns + v * kLanes);
    for (int r = 0; r < M; ++r) {
      const Vec xv = vSplat(x[r * k + e]);
      for (int g = 0; g < G; ++g)
        for (int v = 0; v < kPanelVecs; ++v) acc[r][g][v] = vFma(xv, w[g][v], acc[r][g][v]);
    }
  }
  storePanelGroup<M, G>(a, m0, p0, count, lanes, acc);
}

template <class Panel, int M>
inline void panelGemvRows(const MatmulArgs& a, int64_t m0, int64_t p0, int64_t p1) {
  constexpr int G = panelGroup<M>();
  for (int64_t p = p0; p < p1; p += G) {
    const int count = static_cast<int>(minI64(G, p1 - p));
    // a short group (an item of fewer panels than G, or its last group) runs at its own size, not as G
    withCount<G>(count, [&](auto g) { panelGemvGroup<Panel, M, decltype(g)::value>(a, m0, p, count); });
  }
}

// Panels per work item: whole panels, about kGemvItemBytes (gemv_split.h).
template <class Panel>
inline int64_t panelGemvPerItem(const MatmulArgs& a) {
  const size_t panelBytes = static_cast<size_t>(a.w.cols) * kPanelColumns * sizeof(typename Panel::Elem);
  return maxI64(1, ceilDiv(kGemvItemBytes, static_cast<int64_t>(panelBytes)));
}

template <class Panel>
inline int64_t panelGemvItems(const MatmulArgs& a) {
  return ceilDiv(ceilDiv(a.w.rows, kPanelColumns), panelGemvPerItem<Panel>(a));
}

template <class Panel>
inline void panelGemvItem(const MatmulArgs& a, int64_t item) {
  const int64_t panels = ceilDiv(a.w.rows, kPanelColumns), perItem = panelGemvPerItem<Panel>(a);
  const int64_t p0 = item * perItem, p1 = minI64(panels, p0 + perItem);
  for (int64_t m0 = 0; m0 < a.m; m0 += kGemvPanelMaxRows) {
    const int rows = static_cast<int>(minI64(kGemvPanelMaxRows, a.m - m0));
    withCount<kGemvPanelMaxRows>(rows, [&](auto M) { panelGemvRows<Panel, decltype(M)::value>(a, m0, p0, p1); });
  }
}

// Calls f(Panel{}) for an F32, F16 or BF16 `type`; false for any other type.
template <class F>
inline bool withPanelOfType(int32_t type, const F& f) {
  switch (type) {
    case kTypeF32: f(PanelF32{}); return true;
    case kTypeF16: f(PanelF16{}); return true;
    case kTypeBF16: f(PanelBf16{}); return true;
    default: return false;
  }
}

// Calls f(Panel{}) for the panel type of a; false when a does not take the panel GEMV: native
// F32/F16/BF16 panels (not bf16 precision's pair panels), 1..7 rows.
template <class F>
inline bool withPanelGemv(const MatmulArgs& a, const F& f) {
  if (a.w.panels == nullptr || a.w.precision == kPrecisionBf16 || a.m > kGemvPanelMaxRows) return false;
  return withPanelOfType(a.w.type, f);
}

// True when it ran (see withPanelGemv).
inline bool gemvPanels(const MatmulArgs& a) {
  return withPanelGemv(a, [&a](auto panel) {
    using Panel = decltype(panel);
    forEachChunk(panelGemvItems<Panel>(a), [&a](int64_t item, int) { panelGemvItem<Panel>(a, item); });
  });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
