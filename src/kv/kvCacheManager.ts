// Block tables per request over one BlockPool, with automatic prefix caching: full computed blocks are
// registered by their chained hash, and a new request starts from the longest cached run of its blocks.
import { BlockPool, type BlockContent } from './blockPool.js';
import { blockExtraKeys, chainedBlockHash, extendBlockHashes, type BlockHash, type BlockHasher } from './blockHash.js';

export interface KvCacheConfig {
  numBlocks: number;
  /** tokens per block */
  blockSize: number;
  enablePrefixCaching?: boolean;
  /** replaceable so tests can force collisions; defaults to chained FNV-1a 64 */
  hasher?: BlockHasher;
}

/** What the cache needs to know about a request: its tokens and the hashes of its full blocks so far. */
export interface CacheSequence {
  readonly requestId: string;
  readonly tokenIds: readonly number[];
  /** one per full block of tokenIds, in order; extended by `KvCacheManager.hashNewBlocks` */
  readonly blockHashes: BlockHash[];
  readonly cacheSalt?: string;
}

/** The cached prefix of a request: whole blocks, so numTokens = blockIds.length * blockSize. */
export interface CachedPrefix {
  readonly blockIds: readonly number[];
  readonly numTokens: number;
}

export interface PrefixCacheStats {
  /** tokens looked up (vLLM prefix_cache_queries) and found (prefix_cache_hits) */
  queriedTokens: number;
  hitTokens: number;
}

interface RequestBlocks {
  blocks: number[];
  /** leading blocks whose content is cached (by these blocks or by equal ones) */
  numCachedBlocks: number;
  /** serial of the cached block standing for block numCachedBlocks - 1 (0 before the first) */
  lastSerial: number;
  /** a hash collision with a block in use stopped registration for the rest of this request */
  chainBroken: boolean;
}

const NO_PREFIX: CachedPrefix = { blockIds: [], numTokens: 0 };

export class KvCacheManager {
  readonly blockSize: number;
  readonly prefixCaching: boolean;
  readonly stats: PrefixCacheStats = { queriedTokens: 0, hitTokens: 0 };
  private readonly pool: BlockPool;
  private readonly hasher: BlockHasher;
  private readonly tables = new Map<string, RequestBlocks>();

  constructor(config: KvCacheConfig) {
    if (!Number.isInteger(config.blockSize) || config.blockSize < 1) {
      throw new RangeError(`blockSize must be a positive integer, got ${config.blockSize}`);
    }
    this.blockSize = config.blockSize;
    this.pool = new BlockPool(config.numBlocks);
    this.prefixCaching = config.enablePrefixCaching ?? true;
    this.hasher = config.hasher ?? chainedBlockHash;
  }

  get numBlocks(): number {
    return this.pool.numBlocks;
  }

  get numFreeBlocks(): number {
    return this.pool.numFreeBlocks;
  }

  /** Fraction of blocks held by requests (vLLM kv_cache_usage_perc, as 0..1). */
  get usage(): number {
    return 1 - this.pool.numFreeBlocks / this.pool.numBlocks;
  }

  /** Read access for tests and metrics; allocation goes through this class. */
  get blockPool(): Pick<BlockPool, 'refCount' | 'blockHash' | 'serial' | 'freeOrder' | 'numCachedBlocks' | 'numEvictions'> {
    return this.pool;
  }

  blocksNeeded(numTokens: number): number {
    return Math.ceil(numTokens / this.blockSize);
  }

  blockTable(requestId: string): readonly number[] {
    return this.tables.get(requestId)?.blocks ?? [];
  }

  /** Hashes the full blocks of `seq` that have no hash yet (call after appending tokens). */
  hashNewBlocks(seq: CacheSequence): void {
    if (this.prefixCaching) extendBlockHashes(seq.blockHashes, seq.tokenIds, this.blockSize, seq.cacheSalt, this.hasher);
  }

  /**
   * The longest run of leading blocks found in the cache with equal tokens, capped so that at least one
   * token is left to compute (its logits are needed). Changes nothing but the stats.
   */
  findCachedPrefix(seq: CacheSequence): CachedPrefix {
    if (!this.prefixCaching) return NO_PREFIX;
    this.hashNewBlocks(seq);
    const maxBlocks = Math.min(Math.floor((seq.tokenIds.length - 1) / this.blockSize), seq.blockHashes.length);
    const blockIds: number[] = [];
    let parentSerial = 0;
    for (let b = 0; b < maxBlocks; b++) {
      const id = this.pool.lookup(seq.blockHashes[b]!, this.contentOf(seq, b, parentSerial));
      if (id === undefined) break;
      blockIds.push(id);
      parentSerial = this.pool.serial(id);
    }
    const numTokens = blockIds.length * this.blockSize;
    this.stats.queriedTokens += seq.tokenIds.length;
    this.stats.hitTokens += numTokens;
    return { blockIds, numTokens };
  }

  /**
   * Makes the request's table cover `totalTokens` positions. A request without a table may start from
   * `prefix` (from findCachedPrefix, found in this same step). Returns false, changing nothing, when the
   * free blocks do not suffice (cached hits that sit on the free list count against them).
   */
  allocateSlots(requestId: string, totalTokens: number, prefix: CachedPrefix = NO_PREFIX): boolean {
    const existing = this.tables.get(requestId);
    if (existing && prefix.blockIds.length > 0) throw new Error(`request ${requestId} already has KV blocks; a cached prefix applies only on admission`);
    const held = existing ? existing.blocks.length : prefix.blockIds.length;
    const newBlocks = Math.max(0, this.blocksNeeded(totalTokens) - held);
    let hitsOnFreeList = 0;
    for (const id of prefix.blockIds) if (this.pool.refCount(id) === 0) hitsOnFreeList++;
    if (newBlocks + hitsOnFreeList > this.pool.numFreeBlocks) return false;

    let entry = existing;
    if (!entry) {
      this.pool.touch(prefix.blockIds);
      const last = prefix.blockIds[prefix.blockIds.length - 1];
      entry = {
        blocks: [...prefix.blockIds],
        numCachedBlocks: prefix.blockIds.length,
        lastSerial: last === undefined ? 0 : this.pool.serial(last),
        chainBroken: false,
      };
      this.tables.set(requestId, entry);
    }
    entry.blocks.push(...this.pool.allocate(newBlocks));
    return true;
  }

  /** Registers the request's full blocks whose tokens are all computed, so other requests can hit them. */
  cacheComputedBlocks(seq: CacheSequence, numComputedTokens: number): void {
    const entry = this.tables.get(seq.requestId);
    if (!this.prefixCaching || !entry) return;
    this.hashNewBlocks(seq);
    const fullBlocks = Math.min(Math.floor(numComputedTokens / this.blockSize), entry.blocks.length, seq.blockHashes.length);
    while (!entry.chainBroken && entry.numCachedBlocks < fullBlocks) {
      const b = entry.numCachedBlocks;
      const serial = this.pool.register(entry.blocks[b]!, seq.blockHashes[b]!, this.contentOf(seq, b, entry.lastSerial));
      if (serial === 0) {
        entry.chainBroken = true;
      } else {
        entry.lastSerial = serial;
        entry.numCachedBlocks++;
      }
    }
  }

  /** Releases all of a request's blocks, tail first, so its deepest blocks are evicted first. */
  free(requestId: string): void {
    const entry = this.tables.get(requestId);
    if (!entry) return;
    this.tables.delete(requestId);
    this.pool.release(entry.blocks.slice().reverse());
  }

  /** Drops the hashes of every free block (e.g. an admin "flush cache"); blocks in use are untouched. */
  resetPrefixCache(): number {
    return this.pool.evictFreeCached();
  }

  /** Throws if the pool's invariants break or any count differs from the number of tables holding the block. */
  checkIntegrity(): void {
    this.pool.checkIntegrity([...this.tables.values()].map((t) => t.blocks));
  }

  private contentOf(seq: CacheSequence, block: number, parentSerial: number): BlockContent {
    return {
      parentSerial,
      tokens: seq.tokenIds.slice(block * this.blockSize, (block + 1) * this.blockSize),
      extraKeys: blockExtraKeys(block, seq.cacheSalt),
    };
  }

  get numRequests(): number {
    return this.tables.size;
  }
}
