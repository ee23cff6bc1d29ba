// Model benchmark: Fastfill against node-llama-cpp (llama.cpp) on the same random-weight Qwen2.5-0.5B-shaped
// GGUF files, same threads, context, batch size and token ids; every test in a fresh process so that its peak
// RSS is its own. Prints a side-by-side table and writes bench/results/model-<date>.json.
//   node dist/bench/model.js [--types f16,q8_0] [-p 512,2048] [-n 128] [-t 2] [-r 3] [--chunk 512]
//                            [--engines fastfill,llama] [--profile pp512] [--out FILE] [--shape tiny|qwen2.5-1.5b]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { QWEN25_05B_SHAPE, QWEN25_15B_SHAPE, TINY_SHAPE, type BenchShape } from '../src/bench/model/benchShape.js';
import { runTestInChild, type BenchOptions } from '../src/bench/model/benchModelCommand.js';
import { modelFacts, peakRssMb, summarize, type BenchRecord } from '../src/bench/model/benchRecord.js';
import { benchTests, parseBenchTest, parseCountList, type BenchTest } from '../src/bench/model/benchTests.js';
import { comparisonTable, type ComparisonRow } from '../src/bench/model/compareTable.js';
import { summarizeCpuProfile } from '../src/bench/model/cpuProfileSummary.js';
import { timeGemms } from '../src/bench/model/gemmShapes.js';
import { machineInfo } from '../src/bench/model/machineInfo.js';
import { BENCH_WEIGHT_TYPES, ensureBenchModel, isBenchWeightType } from '../src/bench/model/makeBenchModel.js';
import { measureNodeLlamaCpp, type NodeLlamaCppRun } from '../src/bench/model/measureNodeLlamaCpp.js';
import { parseScriptArgs } from '../src/bench/scriptArgs.js';
import { setThreads } from '../src/kernels/native.js';
import { loadModel, openModelFiles } from '../src/model/load.js';

const THIS_SCRIPT = fileURLToPath(import.meta.url);
const MAIN_SCRIPT = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const REPO_ROOT = path.resolve(path.dirname(THIS_SCRIPT), '..', '..');
const log = (line: string) => process.stderr.write(`${line}\n`);

const USAGE = `node dist/bench/model.js [--types f16,q8_0] [-p 512,2048] [-n 128] [-t 2] [-r 3] [--chunk 512]
  [--engines fastfill,llama] [--profile pp512] [--out FILE] [--shape tiny|qwen2.5-1.5b] [--note TEXT]`;

const { values } = parseScriptArgs(USAGE, {
  options: {
    types: { type: 'string', default: 'f16,q8_0' },
    shape: { type: 'string', default: 'qwen2.5-0.5b' }, // or qwen2.5-1.5b, or 'tiny' for a quick check of the script
    'n-prompt': { type: 'string', short: 'p', default: '512,2048' },
    'n-gen': { type: 'string', short: 'n', default: '128' },
    threads: { type: 'string', short: 't', default: '2' },
    reps: { type: 'string', short: 'r', default: '3' },
    chunk: { type: 'string', default: '512' },
    seed: { type: 'string', default: '1' },
    engines: { type: 'string', default: 'fastfill,llama' },
    profile: { type: 'string' },
    out: { type: 'string' },
    note: { type: 'string' }, // free text kept in the JSON (e.g. the state of the working tree)
    'child-llama': { type: 'string' }, // internal: one node-llama-cpp test, as JSON
  },
});

function positiveInt(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${option} expects a positive integer, got '${text}'`);
  return n;
}

/** Child mode: one node-llama-cpp test; prints its record as one JSON line. */
async function llamaChild(run: NodeLlamaCppRun & { facts: ReturnType<typeof modelFacts> }): Promise<void> {
  const result = await measureNodeLlamaCpp(run);
  const record: BenchRecord & { llama: typeof result.info } = {
    ...run.facts, engine: 'node-llama-cpp', test: run.test.name, ...summarize(result.samples),
    peak_rss_mb: peakRssMb(), rss_scope: 'test', threads: result.info.threads, reps: run.reps, chunk: result.info.batchSize,
    backend: `llama.cpp CPU (${result.info.build})`, llama: result.info,
  };
  process.stdout.write(JSON.stringify(record) + '\n');
}

function runLlamaInChild(run: NodeLlamaCppRun & { facts: ReturnType<typeof modelFacts> }): BenchRecord {
  const child = spawnSync(process.execPath, [THIS_SCRIPT, '--child-llama', JSON.stringify(run)],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) throw new Error(`node-llama-cpp ${run.test.name}: child failed (${child.signal ?? `exit ${child.status}`})`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as BenchRecord;
}

/** Per-op profile of one Fastfill test (node --cpu-prof in a child) and GEMM speed at its shapes (a chunk, or 1 row for tg). */
function profile(modelPath: string, test: BenchTest, options: BenchOptions & { threads: number }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fastfill-prof-'));
  try {
    const child = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, MAIN_SCRIPT, 'bench', 'model', modelPath,
      '--test', test.name, '--json', '-r', '1', '-t', String(options.threads), '--chunk', String(options.chunk)],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    if (child.status !== 0) throw new Error('the profiled run failed');
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('node --cpu-prof wrote no profile');
    const summary = summarizeCpuProfile(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    setThreads(options.threads);
    const model = loadModel(modelPath);
    const gemms = timeGemms(model.transformer, test.kind === 'tg' ? 1 : Math.min(options.chunk, test.tokens), 5);
    return { test: test.name, record: JSON.parse(child.stdout.trim().split('\n').pop()!) as BenchRecord, summary, gemms };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function gitState(): { commit: string; dirty: boolean } {
  const git = (...args: string[]) => spawnSync('git', ['-C', REPO_ROOT, ...args], { encoding: 'utf8' }).stdout?.trim() ?? '';
  return { commit: git('rev-parse', '--short', 'HEAD') || 'unknown', dirty: git('status', '--porcelain').length > 0 };
}

async function main(): Promise<void> {
  if (values['child-llama']) return llamaChild(JSON.parse(values['child-llama']));
  const types = values.types!.split(',').map((t) => t.trim().toLowerCase());
  for (const t of types) if (!isBenchWeightType(t)) throw new Error(`--types: '${t}' is not one of ${Object.keys(BENCH_WEIGHT_TYPES).join(', ')}`);
  const tests = benchTests(parseCountList(values['n-prompt']!, '--n-prompt'), parseCountList(values['n-gen']!, '--n-gen'));
  const options = {
    threads: positiveInt(values.threads!, 'threads'), reps: positiveInt(values.reps!, 'reps'),
    chunk: positiveInt(values.chunk!, 'chunk'), seed: positiveInt(values.seed!, 'seed'),
  };
  const shapes: Record<string, BenchShape> = { tiny: TINY_SHAPE, 'qwen2.5-0.5b': QWEN25_05B_SHAPE, 'qwen2.5-1.5b': QWEN25_15B_SHAPE };
  const shape = shapes[values.shape];
  if (!shape) throw new Error(`--shape: '${values.shape}' is not one of ${Object.keys(shapes).join(', ')}`);
  const engines = new Set(values.engines!.split(','));
  const records: BenchRecord[] = [];
  const rows: ComparisonRow[] = [];
  const profiles = [];
  for (const type of types) {
    if (!isBenchWeightType(type)) continue;
    const modelPath = ensureBenchModel({ type, shape }, log).path;
    const files = openModelFiles(modelPath);
    const facts = modelFacts(files);
    for (const test of tests) {
      const row: ComparisonRow = { type: facts.type, test: test.name };
      const load = () => ({ load_avg_1m: os.loadavg()[0]! });
      if (engines.has('fastfill')) {
        row.fastfill = { ...load(), ...runTestInChild(modelPath, test, options) };
        log(`fastfill       ${facts.type} ${test.name}: ${row.fastfill.tokens_per_s.toFixed(1)} t/s, ${row.fastfill.peak_rss_mb.toFixed(0)} MiB`);
      }
      if (engines.has('llama')) {
        row.llama = { ...load(), ...runLlamaInChild({ modelPath, vocabSize: files.config.vocabSize, test, ...options, facts }) };
        log(`node-llama-cpp ${facts.type} ${test.name}: ${row.llama.tokens_per_s.toFixed(1)} t/s, ${row.llama.peak_rss_mb.toFixed(0)} MiB`);
      }
      records.push(...[row.fastfill, row.llama].filter((r): r is BenchRecord => r !== undefined));
      rows.push(row);
    }
  }
  // after every test: profiling loads a model into this process, which should stay small while children run
  if (values.profile) {
    for (const type of types.filter(isBenchWeightType)) {
      const modelPath = ensureBenchModel({ type, shape }, log).path;
      profiles.push({ type, ...profile(modelPath, parseBenchTest(values.profile), options) });
    }
  }

  const machine = machineInfo();
  const quote = (arg: string) => (/^[\w.,:=/+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  const command = `node dist/bench/model.js ${process.argv.slice(2).map(quote).join(' ')}`.trim();
  const table = comparisonTable(rows);
  process.stdout.write(`${command}\n${machine.cpuModel}, ${machine.logicalCpus} CPUs, flags: ${machine.flags.join(' ')}\n\n${table}\n`);
  for (const p of profiles) {
    process.stdout.write(`\nprofile ${p.type} ${p.test} (${p.record.tokens_per_s.toFixed(1)} t/s): forward ${p.summary.forwardMs.toFixed(0)} ms, GC ${p.summary.gcMs.toFixed(0)} ms\n`);
    for (const op of p.summary.ops) process.stdout.write(`  ${op.op.padEnd(14)} ${op.ms.toFixed(0).padStart(7)} ms ${(100 * op.fraction).toFixed(1).padStart(5)}%\n`);
    for (const g of p.gemms) {
      process.stdout.write(`  gemm ${g.name.padEnd(16)} ${g.m}x${g.n}x${g.k} ${g.ms.toFixed(2).padStart(8)} ms ${g.gflops.toFixed(1).padStart(7)} GFLOP/s ×${g.perChunk}\n`);
    }
  }
  const out = values.out ?? path.join(REPO_ROOT, 'bench', 'results', `model-${new Date().toISOString().replace(/:/g, '-').slice(0, 19)}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ command, date: new Date().toISOString(), machine, git: gitState(), note: values.note,
    loadAverage: os.loadavg(), options, records, profiles }, null, 2) + '\n');
  log(`wrote ${out}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/model: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
