#include "timing.h"

#include <chrono>
#include <cstdio>

#include "crash_guard.h"
#include "level_kernels.h"
#include "threads/thread_pool.h"

namespace amxcheck {

using namespace fastfill;

std::unique_ptr<TimingProblem> makeTimingProblem(Rng& rng, int32_t type, int32_t precision, int64_t m, int64_t k,
                                                 int64_t n) {
  auto p = std::make_unique<TimingProblem>();
  p->name = std::string(typeName(type)) + "@" + precisionName(precision) + " M=" + std::to_string(m) +
            " K=" + std::to_string(k) + " N=" + std::to_string(n);
  p->m = m;
  p->k = k;
  p->n = n;
  p->weight = std::make_unique<TestWeight>(randomWeight(rng, type, n, k));
  p->packed = std::make_unique<PackedWeight>(packWeight(*p->weight, precision));
  p->x = randomFloats(rng, static_cast<size_t>(m * k), 1.0f);
  p->out.assign(static_cast<size_t>(m * n), 0.0f);
  return p;
}

namespace {

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Best seconds per call: one call; if it took under secondsPerPoint, it was the warm-up and more
// calls run until secondsPerPoint has passed (at most 50). -1 when a kernel crashed.
double bestSeconds(TimingProblem& p, const KernelTable& kernels, double secondsPerPoint) {
  const MatmulArgs args{p.x.data(), p.m, p.packed->view, nullptr, p.out.data()};
  double best = 1e30;
  const auto start = std::chrono::steady_clock::now();
  for (int call = 0; call < 50; ++call) {
    const auto before = std::chrono::steady_clock::now();
    if (runGuarded([&args, &kernels] { kernels.matmul(args); }) != 0) return -1.0;
    const double seconds = secondsSince(before);
    if (call > 0 || seconds >= secondsPerPoint) best = seconds < best ? seconds : best;
    if (secondsSince(start) >= secondsPerPoint && best < 1e30) break;
  }
  return best;
}

}  // namespace

bool timeLevel(TimingProblem& problem, CpuLevel level, const std::vector<int>& threads, double secondsPerPoint,
               std::vector<double>* gflops) {
  const KernelTable& kernels = selectLevel(level);
  gflops->clear();
  const double flops = 2.0 * static_cast<double>(problem.m) * static_cast<double>(problem.n) * problem.k;
  std::string row = "TIME " + problem.name + "  " + levelName(level);
  for (int t : threads) {
    const std::string name = "timing " + std::string(levelName(level)) + " " + problem.name + " threads=" +
                             std::to_string(t);
    setCurrentCase(name.c_str());
    setThreadCount(t);
    const double seconds = bestSeconds(problem, kernels, secondsPerPoint);
    if (seconds < 0) {
      std::printf("%s\nFAIL %s: crashed inside the kernel; stopping\n", row.c_str(), name.c_str());
      return false;
    }
    gflops->push_back(flops / seconds * 1e-9);
    char cell[48];
    std::snprintf(cell, sizeof(cell), "  t%d %.1f", t, gflops->back());
    row += cell;
  }
  setThreadCount(1);
  std::printf("%s  GFLOP/s\n", row.c_str());
  return true;
}

}  // namespace amxcheck
