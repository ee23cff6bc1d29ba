// `fastfill bench model <model>`: prefill (ppN) and decode (tgN) speed of one model, llama-bench style.
// By default each test runs in a fresh child process so that its peak RSS is its own.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CliError, isPositiveInt, numberOption, parse, str } from '../../cli/args.js';
import { cpuInfo, setThreads } from '../../kernels/native.js';
import { loadModel, openModelFiles } from '../../model/load.js';
import { benchTests, parseBenchTest, parseCountList, type BenchTest } from './benchTests.js';
import { modelFacts, peakRssMb, summarize, tableHeader, tableRow, type BenchRecord, type RssScope } from './benchRecord.js';
import { BENCH_MODEL_NAMES, ensureBenchModel, isBenchWeightType } from './makeBenchModel.js';
import { measureFastfill } from './measureFastfill.js';

const USAGE = `usage: fastfill bench model <model> [options]
  <model>                    a .gguf file, or bench:f16 / bf16 / q8_0 / q4_0 / iq4_nl / q3_k_m / q4_k_m / q5_k_m / q6_k for the
                             random-weight Qwen2.5-0.5B-shaped benchmark model (q3_k_m .. q6_k: llama.cpp's mixes; made
                             on first use in $FASTFILL_CACHE/bench-models, default ~/.cache/fastfill/bench-models)
  -p, --n-prompt <N,...>     prefill lengths (default 512; 0 = none)
  -n, --n-gen <N,...>        decode lengths, after a 16-token prompt (default 128; 0 = none)
  -t, --threads <N>          compute threads (default: FASTFILL_THREADS or all cores)
  -r, --reps <N>             timed repetitions per test, after one warm-up (default 3)
  --chunk <N>                prefill chunk size in tokens (default 512)
  --seed <S>                 seed of the random token ids (default 1)
  --in-process               run every test in this process (peak RSS is then cumulative)
  --json                     one JSON object per test and line instead of the table
t/s is the median over the repetitions, ± the sample standard deviation.`;

export interface BenchOptions {
  threads?: number;
  reps: number;
  chunk: number;
  seed: number;
}

export function benchModelCommand(argv: string[]): void {
  const { values, positionals } = parse(argv, {
    'n-prompt': { type: 'string', short: 'p' },
    'n-gen': { type: 'string', short: 'n' },
    threads: { type: 'string', short: 't' },
    reps: { type: 'string', short: 'r' },
    chunk: { type: 'string' },
    seed: { type: 'string' },
    'in-process': { type: 'boolean' },
    json: { type: 'boolean' },
    test: { type: 'string' }, // internal: the single test a child process runs
  }, USAGE);
  if (positionals.length !== 1) throw new CliError(`expected one model\n${USAGE}`);
  const options: BenchOptions = {
    threads: numberOption(values.threads, 'threads', isPositiveInt, 'a positive integer'),
    reps: numberOption(values.reps, 'reps', isPositiveInt, 'a positive integer') ?? 3,
    chunk: numberOption(values.chunk, 'chunk', isPositiveInt, 'a positive integer') ?? 512,
    seed: numberOption(values.seed, 'seed', Number.isInteger, 'an integer') ?? 1,
  };
  const modelPath = resolveBenchModel(positionals[0]!);
  const only = str(values.test);
  let tests: BenchTest[];
  try {
    tests = only !== undefined ? [parseBenchTest(only)]
      : benchTests(parseCountList(str(values['n-prompt']) ?? '512', '--n-prompt'), parseCountList(str(values['n-gen']) ?? '128', '--n-gen'));
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  if (tests.length === 0) throw new CliError('no tests: every -p and -n value is 0');
  const json = values.json === true;
  const inProcess = values['in-process'] === true || only !== undefined;
  if (!inProcess) openModelFiles(modelPath); // a bad file fails here, with the loader's message, before any child runs
  const run = inProcess ? inProcessRunner(modelPath, options) : (test: BenchTest) => runTestInChild(modelPath, test, options);
  if (!json) process.stdout.write(tableHeader() + '\n');
  for (const test of tests) {
    const record = run(test);
    process.stdout.write((json ? JSON.stringify(record) : tableRow(record)) + '\n');
  }
}

/** bench:<type> names the cached benchmark model (made when absent); anything else is a path. */
export function resolveBenchModel(name: string): string {
  const m = /^bench:(.+)$/.exec(name);
  if (!m) return name;
  if (!isBenchWeightType(m[1]!)) throw new CliError(`'${name}': the benchmark model types are ${BENCH_MODEL_NAMES}`);
  return ensureBenchModel({ type: m[1] }, (line) => process.stderr.write(`bench: ${line}\n`)).path;
}

function inProcessRunner(modelPath: string, options: BenchOptions): (test: BenchTest) => BenchRecord {
  if (options.threads !== undefined) setThreads(options.threads);
  const model = loadModel(modelPath);
  const facts = modelFacts(model);
  const scope: RssScope = 'cumulative';
  return (test) => {
    const samples = measureFastfill(model.transformer, test, options);
    return {
      ...facts, engine: 'fastfill', test: test.name, ...summarize(samples), peak_rss_mb: peakRssMb(), rss_scope: scope,
      threads: cpuInfo().threads, reps: options.reps, chunk: options.chunk,
      backend: `CPU ${cpuInfo().level}, attention ${model.transformer.attentionPrecision}`,
    };
  };
}

const MAIN_SCRIPT = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

/** Runs one test in a fresh `fastfill bench model --test` process; its peak RSS is that test's alone. */
export function runTestInChild(modelPath: string, test: BenchTest, options: BenchOptions): BenchRecord {
  const args = [MAIN_SCRIPT, 'bench', 'model', modelPath, '--test', test.name, '--json',
    '-r', String(options.reps), '--chunk', String(options.chunk), '--seed', String(options.seed)];
  if (options.threads !== undefined) args.push('-t', String(options.threads));
  const child = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.error) throw new Error(`bench ${test.name}: could not start a child process: ${child.error.message}`);
  if (child.status !== 0) throw new Error(`bench ${test.name}: the child process failed (${child.signal ?? `exit code ${child.status}`})`);
  const last = child.stdout.trim().split('\n').pop() ?? '';
  try {
    return { ...(JSON.parse(last) as BenchRecord), rss_scope: 'test' };
  } catch {
    throw new Error(`bench ${test.name}: the child process printed no JSON result`);
  }
}
