// Several matmuls of the same x (a layer's q, k and v, or its gate and up): out_i = x W_i^T + bias_i.
// With few rows of x (decode) the parts that take a GEMV (gemv_panels.h, gemv_pairs.h, gemv_int8.h) run as one
// pool job over all their work items: one dispatch instead of one per part, no idle threads at a
// small part's tail, and one activation quantization for the int8 parts. Every other part, and
// every part at GEMM sizes, runs as its own matmul. Each output is computed by the same item code
// as in a separate matmul, so the results are bit-identical to calling matmul part by part.
#pragma once
#include "kernels/matmul.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kMaxGroupParts = 8;
constexpr int32_t kInt8Gemv = -1, kPairGemv = -2;

struct GroupedGemv {
  const MatmulArgs* args;
  int64_t firstItem;  // in the shared job
  int32_t panelType;  // kTypeF32/F16/BF16 for the panel GEMV; kInt8Gemv or kPairGemv
};

template <class F>
inline void withPanelOfType(int32_t type, const F& f) {
  if (type == kTypeF32) f(PanelF32{});
  else if (type == kTypeF16) f(PanelF16{});
  else f(PanelBf16{});
}

inline void matmulGroup(const MatmulGroupArgs& g) {
  GroupedGemv gemvs[kMaxGroupParts];
  int count = 0;
  int64_t items = 0;
  bool int8 = false, nibbles = false;
  for (int i = 0; i < g.count && i < kMaxGroupParts; ++i) {
    const MatmulArgs& a = g.parts[i];
    if (a.m == 0 || a.w.rows == 0) continue;
    if (takesGemvInt8(a)) {
      gemvs[count++] = GroupedGemv{&a, items, kInt8Gemv};
      items += gemvInt8Items(a);
      int8 = true;
      nibbles = nibbles || a.w.type == kTypeQ4_0;
    } else if (takesGemvPairs(a)) {
      gemvs[count++] = GroupedGemv{&a, items, kPairGemv};
      items += pairGemvItems(a);
    } else if (!withPanelGemv(a, [&](auto panel) {
                 gemvs[count++] = GroupedGemv{&a, items, a.w.type};
                 items += panelGemvItems<decltype(panel)>(a);
               })) {
      matmul(a);
    }
  }
  if (count == 0) return;
  // every part has the same x, m and cols: one quantization serves all int8 parts
  const GemvInt8Job shared = int8 ? quantizeGemvActivations(*gemvs[0].args, nibbles) : GemvInt8Job{};
  forEachChunk(items, [&](int64_t item, int) {
    int part = count - 1;
    while (gemvs[part].firstItem > item) --part;
    const GroupedGemv& gemv = gemvs[part];
    const int64_t local = item - gemv.firstItem;
    if (gemv.panelType == kInt8Gemv) {
      GemvInt8Job job = shared;
      job.args = gemv.args;
      gemvInt8RunItem(job, local);
    } else if (gemv.panelType == kPairGemv) {
      pairGemvItem(*gemv.args, local);
    } else {
      withPanelOfType(gemv.panelType, [&](auto panel) { panelGemvItem<decltype(panel)>(*gemv.args, local); });
    }
  });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
