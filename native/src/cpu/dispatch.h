// Which kernel table runs: the highest level the CPU supports, capped by FASTFILL_CPU or by
// setActiveLevel (tests use it to cover every level on one machine). The amx level counts as
// supported where the tile permission is granted, unless FASTFILL_AMX=0 (cpu/amx.h).
#pragma once
#include <string>

#include "common/kernel_table.h"

namespace fastfill {

enum class CpuLevel : int { kScalar = 0, kAvx2 = 1, kAvx512 = 2, kAvx512Bf16 = 3, kAmx = 4 };

const char* levelName(CpuLevel level);
bool parseLevel(const std::string& name, CpuLevel* level);

CpuLevel maxSupportedLevel();
CpuLevel activeLevel();
// False (and nothing changes) when the level is above maxSupportedLevel().
bool setActiveLevel(CpuLevel level);

// Applies FASTFILL_CPU once per process: a known name caps the level (never above the supported
// one); an unknown name leaves the level alone and returns false with a message in *error.
bool applyCpuEnvironment(std::string* error);

const KernelTable& activeKernels();

}  // namespace fastfill
