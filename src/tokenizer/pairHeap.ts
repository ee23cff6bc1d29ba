/**
 * Binary min-heap of (key, position) pairs, ordered by key and then by position: the merge queue
 * of BPE (key = merge rank) and SentencePiece (key = -score), where ties go to the leftmost pair.
 */
export class PairHeap {
  private keys = new Float64Array(64);
  private positions = new Int32Array(64);
  private count = 0;

  get size(): number {
    return this.count;
  }

  clear(): void {
    this.count = 0;
  }

  push(key: number, position: number): void {
    if (this.count === this.keys.length) this.grow();
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(key, position, this.keys[parent]!, this.positions[parent]!)) break;
      this.keys[i] = this.keys[parent]!;
      this.positions[i] = this.positions[parent]!;
      i = parent;
    }
    this.keys[i] = key;
    this.positions[i] = position;
  }

  /** key of the top entry (call only when size > 0) */
  topKey(): number {
    return this.keys[0]!;
  }

  /** removes the top entry and returns its position (call only when size > 0) */
  pop(): number {
    const top = this.positions[0]!;
    const last = --this.count;
    const key = this.keys[last]!;
    const position = this.positions[last]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && this.less(this.keys[child + 1]!, this.positions[child + 1]!, this.keys[child]!, this.positions[child]!)) child++;
      if (!this.less(this.keys[child]!, this.positions[child]!, key, position)) break;
      this.keys[i] = this.keys[child]!;
      this.positions[i] = this.positions[child]!;
      i = child;
    }
    this.keys[i] = key;
    this.positions[i] = position;
    return top;
  }

  private less(ka: number, pa: number, kb: number, pb: number): boolean {
    return ka < kb || (ka === kb && pa < pb);
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    const positions = new Int32Array(this.positions.length * 2);
    positions.set(this.positions);
    this.keys = keys;
    this.positions = positions;
  }
}
