// Kernels of the avx2 dispatch level (see README.md in this folder).
#define FASTFILL_LEVEL avx2
#define FASTFILL_LEVEL_NAME "avx2"
#include "simd/simd_avx2.h"
#include "simd/quant_groups_avx2.h"
#include "kernels/kernel_table_def.h"
