#include "cpu/amx.h"

#include <cstdlib>
#include <cstring>

#include "cpu/cpu_features.h"

#if defined(__linux__) && defined(__x86_64__)
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace fastfill {
namespace {

bool requestPermission() {
#ifdef FASTFILL_AMX_EMULATION
  return true;  // amx_check's emulated build: the tiles are software (native/tools/amx_emulation.h)
#endif
  const CpuFeatures& f = cpuFeatures();
  if (!f.amxTile || !f.amxBf16 || !f.amxInt8) return false;
#if defined(__linux__) && defined(__x86_64__)
  constexpr long kArchGetXcompPerm = 0x1022, kArchReqXcompPerm = 0x1023;
  constexpr unsigned long kXfeatureXtiledata = 18;
  if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) != 0) return false;
  unsigned long permitted = 0;
  if (syscall(SYS_arch_prctl, kArchGetXcompPerm, &permitted) != 0) return false;
  return (permitted & (1ul << kXfeatureXtiledata)) != 0;
#else
  return false;
#endif
}

}  // namespace

bool amxPermitted() {
  static const bool permitted = requestPermission();
  return permitted;
}

bool amxEnabled() {
  const char* value = std::getenv("FASTFILL_AMX");
  return value == nullptr || std::strcmp(value, "0") != 0;
}

bool amxInt8Requested() {
  static const bool requested = [] {
    const char* value = std::getenv("FASTFILL_AMX_INT8");
    return value != nullptr && std::strcmp(value, "1") == 0;
  }();
  return requested;
}

}  // namespace fastfill
