// Q8_0 decoded straight into registers at the avx2 level, 32 elements (a "group") at a time, for the fused GEMV
// of exact-F32 decode (kernels/gemv_groups.h; see quant_groups_avx512.h for the interface): q * d, one mul per
// element as decodeQ8_0. Through memory (gemv.h) its F32 GEMV ran at 1.6 weights a cycle here, compute-bound.
// Only for one or two rows of x: with 16 ymm registers more rows spill the accumulators. The other types keep
// gemv.h's decoding at this level. Included by level_avx2.cc after simd_avx2.h.
#pragma once
#include "common/ggml_types.h"

#define FASTFILL_QUANT_GROUPS 1

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kGroupVecs = 4;
constexpr int kMaxGroupRows = 2;  // rows of x the fused GEMV takes (more: gemv.h)

template <int32_t Type>
struct Group;
template <int32_t Type>
constexpr bool kHasGroup = false;

struct SingleGroupBlock {
  struct Block {};
  static void prepare(const uint8_t*, Block*) {}
};

template <>
struct Group<kTypeQ8_0> : SingleGroupBlock {
  static constexpr int kBlockElements = 32, kBlockBytes = 34;
  static void decode(const uint8_t* block, const Block&, int, Vec out[kGroupVecs]) {
    uint16_t h;
    std::memcpy(&h, block, 2);
    const __m256 d = _mm256_set1_ps(_cvtsh_ss(h));
    for (int i = 0; i < kGroupVecs; ++i) {
      const __m256i q = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(block + 2 + 8 * i)));
      out[i].v = _mm256_mul_ps(_mm256_cvtepi32_ps(q), d);
    }
  }
};
template <>
constexpr bool kHasGroup<kTypeQ8_0> = true;

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
