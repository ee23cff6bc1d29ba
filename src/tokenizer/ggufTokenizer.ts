import { openGguf, type GgufValue } from '../formats/gguf/index.js';
import { BpeModel } from './bpeModel.js';
import type { DecodingRules } from './decoding.js';
import { RegexBpeFragmentEncoder, SpmFragmentEncoder } from './encoders.js';
import { eogIdsFor, markControl } from './eog.js';
import { GgufMeta } from './ggufMeta.js';
import { mergesFromList } from './mergeTable.js';
import { preTokenizerConfig, toJsRegex } from './pretokenize.js';
import { specialsFromVocab } from './specialTokens.js';
import { SpmEncoder } from './spm.js';
import { TokenizerImpl, type FragmentEncoder } from './tokenizer.js';
import { TokenType, type Tokenizer } from './types.js';
import { Vocab } from './vocab.js';
import { WordPieceFragmentEncoder } from './wordpiece.js';

const KEY = 'tokenizer.ggml.';

/** What each tokenizer model decides, before the common assembly. */
interface ModelSetup {
  encoder: FragmentEncoder;
  decoding: DecodingRules;
  bosId?: number;
  eosId?: number;
  addBos: boolean;
  addEos: boolean;
  /** BERT's [SEP] after the text */
  sepId?: number;
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
  const meta = new GgufMeta(metadata, source);
  const model = meta.string(KEY + 'model') ?? meta.fail(`missing metadata key '${KEY}model'`);
  const vocab = readVocab(meta);
  const id = (name: string) => meta.id(KEY + name, vocab.size);
  const setup =
    model === 'llama'
      ? sentencePieceSetup(meta, vocab, id)
      : model === 'gpt2'
        ? byteLevelBpeSetup(meta, vocab, id)
        : model === 'bert'
          ? wordPieceSetup(meta, vocab, id)
          : meta.fail(`tokenizer model '${model}' is not supported (supported: llama = SentencePiece, gpt2 = byte-level BPE, bert = WordPiece)`);

  const eogIds = eogIdsFor(vocab, setup.eosId, [id('eot_token_id'), id('eom_token_id')]);
  markControl(vocab, eogIds);
  const need = (what: string, tokenId: number | undefined): number =>
    tokenId ?? meta.fail(`the tokenizer adds ${what} but the vocabulary has no ${what} token`);
  return new TokenizerImpl({
    vocab,
    encoder: setup.encoder,
    decoding: setup.decoding,
    specials: specialsFromVocab(vocab, stripRulesFor(meta.string('general.name') ?? '', vocab)),
    bosId: setup.bosId,
    eosId: setup.eosId,
    prefixIds: setup.addBos ? [need('BOS', setup.bosId)] : [],
    suffixIds: [...(setup.addEos ? [need('EOS', setup.eosId)] : []), ...(setup.sepId !== undefined ? [setup.sepId] : [])],
    eogIds,
    source,
  });
}

function readVocab(meta: GgufMeta): Vocab {
  const tokens = meta.stringArray(KEY + 'tokens') ?? meta.fail(`missing metadata key '${KEY}tokens'`);
  const n = tokens.length;
  if (n === 0) meta.fail('the vocabulary is empty');
  const typeList = meta.numberArray(KEY + 'token_type', n);
  const scoreList = meta.numberArray(KEY + 'scores', n);
  const types = new Uint8Array(n).fill(TokenType.Normal);
  if (typeList) for (let i = 0; i < n; i++) types[i] = typeList[i]! >= 1 && typeList[i]! <= 6 ? typeList[i]! : TokenType.Unused;
  // llama.cpp renames empty tokens so that none is ""
  const texts = tokens.map((t, i) => (t === '' ? `[EMPTY_${i}]` : t));
  return new Vocab(texts, types, scoreList ? Float32Array.from(scoreList.slice(0, n)) : undefined);
}

type IdOf = (name: string) => number | undefined;
const inRange = (id: number, vocab: Vocab) => (id < vocab.size ? id : undefined);

/** "llama": SentencePiece BPE; BOS 1 / EOS 2 / UNK 0, BOS added, dummy prefix on by default. */
function sentencePieceSetup(meta: GgufMeta, vocab: Vocab, id: IdOf): ModelSetup {
  const addSpacePrefix = meta.bool(KEY + 'add_space_prefix') ?? true;
  return {
    encoder: new SpmFragmentEncoder(new SpmEncoder(vocab, id('unknown_token_id') ?? inRange(0, vocab)), addSpacePrefix),
    decoding: { pieceDecoding: 'spaceMarker', stripLeadingSpace: addSpacePrefix },
    bosId: id('bos_token_id') ?? inRange(1, vocab),
    eosId: id('eos_token_id') ?? inRange(2, vocab),
    addBos: meta.bool(KEY + 'add_bos_token') ?? true,
    addEos: meta.bool(KEY + 'add_eos_token') ?? false,
  };
}

/** "gpt2": byte-level BPE with the pre-tokenizer named by tokenizer.ggml.pre; BOS/EOS default 11. */
function byteLevelBpeSetup(meta: GgufMeta, vocab: Vocab, id: IdOf): ModelSetup {
  const pre = preTokenizerConfig(meta.string(KEY + 'pre') ?? 'default');
  const mergeList = meta.stringArray(KEY + 'merges') ?? meta.fail(`missing metadata key '${KEY}merges' (BPE merges)`);
  const merges = mergesFromList(mergeList, vocab.tokens, (t) => vocab.id(t));
  const bpe = new BpeModel(vocab, merges, { byteLevel: true, ignoreMerges: pre.ignoreMerges, byteFallback: false });
  return {
    encoder: new RegexBpeFragmentEncoder(bpe, pre.regexes.map((r) => toJsRegex(r))),
    decoding: { pieceDecoding: 'byteLevel', stripLeadingSpace: false },
    bosId: id('bos_token_id') ?? (pre.noBos ? undefined : inRange(11, vocab)),
    eosId: id('eos_token_id') ?? inRange(11, vocab),
    addBos: meta.bool(KEY + 'add_bos_token') ?? pre.addBos,
    addEos: meta.bool(KEY + 'add_eos_token') ?? false,
  };
}

/** "bert": WordPiece; llama.cpp always wraps the text in [CLS] ... [SEP] when adding special tokens. */
function wordPieceSetup(meta: GgufMeta, vocab: Vocab, id: IdOf): ModelSetup {
  const lowercase = meta.bool(KEY + 'normalizer.lowercase') ?? true;
  const unkId = id('unknown_token_id') ?? inRange(100, vocab) ?? meta.fail('WordPiece vocabulary without an unknown token');
  const bosId = id('bos_token_id') ?? id('cls_token_id') ?? inRange(101, vocab);
  const sepId = id('seperator_token_id') ?? inRange(102, vocab);
  if (sepId === undefined) meta.fail('WordPiece vocabulary without a [SEP] token');
  return {
    encoder: new WordPieceFragmentEncoder(vocab, { lowercase, stripAccents: meta.bool(KEY + 'normalizer.strip_accents') ?? lowercase, unkId }),
    decoding: { pieceDecoding: 'spaceMarker', stripLeadingSpace: true },
    bosId,
    eosId: id('eos_token_id'),
    addBos: true,
    addEos: false,
    sepId,
  };
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
