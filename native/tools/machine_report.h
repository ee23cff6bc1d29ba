// The header of the check's output: CPU model, kernel, the features the dispatch uses
// (cpu/cpu_features.h), whether AMX tiles are usable (cpuid, XCR0, the Linux permission of
// cpu/amx.h) and the highest dispatch level.
#pragma once
#include <string>

namespace amxcheck {

struct AmxStatus {
  bool runs;           // the amx level is among the levels checked
  std::string whyNot;  // when not: the reason, e.g. "NOT RUN: this CPU has no AMX"
};

// Prints the header; call after FASTFILL_AMX=1 is set and before the level is first asked for.
AmxStatus reportMachine();

// CPUs this process may run on (its affinity mask).
int cpusForThisProcess();

}  // namespace amxcheck
