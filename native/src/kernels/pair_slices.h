// The K-block slices of bf16 pair panels (common/weight_panels.h) that the bf16-precision GEMMs
// read: in place from packed panels, or decoded from any weight type into per-worker scratch.
#pragma once
#include "kernels/gemm.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

// pairs[(q * 32 + c) * 2 + h] = bf16(panel[(2q + h) * 32 + c]) for 2q + h < kc, 0 past it.
inline void panelToPairs(const float* panel, int64_t kc, uint16_t* pairs) {
  for (int64_t q = 0; q < (kc + 1) / 2; ++q) {
    for (int c = 0; c < kPanelColumns; ++c) {
      pairs[(q * kPanelColumns + c) * 2] = floatToBf16(panel[2 * q * kPanelColumns + c]);
      pairs[(q * kPanelColumns + c) * 2 + 1] = 2 * q + 1 < kc ? floatToBf16(panel[(2 * q + 1) * kPanelColumns + c]) : 0;
    }
  }
}

// Scratch pairSlice needs, in floats: the pair slice it may write, and the F32 slice and decoded rows it
// decodes through (weights without panels); kPairSliceFloats: both, the slice first.
constexpr int64_t kPairSliceOutFloats = kGemmK * kPanelColumns / 2;
constexpr int64_t kPairDecodeFloats = 2 * kGemmK * kPanelColumns;
constexpr int64_t kPairSliceFloats = kPairSliceOutFloats + kPairDecodeFloats;

// The pairs of `panel` for K [k0, k0 + kc) (pairs: the weight's pairs per panel row), as
// `paddedPairs` >= (kc + 1) / 2 pairs, zeros past kc: in the packed panels when no padding is
// needed, else in `out` (kPairSliceOutFloats floats), decoded through `decode` (kPairDecodeFloats).
inline const uint16_t* pairSlice(const WeightView& w, int64_t panel, int64_t k0, int64_t kc, int64_t pairs,
                                 int64_t paddedPairs, float* outScratch, float* decode) {
  constexpr int64_t pairElements = kPanelColumns * 2;
  const int64_t used = (kc + 1) / 2;
  uint16_t* out = reinterpret_cast<uint16_t*>(outScratch);
  if (w.panels != nullptr) {
    const uint16_t* packed = reinterpret_cast<const uint16_t*>(w.panels) + (panel * pairs + k0 / 2) * pairElements;
    if (used == paddedPairs) return packed;
    std::memcpy(out, packed, static_cast<size_t>(used * pairElements) * 2);
  } else {
    float* slice = decode;
    float* rowsBuffer = slice + kGemmK * kPanelColumns;  // [32][kGemmK]
    const int rows = static_cast<int>(minI64(kPanelColumns, w.rows - panel * kPanelColumns));
    for (int i = 0; i < rows; ++i) decodeRow(w, panel * kPanelColumns + i, k0, kc, rowsBuffer + i * kGemmK);
    transposeToPanel(rowsBuffer, kGemmK, rows, kc, slice, kPanelColumns);
    panelToPairs(slice, kc, out);
  }
  std::memset(out + used * pairElements, 0, static_cast<size_t>((paddedPairs - used) * pairElements) * 2);
  return out;
}

// The same with one scratch of kPairSliceFloats (the slice first).
inline const uint16_t* pairSlice(const WeightView& w, int64_t panel, int64_t k0, int64_t kc, int64_t pairs,
                                 int64_t paddedPairs, float* scratch) {
  return pairSlice(w, panel, k0, kc, pairs, paddedPairs, scratch, scratch + kPairSliceOutFloats);
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
