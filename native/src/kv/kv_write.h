// Writes the K and V rows of new tokens into their cache slots (any CPU level): plain copies into an
// F32 cache, or rounded to the nearest (ties to even) into a bf16 or an F16 cache (layouts in
// common/kernel_args.h).
#pragma once
#include <cstdint>

namespace fastfill {

// kCache[slots[t]] = k[t] and vCache[slots[t]] = v[t], rows of rowFloats floats; slots checked.
void kvWrite(float* kCache, float* vCache, const float* k, const float* v, const int32_t* slots, int64_t tokens,
             int64_t rowFloats);

// The same into a bf16 cache: K rows as they are, V rows interleaved in pairs of slots (slot s goes to
// the even or odd half of pair row s / 2).
void kvWriteBf16(uint16_t* kCache, uint16_t* vCache, const float* k, const float* v, const int32_t* slots,
                 int64_t tokens, int64_t rowFloats);

// The same into an F16 cache: both as the F32 layout, in IEEE halves.
void kvWriteF16(uint16_t* kCache, uint16_t* vCache, const float* k, const float* v, const int32_t* slots,
                int64_t tokens, int64_t rowFloats);

}  // namespace fastfill
