// The Q4_K / Q5_K / Q6_K quantizers, decoded by kBlocks.ts's dequantizers (tested against llama.cpp): every
// element within half a quantization step of its block's own scales, steps no coarser than the data
// needs, finite scales on extreme inputs; the Q5_0 fallback quantizer byte for byte against llama-quantize, and
// Q5_K's and the Q5_1 fallback's errors against llama-quantize's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openGguf } from '../../src/formats/gguf/reader.js';
import type { GgufFile } from '../../src/formats/gguf/types.js';
import { GgmlType } from '../../src/formats/ggmlTypes.js';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { f16ToF32 } from '../../src/formats/quant/halfFloat.js';
import { scaleMinK4 } from '../../src/formats/quant/kBlocks.js';
import { quantizeQ4_K, quantizeQ5_0, quantizeQ5_1, quantizeQ5_K, quantizeQ6_K } from '../../src/formats/quant/quantize.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';
import { mulberry32 } from './support/prng.js';

const half = (b: Uint8Array, p: number): number => f16ToF32(b[p]! | (b[p + 1]! << 8));
const int8 = (v: number): number => (v << 24) >> 24;

/**
 * Q4_K (Q5_K): element i of sub-block j decodes to d*sc*q - dmin*m, q <= Q = 15 (31). Checked per element:
 *  - |x - x'| <= d*sc/2 (half a step of the block's own, rounded scales) + the float32 rounding of the
 *    decoder's subtraction (2^-23 of |x| + dmin*m);
 *  - |x - x'| <= range/2Q + (R + L)/1500 + 1e-7, where range = max - min(0, min) of the sub-block, R the
 *    largest such range and L the largest -min(0, min) in the super-block: a step of at most range/Q plus
 *    what rounding the 6-bit sc, m up against d ~ R/63Q and dmin ~ L/63 adds (each at most about R/1890 and
 *    L/1890); so a quantizer with needlessly coarse steps fails, whatever its scales say.
 * Returns the first violation, or undefined.
 */
function kMinsViolation(type: GgmlType.Q4_K | GgmlType.Q5_K, x: Float32Array, bytes: Uint8Array): string | undefined {
  const blockBytes = type === GgmlType.Q4_K ? 144 : 176, maxQ = type === GgmlType.Q4_K ? 15 : 31;
  if (bytes.length !== (x.length / 256) * blockBytes) return `length ${bytes.length}`;
  const y = dequantize(type, bytes, x.length);
  for (let b = 0; b < x.length / 256; b++) {
    const p = b * blockBytes;
    const d = half(bytes, p);
    const dmin = half(bytes, p + 2);
    if (!Number.isFinite(d) || !Number.isFinite(dmin) || d < 0 || dmin < 0) return `block ${b}: d ${d}, dmin ${dmin}`;
    const ranges = [];
    let lowest = 0;
    for (let j = 0; j < 8; j++) {
      const sub = x.subarray(256 * b + 32 * j, 256 * b + 32 * j + 32);
      ranges.push(Math.max(...sub) - Math.min(0, ...sub));
      lowest = Math.min(lowest, ...sub);
    }
    const slack = (Math.max(...ranges) - lowest) / 1500 + 1e-7;
    for (let j = 0; j < 8; j++) {
      const [sc, m] = scaleMinK4(bytes, p + 4, j);
      for (let l = 0; l < 32; l++) {
        const i = 256 * b + 32 * j + l;
        const err = Math.abs(x[i]! - y[i]!);
        const halfStep = (d * sc) / 2 + 2 ** -23 * (Math.abs(x[i]!) + dmin * m);
        if (!(err <= halfStep)) return `[${i}] ${x[i]} -> ${y[i]}: error ${err} > half step ${halfStep} (d ${d} sc ${sc} dmin ${dmin} m ${m})`;
        const needed = ranges[j]! / (2 * maxQ) + slack;
        if (!(err <= needed)) return `[${i}] ${x[i]} -> ${y[i]}: error ${err} > ${needed}, steps coarser than the data needs`;
      }
    }
  }
  return undefined;
}

/**
 * Q6_K: element i of sub-block j (16 elements) decodes to d*sc*(q - 32), exactly in float32. Checked:
 *  - |x - x'| <= d*|sc|/2 (+ 2^-24 |x|);
 *  - |x - x'| <= amax/62 + A/5000 + 1e-7 (amax of the sub-block, A of the super-block: a step of at most
 *    amax/31 plus the int8 rounding of the scale against A).
 */
function q6KViolation(x: Float32Array, bytes: Uint8Array): string | undefined {
  if (bytes.length !== (x.length / 256) * 210) return `length ${bytes.length}`;
  const y = dequantize(GgmlType.Q6_K, bytes, x.length);
  for (let b = 0; b < x.length / 256; b++) {
    const p = b * 210;
    const d = half(bytes, p + 208);
    if (!Number.isFinite(d) || d < 0) return `block ${b}: d ${d}`;
    let amaxSuper = 0;
    for (let i = 256 * b; i < 256 * (b + 1); i++) amaxSuper = Math.max(amaxSuper, Math.abs(x[i]!));
    for (let j = 0; j < 16; j++) {
      const sc = int8(bytes[p + 192 + j]!);
      let amax = 0;
      for (let l = 0; l < 16; l++) amax = Math.max(amax, Math.abs(x[256 * b + 16 * j + l]!));
      for (let l = 0; l < 16; l++) {
        const i = 256 * b + 16 * j + l;
        const err = Math.abs(x[i]! - y[i]!);
        const halfStep = (d * Math.abs(sc)) / 2 + 2 ** -24 * Math.abs(x[i]!);
        if (!(err <= halfStep)) return `[${i}] ${x[i]} -> ${y[i]}: error ${err} > half step ${halfStep} (d ${d} sc ${sc})`;
        const needed = amax / 62 + amaxSuper / 5000 + 1e-7;
        if (!(err <= needed)) return `[${i}] ${x[i]} -> ${y[i]}: error ${err} > ${needed}, steps coarser than the data needs`;
      }
    }
  }
  return undefined;
}

function blocksOf(count: number, value: (i: number) => number): Float32Array {
  const x = new Float32Array(256 * count);
  for (let i = 0; i < x.length; i++) x[i] = value(i);
  return x;
}

const rand = mulberry32(12345);
const uniform = (lo: number, hi: number) => () => lo + (hi - lo) * rand();
/** Structured and random inputs (each a few super-blocks), all finite and within the fp16 scale range. */
const CASES: Array<[string, Float32Array]> = [
  ['uniform +-0.05', blocksOf(32, uniform(-0.05, 0.05))],
  ['bell-shaped with rare outliers', blocksOf(32, () => (rand() + rand() + rand() - 1.5) * (rand() < 0.01 ? 40 : 1))],
  ['zeros', blocksOf(2, () => 0)],
  ['positive constant', blocksOf(2, () => 0.7)],
  ['negative constant', blocksOf(2, () => -3.25)],
  ['ramp', blocksOf(3, (i) => (i % 256) * 0.01 - 1.28)],
  ['descending ramp, all negative', blocksOf(2, (i) => -0.001 * (i % 256) - 5)],
  ['negative only', blocksOf(4, uniform(-2, -0.001))],
  ['positive only, far from zero', blocksOf(4, uniform(1000, 1000.5))],
  ['single outlier in zeros', blocksOf(2, (i) => (i === 37 ? 100 : 0))],
  ['single negative outlier in noise', blocksOf(2, (i) => (i === 300 ? -50 : (rand() - 0.5) * 0.01))],
  ['wide range across sub-blocks (1e-5 .. 1e3)', blocksOf(4, (i) => (rand() - 0.5) * 10 ** (((i >> 4) % 9) - 5))],
  ['wide range within a sub-block', blocksOf(2, (i) => (i % 7 === 0 ? 3e4 : -2e-3 * rand()))],
  ['tiny values (below fp16)', blocksOf(2, uniform(-1e-9, 1e-9))],
  ['large values (+-3e4)', blocksOf(2, uniform(-3e4, 3e4))],
  ['alternating signs', blocksOf(2, (i) => (i & 1 ? 1 : -1) * (1 + (i % 5)))],
];

for (const [name, x] of CASES) {
  test(`Q4_K: ${name}`, () => {
    const bytes = quantizeQ4_K(x);
    assert.equal(bytes.length, (x.length / 256) * 144);
    assert.equal(kMinsViolation(GgmlType.Q4_K, x, bytes), undefined);
  });
  test(`Q5_K: ${name}`, () => {
    const bytes = quantizeQ5_K(x);
    assert.equal(bytes.length, (x.length / 256) * 176);
    assert.equal(kMinsViolation(GgmlType.Q5_K, x, bytes), undefined);
  });
  test(`Q6_K: ${name}`, () => {
    const bytes = quantizeQ6_K(x);
    assert.equal(bytes.length, (x.length / 256) * 210);
    assert.equal(q6KViolation(x, bytes), undefined);
  });
}

test('all-zero input gives all-zero blocks', () => {
  assert.deepEqual([...quantizeQ4_K(new Float32Array(256))], new Array(144).fill(0));
  const q6 = quantizeQ6_K(new Float32Array(256));
  assert.ok(q6.subarray(192).every((v) => v === 0), 'Q6_K: zero scales and d');
  assert.ok(q6.subarray(0, 128).every((v) => v === 0) && q6.subarray(128, 192).every((v) => v === 0xaa), 'Q6_K: every q is 32 (0)');
});

test('extreme magnitudes give finite scales and saturate with the right sign', () => {
  const big = 3.4e38;
  const x = blocksOf(2, (i) => (i % 3 === 0 ? big : i % 3 === 1 ? -big : (rand() - 0.5) * 1e30));
  for (const [type, bytes, dOffsets, size] of [
    [GgmlType.Q4_K, quantizeQ4_K(x), [0, 2], 144],
    [GgmlType.Q6_K, quantizeQ6_K(x), [208], 210],
  ] as const) {
    for (let b = 0; b < 2; b++) {
      for (const o of dOffsets) {
        const d = half(bytes, b * size + o);
        assert.ok(Number.isFinite(d) && d > 0, `type ${type}: block ${b} scale ${d}`);
      }
    }
    const y = dequantize(type, bytes, x.length);
    for (let i = 0; i < x.length; i++) {
      assert.ok(Number.isFinite(y[i]!), `type ${type} [${i}] decodes to ${y[i]}`);
      if (Math.abs(x[i]!) === big) assert.equal(Math.sign(y[i]!), Math.sign(x[i]!), `type ${type} [${i}]`);
    }
  }
});

test('lengths that are not whole super-blocks are refused', () => {
  assert.throws(() => quantizeQ4_K(new Float32Array(896)), /quantizeQ4_K: 896 values is not a multiple of 256/);
  assert.throws(() => quantizeQ6_K(new Float32Array(100)), /quantizeQ6_K: 100 values is not a multiple of 256/);
  assert.throws(() => quantizeQ5_0(new Float32Array(48)), /quantizeQ5_0: 48 values is not a multiple of 32/);
  assert.throws(() => quantizeQ5_1(new Float32Array(48)), /quantizeQ5_1: 48 values is not a multiple of 32/);
  assert.throws(() => quantizeQ5_K(new Float32Array(300)), /quantizeQ5_K: 300 values is not a multiple of 256/);
  assert.equal(quantizeQ4_K(new Float32Array(0)).length, 0);
});

test('the checks catch broken packing: swapped scale nibbles, swapped qh bit pairs', () => {
  const x = CASES[0]![1].subarray(0, 512);
  const q4 = quantizeQ4_K(x);
  const swapped = q4.slice();
  swapped[4 + 8] = ((q4[4 + 8]! & 0xf) << 4) | (q4[4 + 8]! >> 4); // sub-block 4's scale <-> min low bits
  assert.notEqual(swapped[4 + 8], q4[4 + 8]);
  assert.match(kMinsViolation(GgmlType.Q4_K, x, swapped) ?? '', /error/);
  const q6 = quantizeQ6_K(x);
  const badQh = q6.slice();
  badQh[128] = ((q6[128]! & 3) << 2) | ((q6[128]! >> 2) & 3) | (q6[128]! & 0xf0);
  if (badQh[128] === q6[128]) badQh[128] ^= 1;
  assert.match(q6KViolation(x, badQh) ?? '', /error/);
  const q5 = quantizeQ5_K(x);
  const flipped = q5.slice();
  flipped[16 + 5] ^= 1 << 3; // the fifth bit of element 5 of sub-block 3
  assert.match(kMinsViolation(GgmlType.Q5_K, x, flipped) ?? '', /error/);
});

test('our Q4_K / Q6_K are within 1.25x of llama-quantize\'s RMS error on the same weights',
  { skip: sharedSkip('models/random/qwen2-pub-q6_k.gguf') }, () => {
    const floats = (file: GgufFile, name: string) => {
      const t = file.tensor(name)!;
      return dequantize(t.type, file.tensorData(t), t.dims.reduce((a, b) => a * b, 1));
    };
    const source = openGguf(sharedPath('models/random/qwen2-pub-f32.gguf'));
    for (const [file, type, quantize] of [
      ['qwen2-pub-q4_k_m.gguf', GgmlType.Q4_K, quantizeQ4_K], ['qwen2-pub-q6_k.gguf', GgmlType.Q6_K, quantizeQ6_K],
    ] as const) {
      const theirs = openGguf(sharedPath(`models/random/${file}`));
      const tensors = theirs.tensors.filter((t) => t.type === type);
      assert.ok(tensors.length >= 19);
      for (const t of tensors) {
        const x = floats(source, t.name);
        const ours = dequantize(type, quantize(x), x.length);
        const ref = floats(theirs, t.name);
        let ourErr = 0;
        let refErr = 0;
        for (let i = 0; i < x.length; i++) {
          ourErr += (ours[i]! - x[i]!) ** 2;
          refErr += (ref[i]! - x[i]!) ** 2;
        }
        const ratio = Math.sqrt(ourErr / refErr);
        assert.ok(ratio < 1.25, `${file} ${t.name}: RMS error ${ratio.toFixed(3)}x llama.cpp's`);
      }
      theirs.close();
    }
    source.close();
  });

test('our Q5_K and Q5_1 (Q5_K_M\'s fallback) are within 1.25x and 1.01x of llama-quantize\'s RMS error on the same weights',
  { skip: sharedSkip('models/random/llama-pub-q5_k_m.gguf') }, () => {
    // llama-quantize read F32 weights that are not in ../shared; the F16 file holds them rounded
    const source = openGguf(sharedPath('models/random/llama-pub-f16.gguf'));
    const theirs = openGguf(sharedPath('models/random/llama-pub-q5_k_m.gguf'));
    const limits = new Map([[GgmlType.Q5_K, 1.25], [GgmlType.Q5_1, 1.01]]);
    const seen = new Set<GgmlType>();
    for (const t of theirs.tensors) {
      const limit = limits.get(t.type);
      if (limit === undefined) continue;
      seen.add(t.type);
      const count = t.dims.reduce((a, b) => a * b, 1);
      const s = source.tensor(t.name)!;
      const x = dequantize(s.type, source.tensorData(s), count);
      const ours = dequantize(t.type, t.type === GgmlType.Q5_K ? quantizeQ5_K(x) : quantizeQ5_1(x), count);
      const ref = dequantize(t.type, theirs.tensorData(t), count);
      let ourErr = 0;
      let refErr = 0;
      for (let i = 0; i < count; i++) {
        ourErr += (ours[i]! - x[i]!) ** 2;
        refErr += (ref[i]! - x[i]!) ** 2;
      }
      const ratio = Math.sqrt(ourErr / refErr);
      assert.ok(ratio < limit, `${t.name}: RMS error ${ratio.toFixed(3)}x llama.cpp's`);
    }
    assert.deepEqual([...seen].sort(), [GgmlType.Q5_1, GgmlType.Q5_K].sort());
    theirs.close();
    source.close();
  });

test('quantizeQ5_0 reproduces llama-quantize byte for byte', { skip: sharedSkip('models/random/qwen2-pub-q5_0.gguf') }, () => {
  const source = openGguf(sharedPath('models/random/qwen2-pub-f32.gguf'));
  const file = openGguf(sharedPath('models/random/qwen2-pub-q5_0.gguf'));
  const tensors = file.tensors.filter((t) => t.type === GgmlType.Q5_0);
  assert.equal(tensors.length, 21);
  for (const t of tensors) {
    const s = source.tensor(t.name)!;
    const x = dequantize(s.type, source.tensorData(s), s.dims.reduce((a, b) => a * b, 1));
    assert.ok(Buffer.from(quantizeQ5_0(x)).equals(Buffer.from(file.tensorData(t))), `${t.name} differs`);
  }
  file.close();
  source.close();
});
