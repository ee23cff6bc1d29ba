#include "cpu/dispatch.h"

#include <atomic>
#include <cstdlib>

#include "cpu/amx.h"
#include "cpu/cpu_features.h"

namespace fastfill {
namespace {

std::atomic<int> gActiveLevel{-1};  // -1: not chosen yet, use the supported maximum

const KernelTable& tableFor(CpuLevel level) {
#if FASTFILL_X86_LEVELS
  if (level == CpuLevel::kAmx) return amx::kKernels;
  if (level == CpuLevel::kAvx512Bf16) return avx512bf16::kKernels;
  if (level == CpuLevel::kAvx512) return avx512::kKernels;
  if (level == CpuLevel::kAvx2) return avx2::kKernels;
#endif
  (void)level;
  return scalar::kKernels;
}

}  // namespace

const char* levelName(CpuLevel level) {
  switch (level) {
    case CpuLevel::kAmx: return "amx";
    case CpuLevel::kAvx512Bf16: return "avx512bf16";
    case CpuLevel::kAvx512: return "avx512";
    case CpuLevel::kAvx2: return "avx2";
    default: return "scalar";
  }
}

bool parseLevel(const std::string& name, CpuLevel* level) {
  if (name == "scalar") *level = CpuLevel::kScalar;
  else if (name == "avx2") *level = CpuLevel::kAvx2;
  else if (name == "avx512") *level = CpuLevel::kAvx512;
  else if (name == "avx512bf16") *level = CpuLevel::kAvx512Bf16;
  else if (name == "amx") *level = CpuLevel::kAmx;
  else return false;
  return true;
}

CpuLevel detectMaxLevel() {
#if FASTFILL_X86_LEVELS
  const CpuFeatures& f = cpuFeatures();
  const bool avx2 = f.avx2 && f.fma && f.f16c;
  const bool avx512 = avx2 && f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq;
  const bool bf16 = avx512 && f.avx512bf16 && f.avx512vnni;
  if (bf16 && amxEnabled() && amxPermitted()) return CpuLevel::kAmx;
  if (bf16) return CpuLevel::kAvx512Bf16;
  if (avx512) return CpuLevel::kAvx512;
  if (avx2) return CpuLevel::kAvx2;
#endif
  return CpuLevel::kScalar;
}

CpuLevel maxSupportedLevel() {
  static const CpuLevel level = detectMaxLevel();
  return level;
}

CpuLevel activeLevel() {
  const int level = gActiveLevel.load(std::memory_order_relaxed);
  return level < 0 ? maxSupportedLevel() : static_cast<CpuLevel>(level);
}

bool setActiveLevel(CpuLevel level) {
  if (static_cast<int>(level) > static_cast<int>(maxSupportedLevel())) return false;
  gActiveLevel.store(static_cast<int>(level), std::memory_order_relaxed);
  return true;
}

bool applyCpuEnvironment(std::string* error) {
  static std::atomic<bool> applied{false};
  const char* value = std::getenv("FASTFILL_CPU");
  if (value == nullptr || *value == '\0') return true;
  CpuLevel requested;
  if (!parseLevel(value, &requested)) {
    *error = std::string("FASTFILL_CPU=") + value + " is not one of scalar, avx2, avx512, avx512bf16, amx";
    return false;
  }
  if (applied.exchange(true)) return true;  // a second load of the addon keeps the current level
  const CpuLevel supported = maxSupportedLevel();
  setActiveLevel(static_cast<int>(requested) < static_cast<int>(supported) ? requested : supported);
  return true;
}

const KernelTable& activeKernels() { return tableFor(activeLevel()); }

}  // namespace fastfill
