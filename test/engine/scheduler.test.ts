import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scheduler } from '../../src/engine/scheduler.js';
import type { SchedulerConfig, SchedulerStep } from '../../src/engine/schedulerTypes.js';
import { KvCacheManager } from '../../src/kv/kvCacheManager.js';

function make(config: Partial<SchedulerConfig> = {}, numBlocks = 16, blockSize = 4): Scheduler {
  const kv = new KvCacheManager({ numBlocks, blockSize });
  return new Scheduler({ maxSeqs: 8, maxBatchedTokens: 64, maxModelLen: 32, ...config }, kv);
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const lengths = (step: SchedulerStep) => Object.fromEntries(step.chunks.map((c) => [c.requestId, c.tokenIds.length]));

/** Answers a step with token 7 for each sampling chunk (or `finish` for the ids listed). */
function answer(s: Scheduler, step: SchedulerStep, finish: Record<string, 'stop' | 'length'> = {}) {
  const result = s.update({
    stepId: step.stepId,
    sampled: step.chunks.filter((c) => c.sampleAfter).map((c) => ({ requestId: c.requestId, tokenId: 7, finish: finish[c.requestId] })),
  });
  s.checkIntegrity();
  return result;
}

test('requests that break the limits are refused at add time with a clear error', () => {
  const s = make({ maxModelLen: 10 });
  assert.throws(() => s.addRequest({ requestId: 'a', promptTokenIds: range(11) }), /prompt has 11 tokens; the maximum model length is 10/);
  assert.throws(() => s.addRequest({ requestId: 'a', promptTokenIds: range(6), maxTokens: 5 }), /6 prompt tokens \+ 5 max tokens exceed the maximum model length 10/);
  assert.throws(() => s.addRequest({ requestId: 'a', promptTokenIds: [] }), /prompt is empty/);
  assert.throws(() => s.addRequest({ requestId: 'a', promptTokenIds: [1, -2] }), /prompt token 1 is -2/);
  assert.throws(() => s.addRequest({ requestId: 'a', promptTokenIds: [1], maxTokens: 0 }), /maxTokens must be a positive integer/);
  s.addRequest({ requestId: 'a', promptTokenIds: range(10) });
  assert.throws(() => s.addRequest({ requestId: 'a', promptTokenIds: [1] }), /request a already exists/);
  assert.throws(() => make({ maxModelLen: 65 }), /fewer than maxModelLen 65/);
  assert.throws(() => make({ maxSeqs: 0 }), /maxSeqs must be a positive integer/);
  s.checkIntegrity();
});

test('a long prompt is prefilled in chunks of the budget; only the last chunk samples', () => {
  const s = make({ maxBatchedTokens: 4 });
  s.addRequest({ requestId: 'a', promptTokenIds: range(10) });
  const starts: number[] = [];
  for (const expected of [4, 4, 2]) {
    const step = s.schedule();
    assert.equal(step.chunks.length, 1);
    const chunk = step.chunks[0]!;
    assert.equal(chunk.tokenIds.length, expected);
    assert.deepEqual(chunk.tokenIds, range(expected, chunk.startPosition));
    assert.ok(chunk.blockTable.length * 4 >= chunk.startPosition + expected);
    assert.equal(chunk.sampleAfter, expected === 2);
    starts.push(chunk.startPosition);
    answer(s, step);
  }
  assert.deepEqual(starts, [0, 4, 8]);
  const decode = s.schedule();
  assert.deepEqual(decode.chunks.map((c) => [c.startPosition, c.tokenIds, c.sampleAfter]), [[10, [7], true]]);
});

test('decodes get their token before any prefill chunk, and the threshold caps chunks', () => {
  const s = make({ maxBatchedTokens: 5, longPrefillThreshold: 3 });
  s.addRequest({ requestId: 'a', promptTokenIds: range(2) });
  answer(s, s.schedule());
  s.addRequest({ requestId: 'b', promptTokenIds: range(10) });
  s.addRequest({ requestId: 'c', promptTokenIds: range(10) });
  const step = s.schedule();
  assert.deepEqual(lengths(step), { a: 1, b: 3, c: 1 });
  assert.equal(step.numScheduledTokens, 5);
});

test('running requests are served before waiting ones are admitted', () => {
  const s = make({ maxBatchedTokens: 4 });
  s.addRequest({ requestId: 'long', promptTokenIds: range(12) });
  s.addRequest({ requestId: 'short', promptTokenIds: range(1) });
  let step = s.schedule();
  assert.deepEqual(lengths(step), { long: 4 });
  answer(s, step);
  step = s.schedule();
  assert.deepEqual(lengths(step), { long: 4 });
  answer(s, step);
  step = s.schedule();
  assert.deepEqual(lengths(step), { long: 4 });
  answer(s, step);
  step = s.schedule();
  assert.deepEqual(lengths(step), { long: 1, short: 1 }, 'the waiting one is admitted after the running decode');
  answer(s, step);
  step = s.schedule();
  assert.deepEqual(lengths(step), { long: 1, short: 1 }, 'both decode');
});

test('maxSeqs limits admissions', () => {
  const s = make({ maxSeqs: 2 });
  for (const id of ['a', 'b', 'c']) s.addRequest({ requestId: id, promptTokenIds: range(3) });
  const step = s.schedule();
  assert.deepEqual(Object.keys(lengths(step)), ['a', 'b']);
  assert.deepEqual(s.waitingIds(), ['c']);
});

test('when blocks run out the newest running request is preempted and later resumes from the cache', () => {
  const s = make({ maxModelLen: 12 }, 6, 2);
  s.addRequest({ requestId: 'a', promptTokenIds: range(6) });
  s.addRequest({ requestId: 'b', promptTokenIds: range(5, 100) });
  answer(s, s.schedule());
  assert.deepEqual(s.runningIds(), ['a', 'b']);
  // a holds 3 blocks (6 tokens + 1 sampled: needs a 4th to compute position 6), b holds 3 (5 + 1 fits).
  const step = s.schedule();
  assert.deepEqual(step.preemptedIds, ['b']);
  assert.deepEqual(lengths(step), { a: 1 });
  assert.deepEqual(s.waitingIds(), ['b']);
  assert.equal(s.requestState('b')!.numComputedTokens, 0);
  assert.equal(s.requestState('b')!.numPreemptions, 1);
  assert.deepEqual(s.requestState('b')!.outputTokenIds, [7], 'its sampled token is kept and recomputed');
  answer(s, step, { a: 'stop' });
  const resume = s.schedule();
  assert.deepEqual(resume.finishedIds, ['a']);
  const chunk = resume.chunks.find((c) => c.requestId === 'b')!;
  assert.equal(chunk.startPosition, 4, 'its two full computed blocks are still cached');
  assert.deepEqual(chunk.tokenIds, [104, 7]);
  assert.ok(chunk.sampleAfter);
});

test('a prefix hit is applied on admission, capped to leave one token to compute', () => {
  const s = make({}, 16, 4);
  s.addRequest({ requestId: 'a', promptTokenIds: range(8) });
  answer(s, s.schedule(), { a: 'stop' });
  s.addRequest({ requestId: 'b', promptTokenIds: range(8) });
  s.addRequest({ requestId: 'c', promptTokenIds: range(9) });
  const step = s.schedule();
  const byId = Object.fromEntries(step.chunks.map((c) => [c.requestId, c]));
  assert.equal(byId.b!.startPosition, 4);
  assert.deepEqual(byId.b!.tokenIds, [4, 5, 6, 7]);
  assert.equal(byId.c!.startPosition, 8);
  assert.deepEqual(byId.c!.tokenIds, [8]);
  assert.equal(byId.c!.blockTable[0], byId.b!.blockTable[0]);
  assert.deepEqual(s.kv.stats, { queriedTokens: 25, hitTokens: 12 });
});

test('update finishes on stop flags, maxTokens and maxModelLen, and frees the blocks', () => {
  const s = make({ maxModelLen: 6 }, 4, 2);
  s.addRequest({ requestId: 'stop', promptTokenIds: range(2) });
  s.addRequest({ requestId: 'max', promptTokenIds: range(2), maxTokens: 2 });
  s.addRequest({ requestId: 'len', promptTokenIds: range(5) });
  const r1 = answer(s, s.schedule(), { stop: 'stop' });
  assert.deepEqual(r1.finished.map((f) => [f.requestId, f.reason, f.outputTokenIds]), [['stop', 'stop', [7]]]);
  const r2 = answer(s, s.schedule());
  assert.deepEqual(r2.finished.map((f) => [f.requestId, f.reason]), [['max', 'length']]);
  const r3 = answer(s, s.schedule());
  assert.deepEqual(r3.finished.map((f) => [f.requestId, f.reason, f.outputTokenIds.length]), [['len', 'length', 1]]);
  assert.equal(s.kv.numFreeBlocks, 4);
  assert.ok(!s.hasUnfinishedRequests());
});

test('abort frees blocks at any time; a pending step ignores the aborted request', () => {
  const s = make();
  s.addRequest({ requestId: 'a', promptTokenIds: range(5) });
  s.addRequest({ requestId: 'b', promptTokenIds: range(5) });
  s.addRequest({ requestId: 'w', promptTokenIds: range(5) });
  assert.deepEqual(s.abort('w'), { requestId: 'w', reason: 'abort', outputTokenIds: [] });
  const step = s.schedule();
  assert.deepEqual(step.finishedIds, ['w']);
  assert.ok(s.abort('a'));
  s.checkIntegrity();
  assert.equal(s.abort('a'), undefined);
  s.update({ stepId: step.stepId, sampled: [{ requestId: 'b', tokenId: 1 }] });
  s.checkIntegrity();
  assert.deepEqual(s.schedule().finishedIds, ['a']);
});

test('the step protocol is enforced with clear errors', () => {
  const s = make();
  assert.throws(() => s.update({ stepId: 0, sampled: [] }), /no scheduled step awaiting output/);
  assert.equal(s.schedule().chunks.length, 0, 'an empty step awaits nothing');
  s.addRequest({ requestId: 'a', promptTokenIds: range(3) });
  s.addRequest({ requestId: 'b', promptTokenIds: range(9) });
  const s2 = make({ maxBatchedTokens: 5 });
  s2.addRequest({ requestId: 'a', promptTokenIds: range(3) });
  s2.addRequest({ requestId: 'b', promptTokenIds: range(9) });
  const step = s2.schedule();
  assert.deepEqual(lengths(step), { a: 3, b: 2 });
  assert.throws(() => s2.schedule(), /step \d+ awaits update/);
  assert.throws(() => s2.update({ stepId: step.stepId + 1, sampled: [] }), /awaits its output/);
  assert.throws(() => s2.update({ stepId: step.stepId, sampled: [] }), /lacks the sampled token of request a/);
  assert.throws(() => s2.update({ stepId: step.stepId, sampled: [{ requestId: 'a', tokenId: 1 }, { requestId: 'b', tokenId: 1 }] }), /request b, which samples nothing/);
  assert.throws(() => s2.update({ stepId: step.stepId, sampled: [{ requestId: 'a', tokenId: 1.5 }] }), /1.5 is not a token id/);
  assert.throws(() => s2.update({ stepId: step.stepId, sampled: [{ requestId: 'a', tokenId: 1 }, { requestId: 'a', tokenId: 1 }] }), /two tokens/);
  s2.checkIntegrity();
  s2.update({ stepId: step.stepId, sampled: [{ requestId: 'a', tokenId: 1 }] });
  assert.deepEqual(s2.requestState('a')!.outputTokenIds, [1]);
});
