// The int8-precision GEMM (weights with int8 panels, common/int8_panels.h; kGemmMinRows rows or
// more): out = x W^T (+ bias) with x quantized per row and 32-element block as llama.cpp's Q8_0
// activations, but with an F32 scale (and, for weights with mins, the block's d * sum of quants):
//   d = amax / 127, q = round-to-nearest-even(x * (1 / d)) clamped to [-127, 127] (q = 0 when d = 0)
// and stored as q + 128 (the unsigned operand of vpdpbusd). Work items are (a run of panels) x (a
// run of row blocks of kInt8TileRows), taken dynamically. An item takes its panels one at a time
// and runs every row block over the panel's K run (all of K up to kInt8MaxRunBlocks blocks, else
// equal runs no longer than that, C staying in `out` between runs): the run's weights stay in
// L1/L2 while the activations stream, and C is written once per run. (K runs of 8 blocks taken
// row block by row block ran 1.25-1.7x slower at M=512 on 2 threads.) Every output is one chain
// over the K blocks in order, so results do not depend on the plan or the thread count.
#pragma once
#include "kernels/gemm_amx_int8.h"
#include "kernels/gemm_int8_tile.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int64_t kInt8MaxRunBlocks = 256;  // 8,192 elements: 320 KiB of Q8_0 panel
constexpr int64_t kInt8MaxPanelsPerItem = 4;

// Quantizes the 32 floats at x into q (+128) and returns the scale d; *scaledSum = d * the sum of
// the signed quants.
inline float quantizeBlock(const float* x, uint8_t* q, float* scaledSum) {
  Vec amax = vZero();
  for (int e = 0; e < kInt8BlockElements; e += kLanes) {
    const Vec v = vLoad(x + e);
    amax = vMax(amax, vMax(v, vSub(vZero(), v)));
  }
  const float d = vMaxAll(amax) / 127.0f;
  const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
  int32_t sum = 0;
#ifdef __AVX512F__
  __m512i total = _mm512_setzero_si512();
  for (int e = 0; e < kInt8BlockElements; e += kLanes) {
    const Vec v = vMin(vMax(vRound(vMul(vLoad(x + e), vSplat(inverse))), vSplat(-127.0f)), vSplat(127.0f));
    const __m512i value = _mm512_cvtps_epi32(v.v);  // exact: v is a whole number
    total = _mm512_add_epi32(total, value);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + e), _mm512_cvtepi32_epi8(_mm512_add_epi32(value, _mm512_set1_epi32(128))));
  }
  sum = _mm512_reduce_add_epi32(total);
#else
  float rounded[kInt8BlockElements];
  for (int e = 0; e < kInt8BlockElements; e += kLanes) {
    const Vec v = vRound(vMul(vLoad(x + e), vSplat(inverse)));
    vStore(rounded + e, vMin(vMax(v, vSplat(-127.0f)), vSplat(127.0f)));
  }
  for (int e = 0; e < kInt8BlockElements; ++e) {
    const int32_t value = static_cast<int32_t>(rounded[e]);
    q[e] = static_cast<uint8_t>(value + 128);
    sum += value;
  }
#endif
  *scaledSum = d * static_cast<float>(sum);
  return d;
}

inline void quantizeActivations(const float* x, int64_t m, int64_t k, uint8_t* q, float* d, float* scaledSums) {
  const int64_t blocksPerRow = k / kInt8BlockElements;
  const int64_t rowsPerChunk = maxI64(1, 16384 / k);
  forEachChunk(ceilDiv(m, rowsPerChunk), [=](int64_t chunk, int) {
    const int64_t end = minI64(m, (chunk + 1) * rowsPerChunk);
    for (int64_t r = chunk * rowsPerChunk; r < end; ++r) {
      for (int64_t b = 0; b < blocksPerRow; ++b) {
        const int64_t i = r * blocksPerRow + b;
        d[i] = quantizeBlock(x + r * k + b * kInt8BlockElements, q + r * k + b * kInt8BlockElements, scaledSums + i);
      }
    }
  });
}

struct Int8Plan {
  int64_t rowBlocks, panels, blocksPerRow;
  int64_t panelsPerItem, rowBlocksPerItem;
  int64_t panelItems, items;
};

inline Int8Plan planInt8(int64_t m, int64_t n, int64_t k) {
  Int8Plan p{};
  p.rowBlocks = ceilDiv(m, kInt8TileRows);
  p.panels = ceilDiv(n, kInt8PanelColumns);
  p.blocksPerRow = k / kInt8BlockElements;
  const int64_t wanted = 4 * static_cast<int64_t>(threadCount());
  p.panelsPerItem = maxI64(1, minI64(kInt8MaxPanelsPerItem, p.panels / wanted));
  p.panelItems = ceilDiv(p.panels, p.panelsPerItem);
  const int64_t rowSplits = p.panelItems >= wanted ? 1 : minI64(p.rowBlocks, ceilDiv(wanted, p.panelItems));
  p.rowBlocksPerItem = ceilDiv(p.rowBlocks, rowSplits);
  p.items = p.panelItems * ceilDiv(p.rowBlocks, p.rowBlocksPerItem);
  return p;
}

struct Int8Job {
  const MatmulArgs* args;
  const uint8_t* xq;
  const float* xd;
  const float* xs;
  Int8Plan plan;
};

inline void gemmInt8Item(const Int8Job& job, int64_t item) {
  const MatmulArgs& a = *job.args;
  const Int8Plan& p = job.plan;
  const int64_t n = a.w.rows, k = a.w.cols;
  const int64_t panel0 = (item % p.panelItems) * p.panelsPerItem, panel1 = minI64(p.panels, panel0 + p.panelsPerItem);
  const int64_t block0 = (item / p.panelItems) * p.rowBlocksPerItem;
  const int64_t block1 = minI64(p.rowBlocks, block0 + p.rowBlocksPerItem);
#ifdef FASTFILL_AMX_TILES
  if (amxInt8Type(a.w.type) && amxInt8Requested()) {
    amxInt8Rows(a, job.xq, job.xd, p.blocksPerRow, panel0, panel1, block0 * kInt8TileRows, minI64(a.m, block1 * kInt8TileRows));
    return;
  }
#endif
  Int8TileArgs t{};
  t.k = k;
  t.blocksPerRow = p.blocksPerRow;
  t.ldc = n;
  t.recordBytes = int8RecordBytes(a.w.type);
  t.subBlocks = int8SubBlocks(a.w.type);
  t.correctionOffset = int8CorrectionOffset(a.w.type);
  t.minsOffset = int8HasMins(a.w.type) ? int8MinsOffset(a.w.type) : -1;
  const int64_t runBlocks = ceilDiv(p.blocksPerRow, ceilDiv(p.blocksPerRow, kInt8MaxRunBlocks));
  for (int64_t panel = panel0; panel < panel1; ++panel) {
    const int64_t col = panel * kInt8PanelColumns;
    t.cols = static_cast<int>(minI64(kInt8PanelColumns, n - col));
    t.bias = a.bias != nullptr ? a.bias + col : nullptr;
    for (int64_t b0 = 0; b0 < p.blocksPerRow; b0 += runBlocks) {
      t.blocks = minI64(runBlocks, p.blocksPerRow - b0);
      t.accumulate = b0 > 0;
      t.panel = a.w.panels + static_cast<size_t>((panel * p.blocksPerRow + b0) * t.recordBytes);
      for (int64_t block = block0; block < block1; ++block) {
        const int64_t row = block * kInt8TileRows;
        const int rows = static_cast<int>(minI64(kInt8TileRows, a.m - row));
        t.xq = job.xq + row * k + b0 * kInt8BlockElements;
        t.xd = job.xd + row * p.blocksPerRow + b0;
        t.xs = job.xs + row * p.blocksPerRow + b0;
        t.c = a.out + row * n + col;
        int8Tile(rows, t);
      }
    }
  }
}

// True for the int8 types whose panels the int8 GEMM also reads below kGemmMinRows rows (decode):
// Q8_0, whose panels (1.25 bytes per weight) are barely bigger than its blocks (1.06).
inline bool int8PanelsForFewRows(int32_t type) { return type == kTypeQ8_0; }

// Quantizes a's activations into callerScratch: the job for a, with its plan.
inline Int8Job quantizeInt8Job(const MatmulArgs& a) {
  const int64_t k = a.w.cols;
  const Int8Plan plan = planInt8(a.m, a.w.rows, k);
  // k is a multiple of 32, so the quants are a whole number of floats; 32 rows' worth (8 k floats) past
  // the end keep the AMX tiles' 16-row loads of the last rows inside the buffer
  float* scratch = callerScratch(static_cast<size_t>(a.m * k / 4 + 2 * a.m * plan.blocksPerRow + 8 * k));
  uint8_t* xq = reinterpret_cast<uint8_t*>(scratch);
  float* xd = scratch + a.m * k / 4;
  float* xs = xd + a.m * plan.blocksPerRow;
  quantizeActivations(a.x, a.m, k, xq, xd, xs);
  return Int8Job{&a, xq, xd, xs, plan};
}

inline void gemmInt8(const MatmulArgs& a) {
  const Int8Job job = quantizeInt8Job(a);
  forEachChunk(job.plan.items, [&job](int64_t item, int) { gemmInt8Item(job, item); });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
