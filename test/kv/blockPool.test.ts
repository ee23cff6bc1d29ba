import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockPool, type BlockContent } from '../../src/kv/blockPool.js';
import { FreeBlockList } from '../../src/kv/freeBlockList.js';

const content = (tokens: number[], parentSerial = 0, extraKeys: string[] = []): BlockContent => ({ parentSerial, tokens, extraKeys });

test('free list: O(1) push at both ends, remove from the middle, pop from the front', () => {
  const list = new FreeBlockList(5);
  [0, 1, 2].forEach((id) => list.pushBack(id));
  list.pushFront(3);
  assert.deepEqual(list.ids(), [3, 0, 1, 2]);
  list.remove(1);
  assert.deepEqual(list.ids(), [3, 0, 2]);
  assert.equal(list.popFront(), 3);
  assert.equal(list.size, 2);
  assert.throws(() => list.pushBack(0), /already on the free list/);
  assert.throws(() => list.remove(4), /not on the free list/);
  list.checkLinks();
});

test('eviction follows release order (LRU), and a freed block keeps its hash until reused', () => {
  const pool = new BlockPool(4);
  const ids = pool.allocate(4);
  assert.deepEqual(ids, [0, 1, 2, 3]);
  ids.forEach((id) => pool.register(id, `h${id}`, content([id])));
  for (const id of [2, 0, 3, 1]) pool.release([id]);
  assert.deepEqual(pool.freeOrder(), [2, 0, 3, 1]);
  assert.equal(pool.lookup('h2', content([2])), 2, 'lazy eviction: still findable while free');
  pool.checkIntegrity([]);

  assert.deepEqual(pool.allocate(1), [2], 'least recently released goes first');
  assert.equal(pool.lookup('h2', content([2])), undefined, 'its stale hash is dropped on reuse');
  assert.equal(pool.blockHash(2), null);
  assert.equal(pool.numEvictions, 1);
  assert.equal(pool.lookup('h0', content([0])), 0);
  pool.checkIntegrity([[2]]);
});

test('released blocks without a hash go to the front: they are reused before cached ones', () => {
  const pool = new BlockPool(3);
  const [a, b, c] = pool.allocate(3) as [number, number, number];
  pool.register(a, 'ha', content([1]));
  pool.release([a]);
  pool.release([b]);
  pool.release([c]);
  assert.deepEqual(pool.freeOrder(), [c, b, a]);
  assert.deepEqual(pool.allocate(2), [c, b]);
  assert.equal(pool.lookup('ha', content([1])), a);
});

test('a hit on a free block takes it off the free list; counts follow holders', () => {
  const pool = new BlockPool(3);
  const [a] = pool.allocate(1) as [number];
  pool.register(a, 'ha', content([7]));
  pool.release([a]);
  assert.equal(pool.numFreeBlocks, 3);
  pool.touch([a]);
  pool.touch([a]);
  assert.equal(pool.refCount(a), 2);
  assert.equal(pool.numFreeBlocks, 2);
  assert.ok(!pool.freeOrder().includes(a));
  pool.checkIntegrity([[a], [a]]);
  assert.throws(() => pool.checkIntegrity([[a]]), /count 2 but 1 tables hold it/);
  pool.release([a, a]);
  assert.throws(() => pool.release([a]), /released while not in use/);
  pool.checkIntegrity([]);
});

test('a hit compares the whole content, not only the hash', () => {
  const pool = new BlockPool(2);
  const [a] = pool.allocate(1) as [number];
  const serial = pool.register(a, 'same', content([1, 2], 0, ['salt']));
  assert.ok(serial > 0);
  assert.equal(pool.lookup('same', content([1, 2], 0, ['salt'])), a);
  assert.equal(pool.lookup('same', content([1, 3], 0, ['salt'])), undefined, 'other tokens');
  assert.equal(pool.lookup('same', content([1, 2], 5, ['salt'])), undefined, 'other parent');
  assert.equal(pool.lookup('same', content([1, 2], 0, [])), undefined, 'other salt');
  assert.equal(pool.lookup('other', content([1, 2], 0, ['salt'])), undefined, 'other hash');
});

test('registering: duplicates share a serial, collisions with blocks in use are refused, free ones evicted', () => {
  const pool = new BlockPool(4);
  const [a, b, c, d] = pool.allocate(4) as [number, number, number, number];
  const serialA = pool.register(a, 'h', content([1]));
  assert.equal(pool.register(b, 'h', content([1])), serialA, 'equal content: the cached block stands for it');
  assert.equal(pool.blockHash(b), null);
  assert.equal(pool.register(c, 'h', content([2])), 0, 'collision with a block in use');
  assert.throws(() => pool.register(a, 'x', content([1])), /already cached/);
  pool.release([a]);
  const serialD = pool.register(d, 'h', content([3]));
  assert.ok(serialD > serialA, 'serials are never reused');
  assert.equal(pool.blockHash(a), null, 'the free colliding block lost its hash');
  assert.equal(pool.freeOrder()[0], a, 'and moved to the front');
  assert.equal(pool.lookup('h', content([3])), d);
  assert.throws(() => pool.register(a, 'y', content([4])), /registered while free/);
  pool.checkIntegrity([[b], [c], [d]]);
});

test('allocation beyond the free blocks fails with a clear error and changes nothing', () => {
  const pool = new BlockPool(2);
  pool.allocate(1);
  assert.throws(() => pool.allocate(2), /cannot allocate 2 KV blocks: only 1 are free/);
  assert.equal(pool.numFreeBlocks, 1);
  assert.throws(() => pool.refCount(2), /no KV block 2/);
  assert.throws(() => new BlockPool(0), /positive integer/);
});

test('evictFreeCached drops hashes of free blocks only', () => {
  const pool = new BlockPool(2);
  const [a, b] = pool.allocate(2) as [number, number];
  pool.register(a, 'ha', content([1]));
  pool.register(b, 'hb', content([2]));
  pool.release([a]);
  assert.equal(pool.evictFreeCached(), 1);
  assert.equal(pool.blockHash(a), null);
  assert.equal(pool.blockHash(b), 'hb');
  pool.checkIntegrity([[b]]);
});
