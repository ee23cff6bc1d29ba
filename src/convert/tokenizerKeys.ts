// tokenizer.ggml.* metadata from a Hugging Face byte-level BPE tokenizer.json (+ tokenizer_config.json).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gguf } from '../formats/gguf/writer.js';
import type { GgufTypedValue } from '../formats/gguf/types.js';

// The Split regexes of known pre-tokenizers, and the GGUF `tokenizer.ggml.pre` name llama.cpp gives them.
const KNOWN_SPLITS: Record<string, string> = {
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+": 'qwen2',
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+": 'llama-bpe',
};

const TOKEN_TYPE = { normal: 1, control: 3, userDefined: 4 } as const;

type Json = Record<string, unknown>;

export function tokenizerMetadata(dir: string): Array<[string, GgufTypedValue]> {
  const file = path.join(dir, 'tokenizer.json');
  if (!existsSync(file)) throw new Error(`${dir}: no tokenizer.json to convert`);
  const json = JSON.parse(readFileSync(file, 'utf8')) as Json;
  const model = json.model as Json | undefined;
  if (model?.type !== 'BPE' || !JSON.stringify(json.pre_tokenizer ?? null).includes('ByteLevel')) {
    throw new Error(`${file}: only byte-level BPE tokenizers can be converted to GGUF for now`);
  }
  const vocab = model.vocab as Record<string, number>;
  const added = (json.added_tokens ?? []) as { id: number; content: string; special?: boolean }[];
  const size = Math.max(...Object.values(vocab), ...added.map((t) => t.id)) + 1;
  const tokens: string[] = Array.from({ length: size }, (_, i) => `[PAD${i}]`);
  const types: number[] = new Array(size).fill(TOKEN_TYPE.userDefined);
  for (const [text, id] of Object.entries(vocab)) {
    tokens[id] = text;
    types[id] = TOKEN_TYPE.normal;
  }
  for (const t of added) {
    tokens[t.id] = t.content;
    types[t.id] = t.special ? TOKEN_TYPE.control : TOKEN_TYPE.userDefined;
  }
  const merges = (model.merges as (string | [string, string])[]).map((m) => (Array.isArray(m) ? m.join(' ') : m));
  const config = readConfig(dir);
  const idOf = (name: unknown) => {
    const text = typeof name === 'string' ? name : (name as { content?: string } | null)?.content;
    return text === undefined ? undefined : tokens.indexOf(text);
  };
  const out: Array<[string, GgufTypedValue]> = [
    ['tokenizer.ggml.model', gguf.str('gpt2')],
    ['tokenizer.ggml.pre', gguf.str(preTokenizerName(json.pre_tokenizer))],
    ['tokenizer.ggml.tokens', gguf.arr('str', tokens)],
    ['tokenizer.ggml.token_type', gguf.arr('i32', types)],
    ['tokenizer.ggml.merges', gguf.arr('str', merges)],
  ];
  const bos = idOf(config.bos_token);
  const eos = idOf(config.eos_token);
  if (bos !== undefined && bos >= 0) out.push(['tokenizer.ggml.bos_token_id', gguf.u32(bos)]);
  if (eos !== undefined && eos >= 0) out.push(['tokenizer.ggml.eos_token_id', gguf.u32(eos)]);
  out.push(['tokenizer.ggml.add_bos_token', gguf.bool(config.add_bos_token === true)]);
  return out;
}

function readConfig(dir: string): Json {
  const file = path.join(dir, 'tokenizer_config.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Json) : {};
}

function preTokenizerName(pre: unknown): string {
  const text = JSON.stringify(pre ?? null);
  for (const [regex, name] of Object.entries(KNOWN_SPLITS)) if (text.includes(JSON.stringify(regex).slice(1, -1))) return name;
  if (text.includes('"use_regex":true') || !text.includes('Split')) return 'gpt2';
  throw new Error('the pre-tokenizer of this tokenizer.json has no GGUF name known to fastfill');
}
