import path from 'node:path';
import { setThreads } from '../kernels/native.js';
import { loadModel } from '../model/load.js';
import { getMethod, methodNames } from '../eval/methods.js';
import { heldOutTokens, perplexity } from '../eval/perplexity.js';
import { progressBar } from '../eval/progress.js';
import { makeReport, reportTable, writeReport } from '../eval/report.js';
import { runEval } from '../eval/runEval.js';
import { TASK_NAMES, type TaskName } from '../eval/tasks.js';
import { CliError, isNonNegativeInt, isPositiveInt, numberOption, parse, str } from './args.js';
import { resolveModelPath } from './defaultModel.js';

const USAGE = `usage: fastfill eval [--model M] --task passkey|kv|niah [options]
  --model <M>           .gguf file or Hugging Face folder (default: the embedded default model)
  --task <T>            passkey | kv | niah
  --lengths <L,...>     prompt lengths in tokens (default 1024,2048,4096)
  --depths <D,...>      needle depths in percent (default 0,25,50,75,100)
  --samples <N>         prompts per cell (default 20)
  --method <M>          attention method: ${methodNames().join(', ')} (default dense)
  --ppl-tokens <N>      held-out tokens for perplexity, 0 = skip (default 4096, in windows of 1024)
  --seed <S>            prompt seed (default 0)
  --corrupt             control run: the asked number is replaced in the context, so accuracy must fall
  --out <DIR>           where the JSON and SVG heat map go (default ./eval-results)
  -t, --threads <N>     compute threads
  --json                last stdout line: the report as one JSON object`;

function intList(value: string | undefined, name: string, fallback: number[], check: (n: number) => boolean): number[] {
  if (value === undefined) return fallback;
  const parts = value.split(',').map((s) => s.trim());
  const numbers = parts.map(Number);
  if (parts.some((p) => p === '') || !numbers.every((n) => Number.isInteger(n) && check(n))) {
    throw new CliError(`--${name} expects a comma-separated list of integers, got '${value}'`);
  }
  return numbers;
}

export function evalCommand(argv: string[]): void {
  const { values, positionals } = parse(argv, {
    model: { type: 'string' },
    task: { type: 'string' },
    lengths: { type: 'string' },
    depths: { type: 'string' },
    samples: { type: 'string' },
    method: { type: 'string' },
    'ppl-tokens': { type: 'string' },
    seed: { type: 'string' },
    corrupt: { type: 'boolean' },
    out: { type: 'string' },
    threads: { type: 'string', short: 't' },
    json: { type: 'boolean' },
  }, USAGE);
  if (positionals.length > 0) throw new CliError(`unexpected argument '${positionals[0]}' (the model goes after --model)\n${USAGE}`);
  const task = str(values.task);
  if (!task || !(TASK_NAMES as readonly string[]).includes(task)) {
    throw new CliError(`--task must be one of ${TASK_NAMES.join(', ')}${task ? `, got '${task}'` : ''}\n${USAGE}`);
  }
  const methodName = str(values.method) ?? 'dense';
  let method;
  try {
    method = getMethod(methodName);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  const lengths = intList(str(values.lengths), 'lengths', [1024, 2048, 4096], (n) => n >= 64);
  const depths = intList(str(values.depths), 'depths', [0, 25, 50, 75, 100], (n) => n >= 0 && n <= 100);
  const samples = numberOption(values.samples, 'samples', isPositiveInt, 'a positive integer') ?? 20;
  const pplTokens = numberOption(values['ppl-tokens'], 'ppl-tokens', isNonNegativeInt, 'a non-negative integer') ?? 4096;
  const seed = numberOption(values.seed, 'seed', isNonNegativeInt, 'a non-negative integer') ?? 0;
  const threads = numberOption(values.threads, 'threads', isPositiveInt, 'a positive integer');
  if (threads !== undefined) setThreads(threads);

  const modelPath = resolveModelPath(str(values.model));
  const model = loadModel(modelPath);
  const longest = Math.max(...lengths);
  if (longest > model.config.contextLength) {
    process.stderr.write(`note: ${longest} tokens exceed the model's trained context of ${model.config.contextLength}\n`);
  }
  const cells = runEval(model, { task: task as TaskName, lengths, depths, samples, method: methodName, seed,
    corrupt: values.corrupt === true, onProgress: progressBar() });
  const windowTokens = Math.min(1024, pplTokens);
  const ppl = pplTokens > 0
    ? perplexity(model, method, heldOutTokens(model), windowTokens, Math.max(1, Math.round(pplTokens / windowTokens)))
    : undefined;
  const report = makeReport({ task, method: methodName, model: path.relative(process.cwd(), path.resolve(modelPath)) || modelPath, samples,
    corrupt: values.corrupt === true, cells, perplexity: ppl });
  const files = writeReport(report, str(values.out) ?? 'eval-results');
  if (values.json) {
    process.stderr.write(`${reportTable(report)}\nwrote ${files.json} and ${files.svg}\n`);
    process.stdout.write(JSON.stringify(report) + '\n');
  } else {
    process.stdout.write(`${reportTable(report)}\nwrote ${files.json} and ${files.svg}\n`);
  }
}
