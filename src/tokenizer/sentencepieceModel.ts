import { SpmFragmentEncoder } from './encoders.js';
import { eogIdsFor } from './eog.js';
import { specialsFromVocab } from './specialTokens.js';
import type { HfTokenizerConfig } from './hfConfig.js';
import { float32FromBits, ProtoReader } from './protobuf.js';
import { SpmEncoder } from './spm.js';
import { TokenizerImpl } from './tokenizer.js';
import { TokenType, type Tokenizer } from './types.js';
import { Vocab } from './vocab.js';
import { ModelFormatError } from '../formats/errors.js';

/** What we use of SentencePiece's ModelProto (sentencepiece_model.proto field numbers). */
export interface SentencePieceModel {
  pieces: string[];
  scores: Float32Array;
  types: Uint8Array;
  /** TrainerSpec.model_type: 1 unigram, 2 BPE, 3 word, 4 char */
  modelType: number;
  unkId: number;
  bosId: number;
  eosId: number;
  /** NormalizerSpec.add_dummy_prefix */
  addDummyPrefix: boolean;
}

const utf8 = new TextDecoder('utf-8');

export function parseSentencePieceModel(buf: Uint8Array, source: string): SentencePieceModel {
  const pieces: string[] = [];
  const scores: number[] = [];
  const types: number[] = [];
  const model: Omit<SentencePieceModel, 'pieces' | 'scores' | 'types'> = { modelType: 1, unkId: 0, bosId: 1, eosId: 2, addDummyPrefix: true };
  for (const f of new ProtoReader(buf, source).fields()) {
    if (f.field === 1 && f.bytes) {
      let piece = '';
      let score = 0;
      let type = TokenType.Normal as number;
      for (const p of new ProtoReader(f.bytes, source).fields()) {
        if (p.field === 1 && p.bytes) piece = utf8.decode(p.bytes);
        else if (p.field === 2 && p.wireType === 5) score = float32FromBits(p.value);
        else if (p.field === 3 && p.wireType === 0) type = p.value;
      }
      pieces.push(piece);
      scores.push(score);
      types.push(type >= 1 && type <= 6 ? type : TokenType.Unused);
    } else if (f.field === 2 && f.bytes) {
      for (const t of new ProtoReader(f.bytes, source).fields()) {
        if (t.wireType !== 0) continue;
        if (t.field === 3) model.modelType = t.value;
        else if (t.field === 40) model.unkId = t.int32;
        else if (t.field === 41) model.bosId = t.int32;
        else if (t.field === 42) model.eosId = t.int32;
      }
    } else if (f.field === 3 && f.bytes) {
      for (const n of new ProtoReader(f.bytes, source).fields()) {
        if (n.field === 3 && n.wireType === 0) model.addDummyPrefix = n.value !== 0;
      }
    }
  }
  if (pieces.length === 0) throw new ModelFormatError(source, `no SentencePiece pieces found (not a tokenizer.model?)`);
  return { ...model, pieces, scores: Float32Array.from(scores), types: Uint8Array.from(types) };
}

/**
 * A SentencePiece BPE tokenizer.model, encoded as llama.cpp does (BOS added, no EOS, dummy prefix
 * per add_dummy_prefix), with tokenizer_config.json's add_bos_token / add_eos_token when given.
 */
export function tokenizerFromSentencePiece(buf: Uint8Array, source: string, config: HfTokenizerConfig): Tokenizer {
  const sp = parseSentencePieceModel(buf, source);
  if (sp.modelType !== 2) {
    const kind = ['', 'Unigram', 'BPE', 'Word', 'Char'][sp.modelType] ?? `type ${sp.modelType}`;
    throw new ModelFormatError(source, `SentencePiece ${kind} models are not supported (only BPE, as Llama and Mistral use)`);
  }
  const vocab = new Vocab(sp.pieces, sp.types, sp.scores);
  const inVocab = (id: number) => (id >= 0 && id < vocab.size ? id : undefined);
  const unkId = inVocab(sp.unkId);
  const bosId = (config.bosToken !== undefined ? vocab.id(config.bosToken) : undefined) ?? inVocab(sp.bosId);
  const eosId = (config.eosToken !== undefined ? vocab.id(config.eosToken) : undefined) ?? inVocab(sp.eosId);
  const addBos = (config.addBosToken ?? true) && bosId !== undefined;
  const addEos = (config.addEosToken ?? false) && eosId !== undefined;
  const configured = config.addedTokens.filter((t) => t.id < vocab.size && vocab.tokens[t.id] === t.content);
  for (const t of configured) if (vocab.types[t.id] === TokenType.Normal) vocab.types[t.id] = t.special ? TokenType.Control : TokenType.UserDefined;
  return new TokenizerImpl({
    vocab,
    encoder: new SpmFragmentEncoder(new SpmEncoder(vocab, unkId), sp.addDummyPrefix),
    decoding: { pieceDecoding: 'spaceMarker', stripLeadingSpace: sp.addDummyPrefix },
    specials: specialsFromVocab(vocab),
    bosId,
    eosId,
    prefixIds: addBos ? [bosId!] : [],
    suffixIds: addEos ? [eosId!] : [],
    eogIds: eogIdsFor(vocab, eosId, config.generationEosIds),
    source,
  });
}
