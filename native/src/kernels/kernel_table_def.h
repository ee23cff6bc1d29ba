// Defines this level's kernel table from the kernels above it (compiled once per level).
#pragma once
#include "common/kernel_table.h"
#include "kernels/attention.h"
#include "kernels/elementwise.h"
#include "kernels/matmul.h"
#include "kernels/matmul_group.h"
#include "kernels/rms_norm.h"
#include "kernels/rope.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

extern const KernelTable kKernels;
const KernelTable kKernels = {
    FASTFILL_LEVEL_NAME, &matmul, &matmulGroup, &getRows, &rmsNorm, &rope, &attention, &siluMul, &add, &scale, &addBias,
};

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
