// The rotary angles of one position, shared by the per-level rope kernels and the level-independent
// table (common/rope_table.cc): computed in double, so every level and the table agree bit for bit.
#pragma once
#include <cmath>
#include <cstdint>

namespace fastfill {

// cos/sin of angle_i = position * freqBase^(-2i/ropeDim) / freqFactors[i] (nullptr: 1), i < ropeDim/2.
inline void ropeAngles(int32_t position, int64_t ropeDim, double freqBase, const float* freqFactors, float* cosines,
                       float* sines) {
  for (int64_t i = 0; i < ropeDim / 2; ++i) {
    double angle = static_cast<double>(position) *
                   std::pow(freqBase, -2.0 * static_cast<double>(i) / static_cast<double>(ropeDim));
    if (freqFactors != nullptr) angle /= static_cast<double>(freqFactors[i]);
    cosines[i] = static_cast<float>(std::cos(angle));
    sines[i] = static_cast<float>(std::sin(angle));
  }
}

}  // namespace fastfill
