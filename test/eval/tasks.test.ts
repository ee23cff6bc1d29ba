import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Haystack } from '../../src/eval/haystack.js';
import { EvalRandom } from '../../src/eval/random.js';
import { kvExample, leadingNumber, niahExample, passkeyExample, type BuildContext } from '../../src/eval/tasks.js';
import { fill, loadTaskSpec } from '../../src/eval/taskSpec.js';

// a stand-in tokenizer: one token per whitespace-separated word
const words = { encode: (text: string) => text.trim().split(/\s+/).filter(Boolean) };
const count = (text: string) => words.encode(text).length;
const spec = loadTaskSpec();
const hay = Haystack.fromText(Array.from({ length: 400 }, (_, i) => `Filler sentence ${i} goes here.`).join('\n'), words);
const ctx = (seed: number, corrupt = false): BuildContext => ({ spec, haystack: hay, count, rng: new EvalRandom(seed), corrupt });

/** index of the needle among the haystack sentences, as a fraction */
function needleDepth(prompt: string, needle: string): number {
  const body = prompt.slice(prompt.indexOf(spec.passkey.intro) + spec.passkey.intro.length);
  const before = body.slice(0, body.indexOf(needle)).match(/Filler sentence/g)?.length ?? 0;
  const all = body.match(/Filler sentence/g)!.length;
  return before / all;
}

test('passkey prompts hold the key at the asked depth and fit the length', () => {
  for (const depth of [0, 0.25, 0.5, 0.75, 1]) {
    for (const length of [200, 1000]) {
      const ex = passkeyExample(ctx(depth * 100 + length), length, depth);
      const needle = fill(spec.passkey.needle, { key: ex.answer });
      assert.ok(ex.prompt.includes(needle), 'needle present');
      assert.ok(ex.prompt.startsWith(spec.passkey.intro) && ex.prompt.endsWith(spec.passkey.question));
      assert.ok(Math.abs(needleDepth(ex.prompt, needle) - depth) < 0.02, `depth ${depth}`);
      assert.ok(count(ex.prompt) <= length && count(ex.prompt) > length - 20, `${count(ex.prompt)} tokens for ${length}`);
      assert.match(ex.answer, new RegExp(`^\\d{${spec.passkey.key_digits}}$`));
    }
  }
  const zero = passkeyExample(ctx(1), 300, 0);
  assert.ok(zero.prompt.startsWith(`${spec.passkey.intro} ${fill(spec.passkey.needle, { key: zero.answer })} Filler`));
});

test('a corrupted prompt does not contain the answer', () => {
  for (const build of [passkeyExample, kvExample, niahExample]) {
    const ex = build(ctx(5, true), 400, 0.5);
    assert.ok(!ex.prompt.includes(ex.answer), build.name);
    assert.ok(build(ctx(5), 400, 0.5).prompt.includes(ex.answer), build.name);
  }
});

test('kv prompts ask for the key at the asked depth of the list', () => {
  for (const depth of [0, 0.5, 1]) {
    const ex = kvExample(ctx(11), 600, depth);
    const lines = [...ex.prompt.matchAll(/Key (\w+) has value (\d+)\./g)];
    const asked = /What is the value of key (\w+)\?/.exec(ex.prompt)![1];
    const index = lines.findIndex((m) => m[1] === asked);
    assert.equal(lines[index]![2], ex.answer);
    assert.equal(index, Math.round(depth * (lines.length - 1)));
    assert.equal(new Set(lines.map((m) => m[1])).size, lines.length, 'keys are distinct');
    assert.ok(count(ex.prompt) <= 600);
  }
});

test('niah prompts hold several needles and ask for the one at the depth', () => {
  const ex = niahExample(ctx(3), 800, 1);
  const needles = [...ex.prompt.matchAll(/The special magic number for (\w+) is (\d+)\./g)];
  assert.equal(needles.length, spec.niah.needles);
  const asked = /What is the special magic number for (\w+)\?/.exec(ex.prompt)![1];
  const hit = needles.find((m) => m[1] === asked)!;
  assert.equal(hit[2], ex.answer);
  // depth 1: nothing but other needles after it
  const after = ex.prompt.slice(hit.index! + hit[0].length, ex.prompt.indexOf('\nWhat'));
  assert.ok(!after.includes('Filler'), after);
});

test('leadingNumber reads the number a continuation starts with', () => {
  assert.equal(leadingNumber(' 40721.'), '40721');
  assert.equal(leadingNumber('40721'), '40721');
  assert.equal(leadingNumber(' the 40721'), '');
  assert.equal(leadingNumber(''), '');
});
