#include "common/ggml_types.h"

namespace fastfill {

BlockLayout computeBlockLayout(int32_t type) {
  switch (type) {
    case kTypeF32: return {1, 4};
    case kTypeF16: return {1, 2};
    case kTypeBF16: return {1, 2};
    case kTypeQ4_0: return {32, 18};
    case kTypeQ4_1: return {32, 20};
    case kTypeQ5_0: return {32, 22};
    case kTypeQ5_1: return {32, 24};
    case kTypeQ8_0: return {32, 34};
    case kTypeQ4_K: return {256, 144};
    case kTypeQ5_K: return {256, 176};
    case kTypeQ6_K: return {256, 210};
    case kTypeQ2_K: return {256, 84};
    case kTypeQ3_K: return {256, 110};
    case kTypeIQ4_NL: return {32, 18};
    case kTypeIQ4_XS: return {256, 136};
    default: return {0, 0};
  }
}

size_t computeRowBytes(int32_t type, int64_t cols) {
  const BlockLayout layout = computeBlockLayout(type);
  if (layout.elements == 0 || cols < 0 || cols % layout.elements != 0) return 0;
  return static_cast<size_t>(cols / layout.elements) * static_cast<size_t>(layout.bytes);
}

}  // namespace fastfill
