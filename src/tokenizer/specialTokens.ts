import { TokenType } from './types.js';
import type { Vocab } from './vocab.js';

/** A token whose text is matched in the input before the model sees it. */
export interface SpecialTokenSpec {
  id: number;
  text: string;
  /** matched even when parseSpecial is false (user-defined / non-special added tokens) */
  plain: boolean;
  /** whitespace before / after a match is dropped (HF lstrip/rstrip, llama.cpp LSTRIP/RSTRIP) */
  lstrip?: boolean;
  rstrip?: boolean;
}

/** A piece of input: plain text (with its offset in the input) or a matched token. */
export type Fragment = { kind: 'text'; text: string; start: number } | { kind: 'token'; id: number };

interface TrieNode {
  children: Map<number, TrieNode>;
  spec?: SpecialTokenSpec;
}

const isSpace = (code: number) => code === 0x20 || (code >= 0x09 && code <= 0x0d);

/**
 * Cuts text at special-token matches, leftmost first and longest at each position (HF's rule;
 * llama.cpp tries longer tokens first over the whole text, which gives the same result unless
 * two special tokens overlap in the text). One pass over the text with a character trie.
 */
export class SpecialTokenSplitter {
  private readonly all: TrieNode = { children: new Map() };
  private readonly plainOnly: TrieNode = { children: new Map() };

  constructor(specs: Iterable<SpecialTokenSpec>) {
    for (const spec of specs) {
      if (spec.text.length === 0) continue;
      insert(this.all, spec);
      if (spec.plain) insert(this.plainOnly, spec);
    }
  }

  split(text: string, parseSpecial: boolean): Fragment[] {
    const root = parseSpecial ? this.all : this.plainOnly;
    const out: Fragment[] = [];
    if (root.children.size === 0) {
      if (text.length > 0) out.push({ kind: 'text', text, start: 0 });
      return out;
    }
    let textStart = 0;
    let i = 0;
    while (i < text.length) {
      let node = root.children.get(text.charCodeAt(i));
      if (node === undefined) {
        i++;
        continue;
      }
      let match: SpecialTokenSpec | undefined;
      let matchEnd = i;
      for (let j = i + 1; ; j++) {
        if (node.spec !== undefined) {
          match = node.spec;
          matchEnd = j;
        }
        if (j >= text.length) break;
        const child: TrieNode | undefined = node.children.get(text.charCodeAt(j));
        if (child === undefined) break;
        node = child;
      }
      if (match === undefined) {
        i++;
        continue;
      }
      let textEnd = i;
      if (match.lstrip) while (textEnd > textStart && isSpace(text.charCodeAt(textEnd - 1))) textEnd--;
      if (textEnd > textStart) out.push({ kind: 'text', text: text.slice(textStart, textEnd), start: textStart });
      out.push({ kind: 'token', id: match.id });
      i = matchEnd;
      if (match.rstrip) while (i < text.length && isSpace(text.charCodeAt(i))) i++;
      textStart = i;
    }
    if (textStart < text.length) out.push({ kind: 'text', text: text.slice(textStart), start: textStart });
    return out;
  }
}

function insert(root: TrieNode, spec: SpecialTokenSpec): void {
  let node = root;
  for (let k = 0; k < spec.text.length; k++) {
    const code = spec.text.charCodeAt(k);
    let child = node.children.get(code);
    if (child === undefined) {
      child = { children: new Map() };
      node.children.set(code, child);
    }
    node = child;
  }
  node.spec ??= spec;
}

/** Control, unknown and user-defined tokens are matched in the text; user-defined ones even in plain mode. */
export function specialsFromVocab(vocab: Vocab, strip?: Map<number, { lstrip?: boolean; rstrip?: boolean }>): SpecialTokenSpec[] {
  const specs: SpecialTokenSpec[] = [];
  for (let i = 0; i < vocab.size; i++) {
    if (!vocab.isMatchable(i)) continue;
    specs.push({ id: i, text: vocab.tokens[i]!, plain: vocab.types[i] === TokenType.UserDefined, ...strip?.get(i) });
  }
  return specs;
}

