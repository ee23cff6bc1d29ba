import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseHfConfig, type HfTokenizerConfig } from './hfConfig.js';
import { tokenizerFromTokenizerJson } from './hfTokenizerJson.js';
import { parseMergesText, tokenizerFromVocabAndMerges } from './hfVocabMerges.js';
import { tokenizerFromSentencePiece } from './sentencepieceModel.js';
import { looksLikeTiktoken, tokenizerFromTiktoken } from './tiktoken.js';
import type { Tokenizer } from './types.js';
import { ModelFormatError } from '../formats/errors.js';

/** Reads and parses a JSON file, with errors naming it. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ModelFormatError(file, `cannot read (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelFormatError(file, `invalid JSON (${(e as Error).message})`);
  }
}

const optionalJson = (dir: string, name: string) => (existsSync(path.join(dir, name)) ? readJsonFile(path.join(dir, name)) : undefined);

/** tokenizer_config.json, special_tokens_map.json and generation_config.json of a folder. */
export function readFolderConfig(dir: string): HfTokenizerConfig {
  return parseHfConfig(optionalJson(dir, 'tokenizer_config.json'), optionalJson(dir, 'special_tokens_map.json'), optionalJson(dir, 'generation_config.json'));
}

/** A tokenizer.model file: tiktoken text ("<base64> <rank>" lines) or a SentencePiece protobuf. */
export function tokenizerFromModelFile(file: string, config: HfTokenizerConfig): Tokenizer {
  const bytes = readFileSync(file);
  const firstLine = bytes.subarray(0, 200).toString('latin1').split('\n')[0]!;
  if (looksLikeTiktoken(firstLine)) return tokenizerFromTiktoken(bytes.toString('utf8'), file, config);
  return tokenizerFromSentencePiece(bytes, file, config);
}

/** A tokenizer from GPT-2 style vocab + merges files, with the folder's added tokens and config. */
export function tokenizerFromVocabFiles(vocabFile: string, mergesFile: string, config: HfTokenizerConfig): Tokenizer {
  const vocab = readJsonFile(vocabFile);
  if (!vocab || typeof vocab !== 'object' || Array.isArray(vocab)) throw new ModelFormatError(vocabFile, `expected a JSON object of token -> id`);
  const dir = path.dirname(vocabFile);
  const added = optionalJson(dir, 'added_tokens.json') as Record<string, number> | undefined;
  const merges = parseMergesText(readFileSync(mergesFile, 'utf8'));
  return tokenizerFromVocabAndMerges(vocab as Record<string, number>, merges, vocabFile, config, added ?? {});
}

/**
 * The tokenizer of a Hugging Face model folder: tokenizer.json; else vocab.json + merges.txt
 * (+ added_tokens.json); else encoder.json + vocab.bpe; else tokenizer.model (SentencePiece or
 * tiktoken). tokenizer_config.json, special_tokens_map.json and generation_config.json add BOS/EOS
 * names, add_bos/add_eos and end-of-generation ids.
 */
export function tokenizerFromHfFolder(dir: string): Tokenizer {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModelFormatError(dir, `not a folder`);
  const config = readFolderConfig(dir);
  const file = (name: string) => path.join(dir, name);
  const has = (name: string) => existsSync(file(name));
  if (has('tokenizer.json')) return tokenizerFromTokenizerJson(readJsonFile(file('tokenizer.json')), file('tokenizer.json'), config);
  if (has('vocab.json') && has('merges.txt')) return tokenizerFromVocabFiles(file('vocab.json'), file('merges.txt'), config);
  if (has('encoder.json') && has('vocab.bpe')) return tokenizerFromVocabFiles(file('encoder.json'), file('vocab.bpe'), config);
  const model = readdirSync(dir).find((name) => /^tokenizer\.model(\.v\d+)?$/.test(name));
  if (model) return tokenizerFromModelFile(file(model), config);
  throw new ModelFormatError(dir, `no tokenizer found (looked for tokenizer.json, vocab.json + merges.txt, encoder.json + vocab.bpe, tokenizer.model)`);
}
