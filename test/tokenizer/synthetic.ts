import type { GgufValue } from '../../src/formats/gguf/index.js';
import { BYTE_TO_CHAR } from '../../src/tokenizer/byteLevel.js';

/**
 * Tiny vocabularies as GGUF metadata, for tests that need no reference files.
 * Byte-level BPE: ids 0..255 are the byte characters in byte order, then the merge results.
 */
export function tinyByteLevelMetadata(options: { pre?: string; extra?: [string, number][] } = {}): Map<string, GgufValue> {
  const tokens = [...BYTE_TO_CHAR];
  const merges = ['\u0120 t', 'h e', '\u0120t he', 'l l', 'he ll', 'hell o', '\u0120 w', 'o r', '\u0120w or', 'l d', '\u0120wor ld'];
  for (const m of merges) tokens.push(m.replace(' ', '')); // Ġt he Ġthe ll hell hello Ġw or Ġwor ld Ġworld
  const types = tokens.map(() => 1);
  for (const [text, type] of options.extra ?? []) {
    tokens.push(text);
    types.push(type);
  }
  return new Map<string, GgufValue>([
    ['tokenizer.ggml.model', 'gpt2'],
    ['tokenizer.ggml.pre', options.pre ?? 'gpt-2'],
    ['tokenizer.ggml.tokens', tokens],
    ['tokenizer.ggml.token_type', types],
    ['tokenizer.ggml.merges', merges],
  ]);
}

/**
 * SentencePiece: <unk> <s> </s>, the 256 byte pieces (ids 3..258), then scored pieces.
 */
export function tinySpmMetadata(): Map<string, GgufValue> {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3];
  const scores = [0, 0, 0];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6);
    scores.push(0);
  }
  // later pieces score lower, as SentencePiece orders them
  const pieces = ['\u2581', 'h', 'e', 'l', 'o', 'w', 'r', 'd', '\u2581h', 'll', '\u2581he', '\u2581hell', '\u2581hello', '\u2581w', 'or', '\u2581wor', '\u2581world', 'lo', 'ld'];
  pieces.forEach((p, i) => {
    tokens.push(p);
    types.push(1);
    scores.push(-i);
  });
  return new Map<string, GgufValue>([
    ['tokenizer.ggml.model', 'llama'],
    ['tokenizer.ggml.tokens', tokens],
    ['tokenizer.ggml.token_type', types],
    ['tokenizer.ggml.scores', scores],
  ]);
}
