// Attention at precision 'bf16' with scores spread over more than 120 (natural units), so the
// softmax weights span e^-120..1 (past 2^-126, where the pair steps clamp) and the running max
// jumps far between 128-key steps: every range of the pair steps' exp2 (kernels/attention_step.h:
// log2-unit scores, vreduceps fraction, polynomial, vscalefps) and of their corrections is used.
// The bound is attentionBf16.test.ts's: bf16 rounding of each weight (2^-9 relative) times max |v|
// (1), plus F32 noise; decode and a chunk must still give exactly the prefill's rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attention, type AttentionArgs } from '../../src/kernels/native.js';
import { rounded } from './support/halfFloats.js';
import { assertClose, assertIdentical } from './support/close.js';
import { forEachLevel } from './support/levels.js';
import { Rng } from './support/random.js';
import { denseCausalPlan, pagedCache, promptCase, referenceAttention, type Shape } from './support/attentionCases.js';

const TOLERANCE = 2 ** -9 + 1e-5;
const Q_SCALE = 128; // a power of two: the bf16-rounded queries are the rounded ones times Q_SCALE

function run(args: Omit<AttentionArgs, 'out'>): Float32Array {
  const out = new Float32Array(args.q.length).fill(NaN);
  attention({ ...args, out });
  return out;
}

test('attention bf16: scores spread over 120 stay within 2^-9 of float64; decode and chunks equal the prefill rows', () => {
  const shape: Shape = { nHeads: 14, nKvHeads: 2, headDim: 64, blockSize: 16 };
  const tokens = 300;
  const { seq, numBlocks, blockTable, q: q1, qPositions, qRow, prefill: prefill1 } = promptCase(new Rng(91), shape, tokens, 1);
  const q = q1.map((x) => x * Q_SCALE);
  const prefill = { ...prefill1, q };
  const last = tokens - 1;
  const decodeArgs = { q: q.subarray(last * qRow), qPositions: Int32Array.of(last),
    ...denseCausalPlan(last, 1, blockTable, shape.blockSize, 1) };
  const chunkArgs = { q: q.subarray(100 * qRow, 140 * qRow), qPositions: qPositions.subarray(100, 140),
    ...denseCausalPlan(100, 40, blockTable, shape.blockSize, 32) };
  const { kCache, vCache } = pagedCache(seq, shape, blockTable, numBlocks);
  const scale = 1 / Math.sqrt(shape.headDim);

  // the case is as wide as claimed: the last query's head-0 scores spread over more than 120
  const kRounded = rounded(seq.k), qRounded = rounded(q);
  const scores = Array.from({ length: tokens }, (_, p) => {
    let s = 0;
    for (let d = 0; d < shape.headDim; d++) s += qRounded[last * qRow + d]! * kRounded[p * shape.nKvHeads * shape.headDim + d]!;
    return s * scale;
  });
  assert.ok(Math.max(...scores) - Math.min(...scores) > 120, `score spread ${Math.max(...scores) - Math.min(...scores)}`);

  const common = { kCache, vCache, scale, ...shape };
  const want = referenceAttention({ ...common, kCache: rounded(kCache), vCache: rounded(vCache), ...prefill, q: qRounded,
    out: new Float32Array(q.length) });
  forEachLevel((level) => {
    const bf16 = run({ ...common, ...prefill, precision: 'bf16' });
    assertIdentical(run({ ...common, ...decodeArgs, precision: 'bf16' }), bf16.subarray(last * qRow), `decode, ${level}`);
    assertIdentical(run({ ...common, ...chunkArgs, precision: 'bf16' }), bf16.subarray(100 * qRow, 140 * qRow), `chunk, ${level}`);
    // levels without AVX512-BF16 compute at F32 on unrounded inputs: far from this reference at such scores
    if (level === 'avx512bf16' || level === 'amx') assertClose(bf16, want, () => TOLERANCE, `prefill ${level}`);
  });
});
