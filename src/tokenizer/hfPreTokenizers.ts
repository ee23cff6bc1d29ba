import { patternRegex } from './hfNormalizers.js';
import { toJsRegex } from './pretokenize.js';
import { ModelFormatError } from '../formats/errors.js';

/**
 * A tokenizer.json pre-tokenizer: splits pieces further. `atStart` says whether pieces[0] starts
 * the whole input (Metaspace prepend_scheme "first" prepends only there).
 */
export type PreTokenizer = (pieces: string[], atStart: boolean) => string[];

type Json = Record<string, unknown>;
type Behavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';

/** GPT-2's pattern, as HF's ByteLevel pre-tokenizer applies it (use_regex). */
export const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

const BEHAVIORS: readonly Behavior[] = ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];

/** Splits one piece at the regex's matches and treats the matches as `behavior` says (HF SplitDelimiterBehavior). */
export function splitWithBehavior(piece: string, re: RegExp, behavior: Behavior, invert = false): string[] {
  const segments: { text: string; match: boolean }[] = [];
  let last = 0;
  re.lastIndex = 0;
  for (const m of piece.matchAll(re)) {
    if (m[0].length === 0) continue;
    if (m.index > last) segments.push({ text: piece.slice(last, m.index), match: invert });
    segments.push({ text: m[0], match: !invert });
    last = m.index + m[0].length;
  }
  if (last < piece.length) segments.push({ text: piece.slice(last), match: invert });

  if (behavior === 'MergedWithNext') return mergedWithNext(segments);
  const out: string[] = [];
  let previousWasMatch = false;
  for (const { text, match } of segments) {
    if (behavior === 'Isolated') out.push(text);
    else if (behavior === 'Removed') {
      if (!match) out.push(text);
    } else if (behavior === 'MergedWithPrevious' && match && !previousWasMatch && out.length > 0) out[out.length - 1] += text;
    else if (behavior === 'Contiguous' && match && previousWasMatch && out.length > 0) out[out.length - 1] += text;
    else out.push(text);
    previousWasMatch = match;
  }
  return out;
}

/** A match joins the piece after it unless that piece is itself a match (HF walks backwards). */
function mergedWithNext(segments: readonly { text: string; match: boolean }[]): string[] {
  const reversed: string[] = [];
  let nextWasMatch = false;
  for (let i = segments.length - 1; i >= 0; i--) {
    const { text, match } = segments[i]!;
    if (match && !nextWasMatch && reversed.length > 0) reversed[reversed.length - 1] = text + reversed[reversed.length - 1];
    else reversed.push(text);
    nextWasMatch = match;
  }
  return reversed.reverse();
}

function behaviorOf(value: unknown, where: string): Behavior {
  const b = (value ?? 'Isolated') as Behavior;
  if (!BEHAVIORS.includes(b)) throw new ModelFormatError(where, `unknown split behavior '${String(value)}'`);
  return b;
}

const eachPiece = (fn: (piece: string, index: number) => string[]): PreTokenizer => (pieces) => pieces.flatMap(fn);

/** Builds the pre-tokenizer of a tokenizer.json `pre_tokenizer` entry (null = none). */
export function buildPreTokenizer(cfg: unknown, where = 'pre_tokenizer'): PreTokenizer {
  if (cfg === null || cfg === undefined) return (pieces) => pieces;
  const c = cfg as Json;
  switch (c.type) {
    case 'Sequence': {
      const steps = ((c.pretokenizers as unknown[]) ?? []).map((p, i) => buildPreTokenizer(p, `${where}[${i}]`));
      return (pieces, atStart) => steps.reduce((acc, step) => step(acc, atStart), pieces);
    }
    case 'ByteLevel': {
      // the byte mapping itself happens in the BPE model (byteLevel), after all splitting
      const addPrefixSpace = c.add_prefix_space === true;
      const re = c.use_regex === false ? null : toJsRegex(GPT2_PATTERN);
      return eachPiece((piece) => {
        const p = addPrefixSpace && !piece.startsWith(' ') ? ' ' + piece : piece;
        return re ? splitWithBehavior(p, re, 'Isolated') : [p];
      });
    }
    case 'Split': {
      const re = patternRegex(c.pattern, `${where} Split`);
      const behavior = behaviorOf(c.behavior, where);
      const invert = c.invert === true;
      return eachPiece((piece) => splitWithBehavior(piece, re, behavior, invert));
    }
    case 'Metaspace': {
      const replacement = String(c.replacement ?? '\u2581');
      const scheme = typeof c.prepend_scheme === 'string' ? c.prepend_scheme : c.add_prefix_space === false ? 'never' : 'always';
      const split = c.split !== false;
      const re = new RegExp(replacement.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gu');
      return (pieces, atStart) =>
        pieces.flatMap((piece, i) => {
          let p = piece.replaceAll(' ', replacement);
          const prepend = scheme === 'always' || (scheme === 'first' && atStart && i === 0);
          if (prepend && !p.startsWith(replacement)) p = replacement + p;
          return split ? splitWithBehavior(p, re, 'MergedWithNext') : [p];
        });
    }
    case 'Whitespace': {
      const re = /[\p{L}\p{N}\p{M}\p{Pc}]+|[^\p{L}\p{N}\p{M}\p{Pc}\p{White_Space}]+/gu;
      return eachPiece((piece) => Array.from(piece.matchAll(re), (m) => m[0]));
    }
    case 'WhitespaceSplit':
      return eachPiece((piece) => piece.split(/\p{White_Space}+/u).filter((s) => s.length > 0));
    case 'Punctuation': {
      const behavior = behaviorOf(c.behavior, where);
      return eachPiece((piece) => splitWithBehavior(piece, /[\p{P}!-/:-@[-`{-~]/gu, behavior));
    }
    case 'Digits': {
      const re = c.individual_digits === true ? /\p{N}/gu : /\p{N}+/gu;
      return eachPiece((piece) => splitWithBehavior(piece, re, 'Isolated'));
    }
    case 'BertPreTokenizer':
      return eachPiece((piece) =>
        piece
          .split(/\p{White_Space}+/u)
          .filter((s) => s.length > 0)
          .flatMap((w) => splitWithBehavior(w, /[\p{P}!-/:-@[-`{-~]/gu, 'Isolated')),
      );
    default:
      throw new ModelFormatError(where, `pre-tokenizer type '${String(c.type)}' is not supported`);
  }
}

/** Whether a pre-tokenizer / decoder config contains a ByteLevel step (GPT-2 byte mapping). */
export function containsType(cfg: unknown, type: string): boolean {
  if (cfg === null || typeof cfg !== 'object') return false;
  const c = cfg as Json;
  if (c.type === type) return true;
  for (const key of ['pretokenizers', 'decoders', 'normalizers', 'processors']) {
    const list = c[key];
    if (Array.isArray(list) && list.some((x) => containsType(x, type))) return true;
  }
  return false;
}
