import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KvCacheManager, type CacheSequence } from '../../src/kv/kvCacheManager.js';
import type { BlockHasher } from '../../src/kv/blockHash.js';

const seq = (requestId: string, tokenIds: number[], cacheSalt?: string): CacheSequence => ({ requestId, tokenIds, blockHashes: [], cacheSalt });

/** Admits a sequence from its cached prefix and computes all of its tokens at once; returns the hit length. */
function computeAll(kv: KvCacheManager, s: CacheSequence): number {
  const prefix = kv.findCachedPrefix(s);
  assert.ok(kv.allocateSlots(s.requestId, s.tokenIds.length, prefix));
  kv.cacheComputedBlocks(s, s.tokenIds.length);
  kv.checkIntegrity();
  return prefix.numTokens;
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

test('a second request with the same prefix shares its full blocks (count 2) and computes the rest', () => {
  const kv = new KvCacheManager({ numBlocks: 10, blockSize: 4 });
  const a = seq('a', range(10));
  assert.equal(computeAll(kv, a), 0);
  const b = seq('b', [...range(8), 77, 78, 79]);
  assert.equal(computeAll(kv, b), 8);
  const ta = kv.blockTable('a');
  const tb = kv.blockTable('b');
  assert.deepEqual(tb.slice(0, 2), ta.slice(0, 2));
  assert.notEqual(tb[2], ta[2], 'the partial third block of a is never shared');
  assert.equal(kv.blockPool.refCount(ta[0]!), 2);
  assert.equal(kv.blockPool.refCount(ta[2]!), 1);
  assert.equal(kv.blockPool.blockHash(ta[2]!), null, 'partial blocks are not hashed');
  assert.deepEqual(kv.stats, { queriedTokens: 21, hitTokens: 8 });
});

test('a full hit is capped so at least one token is computed', () => {
  const kv = new KvCacheManager({ numBlocks: 8, blockSize: 4 });
  computeAll(kv, seq('a', range(8)));
  assert.equal(kv.findCachedPrefix(seq('b', range(8))).numTokens, 4, 'exactly two cached blocks: only one may hit');
  assert.equal(kv.findCachedPrefix(seq('c', range(9))).numTokens, 8, 'one token beyond: both hit');
  assert.equal(kv.findCachedPrefix(seq('d', range(5))).numTokens, 4);
  assert.equal(kv.findCachedPrefix(seq('e', range(4))).numTokens, 0);
});

test('freeing releases a table tail first, so the deepest blocks are evicted first', () => {
  const kv = new KvCacheManager({ numBlocks: 5, blockSize: 2 });
  computeAll(kv, seq('a', range(6)));
  const table = [...kv.blockTable('a')];
  kv.free('a');
  const order = kv.blockPool.freeOrder();
  assert.deepEqual(order.slice(-3), [table[2], table[1], table[0]]);
  // Reusing two blocks evicts the tail of a's prefix; the head still hits.
  computeAll(kv, seq('x', [50, 51, 52, 53, 54, 55, 56, 57]));
  assert.equal(kv.findCachedPrefix(seq('b', range(7))).numTokens, 2);
  kv.checkIntegrity();
});

test('cache salt separates caches', () => {
  const kv = new KvCacheManager({ numBlocks: 12, blockSize: 4 });
  computeAll(kv, seq('a', range(9), 'tenant-1'));
  assert.equal(kv.findCachedPrefix(seq('b', range(9), 'tenant-2')).numTokens, 0);
  assert.equal(kv.findCachedPrefix(seq('c', range(9))).numTokens, 0);
  assert.equal(kv.findCachedPrefix(seq('d', range(9), 'tenant-1')).numTokens, 8);
});

test('only blocks whose tokens are all computed are registered, as they complete', () => {
  const kv = new KvCacheManager({ numBlocks: 6, blockSize: 4 });
  const a = seq('a', range(12));
  assert.ok(kv.allocateSlots('a', 6));
  kv.cacheComputedBlocks(a, 6);
  assert.equal(kv.findCachedPrefix(seq('p', range(12))).numTokens, 4);
  assert.ok(kv.allocateSlots('a', 12));
  kv.cacheComputedBlocks(a, 12);
  assert.equal(kv.findCachedPrefix(seq('q', range(13))).numTokens, 12);
  kv.checkIntegrity();
});

test('hash collisions never share KV: a hit needs equal tokens, salt and parent', () => {
  const constant: BlockHasher = () => '0000000000000000';
  const kv = new KvCacheManager({ numBlocks: 12, blockSize: 2, hasher: constant });
  computeAll(kv, seq('a', [1, 2, 3, 4, 5]));
  assert.equal(kv.findCachedPrefix(seq('b', [9, 9, 3, 4, 5])).numTokens, 0, 'other tokens, same hash');
  assert.equal(kv.findCachedPrefix(seq('c', [1, 2, 3, 4, 5])).numTokens, 2, 'the map keeps one block per hash');
  assert.equal(kv.findCachedPrefix(seq('d', [1, 2, 3, 4, 5], 'salt')).numTokens, 0, 'other salt, same hash');
});

test('a block under another parent misses even when its hash ignores the parent', () => {
  const tokensOnly: BlockHasher = (_parent, tokens) => tokens.map((t) => t.toString(16).padStart(2, '0')).join('').padStart(16, '0');
  const kv = new KvCacheManager({ numBlocks: 12, blockSize: 2, hasher: tokensOnly });
  computeAll(kv, seq('a', [1, 2, 3, 4, 0]));
  assert.equal(kv.findCachedPrefix(seq('d', [3, 4, 3, 4, 0])).numTokens, 0, '[3, 4] is cached, but after [1, 2]');
  assert.equal(computeAll(kv, seq('f', [5, 6, 3, 4, 0])), 0);
  const table = kv.blockTable('f');
  assert.notEqual(kv.blockPool.blockHash(table[0]!), null, 'its first block is cached');
  assert.equal(kv.blockPool.blockHash(table[1]!), null, 'its [3, 4] block collides with a\'s, which is in use: not cached');
  assert.equal(kv.findCachedPrefix(seq('g', [5, 6, 3, 4, 1])).numTokens, 2);
  assert.equal(kv.findCachedPrefix(seq('h', [1, 2, 3, 4, 1])).numTokens, 4);
  kv.checkIntegrity();
});

test('a failed allocation changes nothing, and cached hits on the free list count against free blocks', () => {
  const kv = new KvCacheManager({ numBlocks: 4, blockSize: 2 });
  computeAll(kv, seq('a', range(5)));
  kv.free('a');
  assert.ok(kv.allocateSlots('filler', 2));
  const b = seq('b', [...range(4), 60, 61, 62, 63]);
  const prefix = kv.findCachedPrefix(b);
  assert.equal(prefix.numTokens, 4);
  const before = prefix.blockIds.map((id) => kv.blockPool.refCount(id));
  assert.equal(kv.allocateSlots('b', 8, prefix), false, '2 hits on the free list + 2 new blocks > 3 free');
  assert.deepEqual(prefix.blockIds.map((id) => kv.blockPool.refCount(id)), before);
  assert.equal(kv.numFreeBlocks, 3);
  assert.deepEqual(kv.blockTable('b'), []);
  assert.ok(kv.allocateSlots('b', 6, prefix));
  kv.checkIntegrity();
  assert.throws(() => kv.allocateSlots('b', 8, prefix), /already has KV blocks/);
});

test('with prefix caching off nothing is hashed or hit', () => {
  const kv = new KvCacheManager({ numBlocks: 8, blockSize: 2, enablePrefixCaching: false });
  const a = seq('a', range(6));
  computeAll(kv, a);
  assert.deepEqual(a.blockHashes, []);
  assert.equal(computeAll(kv, seq('b', range(6))), 0);
  assert.equal(kv.blockPool.numCachedBlocks, 0);
});

test('resetPrefixCache forgets free cached blocks', () => {
  const kv = new KvCacheManager({ numBlocks: 8, blockSize: 2 });
  computeAll(kv, seq('a', range(6)));
  kv.free('a');
  assert.equal(kv.resetPrefixCache(), 3);
  assert.equal(kv.findCachedPrefix(seq('b', range(7))).numTokens, 0);
  kv.checkIntegrity();
});
