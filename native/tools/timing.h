// GEMM timings: GFLOP/s (2 M N K flops per call) of the matmul kernel at one dispatch level and
// thread count, best of a time-boxed run of repetitions after one warm-up call.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cpu/dispatch.h"
#include "test_weights.h"

namespace amxcheck {

struct TimingProblem {
  std::string name;  // "F16@bf16 M=512 K=896 N=4864"
  int64_t m, k, n;
  std::unique_ptr<TestWeight> weight;
  std::unique_ptr<PackedWeight> packed;
  std::vector<float> x;    // [m][k]
  std::vector<float> out;  // [m][n]
};

std::unique_ptr<TimingProblem> makeTimingProblem(Rng& rng, int32_t type, int32_t precision, int64_t m, int64_t k,
                                                 int64_t n);

// GFLOP/s per entry of `threads`, printed as one row ("TIME <problem> <level> t1 .. t16"). The
// pool is left at 1 thread. False (with a FAIL line) when a kernel crashed: stop using the pool.
bool timeLevel(TimingProblem& problem, fastfill::CpuLevel level, const std::vector<int>& threads,
               double secondsPerPoint, std::vector<double>* gflops);

}  // namespace amxcheck
