// Turns the sequences of one batch into the attention kernel's plan: per query tile, the list of key blocks
// it visits. Dense causal attention is one such plan; sparse and reused-chunk planners will make others.

export interface SequenceChunk {
  /** first row of this sequence's queries in the batch */
  queryRow: number;
  /** absolute position of the first query token */
  startPos: number;
  numTokens: number;
  /** physical block of each logical block; must cover positions [0, startPos + numTokens) */
  blockTable: readonly number[];
}

export interface AttentionPlan {
  /** [nTiles * 4]: qStart, qCount, listStart, listCount */
  tiles: Int32Array;
  /** [nEntries * 4]: physicalBlock, firstKeyPosition, keyCount, needsMask */
  keyBlocks: Int32Array;
}

export const TILE_FIELDS = 4;
export const ENTRY_FIELDS = 4;

/** Dense causal plan: each query tile sees every key at or before its positions. */
export function planDenseCausal(chunks: readonly SequenceChunk[], blockSize: number, queryTile = 32): AttentionPlan {
  const tiles: number[] = [];
  const entries: number[] = [];
  for (const chunk of chunks) {
    for (let q = 0; q < chunk.numTokens; q += queryTile) {
      const count = Math.min(queryTile, chunk.numTokens - q);
      const firstPos = chunk.startPos + q;
      const lastPos = firstPos + count - 1;
      const listStart = entries.length / ENTRY_FIELDS;
      const lastBlock = Math.floor(lastPos / blockSize);
      if (lastBlock >= chunk.blockTable.length) {
        throw new Error(`block table of ${chunk.blockTable.length} blocks does not cover position ${lastPos}`);
      }
      for (let b = 0; b <= lastBlock; b++) {
        const firstKey = b * blockSize;
        const keyCount = Math.min(blockSize, lastPos + 1 - firstKey);
        const needsMask = firstKey + keyCount - 1 > firstPos ? 1 : 0;
        entries.push(chunk.blockTable[b]!, firstKey, keyCount, needsMask);
      }
      tiles.push(chunk.queryRow + q, count, listStart, lastBlock + 1);
    }
  }
  return { tiles: Int32Array.from(tiles), keyBlocks: Int32Array.from(entries) };
}

/** KV slot of each token of the chunks, in batch row order. */
export function slotsFor(chunks: readonly SequenceChunk[], blockSize: number, totalRows: number): Int32Array {
  const slots = new Int32Array(totalRows);
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.numTokens; i++) {
      const pos = chunk.startPos + i;
      slots[chunk.queryRow + i] = chunk.blockTable[Math.floor(pos / blockSize)]! * blockSize + (pos % blockSize);
    }
  }
  return slots;
}
