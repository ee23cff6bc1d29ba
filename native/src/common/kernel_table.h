// One table of kernels per dispatch level. Each level's table is compiled in its own translation
// unit with that level's -m flags (native/src/levels/), so only the active table's code runs.
#pragma once
#include <cstdint>

#include "common/kernel_args.h"

namespace fastfill {

struct KernelTable {
  const char* level;
  void (*matmul)(const MatmulArgs& args);
  void (*matmulGroup)(const MatmulGroupArgs& args);
  void (*getRows)(const GetRowsArgs& args);
  void (*rmsNorm)(const RmsNormArgs& args);
  void (*rope)(const RopeArgs& args);
  void (*attention)(const AttentionArgs& args);
  // out = silu(gate) * up
  void (*siluMul)(const float* gate, const float* up, float* out, int64_t n);
  // out = a + b
  void (*add)(const float* a, const float* b, float* out, int64_t n);
  // out = x * factor
  void (*scale)(const float* x, float factor, float* out, int64_t n);
  // x[r][c] += bias[c]
  void (*addBias)(float* x, int64_t rows, int64_t cols, const float* bias);
};

namespace scalar { extern const KernelTable kKernels; }
#if FASTFILL_X86_LEVELS
namespace avx2 { extern const KernelTable kKernels; }
namespace avx512 { extern const KernelTable kKernels; }
namespace avx512bf16 { extern const KernelTable kKernels; }
namespace amx { extern const KernelTable kKernels; }
#endif

}  // namespace fastfill
