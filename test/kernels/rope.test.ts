// rope, ropeTable and ropeWithTable at every level against float64 references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rope, ropeTable, ropeWithTable } from '../../src/kernels/native.js';
import { assertClose, assertIdentical } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { Rng } from './support/random.js';

function ropeReference(x: Float32Array, tokens: number, heads: number, headDim: number, ropeDim: number,
  positions: Int32Array, base: number, neox: boolean, factors?: Float32Array): Float64Array {
  const out = Float64Array.from(x);
  const half = ropeDim / 2;
  for (let t = 0; t < tokens; t++) {
    for (let h = 0; h < heads; h++) {
      const o = (t * heads + h) * headDim;
      for (let i = 0; i < half; i++) {
        const angle = positions[t]! * base ** (-2 * i / ropeDim) / (factors ? factors[i]! : 1);
        const [a, b] = neox ? [o + i, o + i + half] : [o + 2 * i, o + 2 * i + 1];
        const x0 = x[a]!, x1 = x[b]!;
        out[a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
        out[b] = x0 * Math.sin(angle) + x1 * Math.cos(angle);
      }
    }
  }
  return out;
}

test('rope: normal and neox pairs, partial ropeDim, frequency factors, large positions, every level', () => {
  const rng = new Rng(2);
  const tokens = 5;
  const heads = 3;
  const positions = Int32Array.from([0, 1, 17, 4095, 131071]);
  for (const headDim of [8, 16, 64]) {
    for (const ropeDim of [headDim, headDim / 2]) {
      for (const neox of [false, true]) {
        for (const factors of [undefined, Float32Array.from({ length: ropeDim / 2 }, (_, i) => 1 + i / 3)]) {
          const x = rng.floats(tokens * heads * headDim);
          const want = ropeReference(x, tokens, heads, headDim, ropeDim, positions, 10000, neox, factors);
          const what = `rope d=${headDim} rd=${ropeDim} neox=${neox} factors=${factors !== undefined}`;
          forEachLevel((level) => {
            const got = x.slice();
            rope(got, tokens, heads, headDim, ropeDim, positions, 10000, neox, factors);
            // cos/sin rounded to float32, then float32 products: a few 1e-7 of the pair's size
            assertClose(got, want, () => 1e-6, `${what} ${level}`);
            for (let t = 0; t < tokens * heads; t++) {
              for (let d = ropeDim; d < headDim; d++) {
                assert.equal(got[t * headDim + d], x[t * headDim + d], `${what}: dim ${d} must stay untouched`);
              }
            }
          });
        }
      }
    }
  }
});

test('rope: position 0 leaves x unchanged', () => {
  const x = new Rng(3).floats(2 * 16);
  const got = x.slice();
  rope(got, 1, 2, 16, 16, Int32Array.of(0), 1e6, true);
  assertIdentical(got, x, 'rope at position 0');
});

test('ropeTable: cosines then sines of every angle, rounded once from float64', () => {
  const positions = Int32Array.from([0, 3, 511, 8191, 131071]);
  const factors = Float32Array.from({ length: 20 }, (_, i) => 1 + i / 7);
  for (const freqFactors of [undefined, factors]) {
    const table = ropeTable(positions, 40, 1e6, freqFactors);
    assert.equal(table.tokens, 5);
    assert.equal(table.values.length, 5 * 40);
    positions.forEach((position, t) => {
      for (let i = 0; i < 20; i++) {
        const angle = position * 1e6 ** (-2 * i / 40) / (freqFactors ? freqFactors[i]! : 1);
        // the float nearest to the float64 value: within half an ulp (<= 2^-25 for |v| <= 1)
        assert.ok(Math.abs(table.values[t * 40 + i]! - Math.cos(angle)) <= 2 ** -25, `cos t=${t} i=${i}`);
        assert.ok(Math.abs(table.values[t * 40 + 20 + i]! - Math.sin(angle)) <= 2 ** -25, `sin t=${t} i=${i}`);
      }
    });
  }
});

test('ropeWithTable gives rope\'s floats at every level, whatever the batch around a token', () => {
  const rng = new Rng(5);
  const tokens = 37;
  const positions = Int32Array.from({ length: tokens }, (_, t) => (t * 977) % 9000);
  for (const [headDim, ropeDim] of [[64, 64], [40, 40], [128, 96], [8, 4]] as const) {
    for (const neox of [false, true]) {
      const heads = 3;
      const x = rng.floats(tokens * heads * headDim);
      const what = `d=${headDim} rd=${ropeDim} neox=${neox}`;
      forEachLevel((level) => {
        const table = ropeTable(positions, ropeDim, 1e6);
        const got = x.slice();
        ropeWithTable(got, tokens, heads, headDim, table, neox);
        const want = x.slice();
        rope(want, tokens, heads, headDim, ropeDim, positions, 1e6, neox);
        assertIdentical(got, want, `${what} ${level}`);
        // token 21 alone: the same floats as inside the 37-token batch
        const size = heads * headDim;
        const one = x.slice(21 * size, 22 * size);
        ropeWithTable(one, 1, heads, headDim, ropeTable(positions.subarray(21, 22), ropeDim, 1e6), neox);
        assertIdentical(one, got.subarray(21 * size, 22 * size), `${what} ${level}: one token`);
      });
    }
  }
});

test('ropeTable and ropeWithTable check their arguments', () => {
  const positions = Int32Array.from([0, 1]);
  assert.throws(() => ropeTable(positions, 7, 1e4), /ropeTable: ropeDim must be even, got 7/);
  assert.throws(() => ropeTable(positions, 8, 0), /ropeTable: freqBase must be > 0/);
  assert.throws(() => ropeTable(positions, 8, 1e4, undefined, new Float32Array(15)), /ropeTable: out has 15 elements/);
  const table = ropeTable(positions, 8, 1e4);
  assert.throws(() => ropeWithTable(new Float32Array(16), 1, 2, 8, table, true), /the table has 2 tokens, x has 1/);
  assert.throws(() => ropeWithTable(new Float32Array(16), 2, 2, 4, table, true), /ropeDim must be even and <= headDim 4, got 8/);
  assert.throws(() => ropeWithTable(new Float32Array(16), 2, 2, 8, table, true), /ropeWithTable: x has 16 elements, expected tokens\*heads\*headDim = 2\*2\*8 = 32/);
  const shared = new Float32Array(48);
  const inside = ropeTable(positions, 8, 1e4, undefined, shared.subarray(0, 16));
  assert.throws(() => ropeWithTable(shared.subarray(8, 40), 2, 2, 8, inside, true), /out overlaps table/);
});
