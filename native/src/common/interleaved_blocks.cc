#include "common/interleaved_blocks.h"

#include <cstring>

#include "common/low_bit_blocks.h"
#include "threads/thread_pool.h"

namespace fastfill {
namespace {

// Bit position in a row's interleaved Q5_0 / Q5_1 fifth-bit dword of element e's fifth bit.
constexpr int fifthBitPosition(int e) { return 8 * (e % 4) + 4 * (e / 16) + (e % 16) / 4; }

// The bytes of d (and m) at the start of a Q4_0 / Q5_0 / Q4_1 / Q5_1 / Q8_0 / IQ4_NL block, before the fifth bits
// (Q5_0, Q5_1) and the quants.
constexpr int blockScaleBytes(int32_t type) { return interleavedHasMins(type) ? 4 : 2; }

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
  if (type == kTypeQ3_K) {  // the quants: packQ3KTriples
    move(2 * r, 108, 2);
    for (int c = 0; c < 3; ++c) move(kInterleaved3ScalesOffset + 32 * c + 4 * r, 96 + 4 * c, 4);
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
  if (interleavedHasMins(type)) move(kInterleavedMinsOffset + 2 * r, 2, 2);
  const int quants = blockScaleBytes(type) + (interleavedHasFifthBits(type) ? 4 : 0);
  for (int j = 0; j < interleavedChunks(type); ++j) {
    move(interleavedQuantsOffset(type) + j * kInterleavedChunkBytes + 4 * r, quants + 4 * j, 4);
  }
}

// Q3_K's quants of one row's block (hmask[32], qs[64]) as row r's bytes of the triple chunks, and back:
// triples[t][l] is byte t of element l's triple.
void packQ3KTriples(const uint8_t* block, int r, uint8_t* groupBlock) {
  uint8_t triples[3][32];
  for (int l = 0; l < 32; ++l) {
    int u[8];
    for (int b = 0; b < 8; ++b) u[b] = q3kQuant(block, 32 * b + l) + 4;
    triples[0][l] = static_cast<uint8_t>(u[0] | u[1] << 3 | (u[2] & 3) << 6);
    triples[1][l] = static_cast<uint8_t>(u[3] | u[4] << 3 | (u[5] & 3) << 6);
    triples[2][l] = static_cast<uint8_t>(u[6] | u[7] << 3 | (u[2] >> 2) << 6 | (u[5] >> 2) << 7);
  }
  for (int j = 0; j < 8; ++j) {
    for (int t = 0; t < 3; ++t) std::memcpy(groupBlock + kInterleaved3TriplesOffset + 32 * (3 * j + t) + 4 * r, &triples[t][4 * j], 4);
  }
}

void unpackQ3KTriples(const uint8_t* groupBlock, int r, uint8_t* block) {
  uint8_t triples[3][32];
  for (int j = 0; j < 8; ++j) {
    for (int t = 0; t < 3; ++t) std::memcpy(&triples[t][4 * j], groupBlock + kInterleaved3TriplesOffset + 32 * (3 * j + t) + 4 * r, 4);
  }
  for (int l = 0; l < 32; ++l) {
    const int t0 = triples[0][l], t1 = triples[1][l], t2 = triples[2][l];
    const int u[8] = {t0 & 7, (t0 >> 3) & 7, (t0 >> 6) | ((t2 >> 4) & 4), t1 & 7, (t1 >> 3) & 7, (t1 >> 6) | ((t2 >> 5) & 4), t2 & 7, (t2 >> 3) & 7};
    int high = 0, low[2] = {0, 0};
    for (int b = 0; b < 8; ++b) {
      high |= (u[b] >> 2) << b;
      low[b / 4] |= (u[b] & 3) << (2 * (b % 4));
    }
    block[l] = static_cast<uint8_t>(high);
    block[32 + l] = static_cast<uint8_t>(low[0]);
    block[64 + l] = static_cast<uint8_t>(low[1]);
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
      if (interleavedHasFifthBits(w.type)) {
        uint32_t bits, fifth = 0;
        std::memcpy(&bits, block + blockScaleBytes(w.type), 4);
        for (int e = 0; e < 32; ++e) fifth |= ((bits >> e) & 1u) << fifthBitPosition(e);
        std::memcpy(dst + interleavedFifthOffset(w.type) + 4 * r, &fifth, 4);
      }
      if (w.type == kTypeQ3_K) packQ3KTriples(block, r, dst);
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
  if (interleavedHasFifthBits(w.type)) {
    uint32_t fifth, bits = 0;
    std::memcpy(&fifth, source + interleavedFifthOffset(w.type) + 4 * r, 4);
    for (int e = 0; e < 32; ++e) bits |= ((fifth >> fifthBitPosition(e)) & 1u) << e;
    std::memcpy(out + blockScaleBytes(w.type), &bits, 4);
  }
  if (w.type == kTypeQ3_K) unpackQ3KTriples(source, r, out);
}

}  // namespace fastfill
