// matmul and getRows for every weight type and dispatch level against float64 references built
// on the independent TypeScript dequantizer (src/formats/quant/dequantize.ts). matmul has three
// paths (native/src/kernels/matmul.h): the GEMM on packed panels (F32/F16/BF16, any M), the GEMM
// decoding weight tiles (other types, or pack: false, M >= 8) and dot products / fused group
// decoding (M < 8); the shapes below cross every edge of their tiles (14 or 6 or 4 rows, 32
// columns, K blocks of 256).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blockLayout, COMPUTE_TYPES, GgmlType, ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { getRows, INTERLEAVED_TYPES, matmul, PANEL_TYPES, setThreads, cpuInfo, Weight, type WeightOptions } from '../../src/kernels/native.js';
import { assertClose, assertIdentical } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { float64Matmul } from './support/float64Reference.js';
import { randomWeightBytes, Rng } from './support/random.js';

const TYPES = [...COMPUTE_TYPES];
const M_VALUES = [1, 3, 8, 17];
const N_VALUES = [1, 7, 33, 257];
const K_VALUES = [32, 64, 256, 512];
/** F32/F16/BF16 run packed (the default) and unpacked; other types have one path. */
const packings = (type: GgmlType): boolean[] => (PANEL_TYPES.has(type) ? [true, false] : [true]);

interface Case {
  x: Float32Array;
  m: number;
  w: Weight;
  /** want[m][n] and the scale of its rounding error, sum_k |x w| */
  want: Float64Array;
  magnitude: Float64Array;
}

function makeCase(rng: Rng, type: GgmlType, m: number, n: number, k: number, bias?: Float32Array, pack = true): Case {
  const w = Weight.create(type, n, k, randomWeightBytes(rng, type, n, k), { pack });
  const dense = dequantize(type, w.data, n * k);
  const x = rng.floats(m * k);
  return { x, m, w, ...float64Matmul(x, m, dense, n, k, bias) };
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
    for (const pack of packings(type)) {
      for (const k of K_VALUES.filter((v) => v % block === 0)) {
        for (const n of N_VALUES) {
          for (const m of M_VALUES) {
            const c = makeCase(rng, type, m, n, k, undefined, pack);
            forEachLevel((level) => checkMatmul(c, `${ggmlTypeName(type)} M=${m} N=${n} K=${k} pack=${pack} ${level}`));
          }
        }
      }
    }
  });
}

test('matmul: every row count around the GEMM tiles, several work items, K over several K blocks', () => {
  const rng = new Rng(7);
  for (const type of [GgmlType.F32, GgmlType.F16, GgmlType.Q4_K, GgmlType.Q8_0, GgmlType.Q6_K]) {
    const k = type === GgmlType.Q4_K || type === GgmlType.Q6_K ? 768 : 800;  // 3 and 3.125 K blocks
    for (const m of [2, 5, 6, 7, 13, 14, 15, 29, 70]) {
      const c = makeCase(rng, type, m, 37, k);
      forEachLevel((level) => checkMatmul(c, `${ggmlTypeName(type)} M=${m} K=${k} ${level}`));
    }
  }
});

test('matmul: plain float weights accept any K (K=45, 291)', () => {
  const rng = new Rng(8);
  for (const type of [GgmlType.F32, GgmlType.F16, GgmlType.BF16]) {
    for (const pack of [true, false]) {
      for (const [m, k] of [[5, 45], [9, 45], [20, 291]] as const) {
        const c = makeCase(rng, type, m, 9, k, undefined, pack);
        forEachLevel((level) => checkMatmul(c, `${ggmlTypeName(type)} M=${m} K=${k} pack=${pack} ${level}`));
      }
    }
  }
});

test('matmul: bias is added to every output row, on every path', () => {
  const rng = new Rng(9);
  const bias = rng.floats(33, 4);
  for (const [type, m, pack] of [[GgmlType.Q5_0, 3, true], [GgmlType.Q5_0, 20, true], [GgmlType.F16, 3, true],
    [GgmlType.F16, 20, false], [GgmlType.F32, 3, false]] as const) {
    const c = makeCase(rng, type, m, 33, 64, bias, pack);
    forEachLevel((level) => checkMatmul(c, `bias ${ggmlTypeName(type)} M=${m} pack=${pack} ${level}`, bias));
  }
});

test('matmul: packed float weights give each row the same bits whatever the batch around it', () => {
  // Every output is one sequential chain of FMAs over K in the GEMM, so a row computed alone, in
  // a small batch or in a large one is identical; so are packed and unpacked weights from M=8 on.
  const rng = new Rng(11);
  for (const type of [GgmlType.F32, GgmlType.F16, GgmlType.BF16]) {
    const [n, k, m] = [45, 300, 20];
    const bytes = randomWeightBytes(rng, type, n, k);
    const packed = Weight.create(type, n, k, bytes);
    const unpacked = Weight.create(type, n, k, bytes, { pack: false });
    const x = rng.floats(m * k);
    forEachLevel((level) => {
      const all = new Float32Array(m * n);
      matmul(x, m, packed, all);
      const fromUnpacked = new Float32Array(m * n);
      matmul(x, m, unpacked, fromUnpacked);
      assertIdentical(all, fromUnpacked, `${ggmlTypeName(type)} ${level} packed vs unpacked`);
      for (const row of [0, 7, 19]) {
        const one = new Float32Array(n);
        matmul(x.subarray(row * k, (row + 1) * k), 1, packed, one);
        assertIdentical(one, all.subarray(row * n, (row + 1) * n), `${ggmlTypeName(type)} ${level} row ${row} alone`);
      }
    });
  }
});

test('matmul: large activations (row-block items, K outside the panels) give the bits of small batches', () => {
  // Past 4 MB of packed activations (native/src/kernels/gemm.h, planGemm) the GEMM's items change shape
  // and loop order; every output is still the same chain of FMAs over K, at every level and precision.
  const rng = new Rng(13);
  const [n, k, m, chunk] = [45, 4864, 300, 20];
  const x = rng.floats(m * k);
  for (const type of [GgmlType.F32, GgmlType.F16, GgmlType.BF16]) {
    const bytes = randomWeightBytes(rng, type, n, k);
    for (const [pack, precision] of [[true, 'f32'], [false, 'f32'], [true, 'bf16']] as const) {
      const w = Weight.create(type, n, k, bytes, { pack, precision });
      forEachLevel((level) => {
        const all = new Float32Array(m * n);
        matmul(x, m, w, all);
        for (let row = 0; row < m; row += chunk) {
          const part = new Float32Array(chunk * n);
          matmul(x.subarray(row * k, (row + chunk) * k), chunk, w, part);
          assertIdentical(part, all.subarray(row * n, (row + chunk) * n),
            `${ggmlTypeName(type)} pack=${pack} ${precision} ${level} rows ${row}..${row + chunk - 1}`);
        }
      });
    }
  }
});

test('Weight: F32/F16/BF16 are packed into panels by default, at a stated cost; quant types not at f32', () => {
  const rng = new Rng(12);
  for (const type of TYPES) {
    const k = blockLayout(type)!.blockElements === 256 ? 256 : 64;
    const w = Weight.create(type, 40, k, randomWeightBytes(rng, type, 40, k));
    const element = type === GgmlType.F32 ? 4 : 2;
    const expected = PANEL_TYPES.has(type) ? 2 * 32 * k * element : 0;  // 40 rows -> 2 panels of 32
    assert.equal(w.packedBytes, expected, ggmlTypeName(type));
    assert.equal(Weight.create(type, 40, k, w.data, { pack: false }).packedBytes, 0);
  }
  assert.equal(Weight.create(GgmlType.F16, 0, 8, new Uint8Array(0)).packedBytes, 0);
  assert.throws(() => Weight.create(GgmlType.F16, 1, 8, new Uint8Array(16), { pack: 1 as never }), /options.pack must be a boolean/);
  assert.throws(() => Weight.create(GgmlType.F16, 1, 8, new Uint8Array(16), { int8Layout: true as never }),
    /options.int8Layout must be one of interleaved, blocks, panels, got true/);
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
    for (const [type, m] of [[GgmlType.F16, 70], [GgmlType.Q6_K, 70], [GgmlType.Q8_0, 3], [GgmlType.F32, 1]] as const) {
      const c = makeCase(rng, type, m, 257, 512);
      forEachLevel((level) => {
        const one = new Float32Array(m * 257);
        const two = new Float32Array(m * 257);
        setThreads(1);
        matmul(c.x, m, c.w, one);
        setThreads(2);
        matmul(c.x, m, c.w, two);
        assertIdentical(one, two, `${ggmlTypeName(type)} M=${m} ${level} 1 vs 2 threads`);
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

test('getRows of packed weights decodes the packed copy where it holds the exact values (the file bytes may be gone), bit for bit as from the blocks', () => {
  const cases: [GgmlType, WeightOptions][] = [
    ...[...INTERLEAVED_TYPES].map((type): [GgmlType, WeightOptions] => [type, { precision: 'int8', int8Layout: 'interleaved' }]),
    ...[...PANEL_TYPES].flatMap((type): [GgmlType, WeightOptions][] => [[type, { precision: 'f32' }], [type, { precision: 'int8' }]]),
    [GgmlType.Q8_0, { precision: 'int8', int8Layout: 'blocks' }],  // its stored int8 panels
  ];
  for (const [type, options] of cases) {
    const rng = new Rng(2100 + type);
    const cols = blockLayout(type)!.blockElements === 256 ? 512 : 96;
    const rows = 45;  // a partial last group of 8 and panel of 32
    const bytes = randomWeightBytes(rng, type, rows, cols);
    const ids = Int32Array.from([44, 0, 9, 9, 31, 32, 15]);
    const want = new Float32Array(ids.length * cols);
    getRows(Weight.create(type, rows, cols, bytes, { pack: false }), ids, want);
    const w = Weight.create(type, rows, cols, bytes.slice(), options);
    assert.equal(w.matmulReadsOnlyPanels, true, `${ggmlTypeName(type)} ${w.layout}`);
    w.data.fill(0);
    forEachLevel((level) => {
      const out = new Float32Array(ids.length * cols).fill(NaN);
      getRows(w, ids, out);
      assertIdentical(out, want, `${ggmlTypeName(type)} ${w.precision} ${w.layout} ${level}`);
    });
  }
});

test('getRows: an empty id list is fine', () => {
  const w = Weight.create(GgmlType.F32, 2, 4, new Uint8Array(32));
  getRows(w, new Int32Array(0), new Float32Array(0));
  assert.ok(true);
});
