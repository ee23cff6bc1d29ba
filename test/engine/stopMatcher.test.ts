import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StopMatcher } from '../../src/engine/stopMatcher.js';

/** Feeds the chunks, then flushes unless stopped; returns all emitted text. */
function stream(stops: string[], chunks: string[]): { text: string; stopped: boolean } {
  const matcher = new StopMatcher(stops);
  let text = '';
  for (const chunk of chunks) {
    const step = matcher.push(chunk);
    text += step.emit;
    if (step.stopped) return { text, stopped: true };
  }
  return { text: text + matcher.flush(), stopped: false };
}

/** Reference on the whole text: cut before the stop string that ends first (longest on ties). */
function reference(stops: string[], text: string): { text: string; stopped: boolean } {
  for (let end = 1; end <= text.length; end++) {
    const ending = stops.filter((s) => text.slice(0, end).endsWith(s)).sort((a, b) => b.length - a.length);
    if (ending.length > 0) return { text: text.slice(0, end - ending[0]!.length), stopped: true };
  }
  return { text, stopped: false };
}

/** Every way to cut `text` into up to three chunks. */
function chunkings(text: string): string[][] {
  const out: string[][] = [[text]];
  for (let i = 0; i <= text.length; i++) {
    for (let j = i; j <= text.length; j++) out.push([text.slice(0, i), text.slice(i, j), text.slice(j)]);
  }
  return out;
}

test('emits eagerly and holds back only a possible stop prefix', () => {
  const matcher = new StopMatcher(['world']);
  assert.deepEqual(matcher.push('hello wor'), { emit: 'hello ', stopped: false });
  assert.deepEqual(matcher.push('k'), { emit: 'work', stopped: false });
  assert.deepEqual(matcher.push('s wo'), { emit: 's ', stopped: false });
  assert.deepEqual(matcher.push('rld!'), { emit: '', stopped: true });
  assert.deepEqual(matcher.push('more'), { emit: '', stopped: true });
  assert.equal(matcher.flush(), '');
  assert.equal(matcher.isStopped, true);
});

test('a stop split across pushes is found; held text is flushed at the end', () => {
  assert.deepEqual(stream(['</s>'], ['abc<', '/', 's>tail']), { text: 'abc', stopped: true });
  assert.deepEqual(stream(['</s>'], ['abc<', '/', 'x']), { text: 'abc</x', stopped: false });
  const matcher = new StopMatcher(['STOP']);
  assert.deepEqual(matcher.push('end ST'), { emit: 'end ', stopped: false });
  assert.equal(matcher.flush(), 'ST');
});

test('overlapping candidates: "ab" ends first and wins over "abc"; longest wins among those ending together', () => {
  assert.deepEqual(stream(['abc', 'ab'], ['xxab', 'c']), { text: 'xx', stopped: true });
  assert.deepEqual(stream(['bc', 'abc'], ['xxa', 'bc']), { text: 'xx', stopped: true });
  assert.deepEqual(stream(['abcd', 'bc'], ['a', 'b', 'c', 'd']), { text: 'a', stopped: true });
  assert.deepEqual(stream(['abcd', 'bc'], ['abcd']), { text: 'a', stopped: true });
  // a stop that starts inside a failed candidate: "aab" with stop "ab"
  assert.deepEqual(stream(['ab'], ['a', 'a', 'b']), { text: 'a', stopped: true });
});

test('any chunking gives the same result as the whole-text reference', () => {
  const cases: [string[], string][] = [
    [['ab', 'abc'], 'zzabcab'],
    [['abab'], 'aababab!'],
    [['bc', 'abcd', 'x'], 'aabcd'],
    [['\n\n', 'User:'], 'Hi.\nUse\n\nUser:'],
    [['🙂!', 'é'], 'caf🙂🙂!é'],
    [['end'], 'no stop here'],
  ];
  for (const [stops, text] of cases) {
    const expected = reference(stops, text);
    for (const chunks of chunkings(text)) assert.deepEqual(stream(stops, chunks), expected, JSON.stringify(chunks));
  }
});

test('multi-byte characters: stops with accents, CJK and emoji; no split surrogate pair is ever emitted', () => {
  assert.deepEqual(stream(['終わり'], ['これで終', 'わり です']), { text: 'これで', stopped: true });
  assert.deepEqual(stream(['🛑'], ['go 🚦 ', '🛑 no']), { text: 'go 🚦 ', stopped: true });
  const matcher = new StopMatcher([]);
  const emoji = '🚀';
  assert.deepEqual(matcher.push('a' + emoji[0]), { emit: 'a', stopped: false });
  assert.deepEqual(matcher.push(emoji[1]! + 'b'), { emit: emoji + 'b', stopped: false });
  // a stop beginning with one emoji must not cut a different emoji that shares its high surrogate
  assert.deepEqual(stream(['😀x'], ['a😁', 'x']), { text: 'a😁x', stopped: false });
});

test('several stops, and no stops at all', () => {
  assert.deepEqual(stream(['###', 'END', '\n\n'], ['one\n', 'two EN', 'D three']), { text: 'one\ntwo ', stopped: true });
  assert.deepEqual(stream(['###', 'END', '\n\n'], ['one\n', '\nEND']), { text: 'one', stopped: true });
  const free = new StopMatcher([]);
  assert.deepEqual(free.push('anything <'), { emit: 'anything <', stopped: false });
  assert.equal(free.flush(), '');
});

test('empty stop strings are refused', () => {
  assert.throws(() => new StopMatcher(['ok', '']), /stop string 1 must be a non-empty string/);
});
