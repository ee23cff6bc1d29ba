// Interleaved blocks: Q4_0, Q5_0, Q4_1, Q5_1, Q8_0, IQ4_NL, Q4_K, Q5_K, Q6_K, Q2_K, Q3_K and IQ4_XS weights stored 8
// rows side by side, the layout the int8 GEMV reads with one 256-bit vector per 4 elements of 8 rows
// (kernels/gemv_interleaved.h) and from which the int8 GEMM packs its records (kernels/interleaved_records.h) without a
// transpose. The same bytes as the blocks, Q5_0's / Q5_1's fifth bits and Q3_K's quant bits rearranged (0.5625 /
// 0.6875 / 0.625 / 0.75 / 1.0625 / 0.5625 / 0.5625 / 0.6875 / 0.8203 / 0.3281 / 0.4297 / 0.5313 bytes per weight), so a
// packed weight's mapped file pages can be released.
//
// Group G holds weight rows [8G, 8G + 8); rows past the last are zeros. For each block b of K (32 elements;
// K-quants: 256) the group has interleavedBlockBytes(type) bytes at (G * blocks + b) * that:
//   bytes [0, 16): the 8 rows' f16 scales d, row r at 2r;
//   then 32-byte chunks, row r's 4 bytes at 4r in each:
//     Q8_0, 8 chunks: chunk j holds the quants of elements 4j..4j+3;
//     Q4_0, 4 chunks: chunk j holds the block's nibble bytes 4j..4j+3, so its low nibbles are elements
//       4j..4j+3 and its high nibbles elements 16 + 4j..16 + 4j + 3 (value (nibble - 8) d);
//     IQ4_NL, 4 chunks as Q4_0's (value level(nibble) d);
//     Q5_0, the fifth bits, then 4 nibble chunks as Q4_0's (value (nibble + 16 fifth - 16) d): row r's
//       fifth-bit dword has in byte e, bit 4h + j, the fifth bit of element 16h + 4j + e, so that
//       nibble chunk j's low (h = 0) or high (h = 1) nibbles take theirs with one mask and one shift;
//     Q4_1, Q5_1: as Q4_0, Q5_0 with the 8 rows' f16 mins m at bytes [16, 32) first (value u d + m, u the
//       nibble, with Q5_1's fifth bit 16 fifth + nibble).
//   Q4_K: bytes [0, 16) d and [16, 32) dmin (f16, row r at 2r), then the 12 bytes of 6-bit scales and mins as
//     3 chunks (chunk c: bytes 4c..4c+3), then 32 nibble chunks: pair i (0..3), chunk j (0..7) at
//     128 + 32 (8i + j) holds nibble bytes 32i + 4j..32i + 4j + 3, so its low nibbles are elements 4j..4j+3
//     of sub-block 2i and its high nibbles those of sub-block 2i + 1.
//   Q5_K: as Q4_K with the 32 qh bytes as 8 chunks (chunk q: qh bytes 4q..4q+3; bit s of byte l the fifth bit
//     of element l of sub-block s) at 128, before the nibble chunks (at 384).
//   Q6_K: bytes [0, 16) d (f16), then the 16 int8 scales as 4 chunks (chunk c: scales 4c..4c+3), then ql as 32
//     chunks (chunk q: ql bytes 4q..4q+3) and qh as 16 chunks (chunk q: qh bytes 4q..4q+3).
//   Q2_K: bytes [0, 16) d and [16, 32) dmin (f16, row r at 2r), then the 16 scale bytes as 4 chunks (chunk c: bytes
//     4c..4c+3), then qs as 16 chunks (chunk q: qs bytes 4q..4q+3).
//   Q3_K: bytes [0, 16) d (f16), then the 12 bytes of packed scales as 3 chunks (chunk c: bytes 4c..4c+3), then
//     the quants as 24 triple chunks: chunks 3j, 3j + 1, 3j + 2 hold, in the byte of element l (4j <= l < 4j + 4),
//     the unsigned quants u_b = q + 4 (0..7, the two low bits from qs and the third from hmask) of the 8 sub-blocks
//     b (of 32) as t0 = u0 | u1 << 3 | (u2 & 3) << 6, t1 = u3 | u4 << 3 | (u5 & 3) << 6 and
//     t2 = u6 | u7 << 3 | (u2 >> 2) << 6 | (u5 >> 2) << 7: the same 96 bytes as hmask and qs, but each u a shift
//     and a mask away (two of them two), where qs and hmask take two of each and a join.
//   IQ4_XS: bytes [0, 16) d and [16, 32) scales_h (both 16-bit, row r at 2r), then scales_l as 1 chunk, then 32
//     nibble chunks: chunk 4s + j holds the nibble bytes 4j..4j+3 of block s (of 32), as IQ4_NL's chunk j.
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
constexpr bool isInterleavedType(int32_t type) {
  return type == kTypeQ4_0 || type == kTypeQ5_0 || type == kTypeQ4_1 || type == kTypeQ5_1 || type == kTypeQ8_0 || type == kTypeIQ4_NL || type == kTypeQ4_K ||
         type == kTypeQ5_K || type == kTypeQ6_K || type == kTypeQ2_K || type == kTypeQ3_K || type == kTypeIQ4_XS;
}

// Elements per block of the layout (the type's own block).
constexpr int64_t interleavedBlockElements(int32_t type) {
  return type == kTypeQ4_K || type == kTypeQ5_K || type == kTypeQ6_K || type == kTypeQ2_K || type == kTypeQ3_K ||
         type == kTypeIQ4_XS ? 256 : 32;
}

constexpr int kInterleavedKScalesOffset = 32;    // Q4_K, Q5_K: bytes into a group block of the scale chunks,
constexpr int kInterleavedKHighOffset = 128;     // of Q5_K's qh chunks

// Q4_K, Q5_K: bytes into a group block of the nibble chunks.
constexpr int interleavedKNibblesOffset(int32_t type) { return type == kTypeQ5_K ? 384 : 128; }
constexpr int kInterleaved6ScalesOffset = 16;    // Q6_K: bytes into a group block of the scale chunks,
constexpr int kInterleaved6LowOffset = 144;      // of the ql chunks
constexpr int kInterleaved6HighOffset = 1168;    // and of the qh chunks
constexpr int kInterleaved2ScalesOffset = 32;    // Q2_K: bytes into a group block of the scale chunks
constexpr int kInterleaved2LowOffset = 160;      // and of the qs chunks
constexpr int kInterleaved3ScalesOffset = 16;    // Q3_K: bytes into a group block of the scale chunks
constexpr int kInterleaved3TriplesOffset = 112;  // and of the triple chunks
constexpr int kInterleavedXsHighOffset = 16;     // IQ4_XS: bytes into a group block of scales_h,
constexpr int kInterleavedXsLowOffset = 32;      // of the scales_l chunk
constexpr int kInterleavedXsNibblesOffset = 64;  // and of the nibble chunks

// Quant chunks per group block: 8 (Q8_0) or 4 (Q4_0, Q5_0, Q4_1, Q5_1, IQ4_NL: nibbles).
constexpr int interleavedChunks(int32_t type) { return type == kTypeQ8_0 ? 8 : 4; }

constexpr bool interleavedHasMins(int32_t type) { return type == kTypeQ4_1 || type == kTypeQ5_1; }
constexpr bool interleavedHasFifthBits(int32_t type) { return type == kTypeQ5_0 || type == kTypeQ5_1; }
constexpr int kInterleavedMinsOffset = kInterleavedScaleBytes;  // Q4_1, Q5_1: bytes into a group block of the mins

// Bytes into a group block of Q5_0's / Q5_1's fifth bits.
constexpr int interleavedFifthOffset(int32_t type) { return kInterleavedScaleBytes * (interleavedHasMins(type) ? 2 : 1); }

// Bytes into a group block of the quant chunks (after the mins and the fifth bits).
constexpr int interleavedQuantsOffset(int32_t type) {
  return interleavedFifthOffset(type) + (interleavedHasFifthBits(type) ? kInterleavedChunkBytes : 0);
}

constexpr int64_t interleavedBlockBytes(int32_t type) {
  if (type == kTypeQ4_K || type == kTypeQ5_K) return interleavedKNibblesOffset(type) + 32 * kInterleavedChunkBytes;
  if (type == kTypeQ6_K) return kInterleaved6HighOffset + 16 * kInterleavedChunkBytes;
  if (type == kTypeQ2_K) return kInterleaved2LowOffset + 16 * kInterleavedChunkBytes;
  if (type == kTypeQ3_K) return kInterleaved3TriplesOffset + 24 * kInterleavedChunkBytes;
  if (type == kTypeIQ4_XS) return kInterleavedXsNibblesOffset + 32 * kInterleavedChunkBytes;
  return interleavedQuantsOffset(type) + interleavedChunks(type) * kInterleavedChunkBytes;
}

inline int64_t interleavedGroups(int64_t rows) { return (rows + kInterleavedRows - 1) / kInterleavedRows; }

size_t interleavedBytes(int32_t type, int64_t rows, int64_t cols);

// Writes w (an interleaved type, from its blocks) in the layout to dst (interleavedBytes bytes), on the thread pool.
void packInterleaved(const WeightView& w, uint8_t* dst);

// The group block of group G and K block b (of the type's blocks).
inline const uint8_t* interleavedBlock(const WeightView& w, int64_t group, int64_t b) {
  const int64_t blocks = w.cols / interleavedBlockElements(w.type);
  return w.interleaved + static_cast<size_t>((group * blocks + b) * interleavedBlockBytes(w.type));
}

// Writes the type's own block b of weight row `row` (computeBlockLayout(type).bytes) from the layout.
void interleavedRowBlock(const WeightView& w, int64_t row, int64_t b, uint8_t* out);

}  // namespace fastfill
