// Kernels of the avx512 dispatch level (see README.md in this folder).
#define FASTFILL_LEVEL avx512
#define FASTFILL_LEVEL_NAME "avx512"
#include "simd/simd_avx512.h"
#include "simd/quant_groups_avx512.h"
#include "kernels/kernel_table_def.h"
