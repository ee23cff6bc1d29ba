// out = x W^T (+ bias) as a blocked GEMM (compiled once per level).
//
// x is first packed into row blocks of kGemmRows ([block][k][row], rows padded to kPackedRows;
// callerScratch). Work items are (a run of weight panels) x (a run of row blocks), taken
// dynamically by the pool. An item takes its panels one at a time and walks K in blocks of
// kGemmK; for each it gets the kGemmK x 32 slice of weights:
//   packed F32 panels: read in place;
//   packed F16 / BF16 panels: converted inside the micro-kernel, or (when the item has enough row
//     blocks to reuse it) converted once into an F32 slice in per-worker scratch;
//   any other weights: 32 rows decoded (decodeRow) and transposed into an F32 slice.
// then runs the micro-kernel for each row block over the slice (in L1; the packed activations
// stream from L2); C stays in `out` between K blocks. (K blocks outside the panels, with every
// row block over all the item's slices, ran 5-20% slower at M=512 on 2 threads.)
#pragma once
#include "kernels/dequantize.h"
#include "kernels/gemm_tile.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int64_t kGemmK = 256;               // K block: a multiple of every block size (32, 256)
constexpr int64_t kConvertSliceMinBlocks = 4;  // row blocks from which an F16 slice is converted once
constexpr int64_t kMaxPanelsPerItem = 4;

constexpr int64_t kGemmPanelMajorMaxXBytes = 4 << 20;  // packed activations up to which items go panel by panel

struct GemmPlan {
  int64_t rowBlocks, panels;
  int64_t panelsPerItem, blocksPerItem;
  int64_t panelItems, items;
  bool kOuter;  // items walk K blocks outside their panels (row-block items over every panel)
};

// Enough items for dynamic balancing (~4 per thread); results never depend on the plan.
// Items normally take a few panels and walk each over all its K, so each panel's weights are read once, while
// every panel streams all the packed activations. Past kGemmPanelMajorMaxXBytes of them (M = 512 at K = 4864:
// 11.5 MB) that streaming costs more than it saves: items take a run of row blocks over every panel instead,
// K block outside, so the run's activations for one K block (a few tens of KB) serve every panel from cache.
// packedXBytes: the size of the packed activations; rowsPerBlock: the rows of a row block.
inline GemmPlan planGemm(int64_t m, int64_t n, int64_t packedXBytes, int64_t rowsPerBlock = kGemmRows) {
  GemmPlan p{};
  p.rowBlocks = ceilDiv(m, rowsPerBlock);
  p.panels = ceilDiv(n, kPanelColumns);
  const int64_t wanted = 4 * static_cast<int64_t>(threadCount());
  if (packedXBytes > kGemmPanelMajorMaxXBytes) {
    p.kOuter = true;
    p.panelsPerItem = p.panels;
    p.panelItems = 1;
    p.blocksPerItem = ceilDiv(p.rowBlocks, minI64(p.rowBlocks, wanted / 2));
    p.items = ceilDiv(p.rowBlocks, p.blocksPerItem);
    return p;
  }
  p.panelsPerItem = maxI64(1, minI64(kMaxPanelsPerItem, p.panels / wanted));
  p.panelItems = ceilDiv(p.panels, p.panelsPerItem);
  const int64_t rowSplits = p.panelItems >= wanted ? 1 : minI64(p.rowBlocks, ceilDiv(wanted, p.panelItems));
  p.blocksPerItem = ceilDiv(p.rowBlocks, rowSplits);
  p.items = p.panelItems * ceilDiv(p.rowBlocks, p.blocksPerItem);
  return p;
}

// packed[(block * k + e) * kPackedRows + r] = x[(block * kGemmRows + r) * k + e]; 0 for rows
// past m and for the padding rows.
inline void packActivations(const float* x, int64_t m, int64_t k, float* packed) {
  const int64_t blocks = ceilDiv(m, kGemmRows);
  const int64_t blocksPerChunk = maxI64(1, 16384 / (k * kPackedRows));
  forEachChunk(ceilDiv(blocks, blocksPerChunk), [=](int64_t chunk, int) {
    const int64_t end = minI64(blocks, (chunk + 1) * blocksPerChunk);
    for (int64_t block = chunk * blocksPerChunk; block < end; ++block) {
      const int rows = static_cast<int>(minI64(kGemmRows, m - block * kGemmRows));
      transposeToPanel(x + block * kGemmRows * k, k, rows, k, packed + block * k * kPackedRows, kPackedRows);
    }
  });
}

struct GemmJob {
  const MatmulArgs* args;
  const float* packedX;
  GemmPlan plan;
};

// The micro-kernel over one row block and one panel's K-block slice, strip by strip.
template <class Panel>
inline void gemmPanelBlock(const GemmJob& job, const void* slice, int64_t panel, int64_t k0, int64_t kc, int64_t block) {
  const MatmulArgs& a = *job.args;
  const int64_t n = a.w.rows, k = a.w.cols;
  const int cols = static_cast<int>(minI64(kPanelColumns, n - panel * kPanelColumns));
  const size_t elementBytes = sizeof(typename Panel::Elem);
  TileArgs t{};
  t.a = job.packedX + (block * k + k0) * kPackedRows;
  t.kc = kc;
  t.ldc = n;
  t.accumulate = k0 > 0;
  const int rows = static_cast<int>(minI64(kGemmRows, a.m - block * kGemmRows));
  for (int strip = 0; strip * kTileCols < cols; ++strip) {
    const int64_t col = panel * kPanelColumns + strip * kTileCols;
    t.b = static_cast<const uint8_t*>(slice) + static_cast<size_t>(strip * kTileCols) * elementBytes;
    t.cols = static_cast<int>(minI64(kTileCols, cols - strip * kTileCols));
    t.bias = a.bias != nullptr ? a.bias + col : nullptr;
    t.c = a.out + block * kGemmRows * n + col;
    gemmTileRows<Panel>(rows, t);
  }
}

// How an item reads the K-block slice of one panel.
enum class SliceKind { kF32, kF16, kBf16 };

struct PanelSlice {
  const void* data;
  SliceKind kind;
};

// The kGemmK x 32 slice of `panel` at k0, from packed panels in place or decoded into `scratch`
// (kGemmK * 32 floats; rowsBuffer: 32 * kGemmK floats).
inline PanelSlice panelSlice(const WeightView& w, int64_t panel, int64_t k0, int64_t kc, bool convert, float* scratch,
                             float* rowsBuffer) {
  const size_t offset = static_cast<size_t>(panel * w.cols + k0) * kPanelColumns;  // elements into panels
  if (w.panels != nullptr && w.type == kTypeF32) return {reinterpret_cast<const float*>(w.panels) + offset, SliceKind::kF32};
  if (w.panels != nullptr) {
    const uint16_t* halves = reinterpret_cast<const uint16_t*>(w.panels) + offset;
    if (!convert) return {halves, w.type == kTypeF16 ? SliceKind::kF16 : SliceKind::kBf16};
    const uint8_t* bytes = reinterpret_cast<const uint8_t*>(halves);
    if (w.type == kTypeF16) halvesToFloats(bytes, scratch, kc * kPanelColumns);
    else bf16sToFloats(bytes, scratch, kc * kPanelColumns);
    return {scratch, SliceKind::kF32};
  }
  const int rows = static_cast<int>(minI64(kPanelColumns, w.rows - panel * kPanelColumns));
  for (int r = 0; r < rows; ++r) decodeRow(w, panel * kPanelColumns + r, k0, kc, rowsBuffer + r * kGemmK);
  transposeToPanel(rowsBuffer, kGemmK, rows, kc, scratch, kPanelColumns);
  return {scratch, SliceKind::kF32};
}

inline void gemmPanelBlock(const GemmJob& job, const PanelSlice& s, int64_t panel, int64_t k0, int64_t kc, int64_t block) {
  if (s.kind == SliceKind::kF32) gemmPanelBlock<PanelF32>(job, s.data, panel, k0, kc, block);
  else if (s.kind == SliceKind::kF16) gemmPanelBlock<PanelF16>(job, s.data, panel, k0, kc, block);
  else gemmPanelBlock<PanelBf16>(job, s.data, panel, k0, kc, block);
}

// An item's panels [panel0, panel1) and row blocks [block0, block1).
struct GemmItem {
  int64_t panel0, panel1, block0, block1;
};

inline GemmItem gemmItemRange(const GemmPlan& p, int64_t item) {
  const int64_t panel0 = (item % p.panelItems) * p.panelsPerItem, block0 = (item / p.panelItems) * p.blocksPerItem;
  return {panel0, minI64(p.panels, panel0 + p.panelsPerItem), block0, minI64(p.rowBlocks, block0 + p.blocksPerItem)};
}

// Calls slice(panel, k0, kc) for every panel of the item and K block of k, in the plan's order (see planGemm).
template <class Slice>
inline void forEachPanelSlice(const GemmPlan& p, const GemmItem& r, int64_t k, const Slice& slice) {
  if (p.kOuter) {
    for (int64_t k0 = 0; k0 < k; k0 += kGemmK) {
      for (int64_t panel = r.panel0; panel < r.panel1; ++panel) slice(panel, k0, minI64(kGemmK, k - k0));
    }
    return;
  }
  for (int64_t panel = r.panel0; panel < r.panel1; ++panel) {
    for (int64_t k0 = 0; k0 < k; k0 += kGemmK) slice(panel, k0, minI64(kGemmK, k - k0));
  }
}

inline void gemmItem(const GemmJob& job, int64_t item, int worker) {
  const WeightView& w = job.args->w;
  const GemmItem r = gemmItemRange(job.plan, item);
  float* scratch = workerScratch(worker, static_cast<size_t>(2 * kGemmK * kPanelColumns));  // one slice
  float* rowsBuffer = scratch + kGemmK * kPanelColumns;  // decoded rows: [32][kGemmK]
  const bool convert = r.block1 - r.block0 >= kConvertSliceMinBlocks;
  forEachPanelSlice(job.plan, r, w.cols, [&](int64_t panel, int64_t k0, int64_t kc) {
    const PanelSlice s = panelSlice(w, panel, k0, kc, convert, scratch, rowsBuffer);
    for (int64_t block = r.block0; block < r.block1; ++block) gemmPanelBlock(job, s, panel, k0, kc, block);
  });
}

inline void gemm(const MatmulArgs& a) {
  const int64_t packedFloats = ceilDiv(a.m, kGemmRows) * a.w.cols * kPackedRows;
  const GemmPlan plan = planGemm(a.m, a.w.rows, packedFloats * 4);
  float* packedX = callerScratch(static_cast<size_t>(packedFloats));
  packActivations(a.x, a.m, a.w.cols, packedX);
  const GemmJob job{&a, packedX, plan};
  forEachChunk(plan.items, [&job](int64_t item, int worker) { gemmItem(job, item, worker); });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
