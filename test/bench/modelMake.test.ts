// The benchmark model maker: a tiny model of the same structure, written by our writer, read back by our loader;
// deterministic, reused from the cache, the same values whatever the weight type; and the Qwen2.5 vocabulary
// in the metadata tokenizes like the real Qwen2.5 tokenizer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QWEN25_05B_SHAPE, QWEN25_15B_SHAPE, shapeParameterCount, TINY_SHAPE } from '../../src/bench/model/benchShape.js';
import { benchTensorSpecs, makeBenchTensor } from '../../src/bench/model/benchTensors.js';
import { benchTokenizer, qwenTokenizerDir } from '../../src/bench/model/benchTokenizer.js';
import { benchMatrixTypes, benchModelPath, ensureBenchModel } from '../../src/bench/model/makeBenchModel.js';
import { kQuantMixtureTypes, useMoreBits, type KQuantMixture } from '../../src/bench/model/kQuantMixtures.js';
import { GgmlType, ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { openGguf } from '../../src/formats/gguf/reader.js';
import type { GgufTypedValue, GgufValue } from '../../src/formats/gguf/types.js';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { loadModel, openModelFiles } from '../../src/model/load.js';
import { tokenizerFromGgufMetadata } from '../../src/tokenizer/index.js';
import { SHARED_DIR, sharedPath, sharedSkip } from '../helpers/paths.js';

const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'fastfill-benchmodel-'));
process.on('exit', () => rmSync(cacheDir, { recursive: true, force: true }));

test('the tiny bench model loads with the shape it was made with, and is reused from the cache', () => {
  const made = ensureBenchModel({ type: 'q8_0', shape: TINY_SHAPE, cacheDir, tokenizerDir: null });
  assert.equal(made.created, true);
  assert.equal(made.path, benchModelPath({ type: 'q8_0', shape: TINY_SHAPE, cacheDir }, 'bytes'));
  assert.match(made.path, /tiny-shape-q8_0-seed1-bytevocab\.gguf$/);
  assert.equal(made.sidecar.bytes, statSync(made.path).size);
  assert.equal(made.sidecar.tokenizer, 'bytes');

  const again = ensureBenchModel({ type: 'q8_0', shape: TINY_SHAPE, cacheDir, tokenizerDir: null });
  assert.equal(again.created, false);

  const model = loadModel(made.path);
  const c = model.config;
  assert.deepEqual(
    [c.architecture, c.hiddenSize, c.numLayers, c.numHeads, c.numKvHeads, c.headDim, c.intermediateSize, c.vocabSize, c.contextLength],
    ['qwen2', 128, 2, 4, 2, 32, 256, 384, 1024]);
  assert.equal(c.ropeTheta, 1e6);
  assert.ok(Math.abs(c.rmsNormEps - 1e-6) < 1e-12);
  assert.equal(c.tiedEmbeddings, true);
  assert.equal(c.attentionBias, true);
  assert.equal(c.ropeStyle, 'neox');
  let params = 0;
  for (const t of model.tensors.values()) params += t.dims.reduce((a, b) => a * b, 1);
  assert.equal(params, shapeParameterCount(TINY_SHAPE));
  assert.equal(model.tensors.get('blk.1.ffn_down.weight')!.type, GgmlType.Q8_0);
  assert.equal(model.tensors.get('blk.1.attn_q.bias')!.type, GgmlType.F32);
  // the byte-level vocabulary: one token per UTF-8 byte, end-of-text at 256
  assert.deepEqual(model.tokenizer.encode('Hi!', { addSpecial: false }), [0x48, 0x69, 0x21]);
  assert.equal(model.tokenizer.decode(model.tokenizer.encode('héllo', { addSpecial: false })), 'héllo');
  assert.equal(model.tokenizer.tokenText(256), '<|endoftext|>');
});

test('tensor contents are deterministic per (seed, name) and independent of the weight type', () => {
  const spec = benchTensorSpecs(TINY_SHAPE).find((s) => s.name === 'blk.0.ffn_gate.weight')!;
  const a = makeBenchTensor(spec, GgmlType.F16, 7);
  assert.deepEqual(a.data, makeBenchTensor(spec, GgmlType.F16, 7).data);
  assert.notDeepEqual(a.data, makeBenchTensor(spec, GgmlType.F16, 8).data);
  const count = spec.dims[0]! * spec.dims[1]!;
  const f16 = dequantize(GgmlType.F16, a.data, count);
  const q8 = dequantize(GgmlType.Q8_0, makeBenchTensor(spec, GgmlType.Q8_0, 7).data, count);
  const q4 = dequantize(GgmlType.Q4_0, makeBenchTensor(spec, GgmlType.Q4_0, 7).data, count);
  let maxAbs = 0;
  let q8Err = 0;
  let q4Err = 0;
  let sumSq = 0;
  for (let i = 0; i < count; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(f16[i]!));
    q8Err = Math.max(q8Err, Math.abs(q8[i]! - f16[i]!));
    q4Err = Math.max(q4Err, Math.abs(q4[i]! - f16[i]!));
    sumSq += f16[i]! ** 2;
  }
  const halfWidth = 0.02 * Math.sqrt(3);
  assert.ok(maxAbs <= halfWidth && maxAbs > 0.95 * halfWidth, `values within the uniform range, max ${maxAbs}`);
  assert.ok(Math.abs(Math.sqrt(sumSq / count) - 0.02) < 0.001, 'standard deviation 0.02');
  // Q8_0 rounds to amax/127 steps (half a step at most); Q4_0 to amax/8 steps, where the value opposite the
  // block's extreme is clamped to level 15 (a whole step); plus the fp16 scale's rounding
  assert.ok(q8Err <= halfWidth / 127 / 2 + 1e-4, `Q8_0 error ${q8Err}`);
  assert.ok(q4Err <= halfWidth / 8 + 1e-4, `Q4_0 error ${q4Err}`);
  assert.ok(q4Err > q8Err);
});

test('norm weights are ones and vectors stay F32', () => {
  const spec = benchTensorSpecs(TINY_SHAPE).find((s) => s.name === 'output_norm.weight')!;
  const t = makeBenchTensor(spec, GgmlType.Q4_0, 1);
  assert.equal(t.type, GgmlType.F32);
  assert.deepEqual([...new Float32Array(t.data.buffer, t.data.byteOffset, 128)], new Array(128).fill(1));
});

function plainValue(v: GgufTypedValue): GgufValue {
  return v.type === 'array' ? (v.values as GgufValue[]) : v.value;
}

test('the Qwen2.5 vocabulary in the metadata: padded to the embedding rows, tokenizes like Qwen2.5',
  { skip: sharedSkip('tokenizers/qwen2.5/vocab.json') }, () => {
    const dir = qwenTokenizerDir(SHARED_DIR);
    assert.ok(dir);
    const tok = benchTokenizer(151936, dir);
    assert.equal(tok.source, 'qwen2.5');
    const meta = new Map(tok.metadata.map(([k, v]) => [k, plainValue(v)]));
    const tokens = meta.get('tokenizer.ggml.tokens') as string[];
    const types = meta.get('tokenizer.ggml.token_type') as number[];
    assert.equal(tokens.length, 151936);
    assert.equal(types.length, 151936);
    assert.equal(tokens[151645], '<|im_end|>');
    assert.equal(types[151645], 3); // control
    assert.equal(types[151657], 4); // <tool_call>: added but not special
    assert.equal(tokens[151665], '[PAD151665]');
    assert.equal(types[151935], 5); // unused
    assert.equal(meta.get('tokenizer.ggml.eos_token_id'), 151645);
    assert.equal(meta.get('tokenizer.ggml.pre'), 'qwen2');
    const tokenizer = tokenizerFromGgufMetadata(meta, 'bench metadata');
    // reference ids from the llama.cpp qwen2 vocabulary cases (see ../shared/tokenizers/SOURCES.md)
    assert.deepEqual(tokenizer.encode('Hello world', { addSpecial: true }), [9707, 1879]);
    assert.deepEqual(tokenizer.encode(' the', { addSpecial: false }), [279]);
    assert.deepEqual(tokenizer.encode('<|im_start|>user', { addSpecial: false, parseSpecial: true }).slice(0, 1), [151644]);
  });

test('a vocabulary larger than the model falls back to bytes', { skip: sharedSkip('tokenizers/qwen2.5/vocab.json') }, () => {
  assert.equal(benchTokenizer(TINY_SHAPE.vocabSize, qwenTokenizerDir(SHARED_DIR)).source, 'bytes');
  assert.throws(() => benchTokenizer(200, undefined), /more than 256 rows/);
});

test('a sidecar that does not match the file makes the model be written again', () => {
  const made = ensureBenchModel({ type: 'f16', shape: TINY_SHAPE, cacheDir, tokenizerDir: null, seed: 3 });
  assert.equal(made.created, true);
  const sidecarFile = `${made.path}.json`;
  const sidecar = JSON.parse(readFileSync(sidecarFile, 'utf8'));
  assert.equal(sidecar.seed, 3);
  writeFileSync(sidecarFile, JSON.stringify({ ...sidecar, bytes: sidecar.bytes + 1 }));
  assert.equal(ensureBenchModel({ type: 'f16', shape: TINY_SHAPE, cacheDir, tokenizerDir: null, seed: 3 }).created, true);
  writeFileSync(sidecarFile, '{ not json');
  const remade = ensureBenchModel({ type: 'f16', shape: TINY_SHAPE, cacheDir, tokenizerDir: null, seed: 3 });
  assert.equal(remade.created, true);
  assert.equal(remade.sidecar.bytes, statSync(made.path).size);
  assert.equal(openModelFiles(made.path).tensors.get('blk.0.attn_q.weight')!.type, GgmlType.F16);
});

/** tensor name -> type name, for the quantized matrices of a mixture */
function typeNames(types: Map<string, GgmlType>): Record<string, string> {
  return Object.fromEntries([...types].map(([name, type]) => [name, ggmlTypeName(type)]));
}

test('Q4_K_M "more bits" layers: the first and last eighth and every third between', () => {
  const layers = (n: number) => [...Array(n).keys()].filter((i) => useMoreBits(i, n));
  assert.deepEqual(layers(24), [0, 1, 2, 5, 8, 11, 14, 17, 20, 21, 22, 23]);
  assert.deepEqual(layers(3), [2]);
  assert.deepEqual(layers(2), [1]);
});

test('kQuantMixtureTypes reproduces llama-quantize\'s Q4_K_M, Q5_K_M and Q6_K choices (K-quant rows and the Q5_0 / Q5_1 / Q8_0 fallbacks)',
  { skip: sharedSkip('models/random/llama-pub-q4_k_m.gguf') }, () => {
    const cases = JSON.parse(readFileSync(sharedPath('models/random/cases.json'), 'utf8'));
    const files: Array<[string, KQuantMixture]> = [
      ['qwen2-pub-q4_k_m', 'Q4_K_M'], ['llama-pub-q4_k_m', 'Q4_K_M'], ['llama-pub-q5_k_m', 'Q5_K_M'], ['qwen2-pub-q6_k', 'Q6_K'],
    ];
    for (const [name, mixture] of files) {
      const file = openGguf(sharedPath(`models/random/${name}.gguf`));
      const arch = file.metadata.get('general.architecture');
      const layers = Number(file.metadata.get(`${arch}.block_count`));
      const gqa = Number(file.metadata.get(`${arch}.attention.head_count`)) / Number(file.metadata.get(`${arch}.attention.head_count_kv`));
      const ours = typeNames(kQuantMixtureTypes(mixture, file.tensors, layers, gqa));
      const theirs = Object.fromEntries(Object.entries(cases.models[name].tensor_types as Record<string, string>).filter(([, t]) => t !== 'F32'));
      assert.deepEqual(ours, theirs, name);
      file.close();
    }
  });

test('the q4_k_m mixture of the Qwen2.5-0.5B shape (hidden 896 = 3.5 x 256)', () => {
  const types = benchMatrixTypes('q4_k_m', benchTensorSpecs(QWEN25_05B_SHAPE), QWEN25_05B_SHAPE);
  const names = typeNames(types);
  assert.equal(names['token_embd.weight'], 'Q8_0'); // tied output, rows of 896
  const moreBits = new Set([0, 1, 2, 5, 8, 11, 14, 17, 20, 21, 22, 23]);
  for (let i = 0; i < 24; i++) {
    const expected = {
      attn_q: 'Q5_0', attn_k: 'Q5_0', attn_output: 'Q5_0', ffn_gate: 'Q5_0', ffn_up: 'Q5_0',
      attn_v: moreBits.has(i) ? 'Q8_0' : 'Q5_0', // Q6_K / Q4_K, fallen back
      ffn_down: moreBits.has(i) ? 'Q6_K' : 'Q4_K', // rows of 4864 = 19 x 256
    };
    for (const [t, type] of Object.entries(expected)) assert.equal(names[`blk.${i}.${t}.weight`], type, `blk.${i}.${t}`);
  }
  assert.equal(types.size, 1 + 24 * 7);
  assert.deepEqual(benchMatrixTypes('q8_0', benchTensorSpecs(TINY_SHAPE), TINY_SHAPE).get('blk.0.attn_v.weight'), GgmlType.Q8_0);
});

test('the q3_k_m mixture (no llama.cpp file to compare): its attn_v, ffn_down and attn_output rules, and the fallbacks of hidden 896', () => {
  const big = typeNames(benchMatrixTypes('q3_k_m', benchTensorSpecs(QWEN25_15B_SHAPE), QWEN25_15B_SHAPE));
  assert.equal(big['token_embd.weight'], 'Q6_K'); // tied output, rows of 1536 = 6 x 256
  for (let i = 0; i < 28; i++) {
    const expected = {
      attn_q: 'Q3_K', attn_k: 'Q3_K', ffn_gate: 'Q3_K', ffn_up: 'Q3_K', attn_output: 'Q4_K',
      attn_v: i < 2 ? 'Q5_K' : 'Q4_K',
      ffn_down: i < 1 ? 'Q5_K' : 'Q4_K', // the first sixteenth of 28 layers: layer 0
    };
    for (const [t, type] of Object.entries(expected)) assert.equal(big[`blk.${i}.${t}.weight`], type, `blk.${i}.${t}`);
  }
  const small = typeNames(benchMatrixTypes('q3_k_m', benchTensorSpecs(QWEN25_05B_SHAPE), QWEN25_05B_SHAPE));
  assert.equal(small['token_embd.weight'], 'Q8_0');
  assert.equal(small['blk.0.attn_q.weight'], 'IQ4_NL'); // Q3_K's fallback
  assert.equal(small['blk.0.attn_v.weight'], 'Q5_1'); // Q5_K's
  assert.equal(small['blk.2.attn_v.weight'], 'Q5_0'); // Q4_K's
  assert.equal(small['blk.0.ffn_down.weight'], 'Q5_K'); // rows of 4864 = 19 x 256
  assert.equal(small['blk.1.ffn_down.weight'], 'Q4_K');
});

test('the q2_k_mix and iq4_xs_mix mixtures (llama-quantize\'s Q2_K and IQ4_XS file types; no llama.cpp file to compare)', () => {
  const q2 = typeNames(benchMatrixTypes('q2_k_mix', benchTensorSpecs(QWEN25_15B_SHAPE), QWEN25_15B_SHAPE));
  const iq4 = typeNames(benchMatrixTypes('iq4_xs_mix', benchTensorSpecs(QWEN25_15B_SHAPE), QWEN25_15B_SHAPE));
  assert.equal(q2['token_embd.weight'], 'Q6_K'); // tied output, rows of 1536 = 6 x 256
  assert.equal(iq4['token_embd.weight'], 'Q6_K');
  for (let i = 0; i < 28; i++) {
    // 12 query heads over 2 KV heads: 6 >= 4
    const q2Expected = { attn_q: 'Q2_K', attn_k: 'Q2_K', ffn_gate: 'Q2_K', ffn_up: 'Q2_K', attn_output: 'Q3_K', attn_v: 'Q4_K', ffn_down: 'Q3_K' };
    const iq4Expected = {
      attn_q: 'IQ4_XS', attn_k: 'IQ4_XS', ffn_gate: 'IQ4_XS', ffn_up: 'IQ4_XS', attn_output: 'IQ4_XS', attn_v: 'Q5_K',
      ffn_down: i < 3 ? 'Q5_K' : 'IQ4_XS', // the first eighth of 28 layers: 0-2
    };
    for (const [t, type] of Object.entries(q2Expected)) assert.equal(q2[`blk.${i}.${t}.weight`], type, `q2_k_mix blk.${i}.${t}`);
    for (const [t, type] of Object.entries(iq4Expected)) assert.equal(iq4[`blk.${i}.${t}.weight`], type, `iq4_xs_mix blk.${i}.${t}`);
  }
  // fewer than 4 query heads per KV head: Q2_K's attn_v takes Q3_K, IQ4_XS's keeps the base type; hidden 128 falls back
  const tinyQ2 = typeNames(benchMatrixTypes('q2_k_mix', benchTensorSpecs(TINY_SHAPE), TINY_SHAPE));
  const tinyIq4 = typeNames(benchMatrixTypes('iq4_xs_mix', benchTensorSpecs(TINY_SHAPE), TINY_SHAPE));
  assert.equal(tinyQ2['blk.0.attn_v.weight'], 'IQ4_NL'); // Q3_K, rows of 128: its fallback
  assert.equal(tinyQ2['blk.0.attn_q.weight'], 'IQ4_NL'); // Q2_K's fallback
  assert.equal(tinyIq4['blk.0.attn_v.weight'], 'IQ4_NL'); // IQ4_XS's fallback
});

test('the tiny q4_k_m bench model: the mixture\'s types, file type 15, values close to the F16 model\'s', () => {
  const made = ensureBenchModel({ type: 'q4_k_m', shape: TINY_SHAPE, cacheDir, tokenizerDir: null });
  assert.match(made.path, /tiny-shape-q4_k_m-seed1-bytevocab\.gguf$/);
  const reference = ensureBenchModel({ type: 'f16', shape: TINY_SHAPE, cacheDir, tokenizerDir: null });
  const file = openGguf(made.path);
  const ref = openGguf(reference.path);
  assert.equal(file.metadata.get('general.file_type'), 15);
  assert.equal(file.metadata.get('general.quantization_version'), 2);
  const counts: Record<string, number> = {};
  for (const t of file.tensors) counts[ggmlTypeName(t.type)] = (counts[ggmlTypeName(t.type)] ?? 0) + 1;
  // hidden 128, FFN 256, 2 layers: ffn_down Q4_K (layer 0) and Q6_K (layer 1), blk.1.attn_v and token_embd Q8_0
  assert.deepEqual(counts, { F32: 1 + 2 * 5, Q8_0: 2, Q5_0: 11, Q4_K: 1, Q6_K: 1 });
  assert.equal(file.tensor('blk.1.ffn_down.weight')!.type, GgmlType.Q6_K);
  // largest error against the F16 values, as a fraction of the largest magnitude (0.0346): Q4_K's step is
  // at most its range/15 (plus scale rounding), Q6_K's amax/31, Q5_0's amax/16 (the clamp: a full step),
  // Q8_0's amax/127 (half a step)
  const bound: Partial<Record<GgmlType, number>> = {
    [GgmlType.Q4_K]: 2 / 15 / 2 * 1.05, [GgmlType.Q6_K]: 1 / 31 / 2 * 1.05, [GgmlType.Q5_0]: 1 / 16, [GgmlType.Q8_0]: 1 / 127 / 2 * 1.05,
  };
  const halfWidth = 0.02 * Math.sqrt(3);
  for (const t of file.tensors) {
    const count = t.dims.reduce((a, b) => a * b, 1);
    const r = ref.tensor(t.name)!;
    const want = dequantize(r.type, ref.tensorData(r), count);
    const got = dequantize(t.type, file.tensorData(t), count);
    let err = 0;
    for (let i = 0; i < count; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
    if (t.type === GgmlType.F32) assert.equal(err, 0, t.name);
    else assert.ok(err <= bound[t.type]! * halfWidth + 2 ** -11 * halfWidth, `${t.name} (${ggmlTypeName(t.type)}): error ${err}`);
  }
  file.close();
  ref.close();
  const model = loadModel(made.path);
  assert.equal(model.config.hiddenSize, 128);
  assert.equal(model.tensors.get('blk.0.ffn_down.weight')!.type, GgmlType.Q4_K);
});

test('a weight type whose blocks do not fit the shape\'s rows is refused before anything is written', () => {
  for (const type of ['q3_k', 'q2_k', 'iq4_xs'] as const) {
    assert.throws(() => ensureBenchModel({ type, shape: TINY_SHAPE, cacheDir, tokenizerDir: null }),
      /needs rows of whole (Q3_K|Q2_K|IQ4_XS) blocks \(256 elements\), but tiny-shape's token_embd\.weight rows hold 128/);
    assert.throws(() => statSync(benchModelPath({ type, shape: TINY_SHAPE, cacheDir }, 'bytes')), /ENOENT/);
  }
  const types = benchMatrixTypes('q3_k', benchTensorSpecs(QWEN25_15B_SHAPE), QWEN25_15B_SHAPE);
  assert.ok([...types.values()].every((t) => t === GgmlType.Q3_K) && types.size > 0, 'the 1.5B shape takes pure Q3_K');
  assert.ok(benchTensorSpecs(QWEN25_15B_SHAPE).every((s) => !s.matrix || s.dims[0]! % 256 === 0));
});
