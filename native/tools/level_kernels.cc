#include "level_kernels.h"

namespace amxcheck {

using namespace fastfill;

const KernelTable& selectLevel(CpuLevel level) {
  setActiveLevel(level);  // false above the supported level (only with --force-amx)
  switch (level) {
    case CpuLevel::kAmx: return amx::kKernels;
    case CpuLevel::kAvx512Bf16: return avx512bf16::kKernels;
    case CpuLevel::kAvx512: return avx512::kKernels;
    case CpuLevel::kAvx2: return avx2::kKernels;
    default: return scalar::kKernels;
  }
}

}  // namespace amxcheck
