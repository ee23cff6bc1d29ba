// The correctness cases: matmul at odd shapes for every weight kind (F16 and BF16 at bf16 and f32
// precision, Q8_0 at int8), checked at one dispatch level against the float64 reference
// (reference.h) and against the avx512bf16 level's output for the same case (same bf16 and int8
// semantics: int8 must match it bit for bit, the others within 2 x 2e-6 of sum |x w|).
#pragma once
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cpu/dispatch.h"
#include "reference.h"
#include "test_weights.h"

namespace amxcheck {

struct WeightKind {
  int32_t type;
  int32_t precision;
};

const std::vector<WeightKind>& checkedKinds();
std::string kindName(const WeightKind& kind);  // "F16@bf16"

class CorrectnessSuite {
 public:
  // Builds the weights, activations and references (packs on the thread pool). log: every case's
  // line, or nullptr.
  CorrectnessSuite(FILE* log, bool verbose);
  ~CorrectnessSuite();

  // Runs every case at `level` with the current thread count, prints one line per weight kind
  // (failed cases also one line each). False when a kernel crashed (the pool is then unusable).
  bool runLevel(fastfill::CpuLevel level);

  // Same-output check across thread counts at `level`: one larger case per kind at 1 and `threads`
  // threads must agree bit for bit. Leaves the pool at 1 thread. False when a kernel crashed.
  bool runThreadCheck(fastfill::CpuLevel level, int threads);

  int cases() const { return static_cast<int>(cases_.size()); }
  int runs() const { return runs_; }
  int failures() const { return failures_; }

 private:
  struct Case;
  struct KindSummary {
    int passed = 0, total = 0;
    double worstErr = 0.0, worstDiff = 0.0;
    bool compared = false;  // some case had an avx512bf16 output to compare with
    std::string worstShape;
  };
  bool runCase(const Case& c, fastfill::CpuLevel level, std::vector<float>* out, int* signal);
  bool judgeCase(Case& c, fastfill::CpuLevel level, const std::vector<float>& out, KindSummary* summary);

  FILE* log_;
  bool verbose_;
  std::vector<std::unique_ptr<TestWeight>> weights_;
  std::vector<std::unique_ptr<PackedWeight>> packed_;
  std::vector<std::unique_ptr<Case>> cases_;
  int runs_ = 0;
  int failures_ = 0;
};

}  // namespace amxcheck
