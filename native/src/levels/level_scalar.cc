// Kernels of the scalar dispatch level (see README.md in this folder).
#define FASTFILL_LEVEL scalar
#define FASTFILL_LEVEL_NAME "scalar"
#include "simd/simd_scalar.h"
#include "kernels/kernel_table_def.h"
