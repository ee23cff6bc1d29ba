#include "common/weight_panels.h"

#include <cstring>

#include "common/ggml_types.h"
#include "common/int8_panels.h"
#include "threads/thread_pool.h"

namespace fastfill {
namespace {

struct PackJob {
  const WeightView* w;
  int32_t precision;
  uint8_t* dst;
};

size_t elementBytes(int32_t type) {
  switch (type) {
    case kTypeF32: return 4;
    case kTypeF16:
    case kTypeBF16: return 2;
    default: return 0;
  }
}

}  // namespace

namespace {

// Element k of a row of w (blocks of `layout`, computeBlockLayout(w.type)) as bf16 bits.
uint16_t bf16At(const WeightView& w, const BlockLayout& layout, const uint8_t* row, int64_t k) {
  uint16_t h;
  float f;
  switch (w.type) {
    case kTypeBF16: std::memcpy(&h, row + 2 * k, 2); return h;
    case kTypeF16: std::memcpy(&h, row + 2 * k, 2); return floatToBf16(halfBitsToFloat(h));
    case kTypeQ8_0: {  // blocks of d (f16), then 32 int8 quants
      const uint8_t* block = row + (k / layout.elements) * layout.bytes;
      std::memcpy(&h, block, 2);
      return floatToBf16(static_cast<float>(static_cast<int8_t>(block[2 + k % layout.elements])) * halfBitsToFloat(h));
    }
    default: std::memcpy(&f, row + 4 * k, 4); return floatToBf16(f);
  }
}

// Panel p in the layout of job.precision (see the header).
void packPanel(void* context, int64_t p, int) {
  const PackJob& job = *static_cast<const PackJob*>(context);
  const WeightView& w = *job.w;
  const int64_t first = p * kPanelColumns;
  const int64_t rows = w.rows - first < kPanelColumns ? w.rows - first : kPanelColumns;
  constexpr int64_t kStep = 64;  // elements of a row at a time (keeps 32 rows' lines in L1)
  if (job.precision == kPrecisionBf16) {
    const int64_t pairs = (w.cols + 1) / 2;
    uint16_t* panel = reinterpret_cast<uint16_t*>(job.dst) + static_cast<size_t>(p * pairs) * kPanelColumns * 2;
    std::memset(panel, 0, static_cast<size_t>(pairs) * kPanelColumns * 4);
    const BlockLayout layout = computeBlockLayout(w.type);
    for (int64_t k0 = 0; k0 < w.cols; k0 += kStep) {
      const int64_t k1 = k0 + kStep < w.cols ? k0 + kStep : w.cols;
      for (int64_t c = 0; c < rows; ++c) {
        const uint8_t* src = w.data + static_cast<size_t>(first + c) * w.rowBytes;
        for (int64_t k = k0; k < k1; ++k) panel[((k / 2) * kPanelColumns + c) * 2 + k % 2] = bf16At(w, layout, src, k);
      }
    }
    return;
  }
  const size_t e = elementBytes(w.type);
  uint8_t* panel = job.dst + static_cast<size_t>(p) * static_cast<size_t>(w.cols) * kPanelColumns * e;
  if (rows < kPanelColumns) std::memset(panel, 0, static_cast<size_t>(w.cols) * kPanelColumns * e);
  for (int64_t k0 = 0; k0 < w.cols; k0 += kStep) {
    const int64_t k1 = k0 + kStep < w.cols ? k0 + kStep : w.cols;
    for (int64_t c = 0; c < rows; ++c) {
      const uint8_t* src = w.data + static_cast<size_t>(first + c) * w.rowBytes;
      for (int64_t k = k0; k < k1; ++k) std::memcpy(panel + (k * kPanelColumns + c) * e, src + k * e, e);
    }
  }
}

}  // namespace

bool isPanelType(int32_t type) { return elementBytes(type) != 0; }

bool hasPanels(int32_t type, int32_t precision) {
  return isPanelType(type) || usesInt8Panels(type, precision) || (type == kTypeQ8_0 && precision == kPrecisionBf16);
}

size_t panelBytes(int32_t type, int64_t rows, int64_t cols, int32_t precision) {
  if (usesInt8Panels(type, precision)) return int8PanelBytes(type, rows, cols);
  if (!hasPanels(type, precision)) return 0;
  const size_t panels = static_cast<size_t>((rows + kPanelColumns - 1) / kPanelColumns);
  if (precision == kPrecisionBf16) return panels * static_cast<size_t>((cols + 1) / 2) * kPanelColumns * 4;
  return panels * static_cast<size_t>(cols) * kPanelColumns * elementBytes(type);
}

void packPanels(const WeightView& w, int32_t precision, uint8_t* dst) {
  if (usesInt8Panels(w.type, precision)) {
    packInt8Panels(w, dst);
    return;
  }
  if (!hasPanels(w.type, precision)) return;
  PackJob job{&w, precision, dst};
  parallelFor((w.rows + kPanelColumns - 1) / kPanelColumns, packPanel, &job);
}

}  // namespace fastfill
