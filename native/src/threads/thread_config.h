// How many threads the pool starts with.
#pragma once
#include <string>

namespace fastfill {

// FASTFILL_THREADS if set, else the CPUs this process may run on. False with a message when
// FASTFILL_THREADS is not an integer in 1..kMaxThreads.
bool defaultThreadCount(int* threads, std::string* error);

}  // namespace fastfill
