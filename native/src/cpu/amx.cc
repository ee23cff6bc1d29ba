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
#if defined(FASTFILL_AMX_EMULATION) || defined(FASTFILL_AMX_EMULATION_PERMIT)
  return true;  // the emulated builds (native/tools): the tiles are software (amx_emulation.h)
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

namespace {

bool envIsOne(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && std::strcmp(value, "1") == 0;
}

}  // namespace

bool amxAttentionRequested() {
  static const bool requested = envIsOne("FASTFILL_AMX_ATTENTION");
  return requested;
}

bool amxInt8Requested() {
  static const bool requested = envIsOne("FASTFILL_AMX_INT8");
  return requested;
}

}  // namespace fastfill
