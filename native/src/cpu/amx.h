// AMX tiles: Linux hands the 8 KB tile-data state to a process only after it asks once with
// arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA); without that the first tile instruction
// kills it (SIGILL) — the crash llama.cpp's AMX path hits on these VMs.
#pragma once

namespace fastfill {

// Asks for the tile-data permission once per process (later calls return the first answer).
// False when the CPU or OS has no AMX, or the request is refused.
bool amxPermitted();

// False when FASTFILL_AMX=0: the amx level is then never used (it is used by default where permitted).
bool amxEnabled();

// FASTFILL_AMX_INT8=1: the int8 GEMM runs on AMX-INT8 tiles at the amx level (gemm_amx_int8.h),
// bit-identical to the VNNI kernel. Off by default: on the first AMX machine measured (2026-11-26,
// native/tools/README.md) it was 1.0-1.4x VNNI in the GEMM alone but slower in whole-model prefill.
bool amxInt8Requested();

// FASTFILL_AMX_ATTENTION=1: bf16-precision attention runs on AMX-BF16 tiles at the amx level
// (kernels/attention_amx.h). Off by default until it is timed on AMX hardware.
bool amxAttentionRequested();

}  // namespace fastfill
