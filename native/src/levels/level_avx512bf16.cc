// Kernels of the avx512bf16 dispatch level (see README.md in this folder): the avx512 kernels
// compiled with AVX512-BF16 and VNNI, so the bf16-precision GEMM uses vdpbf16ps.
#define FASTFILL_LEVEL avx512bf16
#define FASTFILL_LEVEL_NAME "avx512bf16"
#include "simd/simd_avx512.h"
#include "simd/quant_groups_avx512.h"
#include "kernels/kernel_table_def.h"
