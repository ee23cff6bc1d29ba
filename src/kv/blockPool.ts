// The physical KV blocks: reference counts, the free list, and the prefix-cache map (hash -> block).
//
// The free list is in eviction order, front first. A block whose count drops to 0 joins the back if it
// holds a cached hash (least recently used goes first) and the front if it holds none (nothing to lose).
// Eviction is lazy: a free block keeps its hash and stays findable until `allocate` pops it for reuse;
// a cache hit on a free block takes it off the list in O(1).
//
// The hash only finds a candidate. A hit compares the block's whole content: its tokens, its extra keys
// and its parent, named by the parent's registration serial. Serials are never reused, so a chain
//   block0 (serial 7, parent 0) <- block1 (serial 9, parent 7) <- ...
// matches only the exact prefix it was computed for, whatever the hash function does.
import type { BlockHash } from './blockHash.js';
import { FreeBlockList } from './freeBlockList.js';

/** What a cached block holds; two blocks with equal content have equal KV. */
export interface BlockContent {
  /** registration serial of the parent block; 0 for the first block of a sequence */
  readonly parentSerial: number;
  readonly tokens: readonly number[];
  readonly extraKeys: readonly string[];
}

export class BlockPool {
  private readonly refCounts: Int32Array;
  private readonly hashes: (BlockHash | null)[];
  private readonly contents: (BlockContent | null)[];
  /** 0 while not cached */
  private readonly serials: number[];
  private readonly byHash = new Map<BlockHash, number>();
  private readonly free: FreeBlockList;
  private nextSerial = 1;
  private evictionCount = 0;

  constructor(readonly numBlocks: number) {
    if (!Number.isInteger(numBlocks) || numBlocks < 1) throw new RangeError(`numBlocks must be a positive integer, got ${numBlocks}`);
    this.refCounts = new Int32Array(numBlocks);
    this.hashes = new Array<BlockHash | null>(numBlocks).fill(null);
    this.contents = new Array<BlockContent | null>(numBlocks).fill(null);
    this.serials = new Array<number>(numBlocks).fill(0);
    this.free = new FreeBlockList(numBlocks);
    for (let id = 0; id < numBlocks; id++) this.free.pushBack(id);
  }

  get numFreeBlocks(): number {
    return this.free.size;
  }

  get numCachedBlocks(): number {
    return this.byHash.size;
  }

  /** Cached blocks whose hash was dropped to reuse them. */
  get numEvictions(): number {
    return this.evictionCount;
  }

  refCount(id: number): number {
    return this.refCounts[this.checkId(id)]!;
  }

  blockHash(id: number): BlockHash | null {
    return this.hashes[this.checkId(id)]!;
  }

  /** Registration serial of a cached block; 0 when it holds no hash. */
  serial(id: number): number {
    return this.serials[this.checkId(id)]!;
  }

  /** The cached block with this hash and exactly this content, if any. */
  lookup(hash: BlockHash, content: BlockContent): number | undefined {
    const id = this.byHash.get(hash);
    return id !== undefined && sameContent(this.contents[id]!, content) ? id : undefined;
  }

  /** Pops `count` blocks from the front of the free list (dropping stale hashes), each with count 1. */
  allocate(count: number): number[] {
    if (count > this.free.size) throw new Error(`cannot allocate ${count} KV blocks: only ${this.free.size} are free`);
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const id = this.free.popFront();
      if (this.hashes[id] !== null) this.evictionCount++;
      this.forget(id);
      this.refCounts[id] = 1;
      ids.push(id);
    }
    return ids;
  }

  /** Adds a holder to each block (cache hits); a free block leaves the free list. */
  touch(ids: readonly number[]): void {
    for (const id of ids) {
      if (this.refCounts[this.checkId(id)] === 0) this.free.remove(id);
      this.refCounts[id]!++;
    }
  }

  /** Drops a holder from each block, in the given order (pass a table reversed to free its tail first). */
  release(ids: readonly number[]): void {
    for (const id of ids) {
      if (this.refCounts[this.checkId(id)]! <= 0) throw new Error(`KV block ${id} released while not in use`);
      if (--this.refCounts[id]! > 0) continue;
      if (this.hashes[id] === null) this.free.pushFront(id);
      else this.free.pushBack(id);
    }
  }

  /**
   * Makes an in-use, uncached block findable by `hash`. Returns the serial that now stands for `content`:
   * the block's new serial; or, when a block with equal content already holds the hash (a duplicate
   * computed concurrently), that block's serial; or 0 when a block with other content holds it and is in
   * use (a hash collision). A free block with other content under the hash is evicted to make room.
   */
  register(id: number, hash: BlockHash, content: BlockContent): number {
    if (this.refCounts[this.checkId(id)] === 0) throw new Error(`KV block ${id} registered while free`);
    if (this.hashes[id] !== null) throw new Error(`KV block ${id} is already cached`);
    const holder = this.byHash.get(hash);
    if (holder !== undefined) {
      if (sameContent(this.contents[holder]!, content)) return this.serials[holder]!;
      if (this.refCounts[holder] !== 0) return 0;
      this.forget(holder);
      this.evictionCount++;
      this.free.remove(holder);
      this.free.pushFront(holder);
    }
    this.hashes[id] = hash;
    this.contents[id] = { parentSerial: content.parentSerial, tokens: content.tokens.slice(), extraKeys: content.extraKeys.slice() };
    this.serials[id] = this.nextSerial++;
    this.byHash.set(hash, id);
    return this.serials[id]!;
  }

  /** Forgets the hashes of all free blocks (blocks in use keep theirs). Returns how many were dropped. */
  evictFreeCached(): number {
    let dropped = 0;
    for (const id of this.free.ids()) {
      if (this.hashes[id] === null) continue;
      this.forget(id);
      dropped++;
    }
    return dropped;
  }

  /** Free block ids in eviction order (the next `allocate` takes them from the front). */
  freeOrder(): number[] {
    return this.free.ids();
  }

  /**
   * Throws on any broken invariant: the free list is well linked and holds exactly the blocks with count
   * 0; free + in use == total; the hash map and the blocks' hashes agree; with `holders` (every block
   * table), each count equals the number of tables holding the block and no table holds a block twice.
   */
  checkIntegrity(holders?: Iterable<readonly number[]>): void {
    this.free.checkLinks();
    let inUse = 0;
    for (let id = 0; id < this.numBlocks; id++) {
      const count = this.refCounts[id]!;
      if (count < 0) throw new Error(`block ${id} has count ${count}`);
      if (count > 0) inUse++;
      if ((count === 0) !== this.free.has(id)) throw new Error(`block ${id} has count ${count} but is${this.free.has(id) ? '' : ' not'} on the free list`);
    }
    if (inUse + this.free.size !== this.numBlocks) throw new Error(`${this.free.size} free + ${inUse} in use != ${this.numBlocks} blocks`);
    this.checkHashMap();
    if (holders) this.checkHolders(holders);
  }

  private checkHashMap(): void {
    let hashed = 0;
    for (let id = 0; id < this.numBlocks; id++) {
      const hash = this.hashes[id];
      if (hash === null) continue;
      hashed++;
      if (this.serials[id]! <= 0 || this.contents[id] === null) throw new Error(`cached block ${id} has no serial or content`);
      if (this.byHash.get(hash) !== id) throw new Error(`block ${id} has hash ${hash} but the map points elsewhere`);
    }
    if (hashed !== this.byHash.size) throw new Error(`${this.byHash.size} map entries for ${hashed} hashed blocks`);
  }

  private checkHolders(holders: Iterable<readonly number[]>): void {
    const counted = new Int32Array(this.numBlocks);
    for (const table of holders) {
      const seen = new Set<number>();
      for (const id of table) {
        this.checkId(id);
        if (seen.has(id)) throw new Error(`a block table holds block ${id} twice`);
        seen.add(id);
        counted[id]!++;
      }
    }
    for (let id = 0; id < this.numBlocks; id++) {
      if (counted[id] !== this.refCounts[id]) throw new Error(`block ${id} has count ${this.refCounts[id]} but ${counted[id]} tables hold it`);
    }
  }

  private forget(id: number): void {
    const hash = this.hashes[id];
    if (hash === null) return;
    this.byHash.delete(hash);
    this.hashes[id] = null;
    this.contents[id] = null;
    this.serials[id] = 0;
  }

  private checkId(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id >= this.numBlocks) throw new RangeError(`no KV block ${id} (pool of ${this.numBlocks})`);
    return id;
  }
}

function sameContent(a: BlockContent, b: BlockContent): boolean {
  return a.parentSerial === b.parentSerial && sameItems(a.tokens, b.tokens) && sameItems(a.extraKeys, b.extraKeys);
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
