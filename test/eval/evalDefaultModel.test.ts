// A tiny eval run on the embedded default model: real accuracy, a control that must score lower, the CLI's JSON.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { resolveModelPath } from '../../src/cli/defaultModel.js';
import { DEFAULT_MODEL_PATH } from '../../src/eval/assets.js';
import { getMethod } from '../../src/eval/methods.js';
import { heldOutTokens, perplexity } from '../../src/eval/perplexity.js';
import { runEval } from '../../src/eval/runEval.js';
import { loadModel } from '../../src/model/load.js';
import { REPO_ROOT } from '../helpers/paths.js';

const skip = existsSync(DEFAULT_MODEL_PATH) ? false : `the default model ${DEFAULT_MODEL_PATH} is absent`;
const model = skip ? undefined : loadModel(DEFAULT_MODEL_PATH);
const grid = { lengths: [256, 512], depths: [0, 50, 100], samples: 4 };

test('commands without a model use the embedded default', { skip }, () => {
  const saved = process.env.FASTFILL_MODEL;
  delete process.env.FASTFILL_MODEL;
  try {
    assert.equal(resolveModelPath(undefined), DEFAULT_MODEL_PATH);
    assert.equal(resolveModelPath('x.gguf'), 'x.gguf');
  } finally {
    if (saved !== undefined) process.env.FASTFILL_MODEL = saved;
  }
});

test('passkey retrieval is measured: high on real prompts, near zero when the key is replaced', { skip }, () => {
  const real = runEval(model!, { task: 'passkey', ...grid });
  const control = runEval(model!, { task: 'passkey', ...grid, corrupt: true });
  const mean = (cells: typeof real) => cells.reduce((a, c) => a + c.accuracy, 0) / cells.length;
  assert.equal(real.length, 6);
  for (const c of real) {
    assert.ok(c.prompt_tokens <= c.length && c.prompt_tokens > c.length - 40, `${c.prompt_tokens} tokens for ${c.length}`);
    assert.ok(c.ttft_ms > 0);
  }
  assert.ok(mean(real) >= 0.75, `accuracy ${mean(real)}`);
  assert.ok(mean(control) <= 0.1, `control accuracy ${mean(control)}`);
});

test('held-out perplexity is far below the uniform one', { skip }, () => {
  const result = perplexity(model!, getMethod('dense'), heldOutTokens(model!), 256, 2);
  assert.equal(result.tokens, 2 * 255);
  assert.ok(result.perplexity > 1 && result.perplexity < model!.config.vocabSize / 10, String(result.perplexity));
});

test('fastfill eval --json ends with the report object and writes JSON and SVG', { skip }, () => {
  const out = mkdtempSync(path.join(tmpdir(), 'fastfill-eval-'));
  try {
    const stdout = execFileSync(process.execPath, [path.join(REPO_ROOT, 'dist/src/cli/main.js'), 'eval', '--task', 'kv',
      '--lengths', '256', '--depths', '0,100', '--samples', '2', '--ppl-tokens', '256', '--out', out, '--json'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!);
    assert.ok(last.mean_accuracy >= 0 && last.mean_accuracy <= 1);
    assert.deepEqual(last.cells.map((c: { length: number; depth: number }) => [c.length, c.depth]), [[256, 0], [256, 100]]);
    for (const c of last.cells) assert.deepEqual(['accuracy', 'depth', 'length', 'ttft_ms'].filter((k) => k in c).length, 4);
    assert.ok(last.perplexity.perplexity > 1);
    assert.deepEqual(JSON.parse(readFileSync(path.join(out, 'kv-dense.json'), 'utf8')).cells, last.cells);
    assert.match(readFileSync(path.join(out, 'kv-dense.svg'), 'utf8'), /^<svg[^]*<\/svg>\n$/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('eval refuses an unknown task or method', () => {
  const run = (args: string[]) => execFileSync(process.execPath, [path.join(REPO_ROOT, 'dist/src/cli/main.js'), 'eval', ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.throws(() => run(['--task', 'nope']), /--task must be one of passkey, kv, niah/);
  assert.throws(() => run(['--task', 'kv', '--method', 'magic']), /unknown attention method 'magic'/);
});
