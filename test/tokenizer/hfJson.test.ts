import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BYTE_TO_CHAR } from '../../src/tokenizer/byteLevel.js';
import { splitWithBehavior } from '../../src/tokenizer/hfPreTokenizers.js';
import { loadTokenizer } from '../../src/tokenizer/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'fastfill-hfjson-'));

function writeJson(name: string, value: unknown): string {
  const p = path.join(dir, name);
  writeFileSync(p, JSON.stringify(value));
  return p;
}

test('HF split behaviours', () => {
  const dash = /-/gu;
  assert.deepEqual(splitWithBehavior('a-b--c', dash, 'Isolated'), ['a', '-', 'b', '-', '-', 'c']);
  assert.deepEqual(splitWithBehavior('a-b--c', dash, 'Removed'), ['a', 'b', 'c']);
  assert.deepEqual(splitWithBehavior('a-b--c', dash, 'MergedWithPrevious'), ['a-', 'b-', '-', 'c']);
  assert.deepEqual(splitWithBehavior('a-b--c', dash, 'MergedWithNext'), ['a', '-b', '-', '-c']);
  assert.deepEqual(splitWithBehavior('a-b--c', dash, 'Contiguous'), ['a', '-', 'b', '--', 'c']);
  assert.deepEqual(splitWithBehavior('a-b', dash, 'Isolated', true), ['a', '-', 'b']);
});

test('tokenizer.json, byte-level: Split + ByteLevel, NFC, added tokens, template post-processor', () => {
  const vocab: Record<string, number> = {};
  BYTE_TO_CHAR.forEach((c, b) => (vocab[c] = b));
  const merges = ['\u0120 t', 'h e', '\u0120t he'];
  merges.forEach((m, i) => (vocab[m.replace(' ', '')] = 256 + i));
  const p = writeJson('tokenizer.json', {
    added_tokens: [
      { id: 259, content: '<|bos|>', special: true, lstrip: false, rstrip: false, normalized: false, single_word: false },
      { id: 260, content: '<x>', special: false, lstrip: false, rstrip: true, normalized: false, single_word: false },
    ],
    normalizer: { type: 'NFC' },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: "(?i:'s|'t)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
      ],
    },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<|bos|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      special_tokens: { '<|bos|>': { id: '<|bos|>', ids: [259], tokens: ['<|bos|>'] } },
    },
    decoder: { type: 'ByteLevel' },
    model: { type: 'BPE', vocab, merges, ignore_merges: false, byte_fallback: false },
  });
  const tok = loadTokenizer(p);
  assert.equal(tok.bosId, 259);
  assert.equal(tok.addBos, true);
  assert.deepEqual(tok.encode(' the'), [259, 258]);
  // NFC: e + combining acute is one character é (C3 A9)
  assert.deepEqual(tok.encode('e\u0301', { addSpecial: false }), [0xc3, 0xa9]);
  // rstrip: the space after <x> is dropped; plain mode still matches the non-special <x>
  assert.deepEqual(tok.encode('<x> the', { addSpecial: false, parseSpecial: false }), [260, 0x74, 257]);
  assert.equal(tok.decode(tok.encode(' the\n\n12', { addSpecial: true }), { skipSpecial: true }), ' the\n\n12');
});

test('tokenizer.json, SentencePiece-style BPE: Metaspace prepend_scheme first, byte fallback, Strip decoder', () => {
  const pieces = ['<unk>', '<s>', '</s>', ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)];
  const words = ['\u2581', 'a', 'b', '\u2581a', '\u2581ab', 'ab'];
  const vocab: Record<string, number> = {};
  [...pieces, ...words].forEach((t, i) => (vocab[t] = i));
  const p = writeJson('spm-tokenizer.json', {
    added_tokens: [0, 1, 2].map((id) => ({ id, content: pieces[id], special: true, lstrip: false, rstrip: false, normalized: false, single_word: false })),
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'first', split: false },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [{ type: 'Replace', pattern: { String: '\u2581' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }],
    },
    model: { type: 'BPE', vocab, merges: [['\u2581', 'a'], ['a', 'b'], ['\u2581a', 'b']], byte_fallback: true, fuse_unk: true, unk_token: '<unk>' },
  });
  const tok = loadTokenizer(p);
  const id = (t: string) => tok.tokenId(t)!;
  assert.deepEqual(tok.encode('ab ab'), [1, id('\u2581ab'), id('\u2581ab')]);
  // "first": only the piece at the start of the input gets the ▁; "é" falls back to its bytes
  assert.deepEqual(tok.encode('ab</s>abé', { addSpecial: false }), [id('\u2581ab'), 2, id('ab'), 0xc3 + 3, 0xa9 + 3]);
  assert.equal(tok.decode(tok.encode('ab abé')), '<s> ab abé');
  assert.equal(tok.decode(tok.encode('ab abé'), { skipSpecial: true }), 'ab abé');
});
