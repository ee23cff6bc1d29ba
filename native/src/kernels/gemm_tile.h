// The GEMM micro-kernel: a tile of R rows x kTileCols columns of C kept in vector registers
// (avx512: 14 x 32 in 28 zmm), fed per input element k by one broadcast of A per row and
// kGemmVecs vectors of a weight panel. Every C element is one sequential chain of FMAs over k,
// so results do not depend on the tile, the blocking or the thread count.
#pragma once
#include "common/weight_panels.h"
#include "kernels/level_common.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kTileCols = kGemmVecs * kLanes;
// Packed activations hold kGemmRows rows per input element, padded to whole vectors (avx512: 14
// rows in 16 floats) so that packing is a register transpose.
constexpr int kPackedRows = (kGemmRows + kLanes - 1) / kLanes * kLanes;
static_assert(kPanelColumns % kTileCols == 0, "a panel is a whole number of micro-tile strips");

// How panel elements become vectors: F32 as is, F16 and BF16 converted while loading.
struct PanelF32 {
  using Elem = float;
  static Vec load(const float* p) { return vLoad(p); }
};
struct PanelF16 {
  using Elem = uint16_t;
  static Vec load(const uint16_t* p) { return vLoadHalves(p); }
};
struct PanelBf16 {
  using Elem = uint16_t;
  static Vec load(const uint16_t* p) { return vLoadBf16s(p); }
};

struct TileArgs {
  const float* a;      // packed activations: a[k * kPackedRows + r]
  const void* b;       // panel strip: element k * kPanelColumns + c, c < kTileCols
  int64_t kc;          // input elements in this K block
  float* c;            // C[r * ldc + col]
  int64_t ldc;
  int cols;            // valid columns, 1..kTileCols (C and bias are not touched past them)
  const float* bias;   // first K block: C starts from bias[col], or from zeros when nullptr
  bool accumulate;     // a later K block: C starts from its current value
};

inline int lanesOf(int cols, int v) {
  const int n = cols - v * kLanes;
  return n < 0 ? 0 : (n > kLanes ? kLanes : n);
}

template <int R, class Panel>
inline void gemmTile(const TileArgs& t) {
  Vec acc[R][kGemmVecs];
  for (int v = 0; v < kGemmVecs; ++v) {
    const int n = lanesOf(t.cols, v);
    Vec start = vZero();
    if (!t.accumulate && t.bias != nullptr) start = vLoadFirst(t.bias + v * kLanes, n);
    for (int r = 0; r < R; ++r) acc[r][v] = t.accumulate ? vLoadFirst(t.c + r * t.ldc + v * kLanes, n) : start;
  }
  const float* a = t.a;
  const typename Panel::Elem* b = static_cast<const typename Panel::Elem*>(t.b);
  for (int64_t k = 0; k < t.kc; ++k, a += kPackedRows, b += kPanelColumns) {
    Vec w[kGemmVecs];
    for (int v = 0; v < kGemmVecs; ++v) w[v] = Panel::load(b + v * kLanes);
    for (int r = 0; r < R; ++r) {
      const Vec x = vSplat(a[r]);
      for (int v = 0; v < kGemmVecs; ++v) acc[r][v] = vFma(x, w[v], acc[r][v]);
    }
  }
  for (int v = 0; v < kGemmVecs; ++v) {
    const int n = lanesOf(t.cols, v);
    if (n == 0) continue;
    for (int r = 0; r < R; ++r) {
      if (n == kLanes) vStore(t.c + r * t.ldc + v * kLanes, acc[r][v]);
      else vStoreFirst(t.c + r * t.ldc + v * kLanes, acc[r][v], n);
    }
  }
}

// gemmTile for a run-time row count 1..kGemmRows.
template <class Panel, int R = kGemmRows>
inline void gemmTileRows(int rows, const TileArgs& t) {
  if constexpr (R > 1) {
    if (rows < R) {
      gemmTileRows<Panel, R - 1>(rows, t);
      return;
    }
  }
  gemmTile<R, Panel>(t);
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
