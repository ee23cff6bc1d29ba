// Pieces of the model benchmark: test names, statistics, the CPU-profile attribution, the comparison table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchTests, parseBenchTest, parseCountList, randomTokenIds, testContextLength } from '../../src/bench/model/benchTests.js';
import { comparisonTable } from '../../src/bench/model/compareTable.js';
import { summarizeCpuProfile } from '../../src/bench/model/cpuProfileSummary.js';
import type { BenchRecord } from '../../src/bench/model/benchRecord.js';
import { mean, median, stddev } from '../../src/bench/model/stats.js';

test('test lists are named like llama-bench and size their contexts', () => {
  assert.deepEqual(benchTests([512, 0, 2048], [128]).map((t) => t.name), ['pp512', 'pp2048', 'tg128']);
  assert.deepEqual(parseBenchTest('tg32'), { name: 'tg32', kind: 'tg', tokens: 32 });
  assert.throws(() => parseBenchTest('pp0'), /not a test name/);
  assert.throws(() => parseBenchTest('xx5'), /not a test name/);
  assert.equal(testContextLength(parseBenchTest('pp300')), 300);
  assert.equal(testContextLength(parseBenchTest('tg128')), 16 + 128);
  assert.deepEqual(parseCountList('512, 2048', '-p'), [512, 2048]);
  assert.throws(() => parseCountList('1,,2', '-p'), /-p expects/);
  assert.throws(() => parseCountList('-1', '-p'), /-p expects/);
});

test('random token ids are deterministic and in range', () => {
  const ids = randomTokenIds(1000, 37, 5);
  assert.deepEqual(ids, randomTokenIds(1000, 37, 5));
  assert.notDeepEqual(ids, randomTokenIds(1000, 37, 6));
  assert.ok(ids.every((id) => Number.isInteger(id) && id >= 0 && id < 37));
  assert.equal(new Set(ids).size, 37);
});

test('median, mean and sample standard deviation', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(mean([1, 2, 3, 6]), 3);
  assert.equal(stddev([5]), 0);
  assert.ok(Math.abs(stddev([2, 4, 4, 4, 5, 5, 7, 9]) - Math.sqrt(32 / 7)) < 1e-12);
});

test('profile time inside forward is charged to the outermost kernel wrapper; time outside is left out', () => {
  const frame = (functionName: string, url: string) => ({ functionName, url });
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)', ''), children: [2, 7, 8] },
      { id: 2, callFrame: frame('forward', 'file:///x/dist/src/model/transformer.js'), children: [3, 5, 6] },
      { id: 3, callFrame: frame('matmul', 'file:///x/dist/src/kernels/linear.js'), children: [4] },
      { id: 4, callFrame: frame('checkFloat32', 'file:///x/dist/src/kernels/checks.js') },
      { id: 5, callFrame: frame('attention', 'file:///x/dist/src/kernels/attention.js') },
      { id: 6, callFrame: frame('subarray', '') },
      { id: 7, callFrame: frame('create', 'file:///x/dist/src/kernels/weight.js') },
      { id: 8, callFrame: frame('(garbage collector)', '') },
    ],
    samples: [3, 4, 3, 5, 6, 7, 8, 2],
    timeDeltas: [1000, 1000, 2000, 5000, 500, 9000, 3000, 500],
  };
  const s = summarizeCpuProfile(profile);
  assert.deepEqual(s.ops.map((o) => [o.op, o.ms]), [['attention', 5], ['matmul', 4], ['forward (JS)', 1]]);
  assert.equal(s.forwardMs, 10);
  assert.equal(s.gcMs, 3);
  assert.ok(Math.abs(s.ops.reduce((a, o) => a + o.fraction, 0) - 1) < 1e-12);
});

test('the comparison table gives the Fastfill / node-llama-cpp ratio and both memories', () => {
  const record = (tps: number, mb: number) => ({ tokens_per_s: tps, stddev: 1, peak_rss_mb: mb }) as BenchRecord;
  const table = comparisonTable([
    { type: 'F16', test: 'pp512', fastfill: record(300, 2048), llama: record(150, 1100) },
    { type: 'F16', test: 'tg128', fastfill: record(20, 1900) },
  ]).split('\n');
  assert.equal(table[2], '| F16 | pp512 | 300.0 ± 1.0 | 2048 | 150.0 ± 1.0 | 1100 | 2.00× |');
  assert.equal(table[3], '| F16 | tg128 | 20.0 ± 1.0 | 1900 | — | — | — |');
});
