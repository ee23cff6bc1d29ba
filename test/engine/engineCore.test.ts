// Exactness of the serving engine on a real-architecture model: the same greedy tokens as llama.cpp with
// prefix caching on or off, any chunk size, mixed batches of several requests, and forced preemption. On
// the half-precision KV caches (a Q8_0 file: bf16; an F16 file: F16) the engine must give, in every such
// configuration, exactly the single-stream path's greedy tokens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EngineCore, type EngineCoreConfig } from '../../src/engine/engineCore.js';
import type { EngineEvent, GenerationRequest } from '../../src/engine/api.js';
import { generate } from '../../src/engine/generate.js';
import { loadModel, type LoadedModel } from '../../src/model/load.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';

interface Case { id: string; model_file: string; prompt_ids: number[]; greedy_ids: number[]; greedy_text: string }
const MODEL = 'models/random/qwen2-pub-f32.gguf';
const skip = sharedSkip(MODEL);
const cases: Case[] = skip ? [] : (JSON.parse(readFileSync(sharedPath('models/random/cases.json'), 'utf8')).cases as Case[])
  .filter((c) => c.model_file === MODEL);
let model: LoadedModel | undefined;
const getModel = () => (model ??= loadModel(sharedPath(MODEL)));

function request(id: string, promptTokenIds: number[], maxTokens: number, extra: Partial<GenerationRequest> = {}): GenerationRequest {
  return { requestId: id, promptTokenIds, maxTokens, sampling: { temperature: 0 }, stop: [], stopTokenIds: [],
    ignoreEos: true, ...extra };
}

/** Runs requests to completion (arriving at the given steps) and returns each one's events. */
function drive(config: Partial<EngineCoreConfig>, arrivals: { at: number; request: GenerationRequest }[],
  engineModel: LoadedModel = getModel()) {
  const core = new EngineCore(engineModel, { maxSeqs: 8, maxBatchedTokens: 64, maxModelLen: 512, blockSize: 16,
    numBlocks: 96, enablePrefixCaching: true, ...config });
  const events = new Map<string, EngineEvent[]>();
  let step = 0;
  const pending = [...arrivals];
  while (pending.length > 0 || core.hasWork()) {
    for (const a of pending.filter((p) => p.at <= step)) {
      events.set(a.request.requestId, []);
      core.add(a.request, (e) => events.get(e.requestId)!.push(e));
    }
    pending.splice(0, pending.length, ...pending.filter((p) => p.at > step));
    core.step();
    core.checkIntegrity();
    step++;
    assert.ok(step < 5000, 'engine did not finish');
  }
  return { events, stats: core.stats() };
}

const outputIds = (events: EngineEvent[]) => events.flatMap((e) => (e.type === 'delta' ? e.tokenIds : []));
const outputText = (events: EngineEvent[]) => events.map((e) => (e.type === 'delta' ? e.text : '')).join('');

const CONFIGS: [string, Partial<EngineCoreConfig>][] = [
  ['defaults', {}],
  ['prefix caching off', { enablePrefixCaching: false }],
  ['budget 7 tokens per step', { maxBatchedTokens: 7 }],
  ['chunk threshold 5', { longPrefillThreshold: 5, maxBatchedTokens: 40 }],
  ['tight KV pool forcing preemption', { numBlocks: 14, maxModelLen: 200, maxBatchedTokens: 48 }],
  ['block size 4', { blockSize: 4, numBlocks: 400 }],
];

for (const [name, config] of CONFIGS) {
  test(`engine greedy equals llama.cpp with all cases in flight together: ${name}`, { skip }, () => {
    const arrivals = cases.flatMap((c, i) => [
      { at: i * 3, request: request(`${c.id}#a`, c.prompt_ids, c.greedy_ids.length) },
      { at: i * 3 + 11, request: request(`${c.id}#b`, c.prompt_ids, c.greedy_ids.length) }, // arrives mid-decode: prefix hit
    ]);
    const { events, stats } = drive(config, arrivals);
    for (const c of cases) {
      for (const suffix of ['#a', '#b']) {
        const ev = events.get(c.id + suffix)!;
        assert.deepEqual(outputIds(ev), c.greedy_ids, `${c.id}${suffix}`);
        assert.equal(outputText(ev), c.greedy_text);
        const finish = ev.at(-1)!;
        assert.equal(finish.type, 'finish');
        if (finish.type === 'finish') assert.equal(finish.reason, 'length');
      }
    }
    if (config.numBlocks === 14) assert.ok(stats.preemptions > 0, 'the tight pool was meant to force preemption');
    if (config.enablePrefixCaching === false) assert.equal(stats.prefixCacheHits, 0);
    else assert.ok(stats.prefixCacheHits > 0, 'the repeated prompts were meant to hit the prefix cache');
  });
}

for (const file of ['models/random/qwen2-pub-q8_0.gguf', 'models/random/qwen2-pub-f16.gguf']) {
  const halfSkip = sharedSkip(file) || skip;
  test(`engine greedy equals the single-stream path on a half-precision KV cache, every configuration: ${file}`,
    { skip: halfSkip }, () => {
      const halfModel = loadModel(sharedPath(file));
      assert.equal(halfModel.transformer.kvCacheType(16), file.includes('q8_0') ? 'bf16' : 'f16');
      const prompts = cases.map((c) => c.prompt_ids);
      const want = prompts.map((promptIds) => generate(halfModel, { promptIds, maxTokens: 12, sampling: { temperature: 0 },
        contextLength: 512, ignoreEos: true }).ids);
      for (const [name, config] of CONFIGS) {
        const arrivals = prompts.flatMap((promptIds, i) => [
          { at: i * 3, request: request(`${i}#a`, promptIds, 12) },
          { at: i * 3 + 5, request: request(`${i}#b`, promptIds, 12) },
        ]);
        const { events, stats } = drive(config, arrivals, halfModel);
        prompts.forEach((_, i) => {
          for (const suffix of ['#a', '#b']) assert.deepEqual(outputIds(events.get(i + suffix)!), want[i], `${name}: prompt ${i}${suffix}`);
        });
        if (config.numBlocks === 14) assert.ok(stats.preemptions > 0, `${name}: the tight pool was meant to force preemption`);
      }
    });
}

test('stop strings, stop tokens and max tokens end requests with the right reason', { skip }, () => {
  const c = cases[0]!;
  const stopText = c.greedy_text.slice(10, 14);
  const { events } = drive({}, [
    { at: 0, request: request('stop-string', c.prompt_ids, 32, { stop: [stopText] }) },
    { at: 0, request: request('stop-token', c.prompt_ids, 32, { stopTokenIds: [c.greedy_ids[5]!] }) },
    { at: 0, request: request('max', c.prompt_ids, 3) },
    { at: 0, request: request('zero', c.prompt_ids, 0) },
  ]);
  const finish = (id: string) => events.get(id)!.at(-1) as Extract<EngineEvent, { type: 'finish' }>;
  assert.equal(outputText(events.get('stop-string')!), c.greedy_text.slice(0, c.greedy_text.indexOf(stopText)));
  assert.equal(finish('stop-string').reason, 'stop');
  assert.equal(finish('stop-string').stoppedBy, stopText);
  assert.deepEqual(outputIds(events.get('stop-token')!), c.greedy_ids.slice(0, 6));
  assert.equal(finish('stop-token').stoppedBy, c.greedy_ids[5]);
  assert.equal(finish('max').reason, 'length');
  assert.equal(finish('max').usage.completionTokens, 3);
  assert.equal(finish('zero').usage.completionTokens, 0);
});

test('abort frees the request and bad requests are refused up front', { skip }, () => {
  const c = cases[0]!;
  const core = new EngineCore(getModel(), { maxSeqs: 4, maxBatchedTokens: 64, maxModelLen: 512, blockSize: 16,
    numBlocks: 64, enablePrefixCaching: true });
  const seen: EngineEvent[] = [];
  core.add(request('x', c.prompt_ids, 32), (e) => seen.push(e));
  core.step();
  core.abort('x');
  assert.equal(seen.at(-1)!.type, 'finish');
  assert.equal((seen.at(-1) as Extract<EngineEvent, { type: 'finish' }>).reason, 'abort');
  assert.equal(core.hasWork(), false);
  assert.equal(core.stats().kvCacheUsage, 0);
  core.checkIntegrity();
  assert.throws(() => core.add(request('long', new Array(512).fill(1), 4), () => {}), /512 tokens; the context length is 512/);
  assert.throws(() => core.add(request('bad', [1, 5000], 4), () => {}), /outside the vocabulary/);
});
