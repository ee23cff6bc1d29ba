// Kernels of the amx dispatch level (see README.md in this folder): the avx512bf16 kernels plus
// AMX-BF16 tiles in the bf16-precision GEMM (kernels/gemm_amx.h) and, with FASTFILL_AMX_INT8=1,
// AMX-INT8 tiles in the int8 GEMM (kernels/gemm_amx_int8.h). Used where the CPU has AMX and Linux
// grants the tile permission, unless FASTFILL_AMX=0 (cpu/amx.h).
#define FASTFILL_LEVEL amx
#define FASTFILL_LEVEL_NAME "amx"
#include "simd/simd_avx512.h"
#include "simd/quant_groups_avx512.h"
#include "kernels/kernel_table_def.h"
