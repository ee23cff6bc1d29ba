// The GGUF reader on real files, checked against independent references: cases.json (written by
// the reference-data tooling from llama.cpp's view of each file), the llama2.c checkpoint that
// stories260K.gguf was converted from, and its tok512.bin vocabulary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { openGguf } from '../../src/formats/gguf/reader.js';
import { metaNumber, metaString, metaStringArray, metaNumberArray } from '../../src/formats/gguf/metaGetters.js';
import { ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';

interface CasesModel {
  file: string; bytes: number; architecture: string;
  hparams: Record<string, number>;
  tokenizer: { model: string; pre: string; n_tokens: number; n_merges: number };
  tensor_types: Record<string, string>;
}

test('every random reference model matches cases.json (types, hparams, tokenizer sizes)', { skip: sharedSkip('models/random/cases.json') }, () => {
  const cases = JSON.parse(fs.readFileSync(sharedPath('models/random/cases.json'), 'utf8')) as { models: Record<string, CasesModel> };
  assert.equal(Object.keys(cases.models).length, 12);
  for (const [name, m] of Object.entries(cases.models)) {
    const file = openGguf(sharedPath(m.file));
    try {
      assert.equal(file.version, 3, name);
      assert.equal(fs.statSync(file.path).size, m.bytes, name);
      assert.equal(metaString(file, 'general.architecture'), m.architecture, name);
      for (const [key, value] of Object.entries(m.hparams)) {
        const got = metaNumber(file, `${m.architecture}.${key}`);
        assert.ok(Math.abs(got - value) <= Math.abs(value) * 1e-6, `${name} ${key}: ${got} vs ${value}`);
      }
      assert.equal(metaString(file, 'tokenizer.ggml.model'), m.tokenizer.model);
      assert.equal(metaString(file, 'tokenizer.ggml.pre'), m.tokenizer.pre);
      assert.equal(metaStringArray(file, 'tokenizer.ggml.tokens').length, m.tokenizer.n_tokens);
      assert.equal(metaStringArray(file, 'tokenizer.ggml.merges').length, m.tokenizer.n_merges);
      const types = Object.fromEntries(file.tensors.map((t) => [t.name, ggmlTypeName(t.type)]));
      assert.deepEqual(types, m.tensor_types, name);
      for (const t of file.tensors) {
        assert.equal((t.offset - file.dataOffset) % file.alignment, 0);
        assert.equal(file.tensorData(t).length, t.byteLength);
      }
    } finally {
      file.close();
    }
  }
});

test('qwen2-pub tensor shapes follow ggml order ([in, out])', { skip: sharedSkip('models/random/qwen2-pub-q4_k_m.gguf') }, () => {
  const file = openGguf(sharedPath('models/random/qwen2-pub-q4_k_m.gguf'));
  // hidden 256, 2 KV heads of 64, vocab 1024 (README)
  assert.deepEqual(file.tensor('token_embd.weight')?.dims, [256, 1024]);
  assert.deepEqual(file.tensor('blk.0.attn_k.weight')?.dims, [256, 128]);
  assert.deepEqual(file.tensor('blk.0.attn_k.bias')?.dims, [128]);
  // Q4_K: 144 bytes per 256 elements
  assert.equal(file.tensor('blk.0.attn_k.weight')?.byteLength, 128 * 144);
  assert.equal(file.tensor('no.such.tensor'), undefined);
  file.close();
  assert.throws(() => file.tensorData(file.tensors[0]!), /closed/);
});

test('stories260K.gguf tensors hold the llama2.c checkpoint weights byte for byte', { skip: sharedSkip('models/stories260K.bin') }, () => {
  const bin = fs.readFileSync(sharedPath('models/stories260K.bin'));
  const [dim, hidden, layers, , kvHeads, vocab] = [0, 1, 2, 3, 4, 5].map((i) => bin.readInt32LE(4 * i)) as number[];
  assert.deepEqual([dim, hidden, layers, kvHeads, vocab], [64, 172, 5, 4, 512]);
  const file = openGguf(sharedPath('models/stories260K.gguf'));
  const kvDim = (dim! * kvHeads!) / 8;
  // llama2.c layout (SOURCES.md): embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final
  const sizes = [vocab! * dim!, layers! * dim!, layers! * dim! * dim!, layers! * kvDim * dim!, layers! * kvDim * dim!,
    layers! * dim! * dim!, layers! * dim!, layers! * hidden! * dim!, layers! * dim! * hidden!, layers! * hidden! * dim!, dim!];
  const starts: number[] = [];
  sizes.reduce((at, n) => { starts.push(at); return at + 4 * n; }, 28);
  const expectBytes = (name: string, start: number, floats: number): void => {
    const info = file.tensor(name);
    assert.ok(info, name);
    assert.deepEqual(Buffer.from(file.tensorData(info)), bin.subarray(start, start + 4 * floats), name);
  };
  expectBytes('token_embd.weight', starts[0]!, vocab! * dim!);
  expectBytes('output.weight', starts[0]!, vocab! * dim!);
  for (let l = 0; l < layers!; l++) {
    expectBytes(`blk.${l}.attn_norm.weight`, starts[1]! + 4 * l * dim!, dim!);
    expectBytes(`blk.${l}.ffn_norm.weight`, starts[6]! + 4 * l * dim!, dim!);
    expectBytes(`blk.${l}.ffn_down.weight`, starts[8]! + 4 * l * dim! * hidden!, dim! * hidden!);
  }
  expectBytes('output_norm.weight', starts[10]!, dim!);
  assert.deepEqual(file.tensor('blk.0.ffn_down.weight')?.dims, [hidden, dim]);
  file.close();
});

test('stories260K.gguf vocabulary equals tok512.bin (scores; pieces except BOS/EOS)', { skip: sharedSkip('models/tok512.bin') }, () => {
  const bin = fs.readFileSync(sharedPath('models/tok512.bin'));
  const file = openGguf(sharedPath('models/stories260K.gguf'), { vocabOnly: true });
  assert.equal(file.tensors.length, 0);
  const tokens = metaStringArray(file, 'tokenizer.ggml.tokens');
  const scores = metaNumberArray(file, 'tokenizer.ggml.scores');
  assert.equal(tokens.length, 512);
  let at = 4;
  for (let id = 0; id < 512; id++) {
    const score = bin.readFloatLE(at);
    const len = bin.readInt32LE(at + 4);
    const piece = bin.toString('utf8', at + 8, at + 8 + len);
    at += 8 + len;
    assert.equal(scores[id], score, `score of ${id}`);
    // llama2.c's export wrote SentencePiece's '▁' as a space
    if (id !== 1 && id !== 2) assert.equal(tokens[id], piece.replaceAll(' ', '\u2581'), `piece ${id}`);
  }
  assert.equal(at, bin.length);
  file.close();
});

test('vocab-only GGUF files from llama.cpp open, with and without vocabOnly', { skip: sharedSkip('tokenizer-tests') }, () => {
  const dir = sharedPath('tokenizer-tests');
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.gguf'));
  assert.ok(names.length >= 10);
  for (const name of names) {
    const full = openGguf(`${dir}/${name}`);
    const vocab = openGguf(`${dir}/${name}`, { vocabOnly: true });
    const tokens = metaStringArray(full, 'tokenizer.ggml.tokens');
    assert.ok(tokens.length > 100, name);
    assert.deepEqual(metaStringArray(vocab, 'tokenizer.ggml.tokens'), tokens);
    assert.deepEqual([...vocab.metadata.keys()], [...full.metadata.keys()]);
    full.close();
    vocab.close();
  }
});
