import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENTRY_FIELDS, planDenseCausal, slotsFor, TILE_FIELDS, type SequenceChunk } from '../../src/attention/plan.js';

/** Expands a plan into the set of (query row, key position, slot) pairs it lets attention see. */
function visiblePairs(chunks: SequenceChunk[], blockSize: number, queryTile: number): Set<string> {
  const plan = planDenseCausal(chunks, blockSize, queryTile);
  const positionOfRow = new Map<number, number>();
  for (const c of chunks) for (let i = 0; i < c.numTokens; i++) positionOfRow.set(c.queryRow + i, c.startPos + i);
  const seen = new Set<string>();
  for (let t = 0; t < plan.tiles.length / TILE_FIELDS; t++) {
    const [qStart, qCount, listStart, listCount] = plan.tiles.subarray(t * TILE_FIELDS, (t + 1) * TILE_FIELDS);
    for (let e = listStart!; e < listStart! + listCount!; e++) {
      const [block, firstKey, keyCount, needsMask] = plan.keyBlocks.subarray(e * ENTRY_FIELDS, (e + 1) * ENTRY_FIELDS);
      for (let q = qStart!; q < qStart! + qCount!; q++) {
        const qp = positionOfRow.get(q)!;
        for (let j = 0; j < keyCount!; j++) {
          const kp = firstKey! + j;
          if (needsMask) {
            if (kp > qp) continue;
          } else {
            assert.ok(kp <= qp, `unmasked entry exposes key ${kp} to query at ${qp}`);
          }
          seen.add(`${q}:${kp}:${block! * blockSize + j}`);
        }
      }
    }
  }
  return seen;
}

test('dense causal plan exposes exactly the causal pairs, through the block table', () => {
  const blockSize = 4;
  const chunks: SequenceChunk[] = [
    { queryRow: 0, startPos: 0, numTokens: 11, blockTable: [7, 2, 5] },
    { queryRow: 11, startPos: 6, numTokens: 1, blockTable: [0, 9] },      // a decode
    { queryRow: 12, startPos: 9, numTokens: 7, blockTable: [1, 3, 4, 6] }, // a later prefill chunk
  ];
  for (const queryTile of [1, 3, 32]) {
    const expected = new Set<string>();
    for (const c of chunks) {
      for (let i = 0; i < c.numTokens; i++) {
        const qp = c.startPos + i;
        for (let kp = 0; kp <= qp; kp++) {
          expected.add(`${c.queryRow + i}:${kp}:${c.blockTable[Math.floor(kp / blockSize)]! * blockSize + (kp % blockSize)}`);
        }
      }
    }
    assert.deepEqual(visiblePairs(chunks, blockSize, queryTile), expected, `query tile ${queryTile}`);
  }
});

test('slots follow the block table', () => {
  const slots = slotsFor([{ queryRow: 1, startPos: 3, numTokens: 3, blockTable: [8, 6] }], 4, 4);
  assert.deepEqual([...slots], [0, 8 * 4 + 3, 6 * 4 + 0, 6 * 4 + 1]);
});

test('a block table too short for the chunk is an error', () => {
  assert.throws(() => planDenseCausal([{ queryRow: 0, startPos: 0, numTokens: 9, blockTable: [0, 1] }], 4), /does not cover/);
});
