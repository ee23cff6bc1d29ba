// Flash attention at bf16 precision on AMX-BF16 tiles (the amx level unless FASTFILL_AMX_ATTENTION=0; head
// sizes that are multiples of 32 up to 256). Same work items,
// key runs, steps, masking and online softmax as kernels/attention.h, laid out for the tiles:
//   - per step (up to kStepRuns runs of kRunKeys keys) the item copies the keys transposed, keyT
//     [d pair][step key], and the values as key pairs, valueP [key pair][d], both bf16 with zeros
//     for the keys a run lacks; every row block of the item then reads them (GQA: all the group's
//     heads), so the copy is paid once per step and item;
//   - queries: bf16 rows [row][d]; per row block and run, S = Q K^T is one 16 x 16 C tile over
//     headDim / 32 steps (A: 16 rows x 16 d pairs, B: 16 d pairs x 16 keys);
//   - softmax row by row on S [row][step key], as attention_step.h's pair steps do it: scores in
//     log2 units (q . k times scoreScaleLog2(scale)), a row's running max in those units, p = 2^(s -
//     max) and the correction by exp2NonPositive, so equal scores give the pair steps' p bit for bit
//     (only the order of a row's sum differs); p goes out as bf16 in key order, which is already
//     pairs of keys, P [row][key pair], the A operand of P V; masked keys get exactly 0;
//   - P V: 16 rows x 64 d in four C tiles per pass over 32 keys at a time (B: 16 key pairs x 16 d
//     of valueP); out = out * correction + that, per row.
// A row's result depends only on its own query, the key list and the step boundaries, never on its
// tile, so chunked prefill and decode agree with one whole prefill bit for bit, as on the other paths.
#pragma once
#include "cpu/amx.h"
#include "kernels/attention_amx_keys.h"
#include "kernels/attention_step.h"
#include "kernels/attention_tile.h"
#include "kernels/gemm_amx.h"

#ifdef FASTFILL_AMX_TILES
namespace fastfill {
namespace FASTFILL_LEVEL {

inline bool amxAttentionFits(const AttentionArgs& a) {
  return a.precision == kPrecisionBf16 && a.headDim % 32 == 0 && a.headDim <= kAmxAttentionMaxHeadDim &&
         amxAttentionEnabled();
}

// Scratch of one item, in floats.
struct AmxAttentionScratch {
  uint16_t* qRows;    // [paddedRows][headDim] bf16
  float* out;         // [paddedRows][headDim]
  float* maxes;       // [paddedRows] running max score, log2 units
  float* sums;        // [paddedRows]
  int32_t* positions; // [paddedRows]
  float* visible;     // [kStepRuns][paddedRows]
  uint32_t* keyT;     // [headDim / 2][kStepKeys] bf16 pairs
  uint16_t* valueP;   // [kStepKeys / 2][headDim][2]
  float* scores;      // [kAttnRows][kStepKeys]
  uint16_t* pPairs;   // [kAttnRows][kStepKeys] bf16 (pairs of keys)
  float* pv;          // [kAttnRows][headDim]
};

inline size_t amxAttentionFloats(int64_t paddedRows, int64_t headDim) {
  return static_cast<size_t>(paddedRows * headDim / 2 + paddedRows * headDim + 3 * paddedRows + kStepRuns * paddedRows +
                             headDim * kStepKeys + kAttnRows * kStepKeys + kAttnRows * kStepKeys / 2 +
                             kAttnRows * headDim + 64);
}

// Softmax of one row over the step's raw scores s (q . k, step key order); scoreScale: scoreScaleLog2(scale).
// Writes its p as bf16 in key order and returns its correction.
inline float amxSoftmaxRow(const float* s, const float* visible, int64_t paddedRows, int64_t r, const int64_t* c0,
                           int nRuns, float scoreScale, float* maxRef, float* sumRef, uint16_t* pRow) {
  const __m512 scaleV = _mm512_set1_ps(scoreScale), minusInf = _mm512_set1_ps(-INFINITY);
  __m512 x[kStepRuns];
  __mmask16 keep[kStepRuns + 1];
  keep[nRuns] = 0;  // the missing partner of an odd last run
  __m512 blockMax = minusInf;
  for (int h = 0; h < nRuns; ++h) {
    const int64_t seen = static_cast<int64_t>(visible[h * paddedRows + r]) - c0[h];
    keep[h] = seen >= kRunKeys ? static_cast<__mmask16>(0xFFFF)
              : seen <= 0      ? static_cast<__mmask16>(0)
                               : static_cast<__mmask16>((1u << seen) - 1);
    x[h] = _mm512_mask_mul_ps(minusInf, keep[h], _mm512_loadu_ps(s + h * kRunKeys), scaleV);
    blockMax = _mm512_max_ps(blockMax, x[h]);
  }
  const float oldMax = *maxRef, newMax = std::max(oldMax, _mm512_reduce_max_ps(blockMax));
  // A row that has seen no key keeps max -inf: exponents against 0 there (its p are all 0).
  const float base = newMax > -FLT_MAX ? newMax : 0.0f;
  const __m512 baseV = _mm512_set1_ps(base);
  const float correction = _mm512_cvtss_f32(exp2NonPositive(Vec{_mm512_set1_ps(oldMax - base)}).v);
  __m512 total = _mm512_setzero_ps();
  for (int h = 0; h < nRuns; h += 2) {
    // masked keys get exactly 0 (the exp2 of -inf is clamped to 2^-126)
    const __m512 p0 = _mm512_maskz_mov_ps(keep[h], exp2NonPositive(Vec{_mm512_sub_ps(x[h], baseV)}).v);
    const __m512 p1 = h + 1 < nRuns
        ? _mm512_maskz_mov_ps(keep[h + 1], exp2NonPositive(Vec{_mm512_sub_ps(x[h + 1], baseV)}).v)
        : _mm512_setzero_ps();
    total = _mm512_add_ps(total, _mm512_add_ps(p0, p1));
    _mm512_storeu_si512(pRow + h * kRunKeys, (__m512i)_mm512_cvtne2ps_pbh(p1, p0));
  }
  *sumRef = std::fma(*sumRef, correction, _mm512_reduce_add_ps(total));
  *maxRef = newMax;
  return correction;
}

// One row block (rows r0..r0 + 15) over the prepared step: scores, softmax, P V into its rows of s.out.
inline void amxAttendBlock(const AmxAttentionScratch& s, int64_t headDim, float scoreScale, int64_t paddedRows,
                           int64_t r0, const int64_t* c0, int nRuns) {
  // Locals: the tile and vector stores below may alias anything, so fields read in the loops would be reloaded.
  const uint16_t* q = s.qRows + r0 * headDim;
  const uint32_t* keyT = s.keyT;
  const uint16_t* valueP = s.valueP;
  const float* visible = s.visible;
  float* scores = s.scores;
  uint16_t* pPairs = s.pPairs;
  float* pv = s.pv;
  float* out = s.out + r0 * headDim;
  float* maxes = s.maxes + r0;
  float* sums = s.sums + r0;
  for (int h = 0; h < nRuns; ++h) {
    _tile_zero(0);
    for (int64_t d = 0; d < headDim; d += 32) {
      _tile_loadd(4, q + d, headDim * 2);
      _tile_loadd(5, keyT + (d / 2) * kStepKeys + h * kRunKeys, kStepKeys * 4);
      _tile_dpbf16ps(0, 4, 5);
    }
    _tile_stored(0, scores + h * kRunKeys, kStepKeys * 4);
  }
  float correction[kAttnRows];
  for (int r = 0; r < kAttnRows; ++r) {
    correction[r] = amxSoftmaxRow(scores + r * kStepKeys, visible, paddedRows, r0 + r, c0, nRuns, scoreScale, maxes + r,
                                  sums + r, pPairs + r * kStepKeys);
  }
  const int64_t keyPairs = ceilDiv(nRuns, 2) * kRunKeys;  // pairs of the step's p that are written: 16 per 2 runs
  for (int64_t d0 = 0; d0 < headDim; d0 += 64) {
    const int tiles = static_cast<int>(minI64(4, (headDim - d0) / 16));
    _tile_zero(0);  // tile numbers must be constants; unused ones are zeroed too
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (int64_t i0 = 0; i0 < keyPairs; i0 += 16) {
      _tile_loadd(4, pPairs + 2 * i0, kStepKeys * 2);
      for (int t = 0; t < tiles; ++t) {
        _tile_loadd(5, valueP + (i0 * headDim + d0 + 16 * t) * 2, headDim * 4);
        switch (t) {  // the tile numbers must be constants
          case 0: _tile_dpbf16ps(0, 4, 5); break;
          case 1: _tile_dpbf16ps(1, 4, 5); break;
          case 2: _tile_dpbf16ps(2, 4, 5); break;
          default: _tile_dpbf16ps(3, 4, 5); break;
        }
      }
    }
    for (int t = 0; t < tiles; ++t) {
      float* at = pv + d0 + 16 * t;
      switch (t) {
        case 0: _tile_stored(0, at, headDim * 4); break;
        case 1: _tile_stored(1, at, headDim * 4); break;
        case 2: _tile_stored(2, at, headDim * 4); break;
        default: _tile_stored(3, at, headDim * 4); break;
      }
    }
  }
  for (int r = 0; r < kAttnRows; ++r) {
    float* o = out + r * headDim;
    const float* pvRow = pv + r * headDim;
    const __m512 c = _mm512_set1_ps(correction[r]);
    for (int64_t d = 0; d < headDim; d += 16) {
      _mm512_storeu_ps(o + d, _mm512_fmadd_ps(_mm512_loadu_ps(o + d), c, _mm512_loadu_ps(pvRow + d)));
    }
  }
}

inline void amxAttentionItem(const AttentionArgs& a, int64_t tile, int32_t kvHead, int worker) {
  configureTiles(TileShapes::kBf16);  // every tile 16 rows x 64 bytes
  const TileRows item = tileRows(a, tile, kvHead);
  const int64_t blocks = item.blocks, paddedRows = item.paddedRows, headDim = a.headDim;
  float* base = workerScratch(worker, amxAttentionFloats(paddedRows, headDim));
  AmxAttentionScratch s{};
  s.out = base;
  s.maxes = s.out + paddedRows * headDim;
  s.sums = s.maxes + paddedRows;
  s.positions = reinterpret_cast<int32_t*>(s.sums + paddedRows);
  s.visible = s.sums + 2 * paddedRows;
  s.scores = s.visible + kStepRuns * paddedRows;
  s.pv = s.scores + kAttnRows * kStepKeys;
  s.qRows = reinterpret_cast<uint16_t*>(s.pv + kAttnRows * headDim);
  s.keyT = reinterpret_cast<uint32_t*>(s.qRows + paddedRows * headDim);
  s.valueP = reinterpret_cast<uint16_t*>(s.keyT + headDim / 2 * kStepKeys);
  s.pPairs = s.valueP + headDim * kStepKeys;
  // Locals: the vector stores below may alias the struct's fields.
  uint16_t* qRows = s.qRows;
  float *maxes = s.maxes, *sums = s.sums;
  int32_t* positions = s.positions;
  for (int64_t r = 0; r < paddedRows; ++r) {
    const float* q = a.q + item.offset(a, r);
    for (int64_t d = 0; d < headDim; d += 32) {
      _mm512_storeu_si512(qRows + r * headDim + d,
                          (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(q + d + 16), _mm512_loadu_ps(q + d)));
    }
    maxes[r] = -INFINITY;
    sums[r] = 0.0f;
    positions[r] = item.position(a, r);
  }
  std::memset(s.out, 0, static_cast<size_t>(paddedRows * headDim) * 4);

  const float scoreScale = scoreScaleLog2(a.scale);
  RunCursor cursor = firstRun(a, item);
  while (!cursor.done()) {
    int64_t slot0[kStepRuns], keys[kStepRuns], c0[kStepRuns];
    int nRuns = 0;
    for (; nRuns < kStepRuns && !cursor.done(); ++nRuns, cursor.next()) {
      const int32_t* entry = cursor.current();
      slot0[nRuns] = static_cast<int64_t>(entry[0]) * a.blockSize + cursor.c0;
      keys[nRuns] = cursor.keys();
      c0[nRuns] = cursor.c0;
      entryVisible(entry, s.positions, paddedRows, s.visible + nRuns * paddedRows);
    }
    amxStepKeys(a, slot0, keys, nRuns, kvHead * headDim, s.keyT, s.valueP);
    for (int64_t block = 0; block < blocks; ++block) {
      amxAttendBlock(s, headDim, scoreScale, paddedRows, block * kAttnRows, c0, nRuns);
    }
  }

  writeTileOutput(a, item, s.out, s.sums);
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
#endif  // FASTFILL_AMX_TILES
