#include "common/interleaved_blocks.h"

#include <cstring>

#include "threads/thread_pool.h"

namespace fastfill {
namespace {

// Bit position in a row's interleaved Q5_0 fifth-bit dword of element e's fifth bit.
constexpr int fifthBitPosition(int e) { return 8 * (e % 4) + 4 * (e / 16) + (e % 16) / 4; }

// The places of one row's block in a group block, as (group-block offset, row-block offset, bytes) moves.
template <class Move>
void forEachMove(int32_t type, int r, const Move& move) {
  if (type == kTypeQ4_K || type == kTypeQ5_K) {
    move(2 * r, 0, 2);
    move(16 + 2 * r, 2, 2);
    for (int c = 0; c < 3; ++c) move(kInterleavedKScalesOffset + 32 * c + 4 * r, 4 + 4 * c, 4);
    if (type == kTypeQ5_K) {
      for (int q = 0; q < 8; ++q) move(kInterleavedKHighOffset + 32 * q + 4 * r, 16 + 4 * q, 4);
    }
    const int nibbles = type == kTypeQ5_K ? 48 : 16;
    for (int i = 0; i < 4; ++i) {
      for (int j = 0; j < 8; ++j) move(interleavedKNibblesOffset(type) + 32 * (8 * i + j) + 4 * r, nibbles + 32 * i + 4 * j, 4);
    }
    return;
  }
  if (type == kTypeQ6_K) {
    move(2 * r, 208, 2);
    for (int c = 0; c < 4; ++c) move(kInterleaved6ScalesOffset + 32 * c + 4 * r, 192 + 4 * c, 4);
    for (int q = 0; q < 32; ++q) move(kInterleaved6LowOffset + 32 * q + 4 * r, 4 * q, 4);
    for (int q = 0; q < 16; ++q) move(kInterleaved6HighOffset + 32 * q + 4 * r, 128 + 4 * q, 4);
    return;
  }
  if (type == kTypeQ2_K) {
    move(2 * r, 80, 2);
    move(16 + 2 * r, 82, 2);
    for (int c = 0; c < 4; ++c) move(kInterleaved2ScalesOffset + 32 * c + 4 * r, 4 * c, 4);
    for (int q = 0; q < 16; ++q) move(kInterleaved2LowOffset + 32 * q + 4 * r, 16 + 4 * q, 4);
    return;
  }
  if (type == kTypeQ3_K) {
    move(2 * r, 108, 2);
    for (int c = 0; c < 3; ++c) move(kInterleaved3ScalesOffset + 32 * c + 4 * r, 96 + 4 * c, 4);
    for (int q = 0; q < 8; ++q) move(kInterleaved3MaskOffset + 32 * q + 4 * r, 4 * q, 4);
    for (int q = 0; q < 16; ++q) move(kInterleaved3LowOffset + 32 * q + 4 * r, 32 + 4 * q, 4);
    return;
  }
  if (type == kTypeIQ4_XS) {
    move(2 * r, 0, 2);
    move(kInterleavedXsHighOffset + 2 * r, 2, 2);
    move(kInterleavedXsLowOffset + 4 * r, 4, 4);
    for (int q = 0; q < 32; ++q) move(kInterleavedXsNibblesOffset + 32 * q + 4 * r, 8 + 4 * q, 4);
    return;
  }
  move(2 * r, 0, 2);
  const int quants = type == kTypeQ5_0 ? 6 : 2;
  for (int j = 0; j < interleavedChunks(type); ++j) {
    move(interleavedQuantsOffset(type) + j * kInterleavedChunkBytes + 4 * r, quants + 4 * j, 4);
  }
}

struct PackJob {
  const WeightView* w;
  uint8_t* dst;
};

// Group G of the weight, every K block.
void packGroup(void* context, int64_t group, int) {
  const PackJob& job = *static_cast<const PackJob*>(context);
  const WeightView& w = *job.w;
  const int64_t blocks = w.cols / interleavedBlockElements(w.type), blockBytes = computeBlockLayout(w.type).bytes;
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
      forEachMove(w.type, r, [&](int to, int from, int bytes) { std::memcpy(dst + to, block + from, static_cast<size_t>(bytes)); });
      if (w.type == kTypeQ5_0) {
        uint32_t bits, fifth = 0;
        std::memcpy(&bits, block + 2, 4);
        for (int e = 0; e < 32; ++e) fifth |= ((bits >> e) & 1u) << fifthBitPosition(e);
        std::memcpy(dst + kInterleavedScaleBytes + 4 * r, &fifth, 4);
      }
    }
  }
}

}  // namespace

size_t interleavedBytes(int32_t type, int64_t rows, int64_t cols) {
  if (!isInterleavedType(type)) return 0;
  return static_cast<size_t>(interleavedGroups(rows) * (cols / interleavedBlockElements(type)) * interleavedBlockBytes(type));
}

void packInterleaved(const WeightView& w, uint8_t* dst) {
  if (!isInterleavedType(w.type)) return;
  PackJob job{&w, dst};
  parallelFor(interleavedGroups(w.rows), packGroup, &job);
}

void interleavedRowBlock(const WeightView& w, int64_t row, int64_t b, uint8_t* out) {
  const uint8_t* source = interleavedBlock(w, row / kInterleavedRows, b);
  const int r = static_cast<int>(row % kInterleavedRows);
  forEachMove(w.type, r, [&](int from, int to, int bytes) { std::memcpy(out + to, source + from, static_cast<size_t>(bytes)); });
  if (w.type == kTypeQ5_0) {
    uint32_t fifth, bits = 0;
    std::memcpy(&fifth, source + kInterleavedScaleBytes + 4 * r, 4);
    for (int e = 0; e < 32; ++e) bits |= ((fifth >> fifthBitPosition(e)) & 1u) << e;
    std::memcpy(out + 2, &bits, 4);
  }
}

}  // namespace fastfill
