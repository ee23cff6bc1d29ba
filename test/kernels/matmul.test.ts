// matmul and getRows for every weight type and dispatch level against float64 references built
// on the independent TypeScript dequantizer (src/formats/quant/dequantize.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockLayout, COMPUTE_TYPES, GgmlType, ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { getRows, matmul, setThreads, cpuInfo, Weight } from '../../src/kernels/native.js';
import { assertClose, assertIdentical } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { randomWeightBytes, Rng } from './support/random.js';

const TYPES = [...COMPUTE_TYPES];
const M_VALUES = [1, 3, 17];
const N_VALUES = [1, 7, 33, 257];
const K_VALUES = [32, 64, 256, 512];

interface Case {
  x: Float32Array;
  m: number;
  w: Weight;
  /** want[m][n] and the scale of its rounding error, sum_k |x w| */
  want: Float64Array;
  magnitude: Float64Array;
}

function makeCase(rng: Rng, type: GgmlType, m: number, n: number, k: number, bias?: Float32Array): Case {
  const w = Weight.create(type, n, k, randomWeightBytes(rng, type, n, k));
  const dense = dequantize(type, w.data, n * k);
  const x = rng.floats(m * k);
  const want = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = bias ? bias[j]! : 0;
      let abs = bias ? Math.abs(bias[j]!) : 0;
      for (let t = 0; t < k; t++) {
        const product = x[i * k + t]! * dense[j * k + t]!;
        sum += product;
        abs += Math.abs(product);
      }
      want[i * n + j] = sum;
      magnitude[i * n + j] = abs;
    }
  }
  return { x, m, w, want, magnitude };
}

// Float32 accumulation over K terms: allow 2e-6 of sum |x*w| (observed up to 3.6e-7 at K=512).
const MATMUL_REL = 2e-6;

function checkMatmul(c: Case, what: string, bias?: Float32Array): void {
  const out = new Float32Array(c.m * c.w.rows).fill(NaN);
  matmul(c.x, c.m, c.w, out, bias);
  assertClose(out, c.want, (i) => MATMUL_REL * c.magnitude[i]! + 1e-30, what);
}

for (const type of TYPES) {
  const block = blockLayout(type)!.blockElements;
  test(`matmul ${ggmlTypeName(type)}: every M x N x K shape at every level`, () => {
    const rng = new Rng(1000 + type);
    for (const k of K_VALUES.filter((v) => v % block === 0)) {
      for (const n of N_VALUES) {
        for (const m of M_VALUES) {
          const c = makeCase(rng, type, m, n, k);
          forEachLevel((level) => checkMatmul(c, `${ggmlTypeName(type)} M=${m} N=${n} K=${k} ${level}`));
        }
      }
    }
  });
}

test('matmul: more x rows than one work item (M=70) and K spanning several panels (K=1536)', () => {
  const rng = new Rng(7);
  for (const type of [GgmlType.F32, GgmlType.Q4_K, GgmlType.Q8_0]) {
    const c = makeCase(rng, type, 70, 37, 1536);
    forEachLevel((level) => checkMatmul(c, `${ggmlTypeName(type)} M=70 K=1536 ${level}`));
  }
});

test('matmul: plain float weights accept any K (K=45)', () => {
  const rng = new Rng(8);
  for (const type of [GgmlType.F32, GgmlType.F16, GgmlType.BF16]) {
    const c = makeCase(rng, type, 5, 9, 45);
    forEachLevel((level) => checkMatmul(c, `${ggmlTypeName(type)} K=45 ${level}`));
  }
});

test('matmul: bias is added to every output row', () => {
  const rng = new Rng(9);
  const bias = rng.floats(33, 4);
  const c = makeCase(rng, GgmlType.Q5_0, 3, 33, 64, bias);
  forEachLevel((level) => checkMatmul(c, `bias ${level}`, bias));
});

test('matmul: M = 0 and N = 0 do nothing', () => {
  const w = Weight.create(GgmlType.F32, 0, 4, new Uint8Array(0));
  matmul(new Float32Array(8), 2, w, new Float32Array(0));
  const w2 = Weight.create(GgmlType.F32, 3, 4, new Uint8Array(48));
  matmul(new Float32Array(0), 0, w2, new Float32Array(0));
});

test('matmul: results are identical with 1 and 2 threads', () => {
  const rng = new Rng(10);
  const threads = cpuInfo().threads;
  try {
    for (const type of [GgmlType.F16, GgmlType.Q6_K]) {
      const c = makeCase(rng, type, 70, 257, 512);
      forEachLevel((level) => {
        const one = new Float32Array(70 * 257);
        const two = new Float32Array(70 * 257);
        setThreads(1);
        matmul(c.x, 70, c.w, one);
        setThreads(2);
        matmul(c.x, 70, c.w, two);
        assertIdentical(one, two, `${ggmlTypeName(type)} ${level} 1 vs 2 threads`);
      });
    }
  } finally {
    setThreads(threads);
  }
});

for (const type of TYPES) {
  test(`getRows ${ggmlTypeName(type)}: decodes the selected rows at every level`, () => {
    const rng = new Rng(2000 + type);
    const block = blockLayout(type)!.blockElements;
    const cols = block === 256 ? 512 : 96;
    const rows = 13;
    const w = Weight.create(type, rows, cols, randomWeightBytes(rng, type, rows, cols));
    const dense = dequantize(type, w.data, rows * cols);
    const ids = Int32Array.from([12, 0, 5, 5, 7]);
    const want = new Float64Array(ids.length * cols);
    ids.forEach((id, i) => want.set(dense.subarray(id * cols, (id + 1) * cols), i * cols));
    // Float decoding: plain types exactly, quant types to a few float32 ulps of the block's scale.
    const ulps = (i: number) => {
      const row = Math.floor(i / cols);
      const start = row * cols + Math.floor((i % cols) / block) * block;
      let max = 0;
      for (let t = start; t < start + block; t++) max = Math.max(max, Math.abs(want[t]!));
      return 4 * 2 ** -24 * max;
    };
    forEachLevel((level) => {
      const out = new Float32Array(ids.length * cols).fill(NaN);
      getRows(w, ids, out);
      assertClose(out, want, block === 1 ? () => 0 : ulps, `${ggmlTypeName(type)} ${level}`);
    });
  });
}

test('getRows: an empty id list is fine', () => {
  const w = Weight.create(GgmlType.F32, 2, 4, new Uint8Array(32));
  getRows(w, new Int32Array(0), new Float32Array(0));
  assert.ok(true);
});
