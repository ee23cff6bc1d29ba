// Float64 references for matmul, with the rounding rule of each precision (kernel_args.h; the same
// rules as test/kernels/matmulBf16.test.ts and matmulInt8.test.ts):
//   f32:  exact products of the F32 activations and the weights' values;
//   bf16: weights rounded to bf16 (they are read from bf16 pair panels), activations too from
//         kGemmMinRows (8) rows on;
//   int8: activations quantized per row and 32-element block (d = f32(amax / 127),
//         q = round-half-even(f32(x * f32(1 / d))) clamped to +-127), sum over blocks of d * sum q w.
// The kernels differ from it only by F32 accumulation: |out - want| <= 2e-6 * magnitude.
#pragma once
#include <cstdint>
#include <vector>

namespace amxcheck {

constexpr int64_t kGemmMinRows = 8;  // kernels/matmul.h
constexpr double kAccumulationRel = 2e-6;

struct Reference {
  std::vector<double> want;       // [m][n]
  std::vector<double> magnitude;  // [m][n]: sum of |terms| of want (the error scale)
};

// x: [m][k]; w: [n][k] values; bias: [n] or nullptr.
Reference referenceMatmul(const std::vector<float>& x, int64_t m, const std::vector<float>& w, int64_t n, int64_t k,
                          const float* bias, int32_t precision);

// Largest |out - want| / magnitude (1e-30 floor on the magnitude); NaN in out counts as infinity.
double maxRelativeError(const std::vector<float>& out, const Reference& ref);

// Largest |a - b| / magnitude between two kernel outputs.
double maxRelativeDifference(const std::vector<float>& a, const std::vector<float>& b, const Reference& ref);

}  // namespace amxcheck
