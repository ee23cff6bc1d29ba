#include "correctness.h"

#include <cmath>
#include <cstring>

#include "common/ggml_types.h"
#include "crash_guard.h"
#include "level_kernels.h"
#include "threads/thread_pool.h"

namespace amxcheck {

using namespace fastfill;

struct CorrectnessSuite::Case {
  WeightKind kind;
  int64_t m, k, n;
  const PackedWeight* weight;
  std::vector<float> x;
  std::vector<float> bias;  // empty: none
  Reference ref;
  std::vector<float> avx512bf16Out;  // empty until that level ran
  std::string shape;                 // "M=13 K=320 N=100 bias"
};

namespace {

const int64_t kRows[] = {1, 7, 13, 64};
const int64_t kDepths[] = {64, 96, 320, 301};  // 301: odd K (float types only; Q8_0 needs whole 32-blocks)
const int64_t kOutputs[] = {16, 33, 100};
constexpr double kCrossLevelRel = 2 * kAccumulationRel;

}  // namespace

const std::vector<WeightKind>& checkedKinds() {
  static const std::vector<WeightKind> kinds = {
      {kTypeF16, kPrecisionBf16}, {kTypeF16, kPrecisionF32}, {kTypeBF16, kPrecisionBf16},
      {kTypeBF16, kPrecisionF32}, {kTypeQ8_0, kPrecisionInt8}, {kTypeQ8_0, kPrecisionBf16},
  };
  return kinds;
}

std::string kindName(const WeightKind& kind) {
  return std::string(typeName(kind.type)) + "@" + precisionName(kind.precision);
}

CorrectnessSuite::CorrectnessSuite(FILE* log, bool verbose) : log_(log), verbose_(verbose) {
  Rng rng(20261126);
  for (const WeightKind& kind : checkedKinds()) {
    for (int64_t k : kDepths) {
      if (kind.type == kTypeQ8_0 && k % 32 != 0) continue;
      for (int64_t n : kOutputs) {
        weights_.push_back(std::make_unique<TestWeight>(randomWeight(rng, kind.type, n, k)));
        packed_.push_back(std::make_unique<PackedWeight>(packWeight(*weights_.back(), kind.precision)));
        for (int64_t m : kRows) {
          // Q8_0 at bf16 has no panels: below kGemmMinRows rows it takes the exact F32 GEMV, which the
          // bf16 reference (weights rounded) does not describe; the tiles start at kGemmMinRows rows.
          if (kind.type == kTypeQ8_0 && kind.precision == kPrecisionBf16 && m < kGemmMinRows) continue;
          auto c = std::make_unique<Case>();
          c->kind = kind;
          c->m = m;
          c->k = k;
          c->n = n;
          c->weight = packed_.back().get();
          c->x = randomFloats(rng, static_cast<size_t>(m * k), kind.precision == kPrecisionInt8 ? 2.0f : 1.0f);
          if (m % 2 == 1) c->bias = randomFloats(rng, static_cast<size_t>(n), 1.0f);
          c->ref = referenceMatmul(c->x, m, weights_.back()->values, n, k, c->bias.empty() ? nullptr : c->bias.data(),
                                   kind.precision);
          c->shape = "M=" + std::to_string(m) + " K=" + std::to_string(k) + " N=" + std::to_string(n) +
                     (c->bias.empty() ? "" : " bias");
          cases_.push_back(std::move(c));
        }
      }
    }
  }
}

CorrectnessSuite::~CorrectnessSuite() = default;

bool CorrectnessSuite::runCase(const Case& c, CpuLevel level, std::vector<float>* out, int* signal) {
  const std::string name = std::string(levelName(level)) + " " + kindName(c.kind) + " " + c.shape;
  setCurrentCase(name.c_str());
  out->assign(static_cast<size_t>(c.m * c.n), std::nanf(""));
  const MatmulArgs args{c.x.data(), c.m, c.weight->view, c.bias.empty() ? nullptr : c.bias.data(), out->data()};
  const KernelTable& kernels = selectLevel(level);
  *signal = runGuarded([&args, &kernels] { kernels.matmul(args); });
  ++runs_;
  return *signal == 0;
}

// One case's verdict at one level: error against the reference and, when the avx512bf16 level has
// run that case, difference from its output.
bool CorrectnessSuite::judgeCase(Case& c, CpuLevel level, const std::vector<float>& out, KindSummary* summary) {
  const double err = maxRelativeError(out, c.ref);
  const bool compared = level != CpuLevel::kAvx512Bf16 && !c.avx512bf16Out.empty();
  const double diff = compared ? maxRelativeDifference(out, c.avx512bf16Out, c.ref) : 0.0;
  const double diffLimit = c.kind.precision == kPrecisionInt8 ? 0.0 : kCrossLevelRel;
  const bool ok = err <= kAccumulationRel && diff <= diffLimit;
  if (level == CpuLevel::kAvx512Bf16) c.avx512bf16Out = out;
  char line[256];
  int used = std::snprintf(line, sizeof(line), "%s %s %s %s: max rel err %.2e", ok ? "PASS" : "FAIL",
                           levelName(level), kindName(c.kind).c_str(), c.shape.c_str(), err);
  if (compared) std::snprintf(line + used, sizeof(line) - used, ", vs avx512bf16 %.2e", diff);
  if (log_ != nullptr) std::fprintf(log_, "%s\n", line);
  if (!ok || verbose_) std::printf("%s\n", line);
  ++summary->total;
  if (ok) ++summary->passed;
  if (summary->worstShape.empty() || err > summary->worstErr) {
    summary->worstErr = err;
    summary->worstShape = c.shape;
  }
  summary->worstDiff = std::fmax(summary->worstDiff, diff);
  summary->compared = summary->compared || compared;
  return ok;
}

bool CorrectnessSuite::runLevel(CpuLevel level) {
  for (const WeightKind& kind : checkedKinds()) {
    KindSummary summary;
    for (auto& c : cases_) {
      if (c->kind.type != kind.type || c->kind.precision != kind.precision) continue;
      std::vector<float> out;
      int signal = 0;
      if (!runCase(*c, level, &out, &signal)) {
        std::printf("FAIL %s %s %s: %s inside the kernel; stopping (the thread pool is unusable after a crash)\n",
                    levelName(level), kindName(kind).c_str(), c->shape.c_str(), signalName(signal));
        ++failures_;
        return false;
      }
      if (!judgeCase(*c, level, out, &summary)) ++failures_;
    }
    char versus[32];
    if (summary.compared) std::snprintf(versus, sizeof(versus), "%.2e", summary.worstDiff);
    else std::snprintf(versus, sizeof(versus), "%s", level == CpuLevel::kAvx512Bf16 ? "(itself)" : "(not available)");
    std::printf("%s %-10s %-9s %3d/%-3d cases  max rel err %.2e (%s)  max diff vs avx512bf16 %s\n",
                summary.passed == summary.total ? "PASS" : "FAIL", levelName(level), kindName(kind).c_str(),
                summary.passed, summary.total, summary.worstErr, summary.worstShape.c_str(), versus);
  }
  return true;
}

bool CorrectnessSuite::runThreadCheck(CpuLevel level, int threads) {
  std::string differing;
  const Case* largest = nullptr;
  for (const WeightKind& kind : checkedKinds()) {
    largest = nullptr;
    for (auto& c : cases_) {
      if (c->kind.type != kind.type || c->kind.precision != kind.precision) continue;
      if (largest == nullptr || c->m * c->k * c->n > largest->m * largest->k * largest->n) largest = c.get();
    }
    std::vector<float> one, many;
    int signal = 0;
    setThreadCount(1);
    bool ran = runCase(*largest, level, &one, &signal);
    if (ran) {
      setThreadCount(threads);
      ran = runCase(*largest, level, &many, &signal);  // after a crash no setThreadCount: the submit lock is taken
    }
    if (!ran) {
      std::printf("FAIL %s %s %s at %d threads: %s inside the kernel; stopping\n", levelName(level),
                  kindName(kind).c_str(), largest->shape.c_str(), threads, signalName(signal));
      ++failures_;
      return false;
    }
    setThreadCount(1);
    if (std::memcmp(one.data(), many.data(), one.size() * sizeof(float)) != 0) {
      differing += " " + kindName(kind);
      ++failures_;
    }
  }
  std::printf("%s %-10s 1 and %d threads give bit-identical outputs (%s, every weight kind)%s%s\n",
              differing.empty() ? "PASS" : "FAIL", levelName(level), threads, largest->shape.c_str(),
              differing.empty() ? "" : "; DIFFER:", differing.c_str());
  return true;
}

}  // namespace amxcheck
