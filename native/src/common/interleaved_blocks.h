// Interleaved blocks: Q4_0, Q5_0 and Q8_0 weights stored 8 rows side by side, the layout the int8 GEMV reads
// with one 256-bit vector per 4 elements of 8 rows (kernels/gemv_interleaved.h) and from which the int8
// GEMM packs its records (kernels/interleaved_records.h) without a transpose. The same bytes as the
// blocks (0.5625 / 0.6875 / 1.0625 per weight), so a packed weight's mapped file pages can be released.
//
// Group G holds weight rows [8G, 8G + 8); rows past the last are zeros. For each 32-element block b of K
// the group has interleavedBlockBytes(type) bytes at (G * blocks + b) * interleavedBlockBytes(type):
//   bytes [0, 16): the 8 rows' f16 scales d, row r at 2r;
//   then 32-byte chunks, row r's 4 bytes at 4r in each:
//     Q8_0, 8 chunks: chunk j holds the quants of elements 4j..4j+3;
//     Q4_0, 4 chunks: chunk j holds the block's nibble bytes 4j..4j+3, so its low nibbles are elements
//       4j..4j+3 and its high nibbles elements 16 + 4j..16 + 4j + 3 (value (nibble - 8) d);
//     Q5_0, the fifth bits, then 4 nibble chunks as Q4_0's (value (nibble + 16 fifth - 16) d): row r's
//       fifth-bit dword has in byte e, bit 4h + j, the fifth bit of element 16h + 4j + e, so that
//       nibble chunk j's low (h = 0) or high (h = 1) nibbles take theirs with one mask and one shift.
#pragma once
#include <cstddef>
#include <cstdint>

#include "common/ggml_types.h"
#include "common/kernel_args.h"

namespace fastfill {

constexpr int kInterleavedRows = 8;
constexpr int kInterleavedScaleBytes = 2 * kInterleavedRows;
constexpr int kInterleavedChunkBytes = 4 * kInterleavedRows;

// The types that have the layout.
constexpr bool isInterleavedType(int32_t type) { return type == kTypeQ4_0 || type == kTypeQ5_0 || type == kTypeQ8_0; }

// Quant chunks per group block: 8 (Q8_0) or 4 (Q4_0, Q5_0: nibbles).
constexpr int interleavedChunks(int32_t type) { return type == kTypeQ8_0 ? 8 : 4; }

// Bytes into a group block of the quant chunks (after Q5_0's fifth bits).
constexpr int interleavedQuantsOffset(int32_t type) {
  return kInterleavedScaleBytes + (type == kTypeQ5_0 ? kInterleavedChunkBytes : 0);
}

constexpr int64_t interleavedBlockBytes(int32_t type) {
  return interleavedQuantsOffset(type) + interleavedChunks(type) * kInterleavedChunkBytes;
}

// The fifth bit of element e (0..31) in a row's interleaved fifth-bit dword (see above).
constexpr int interleavedFifthBit(uint32_t bits, int e) {
  return static_cast<int>((bits >> (8 * (e % 4) + 4 * (e / 16) + (e % 16) / 4)) & 1u);
}

inline int64_t interleavedGroups(int64_t rows) { return (rows + kInterleavedRows - 1) / kInterleavedRows; }

size_t interleavedBytes(int32_t type, int64_t rows, int64_t cols);

// Writes w (Q4_0 or Q8_0, from its blocks) in the layout to dst (interleavedBytes bytes), on the thread pool.
void packInterleaved(const WeightView& w, uint8_t* dst);

// The group block of group G and K block b.
inline const uint8_t* interleavedBlock(const WeightView& w, int64_t group, int64_t b) {
  const int64_t blocks = w.cols / 32;
  return w.interleaved + static_cast<size_t>((group * blocks + b) * interleavedBlockBytes(w.type));
}

}  // namespace fastfill
