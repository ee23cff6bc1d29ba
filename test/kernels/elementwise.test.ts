// rmsNorm and the element-wise kernels at every level against float64 references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { add, addBias, addRmsNorm, cpuInfo, rmsNorm, scale, setThreads, siluMul } from '../../src/kernels/native.js';
import { assertClose, assertIdentical, relative } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { Rng } from './support/random.js';

function rmsNormReference(x: Float32Array, rows: number, cols: number, weight: Float32Array, eps: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let squares = 0;
    for (let c = 0; c < cols; c++) squares += x[r * cols + c]! ** 2;
    const inverse = 1 / Math.sqrt(squares / cols + eps);
    for (let c = 0; c < cols; c++) out[r * cols + c] = x[r * cols + c]! * inverse * weight[c]!;
  }
  return out;
}

test('rmsNorm: odd shapes, out of place and in place, every level', () => {
  const rng = new Rng(1);
  for (const rows of [1, 3, 17]) {
    for (const cols of [1, 7, 64, 257, 4096]) {
      const x = rng.floats(rows * cols, 3);
      const weight = rng.floats(cols, 2);
      const want = rmsNormReference(x, rows, cols, weight, 1e-5);
      forEachLevel((level) => {
        const out = new Float32Array(rows * cols);
        rmsNorm(x, rows, cols, weight, 1e-5, out);
        assertClose(out, want, relative(want, 2e-6, 1e-7), `rmsNorm ${rows}x${cols} ${level}`);
        const inPlace = x.slice();
        rmsNorm(inPlace, rows, cols, weight, 1e-5, inPlace);
        assertIdentical(inPlace, out, `rmsNorm in place ${rows}x${cols} ${level}`);
      });
    }
  }
});

test('rmsNorm: eps matters for a zero row (no NaN)', () => {
  const out = new Float32Array(4).fill(NaN);
  rmsNorm(new Float32Array(4), 1, 4, new Float32Array([1, 1, 1, 1]), 1e-6, out);
  assert.deepEqual([...out], [0, 0, 0, 0]);
});

test('addRmsNorm: the floats of add then rmsNorm, odd shapes, every level', () => {
  const rng = new Rng(6);
  for (const rows of [1, 3, 17]) {
    for (const cols of [1, 7, 64, 257, 4096]) {
      const x = rng.floats(rows * cols, 3);
      const delta = rng.floats(rows * cols, 5);
      const weight = rng.floats(cols, 2);
      const sum = Float64Array.from(x, (v, i) => Math.fround(v + delta[i]!));
      const want = rmsNormReference(Float32Array.from(sum), rows, cols, weight, 1e-5);
      forEachLevel((level) => {
        const residual = x.slice();
        const out = new Float32Array(rows * cols);
        addRmsNorm(residual, delta, rows, cols, weight, 1e-5, out);
        assertIdentical(residual, Float32Array.from(sum), `addRmsNorm sum ${rows}x${cols} ${level}`);
        const separate = x.slice();
        const separateOut = new Float32Array(rows * cols);
        add(separate, delta, separate);
        rmsNorm(separate, rows, cols, weight, 1e-5, separateOut);
        assertIdentical(out, separateOut, `addRmsNorm ${rows}x${cols} ${level}`);
        assertClose(out, want, relative(want, 2e-6, 1e-7), `addRmsNorm against float64 ${rows}x${cols} ${level}`);
      });
    }
  }
});

test('addRmsNorm: out may not share memory with x or delta', () => {
  const memory = new Float32Array(24);
  const weight = new Float32Array(4).fill(1);
  assert.throws(() => addRmsNorm(memory.subarray(0, 8), memory.subarray(8, 16), 2, 4, weight, 1e-6, memory.subarray(4, 12)),
    /addRmsNorm: out overlaps x/);
  assert.throws(() => addRmsNorm(memory.subarray(0, 8), memory.subarray(4, 12), 2, 4, weight, 1e-6, memory.subarray(16, 24)),
    /addRmsNorm: x overlaps delta/);
  assert.throws(() => addRmsNorm(memory.subarray(0, 8), memory.subarray(8, 16), 2, 4, weight, -1, memory.subarray(16, 24)),
    /eps must be >= 0/);
});

const SIZES = [1, 7, 33, 16384 * 2 + 5];

test('siluMul, add, scale: sizes across chunk boundaries, in place, every level', () => {
  const rng = new Rng(4);
  for (const n of SIZES) {
    const gate = rng.floats(n, 12);
    const up = rng.floats(n, 2);
    const silu = Float64Array.from(gate, (g, i) => (g / (1 + Math.exp(-g))) * up[i]!);
    const sum = Float64Array.from(gate, (g, i) => Math.fround(g + up[i]!));
    const scaled = Float64Array.from(gate, (g) => g * Math.fround(0.125));
    forEachLevel((level) => {
      const out = new Float32Array(n);
      siluMul(gate, up, out);
      assertClose(out, silu, relative(silu, 1e-6, 1e-30), `siluMul n=${n} ${level}`);
      add(gate, up, out);
      assertClose(out, sum, () => 0, `add n=${n} ${level}`);
      const inPlace = gate.slice();
      scale(inPlace, 0.125, inPlace);
      assertClose(inPlace, scaled, () => 0, `scale n=${n} ${level}`);
      const outOfPlace = new Float32Array(n);
      siluMul(gate, up, outOfPlace);
      const inPlace2 = gate.slice();
      siluMul(inPlace2, up, inPlace2);
      assertIdentical(inPlace2, outOfPlace, `siluMul in place n=${n} ${level}`);
    });
  }
});

test('siluMul: an element\'s value does not depend on where the array or its slice ends, every level', () => {
  const rng = new Rng(9);
  const n = 16384 + 1204;  // past a thread chunk, and not a whole number of vectors
  const gate = rng.floats(n, 12);
  const up = rng.floats(n, 2);
  forEachLevel((level) => {
    const whole = new Float32Array(n);
    siluMul(gate, up, whole);
    for (const [start, length] of [[0, 7], [5, 11], [16380, 9], [n - 3, 3], [1, n - 1]] as const) {
      const part = new Float32Array(length);
      siluMul(gate.subarray(start, start + length), up.subarray(start, start + length), part);
      assertIdentical(part, whole.subarray(start, start + length), `siluMul of [${start}, ${start + length}) ${level}`);
    }
  });
});

test('siluMul: saturates cleanly for large |gate|', () => {
  const gate = Float32Array.from([-200, -90, 90, 200]);
  const out = new Float32Array(4);
  forEachLevel((level) => {
    siluMul(gate, new Float32Array([1, 1, 1, 1]), out);
    assert.ok(Math.abs(out[0]!) < 1e-30 && Math.abs(out[1]!) < 1e-30, `${level}: ${out[0]}, ${out[1]}`);
    assert.deepEqual([out[2], out[3]], [90, 200], level);
  });
});

test('addBias: adds the bias to every row, every level', () => {
  const rng = new Rng(5);
  for (const [rows, cols] of [[1, 1], [3, 7], [17, 33], [5, 4099]] as const) {
    const x = rng.floats(rows * cols);
    const bias = rng.floats(cols);
    const want = Float64Array.from(x, (v, i) => Math.fround(v + bias[i % cols]!));
    forEachLevel((level) => {
      const got = x.slice();
      addBias(got, rows, cols, bias);
      assertClose(got, want, () => 0, `addBias ${rows}x${cols} ${level}`);
    });
  }
});

test('element-wise kernels give identical results with 1 and 2 threads', () => {
  const rng = new Rng(6);
  const rows = 67;
  const cols = 1024;
  const gate = rng.floats(rows * cols, 8);
  const up = rng.floats(rows * cols);
  const weight = rng.floats(cols);
  const threads = cpuInfo().threads;
  const run = (t: number): Float32Array[] => {
    setThreads(t);
    const silu = new Float32Array(rows * cols);
    siluMul(gate, up, silu);
    const normed = new Float32Array(rows * cols);
    rmsNorm(gate, rows, cols, weight, 1e-6, normed);
    return [silu, normed];
  };
  try {
    forEachLevel((level) => {
      const [silu1, norm1] = run(1);
      const [silu2, norm2] = run(2);
      assertIdentical(silu1!, silu2!, `siluMul 1 vs 2 threads ${level}`);
      assertIdentical(norm1!, norm2!, `rmsNorm 1 vs 2 threads ${level}`);
    });
  } finally {
    setThreads(threads);
  }
});
