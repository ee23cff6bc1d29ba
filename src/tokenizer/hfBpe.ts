import { BpeModel } from './bpeModel.js';
import type { DecodingRules } from './decoding.js';
import { eogIdsFor } from './eog.js';
import type { AddedToken, HfTokenizerConfig } from './hfConfig.js';
import { mergesFromList, type MergeTable } from './mergeTable.js';
import { TokenizerImpl, type FragmentEncoder } from './tokenizer.js';
import { TokenType, type Tokenizer } from './types.js';
import { tokensFromIdMap, Vocab } from './vocab.js';
import { ModelFormatError } from '../formats/errors.js';

/** Everything an HF-style BPE tokenizer (tokenizer.json, vocab.json + merges.txt, tiktoken) is made of. */
export interface HfBpeSpec {
  source: string;
  vocab: Iterable<[string, number]>;
  /** merges lines/pairs (rank = position), or a builder of the table (tiktoken ranks) */
  merges: Iterable<string | readonly [string, string]> | ((vocab: Vocab) => MergeTable);
  addedTokens: readonly AddedToken[];
  model: { byteLevel: boolean; byteFallback: boolean; ignoreMerges: boolean; fuseUnk: boolean; unkToken?: string };
  /** wraps the BPE model into the fragment encoder (normalizer + pre-tokenizer) */
  encoder: (model: BpeModel) => FragmentEncoder;
  decoding: DecodingRules;
  /** ids added around the text (post-processor), before tokenizer_config.json overrides */
  prefixIds: number[];
  suffixIds: number[];
  config: HfTokenizerConfig;
  /** BOS/EOS names to use when the config names none */
  defaultBos?: string;
  defaultEos?: string;
}

const BYTE_TOKEN = /^<0x[0-9A-F]{2}>$/;

export function assembleHfBpe(spec: HfBpeSpec): Tokenizer {
  const { source, config } = spec;
  // one entry per id; tokenizer.json's added_tokens win over tokenizer_config.json's copy
  const added = [...new Map([...config.addedTokens, ...spec.addedTokens].map((t) => [t.id, t])).values()];
  const entries: [string, number][] = [...spec.vocab];
  for (const t of added) entries.push([t.content, t.id]);
  const { tokens, types } = tokensFromIdMap(entries, source);
  if (tokens.length === 0) throw new ModelFormatError(source, `the vocabulary is empty`);
  if (spec.model.byteFallback) tokens.forEach((t, i) => BYTE_TOKEN.test(t) && (types[i] = TokenType.Byte));
  for (const t of added) types[t.id] = t.special ? TokenType.Control : TokenType.UserDefined;
  const vocab = new Vocab(tokens, types);
  const unkToken = spec.model.unkToken ?? config.unkToken;
  const unkId = unkToken !== undefined ? vocab.id(unkToken) : undefined;
  if (unkId !== undefined && types[unkId] === TokenType.Normal) types[unkId] = TokenType.Unknown;

  const merges = typeof spec.merges === 'function' ? spec.merges(vocab) : mergesFromList(spec.merges, vocab.tokens, (t) => vocab.id(t));
  const model = new BpeModel(vocab, merges, {
    byteLevel: spec.model.byteLevel,
    ignoreMerges: spec.model.ignoreMerges,
    byteFallback: spec.model.byteFallback,
    unkId,
    fuseUnk: spec.model.fuseUnk,
  });

  const named = (name: string | undefined) => (name === undefined ? undefined : vocab.id(name));
  const bosId = named(config.bosToken) ?? (spec.prefixIds.length === 1 ? spec.prefixIds[0] : named(spec.defaultBos));
  const eosId = named(config.eosToken) ?? (spec.suffixIds.length === 1 ? spec.suffixIds[0] : named(spec.defaultEos));
  // tokenizer_config.json add_bos_token / add_eos_token win over the post-processor when present
  let prefixIds = spec.prefixIds;
  let suffixIds = spec.suffixIds;
  if (config.addBosToken !== undefined) prefixIds = config.addBosToken && bosId !== undefined ? [bosId] : [];
  if (config.addEosToken !== undefined) suffixIds = config.addEosToken && eosId !== undefined ? [eosId] : [];

  return new TokenizerImpl({
    vocab,
    encoder: spec.encoder(model),
    decoding: spec.decoding,
    specials: added.map((t) => ({ id: t.id, text: t.content, plain: !t.special, lstrip: t.lstrip, rstrip: t.rstrip })),
    bosId,
    eosId,
    prefixIds,
    suffixIds,
    eogIds: eogIdsFor(vocab, eosId, config.generationEosIds),
    source,
  });
}
