import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { FIXTURES_DIR, sharedPath, sharedSkip } from '../helpers/paths.js';
import { loadTokenizer, type Tokenizer } from '../../src/tokenizer/index.js';

// Random texts tokenized by Hugging Face `tokenizers` (made by tools/make_fixtures.py into
// test/fixtures/tokenizers/). Lone surrogates in a text were encoded as U+FFFD by the reference,
// as our encode does.

interface FixtureCase {
  text: string;
  ids: number[];
  parse_special?: boolean;
}
interface Fixture {
  source: string;
  add_special?: boolean;
  cases: FixtureCase[];
}

function fixtureSkip(name: string): string | false {
  const p = path.join(FIXTURES_DIR, 'tokenizers', name);
  return existsSync(p) ? false : `fixture ${p} is absent (tools/make_fixtures.py writes it); skipping`;
}

function readFixture(name: string): Fixture {
  return JSON.parse(gunzipSync(readFileSync(path.join(FIXTURES_DIR, 'tokenizers', name))).toString('utf8')) as Fixture;
}

function assertFixture(tokenizer: Tokenizer, fixture: Fixture): void {
  assert.ok(fixture.cases.length > 0, 'the fixture has cases');
  // the reference added BOS when every non-empty expectation starts with it
  const withIds = fixture.cases.filter((c) => c.ids.length > 0);
  const addSpecial = fixture.add_special ?? (tokenizer.bosId !== undefined && withIds.length > 0 && withIds.every((c) => c.ids[0] === tokenizer.bosId));
  const failures: string[] = [];
  for (const c of fixture.cases) {
    const got = tokenizer.encode(c.text, { addSpecial, parseSpecial: c.parse_special ?? true });
    if (got.join(' ') !== c.ids.join(' ')) {
      failures.push(`${JSON.stringify(c.text).slice(0, 120)}\n  expected ${c.ids.join(' ')}\n  got      ${got.join(' ')}`);
    }
  }
  assert.equal(failures.length, 0, `${failures.length}/${fixture.cases.length} cases differ (${fixture.source}):\n${failures.slice(0, 5).join('\n')}`);
}

test('Qwen2.5 folder vs HF tokenizers on random texts', { skip: fixtureSkip('qwen2.5-random.json.gz') || sharedSkip('tokenizers/qwen2.5') }, () => {
  assertFixture(loadTokenizer(sharedPath('tokenizers/qwen2.5')), readFixture('qwen2.5-random.json.gz'));
});

for (const file of ['tokenizer.model', 'encoder.json']) {
  test(`Llama 3 ${file} vs HF tokenizers on random texts`, { skip: fixtureSkip('llama3-random.json.gz') || sharedSkip(`tokenizers/llama3/${file}`) }, () => {
    assertFixture(loadTokenizer(sharedPath(`tokenizers/llama3/${file}`)), readFixture('llama3-random.json.gz'));
  });
}
