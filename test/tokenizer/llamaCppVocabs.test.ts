import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { sharedPath, sharedSkip } from '../helpers/paths.js';
import { loadTokenizer } from '../../src/tokenizer/index.js';
import { readVocabCases } from './cases.js';
import { checkRoundTrip } from './roundTrip.js';

// llama.cpp's tokenizer test vocabularies: every case, encoded with addSpecial=false and
// parseSpecial=false, must give llama.cpp's ids (../shared/tokenizer-tests/SOURCES.md).
const DIR = 'tokenizer-tests';
const BYTE_LEVEL = new Set(['deepseek-coder', 'deepseek-llm', 'falcon', 'gpt-2', 'mpt', 'refact', 'starcoder']);

const skip = sharedSkip(DIR);
const names = skip ? [] : readdirSync(sharedPath(DIR)).filter((f) => f.endsWith('.gguf.inp')).map((f) => f.slice(0, -'.gguf.inp'.length));

test('llama.cpp vocab cases are present', { skip }, () => {
  assert.ok(names.length >= 10, `expected the 10 vocabularies with cases, found ${names.join(', ')}`);
});

for (const name of names) {
  test(`${name}: every llama.cpp case`, () => {
    const tokenizer = loadTokenizer(sharedPath(`${DIR}/${name}.gguf`));
    const cases = readVocabCases(sharedPath(`${DIR}/${name}.gguf.inp`));
    assert.ok(cases.length >= 46);
    const failures: string[] = [];
    for (const c of cases) {
      const got = tokenizer.encode(c.text, { addSpecial: false, parseSpecial: false });
      if (got.join(' ') !== c.ids.join(' ')) failures.push(`${JSON.stringify(c.text)}\n  expected ${c.ids.join(' ')}\n  got      ${got.join(' ')}`);
    }
    assert.deepEqual(failures, [], `${failures.length}/${cases.length} cases differ`);
    const short = name.replace('ggml-vocab-', '');
    if (BYTE_LEVEL.has(short)) for (const c of cases) checkRoundTrip(tokenizer, c.text);
  });
}
