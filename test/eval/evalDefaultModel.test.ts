// A tiny eval run on the embedded default model: real accuracy, a control that must score lower, the CLI's JSON.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { resolveModelPath } from '../../src/cli/defaultModel.js';
import { DEFAULT_MODEL_PATH } from '../../src/eval/assets.js';
import { getMethod, registerMethod, type AttentionMethod } from '../../src/eval/methods.js';
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

/**
 * A stand-in attention method that reads the answer out of the prompt text (the number after the question's
 * own phrase) and emits it token by token: the harness must score it 100 % on real prompts and 0 % on
 * corrupted ones, whatever the model has learned.
 */
const oracle: AttentionMethod = {
  name: 'oracle-test',
  description: 'test only',
  open(m) {
    let target: number[] = [];
    let k = 0;
    const oneHot = () => {
      const logits = new Float32Array(m.config.vocabSize);
      logits[target[Math.min(k++, target.length - 1)]!] = 1;
      return logits;
    };
    return {
      prefill(ids) {
        const text = m.tokenizer.decode(ids);
        const phrase = text.slice(text.lastIndexOf('?') + 1).trim();
        const found = new RegExp(`${phrase} (\\d+)\\.`).exec(text);
        target = m.tokenizer.encode(` ${found?.[1] ?? 'none'}.`);
        k = 0;
        return oneHot();
      },
      next: () => oneHot(),
      prefillAll: () => { throw new Error('not used'); },
    };
  },
};
registerMethod(oracle);

test('the harness scores exact matches: an oracle method gets 100 %, and 0 % on corrupted prompts', { skip }, () => {
  for (const task of ['passkey', 'kv', 'niah'] as const) {
    const real = runEval(model!, { task, ...grid, method: 'oracle-test' });
    const control = runEval(model!, { task, ...grid, method: 'oracle-test', corrupt: true });
    assert.deepEqual(real.map((c) => c.accuracy), [1, 1, 1, 1, 1, 1], task);
    assert.deepEqual(control.map((c) => c.accuracy), [0, 0, 0, 0, 0, 0], task);
  }
});

test('the default model runs the grid: prompts of the asked length, timed prefill, accuracy in 0..1', { skip }, () => {
  const real = runEval(model!, { task: 'passkey', ...grid });
  const control = runEval(model!, { task: 'passkey', ...grid, corrupt: true });
  const mean = (cells: typeof real) => cells.reduce((a, c) => a + c.accuracy, 0) / cells.length;
  assert.deepEqual(real.map((c) => [c.length, c.depth]), [[256, 0], [256, 50], [256, 100], [512, 0], [512, 50], [512, 100]]);
  for (const c of real) {
    assert.ok(c.prompt_tokens <= c.length && c.prompt_tokens > c.length - 40, `${c.prompt_tokens} tokens for ${c.length}`);
    assert.ok(c.ttft_ms > 0);
    assert.ok(c.accuracy >= 0 && c.accuracy <= 1 && c.correct === c.accuracy * c.samples);
  }
  // the trained model retrieves at these short lengths (MODEL.md: 100 % from 1K to 4K); with the key replaced the
  // right answer is nowhere in the prompt, so it cannot
  assert.ok(mean(real) >= 0.9, `passkey accuracy ${mean(real)} at 256-512 tokens`);
  assert.ok(mean(control) <= 0.1, `control ${mean(control)}`);
});

test('held-out text in its real order is far more likely than the same tokens shuffled', { skip }, () => {
  // The default model has memorised its small training corpus and is over-confident on new text (MODEL.md), so
  // its held-out perplexity is high in absolute terms; what must hold is that it has learned English order.
  const tokens = heldOutTokens(model!).slice(0, 1024);
  const shuffled = [...tokens];
  let seed = 12345;
  for (let i = shuffled.length - 1; i > 0; i--) {
    seed = (seed * 48271) % 2147483647;
    const j = seed % (i + 1);
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const real = perplexity(model!, getMethod('dense'), tokens, 512, 2);
  const control = perplexity(model!, getMethod('dense'), shuffled, 512, 2);
  assert.equal(real.tokens, 2 * 511);
  assert.ok(real.perplexity > 1 && Number.isFinite(real.perplexity), String(real.perplexity));
  assert.ok(real.nll < control.nll - 2, `real ${real.nll} nats/token vs shuffled ${control.nll}`);
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
