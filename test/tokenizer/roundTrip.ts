import assert from 'node:assert/strict';
import type { Tokenizer } from '../../src/tokenizer/index.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * decode(encode(s)) == s, and a decode stream fed one id at a time gives the same text in
 * pieces that are each whole characters (no lone surrogate, no U+FFFD from a split sequence).
 */
export function checkRoundTrip(tokenizer: Tokenizer, text: string, options: { addSpecial?: boolean } = {}): void {
  const ids = tokenizer.encode(text, { addSpecial: options.addSpecial ?? false, parseSpecial: false });
  const decoded = tokenizer.decode(ids, { skipSpecial: true });
  assert.equal(decoded, text, `round trip of ${JSON.stringify(text)}`);
  const stream = tokenizer.createDecodeStream({ skipSpecial: true });
  let streamed = '';
  for (const id of ids) {
    const piece = stream.push(id);
    assert.ok(!LONE_SURROGATE.test(piece), `stream piece ${JSON.stringify(piece)} splits a character`);
    if (!text.includes('\uFFFD')) assert.ok(!piece.includes('\uFFFD'), `stream piece ${JSON.stringify(piece)} has U+FFFD`);
    streamed += piece;
  }
  streamed += stream.flush();
  assert.equal(streamed, decoded, `stream vs decode of ${JSON.stringify(text)}`);
}
