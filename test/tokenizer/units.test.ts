import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BYTE_TO_CHAR, fromByteLevel, toByteLevel } from '../../src/tokenizer/byteLevel.js';
import { tokenizerFromGgufMetadata } from '../../src/tokenizer/index.js';
import { MergeTable } from '../../src/tokenizer/mergeTable.js';
import { PairHeap } from '../../src/tokenizer/pairHeap.js';
import { PRE_TOKENIZER_REGEXES, preTokenizerConfig, splitByRegexes, toJsRegex } from '../../src/tokenizer/pretokenize.js';
import { bpeMergeInPlace, MERGED } from '../../src/tokenizer/bpeMerge.js';
import { tinyByteLevelMetadata, tinySpmMetadata } from './synthetic.js';

test('bytes_to_unicode: GPT-2 spellings', () => {
  assert.equal(BYTE_TO_CHAR[0x20], '\u0120'); // Ġ
  assert.equal(BYTE_TO_CHAR[0x0a], '\u010a'); // Ċ
  assert.equal(BYTE_TO_CHAR[0x41], 'A');
  assert.equal(BYTE_TO_CHAR[0x00], '\u0100');
  assert.equal(BYTE_TO_CHAR[0xad], '\u0143'); // the 68th non-printable byte
  assert.equal(new Set(BYTE_TO_CHAR).size, 256);
  assert.equal(toByteLevel(' é'), '\u0120\u00c3\u00a9');
  assert.deepEqual([...fromByteLevel('\u0120\u00c3\u00a9')!], [0x20, 0xc3, 0xa9]);
  assert.equal(fromByteLevel('<|x|>\u4e00'), null);
});

test('regex conversion: \\s is Unicode White_Space (U+0085 yes, U+FEFF no), (?i:) expands', () => {
  const ws = toJsRegex('\\s+', 'u');
  assert.ok(ws.test('\u0085'));
  assert.ok(ws.test('\u3000'));
  assert.ok(!ws.test('\ufeff'));
  assert.ok(toJsRegex('[^\\s\\p{L}]', 'u').test('\ufeff'));
  const ci = toJsRegex("(?i:'s|'ll)x", 'u');
  assert.ok(ci.test("'Sx") && ci.test("'lLx") && !ci.test("'SX"));
  assert.ok(toJsRegex('\\p{Han}+', 'u').test('漢字'));
  // every named list compiles
  for (const [name, list] of Object.entries(PRE_TOKENIZER_REGEXES)) for (const r of list) assert.doesNotThrow(() => toJsRegex(r), name);
});

test('regex splitting keeps unmatched gaps and sees one piece at a time', () => {
  const gpt2 = PRE_TOKENIZER_REGEXES.gpt2!.map((r) => toJsRegex(r));
  assert.deepEqual(splitByRegexes("Hello world's  3 ", gpt2), ['Hello', ' world', "'s", ' ', ' 3', ' ']);
  assert.deepEqual(splitByRegexes('a\nb', gpt2), ['a', '\n', 'b']); // "\n" before "b" is a gap
  const llama3 = PRE_TOKENIZER_REGEXES.llama3!.map((r) => toJsRegex(r));
  assert.deepEqual(splitByRegexes('12345 abc', llama3), ['123', '45', ' abc']);
  const qwen2 = PRE_TOKENIZER_REGEXES.qwen2!.map((r) => toJsRegex(r));
  assert.deepEqual(splitByRegexes('x 123', qwen2), ['x', ' ', '1', '2', '3']);
  // falcon: the punctuation regex first, then GPT-2 inside the pieces it leaves
  const falcon = preTokenizerConfig('falcon').regexes.map((r) => toJsRegex(r));
  assert.deepEqual(splitByRegexes('a+b 1234', falcon), ['a', '+', 'b', ' 1234'].flatMap((p) => (p === ' 1234' ? [' ', '123', '4'] : [p])));
  assert.throws(() => preTokenizerConfig('no-such-pre'), /unknown pre-tokenizer type 'no-such-pre'/);
  assert.equal(preTokenizerConfig('llama-bpe').ignoreMerges, true);
});

test('pair heap: lowest key first, then lowest position', () => {
  const heap = new PairHeap();
  const input: [number, number][] = [[5, 1], [2, 9], [2, 3], [7, 0], [-1, 4], [2, 3]];
  for (const [k, p] of input) heap.push(k, p);
  const out: [number, number][] = [];
  while (heap.size > 0) {
    const k = heap.topKey();
    out.push([k, heap.pop()]);
  }
  assert.deepEqual(out, [[-1, 4], [2, 3], [2, 3], [2, 9], [5, 1], [7, 0]]);
});

test('BPE merge loop: lowest rank first, leftmost among equals', () => {
  // a=0 b=1; "ab"=2 (rank 0), "bb"=3 (rank 1)
  const table = new MergeTable((l, r) => (l === 0 && r === 1 ? { rank: 0, result: 2 } : l === 1 && r === 1 ? { rank: 1, result: 3 } : undefined));
  const ids = Int32Array.from([1, 1, 1, 0, 1, 1]); // b b b a b b
  bpeMergeInPlace(ids, table, new PairHeap());
  assert.deepEqual([...ids].filter((x) => x !== MERGED), [3, 1, 2, 1]); // bb b ab b
  assert.equal(table.slot(0, 0), -1);
});

test('tiny byte-level BPE from GGUF metadata: merges, specials, plain mode', () => {
  const tok = tokenizerFromGgufMetadata(
    tinyByteLevelMetadata({ extra: [['<|endoftext|>', 3], ['<tool>', 4]] }),
    'tiny',
  );
  const id = (t: string) => tok.tokenId(t)!;
  assert.deepEqual(tok.encode(' the world', { addSpecial: false }), [id('\u0120the'), id('\u0120world')]);
  assert.deepEqual(tok.encode('hello'), [id('hello')]); // gpt-2 adds no BOS
  assert.deepEqual(tok.encode('x<|endoftext|>y'), [0x78, id('<|endoftext|>'), 0x79]);
  // parseSpecial=false: control text is plain text, user-defined tokens still match
  assert.equal(tok.encode('<|endoftext|>', { parseSpecial: false }).length > 1, true);
  assert.deepEqual(tok.encode('<tool>', { parseSpecial: false }), [id('<tool>')]);
  assert.ok(tok.eogIds.has(id('<|endoftext|>')));
  assert.equal(tok.isSpecial(id('<|endoftext|>')), true);
  assert.equal(tok.decode([id('\u0120the'), id('<|endoftext|>')]), ' the<|endoftext|>');
  assert.equal(tok.decode([id('\u0120the'), id('<|endoftext|>')], { skipSpecial: true }), ' the');
  assert.equal(tok.decode([id('<tool>')], { skipSpecial: true }), '<tool>');
  assert.throws(() => tok.tokenText(tok.vocabSize), /out of range/);
});

test('decode stream: multi-byte characters come out whole; invalid bytes become U+FFFD at flush', () => {
  const tok = tokenizerFromGgufMetadata(tinyByteLevelMetadata(), 'tiny');
  const ids = tok.encode('é🦙', { addSpecial: false }); // 2 + 4 byte tokens
  assert.equal(ids.length, 6);
  const stream = tok.createDecodeStream();
  assert.deepEqual(ids.map((i) => stream.push(i)), ['', 'é', '', '', '', '🦙']);
  assert.equal(stream.flush(), '');
  const broken = tok.createDecodeStream();
  assert.equal(broken.push(ids[2]!), ''); // first byte of 🦙
  assert.equal(broken.push(ids[3]!), '');
  assert.equal(broken.flush(), '\ufffd');
  assert.equal(tok.decode(ids.slice(0, 3)), 'é\ufffd');
  // a BOM is text, not eaten by the UTF-8 decoder
  assert.equal(tok.decode(tok.encode('\ufeffa', { addSpecial: false })), '\ufeffa');
  // lone surrogates are encoded as U+FFFD
  assert.equal(tok.decode(tok.encode('a\ud800b', { addSpecial: false })), 'a\ufffdb');
});

test('tiny SentencePiece from GGUF metadata: scores, dummy prefix, byte fallback', () => {
  const tok = tokenizerFromGgufMetadata(tinySpmMetadata(), 'tiny-spm');
  const id = (t: string) => tok.tokenId(t)!;
  assert.equal(tok.bosId, 1);
  assert.equal(tok.addBos, true);
  assert.deepEqual(tok.encode('hello world'), [1, id('\u2581hello'), id('\u2581world')]);
  // "▁hello" needs "▁hell" + "o" (scores decide the order), "é" has no piece: bytes C3 A9
  assert.deepEqual(tok.encode('hé', { addSpecial: false }), [id('\u2581h'), 0xc3 + 3, 0xa9 + 3]);
  // after a special token the dummy prefix comes back (llama.cpp)
  assert.deepEqual(tok.encode('hello</s>hello', { addSpecial: false }), [id('\u2581hello'), 2, id('\u2581hello')]);
  assert.equal(tok.decode(tok.encode('hello world')), '<s> hello world');
  assert.equal(tok.decode(tok.encode('hello world'), { skipSpecial: true }), 'hello world');
  assert.equal(tok.decode(tok.encode('hé wor', { addSpecial: false })), 'hé wor');
});
