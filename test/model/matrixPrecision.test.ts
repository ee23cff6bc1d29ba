// The loader's default precision per weight type: BF16 matrices compute at 'bf16' (llama.cpp's rounding of
// their activations), F16/F32 matrices exactly, quantized ones on int8 panels; an explicit precision applies
// to every matrix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgmlType } from '../../src/formats/ggmlTypes.js';
import { loadModel } from '../../src/model/load.js';
import { matrixPrecision } from '../../src/model/weights.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';

test('matrixPrecision: only BF16 under the default int8 setting changes', () => {
  assert.equal(matrixPrecision(GgmlType.BF16, 'int8'), 'bf16');
  for (const type of [GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_K]) assert.equal(matrixPrecision(type, 'int8'), 'int8');
  for (const precision of ['f32', 'bf16'] as const) {
    for (const type of [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0]) assert.equal(matrixPrecision(type, precision), precision);
  }
});

const BF16_FILE = 'models/random/qwen2-pub-bf16.gguf';

test('a BF16 GGUF loads with bf16 matrices by default and f32 ones when asked', { skip: sharedSkip(BF16_FILE) }, () => {
  const byDefault = loadModel(sharedPath(BF16_FILE), { precision: 'int8' }).transformer.weights;
  const exact = loadModel(sharedPath(BF16_FILE), { precision: 'f32' }).transformer.weights;
  for (const w of [byDefault.layers[0]!.wq, byDefault.layers[0]!.wDown, byDefault.output]) {
    assert.equal(w.type, GgmlType.BF16);
    assert.equal(w.precision, 'bf16');
  }
  assert.equal(exact.layers[0]!.wq.precision, 'f32');
});
