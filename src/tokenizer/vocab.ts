import { TokenType } from './types.js';
import { ModelFormatError } from '../formats/errors.js';

/**
 * The token table every model shares: id -> text, type (and SentencePiece score), text -> id.
 * Ids with no token (gaps in an HF vocab) hold "" and TokenType.Unused.
 */
export class Vocab {
  readonly tokens: readonly string[];
  readonly types: Uint8Array;
  /** SentencePiece scores (0 when the source has none) */
  readonly scores: Float32Array;
  private readonly idOf = new Map<string, number>();

  constructor(tokens: readonly string[], types?: Uint8Array, scores?: Float32Array) {
    this.tokens = tokens;
    this.types = types ?? new Uint8Array(tokens.length).fill(TokenType.Normal);
    this.scores = scores ?? new Float32Array(tokens.length);
    if (this.types.length !== tokens.length || this.scores.length !== tokens.length) {
      throw new Error(`vocab: ${tokens.length} tokens but ${this.types.length} types and ${this.scores.length} scores`);
    }
    for (let id = 0; id < tokens.length; id++) {
      const text = tokens[id]!;
      // the first id wins for a repeated text (an added token that repeats a vocab entry)
      if (text !== '' && !this.idOf.has(text)) this.idOf.set(text, id);
    }
  }

  get size(): number {
    return this.tokens.length;
  }

  id(text: string): number | undefined {
    return this.idOf.get(text);
  }

  /** ids the special-token splitter may match: control, unknown and user-defined tokens */
  isMatchable(id: number): boolean {
    const t = this.types[id];
    return t === TokenType.Control || t === TokenType.Unknown || t === TokenType.UserDefined;
  }
}

/** A vocab from an id-indexed map (HF vocab.json / added tokens), gaps filled as unused. */
export function tokensFromIdMap(entries: Iterable<[string, number]>, source: string): { tokens: string[]; types: Uint8Array } {
  const list = [...entries];
  let max = -1;
  for (const [text, id] of list) {
    if (!Number.isInteger(id) || id < 0 || id > 50_000_000) throw new ModelFormatError(source, `token ${JSON.stringify(text)} has a bad id ${id}`);
    if (id > max) max = id;
  }
  const tokens = new Array<string>(max + 1).fill('');
  const types = new Uint8Array(max + 1).fill(TokenType.Unused);
  for (const [text, id] of list) {
    tokens[id] = text;
    types[id] = TokenType.Normal;
  }
  return { tokens, types };
}

/** Object.entries for a large token -> id object (several times faster on V8's dictionary-mode objects). */
export function entriesOf(obj: Record<string, number>): [string, number][] {
  const keys = Object.keys(obj);
  const out = new Array<[string, number]>(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = [keys[i]!, obj[keys[i]!]!];
  return out;
}
