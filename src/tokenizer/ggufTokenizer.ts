import { openGguf, type GgufValue } from '../formats/gguf/index.js';
import { BpeModel } from './bpeModel.js';
import { RegexBpeFragmentEncoder, SpmFragmentEncoder } from './encoders.js';
import { eogIdsFor, markControl } from './eog.js';
import { mergesFromList } from './mergeTable.js';
import { preTokenizerConfig, toJsRegex } from './pretokenize.js';
import { specialsFromVocab } from './specialTokens.js';
import { SpmEncoder } from './spm.js';
import { TokenizerImpl, type TokenizerParts } from './tokenizer.js';
import { TokenType, type Tokenizer } from './types.js';
import { Vocab } from './vocab.js';
import { WordPieceFragmentEncoder } from './wordpiece.js';

const KEY = 'tokenizer.ggml.';

/** Typed access to the tokenizer keys, with errors naming the source and the key. */
class Meta {
  constructor(
    private readonly metadata: Map<string, GgufValue>,
    private readonly source: string,
  ) {}

  fail(problem: string): never {
    throw new Error(`${this.source}: ${problem}`);
  }

  string(key: string): string | undefined {
    const v = this.metadata.get(key);
    if (v === undefined) return undefined;
    return typeof v === 'string' ? v : this.fail(`metadata key '${key}' is not a string`);
  }

  bool(key: string): boolean | undefined {
    const v = this.metadata.get(key);
    if (v === undefined) return undefined;
    return typeof v === 'boolean' ? v : this.fail(`metadata key '${key}' is not a bool`);
  }

  id(key: string, vocabSize: number): number | undefined {
    const v = this.metadata.get(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(`metadata key '${key}' is not an integer`);
    // llama.cpp ignores an out-of-range id and keeps the default
    return v >= 0 && v < vocabSize ? v : undefined;
  }

  stringArray(key: string): string[] | undefined {
    const v = this.metadata.get(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) this.fail(`metadata key '${key}' is not an array of strings`);
    return v as string[];
  }

  numberArray(key: string, length: number): number[] | undefined {
    const v = this.metadata.get(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) this.fail(`metadata key '${key}' is not an array of numbers`);
    if (v.length < length) this.fail(`metadata key '${key}' has ${v.length} entries for ${length} tokens`);
    return v as number[];
  }
}

/** Opens a (vocab-only or full) GGUF file and builds its tokenizer. */
export function loadGgufTokenizer(path: string): Tokenizer {
  const file = openGguf(path, { vocabOnly: true });
  try {
    return tokenizerFromGgufMetadata(file.metadata, path);
  } finally {
    file.close();
  }
}

/**
 * Builds a tokenizer from GGUF metadata (the tokenizer.ggml.* keys), with llama.cpp's defaults per
 * tokenizer model where a key is missing.
 */
export function tokenizerFromGgufMetadata(metadata: Map<string, GgufValue>, source = 'GGUF metadata'): Tokenizer {
  const meta: Meta = new Meta(metadata, source);
  const model = meta.string(KEY + 'model') ?? meta.fail(`missing metadata key '${KEY}model'`);
  const tokens = meta.stringArray(KEY + 'tokens') ?? meta.fail(`missing metadata key '${KEY}tokens'`);
  if (tokens.length === 0) meta.fail('the vocabulary is empty');
  const n = tokens.length;
  const typeList = meta.numberArray(KEY + 'token_type', n);
  const scoreList = meta.numberArray(KEY + 'scores', n);
  const types = new Uint8Array(n).fill(TokenType.Normal);
  if (typeList) for (let i = 0; i < n; i++) types[i] = typeList[i]! >= 1 && typeList[i]! <= 6 ? typeList[i]! : TokenType.Unused;
  // llama.cpp renames empty tokens so that none is ""
  const texts = tokens.map((t, i) => (t === '' ? `[EMPTY_${i}]` : t));
  const vocab = new Vocab(texts, types, scoreList ? Float32Array.from(scoreList.slice(0, n)) : undefined);

  const id = (name: string) => meta.id(KEY + name, n);
  const common = {
    eotId: id('eot_token_id'),
    eomId: id('eom_token_id'),
    padId: id('padding_token_id'),
  };
  let parts: Omit<TokenizerParts, 'specials' | 'eogIds' | 'source' | 'prefixIds' | 'suffixIds'> & {
    addBos: boolean;
    addEos: boolean;
    sepId?: number;
    addSep?: boolean;
    extraEog: (number | undefined)[];
  };

  if (model === 'llama') {
    const unkId = id('unknown_token_id') ?? inRange(0, n);
    parts = {
      vocab,
      encoder: new SpmFragmentEncoder(new SpmEncoder(vocab, unkId), meta.bool(KEY + 'add_space_prefix') ?? true),
      decoding: { pieceDecoding: 'spaceMarker', stripLeadingSpace: meta.bool(KEY + 'add_space_prefix') ?? true },
      bosId: id('bos_token_id') ?? inRange(1, n),
      eosId: id('eos_token_id') ?? inRange(2, n),
      addBos: meta.bool(KEY + 'add_bos_token') ?? true,
      addEos: meta.bool(KEY + 'add_eos_token') ?? false,
      extraEog: [common.eotId, common.eomId],
    };
  } else if (model === 'gpt2') {
    const pre = preTokenizerConfig(meta.string(KEY + 'pre') ?? 'default');
    const mergeList = meta.stringArray(KEY + 'merges') ?? meta.fail(`missing metadata key '${KEY}merges' (BPE merges)`);
    const merges = mergesFromList(mergeList, vocab.tokens, (t) => vocab.id(t));
    const bpe = new BpeModel(vocab, merges, { byteLevel: true, ignoreMerges: pre.ignoreMerges, byteFallback: false });
    const bosDefault = pre.noBos ? undefined : inRange(11, n);
    parts = {
      vocab,
      encoder: new RegexBpeFragmentEncoder(bpe, pre.regexes.map((r) => toJsRegex(r))),
      decoding: { pieceDecoding: 'byteLevel', stripLeadingSpace: false },
      bosId: id('bos_token_id') ?? bosDefault,
      eosId: id('eos_token_id') ?? inRange(11, n),
      addBos: meta.bool(KEY + 'add_bos_token') ?? pre.addBos,
      addEos: meta.bool(KEY + 'add_eos_token') ?? false,
      extraEog: [common.eotId, common.eomId],
    };
  } else if (model === 'bert') {
    const lowercase = meta.bool(KEY + 'normalizer.lowercase') ?? true;
    const unkId = id('unknown_token_id') ?? inRange(100, n) ?? meta.fail('WordPiece vocabulary without an unknown token');
    parts = {
      vocab,
      encoder: new WordPieceFragmentEncoder(vocab, {
        lowercase,
        stripAccents: meta.bool(KEY + 'normalizer.strip_accents') ?? lowercase,
        unkId,
      }),
      decoding: { pieceDecoding: 'spaceMarker', stripLeadingSpace: true },
      bosId: id('bos_token_id') ?? id('cls_token_id') ?? inRange(101, n),
      eosId: id('eos_token_id'),
      sepId: id('seperator_token_id') ?? inRange(102, n),
      // llama.cpp always wraps WordPiece input in [CLS] ... [SEP] when adding special tokens
      addBos: true,
      addEos: false,
      addSep: true,
      extraEog: [common.eotId, common.eomId],
    };
  } else {
    meta.fail(`tokenizer model '${model}' is not supported (supported: llama = SentencePiece, gpt2 = byte-level BPE, bert = WordPiece)`);
  }

  const eogIds = eogIdsFor(vocab, parts.eosId, parts.extraEog);
  markControl(vocab, eogIds);
  const specials = specialsFromVocab(vocab, stripRulesFor(meta.string('general.name') ?? '', vocab));
  const { extraEog: _extra, addBos, addEos, addSep, sepId, ...rest } = parts;
  const need = (what: string, tokenId: number | undefined): number =>
    tokenId ?? meta.fail(`the tokenizer adds ${what} but the vocabulary has no ${what} token`);
  const prefixIds = addBos ? [need('BOS', parts.bosId)] : [];
  const suffixIds = [...(addEos ? [need('EOS', parts.eosId)] : []), ...(addSep ? [need('SEP', sepId)] : [])];
  return new TokenizerImpl({ ...rest, specials, eogIds, source, prefixIds, suffixIds });
}

function inRange(id: number, n: number): number | undefined {
  return id < n ? id : undefined;
}

/** llama.cpp's per-model whitespace stripping around special tokens (Phi-3: RSTRIP). */
function stripRulesFor(modelName: string, vocab: Vocab): Map<number, { rstrip?: boolean }> {
  const rules = new Map<number, { rstrip?: boolean }>();
  const name = modelName.toLowerCase();
  if (name.includes('phi-3') || name.includes('phi3')) {
    for (let i = 0; i < vocab.size; i++) if (vocab.isMatchable(i)) rules.set(i, { rstrip: true });
    const eos = vocab.id('</s>');
    if (eos !== undefined) rules.set(eos, { rstrip: true });
    for (const t of ['<unk>', '<s>', '<|endoftext|>']) {
      const i = vocab.id(t);
      if (i !== undefined) rules.set(i, { rstrip: false });
    }
  }
  return rules;
}
