import { assembleHfBpe } from './hfBpe.js';
import type { AddedToken, HfTokenizerConfig } from './hfConfig.js';
import { RegexBpeFragmentEncoder } from './encoders.js';
import { LLAMA3_BASE_VOCAB, llama3SpecialTokens } from './llama3Specials.js';
import { PRE_TOKENIZER_REGEXES, toJsRegex } from './pretokenize.js';
import type { Tokenizer } from './types.js';
import { entriesOf } from './vocab.js';

export type ByteLevelPre = 'gpt2' | 'llama3' | 'qwen2';

/**
 * Which regex a byte-level vocabulary was trained with, read from its tokens: GPT-2's regex lets
 * digits follow a space ("Ġ2018"); Llama 3's cuts digit runs into threes; Qwen2's into single
 * digits. Used only when no tokenizer.json or tokenizer class says it.
 */
export function guessByteLevelPre(tokens: Iterable<string>): ByteLevelPre {
  let longestDigits = 0;
  for (const t of tokens) {
    if (/^\u0120[0-9]/.test(t)) return 'gpt2';
    for (const run of t.match(/[0-9]+/g) ?? []) longestDigits = Math.max(longestDigits, run.length);
  }
  return longestDigits === 3 ? 'llama3' : longestDigits <= 1 ? 'qwen2' : 'gpt2';
}

function preFromClass(tokenizerClass: string | undefined): ByteLevelPre | undefined {
  if (!tokenizerClass) return undefined;
  if (/^Qwen2Tokenizer/.test(tokenizerClass)) return 'qwen2';
  if (/^(GPT2|CodeGen|Roberta|GPTNeoX|Bart|Starcoder)Tokenizer/i.test(tokenizerClass)) return 'gpt2';
  return undefined;
}

/** merges.txt / vocab.bpe lines: a "#version" header and blank lines are skipped. */
export function parseMergesText(text: string): string[] {
  return text.split(/\r?\n/).filter((line, i) => line.length > 0 && !(i === 0 && line.startsWith('#version')));
}

/**
 * A byte-level BPE tokenizer from GPT-2 style files: vocab.json / encoder.json (token -> id) and
 * merges.txt / vocab.bpe, with added_tokens.json and tokenizer_config.json when present.
 * A Llama 3 vocabulary (128000 tokens, no added tokens) gets Meta's 256 special tokens.
 */
export function tokenizerFromVocabAndMerges(
  vocab: Record<string, number>,
  mergeLines: readonly string[],
  source: string,
  config: HfTokenizerConfig,
  addedTokensJson: Record<string, number> = {},
  pre?: ByteLevelPre,
): Tokenizer {
  const entries = entriesOf(vocab);
  const kind = pre ?? preFromClass(config.tokenizerClass) ?? guessByteLevelPre(entries.map(([t]) => t));
  const configured = new Set(config.addedTokens.map((t) => t.id));
  const added: AddedToken[] = Object.entries(addedTokensJson)
    .filter(([, id]) => !configured.has(id))
    .map(([content, id]) => ({ id, content, special: true, lstrip: false, rstrip: false }));
  const isLlama3 = kind === 'llama3' && entries.length === LLAMA3_BASE_VOCAB && added.length === 0 && config.addedTokens.length === 0;
  if (isLlama3) {
    llama3SpecialTokens().forEach((content, i) => added.push({ id: LLAMA3_BASE_VOCAB + i, content, special: true, lstrip: false, rstrip: false }));
  }
  const regexes = PRE_TOKENIZER_REGEXES[kind]!.map((r) => toJsRegex(r));
  // Qwen2Tokenizer normalizes to NFC; GPT-2 and Llama 3 tokenizers do not normalize
  const normalize = kind === 'qwen2' ? (t: string) => t.normalize('NFC') : undefined;
  return assembleHfBpe({
    source,
    vocab: entries,
    merges: mergeLines,
    addedTokens: added,
    model: { byteLevel: true, byteFallback: false, ignoreMerges: kind === 'llama3', fuseUnk: false },
    encoder: (bpe) => new RegexBpeFragmentEncoder(bpe, regexes, normalize),
    decoding: { pieceDecoding: 'byteLevel', stripLeadingSpace: false },
    prefixIds: [],
    suffixIds: [],
    config: isLlama3 && config.addBosToken === undefined ? { ...config, addBosToken: true } : config,
    defaultBos: isLlama3 ? '<|begin_of_text|>' : undefined,
    defaultEos: isLlama3 ? '<|end_of_text|>' : '<|endoftext|>',
  });
}
