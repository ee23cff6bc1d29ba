#include "cpu/amx.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

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

bool amxAttentionEnabled() {
  static const bool enabled = [] {
    const char* value = std::getenv("FASTFILL_AMX_ATTENTION");
    return value == nullptr || std::strcmp(value, "0") != 0;
  }();
  return enabled;
}

bool amxInt8Requested() {
  static const bool requested = envIsOne("FASTFILL_AMX_INT8");
  return requested;
}

bool parseAmxGemmOptions(const char* text, AmxGemmOptions* options) {
  AmxGemmOptions parsed;
  const std::string all = text == nullptr ? "" : text;
  size_t start = 0;
  while (start < all.size()) {
    size_t end = all.find(',', start);
    if (end == std::string::npos) end = all.size();
    const std::string item = all.substr(start, end - start);
    start = end + 1;
    const size_t eq = item.find('=');
    if (eq == std::string::npos) return false;
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    char* tail = nullptr;
    const long number = std::strtol(value.c_str(), &tail, 10);
    if (value.empty() || *tail != '\0' || number < 0 || number > 64) return false;
    if (key == "kgroup") parsed.kGroup = static_cast<int>(number);
    else if (key == "prefetch" && number <= 3) parsed.prefetch = static_cast<int>(number);
    else if (key == "kouter") parsed.kOuter = number != 0;
    else return false;
  }
  *options = parsed;
  return true;
}

namespace {

AmxGemmOptions& currentAmxGemmOptions() {
  static AmxGemmOptions options = [] {
    AmxGemmOptions parsed;
    const char* text = std::getenv("FASTFILL_AMX_GEMM");
    if (!parseAmxGemmOptions(text, &parsed)) {
      std::fprintf(stderr, "fastfill: FASTFILL_AMX_GEMM='%s' is not an options string (kgroup=N,prefetch=0..3,"
                   "kouter=0|1); the AMX GEMM keeps its defaults\n", text);
      parsed = AmxGemmOptions();
    }
    return parsed;
  }();
  return options;
}

}  // namespace

const AmxGemmOptions& amxGemmOptions() { return currentAmxGemmOptions(); }

void setAmxGemmOptions(const AmxGemmOptions& options) { currentAmxGemmOptions() = options; }

}  // namespace fastfill
