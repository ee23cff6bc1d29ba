// Random weights for the check program, in the ggml layouts the kernels read (F16, BF16, Q8_0),
// with their exact values as floats, packed into the panels of a precision as the addon's
// Weight.create does (bind_linear.cc packWeight: panelBytes + packPanels, 64-byte aligned).
#pragma once
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "common/kernel_args.h"

namespace amxcheck {

// splitmix64: reproducible on every machine.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  float uniform(float lo, float hi);  // in [lo, hi)
  int range(int lo, int hi);          // in [lo, hi]

 private:
  uint64_t state_;
};

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

struct TestWeight {
  int32_t type;  // fastfill::kTypeF16, kTypeBF16 or kTypeQ8_0
  int64_t rows;  // N
  int64_t cols;  // K (a multiple of 32 for Q8_0)
  std::vector<uint8_t> data;  // rows * rowBytes
  std::vector<float> values;  // [rows][cols]: the exact values data encodes
};

TestWeight randomWeight(Rng& rng, int32_t type, int64_t rows, int64_t cols);

struct PackedWeight {
  fastfill::WeightView view;
  std::unique_ptr<uint8_t, FreeDeleter> panels;  // null when the type has no panels at the precision
};

// Runs on the thread pool (packPanels).
PackedWeight packWeight(const TestWeight& weight, int32_t precision);

std::vector<float> randomFloats(Rng& rng, size_t count, float scale);

// "F16", "BF16", "Q8_0" and "f32", "bf16", "int8".
const char* typeName(int32_t type);
const char* precisionName(int32_t precision);

}  // namespace amxcheck
