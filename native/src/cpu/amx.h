// AMX tiles: Linux hands the 8 KB tile-data state to a process only after it asks once with
// arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA); without that the first tile instruction
// kills it (SIGILL) — the crash llama.cpp's AMX path hits on these VMs.
#pragma once

namespace fastfill {

// Asks for the tile-data permission once per process (later calls return the first answer).
// False when the CPU or OS has no AMX, or the request is refused.
bool amxPermitted();

// FASTFILL_AMX=1 in the environment: the amx level's kernels have never run on a machine with AMX
// (none was available while they were written), so it is only used when asked for.
bool amxRequested();

}  // namespace fastfill
