// `fastfill bench serve`: prompts -> paced streamed requests against an OpenAI-compatible server -> summary.
import { setTimeout as sleep } from 'node:timers/promises';
import { arrivalTimes } from './arrivals.js';
import { computeMetrics, type BenchMetrics } from './benchMetrics.js';
import { buildPrompts, datasetDefaults, type DatasetName } from './datasets.js';
import { createProgress } from './progress.js';
import { formatTable, resultJson, type RunDescription } from './report.js';
import { streamRequest, type RequestOutput, type Target } from './streamRequest.js';
import { ServerTokenCounter, wordCounter, type TokenCounter } from './tokenCounter.js';

export interface BenchServeOptions {
  baseUrl: string;
  /** default: the first model the server lists */
  model?: string;
  endpoint: string;
  dataset: DatasetName;
  numPrompts: number;
  /** undefined = the dataset's default */
  inputLen?: number;
  outputLen: number;
  numPrefixes?: number;
  prefixLen?: number;
  suffixLen?: number;
  /** requests per second; Infinity = all at once */
  requestRate: number;
  burstiness: number;
  maxConcurrency?: number;
  seed: number;
  apiKey?: string;
  /** progress lines on stderr (default true) */
  progress?: boolean;
}

export interface BenchServeResult {
  metrics: BenchMetrics;
  table: string;
  json: Record<string, unknown>;
  outputs: RequestOutput[];
}

export async function runBenchServe(options: BenchServeOptions): Promise<BenchServeResult> {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  const model = options.model ?? await firstModel(baseUrl, headers);
  const counter: TokenCounter = await ServerTokenCounter.probe(baseUrl, headers, model) ?? wordCounter;
  const defaults = datasetDefaults(options.dataset);
  const show = options.progress ?? true;

  const preparing = show ? createProgress('preparing prompts', options.numPrompts) : undefined;
  const prompts = await buildPrompts({
    dataset: options.dataset,
    numPrompts: options.numPrompts,
    inputLen: options.inputLen ?? defaults.inputLen,
    numPrefixes: options.numPrefixes ?? defaults.numPrefixes,
    prefixLen: options.prefixLen ?? defaults.prefixLen,
    suffixLen: options.suffixLen ?? defaults.suffixLen,
    seed: options.seed,
  }, counter, (done) => preparing?.tick(done));
  preparing?.finish();

  const target: Target = { url: `${baseUrl}${options.endpoint}`, kind: options.endpoint.includes('chat') ? 'chat' : 'completions',
    model, headers };
  const arrivals = arrivalTimes(prompts.length, options.requestRate, options.burstiness, options.seed + 1);
  const slots = new Semaphore(options.maxConcurrency ?? Infinity);
  const running = show ? createProgress('requests', prompts.length) : undefined;
  let finished = 0;
  const start = performance.now();
  const outputs = await Promise.all(prompts.map(async (prompt, i) => {
    const wait = start + arrivals[i]! * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
    await slots.acquire();
    try {
      return await streamRequest(target, { ...prompt, outputLen: options.outputLen });
    } finally {
      slots.release();
      running?.tick(++finished);
    }
  }));
  running?.finish();
  const durationS = (performance.now() - start) / 1000;

  const metrics = computeMetrics(outputs, { durationS });
  const run: RunDescription = { baseUrl, endpoint: options.endpoint, model, dataset: options.dataset, numPrompts: prompts.length,
    requestRate: options.requestRate, burstiness: options.burstiness, maxConcurrency: options.maxConcurrency,
    exactPromptLengths: counter.exact };
  return { metrics, table: formatTable(run, metrics), json: resultJson(run, metrics, outputs), outputs };
}

async function firstModel(baseUrl: string, headers: Record<string, string>): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/v1/models`, { headers });
  } catch (error) {
    throw new Error(`cannot reach ${baseUrl}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  if (!res.ok) throw new Error(`${baseUrl}/v1/models answered HTTP ${res.status}; pass --model`);
  const id = ((await res.json()) as { data?: { id?: unknown }[] }).data?.[0]?.id;
  if (typeof id !== 'string') throw new Error(`${baseUrl}/v1/models lists no model; pass --model`);
  return id;
}

class Semaphore {
  private free: number;
  private readonly waiters: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.free++;
  }
}
