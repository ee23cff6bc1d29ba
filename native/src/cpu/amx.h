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

// bf16-precision attention runs on AMX-BF16 tiles at the amx level (kernels/attention_amx.h) unless
// FASTFILL_AMX_ATTENTION=0. On by default since the device runs of 2026-11-27 (bench/RESULTS.md).
bool amxAttentionEnabled();

// How the AMX-BF16 GEMM (kernels/gemm_amx.h) walks its blocks. The defaults are what measured fastest on
// AMX hardware; FASTFILL_AMX_GEMM ("kgroup=4,prefetch=1,kouter=1") picks others, for timing them
// there (native/tools/device_session.sh, amx_check --amx-gemm).
struct AmxGemmOptions {
  int kGroup = 0;         // K blocks (of kGemmK) between C round trips through memory; 0: all of K
  int prefetch = 2;        // into L1 during each step: 0 nothing, 1 the next row block's A, 2 the A and B of two
                           // steps ahead, 3 the A of two steps ahead
  bool kOuter = false;     // items take a run of row blocks over every panel, K outside (planGemm's kOuter)
};

// Parses an options string (empty: the defaults); false on anything it does not know.
bool parseAmxGemmOptions(const char* text, AmxGemmOptions* options);

// The options in use: FASTFILL_AMX_GEMM at first use (the defaults if unset, or unparsable: then with a line on
// stderr), or the last setAmxGemmOptions.
const AmxGemmOptions& amxGemmOptions();
void setAmxGemmOptions(const AmxGemmOptions& options);

}  // namespace fastfill
