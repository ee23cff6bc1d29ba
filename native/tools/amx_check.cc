// amx_check: a standalone program (no Node) that checks the matmul kernels of every dispatch level
// this CPU supports, the amx level included when the CPU has AMX and Linux grants the tile
// permission, and times the GEMM. Built by build_amx_check.sh; see README.md in this folder.
//
//   amx_check [--quick] [--log FILE] [--timeout SECONDS] [--threads 1,2,4] [--require-amx] [--verbose]
//             [--force-amx]     (amx_check --help explains them)
//
// Exit status: 0 all cases passed; 1 a case failed or crashed; 2 bad arguments; 3 a crash on a
// worker thread; 4 the watchdog timeout; 5 --require-amx and the amx level could not run.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "amx_peak.h"
#include "common/ggml_types.h"
#include "cpu/amx.h"
#include "correctness.h"
#include "crash_guard.h"
#include "machine_report.h"
#include "threads/thread_pool.h"
#include "timing.h"

using namespace fastfill;
using namespace amxcheck;

namespace {

struct Options {
  bool quick = false;
  bool verbose = false;
  bool requireAmx = false;
  bool forceAmx = false;
  std::string logPath;
  unsigned timeoutSeconds = 300;
  std::vector<int> threads;  // empty: 1, 2, 4, 8, 16 (quick: 1, 2), capped at the CPUs available
  std::vector<std::string> amxGemm;  // AMX-BF16 GEMM options to check and time after the main run
};

const char kUsage[] =
    "usage: amx_check [--quick] [--log FILE] [--timeout SECONDS] [--threads 1,2,4] [--require-amx] [--verbose]\n"
    "                 [--force-amx] [--amx-gemm 'OPTIONS;OPTIONS;...']\n"
    "  --quick        fewer timings (M=64, one shape, 1 and 2 threads)\n"
    "  --log FILE     write every correctness case's line to FILE\n"
    "  --timeout S    end with exit 4 and the running case's name after S seconds (default 300; 0: none)\n"
    "  --threads L    thread counts to time, comma-separated\n"
    "  --require-amx  exit 5 when the amx level cannot run here\n"
    "  --verbose      print every case's line on stdout too\n"
    "  --force-amx    run the amx level even where dispatch refuses it (tests the crash report: SIGILL)\n"
    "  --amx-gemm L   after the main run, for each FASTFILL_AMX_GEMM options string in L (';'-separated):\n"
    "                 the amx level's cases, the thread check and the F16@bf16 timings with those options\n";

bool parseThreads(const char* text, std::vector<int>* threads) {
  std::string list = text;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = list.find(',', start);
    const std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    char* end = nullptr;
    const long value = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || value < 1 || value > kMaxThreads) return false;
    threads->push_back(static_cast<int>(value));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return !threads->empty();
}

bool parseOptions(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool hasValue = i + 1 < argc;
    if (arg == "--help" || arg == "-h") {
      std::printf("%s", kUsage);
      std::exit(0);
    } else if (arg == "--quick") o->quick = true;
    else if (arg == "--verbose") o->verbose = true;
    else if (arg == "--require-amx") o->requireAmx = true;
    else if (arg == "--force-amx") o->forceAmx = true;
    else if (arg == "--log" && hasValue) o->logPath = argv[++i];
    else if (arg == "--amx-gemm" && hasValue) {
      const std::string list = argv[++i];
      size_t start = 0;
      while (start <= list.size()) {
        size_t end = list.find(';', start);
        if (end == std::string::npos) end = list.size();
        const std::string item = list.substr(start, end - start);
        AmxGemmOptions parsed;
        if (!parseAmxGemmOptions(item.c_str(), &parsed)) {
          std::fprintf(stderr, "amx_check: --amx-gemm: '%s' is not an options string (kgroup=N,prefetch=0..3,"
                       "kouter=0|1)\n", item.c_str());
          return false;
        }
        o->amxGemm.push_back(item);
        start = end + 1;
      }
    }
    else if (arg == "--timeout" && hasValue) {
      char* end = nullptr;
      const long value = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || value < 0 || value > 86400) {
        std::fprintf(stderr, "amx_check: --timeout %s is not a number of seconds in 0..86400\n", argv[i]);
        return false;
      }
      o->timeoutSeconds = static_cast<unsigned>(value);
    } else if (arg == "--threads" && hasValue) {
      if (!parseThreads(argv[++i], &o->threads)) {
        std::fprintf(stderr, "amx_check: --threads %s is not a comma-separated list of integers in 1..%d\n", argv[i],
                     kMaxThreads);
        return false;
      }
    } else {
      std::fprintf(stderr, "amx_check: unknown or incomplete argument '%s'\n%s", arg.c_str(), kUsage);
      return false;
    }
  }
  return true;
}

// Thread counts to time: the requested ones, or the defaults up to the CPUs this process may use.
std::vector<int> timingThreads(const Options& o, int cpus) {
  if (!o.threads.empty()) return o.threads;
  std::vector<int> threads;
  for (int t : o.quick ? std::vector<int>{1, 2} : std::vector<int>{1, 2, 4, 8, 16})
    if (t == 1 || t <= cpus) threads.push_back(t);
  return threads;
}

// Every level up to the supported one (and amx when forced). avx512bf16 first: the others are
// compared with its output; amx last: a crash there leaves the pool unusable.
std::vector<CpuLevel> levelsToRun(bool forceAmx) {
  const int top = static_cast<int>(maxSupportedLevel()), bf16 = static_cast<int>(CpuLevel::kAvx512Bf16);
  std::vector<CpuLevel> levels;
  if (top >= bf16) levels.push_back(CpuLevel::kAvx512Bf16);
  for (int l = 0; l <= top; ++l)
    if (l != bf16) levels.push_back(static_cast<CpuLevel>(l));
  if (forceAmx && top < static_cast<int>(CpuLevel::kAmx)) levels.push_back(CpuLevel::kAmx);
  return levels;
}

// Runs the timing tables; amx rows come after every other level's (see levelsToRun).
bool runTimings(const Options& o, const std::vector<CpuLevel>& levels, const std::vector<int>& threads) {
  Rng rng(7);
  const int64_t m = o.quick ? 64 : 512;
  std::vector<std::unique_ptr<TimingProblem>> problems;
  const int64_t shapes[][2] = {{896, 4864}, {4864, 896}};
  for (int s = 0; s < (o.quick ? 1 : 2); ++s) {
    problems.push_back(makeTimingProblem(rng, kTypeF16, kPrecisionBf16, m, shapes[s][0], shapes[s][1]));
    problems.push_back(makeTimingProblem(rng, kTypeQ8_0, kPrecisionInt8, m, shapes[s][0], shapes[s][1]));
    // Q8_0 as bf16 pair panels (packed once, as the model loader does at precision bf16): on AMX-BF16, a
    // candidate for quantized prefill
    problems.push_back(makeTimingProblem(rng, kTypeQ8_0, kPrecisionBf16, m, shapes[s][0], shapes[s][1]));
  }
  const double secondsPerPoint = o.quick ? 0.05 : 0.25;
  std::vector<std::vector<double>> bf16Rows(problems.size()), amxRows(problems.size());
  // Below avx512bf16 the int8 GEMM runs plain loops (no VNNI; about 1 GFLOP/s per thread): a
  // reference implementation, timed at the highest thread count only to keep the run short.
  const std::vector<int> plainInt8Threads = {threads.back()};
  for (CpuLevel level : levels) {
    for (size_t p = 0; p < problems.size(); ++p) {
      const bool plainInt8 = problems[p]->packed->view.precision == kPrecisionInt8 &&
                             static_cast<int>(level) < static_cast<int>(CpuLevel::kAvx512Bf16);
      std::vector<double> gflops;
      if (!timeLevel(*problems[p], level, plainInt8 ? plainInt8Threads : threads, secondsPerPoint, &gflops))
        return false;
      if (level == CpuLevel::kAvx512Bf16) bf16Rows[p] = gflops;
      if (level == CpuLevel::kAmx) amxRows[p] = gflops;
    }
  }
  for (size_t p = 0; p < problems.size(); ++p) {
    if (amxRows[p].empty() || bf16Rows[p].empty()) continue;
    std::string row = "SPEEDUP amx / avx512bf16 " + problems[p]->name;
    for (size_t t = 0; t < threads.size(); ++t) {
      char cell[48];
      std::snprintf(cell, sizeof(cell), "  t%d %.2fx", threads[t], amxRows[p][t] / bf16Rows[p][t]);
      row += cell;
    }
    std::printf("%s\n", row.c_str());
  }
  // The quantized-prefill question: Q8_0 on AMX-BF16 tiles (bf16 precision) against the int8 GEMM on VNNI.
  for (size_t p = 0; p + 1 < problems.size(); ++p) {
    const TimingProblem& int8 = *problems[p];
    const TimingProblem& bf16 = *problems[p + 1];
    if (int8.packed->view.precision != kPrecisionInt8 || bf16.packed->view.precision != kPrecisionBf16) continue;
    if (amxRows[p + 1].empty() || bf16Rows[p].empty()) continue;
    std::string row = "SPEEDUP Q8_0 bf16 on amx / Q8_0 int8 on avx512bf16 " + bf16.name;
    for (size_t t = 0; t < threads.size(); ++t) {
      char cell[48];
      std::snprintf(cell, sizeof(cell), "  t%d %.2fx", threads[t], amxRows[p + 1][t] / bf16Rows[p][t]);
      row += cell;
    }
    std::printf("%s\n", row.c_str());
  }
  return true;
}

// Each --amx-gemm options string: the amx level's correctness cases and thread check, then F16@bf16 timed at
// both shapes. The options stay in force only inside this function.
bool runAmxGemmVariants(const Options& o, CorrectnessSuite& suite, const std::vector<int>& threads, int threadCheck) {
  const AmxGemmOptions saved = amxGemmOptions();
  Rng rng(11);
  std::vector<std::unique_ptr<TimingProblem>> problems;
  const int64_t shapes[][2] = {{896, 4864}, {4864, 896}};
  for (const auto& shape : shapes)
    problems.push_back(makeTimingProblem(rng, kTypeF16, kPrecisionBf16, o.quick ? 64 : 512, shape[0], shape[1]));
  bool alive = true;
  for (const std::string& text : o.amxGemm) {
    AmxGemmOptions options;
    parseAmxGemmOptions(text.c_str(), &options);
    setAmxGemmOptions(options);
    std::printf("== amx GEMM options '%s'\n", text.c_str());
    alive = suite.runLevel(CpuLevel::kAmx) && suite.runThreadCheck(CpuLevel::kAmx, threadCheck);
    for (auto& problem : problems) {
      if (!alive) break;
      std::vector<double> gflops;
      const std::string name = problem->name;
      problem->name += " {" + text + "}";
      alive = timeLevel(*problem, CpuLevel::kAmx, threads, o.quick ? 0.05 : 0.25, &gflops);
      problem->name = name;
    }
    if (!alive) break;
  }
  setAmxGemmOptions(saved);
  return alive;
}

}  // namespace

int main(int argc, char** argv) {
  const auto started = std::chrono::steady_clock::now();
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  Options options;
  if (!parseOptions(argc, argv, &options)) return 2;
  FILE* log = nullptr;
  if (!options.logPath.empty() && (log = std::fopen(options.logPath.c_str(), "w")) == nullptr) {
    std::fprintf(stderr, "amx_check: cannot write the log file %s: %s\n", options.logPath.c_str(),
                 std::strerror(errno));
    return 2;
  }
  if (log != nullptr) std::setvbuf(log, nullptr, _IOLBF, 0);  // complete up to a crash that ends the process
  setenv("FASTFILL_AMX", "1", 1);       // the amx level counts where permitted (as in the addon by default)
  setenv("FASTFILL_AMX_INT8", "1", 1);  // and its int8 GEMM runs on AMX-INT8 tiles, checked against VNNI bit for bit
  installCrashHandlers(options.timeoutSeconds);
  const AmxStatus amx = reportMachine();
  const std::vector<CpuLevel> levels = levelsToRun(options.forceAmx);
  if (options.forceAmx && !amx.runs) std::printf("--force-amx: running the amx level anyway (expect SIGILL)\n");
  const std::vector<int> threads = timingThreads(options, cpusForThisProcess());

  setThreadCount(1);
  std::printf("== correctness (1 thread; reference: float64 with the precision's rounding, error / sum |x w|, "
              "limit %.0e)\n", kAccumulationRel);
  CorrectnessSuite suite(log, options.verbose);
  bool alive = true;
  for (CpuLevel level : levels)
    if (alive) alive = suite.runLevel(level);
  const int threadCheck = threads.back() > 1 ? threads.back() : 2;
  if (alive) std::printf("== thread-count check (1 vs %d threads)\n", threadCheck);
  for (CpuLevel level : levels)
    if (alive) alive = suite.runThreadCheck(level, threadCheck);
  if (alive) {
    std::printf("== timings (GFLOP/s, best of a %s s run per point; no bias; int8 below avx512bf16: plain loops, "
                "highest thread count only)\n", options.quick ? "0.05" : "0.25");
    alive = runTimings(options, levels, threads);
  }
  if (alive && amx.runs) {
    std::printf("== AMX tile unit alone (1 thread, GFLOP/s)\n");
    for (const PeakRate& rate : measureAmxPeak()) std::printf("PEAK %-45s %8.1f\n", rate.name, rate.gflops);
  }
  if (alive && amx.runs) alive = runAmxGemmVariants(options, suite, threads, threadCheck);
  if (log != nullptr) std::fclose(log);

  const bool passed = suite.failures() == 0 && alive;
  std::printf("RESULT %s: %d failures in %d kernel runs (%d cases per level); levels run: ", passed ? "PASS" : "FAIL",
              suite.failures(), suite.runs(), suite.cases());
  for (CpuLevel level : levels) std::printf("%s ", levelName(level));
  const char* amxState = amx.runs ? "RAN" : options.forceAmx ? "FORCED (not supported here)" : amx.whyNot.c_str();
  std::printf("; amx: %s; %.0f s\n", amxState,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (!passed) return 1;
  if (options.requireAmx && !amx.runs) return 5;
  return 0;
}
