import { BYTE_TO_CHAR } from './byteLevel.js';
import type { HfTokenizerConfig } from './hfConfig.js';
import { assembleHfBpe } from './hfBpe.js';
import { RegexBpeFragmentEncoder } from './encoders.js';
import { LLAMA3_BASE_VOCAB, llama3SpecialTokens } from './llama3Specials.js';
import { MergeTable } from './mergeTable.js';
import { PRE_TOKENIZER_REGEXES, toJsRegex } from './pretokenize.js';
import type { Tokenizer } from './types.js';
import type { Vocab } from './vocab.js';
import { ModelFormatError } from '../formats/errors.js';

const LINE = /^([A-Za-z0-9+/]+=*) (\d+)$/;

/** Whether text looks like a tiktoken BPE file (lines "<base64 bytes> <rank>"). */
export function looksLikeTiktoken(firstLine: string): boolean {
  return LINE.test(firstLine.trim());
}

/** Parses a tiktoken file into byte-level token spellings with their ranks. */
export function parseTiktoken(text: string, source: string): [string, number][] {
  const entries: [string, number][] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const m = LINE.exec(line);
    if (!m) throw new ModelFormatError(source, `line ${i + 1} is not "<base64> <rank>"`);
    const bytes = Buffer.from(m[1]!, 'base64');
    const codes = new Array<number>(bytes.length);
    for (let k = 0; k < bytes.length; k++) codes[k] = BYTE_TO_CHAR[bytes[k]!]!.charCodeAt(0);
    entries.push([String.fromCharCode(...codes), Number(m[2])]);
  }
  return entries;
}

/**
 * tiktoken's merge rule: two adjacent tokens merge when their concatenation is a (base) token, at
 * that token's rank (= its id).
 */
export function tiktokenMerges(vocab: Vocab, baseSize: number): MergeTable {
  return new MergeTable((left, right) => {
    const id = vocab.id(vocab.tokens[left]! + vocab.tokens[right]!);
    return id !== undefined && id < baseSize ? { rank: id, result: id } : undefined;
  });
}

/**
 * A tokenizer from a tiktoken file. Only Llama 3's (128000 ranks) is known: Meta's 256 special
 * tokens are appended and Meta's regex is used.
 */
export function tokenizerFromTiktoken(text: string, source: string, config: HfTokenizerConfig): Tokenizer {
  const entries = parseTiktoken(text, source);
  if (entries.length !== LLAMA3_BASE_VOCAB) {
    throw new ModelFormatError(source, `a tiktoken file with ${entries.length} ranks; only Llama 3's (${LLAMA3_BASE_VOCAB}) is known (its regex and special tokens)`);
  }
  entries.forEach(([, rank], i) => {
    if (rank !== i) throw new ModelFormatError(source, `ranks must be 0..n-1 in order (line ${i + 1} has rank ${rank})`);
  });
  const specials = llama3SpecialTokens().map((content, i) => ({ id: LLAMA3_BASE_VOCAB + i, content, special: true, lstrip: false, rstrip: false }));
  const regexes = PRE_TOKENIZER_REGEXES.llama3!.map((r) => toJsRegex(r));
  return assembleHfBpe({
    source,
    vocab: entries,
    merges: (vocab) => tiktokenMerges(vocab, LLAMA3_BASE_VOCAB),
    addedTokens: specials,
    model: { byteLevel: true, byteFallback: false, ignoreMerges: true, fuseUnk: false },
    encoder: (bpe) => new RegexBpeFragmentEncoder(bpe, regexes),
    decoding: { pieceDecoding: 'byteLevel', stripLeadingSpace: false },
    prefixIds: [],
    suffixIds: [],
    config: config.addBosToken === undefined ? { ...config, addBosToken: true } : config,
    defaultBos: '<|begin_of_text|>',
    defaultEos: '<|end_of_text|>',
  });
}
