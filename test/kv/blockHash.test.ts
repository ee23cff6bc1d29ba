import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockExtraKeys, chainedBlockHash, extendBlockHashes, fnv1a64 } from '../../src/kv/blockHash.js';
import { createRng } from '../../src/engine/rng.js';

const ascii = (s: string) => new TextEncoder().encode(s);

test('FNV-1a 64 matches the published test vectors', () => {
  // From the FNV reference test suite (Noll), also reproduced by a Python big-integer loop.
  assert.equal(fnv1a64(ascii('')), 'cbf29ce484222325');
  assert.equal(fnv1a64(ascii('a')), 'af63dc4c8601ec8c');
  assert.equal(fnv1a64(ascii('foobar')), '85944171f73967e8');
});

/** The documented encoding, built independently with a DataView. */
function encode(parent: string | null, tokens: number[], keys: string[]): Uint8Array {
  const parts: number[] = [];
  const word = (v: number) => {
    const view = new DataView(new ArrayBuffer(4));
    view.setUint32(0, v >>> 0, true);
    parts.push(...new Uint8Array(view.buffer));
  };
  if (parent === null) parts.push(0);
  else {
    parts.push(1);
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, BigInt('0x' + parent), true);
    parts.push(...new Uint8Array(view.buffer));
  }
  word(tokens.length);
  tokens.forEach(word);
  word(keys.length);
  for (const k of keys) {
    const bytes = ascii(k);
    word(bytes.length);
    parts.push(...bytes);
  }
  return Uint8Array.from(parts);
}

test('the chained hash is FNV-1a 64 over the documented byte encoding', () => {
  const cases: [string | null, number[], string[]][] = [
    [null, [1, 2, 3, 4], []],
    ['0123456789abcdef', [0, 2147483647, 5], ['salt', 'ü']],
    ['ffffffff00000000', [], ['']],
  ];
  for (const [parent, tokens, keys] of cases) assert.equal(chainedBlockHash(parent, tokens, keys), fnv1a64(encode(parent, tokens, keys)));
});

test('chaining: the same block tokens under different parents (or none) hash differently', () => {
  const tokens = [5, 6, 7, 8];
  const a = chainedBlockHash(null, [1, 2, 3, 4], []);
  const b = chainedBlockHash(null, [1, 2, 3, 9], []);
  const hashes = new Set([chainedBlockHash(null, tokens, []), chainedBlockHash(a, tokens, []), chainedBlockHash(b, tokens, [])]);
  assert.equal(hashes.size, 3);
  assert.equal(chainedBlockHash(a, tokens, []), chainedBlockHash(a, tokens, []), 'deterministic');
});

test('the encoding is unambiguous: moving values between tokens and keys changes the hash', () => {
  const seen = new Set([
    chainedBlockHash(null, [1, 2], []),
    chainedBlockHash(null, [1], []),
    chainedBlockHash(null, [1, 2], ['']),
    chainedBlockHash(null, [1, 2], ['', '']),
    chainedBlockHash(null, [1, 2], ['ab']),
    chainedBlockHash(null, [1, 2], ['a', 'b']),
  ]);
  assert.equal(seen.size, 6);
});

test('no collisions among 20,000 distinct random blocks', () => {
  const rng = createRng(99);
  const inputs = new Set<string>();
  const hashes = new Set<string>();
  while (inputs.size < 20_000) {
    const tokens = Array.from({ length: 4 }, () => rng.nextUint32() % 64);
    const key = tokens.join(',');
    if (inputs.has(key)) continue;
    inputs.add(key);
    hashes.add(chainedBlockHash(null, tokens, []));
  }
  assert.equal(hashes.size, inputs.size);
});

test('extendBlockHashes hashes full blocks only, incrementally, with the salt on the first block', () => {
  const tokens = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const all: string[] = [];
  extendBlockHashes(all, tokens, 4, undefined);
  assert.equal(all.length, 2, 'the partial block [9] is not hashed');
  assert.equal(all[0], chainedBlockHash(null, [1, 2, 3, 4], []));
  assert.equal(all[1], chainedBlockHash(all[0]!, [5, 6, 7, 8], []));

  const step: string[] = [];
  for (let n = 1; n <= tokens.length; n++) extendBlockHashes(step, tokens.slice(0, n), 4, undefined);
  assert.deepEqual(step, all);

  const salted: string[] = [];
  extendBlockHashes(salted, tokens, 4, 'tenant-a');
  assert.equal(salted[0], chainedBlockHash(null, [1, 2, 3, 4], ['tenant-a']));
  assert.equal(salted[1], chainedBlockHash(salted[0]!, [5, 6, 7, 8], []), 'later blocks carry the salt through the chain');
  assert.notEqual(salted[1], all[1]);
  assert.deepEqual(blockExtraKeys(1, 'tenant-a'), []);
});
