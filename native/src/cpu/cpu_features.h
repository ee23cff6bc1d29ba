// CPU features usable by this process: the CPU reports them (cpuid) AND the OS saves the
// registers they need (xgetbv). Detected once.
#pragma once

namespace fastfill {

struct CpuFeatures {
  bool avx2;
  bool fma;
  bool f16c;
  bool avx512f;
  bool avx512bw;
  bool avx512vl;
  bool avx512dq;
  bool avx512vnni;
  bool avx512bf16;
  bool amxTile;
  bool amxBf16;
  bool amxInt8;
};

const CpuFeatures& cpuFeatures();

}  // namespace fastfill
