/** What a pair of adjacent tokens merges into, and how early (lower rank first). */
export interface Merge {
  rank: number;
  result: number;
}

/**
 * BPE merges over token ids: (left id, right id) -> (rank, result id). Pairs are resolved on first
 * use and cached in an open-addressing table keyed by the two ids, so loading a vocabulary does
 * not have to build all pairs up front.
 */
export class MergeTable {
  private keysLeft = new Int32Array(1024).fill(EMPTY);
  private keysRight = new Int32Array(1024);
  /** slot into ranks/results, or NO_MERGE */
  private slots = new Int32Array(1024);
  private used = 0;
  private readonly ranks: number[] = [];
  private readonly results: number[] = [];

  constructor(private readonly resolve: (left: number, right: number) => Merge | undefined) {}

  /** slot of a pair, or -1 when the pair does not merge (slots index rankOf/resultOf) */
  slot(left: number, right: number): number {
    const mask = this.keysLeft.length - 1;
    let i = hash(left, right) & mask;
    for (;;) {
      const k = this.keysLeft[i]!;
      if (k === EMPTY) break;
      if (k === left && this.keysRight[i] === right) return this.slots[i]!;
      i = (i + 1) & mask;
    }
    const merge = this.resolve(left, right);
    let slot = NO_MERGE;
    if (merge !== undefined) {
      slot = this.ranks.length;
      this.ranks.push(merge.rank);
      this.results.push(merge.result);
    }
    if ((this.used + 1) * 2 > this.keysLeft.length) this.grow();
    this.insert(left, right, slot);
    return slot;
  }

  rankOf(slot: number): number {
    return this.ranks[slot]!;
  }

  resultOf(slot: number): number {
    return this.results[slot]!;
  }

  private insert(left: number, right: number, slot: number): void {
    const mask = this.keysLeft.length - 1;
    let i = hash(left, right) & mask;
    while (this.keysLeft[i] !== EMPTY) i = (i + 1) & mask;
    this.keysLeft[i] = left;
    this.keysRight[i] = right;
    this.slots[i] = slot;
    this.used++;
  }

  private grow(): void {
    const [oldLeft, oldRight, oldSlots] = [this.keysLeft, this.keysRight, this.slots];
    const size = oldLeft.length * 2;
    this.keysLeft = new Int32Array(size).fill(EMPTY);
    this.keysRight = new Int32Array(size);
    this.slots = new Int32Array(size);
    this.used = 0;
    for (let i = 0; i < oldLeft.length; i++) {
      if (oldLeft[i] !== EMPTY) this.insert(oldLeft[i]!, oldRight[i]!, oldSlots[i]!);
    }
  }
}

const EMPTY = -1;
const NO_MERGE = -1;

function hash(left: number, right: number): number {
  let h = Math.imul(left, 0x9e3779b1) ^ right;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Key of a merge pair: "left right", or "left\0right" when a part holds a space itself. */
function pairKey(left: string, right: string): string {
  return left.includes(' ') || right.includes(' ') ? left + '\0' + right : left + ' ' + right;
}

/**
 * Merges from a merges list ("left right" lines, split at the first space after the first
 * character as llama.cpp does, or [left, right] pairs): the rank is the position, the first of
 * repeated pairs wins, and the result is the token spelt left + right.
 */
export function mergesFromList(
  merges: Iterable<string | readonly [string, string]>,
  tokens: readonly string[],
  idOf: (text: string) => number | undefined,
): MergeTable {
  const rankOf = new Map<string, number>();
  let rank = 0;
  for (const merge of merges) {
    let key: string;
    if (typeof merge === 'string') {
      const at = merge.indexOf(' ', 1);
      const simple = at > 0 && merge.indexOf(' ', at + 1) < 0 && merge.charCodeAt(0) !== 0x20;
      key = simple ? merge : at > 0 ? pairKey(merge.slice(0, at), merge.slice(at + 1)) : '';
    } else {
      key = pairKey(merge[0], merge[1]);
    }
    if (key !== '' && !rankOf.has(key)) rankOf.set(key, rank);
    rank++;
  }
  return new MergeTable((left, right) => {
    const r = rankOf.get(pairKey(tokens[left]!, tokens[right]!));
    if (r === undefined) return undefined;
    const result = idOf(tokens[left]! + tokens[right]!);
    return result === undefined ? undefined : { rank: r, result };
  });
}
