// The int8-precision GEMM (int8 types, common/int8_panels.h: stored panels, or records packed a K run
// at a time from the weight's blocks, kernels/int8_records.h; kGemmMinRows rows or more, or Q8_0's
// stored panels at any row count): out = x W^T (+ bias) with x quantized per row and 32-element block (Q8_0-like quants with an
// F32 scale, kernels/int8_activations.h, stored in runs of kInt8TileRows rows per K block). Work items
// are one panel (a few for decode, kInt8DecodePanelsPerItem) x a run of row blocks of kInt8TileRows,
// taken dynamically. (Several panels per item
// share nothing, each being its own pass over the row blocks, and 3-panel items split ffn_down's 28
// panels 15 : 13 over 2 threads, 5-9 % slower.) An item runs its row blocks over the panel's K run
// (all of K up to kInt8MaxRunBlocks blocks, else equal runs no longer than that, C staying in `out`
// between runs): the run's weights stay in L1/L2 while the activations stream, and C is written
// once per run. (K runs of 8 blocks taken row block by row block ran 1.25-1.7x slower at M=512 on 2
// threads; runs of 32-76 blocks for ffn_down 3-8 % slower.) Every output is one chain over the K
// blocks in order, so results do not depend on the plan or the thread count.
#pragma once
#include "kernels/gemm_amx_int8.h"
#include "kernels/gemm_int8_tile.h"
#include "kernels/int8_activations.h"
#include "kernels/int8_records.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int64_t kInt8MaxRunBlocks = 256;  // 8,192 elements: 320 KiB of Q8_0 panel

// Rows of x from which the int8 types take this GEMM (Q8_0 with stored panels: from one row). Below it the
// int8 GEMV reads their blocks (gemv_int8.h). With records packed as it goes, one GEMM of 6-8 rows costs
// about the packing (0.24-0.39 ms on 4864 x 1024 at 2 threads, Zen 5), less than the GEMV's 6 or 7 rows
// (0.27-0.44 ms) for Q4_0, Q5_0 and Q4_K, about the same for Q6_K (bench/RESULTS.md, 2026-11-27 05:05-06:00).
constexpr int64_t kInt8GemmMinRows = 6;

struct Int8Plan {
  int64_t rowBlocks, panels, blocksPerRow;
  // item i: panel run i % panelItems (panelsPerItem panels), row block run i / panelItems
  int64_t panelsPerItem, panelItems, rowBlocksPerItem, items;
};

// Panels per work item when x has a single row block (decode): a few, so each item streams a longer
// run of weights (one panel per item made Q8_0 decode ~20 % slower: 8.7 against 6.9 ms per token for
// the q|k|v and gate|up groups). Prefill takes one: its items are a panel's row blocks, long enough.
constexpr int64_t kInt8DecodePanelsPerItem = 4;

inline Int8Plan planInt8(int64_t m, int64_t n, int64_t k) {
  Int8Plan p{};
  p.rowBlocks = ceilDiv(m, kInt8TileRows);
  p.panels = ceilDiv(n, kInt8PanelColumns);
  p.blocksPerRow = k / kInt8BlockElements;
  const int64_t wanted = 4 * static_cast<int64_t>(threadCount());
  p.panelsPerItem = p.rowBlocks == 1 ? maxI64(1, minI64(kInt8DecodePanelsPerItem, p.panels / wanted)) : 1;
  p.panelItems = ceilDiv(p.panels, p.panelsPerItem);
  const int64_t rowSplits = p.panelItems >= wanted ? 1 : minI64(p.rowBlocks, ceilDiv(wanted, p.panelItems));
  p.rowBlocksPerItem = ceilDiv(p.rowBlocks, rowSplits);
  p.items = p.panelItems * ceilDiv(p.rowBlocks, p.rowBlocksPerItem);
  return p;
}

struct Int8Job {
  const MatmulArgs* args;
  Int8Activations x;
  Int8Plan plan;
};

// Row blocks [block0, block1) of one panel. Weights without stored panels get each K run's records
// packed into the worker's scratch first (int8_records.h).
inline void gemmInt8PanelRows(const Int8Job& job, int64_t panel, int64_t block0, int64_t block1, int worker) {
  const MatmulArgs& a = *job.args;
  const Int8Plan& p = job.plan;
  const int64_t n = a.w.rows;
  const Int8Activations& x = job.x;
  const int64_t col = panel * kInt8PanelColumns;
  Int8TileArgs t{};
  // a row block lies in one row group (rowGroup is kInt8TileRows or 1)
  t.rowStep = x.rowGroup == 1 ? x.blocksPerRow : 1;
  t.blockStep = x.rowGroup;
  t.rowBlockStep = kInt8TileRows * x.blocksPerRow;
  t.ldc = n;
  t.cols = static_cast<int>(minI64(kInt8PanelColumns, n - col));
  t.bias = a.bias != nullptr ? a.bias + col : nullptr;
  t.recordBytes = int8RecordBytes(a.w.type);
  t.subBlocks = int8SubBlocks(a.w.type);
  t.correctionOffset = int8CorrectionOffset(a.w.type);
  t.minsOffset = int8HasMins(a.w.type) || int8HasHalfMins(a.w.type) ? int8MinsOffset(a.w.type) : -1;
  t.halfMins = int8HasHalfMins(a.w.type);
  t.int16Sums = int8SumsFitInt16(a.w.type);
  t.unsignedXSteps = int8UnsignedXSteps(a.w.type);
  const int64_t runBlocks = ceilDiv(p.blocksPerRow, ceilDiv(p.blocksPerRow, kInt8MaxRunBlocks));
  const int64_t fullEnd = minI64(block1, a.m / kInt8TileRows);  // row blocks before it have all their rows
  uint8_t* packed = a.w.panels != nullptr
                        ? nullptr
                        : reinterpret_cast<uint8_t*>(workerScratch(worker, static_cast<size_t>(runBlocks * t.recordBytes / 4)));
  for (int64_t b0 = 0; b0 < p.blocksPerRow; b0 += runBlocks) {
    t.blocks = minI64(runBlocks, p.blocksPerRow - b0);
    t.accumulate = b0 > 0;
    if (packed != nullptr) {
      packInt8Run(a.w, panel, b0, t.blocks, packed);
      t.panel = packed;
    } else {
      t.panel = a.w.panels + static_cast<size_t>((panel * p.blocksPerRow + b0) * t.recordBytes);
    }
    // the full row blocks in one call, a short last one in another
    for (int64_t block = block0; block < block1; block = maxI64(block + 1, fullEnd)) {
      const int64_t row = block * kInt8TileRows;
      const int rows = static_cast<int>(minI64(kInt8TileRows, a.m - row));
      const int64_t index = int8BlockIndex(x.blocksPerRow, x.rowGroup, row, b0);
      t.rowBlocks = rows == kInt8TileRows ? fullEnd - block : 1;
      t.xq = x.q + index * kInt8BlockElements;
      t.xd = x.d + index;
      t.xs = x.s != nullptr ? x.s + index : nullptr;
      t.xh = x.h != nullptr ? x.h + 2 * index : nullptr;
      t.c = a.out + row * n + col;
      int8Tile(rows, t);
    }
  }
}

inline void gemmInt8Item(const Int8Job& job, int64_t item, int worker) {
  const Int8Plan& p = job.plan;
  const int64_t panel0 = (item % p.panelItems) * p.panelsPerItem, panel1 = minI64(p.panels, panel0 + p.panelsPerItem);
  const int64_t block0 = (item / p.panelItems) * p.rowBlocksPerItem;
  const int64_t block1 = minI64(p.rowBlocks, block0 + p.rowBlocksPerItem);
#ifdef FASTFILL_AMX_TILES
  const MatmulArgs& a = *job.args;
  if (amxInt8Takes(a.w) && amxInt8Requested()) {
    amxInt8Rows(a, job.x, panel0, panel1, block0 * kInt8TileRows, minI64(a.m, block1 * kInt8TileRows));
    return;
  }
#endif
  for (int64_t panel = panel0; panel < panel1; ++panel) gemmInt8PanelRows(job, panel, block0, block1, worker);
}

// True for the int8 types whose panels the int8 GEMM also reads below kGemmMinRows rows (decode):
// Q8_0, whose panels (1.25 bytes per weight) are barely bigger than its blocks (1.06).
inline bool int8PanelsForFewRows(int32_t type) { return type == kTypeQ8_0; }

// The activation layout's row group for these parts: kInt8TileRows, or 1 (row-major) when the AMX
// tiles (which load rows at one stride) take any of them.
inline int64_t int8RowGroup(const MatmulArgs* parts, int count) {
#ifdef FASTFILL_AMX_TILES
  if (amxInt8Requested()) {
    for (int i = 0; i < count; ++i) {
      if (amxInt8Takes(parts[i].w)) return 1;
    }
  }
#endif
  (void)parts;
  (void)count;
  return kInt8TileRows;
}

// Quantizes the activations shared by parts (same x, m and K) into callerScratch: the job for
// parts[0], with its plan. The sums (half sums) are made only when a part's weights have mins (half mins).
inline Int8Job quantizeInt8Job(const MatmulArgs* parts, int count) {
  const MatmulArgs& a = parts[0];
  const int64_t k = a.w.cols;
  const Int8Plan plan = planInt8(a.m, a.w.rows, k);
  bool withSums = false, withHalves = false;
  for (int i = 0; i < count; ++i) {
    withSums = withSums || int8HasMins(parts[i].w.type);
    withHalves = withHalves || int8HasHalfMins(parts[i].w.type);
  }
  const int64_t rowGroup = int8RowGroup(parts, count);
  const int64_t rows = ceilDiv(a.m, rowGroup) * rowGroup, blocks = rows * plan.blocksPerRow;
  // k is a multiple of 32, so the quants are a whole number of floats; 32 rows' worth (8 k floats) past
  // the end keep the AMX tiles' 16-row loads of the last rows inside the buffer
  float* scratch = callerScratch(static_cast<size_t>(rows * k / 4 + 4 * blocks + 8 * k));
  uint8_t* q = reinterpret_cast<uint8_t*>(scratch);
  float* d = scratch + rows * k / 4;
  float* s = withSums ? d + blocks : nullptr;
  float* h = withHalves ? d + 2 * blocks : nullptr;
  quantizeActivations(a.x, a.gate, a.m, k, rowGroup, q, d, s, h);
  return Int8Job{&a, Int8Activations{q, d, s, h, plan.blocksPerRow, rowGroup}, plan};
}

inline void gemmInt8(const MatmulArgs& a) {
  const Int8Job job = quantizeInt8Job(&a, 1);
  forEachChunk(job.plan.items, [&job](int64_t item, int worker) { gemmInt8Item(job, item, worker); });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
