#include "machine_report.h"

#include <cpuid.h>
#include <sched.h>
#include <sys/utsname.h>

#include <cstdio>
#include <cstring>
#include <thread>

#include "cpu/amx.h"
#include "cpu/cpu_features.h"
#include "cpu/dispatch.h"

namespace amxcheck {

using namespace fastfill;

namespace {

std::string cpuBrand() {
  unsigned regs[12] = {};
  if (__get_cpuid_max(0x80000000u, nullptr) < 0x80000004u) return "(no brand string)";
  for (unsigned i = 0; i < 3; ++i) {
    unsigned* r = regs + 4 * i;
    __get_cpuid(0x80000002u + i, &r[0], &r[1], &r[2], &r[3]);
  }
  char text[49] = {};
  std::memcpy(text, regs, 48);
  std::string brand = text;
  const size_t first = brand.find_first_not_of(' '), last = brand.find_last_not_of(' ');
  return first == std::string::npos ? brand : brand.substr(first, last - first + 1);
}

// The AMX bits of cpuid leaf 7 (edx 22: bf16, 24: tile, 25: int8), regardless of the OS.
bool cpuidHasAmxTile() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 0, a, b, c, d);
  return ((d >> 24) & 1u) != 0 && ((d >> 22) & 1u) != 0;
}

}  // namespace

int cpusForThisProcess() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

AmxStatus reportMachine() {
  struct utsname uts;
  const bool haveUname = uname(&uts) == 0;
  std::printf("== machine\nCPU: %s; %d CPUs for this process; Linux %s\n", cpuBrand().c_str(), cpusForThisProcess(),
              haveUname ? uts.release : "?");
  const CpuFeatures& f = cpuFeatures();
  std::printf("features: avx2=%d fma=%d f16c=%d avx512f=%d avx512bw=%d avx512vl=%d avx512dq=%d avx512vnni=%d "
              "avx512bf16=%d amx_tile=%d amx_bf16=%d amx_int8=%d\n",
              f.avx2, f.fma, f.f16c, f.avx512f, f.avx512bw, f.avx512vl, f.avx512dq, f.avx512vnni, f.avx512bf16,
              f.amxTile, f.amxBf16, f.amxInt8);
  AmxStatus status{false, ""};
  if (!f.amxTile || !f.amxBf16) {
    status.whyNot = cpuidHasAmxTile() ? "NOT RUN: cpuid has AMX but the OS has not enabled the tile state (XCR0)"
                                      : "NOT RUN: this CPU has no AMX";
    std::printf("AMX: %s\n", status.whyNot.c_str());
  } else {
    const bool permitted = amxPermitted();
    std::printf("AMX: tile permission (arch_prctl ARCH_REQ_XCOMP_PERM) %s\n", permitted ? "GRANTED" : "REFUSED");
    if (!permitted) status.whyNot = "NOT RUN: Linux refused the AMX tile permission";
  }
  const CpuLevel top = maxSupportedLevel();
  status.runs = top == CpuLevel::kAmx;
  if (!status.runs && status.whyNot.empty()) status.whyNot = "NOT RUN: the avx512bf16 level is not supported";
  std::printf("highest dispatch level: %s (FASTFILL_AMX=1 set by this program)\n", levelName(top));
  return status;
}

}  // namespace amxcheck
