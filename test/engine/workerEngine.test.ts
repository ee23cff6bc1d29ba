// The engine running in its worker thread, driven through the EngineHandle the server uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createEngine } from '../../src/engine/engine.js';
import type { EngineEvent, GenerationRequest } from '../../src/engine/api.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';

const MODEL = 'models/random/qwen2-pub-f32.gguf';
const skip = sharedSkip(MODEL);

function request(id: string, promptTokenIds: number[], maxTokens: number): GenerationRequest {
  return { requestId: id, promptTokenIds, maxTokens, sampling: { temperature: 0 }, stop: [], stopTokenIds: [], ignoreEos: true };
}

test('worker engine: concurrent requests, early cancel, errors, close', { skip }, async () => {
  const cases = (JSON.parse(readFileSync(sharedPath('models/random/cases.json'), 'utf8')).cases as
    { model_file: string; prompt_ids: number[]; greedy_ids: number[] }[]).filter((c) => c.model_file === MODEL);
  const engine = await createEngine(sharedPath(MODEL), { contextLength: 512, maxSeqs: 4 });
  assert.equal(engine.model.contextLength, 512);
  assert.deepEqual(engine.model.kvCache, { type: 'f32', tokens: 4 * 512 }, 'an F32 file keeps an F32 cache; maxSeqs x context tokens');
  const collect = async (req: GenerationRequest) => {
    const events: EngineEvent[] = [];
    for await (const e of engine.generate(req)) events.push(e);
    return events;
  };
  const results = await Promise.all(cases.map((c, i) => collect(request(`r${i}`, c.prompt_ids, c.greedy_ids.length))));
  results.forEach((events, i) => {
    assert.deepEqual(events.flatMap((e) => (e.type === 'delta' ? e.tokenIds : [])), cases[i]!.greedy_ids);
    const finish = events.at(-1)!;
    assert.ok(finish.type === 'finish' && finish.reason === 'length' && finish.timeToFirstToken! > 0);
  });

  let received = 0;
  for await (const e of engine.generate(request('cancel-me', cases[0]!.prompt_ids, 400))) {
    if (e.type === 'delta' && ++received === 3) break; // the consumer leaves: the engine must drop the request
  }
  for (let i = 0; i < 50 && engine.stats().running + engine.stats().waiting > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(engine.stats().running + engine.stats().waiting, 0);

  // requests posted to the worker count as waiting at once, before the worker has seen them (the server's 429
  // check reads this right after a burst)
  const burst = [0, 1, 2].map((i) => collect(request(`burst${i}`, cases[0]!.prompt_ids, 2)));
  assert.ok(engine.stats().running + engine.stats().waiting >= 3, JSON.stringify(engine.stats()));
  await Promise.all(burst);
  for (let i = 0; i < 50 && engine.stats().running + engine.stats().waiting > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(engine.stats().running + engine.stats().waiting, 0);

  await assert.rejects(collect(request('too-long', new Array(600).fill(1), 4)), /600 tokens; the context length is 512/);
  await engine.close();
  assert.throws(() => engine.generate(request('late', [1], 1)), /shutting down/);
});
