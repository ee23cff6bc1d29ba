// Int8 records packed while the int8 GEMM runs (gemm_int8.h), for weights without stored int8 panels:
// one panel's K run at a time, from the weight's own blocks (or its interleaved blocks), into a worker's scratch, so a 4- or 5-bit
// file keeps its own footprint (panels would be 1.25-1.5 bytes per weight beside it). The records are
// byte for byte those of common/int8_panels.cc (packInt8Records, the plain form and the fallback
// below AVX-512).
//
// int8_records_avx512.h and int8_records_avx2.h pack with vectors; the scalar level uses the plain form, and so do
// the AVX-512 levels for Q3_K, IQ4_NL and IQ4_XS (withAvx2OnlyInt8Type), and every level for Q2_K on its own blocks
// (interleaved, the default at avx2, it has a vector packer).
#pragma once
#include "common/int8_panels.h"
#include "kernels/int8_records_avx2.h"
#include "kernels/int8_records_avx512.h"
#include "kernels/interleaved_records.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

// Records of K blocks [block0, block0 + blocks) of one panel of w (an int8 type) into dst.
inline void packInt8Run(const WeightView& w, int64_t panel, int64_t block0, int64_t blocks, uint8_t* dst) {
#ifdef __AVX2__
  if (w.interleaved != nullptr) {
    packInterleavedRun(w, panel, block0, blocks, dst);
    return;
  }
#endif
#if defined(__AVX512BW__) || defined(__AVX2__)
  if (withInt8Type(w.type, [&](auto type) { packInt8RunVector<decltype(type)::value>(w, panel, block0, blocks, dst); })) return;
#endif
#if defined(__AVX2__) && !defined(__AVX512BW__)
  if (withAvx2OnlyInt8Type(w.type, [&](auto type) { packInt8RunVector<decltype(type)::value>(w, panel, block0, blocks, dst); })) return;
#endif
  packInt8Records(w, panel, block0, blocks, dst);
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
