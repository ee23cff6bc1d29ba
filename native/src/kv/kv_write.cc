#include "kv/kv_write.h"

#include <cstring>

#include "common/half_float.h"

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

void kvWriteBf16(uint16_t* kCache, uint16_t* vCache, const float* k, const float* v, const int32_t* slots,
                 int64_t tokens, int64_t rowFloats) {
  for (int64_t t = 0; t < tokens; ++t) {
    const int64_t slot = slots[t];
    uint16_t* kRow = kCache + slot * rowFloats;
    uint16_t* vPairs = vCache + (slot / 2) * 2 * rowFloats + slot % 2;
    const float* kIn = k + t * rowFloats;
    const float* vIn = v + t * rowFloats;
    for (int64_t i = 0; i < rowFloats; ++i) kRow[i] = floatToBf16(kIn[i]);
    for (int64_t i = 0; i < rowFloats; ++i) vPairs[2 * i] = floatToBf16(vIn[i]);
  }
}

void kvWriteF16(uint16_t* kCache, uint16_t* vCache, const float* k, const float* v, const int32_t* slots,
                int64_t tokens, int64_t rowFloats) {
  for (int64_t t = 0; t < tokens; ++t) {
    uint16_t* kRow = kCache + slots[t] * rowFloats;
    uint16_t* vRow = vCache + slots[t] * rowFloats;
    for (int64_t i = 0; i < rowFloats; ++i) kRow[i] = floatToHalfBits(k[t * rowFloats + i]);
    for (int64_t i = 0; i < rowFloats; ++i) vRow[i] = floatToHalfBits(v[t * rowFloats + i]);
  }
}

}  // namespace fastfill
