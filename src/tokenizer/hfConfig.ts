import { ModelFormatError } from '../formats/errors.js';
/** An added token as tokenizer.json / tokenizer_config.json describe it. */
export interface AddedToken {
  id: number;
  content: string;
  /** special tokens are control tokens; the others are user-defined (matched even in plain mode) */
  special: boolean;
  lstrip: boolean;
  rstrip: boolean;
}

/** What Fastfill uses of tokenizer_config.json (+ special_tokens_map.json, generation_config.json). */
export interface HfTokenizerConfig {
  tokenizerClass?: string;
  bosToken?: string;
  eosToken?: string;
  unkToken?: string;
  addBosToken?: boolean;
  addEosToken?: boolean;
  addedTokens: AddedToken[];
  /** generation_config.json eos_token_id(s): they end generation too */
  generationEosIds: number[];
}

type Json = Record<string, unknown>;

/** A special-token entry: a string, or {content: string, ...}. */
export function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as Json).content === 'string') return (value as Json).content as string;
  return undefined;
}

export function parseAddedToken(entry: unknown, idFallback: number | undefined, where: string): AddedToken {
  const e = entry as Json;
  const id = typeof e?.id === 'number' ? e.id : idFallback;
  if (typeof e?.content !== 'string' || id === undefined || !Number.isInteger(id) || id < 0) {
    throw new ModelFormatError(where, `an added token needs an integer id and a string content (got ${JSON.stringify(entry).slice(0, 100)})`);
  }
  return { id, content: e.content, special: e.special === true, lstrip: e.lstrip === true, rstrip: e.rstrip === true };
}

/** Reads the parsed JSON objects of the config files (any may be absent). */
export function parseHfConfig(tokenizerConfig?: unknown, specialTokensMap?: unknown, generationConfig?: unknown): HfTokenizerConfig {
  const tc = (tokenizerConfig ?? {}) as Json;
  const sm = (specialTokensMap ?? {}) as Json;
  const gc = (generationConfig ?? {}) as Json;
  const addedTokens: AddedToken[] = [];
  const decoder = tc.added_tokens_decoder;
  if (decoder && typeof decoder === 'object') {
    for (const [key, entry] of Object.entries(decoder as Json)) {
      addedTokens.push(parseAddedToken(entry, Number(key), 'tokenizer_config.json added_tokens_decoder'));
    }
  }
  const eos = gc.eos_token_id;
  const generationEosIds = (Array.isArray(eos) ? eos : [eos]).filter((x): x is number => typeof x === 'number');
  return {
    tokenizerClass: typeof tc.tokenizer_class === 'string' ? tc.tokenizer_class : undefined,
    bosToken: tokenContent(tc.bos_token) ?? tokenContent(sm.bos_token),
    eosToken: tokenContent(tc.eos_token) ?? tokenContent(sm.eos_token),
    unkToken: tokenContent(tc.unk_token) ?? tokenContent(sm.unk_token),
    addBosToken: typeof tc.add_bos_token === 'boolean' ? tc.add_bos_token : undefined,
    addEosToken: typeof tc.add_eos_token === 'boolean' ? tc.add_eos_token : undefined,
    addedTokens,
    generationEosIds,
  };
}

/** tokenizer.json post_processor -> the ids put before and after a single sequence. */
export function postProcessorIds(post: unknown, idOf: (text: string) => number | undefined): { prefix: number[]; suffix: number[] } {
  const prefix: number[] = [];
  const suffix: number[] = [];
  const visit = (p: unknown) => {
    if (!p || typeof p !== 'object') return;
    const c = p as Json;
    if (c.type === 'Sequence' && Array.isArray(c.processors)) c.processors.forEach(visit);
    else if (c.type === 'TemplateProcessing' && Array.isArray(c.single)) {
      const specials = (c.special_tokens ?? {}) as Record<string, { ids?: number[] }>;
      let seenSequence = false;
      for (const item of c.single as Json[]) {
        if (item.Sequence) {
          seenSequence = true;
          continue;
        }
        const name = (item.SpecialToken as Json | undefined)?.id;
        if (typeof name !== 'string') continue;
        const ids = specials[name]?.ids ?? [idOf(name)].filter((x): x is number => x !== undefined);
        (seenSequence ? suffix : prefix).push(...ids);
      }
    } else if (c.type === 'RobertaProcessing' || c.type === 'BertProcessing') {
      const cls = c.cls as [string, number] | undefined;
      const sep = c.sep as [string, number] | undefined;
      if (cls) prefix.push(cls[1]);
      if (sep) suffix.push(sep[1]);
    }
  };
  visit(post);
  return { prefix, suffix };
}
