// `fastfill bench model --json` on a tiny model of the benchmark's structure: one JSON object per test with the
// expected keys (no timing assertions), in a child process per test or in one process; bad options fail clearly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TINY_SHAPE } from '../../src/bench/model/benchShape.js';
import { ensureBenchModel } from '../../src/bench/model/makeBenchModel.js';
import { REPO_ROOT } from '../helpers/paths.js';

const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'fastfill-benchcli-'));
process.on('exit', () => rmSync(cacheDir, { recursive: true, force: true }));
const MAIN = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const model = ensureBenchModel({ type: 'q4_0', shape: TINY_SHAPE, cacheDir, tokenizerDir: null }).path;

function fastfill(...args: string[]) {
  return spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, FASTFILL_CACHE: cacheDir } });
}

function records(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

const KEYS = ['test', 'tokens_per_s', 'peak_rss_mb', 'threads', 'reps', 'rss_scope', 'stddev', 'samples', 'chunk', 'type', 'params'];

test('bench model --json: one object per test, a fresh process each', () => {
  const run = fastfill('bench', 'model', model, '-p', '40,0', '-n', '3', '-t', '1', '-r', '2', '--chunk', '16', '--json');
  assert.equal(run.status, 0, run.stderr);
  const out = records(run.stdout);
  assert.deepEqual(out.map((r) => r.test), ['pp40', 'tg3']);
  for (const r of out) {
    for (const key of KEYS) assert.ok(key in r, `key ${key} in ${JSON.stringify(r)}`);
    assert.ok(typeof r.tokens_per_s === 'number' && r.tokens_per_s > 0);
    assert.ok(typeof r.peak_rss_mb === 'number' && r.peak_rss_mb > 0);
    assert.equal(r.threads, 1);
    assert.equal(r.reps, 2);
    assert.equal((r.samples as number[]).length, 2);
    assert.equal(r.rss_scope, 'test');
    assert.equal(r.chunk, 16);
    assert.equal(r.type, 'Q4_0');
  }
});

test('bench model --in-process reports cumulative peak RSS; the table has a row per test', () => {
  const json = fastfill('bench', 'model', model, '-p', '8', '-n', '2', '-r', '1', '--in-process', '--json');
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(records(json.stdout).map((r) => [r.test, r.rss_scope]), [['pp8', 'cumulative'], ['tg2', 'cumulative']]);
  const table = fastfill('bench', 'model', model, '-p', '8', '-n', '0', '-r', '1', '--in-process');
  assert.equal(table.status, 0, table.stderr);
  const lines = table.stdout.trim().split('\n');
  assert.match(lines[0]!, /\| model \| size \| params \| backend \| threads \| test \| t\/s/);
  assert.equal(lines.length, 3);
  assert.match(lines[2]!, /\| qwen2 .* Q4_0 \|.*\| pp8 \|/);
});

test('bench model rejects bad input with a clear message', () => {
  const cases: Array<[string[], RegExp]> = [
    [['bench', 'model', 'bench:q9'], /bench:f16, bench:bf16, bench:q8_0, bench:q4_0/],
    [['bench', 'model', model, '-p', '12,x'], /--n-prompt expects comma-separated non-negative integers/],
    [['bench', 'model', model, '-p', '0', '-n', '0'], /no tests/],
    [['bench', 'model', model, '-t', '0'], /--threads expects a positive integer/],
    [['bench', 'model', path.join(cacheDir, 'missing.gguf'), '--in-process'], /missing\.gguf/],
    [['bench', 'model', path.join(cacheDir, 'missing.gguf')], /missing\.gguf: no such file/],
    [['bench', 'nothing'], /unknown benchmark 'nothing'/],
  ];
  for (const [args, message] of cases) {
    const run = fastfill(...args);
    assert.equal(run.status, 1, `${args.join(' ')} should fail`);
    assert.match(run.stderr, message);
  }
});

test('peak RSS is the benchmark process\'s own, not the high-water mark inherited from a big parent',
  { skip: process.platform === 'linux' ? false : 'needs /proc/self/status' }, () => {
    const ballast = Buffer.alloc(256 << 20, 1); // resident in this (parent) process while the child starts
    const run = fastfill('bench', 'model', model, '-p', '8', '-n', '0', '-r', '1', '--in-process', '--json');
    assert.equal(run.status, 0, run.stderr);
    const peak = records(run.stdout)[0]!.peak_rss_mb as number;
    assert.ok(peak > 10 && peak < 200, `peak ${peak} MiB for a 0.3 MiB model, beside a 256 MiB parent`);
    assert.equal(ballast[1], 1);
  });
