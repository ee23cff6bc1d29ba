// Single-thread rates of the AMX tile unit (amx_peak.cc): empty where this build has no AMX tiles.
#pragma once
#include <vector>

namespace amxcheck {

struct PeakRate {
  const char* name;
  double gflops;
};

std::vector<PeakRate> measureAmxPeak();

}  // namespace amxcheck
