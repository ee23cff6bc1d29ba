// tokenizer.ggml.* metadata for the benchmark model: the real Qwen2.5 vocabulary (vocab.json, merges.txt,
// added tokens) when ../shared/tokenizers/qwen2.5 is there and fits, else a byte-level vocabulary (256 byte
// tokens, no merges, one end-of-text token). Either way padded with [PAD<id>] tokens to the embedding rows,
// as llama.cpp's converter does, because llama.cpp requires one token per embedding row.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gguf } from '../../formats/gguf/writer.js';
import type { GgufTypedValue } from '../../formats/gguf/types.js';
import { BYTE_TO_CHAR } from '../../tokenizer/byteLevel.js';
import { parseMergesText } from '../../tokenizer/hfVocabMerges.js';
import { TokenType } from '../../tokenizer/types.js';

export type BenchTokenizerSource = 'qwen2.5' | 'bytes';

export interface BenchTokenizer {
  source: BenchTokenizerSource;
  metadata: Array<[string, GgufTypedValue]>;
}

const QWEN_FILES = ['vocab.json', 'merges.txt', 'added_tokens.json', 'tokenizer_config.json'];

/** The Qwen2.5 tokenizer folder when all its files are present, else undefined. */
export function qwenTokenizerDir(sharedDir: string | undefined): string | undefined {
  if (!sharedDir) return undefined;
  const dir = path.join(sharedDir, 'tokenizers', 'qwen2.5');
  return QWEN_FILES.every((f) => existsSync(path.join(dir, f))) ? dir : undefined;
}

export function benchTokenizer(vocabSize: number, qwenDir: string | undefined): BenchTokenizer {
  if (qwenDir) {
    const qwen = qwenTokenizerMetadata(qwenDir, vocabSize);
    if (qwen) return { source: 'qwen2.5', metadata: qwen };
  }
  return { source: 'bytes', metadata: byteTokenizerMetadata(vocabSize) };
}

function padded(tokens: string[], types: number[], vocabSize: number): void {
  for (let id = tokens.length; id < vocabSize; id++) {
    tokens.push(`[PAD${id}]`);
    types.push(TokenType.Unused);
  }
}

/** undefined when the vocabulary (with its added tokens) has more tokens than the model has rows. */
function qwenTokenizerMetadata(dir: string, vocabSize: number): Array<[string, GgufTypedValue]> | undefined {
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  const vocab = JSON.parse(read('vocab.json')) as Record<string, number>;
  const added = JSON.parse(read('added_tokens.json')) as Record<string, number>;
  const config = JSON.parse(read('tokenizer_config.json')) as {
    added_tokens_decoder?: Record<string, { content: string; special?: boolean }>;
    eos_token?: string; pad_token?: string;
  };
  let size = 0;
  for (const id of [...Object.values(vocab), ...Object.values(added)]) size = Math.max(size, id + 1);
  if (size > vocabSize) return undefined;
  const tokens: string[] = new Array(size);
  const types: number[] = new Array(size).fill(TokenType.Normal);
  for (const [text, id] of Object.entries(vocab)) tokens[id] = text;
  for (const [text, id] of Object.entries(added)) {
    tokens[id] = text;
    types[id] = config.added_tokens_decoder?.[String(id)]?.special === false ? TokenType.UserDefined : TokenType.Control;
  }
  for (let id = 0; id < size; id++) if (tokens[id] === undefined) throw new Error(`${dir}: no token has id ${id}`);
  padded(tokens, types, vocabSize);
  const idOf = (text: string | undefined) => (text === undefined ? undefined : added[text] ?? vocab[text]);
  const eos = idOf(config.eos_token) ?? idOf('<|endoftext|>');
  const pad = idOf(config.pad_token);
  const endOfText = idOf('<|endoftext|>');
  const metadata: Array<[string, GgufTypedValue]> = [
    ['tokenizer.ggml.model', gguf.str('gpt2')],
    ['tokenizer.ggml.pre', gguf.str('qwen2')],
    ['tokenizer.ggml.tokens', gguf.arr('str', tokens)],
    ['tokenizer.ggml.token_type', gguf.arr('i32', types)],
    ['tokenizer.ggml.merges', gguf.arr('str', parseMergesText(read('merges.txt')))],
    ['tokenizer.ggml.add_bos_token', gguf.bool(false)],
  ];
  if (endOfText !== undefined) metadata.push(['tokenizer.ggml.bos_token_id', gguf.u32(endOfText)]);
  if (eos !== undefined) metadata.push(['tokenizer.ggml.eos_token_id', gguf.u32(eos)]);
  if (pad !== undefined) metadata.push(['tokenizer.ggml.padding_token_id', gguf.u32(pad)]);
  const template = path.join(dir, 'chat_template.jinja');
  if (existsSync(template)) metadata.push(['tokenizer.chat_template', gguf.str(readFileSync(template, 'utf8'))]);
  return metadata;
}

function byteTokenizerMetadata(vocabSize: number): Array<[string, GgufTypedValue]> {
  const endOfText = 256;
  if (vocabSize <= endOfText) throw new Error(`a byte-level vocabulary needs more than 256 rows, the model has ${vocabSize}`);
  const tokens = [...BYTE_TO_CHAR, '<|endoftext|>'];
  const types: number[] = [...new Array<number>(256).fill(TokenType.Normal), TokenType.Control];
  padded(tokens, types, vocabSize);
  return [
    ['tokenizer.ggml.model', gguf.str('gpt2')],
    ['tokenizer.ggml.pre', gguf.str('qwen2')],
    ['tokenizer.ggml.tokens', gguf.arr('str', tokens)],
    ['tokenizer.ggml.token_type', gguf.arr('i32', types)],
    ['tokenizer.ggml.merges', gguf.arr('str', [])],
    ['tokenizer.ggml.add_bos_token', gguf.bool(false)],
    ['tokenizer.ggml.bos_token_id', gguf.u32(endOfText)],
    ['tokenizer.ggml.eos_token_id', gguf.u32(endOfText)],
  ];
}
