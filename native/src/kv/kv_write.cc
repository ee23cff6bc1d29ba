#include "kv/kv_write.h"

#include <cstring>

namespace fastfill {

void kvWrite(float* kCache, float* vCache, const float* k, const float* v, const int32_t* slots, int64_t tokens,
             int64_t rowFloats) {
  const size_t rowBytes = static_cast<size_t>(rowFloats) * sizeof(float);
  for (int64_t t = 0; t < tokens; ++t) {
    const int64_t slot = slots[t];
    std::memcpy(kCache + slot * rowFloats, k + t * rowFloats, rowBytes);
    std::memcpy(vCache + slot * rowFloats, v + t * rowFloats, rowBytes);
  }
}

}  // namespace fastfill
