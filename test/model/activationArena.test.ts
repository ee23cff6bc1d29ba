// ActivationArena: the forward pass's reused buffers are disjoint, 64-byte aligned, sized as asked,
// rewound by each forTokens, and never taken past what forTokens prepared.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActivationArena } from '../../src/model/activationArena.js';

test('ActivationArena hands out disjoint aligned buffers, rewinds per forward and refuses overdraw', () => {
  const arena = new ActivationArena(10 + 3 + 7);
  const first = arena.forTokens(5);
  const a = first.take(50), b = first.take(15), c = first.take(35);
  assert.deepEqual([a.length, b.length, c.length], [50, 15, 35]);
  for (const view of [a, b, c]) assert.equal(view.byteOffset % 64, 0);
  assert.ok(a.buffer === b.buffer && b.buffer === c.buffer);
  assert.ok(a.byteOffset + a.byteLength <= b.byteOffset && b.byteOffset + b.byteLength <= c.byteOffset);
  a.fill(1);
  const again = arena.forTokens(5).take(50);
  assert.equal(again.byteOffset, a.byteOffset, 'each forward starts from the beginning');
  const bigger = arena.forTokens(400).take(400 * 20);
  assert.equal(bigger.length, 8000);
  assert.throws(() => arena.forTokens(1).take(21 + 16 * 16 + 1e6), /ActivationArena: .* taken, only .* prepared/);
});
