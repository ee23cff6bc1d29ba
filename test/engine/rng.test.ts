import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SplitMix64, Xoshiro128StarStar, createRng } from '../../src/engine/rng.js';
import { CHI_SQUARE_0_999, chiSquare } from './reference.js';

test('splitmix64 matches the reference outputs for seed 0', () => {
  const mixer = new SplitMix64(0n);
  assert.deepEqual(
    [mixer.next(), mixer.next(), mixer.next()],
    [0xe220a8397b1dcdafn, 0x6e789e6aa1b965f4n, 0x06c45d188009454fn],
  );
});

test('xoshiro128** matches the reference outputs for state {1, 2, 3, 4}', () => {
  const rng = new Xoshiro128StarStar(1, 2, 3, 4);
  const out = Array.from({ length: 6 }, () => rng.nextUint32());
  assert.deepEqual(out, [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
});

test('seeding goes through splitmix64 (values from a separate Python transcription of the C code)', () => {
  const rng = Xoshiro128StarStar.fromSeed(42);
  assert.deepEqual(
    Array.from({ length: 4 }, () => rng.nextUint32()),
    [1776835114, 4165204688, 17111135, 2317295270],
  );
});

test('same seed gives the same stream, different seeds and no seed give different ones', () => {
  const draw = (rng: Xoshiro128StarStar) => Array.from({ length: 16 }, () => rng.nextUint32());
  assert.deepEqual(draw(createRng(7)), draw(createRng(7)));
  assert.deepEqual(draw(createRng(7)), draw(createRng(7n)));
  assert.notDeepEqual(draw(createRng(7)), draw(createRng(8)));
  assert.notDeepEqual(draw(createRng()), draw(createRng()));
  assert.notDeepEqual(draw(createRng(-1)), draw(createRng(1)));
});

test('bad seeds and an all-zero state are refused', () => {
  assert.throws(() => createRng(1.5), /seed must be an integer/);
  assert.throws(() => createRng(Number.NaN), /seed must be an integer/);
  assert.throws(() => new Xoshiro128StarStar(0, 0, 0, 0), /all zero/);
});

test('nextFloat is uniform on [0, 1): chi-square over 10 bins and the mean', () => {
  const rng = createRng(12345);
  const bins = new Array<number>(10).fill(0);
  let sum = 0;
  const n = 100_000;
  for (let i = 0; i < n; i++) {
    const u = rng.nextFloat();
    assert.ok(u >= 0 && u < 1);
    bins[Math.floor(u * 10)]!++;
    sum += u;
  }
  assert.ok(chiSquare(bins, new Array(10).fill(0.1)) < CHI_SQUARE_0_999[9]!);
  assert.ok(Math.abs(sum / n - 0.5) < 0.005, `mean ${sum / n}`);
});
