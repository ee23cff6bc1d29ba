// The rotary angle table of a batch: computed once per forward and read by every layer's rope of q
// and k (computing the angles took ~90 % of rope's time when each call did it).
#pragma once
#include <cstdint>

namespace fastfill {

// out[t * ropeDim + i] = cos(angle_i(positions[t])), out[t * ropeDim + ropeDim/2 + i] = its sin
// (common/rope_angles.h), on the thread pool.
void ropeTable(const int32_t* positions, int64_t tokens, int64_t ropeDim, double freqBase, const float* freqFactors,
               float* out);

}  // namespace fastfill
