// Several matmuls of the same x (a layer's q, k and v, or its gate and up): out_i = x W_i^T + bias_i.
// The parts that take the int8 GEMM (gemm_int8.h: int8 panels at any row count matmul gives them)
// and, with few rows of x (decode), the parts that take a GEMV (gemv_panels.h, gemv_pairs.h,
// gemv_int8.h) run as one pool job over all their work items: one dispatch instead of one per
// part, no idle threads at a small part's tail (a prefill's k and v, 128 columns each, ran at
// 370-440 GOPS alone against about 1,000 for q), and one activation quantization for the int8
// parts. Every other part, and the float GEMMs of prefill, run as their own matmul. Each output is
// computed by the same item code as in a separate matmul, so the results are bit-identical to
// calling matmul part by part.
#pragma once
#include "kernels/matmul.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

constexpr int kMaxGroupParts = 8;

enum class GroupedKind { kPanels, kPairs, kInt8Gemv, kInt8Gemm };

struct GroupedPart {
  const MatmulArgs* args;
  int64_t firstItem;  // in the shared job
  GroupedKind kind;
  int32_t panelType;  // kPanels: kTypeF32/F16/BF16
  Int8Plan plan;      // kInt8Gemm
};

inline void matmulGroup(const MatmulGroupArgs& g) {
  GroupedPart parts[kMaxGroupParts];
  int count = 0;
  int64_t items = 0;
  // The int8 kinds quantize x differently; one of them shares the job, a part of the other runs alone.
  bool gemvInt8Parts = false, gemmInt8Parts = false;
  MatmulArgs int8GemmArgs[kMaxGroupParts];  // the kInt8Gemm parts, for their shared quantization
  int int8GemmCount = 0;
  for (int i = 0; i < g.count && i < kMaxGroupParts; ++i) {
    const MatmulArgs& a = g.parts[i];
    if (a.m == 0 || a.w.rows == 0) continue;
    GroupedPart part{&a, items, GroupedKind::kPanels, 0, Int8Plan{}};
    if (takesGemvInt8(a) && !gemmInt8Parts) {
      part.kind = GroupedKind::kInt8Gemv;
      items += gemvInt8Items(a);
      gemvInt8Parts = true;
    } else if (takesInt8Gemm(a) && !gemvInt8Parts) {
      part.kind = GroupedKind::kInt8Gemm;
      part.plan = planInt8(a.m, a.w.rows, a.w.cols);
      items += part.plan.items;
      gemmInt8Parts = true;
      int8GemmArgs[int8GemmCount++] = a;
    } else if (takesGemvPairs(a)) {
      part.kind = GroupedKind::kPairs;
      items += pairGemvItems(a);
    } else if (!withPanelGemv(a, [&](auto panel) {
                 part.panelType = a.w.type;
                 items += panelGemvItems<decltype(panel)>(a);
               })) {
      matmul(a);  // before the shared quantization below, which its own would overwrite
      continue;
    }
    parts[count++] = part;
  }
  if (count == 0) return;
  // every part has the same x, m and cols: one quantization serves all int8 parts
  GemvInt8Job gemvJob{};
  Int8Job gemmJob{};
  if (gemvInt8Parts) gemvJob = quantizeGemvActivations(*parts[0].args);
  if (gemmInt8Parts) gemmJob = quantizeInt8Job(int8GemmArgs, int8GemmCount);
  forEachChunk(items, [&](int64_t item, int worker) {
    int index = count - 1;
    while (parts[index].firstItem > item) --index;
    const GroupedPart& part = parts[index];
    const int64_t local = item - part.firstItem;
    switch (part.kind) {
      case GroupedKind::kInt8Gemv: {
        GemvInt8Job job = gemvJob;
        job.args = part.args;
        gemvInt8RunItem(job, local);
        break;
      }
      case GroupedKind::kInt8Gemm: {
        Int8Job job = gemmJob;
        job.args = part.args;
        job.plan = part.plan;
        gemmInt8Item(job, local, worker);
        break;
      }
      case GroupedKind::kPairs:
        pairGemvItem(*part.args, local);
        break;
      case GroupedKind::kPanels:
        withPanelOfType(part.panelType, [&](auto panel) { panelGemvItem<decltype(panel)>(*part.args, local); });
        break;
    }
  });
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
