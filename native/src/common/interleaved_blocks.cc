#include "common/interleaved_blocks.h"

#include <cstring>

#include "threads/thread_pool.h"

namespace fastfill {
namespace {

struct PackJob {
  const WeightView* w;
  uint8_t* dst;
};

// Group G of the weight, every K block.
void packGroup(void* context, int64_t group, int) {
  const PackJob& job = *static_cast<const PackJob*>(context);
  const WeightView& w = *job.w;
  const int64_t blocks = w.cols / 32, blockBytes = computeBlockLayout(w.type).bytes;
  const int64_t groupBytes = interleavedBlockBytes(w.type);
  uint8_t* out = job.dst + static_cast<size_t>(group * blocks * groupBytes);
  std::memset(out, 0, static_cast<size_t>(blocks * groupBytes));
  for (int r = 0; r < kInterleavedRows; ++r) {
    const int64_t row = group * kInterleavedRows + r;
    if (row >= w.rows) break;
    const uint8_t* source = w.data + static_cast<size_t>(row) * w.rowBytes;
    for (int64_t b = 0; b < blocks; ++b) {
      const uint8_t* block = source + b * blockBytes;
      uint8_t* dst = out + b * groupBytes;
      std::memcpy(dst + 2 * r, block, 2);
      const uint8_t* quants = block + 2;
      if (w.type == kTypeQ5_0) {
        uint32_t bits, fifth = 0;
        std::memcpy(&bits, block + 2, 4);
        for (int e = 0; e < 32; ++e) fifth |= ((bits >> e) & 1u) << (8 * (e % 4) + 4 * (e / 16) + (e % 16) / 4);
        std::memcpy(dst + kInterleavedScaleBytes + 4 * r, &fifth, 4);
        quants = block + 6;
      }
      for (int j = 0; j < interleavedChunks(w.type); ++j) {
        std::memcpy(dst + interleavedQuantsOffset(w.type) + j * kInterleavedChunkBytes + 4 * r, quants + 4 * j, 4);
      }
    }
  }
}

}  // namespace

size_t interleavedBytes(int32_t type, int64_t rows, int64_t cols) {
  if (!isInterleavedType(type)) return 0;
  return static_cast<size_t>(interleavedGroups(rows) * (cols / 32) * interleavedBlockBytes(type));
}

void packInterleaved(const WeightView& w, uint8_t* dst) {
  if (!isInterleavedType(w.type)) return;
  PackJob job{&w, dst};
  parallelFor(interleavedGroups(w.rows), packGroup, &job);
}

}  // namespace fastfill
