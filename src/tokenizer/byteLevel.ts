/**
 * GPT-2's bytes_to_unicode: every byte gets a printable character, so byte-level BPE vocabularies
 * are strings. Printable Latin-1 bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') map to themselves; the other
 * 68 bytes map, in byte order, to U+0100, U+0101, ... (so ' ' is 'Ġ' and '\n' is 'Ċ').
 */
function buildByteToChar(): string[] {
  const chars: string[] = new Array(256);
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 256;
  for (let b = 0; b < 256; b++) chars[b] = String.fromCharCode(printable(b) ? b : next++);
  return chars;
}

export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

const CHAR_TO_BYTE = new Map<string, number>(BYTE_TO_CHAR.map((c, b) => [c, b]));

/** UTF-8 bytes of text, spelt in byte-level characters. */
export function toByteLevel(text: string): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) out += BYTE_TO_CHAR[b];
  return out;
}

/**
 * Bytes of a byte-level token string; null when a character is not a byte-level one (such a
 * token is not byte-level spelt, e.g. an added token kept as plain text).
 */
export function fromByteLevel(text: string): Uint8Array | null {
  const out = new Uint8Array(text.length);
  let n = 0;
  for (const ch of text) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b === undefined) return null;
    out[n++] = b;
  }
  return out.subarray(0, n);
}
