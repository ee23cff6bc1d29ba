import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sharedPath, sharedSkip } from '../helpers/paths.js';
import { loadTokenizer, tokenizerFromHfFolder, type Tokenizer } from '../../src/tokenizer/index.js';
import { readVocabCases } from './cases.js';
import { checkRoundTrip } from './roundTrip.js';

// Real tokenizer files (../shared/tokenizers/SOURCES.md) against llama.cpp's cases for the same
// vocabularies (../shared/tokenizer-tests/cases-only and the llama-spm cases).

function assertCases(tokenizer: Tokenizer, inp: string, roundTrip: boolean): void {
  const cases = readVocabCases(sharedPath(inp));
  const failures: string[] = [];
  for (const c of cases) {
    const got = tokenizer.encode(c.text, { addSpecial: false, parseSpecial: false });
    if (got.join(' ') !== c.ids.join(' ')) failures.push(`${JSON.stringify(c.text)}: expected ${c.ids.join(' ')}, got ${got.join(' ')}`);
    if (roundTrip) checkRoundTrip(tokenizer, c.text);
  }
  assert.deepEqual(failures, [], `${failures.length}/${cases.length} cases differ`);
}

const QWEN_CASES = 'tokenizer-tests/cases-only/ggml-vocab-qwen2.gguf.inp';
const LLAMA3_CASES = 'tokenizer-tests/cases-only/ggml-vocab-llama-bpe.gguf.inp';
const SPM_CASES = 'tokenizer-tests/ggml-vocab-llama-spm.gguf.inp';

test('Qwen2.5 folder (vocab.json + merges.txt + added tokens): llama.cpp qwen2 cases', { skip: sharedSkip('tokenizers/qwen2.5') || sharedSkip(QWEN_CASES) }, () => {
  const qwen = tokenizerFromHfFolder(sharedPath('tokenizers/qwen2.5'));
  assertCases(qwen, QWEN_CASES, true);
  assert.equal(qwen.vocabSize, 151665);
  assert.equal(qwen.bosId, undefined);
  assert.equal(qwen.eosId, 151645); // <|im_end|>, from tokenizer_config.json
  assert.equal(qwen.addBos, false);
  for (const id of [151643, 151645]) assert.ok(qwen.eogIds.has(id), `EOG holds ${id}`);
  // the chat markers are single tokens; plain mode spells them out
  const ids = qwen.encode('<|im_start|>user\nHi<|im_end|>');
  assert.deepEqual(ids, [151644, qwen.tokenId('user'), qwen.tokenId('\u010a'), qwen.tokenId('Hi'), 151645]);
  assert.ok(qwen.encode('<|im_start|>', { parseSpecial: false }).length > 1);
  // non-special added tokens (special: false in tokenizer_config.json) are matched in plain mode too
  assert.deepEqual(qwen.encode('<tool_call>', { parseSpecial: false }), [151657]);
  assert.equal(qwen.isSpecial(151644), true);
  assert.equal(qwen.isSpecial(151657), false);
  assert.equal(qwen.decode(ids), '<|im_start|>user\nHi<|im_end|>');
  assert.equal(qwen.decode(ids, { skipSpecial: true }), 'user\nHi');
  assert.equal(qwen.tokenText(279), '\u0120the');
  assert.deepEqual([...qwen.tokenBytes(279)], [0x20, 0x74, 0x68, 0x65]);
  assert.equal(qwen.tokenBytes(151645).length, 0);
});

const LLAMA3_CHAT = '<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>';
// Meta's Llama 3 format: user = 882, "\n\n" = 271, Hello = 9906
const LLAMA3_CHAT_IDS = [128006, 882, 128007, 271, 9906, 128009];

for (const file of ['tokenizer.model', 'encoder.json']) {
  const path = `tokenizers/llama3/${file}`;
  test(`Llama 3 ${file}: llama.cpp llama-bpe cases and special tokens`, { skip: sharedSkip(path) || sharedSkip(LLAMA3_CASES) }, () => {
    const llama3 = loadTokenizer(sharedPath(path));
    assertCases(llama3, LLAMA3_CASES, true);
    assert.equal(llama3.vocabSize, 128256);
    assert.equal(llama3.bosId, 128000);
    assert.equal(llama3.addBos, true);
    for (const id of [128001, 128008, 128009]) assert.ok(llama3.eogIds.has(id), `EOG holds ${id}`);
    // Meta's own test (llama-models test_tokenizer.py)
    assert.deepEqual(llama3.encode('This is a test sentence.'), [128000, 2028, 374, 264, 1296, 11914, 13]);
    assert.deepEqual(llama3.encode(LLAMA3_CHAT, { addSpecial: false }), LLAMA3_CHAT_IDS);
    assert.equal(llama3.tokenText(128255), '<|reserved_special_token_247|>');
    assert.equal(llama3.decode(llama3.encode(LLAMA3_CHAT)), '<|begin_of_text|>' + LLAMA3_CHAT);
  });
}

test('Llama 2 SentencePiece tokenizer.model: llama.cpp llama-spm cases', { skip: sharedSkip('tokenizers/llama2/tokenizer.model') || sharedSkip(SPM_CASES) }, () => {
  const llama2 = loadTokenizer(sharedPath('tokenizers/llama2/tokenizer.model'));
  assertCases(llama2, SPM_CASES, false);
  assert.deepEqual([llama2.vocabSize, llama2.bosId, llama2.eosId, llama2.addBos, llama2.addEos], [32000, 1, 2, true, false]);
  const ids = llama2.encode('Hello world');
  assert.deepEqual(ids, [1, 15043, 3186]); // the llama-spm case "Hello world" is 15043 3186
  assert.equal(llama2.decode(ids, { skipSpecial: true }), 'Hello world');
  assert.equal(llama2.decode(ids), '<s> Hello world');
  assert.equal(llama2.decode(ids.slice(1), { keepLeadingSpace: true }), ' Hello world');
  // byte fallback: a character with no piece becomes its UTF-8 bytes (<0xNN> = id NN + 3)
  assert.deepEqual(llama2.encode('\u{1F999}', { addSpecial: false }).slice(-4), [0xf0 + 3, 0x9f + 3, 0xa6 + 3, 0x99 + 3]);
});

test('Mistral v0.3: SentencePiece tokenizer.model.v3 and tokenizer.json agree', { skip: sharedSkip('tokenizers/mistral-v0.3') || sharedSkip(SPM_CASES) }, () => {
  const spm = loadTokenizer(sharedPath('tokenizers/mistral-v0.3/tokenizer.model.v3'));
  const json = tokenizerFromHfFolder(sharedPath('tokenizers/mistral-v0.3'));
  assert.equal(spm.vocabSize, 32768);
  assert.equal(json.vocabSize, 32768);
  // They differ by design where text starts with whitespace or follows a special token: HF's
  // Metaspace (prepend_scheme "first") adds no "▁" then, SentencePiece always does.
  const texts = readVocabCases(sharedPath(SPM_CASES))
    .map((c) => c.text)
    .filter((t) => t.length > 0 && !/^\s/.test(t));
  texts.push('What is the capital of France?', 'naïve café — 日本語 🦙 x\ty', 'print("hi")\n\n  return 0');
  assert.ok(texts.length > 20);
  for (const t of texts) {
    const a = spm.encode(t);
    assert.deepEqual(json.encode(t), a, JSON.stringify(t));
    assert.equal(a[0], 1);
    assert.equal(spm.decode(a, { skipSpecial: true }), t);
    assert.equal(json.decode(a, { skipSpecial: true }), t);
  }
  assert.equal(spm.tokenId('[INST]'), 3);
  assert.deepEqual(json.encode('[INST]Hi[/INST]', { addSpecial: false }).slice(0, 1), [3]);
  assert.ok(json.eogIds.has(2) && spm.eogIds.has(2));
});
