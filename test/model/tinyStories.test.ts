// Real trained tiny models (llama2.c stories260K, aidreams260K) against llama.cpp / run.c greedy output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadModel } from '../../src/model/load.js';
import { generate } from '../../src/engine/generate.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';

interface Reference { gguf: string; prompt: string; prompt_ids: number[]; generated_ids: number[]; generated_text: string }
const REF = 'models/reference-greedy.json';
const skip = sharedSkip(REF);
const refs: Record<string, Reference> = skip ? {} : JSON.parse(readFileSync(sharedPath(REF), 'utf8'));

for (const [name, ref] of Object.entries(refs)) {
  test(`${name}: greedy output equals the reference token for token`, () => {
    const model = loadModel(sharedPath(`models/${ref.gguf}`));
    const promptIds = model.tokenizer.encode(ref.prompt);
    assert.deepEqual(promptIds, ref.prompt_ids);
    const result = generate(model, { promptIds, maxTokens: ref.generated_ids.length, sampling: { temperature: 0 },
      contextLength: 512, ignoreEos: true });
    assert.deepEqual(result.ids, ref.generated_ids);
    assert.equal(result.text, ref.generated_text);
  });
}

test('stories260K runs past its metadata context of 128 with --ctx 512', { skip: sharedSkip('models/stories260K.gguf') }, () => {
  const model = loadModel(sharedPath('models/stories260K.gguf'));
  assert.equal(model.config.contextLength, 128);
  const result = generate(model, { promptIds: model.tokenizer.encode('Once upon a time'), maxTokens: 300,
    sampling: { temperature: 0 }, contextLength: 512, ignoreEos: true });
  assert.equal(result.ids.length, 300);
});
