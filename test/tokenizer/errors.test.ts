import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ModelFormatError } from '../../src/formats/errors.js';
import type { GgufValue } from '../../src/formats/gguf/index.js';
import { loadTokenizer, tokenizerFromGgufMetadata, tokenizerFromHfFolder } from '../../src/tokenizer/index.js';
import { tinyByteLevelMetadata } from './synthetic.js';

const dir = mkdtempSync(path.join(tmpdir(), 'fastfill-tok-'));
const file = (name: string, content: string | Uint8Array) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};

test('bad GGUF metadata: clear errors naming the source', () => {
  assert.throws(() => tokenizerFromGgufMetadata(new Map(), 'm.gguf'), ModelFormatError);
  assert.throws(() => tokenizerFromGgufMetadata(new Map(), 'm.gguf'), /m\.gguf: missing metadata key 'tokenizer\.ggml\.model'/);
  const t5 = new Map<string, GgufValue>([['tokenizer.ggml.model', 't5'], ['tokenizer.ggml.tokens', ['a']]]);
  assert.throws(() => tokenizerFromGgufMetadata(t5, 'm.gguf'), /m\.gguf: tokenizer model 't5' is not supported/);
  const noMerges = tinyByteLevelMetadata();
  noMerges.delete('tokenizer.ggml.merges');
  assert.throws(() => tokenizerFromGgufMetadata(noMerges, 'm.gguf'), /missing metadata key 'tokenizer\.ggml\.merges'/);
  const badPre = tinyByteLevelMetadata({ pre: 'martian' });
  assert.throws(() => tokenizerFromGgufMetadata(badPre, 'm.gguf'), /unknown pre-tokenizer type 'martian'/);
  const badTokens = new Map<string, GgufValue>([['tokenizer.ggml.model', 'gpt2'], ['tokenizer.ggml.tokens', [1, 2]]]);
  assert.throws(() => tokenizerFromGgufMetadata(badTokens, 'm.gguf'), /'tokenizer\.ggml\.tokens' is not an array of strings/);
  const shortTypes = tinyByteLevelMetadata();
  shortTypes.set('tokenizer.ggml.token_type', [1, 1]);
  assert.throws(() => tokenizerFromGgufMetadata(shortTypes, 'm.gguf'), /token_type' has 2 entries/);
  const addBosWithoutBos = tinyByteLevelMetadata();
  addBosWithoutBos.set('tokenizer.ggml.add_bos_token', true);
  addBosWithoutBos.set('tokenizer.ggml.pre', 'glm4'); // a pre type with no BOS default
  assert.throws(() => tokenizerFromGgufMetadata(addBosWithoutBos, 'm.gguf'), /adds BOS but the vocabulary has no BOS token/);
});

test('loadTokenizer: unknown files and folders give errors naming them', () => {
  assert.throws(() => loadTokenizer(path.join(dir, 'missing.model')), /missing\.model: no such file or folder/);
  const text = file('notes.txt', 'just some text\nnothing else\n');
  assert.throws(() => loadTokenizer(text), /notes\.txt: not a tokenizer file/);
  const json = file('other.json', '{"hello": "world"}');
  assert.throws(() => loadTokenizer(json), /other\.json: a JSON file that is neither a tokenizer\.json nor a vocab/);
  const broken = file('broken.json', '{"model": ');
  assert.throws(() => loadTokenizer(broken), /broken\.json: invalid JSON/);
  const gguf = file('trunc.gguf', Buffer.from('GGUF\x03\x00\x00\x00', 'latin1'));
  assert.throws(() => loadTokenizer(gguf), /trunc\.gguf/);
  const empty = path.join(dir, 'empty-folder');
  mkdirSync(empty);
  assert.throws(() => tokenizerFromHfFolder(empty), /empty-folder: no tokenizer found/);
  const unigram = file('unigram.json', JSON.stringify({ model: { type: 'Unigram', vocab: [] } }));
  assert.throws(() => loadTokenizer(unigram), /unigram\.json: tokenizer model type 'Unigram' is not supported/);
  const atomic = file('atomic.json', JSON.stringify({
    pre_tokenizer: { type: 'Split', pattern: { Regex: '(?>a+)b' }, behavior: 'Isolated' },
    model: { type: 'BPE', vocab: { a: 0 }, merges: [] },
  }));
  assert.throws(() => loadTokenizer(atomic), /atomic\.json pre_tokenizer Split: the tokenizer regex "\(\?>a\+\)b" does not compile/);
  const tiktoken = file('tokenizer.model', 'IQ== 0\nIg== 1\n');
  assert.throws(() => loadTokenizer(tiktoken), /tiktoken file with 2 ranks; only Llama 3's/);
  // a truncated SentencePiece protobuf
  const spm = file('spm.model', Uint8Array.of(0x0a, 0x20, 0x0a, 0x03, 0x61));
  assert.throws(() => loadTokenizer(spm), /spm\.model: not a tokenizer file.*runs past the end/);
});

test('encode handles hostile input without hanging', () => {
  const tok = tokenizerFromGgufMetadata(tinyByteLevelMetadata(), 'tiny');
  const long = '!'.repeat(200_000) + ' ' + 'a'.repeat(200_000);
  const ids = tok.encode(long, { addSpecial: false });
  assert.equal(tok.decode(ids), long);
  assert.deepEqual(tok.encode(''), []);
  assert.throws(() => tok.decode([-1]), /token id -1 is out of range/);
});
