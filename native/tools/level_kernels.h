// The kernel table of a dispatch level, chosen directly (as cpu/dispatch.cc does internally), so
// that --force-amx can run the amx table on a CPU where dispatch would refuse it (to test the
// crash report: its tile instructions then raise SIGILL).
#pragma once
#include "common/kernel_table.h"
#include "cpu/dispatch.h"

namespace amxcheck {

// Makes `level` the active one when dispatch allows it, and returns its table either way.
const fastfill::KernelTable& selectLevel(fastfill::CpuLevel level);

}  // namespace amxcheck
