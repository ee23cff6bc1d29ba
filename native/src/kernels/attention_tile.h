// One attention work item (one query tile x one KV head): its rows, its key runs, and the pieces of
// the item that do not depend on how it computes; shared by kernels/attention.h and kernels/attention_amx.h.
// Row r is query qStart + r / group with head kvHead * group + r % group (GQA: the group's heads
// share every K/V block); rows go in blocks of kAttnRows, and the padding rows of the last block
// repeat the last row (their results are dropped).
#pragma once
#include "kernels/attention_step.h"

namespace fastfill {
namespace FASTFILL_LEVEL {

// Walks a tile's key list run by run: entry e, keys [c0, c0 + kRunKeys) of it; skips empty entries.
struct RunCursor {
  const int32_t* keyBlocks;
  int64_t entry, end, c0;

  bool done() const { return entry >= end; }
  const int32_t* current() const { return keyBlocks + 4 * entry; }
  int64_t keys() const { return minI64(kRunKeys, current()[2] - c0); }
  void skipEmpty() {
    while (entry < end && keyBlocks[4 * entry + 2] == 0) ++entry;
  }
  void next() {
    c0 += kRunKeys;
    if (c0 >= current()[2]) {
      c0 = 0;
      ++entry;
      skipEmpty();
    }
  }
};

struct TileRows {
  int64_t qStart, rows, group, blocks, paddedRows, listStart, listCount;
  int32_t kvHead;

  // Offset of row r's query and output vectors in a.q and a.out (a padding row: the last row's).
  int64_t offset(const AttentionArgs& a, int64_t r) const {
    const int64_t live = r < rows ? r : rows - 1;
    return ((qStart + live / group) * a.nHeads + kvHead * group + live % group) * a.headDim;
  }
  int32_t position(const AttentionArgs& a, int64_t r) const {
    return a.qPositions[qStart + (r < rows ? r : rows - 1) / group];
  }
};

inline TileRows tileRows(const AttentionArgs& a, int64_t tile, int32_t kvHead) {
  const int32_t* t = a.tiles + 4 * tile;
  TileRows rows{};
  rows.qStart = t[0];
  rows.group = a.nHeads / a.nKvHeads;
  rows.rows = t[1] * rows.group;
  rows.blocks = ceilDiv(rows.rows, kAttnRows);
  rows.paddedRows = rows.blocks * kAttnRows;
  rows.listStart = t[2];
  rows.listCount = t[3];
  rows.kvHead = kvHead;
  return rows;
}

// The cursor at the item's first non-empty run.
inline RunCursor firstRun(const AttentionArgs& a, const TileRows& item) {
  RunCursor cursor{a.keyBlocks, item.listStart, item.listStart + item.listCount, 0};
  cursor.skipEmpty();
  return cursor;
}

// visible[r]: how many keys of the entry row r sees (all of them, unless the entry needs the causal
// mask: those at positions up to the row's own). positions: per padded row.
inline void entryVisible(const int32_t* entry, const int32_t* positions, int64_t paddedRows, float* visible) {
  const int64_t firstPosition = entry[1], keyCount = entry[2];
  for (int64_t r = 0; r < paddedRows; ++r) {
    visible[r] = entry[3] != 0 ? static_cast<float>(maxI64(0, minI64(keyCount, positions[r] - firstPosition + 1)))
                               : static_cast<float>(keyCount);
  }
}

// a.out's rows = the item's accumulated outputs (rows of headDim) over their sums of p; zeros for a row
// that saw no key.
inline void writeTileOutput(const AttentionArgs& a, const TileRows& t, const float* out, const float* sums) {
  for (int64_t r = 0; r < t.rows; ++r) {
    float* dst = a.out + t.offset(a, r);
    const float inverse = sums[r] > 0.0f ? 1.0f / sums[r] : 0.0f;
    for (int64_t d = 0; d < a.headDim; ++d) dst[d] = out[r * a.headDim + d] * inverse;
  }
}

}  // namespace FASTFILL_LEVEL
}  // namespace fastfill
