// Tiny random Llama and Qwen2 checkpoints against Hugging Face transformers (an independent implementation):
// logits at every position for prompts crossing several chunk boundaries, greedy continuations, the
// tokenizer.json path; and the same models converted to GGUF by our own converter give the same output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { convertHfToGguf } from '../../src/convert/hfToGguf.js';
import { generate } from '../../src/engine/generate.js';
import { SequenceRunner } from '../../src/engine/sequenceRunner.js';
import { loadModel, type LoadedModel } from '../../src/model/load.js';
import { openGguf } from '../../src/formats/gguf/reader.js';
import { writeGguf } from '../../src/formats/gguf/writer.js';
import { GgmlType } from '../../src/formats/ggmlTypes.js';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { FIXTURES_DIR } from '../helpers/paths.js';

interface Prompt { name: string; ids: number[]; text: string | null; logits_file: string; shape: [number, number]; greedy_ids: number[] }
interface Manifest { prompts: Prompt[]; text_prompts: { text: string; ids: number[]; ids_without_bos: number[] }[] }

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fastfill-hf-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

/** max |a - b| over max |b|: the normwise relative error of a whole logits matrix. */
function relativeError(ours: Float32Array, ref: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return diff / scale;
}

function readLogits(dir: string, p: Prompt): Float32Array {
  const buf = readFileSync(path.join(dir, p.logits_file));
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + p.shape[0] * p.shape[1] * 4));
}

/** Copies a GGUF with every tensor dequantized to F32 by the TypeScript reference block formulas. */
function rewriteAsF32(from: string, to: string): void {
  const file = openGguf(from);
  const tensors = file.tensors.map((t) => {
    const values = dequantize(t.type, file.tensorData(t), t.dims.reduce((a, b) => a * b, 1));
    return { name: t.name, type: GgmlType.F32, dims: t.dims, data: new Uint8Array(values.buffer) };
  });
  writeGguf(to, { metadata: [...file.typedMetadata], tensors });
  file.close();
}

function checkAgainstHf(model: LoadedModel, manifest: Manifest, refDir: string, tolerance: number, label: string): void {
  for (const p of manifest.prompts) {
    const ref = readLogits(refDir, p);
    for (const chunkSize of [16, 64]) {
      const ours = new SequenceRunner(model.transformer, 512).feed(p.ids, { allLogits: true, chunkSize });
      const err = relativeError(ours, ref);
      assert.ok(err <= tolerance, `${label} ${p.name} chunk ${chunkSize}: relative error ${err.toExponential(2)} > ${tolerance}`);
    }
    const result = generate(model, { promptIds: p.ids, maxTokens: p.greedy_ids.length, sampling: { temperature: 0 },
      contextLength: 512, ignoreEos: true, chunkSize: 16 });
    assert.deepEqual(result.ids, p.greedy_ids, `${label} ${p.name}: greedy continuation`);
  }
}

for (const name of ['tiny-llama', 'tiny-qwen2']) {
  const modelDir = path.join(FIXTURES_DIR, 'models', name);
  const refDir = path.join(FIXTURES_DIR, 'reference', name);
  const manifest = JSON.parse(readFileSync(path.join(refDir, 'manifest.json'), 'utf8')) as Manifest;

  test(`${name}: HF folder matches transformers to 1e-4 (logits at every position, greedy)`, () => {
    const model = loadModel(modelDir);
    checkAgainstHf(model, manifest, refDir, 1e-4, 'hf');
    for (const t of manifest.text_prompts) {
      assert.deepEqual(model.tokenizer.encode(t.text), t.ids, `tokenize ${JSON.stringify(t.text)}`);
      assert.deepEqual(model.tokenizer.encode(t.text, { addSpecial: false }), t.ids_without_bos);
    }
  });

  test(`${name}: converted to GGUF (F32) gives the same output as the HF folder`, () => {
    const out = path.join(tmp, `${name}-f32.gguf`);
    convertHfToGguf(modelDir, out);
    const gguf = loadModel(out);
    const hf = loadModel(modelDir);
    assert.equal(gguf.config.ropeStyle, name === 'tiny-llama' ? 'normal' : 'neox');
    checkAgainstHf(gguf, manifest, refDir, 1e-4, 'gguf');
    // GGUF tokenizers behave like llama.cpp's, which applies no NFC normalizer (HF's Qwen2 one does)
    for (const t of manifest.text_prompts.filter((x) => x.text === x.text.normalize('NFC'))) {
      assert.deepEqual(gguf.tokenizer.encode(t.text), hf.tokenizer.encode(t.text), JSON.stringify(t.text));
    }
    const p = manifest.prompts.find((x) => x.name === 'len200')!;
    const a = new SequenceRunner(hf.transformer, 512).feed(p.ids, { allLogits: true });
    const b = new SequenceRunner(gguf.transformer, 512).feed(p.ids, { allLogits: true });
    assert.ok(relativeError(b, a) < 1e-5, 'GGUF and HF paths differ beyond float rounding');
  });

  test(`${name}: Q8_0 and Q4_0 weights compute what their dequantized F32 values compute`, () => {
    const p = manifest.prompts.find((x) => x.name === 'len200')!;
    const errors: number[] = [];
    for (const type of ['Q8_0', 'Q4_0'] as const) {
      const quantizedPath = path.join(tmp, `${name}-${type}.gguf`);
      convertHfToGguf(modelDir, quantizedPath, { type });
      const dequantizedPath = path.join(tmp, `${name}-${type}-as-f32.gguf`);
      rewriteAsF32(quantizedPath, dequantizedPath);
      const quantized = loadModel(quantizedPath, { precision: 'f32' });
      assert.ok([...quantized.tensors.values()].some((t) => t.type === GgmlType[type]), `${type} tensors written`);
      const ours = new SequenceRunner(quantized.transformer, 512).feed(p.ids, { allLogits: true, chunkSize: 64 });
      const ref = new SequenceRunner(loadModel(dequantizedPath).transformer, 512).feed(p.ids, { allLogits: true, chunkSize: 64 });
      const err = relativeError(ours, ref);
      assert.ok(err < 1e-4, `${type}: relative error ${err} against the dequantized weights`);
      errors.push(relativeError(ours, readLogits(refDir, p)));
      // the default int8 path quantizes activations too (8-bit, like the weights): about as far from the exact
      // path as Q8_0 weights are from F32 ones on these deliberately sensitive random models
      const int8 = new SequenceRunner(loadModel(quantizedPath, { precision: 'int8' }).transformer, 512)
        .feed(p.ids, { allLogits: true, chunkSize: 64 });
      const int8Err = relativeError(int8, ours);
      assert.ok(int8Err > 0 && int8Err < 0.15, `${type}: int8 activations moved the logits by ${int8Err}`);
    }
    assert.ok(errors[0]! < errors[1]!, `Q8_0 (${errors[0]}) should be closer to HF than Q4_0 (${errors[1]})`);
  });
}
