// Writes the K and V rows of new tokens into their cache slots (plain copies, any CPU level).
#pragma once
#include <cstdint>

namespace fastfill {

// kCache[slots[t]] = k[t] and vCache[slots[t]] = v[t], rows of rowFloats floats; slots checked.
void kvWrite(float* kCache, float* vCache, const float* k, const float* v, const int32_t* slots, int64_t tokens,
             int64_t rowFloats);

}  // namespace fastfill
