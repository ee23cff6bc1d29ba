// Random add / step / abort runs against a fake runner, with small pools so preemption and eviction
// happen; every step is checked, and every finished request is compared with a direct run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/engine/rng.js';
import { Scheduler } from '../../src/engine/scheduler.js';
import type { FinishedRequest, SchedulerConfig, SchedulerStep } from '../../src/engine/schedulerTypes.js';
import type { BlockHasher } from '../../src/kv/blockHash.js';
import { KvCacheManager } from '../../src/kv/kvCacheManager.js';
import { contextOf, expectedOutput, FakeRunner } from '../kv/fakeRunner.js';

const VOCAB = 16;
const STOP = 0;
const RUNS = 300;

/** Ignores the parent and keeps 2 bits: most blocks collide. */
const weakHasher: BlockHasher = (_parent, tokens, keys) => ((tokens.reduce((a, b) => a + b, 0) + keys.length) % 4).toString(16).padStart(16, '0');

interface Totals {
  preemptions: number;
  preemptedThenFinished: number;
  hitTokens: number;
  evictions: number;
  stallChecks: number;
  weakHasherRuns: number;
  finished: number;
}

interface Live {
  prompt: number[];
  tokens: number[];
  maxTokens?: number;
}

function randomRun(seed: number, totals: Totals): void {
  const rng = createRng(seed);
  const int = (n: number) => rng.nextUint32() % n;
  const chance = (p: number) => rng.nextFloat() < p;
  const blockSize = [1, 2, 3, 4, 8][int(5)]!;
  const maxModelLen = 6 + int(30);
  const numBlocks = Math.ceil(maxModelLen / blockSize) + int(5);
  const config: SchedulerConfig = {
    maxSeqs: 1 + int(5),
    maxBatchedTokens: 1 + int(20),
    maxModelLen,
    longPrefillThreshold: chance(0.5) ? 0 : 1 + int(8),
  };
  const weak = chance(0.25);
  if (weak) totals.weakHasherRuns++;
  const kv = new KvCacheManager({ numBlocks, blockSize, enablePrefixCaching: chance(0.85), hasher: weak ? weakHasher : undefined });
  const scheduler = new Scheduler(config, kv);
  const runner = new FakeRunner(kv, VOCAB);
  const prefixes = Array.from({ length: 3 }, () => Array.from({ length: maxModelLen }, () => 1 + int(4)));

  const live = new Map<string, Live>();
  const finishedOnce = new Map<string, { live: Live; result: FinishedRequest }>();
  const everPreempted = new Set<string>();
  const toAdd = 2 + int(10);
  let added = 0;
  const abortRandom = () => {
    const ids = [...live.keys()];
    if (ids.length === 0) return undefined;
    const id = ids[int(ids.length)]!;
    assert.ok(scheduler.abort(id));
    live.delete(id);
    return id;
  };

  for (let steps = 0; added < toAdd || scheduler.hasUnfinishedRequests(); steps++) {
    assert.ok(steps < 5000, 'no progress after 5000 steps');
    if (added < toAdd && chance(0.4)) {
      const length = 1 + int(maxModelLen);
      const shared = int(length + 1);
      const prompt = [...prefixes[int(3)]!.slice(0, shared), ...Array.from({ length: length - shared }, () => 1 + int(4))];
      const maxTokens = length < maxModelLen && chance(0.7) ? 1 + int(maxModelLen - length) : undefined;
      const id = `r${added++}`;
      scheduler.addRequest({ requestId: id, promptTokenIds: prompt, maxTokens, cacheSalt: chance(0.2) ? 'salt' : undefined });
      live.set(id, { prompt, tokens: [...prompt], maxTokens });
    }
    if (chance(0.03)) abortRandom();

    const decodes = scheduler.runningIds().filter((id) => {
      const s = scheduler.requestState(id)!;
      return s.numTokens - s.numComputedTokens === 1;
    });
    const waitingBefore = new Set(scheduler.waitingIds());
    const step = scheduler.schedule();
    step.preemptedIds.forEach((id) => everPreempted.add(id));
    checkStep(step, { config, blockSize, live, runner, waitingBefore, prefixCaching: kv.prefixCaching });
    for (const id of step.preemptedIds) assert.equal(scheduler.requestState(id)!.numComputedTokens, 0);
    if (decodes.length <= config.maxBatchedTokens) {
      for (const id of decodes) {
        if (step.preemptedIds.includes(id)) continue;
        totals.stallChecks++;
        assert.equal(step.chunks.find((c) => c.requestId === id)?.tokenIds.length, 1, `decode ${id} did not get its token`);
      }
    }

    // Sometimes a request is aborted while its step is being computed.
    const skip = new Set<string>();
    if (step.chunks.length > 0 && chance(0.02)) {
      const id = step.chunks[int(step.chunks.length)]!.requestId;
      scheduler.abort(id);
      live.delete(id);
      skip.add(id);
    }
    const sampled = runner.run(step, skip);
    if (step.chunks.length === 0) continue;
    const { finished } = scheduler.update({
      stepId: step.stepId,
      sampled: [...sampled].map(([requestId, tokenId]) => ({ requestId, tokenId, finish: tokenId === STOP ? 'stop' as const : undefined })),
    });
    for (const [id, token] of sampled) live.get(id)!.tokens.push(token);
    for (const result of finished) {
      finishedOnce.set(result.requestId, { live: live.get(result.requestId)!, result });
      live.delete(result.requestId);
    }
    scheduler.checkIntegrity();
  }

  // Drained: every block free with count 0, no tables left.
  assert.equal(kv.numFreeBlocks, numBlocks);
  assert.equal(kv.numRequests, 0);
  for (let b = 0; b < numBlocks; b++) assert.equal(kv.blockPool.refCount(b), 0);
  kv.checkIntegrity();

  for (const [id, { live: request, result }] of finishedOnce) {
    const expected = expectedOutput(request.prompt, { vocabSize: VOCAB, stopTokenId: STOP, maxTokens: request.maxTokens, maxModelLen });
    assert.deepEqual(result.outputTokenIds, expected.tokens, `request ${id} output`);
    assert.equal(result.reason, expected.reason, `request ${id} finish reason`);
    if (everPreempted.has(id)) totals.preemptedThenFinished++;
    totals.finished++;
  }
  totals.preemptions += scheduler.numPreemptions;
  totals.hitTokens += kv.stats.hitTokens;
  totals.evictions += kv.blockPool.numEvictions;
}

function checkStep(
  step: SchedulerStep,
  ctx: { config: SchedulerConfig; blockSize: number; live: Map<string, Live>; runner: FakeRunner; waitingBefore: Set<string>; prefixCaching: boolean },
): void {
  const { config, blockSize, live, runner } = ctx;
  const total = step.chunks.reduce((n, c) => n + c.tokenIds.length, 0);
  assert.equal(step.numScheduledTokens, total);
  assert.ok(total <= config.maxBatchedTokens, `${total} tokens exceed the budget ${config.maxBatchedTokens}`);
  assert.ok(step.chunks.length <= config.maxSeqs);
  for (const chunk of step.chunks) {
    const tokens = live.get(chunk.requestId)!.tokens;
    const end = chunk.startPosition + chunk.tokenIds.length;
    assert.ok(chunk.tokenIds.length >= 1);
    if (config.longPrefillThreshold) assert.ok(chunk.tokenIds.length <= config.longPrefillThreshold);
    assert.ok(end <= config.maxModelLen);
    assert.deepEqual(chunk.tokenIds, tokens.slice(chunk.startPosition, end));
    assert.equal(chunk.sampleAfter, end === tokens.length);
    assert.equal(chunk.blockTable.length, Math.ceil(end / blockSize));
    // The KV already in the table (from earlier chunks or cache hits) holds exactly this request's prefix.
    assert.deepEqual(runner.tokensIn(chunk.blockTable, chunk.startPosition), tokens.slice(0, chunk.startPosition));
    if (chunk.startPosition > 0) {
      assert.equal(runner.contextAt(chunk.blockTable, chunk.startPosition - 1), contextOf(tokens.slice(0, chunk.startPosition)));
    }
    if (ctx.waitingBefore.has(chunk.requestId)) {
      assert.equal(chunk.startPosition % blockSize, 0, 'a prefix hit is whole blocks');
      if (!ctx.prefixCaching) assert.equal(chunk.startPosition, 0);
    }
  }
}

test(`${RUNS} random add / step / abort runs keep every invariant and reproduce direct outputs`, () => {
  const totals: Totals = { preemptions: 0, preemptedThenFinished: 0, hitTokens: 0, evictions: 0, stallChecks: 0, weakHasherRuns: 0, finished: 0 };
  for (let seed = 1; seed <= RUNS; seed++) {
    try {
      randomRun(seed, totals);
    } catch (error) {
      (error as Error).message = `seed ${seed}: ${(error as Error).message}`;
      throw error;
    }
  }
  // The runs must actually exercise the paths under test.
  for (const [name, value] of Object.entries(totals)) assert.ok(value > 0, `no ${name} in ${RUNS} runs`);
  console.log(JSON.stringify(totals));
});
