// Serving benchmarks (engine issue): prefix reuse, stall-free decoding, throughput. Starts the real server
// in-process on 127.0.0.1, drives it over HTTP, prints a table and writes JSON.
//   node dist/bench/serveScenarios.js --model M [-t 2] [--budgets 512,4096] [--only prefix,stall,throughput]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseScriptArgs } from '../src/bench/scriptArgs.js';
import { createEngine } from '../src/engine/engine.js';
import { createServer } from '../src/server/app.js';
import { loadTokenizer } from '../src/tokenizer/index.js';
import { decodeStreams, prefixReuse, throughput, type ScenarioTarget } from '../src/bench/scenarios/scenarios.js';

const USAGE = 'node dist/bench/serveScenarios.js --model M [-t 2] [--budgets 512,4096] [--only prefix,stall,throughput] [--ctx 8192] [--out FILE]';
const { values } = parseScriptArgs(USAGE, { options: {
  model: { type: 'string' }, threads: { type: 'string', short: 't' }, budgets: { type: 'string' },
  only: { type: 'string' }, out: { type: 'string' }, ctx: { type: 'string' },
} });
if (!values.model) throw new Error('--model is required');
const only = new Set((values.only ?? 'prefix,stall,throughput').split(','));
const budgets = (values.budgets ?? '512').split(',').map(Number);
const results: Record<string, unknown> = { model: values.model, threads: Number(values.threads ?? 2), budgets, date: new Date().toISOString() };

async function withServer<T>(maxBatchedTokens: number, run: (t: ScenarioTarget) => Promise<T>): Promise<T> {
  const engine = await createEngine(values.model!, { threads: Number(values.threads ?? 2), maxBatchedTokens,
    contextLength: Number(values.ctx ?? 8192), maxSeqs: 16 });
  const server = createServer({ engine, tokenizer: loadTokenizer(values.model!) });
  const baseUrl = await server.listen('127.0.0.1', 0);
  try {
    return await run({ baseUrl, model: engine.model.id, vocabSize: engine.model.vocabSize });
  } finally {
    await server.shutdown();
  }
}

const log = (line: string) => process.stdout.write(line + '\n');
for (const budget of budgets) {
  await withServer(budget, async (t) => {
    if (only.has('prefix')) {
      const r = await prefixReuse(t);
      results[`prefix_budget${budget}`] = r;
      log(`budget ${budget} | prefix reuse 2048: cold TTFT ${r.medianColdTtftMs.toFixed(0)} ms, cached ${r.medianWarmTtftMs.toFixed(0)} ms, ${r.speedup.toFixed(1)}x`);
    }
    if (only.has('stall')) {
      const base = await decodeStreams(t, undefined);
      const loaded = await decodeStreams(t, 4096);
      results[`stall_budget${budget}`] = { without: base, with4096: loaded };
      log(`budget ${budget} | 4 decode streams: ITL p99 ${base.itlP99Ms.toFixed(0)} ms alone, ${loaded.itlP99Ms.toFixed(0)} ms while a 4096-token prompt arrives (max ${loaded.itlMaxMs.toFixed(0)} ms; its TTFT ${loaded.longPromptTtftMs?.toFixed(0)} ms)`);
    }
    if (only.has('throughput')) {
      for (const [concurrency, n] of [[1, 3], [4, 8], [16, 16]] as const) {
        const r = await throughput(t, concurrency, n);
        results[`throughput_budget${budget}_c${concurrency}`] = r;
        log(`budget ${budget} | 1024-in/128-out c=${concurrency}: ${r.requestThroughput.toFixed(3)} req/s, ${r.outputThroughput.toFixed(1)} out tok/s, ${r.totalTokenThroughput.toFixed(0)} total tok/s, TTFT mean ${r.meanTtftMs.toFixed(0)} ms, TPOT mean ${r.meanTpotMs.toFixed(0)} ms`);
      }
    }
  });
}
const outDir = values.out ?? path.join('bench', 'results');
mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, `serve-${new Date().toISOString().slice(0, 19).replaceAll(':', '')}.json`);
writeFileSync(file, JSON.stringify(results, null, 2));
log(`wrote ${file}`);
