import type { MergeTable } from './mergeTable.js';
import { PairHeap } from './pairHeap.js';

/** Marks a symbol merged into its left neighbour. */
export const MERGED = -2;

/**
 * Runs the BPE merge loop in place: `ids` holds one token id per initial symbol (-1 for a symbol
 * that is no token: it never merges). Repeatedly merges the adjacent pair of lowest rank, the
 * leftmost first among equal ranks. Afterwards each surviving symbol holds its token id (or -1)
 * and merged-away positions hold MERGED. A linked list and a heap keep long words O(n log n).
 */
export function bpeMergeInPlace(ids: Int32Array, merges: MergeTable, heap: PairHeap): void {
  const n = ids.length;
  if (n < 2) return;
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  heap.clear();
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const tryPush = (left: number, right: number) => {
    if (left < 0 || right < 0 || ids[left]! < 0 || ids[right]! < 0) return;
    const slot = merges.slot(ids[left]!, ids[right]!);
    if (slot >= 0) heap.push(merges.rankOf(slot), left);
  };
  for (let i = 0; i + 1 < n; i++) tryPush(i, i + 1);

  while (heap.size > 0) {
    const rank = heap.topKey();
    const left = heap.pop();
    const right = next[left]!;
    if (right < 0 || ids[left]! < 0 || ids[right]! < 0) continue;
    const slot = merges.slot(ids[left]!, ids[right]!);
    // stale entry: the pair at `left` changed since it was queued
    if (slot < 0 || merges.rankOf(slot) !== rank) continue;
    ids[left] = merges.resultOf(slot);
    ids[right] = MERGED;
    const after = next[right]!;
    next[left] = after;
    if (after >= 0) prev[after] = left;
    tryPush(prev[left]!, left);
    tryPush(left, after);
  }
}
