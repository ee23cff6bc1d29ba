// An intrusive doubly linked list of block ids with O(1) insert at either end, O(1) removal of any member
// and O(1) pop from the front. Links live in two Int32Arrays; two sentinels close the ring:
//
//   HEAD <-> first <-> ... <-> last <-> TAIL        (HEAD = capacity, TAIL = capacity + 1)

const NONE = -1;

export class FreeBlockList {
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly head: number;
  private readonly tail: number;
  private count = 0;

  constructor(readonly capacity: number) {
    this.head = capacity;
    this.tail = capacity + 1;
    this.prev = new Int32Array(capacity + 2).fill(NONE);
    this.next = new Int32Array(capacity + 2).fill(NONE);
    this.next[this.head] = this.tail;
    this.prev[this.tail] = this.head;
  }

  get size(): number {
    return this.count;
  }

  has(id: number): boolean {
    return this.prev[id] !== NONE;
  }

  pushFront(id: number): void {
    this.insertBefore(id, this.next[this.head]!);
  }

  pushBack(id: number): void {
    this.insertBefore(id, this.tail);
  }

  popFront(): number {
    const id = this.next[this.head]!;
    if (id === this.tail) throw new Error('the free block list is empty');
    this.remove(id);
    return id;
  }

  remove(id: number): void {
    if (!this.has(id)) throw new Error(`block ${id} is not on the free list`);
    const before = this.prev[id]!;
    const after = this.next[id]!;
    this.next[before] = after;
    this.prev[after] = before;
    this.prev[id] = NONE;
    this.next[id] = NONE;
    this.count--;
  }

  /** Members front to back; stops after capacity + 1 so a corrupted ring cannot loop forever. */
  ids(): number[] {
    const out: number[] = [];
    for (let id = this.next[this.head]!; id !== this.tail && id !== NONE && out.length <= this.capacity; id = this.next[id]!) out.push(id);
    return out;
  }

  /** Throws unless walking forward and backward visits the same `size` members. */
  checkLinks(): void {
    const forward = this.ids();
    if (forward.length !== this.count) throw new Error(`free list walk finds ${forward.length} blocks, its count is ${this.count}`);
    let expectedPrev = this.head;
    for (const id of forward) {
      if (this.prev[id] !== expectedPrev) throw new Error(`free list link broken at block ${id}`);
      expectedPrev = id;
    }
    if (this.prev[this.tail] !== expectedPrev) throw new Error('free list tail link broken');
  }

  private insertBefore(id: number, before: number): void {
    if (this.has(id)) throw new Error(`block ${id} is already on the free list`);
    const after = this.prev[before]!;
    this.next[after] = id;
    this.prev[id] = after;
    this.next[id] = before;
    this.prev[before] = id;
    this.count++;
  }
}
