// Weight element types the kernels compute with. Ids are ggml's (src/formats/ggmlTypes.ts).
#pragma once
#include <cstddef>
#include <cstdint>

namespace fastfill {

enum GgmlType : int32_t {
  kTypeF32 = 0,
  kTypeF16 = 1,
  kTypeQ4_0 = 2,
  kTypeQ4_1 = 3,
  kTypeQ5_0 = 6,
  kTypeQ5_1 = 7,
  kTypeQ8_0 = 8,
  kTypeQ2_K = 10,
  kTypeQ3_K = 11,
  kTypeQ4_K = 12,
  kTypeQ5_K = 13,
  kTypeQ6_K = 14,
  kTypeIQ4_NL = 20,
  kTypeIQ4_XS = 23,
  kTypeBF16 = 30,
};

struct BlockLayout {
  int32_t elements;  // elements per block (1 for plain float types)
  int32_t bytes;     // bytes per block
};

// Layout of a compute type; {0, 0} for a type the kernels do not support.
BlockLayout computeBlockLayout(int32_t type);

// Bytes of a row of `cols` elements, or 0 when the type is unsupported or cols is not a whole
// number of blocks.
size_t computeRowBytes(int32_t type, int64_t cols);

}  // namespace fastfill
