// The bf16-precision GEMM (weights of kPrecisionBf16): weights in bf16 pair panels
// (common/weight_panels.h), packed at load for float types or decoded tile by tile (any type) into
// per-worker scratch; F32 accumulation, same blocking, item walk (panel by panel, K blocks inside)
// and work items as gemm.h.
//
// Activations: with kGemmMinRows rows or more they are rounded to bf16 too. The avx512bf16 level
// then packs them as bf16 pairs and runs vdpbf16ps (2 products per lane per instruction); other
// levels compute the same bf16 x bf16 products with FMAs on the pair halves (products of two bf16
// are exact in F32; only the order of the two additions per pair may differ from vdpbf16ps).
// The amx level sends these calls to gemm_amx.h (AMX-BF16 tiles on bf16 activations packed tile by tile).
// With fewer rows (decode) activations stay F32 and the weights are read as bf16 pairs.
#pragma once
#include "kernels/gemm.h"
#include "kernels/gemm_amx.h"
#include "kernels/pair_slices.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

struct PairTileArgs {
  const void* a;        // FMA kernel: float [2 * pairs][kPackedRows]; dot kernel: uint32 bf16 pairs [pairs][kPackedRows]
  const uint16_t* b;    // pair panel strip: pair q, column c, half h at (q * kPanelColumns + c) * 2 + h
  int64_t pairs;
  float* c;
  int64_t ldc;
  int cols;             // valid columns, 1..kTileCols
  const float* bias;
  bool accumulate;
};

template <int R>
inline void startTile(const PairTileArgs& t, Vec (&acc)[R][kGemmVecs]) {
  for (int v = 0; v < kGemmVecs; ++v) {
    const int n = lanesOf(t.cols, v);
    Vec start = vZero();
    if (!t.accumulate && t.bias != nullptr) start = vLoadFirst(t.bias + v * kLanes, n);
    for (int r = 0; r < R; ++r) acc[r][v] = t.accumulate ? vLoadFirst(t.c + r * t.ldc + v * kLanes, n) : start;
  }
}

template <int R>
inline void storeTile(const PairTileArgs& t, Vec (&acc)[R][kGemmVecs]) {
  for (int v = 0; v < kGemmVecs; ++v) {
    const int n = lanesOf(t.cols, v);
    if (n == 0) continue;
    for (int r = 0; r < R; ++r) {
      if (n == kLanes) vStore(t.c + r * t.ldc + v * kLanes, acc[r][v]);
      else vStoreFirst(t.c + r * t.ldc + v * kLanes, acc[r][v], n);
    }
  }
}

// Per pair: acc += a[2q] * even + a[2q + 1] * odd, as two FMAs.
template <int R>
inline void pairTileFma(const PairTileArgs& t) {
  Vec acc[R][kGemmVecs];
  startTile<R>(t, acc);
  const float* a = static_cast<const float*>(t.a);
  const uint16_t* b = t.b;
  for (int64_t q = 0; q < t.pairs; ++q, a += 2 * kPackedRows, b += 2 * kPanelColumns) {
    Vec even[kGemmVecs], odd[kGemmVecs];
    for (int v = 0; v < kGemmVecs; ++v) vLoadBf16Pairs(b + 2 * v * kLanes, &even[v], &odd[v]);
    for (int r = 0; r < R; ++r) {
      const Vec x0 = vSplat(a[r]), x1 = vSplat(a[kPackedRows + r]);
      for (int v = 0; v < kGemmVecs; ++v) acc[r][v] = vFma(x1, odd[v], vFma(x0, even[v], acc[r][v]));
    }
  }
  storeTile<R>(t, acc);
}

#ifdef __AVX512BF16__
constexpr bool kBf16Dot = true;

// Per pair: one vdpbf16ps per accumulator with the row's broadcast pair of activations.
template <int R>
inline void pairTileDot(const PairTileArgs& t) {
  Vec acc[R][kGemmVecs];
  startTile<R>(t, acc);
  const uint32_t* a = static_cast<const uint32_t*>(t.a);
  const uint16_t* b = t.b;
  for (int64_t q = 0; q < t.pairs; ++q, a += kPackedRows, b += 2 * kPanelColumns) {
    __m512bh w[kGemmVecs];
    for (int v = 0; v < kGemmVecs; ++v) w[v] = (__m512bh)_mm512_loadu_si512(b + 2 * v * kLanes);
    for (int r = 0; r < R; ++r) {
      const __m512bh x = (__m512bh)_mm512_set1_epi32(static_cast<int>(a[r]));
      for (int v = 0; v < kGemmVecs; ++v) acc[r][v].v = _mm512_dpbf16_ps(acc[r][v].v, x, w[v]);
    }
  }
  storeTile<R>(t, acc);
}
#else
constexpr bool kBf16Dot = false;
#endif

enum class PairKernel { kFma, kDot };

template <bool Dot, int R = kGemmRows>
inline void pairTileRows(int rows, const PairTileArgs& t) {
  if constexpr (R > 1) {
    if (rows < R) {
      pairTileRows<Dot, R - 1>(rows, t);
      return;
    }
  }
#ifdef __AVX512BF16__
  if constexpr (Dot) {
    pairTileDot<R>(t);
    return;
  }
#endif
  pairTileFma<R>(t);
}

// Activations for the pair kernels, per row block. Dot: packed[(block * pairs + q) * kPackedRows
// + r] = the bf16 pair (x[2q], x[2q + 1]) of row block * kGemmRows + r, as uint32. FMA:
// packed[(block * 2 pairs + e) * kPackedRows + r] = x[e] (bf16-rounded when `round`). K is
// zero-padded to whole pairs, and rows past m are zeros. Rows are converted contiguously, then
// register-transposed (transposeToPanel).
inline void packPairActivations(const float* x, int64_t m, int64_t k, PairKernel kernel, bool round, void* packed) {
  const int64_t blocks = ceilDiv(m, kGemmRows), pairs = (k + 1) / 2;
  const int64_t blocksPerChunk = maxI64(1, 16384 / (2 * pairs * kPackedRows));
  forEachChunk(ceilDiv(blocks, blocksPerChunk), [=](int64_t chunk, int worker) {
    const int64_t end = minI64(blocks, (chunk + 1) * blocksPerChunk);
    float* rowsBuffer = workerScratch(worker, static_cast<size_t>(kGemmRows * 2 * pairs));
    for (int64_t block = chunk * blocksPerChunk; block < end; ++block) {
      const int rows = static_cast<int>(minI64(kGemmRows, m - block * kGemmRows));
      const float* src = x + block * kGemmRows * k;
      if (kernel == PairKernel::kDot) {
        uint16_t* halves = reinterpret_cast<uint16_t*>(rowsBuffer);  // [rows][2 * pairs]
        for (int r = 0; r < rows; ++r) {
          for (int64_t e = 0; e < k; ++e) halves[r * 2 * pairs + e] = floatToBf16(src[r * k + e]);
          if (k % 2 != 0) halves[r * 2 * pairs + k] = 0;
        }
        transposeToPanel(rowsBuffer, pairs, rows, pairs, static_cast<float*>(packed) + block * pairs * kPackedRows,
                         kPackedRows);
      } else {
        for (int r = 0; r < rows; ++r) {
          float* row = rowsBuffer + r * 2 * pairs;
          if (round) {
            for (int64_t e = 0; e < k; ++e) row[e] = bf16ToFloat(floatToBf16(src[r * k + e]));
          } else {
            std::memcpy(row, src + r * k, static_cast<size_t>(k) * 4);
          }
          if (k % 2 != 0) row[k] = 0.0f;
        }
        transposeToPanel(rowsBuffer, 2 * pairs, rows, 2 * pairs,
                         static_cast<float*>(packed) + block * 2 * pairs * kPackedRows, kPackedRows);
      }
    }
  });
}

struct PairJob {
  const MatmulArgs* args;
  const void* packedX;
  GemmPlan plan;
  PairKernel kernel;
};

inline void pairPanelBlocks(const PairJob& job, const uint16_t* slice, int64_t panel, int64_t k0, int64_t kc,
                            int64_t block0, int64_t block1) {
  const MatmulArgs& a = *job.args;
  const int64_t n = a.w.rows, pairs = (a.w.cols + 1) / 2;
  const int cols = static_cast<int>(minI64(kPanelColumns, n - panel * kPanelColumns));
  for (int strip = 0; strip * kTileCols < cols; ++strip) {
    const int64_t col = panel * kPanelColumns + strip * kTileCols;
    PairTileArgs t{};
    t.b = slice + 2 * strip * kTileCols;
    t.pairs = (kc + 1) / 2;
    t.ldc = n;
    t.cols = static_cast<int>(minI64(kTileCols, cols - strip * kTileCols));
    t.bias = a.bias != nullptr ? a.bias + col : nullptr;
    t.accumulate = k0 > 0;
    for (int64_t block = block0; block < block1; ++block) {
      const int rows = static_cast<int>(minI64(kGemmRows, a.m - block * kGemmRows));
      t.c = a.out + block * kGemmRows * n + col;
      if (job.kernel == PairKernel::kDot) {
        t.a = static_cast<const uint32_t*>(job.packedX) + (block * pairs + k0 / 2) * kPackedRows;
        pairTileRows<kBf16Dot>(rows, t);
      } else {
        t.a = static_cast<const float*>(job.packedX) + (block * 2 * pairs + k0) * kPackedRows;
        pairTileRows<false>(rows, t);
      }
    }
  }
}

inline void pairItem(const PairJob& job, int64_t item, int worker) {
  const WeightView& w = job.args->w;
  const GemmItem r = gemmItemRange(job.plan, item);
  float* scratch = workerScratch(worker, static_cast<size_t>(kPairSliceFloats));
  const int64_t pairs = (w.cols + 1) / 2;
  forEachPanelSlice(job.plan, r, w.cols, [&](int64_t panel, int64_t k0, int64_t kc) {
    const uint16_t* slice = pairSlice(w, panel, k0, kc, pairs, (kc + 1) / 2, scratch);
    pairPanelBlocks(job, slice, panel, k0, kc, r.block0, r.block1);
  });
}

inline void gemmPairs(const MatmulArgs& a, bool roundActivations) {
#ifdef FASTFILL_AMX_TILES
  if (roundActivations) {
    gemmAmx(a);
    return;
  }
#endif
  const PairKernel kernel = roundActivations && kBf16Dot ? PairKernel::kDot : PairKernel::kFma;
  const int64_t pairs = (a.w.cols + 1) / 2, rowBlocks = ceilDiv(a.m, kGemmRows);
  const size_t floats = static_cast<size_t>(rowBlocks * pairs * kPackedRows * (kernel == PairKernel::kFma ? 2 : 1));
  const GemmPlan plan = planGemm(a.m, a.w.rows, static_cast<int64_t>(floats) * 4);
  void* packedX = callerScratch(floats);
  packPairActivations(a.x, a.m, a.w.cols, kernel, roundActivations, packedX);
  const PairJob job{&a, packedX, plan, kernel};
  forEachChunk(plan.items, [&job](int64_t item, int worker) { pairItem(job, item, worker); });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
