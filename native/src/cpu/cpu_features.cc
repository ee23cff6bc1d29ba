#include "cpu/cpu_features.h"

#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace fastfill {
namespace {

#if defined(__x86_64__) || defined(__i386__)

bool bit(uint32_t reg, int index) { return ((reg >> index) & 1u) != 0; }

uint64_t readXcr0() {
  uint32_t eax = 0, edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

CpuFeatures detect() {
  CpuFeatures f{};
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = bit(c, 27);
  const uint64_t xcr0 = osxsave ? readXcr0() : 0;
  const bool osYmm = (xcr0 & 0x6) == 0x6;                   // XMM + YMM state
  const bool osZmm = osYmm && (xcr0 & 0xE0) == 0xE0;        // opmask, ZMM_Hi256, Hi16_ZMM
  const bool osTiles = (xcr0 & 0x60000) == 0x60000;         // XTILECFG + XTILEDATA
  const bool avx = osYmm && bit(c, 28);
  f.fma = avx && bit(c, 12);
  f.f16c = avx && bit(c, 29);
  if (__get_cpuid_max(0, nullptr) < 7) return f;
  __cpuid_count(7, 0, a, b, c, d);
  const unsigned maxSubleaf = a;
  f.avx2 = avx && bit(b, 5);
  f.avx512f = osZmm && bit(b, 16);
  f.avx512dq = f.avx512f && bit(b, 17);
  f.avx512bw = f.avx512f && bit(b, 30);
  f.avx512vl = f.avx512f && bit(b, 31);
  f.avx512vnni = f.avx512f && bit(c, 11);
  f.amxBf16 = osTiles && bit(d, 22);
  f.amxTile = osTiles && bit(d, 24);
  f.amxInt8 = osTiles && bit(d, 25);
  if (maxSubleaf >= 1) {
    __cpuid_count(7, 1, a, b, c, d);
    f.avx512bf16 = f.avx512f && bit(a, 5);
  }
  return f;
}

#else

CpuFeatures detect() { return CpuFeatures{}; }

#endif

}  // namespace

const CpuFeatures& cpuFeatures() {
  static const CpuFeatures features = detect();
  return features;
}

}  // namespace fastfill
