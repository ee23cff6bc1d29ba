import { toJsRegex } from './pretokenize.js';
import { ModelFormatError } from '../formats/errors.js';

/** A tokenizer.json normalizer as a text -> text function. */
export type Normalizer = (text: string) => string;

type Json = Record<string, unknown>;

const identity: Normalizer = (t) => t;

/** Literal or regex pattern of HF Replace/Split ({String: ...} or {Regex: ...}). */
export function patternRegex(pattern: unknown, where: string): RegExp {
  const p = pattern as { String?: unknown; Regex?: unknown } | null;
  if (p && typeof p.String === 'string') return new RegExp(p.String.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gu');
  if (p && typeof p.Regex === 'string') {
    try {
      return toJsRegex(p.Regex, 'gu');
    } catch (e) {
      throw new ModelFormatError(where, (e as Error).message);
    }
  }
  throw new ModelFormatError(where, `pattern must be {"String": ...} or {"Regex": ...}`);
}

const COMBINING_MARK = /\p{Mn}/gu;
const CONTROL_CHAR = /[\p{Cc}\p{Cf}]/u;
const CHINESE = /[\u{4E00}-\u{9FFF}\u{3400}-\u{4DBF}\u{20000}-\u{2A6DF}\u{2A700}-\u{2B73F}\u{2B740}-\u{2B81F}\u{2B820}-\u{2CEAF}\u{F900}-\u{FAFF}\u{2F800}-\u{2FA1F}]/gu;

/** HF BertNormalizer: clean control chars, space around CJK, strip accents, lowercase. */
function bertNormalizer(cfg: Json): Normalizer {
  const clean = cfg.clean_text !== false;
  const chinese = cfg.handle_chinese_chars !== false;
  const lowercase = cfg.lowercase !== false;
  const stripAccents = typeof cfg.strip_accents === 'boolean' ? cfg.strip_accents : lowercase;
  return (text) => {
    let t = text;
    if (clean) {
      let out = '';
      for (const ch of t) {
        const cp = ch.codePointAt(0)!;
        if (cp === 0 || cp === 0xfffd) continue;
        if (ch === '\t' || ch === '\n' || ch === '\r' || /\p{White_Space}/u.test(ch)) out += ' ';
        else if (!CONTROL_CHAR.test(ch)) out += ch;
      }
      t = out;
    }
    if (chinese) t = t.replace(CHINESE, ' $& ');
    if (stripAccents) t = t.normalize('NFD').replace(COMBINING_MARK, '');
    if (lowercase) t = t.toLowerCase();
    return t;
  };
}

/** Builds the normalizer of a tokenizer.json `normalizer` entry (null = none). */
export function buildNormalizer(cfg: unknown, where = 'normalizer'): Normalizer {
  if (cfg === null || cfg === undefined) return identity;
  const c = cfg as Json;
  switch (c.type) {
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD': {
      const form = c.type;
      return (t) => t.normalize(form);
    }
    case 'Lowercase':
      return (t) => t.toLowerCase();
    case 'StripAccents':
      return (t) => t.replace(COMBINING_MARK, '');
    case 'Strip': {
      const left = c.strip_left !== false;
      const right = c.strip_right !== false;
      return (t) => (left && right ? t.trim() : left ? t.trimStart() : right ? t.trimEnd() : t);
    }
    case 'Replace': {
      const re = patternRegex(c.pattern, `${where} Replace`);
      const content = String(c.content ?? '');
      return (t) => t.replace(re, () => content);
    }
    case 'Prepend': {
      const prefix = String(c.prepend ?? '');
      return (t) => (t.length > 0 ? prefix + t : t);
    }
    case 'BertNormalizer':
      return bertNormalizer(c);
    case 'Sequence': {
      const steps = ((c.normalizers as unknown[]) ?? []).map((n, i) => buildNormalizer(n, `${where}[${i}]`));
      return (t) => steps.reduce((acc, step) => step(acc), t);
    }
    default:
      throw new ModelFormatError(where, `normalizer type '${String(c.type)}' is not supported`);
  }
}
