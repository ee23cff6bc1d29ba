import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadGgufTokenizer } from './ggufTokenizer.js';
import { readFolderConfig, readJsonFile, tokenizerFromHfFolder, tokenizerFromModelFile, tokenizerFromVocabFiles } from './hfFolder.js';
import { tokenizerFromTokenizerJson } from './hfTokenizerJson.js';
import type { Tokenizer } from './types.js';
import { ModelFormatError } from '../formats/errors.js';

function head(file: string, n: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads a tokenizer from a path, recognising it by content: a GGUF file (vocab-only or full);
 * a tokenizer.json; a vocab.json / encoder.json beside merges.txt / vocab.bpe; a SentencePiece or
 * tiktoken tokenizer.model; or a folder holding any of these.
 */
export function loadTokenizer(p: string): Tokenizer {
  if (!existsSync(p)) throw new ModelFormatError(p, `no such file or folder`);
  if (statSync(p).isDirectory()) return tokenizerFromHfFolder(p);
  const dir = path.dirname(p);
  const start = head(p, 64);
  if (start.subarray(0, 4).toString('latin1') === 'GGUF') return loadGgufTokenizer(p);
  if (start.toString('latin1').trimStart().startsWith('{')) {
    const json = readJsonFile(p) as Record<string, unknown>;
    if (json && typeof json.model === 'object' && json.model !== null) return tokenizerFromTokenizerJson(json, p, readFolderConfig(dir));
    const merges = ['merges.txt', 'vocab.bpe'].map((m) => path.join(dir, m)).find((m) => existsSync(m));
    if (merges) return tokenizerFromVocabFiles(p, merges, readFolderConfig(dir));
    throw new ModelFormatError(p, `a JSON file that is neither a tokenizer.json nor a vocab with merges.txt / vocab.bpe beside it`);
  }
  try {
    return tokenizerFromModelFile(p, readFolderConfig(dir));
  } catch (e) {
    const why = e instanceof ModelFormatError ? e.problem : (e as Error).message;
    throw new ModelFormatError(p, `not a tokenizer file (GGUF, tokenizer.json, vocab.json, SentencePiece or tiktoken tokenizer.model): ${why}`, { cause: e });
  }
}
