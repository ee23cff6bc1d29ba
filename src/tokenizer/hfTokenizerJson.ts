import type { BpeModel } from './bpeModel.js';
import type { DecodingRules } from './decoding.js';
import { assembleHfBpe } from './hfBpe.js';
import { parseAddedToken, postProcessorIds, type HfTokenizerConfig } from './hfConfig.js';
import { buildNormalizer, type Normalizer } from './hfNormalizers.js';
import { buildPreTokenizer, containsType, type PreTokenizer } from './hfPreTokenizers.js';
import type { FragmentContext, FragmentEncoder } from './tokenizer.js';
import type { Tokenizer } from './types.js';
import { entriesOf } from './vocab.js';
import { ModelFormatError } from '../formats/errors.js';

type Json = Record<string, unknown>;

/** tokenizer.json's pipeline for one fragment: normalizer, pre-tokenizer, BPE per piece. */
class HfFragmentEncoder implements FragmentEncoder {
  constructor(
    private readonly normalize: Normalizer,
    private readonly preTokenize: PreTokenizer,
    private readonly model: BpeModel,
  ) {}

  encode(text: string, context: FragmentContext, out: number[]): void {
    const normalized = this.normalize(text);
    if (normalized.length === 0) return;
    for (const piece of this.preTokenize([normalized], context.atStart)) this.model.encodeWord(piece, out);
  }
}

/** How tokenizer.json's decoder turns tokens into text, in the terms of TokenDecoder. */
function decodingRules(json: Json, byteLevel: boolean): DecodingRules {
  const decoder = json.decoder;
  const metaspace = containsType(decoder, 'Metaspace') || containsType(json.pre_tokenizer, 'Metaspace');
  const replacesMarker = JSON.stringify(decoder ?? null).includes('"String":"\u2581"');
  let strip = false;
  const visit = (d: unknown) => {
    if (!d || typeof d !== 'object') return;
    const c = d as Json;
    if (c.type === 'Strip' && c.content === ' ' && Number(c.start ?? 0) >= 1) strip = true;
    if (c.type === 'Metaspace' && c.prepend_scheme !== 'never' && c.add_prefix_space !== false) strip = true;
    if (Array.isArray(c.decoders)) c.decoders.forEach(visit);
  };
  visit(decoder);
  return { pieceDecoding: byteLevel ? 'byteLevel' : metaspace || replacesMarker ? 'spaceMarker' : 'plain', stripLeadingSpace: strip };
}

/** Builds a tokenizer from a parsed tokenizer.json (BPE models: byte-level or with byte fallback). */
export function tokenizerFromTokenizerJson(json: unknown, source: string, config: HfTokenizerConfig): Tokenizer {
  const j = json as Json;
  const model = j?.model as Json | undefined;
  if (!model || typeof model !== 'object') throw new ModelFormatError(source, `no "model" object (not a tokenizer.json?)`);
  const type = model.type ?? (model.merges ? 'BPE' : undefined);
  if (type !== 'BPE') throw new ModelFormatError(source, `tokenizer model type '${String(type)}' is not supported (only BPE)`);
  if (model.continuing_subword_prefix || model.end_of_word_suffix) {
    throw new ModelFormatError(source, `BPE with continuing_subword_prefix / end_of_word_suffix is not supported`);
  }
  if (!model.vocab || typeof model.vocab !== 'object' || !Array.isArray(model.merges)) {
    throw new ModelFormatError(source, `the BPE model needs a "vocab" object and a "merges" array`);
  }
  const byteLevel = containsType(j.pre_tokenizer, 'ByteLevel') || containsType(j.decoder, 'ByteLevel');
  const addedTokens = (Array.isArray(j.added_tokens) ? j.added_tokens : []).map((t) => parseAddedToken(t, undefined, `${source} added_tokens`));
  const normalize = buildNormalizer(j.normalizer, `${source} normalizer`);
  const preTokenize = buildPreTokenizer(j.pre_tokenizer, `${source} pre_tokenizer`);
  const idOfAdded = (name: string) => addedTokens.find((t) => t.content === name)?.id ?? (model.vocab as Record<string, number>)[name];
  const { prefix, suffix } = postProcessorIds(j.post_processor, idOfAdded);
  return assembleHfBpe({
    source,
    vocab: entriesOf(model.vocab as Record<string, number>),
    merges: model.merges as (string | [string, string])[],
    addedTokens,
    model: {
      byteLevel,
      byteFallback: model.byte_fallback === true,
      ignoreMerges: model.ignore_merges === true,
      fuseUnk: model.fuse_unk === true,
      unkToken: typeof model.unk_token === 'string' ? model.unk_token : undefined,
    },
    encoder: (bpe) => new HfFragmentEncoder(normalize, preTokenize, bpe),
    decoding: decodingRules(j, byteLevel),
    prefixIds: prefix,
    suffixIds: suffix,
    config,
  });
}
