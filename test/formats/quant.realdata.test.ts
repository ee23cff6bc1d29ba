// Quantizers and dequantization against llama.cpp's own output: qwen2-pub-q8_0/q4_0 were made by
// llama-quantize from qwen2-pub-f32, the llama-pub files from an F32 file whose F16 copy is
// llama-pub-f16 (README of models/random).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openGguf } from '../../src/formats/gguf/reader.js';
import type { GgufFile } from '../../src/formats/gguf/types.js';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { quantizeQ4_0, quantizeQ8_0 } from '../../src/formats/quant/quantize.js';
import { f32ToF16 } from '../../src/formats/quant/halfFloat.js';
import { blockLayout, GgmlType, ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';

const RANDOM = 'models/random';

function floats(file: GgufFile, name: string): Float32Array {
  const t = file.tensor(name)!;
  return dequantize(t.type, file.tensorData(t), t.dims.reduce((a, b) => a * b, 1));
}

test('quantizers on hand-computed blocks', () => {
  const x = new Float32Array(32);
  x.set([1, -0.5, 0.25]);
  const q8 = quantizeQ8_0(x);
  const d8 = f32ToF16(Math.fround(1 / 127));
  assert.deepEqual([...q8.subarray(0, 5)], [d8 & 0xff, d8 >> 8, 127, 256 - 64, 32]); // -63.5 rounds away from zero
  assert.deepEqual([...quantizeQ8_0(new Float32Array(32))], new Array(34).fill(0));

  const y = new Float32Array(32);
  y.set([-2, 1, 0.25, 2]); // first largest magnitude is -2: d = -2 / -8 = 0.25
  const q4 = quantizeQ4_0(y);
  // q = min(15, trunc(x / 0.25 + 8.5)): -2 -> 0, 1 -> 12, 0.25 -> 9, 2 -> 15 (clamped 16), 0 -> 8
  assert.deepEqual([...q4.subarray(0, 6)], [0x00, 0x34, 0x80 | 0, 0x80 | 12, 0x80 | 9, 0x80 | 15]);
  assert.throws(() => quantizeQ8_0(new Float32Array(31)), /multiple of 32/);
});

test('quantizeQ8_0 / quantizeQ4_0 of the F32 weights reproduce llama-quantize byte for byte', { skip: sharedSkip(`${RANDOM}/qwen2-pub-q4_0.gguf`) }, () => {
  const source = openGguf(sharedPath(`${RANDOM}/qwen2-pub-f32.gguf`));
  for (const [name, type, quantize] of [['q8_0', GgmlType.Q8_0, quantizeQ8_0], ['q4_0', GgmlType.Q4_0, quantizeQ4_0]] as const) {
    const file = openGguf(sharedPath(`${RANDOM}/qwen2-pub-${name}.gguf`));
    const quantized = file.tensors.filter((t) => t.type === type);
    assert.equal(quantized.length, type === GgmlType.Q8_0 ? 22 : 21);
    for (const t of quantized) {
      const ours = quantize(floats(source, t.name));
      const theirs = file.tensorData(t);
      assert.ok(Buffer.from(ours).equals(Buffer.from(theirs)), `${name} ${t.name} differs`);
    }
    file.close();
  }
  source.close();
});

/**
 * Largest error of a dequantized element, as a fraction of the largest magnitude in its block of
 * the reference. Legacy types: the quantization half-step (Q8_0 0.5/127, Q5_1 1/31 of the range
 * half) or the full step the clamp can cost (Q4_0 1/8, Q5_0 1/16), plus fp16 scale rounding and
 * the F16 reference. K-quants choose scales by search, with no closed bound: about 1.5 to 2
 * half-steps (measured: Q4_K 0.10, Q5_K 0.047, Q6_K 0.016).
 */
const MAX_BLOCK_ERROR: Partial<Record<GgmlType, number>> = {
  [GgmlType.Q8_0]: 0.5 / 127 + 2 * 2 ** -11,
  [GgmlType.Q4_0]: 0.127, [GgmlType.Q5_0]: 0.0635, [GgmlType.Q5_1]: 0.034,
  [GgmlType.Q4_K]: 0.15, [GgmlType.Q5_K]: 0.08, [GgmlType.Q6_K]: 0.025,
};
/** Root-mean-square error relative to the tensor's RMS. */
const MAX_RMS_ERROR: Partial<Record<GgmlType, number>> = {
  [GgmlType.Q8_0]: 0.007, [GgmlType.Q6_K]: 0.025, [GgmlType.Q5_0]: 0.05, [GgmlType.Q5_1]: 0.05,
  [GgmlType.Q5_K]: 0.05, [GgmlType.Q4_0]: 0.1, [GgmlType.Q4_K]: 0.1,
};

function checkClose(label: string, type: GgmlType, reference: Float32Array, got: Float32Array, referenceIsF16: boolean): void {
  assert.equal(got.length, reference.length);
  if (type === GgmlType.F32 || (type === GgmlType.F16 && referenceIsF16)) {
    assert.deepEqual(got, reference, label);
    return;
  }
  if (type === GgmlType.F16 || type === GgmlType.BF16) {
    const rel = type === GgmlType.F16 ? 2 ** -11 : 2 ** -8;
    for (let i = 0; i < got.length; i++) {
      const bound = Math.max(Math.abs(reference[i]!) * rel, 2 ** -25);
      if (Math.abs(got[i]! - reference[i]!) > bound) assert.fail(`${label}[${i}]: ${got[i]} vs ${reference[i]}`);
    }
    return;
  }
  const block = blockLayout(type)!.blockElements;
  const maxBlock = MAX_BLOCK_ERROR[type]!;
  let squaredError = 0;
  let squared = 0;
  for (let b = 0; b < got.length; b += block) {
    let amax = 0;
    let err = 0;
    for (let i = b; i < b + block; i++) {
      amax = Math.max(amax, Math.abs(reference[i]!));
      err = Math.max(err, Math.abs(got[i]! - reference[i]!));
      squaredError += (got[i]! - reference[i]!) ** 2;
      squared += reference[i]! ** 2;
    }
    if (err > amax * maxBlock) assert.fail(`${label}: block at ${b} has error ${err}, ${err / amax} of its largest value`);
  }
  const rms = Math.sqrt(squaredError / squared);
  assert.ok(rms <= MAX_RMS_ERROR[type]!, `${label}: relative RMS error ${rms}`);
}

test('dequantizing every tensor of every random model stays within its type\'s error bound', { skip: sharedSkip(`${RANDOM}/llama-pub-f16.gguf`) }, () => {
  const references = { qwen2: openGguf(sharedPath(`${RANDOM}/qwen2-pub-f32.gguf`)), llama: openGguf(sharedPath(`${RANDOM}/llama-pub-f16.gguf`)) };
  const seen = new Set<string>();
  for (const name of fs.readdirSync(sharedPath(RANDOM)).filter((f) => f.endsWith('.gguf'))) {
    const family = name.startsWith('qwen2') ? 'qwen2' : 'llama';
    const reference = references[family];
    const file = openGguf(sharedPath(`${RANDOM}/${name}`));
    for (const t of file.tensors) {
      seen.add(ggmlTypeName(t.type));
      checkClose(`${name} ${t.name} (${ggmlTypeName(t.type)})`, t.type, floats(reference, t.name), floats(file, t.name), family === 'llama');
    }
    file.close();
  }
  assert.deepEqual([...seen].sort(), ['BF16', 'F16', 'F32', 'Q4_0', 'Q4_K', 'Q5_0', 'Q5_1', 'Q5_K', 'Q6_K', 'Q8_0']);
  references.qwen2.close();
  references.llama.close();
});
