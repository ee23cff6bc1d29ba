// Kernels of the amx dispatch level (see README.md in this folder): the avx512bf16 kernels plus
// AMX-BF16 tiles in the bf16-precision GEMM (kernels/gemm_amx.h). never run on AMX hardware (only in software, amx_check's emulated build), so
// only used with FASTFILL_AMX=1 on a CPU that has AMX (cpu/amx.h).
#define FASTFILL_LEVEL amx
#define FASTFILL_LEVEL_NAME "amx"
#include "simd/simd_avx512.h"
#include "simd/quant_groups_avx512.h"
#include "kernels/kernel_table_def.h"
