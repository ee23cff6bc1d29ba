// Kernel micro-benchmark: GEMM GFLOP/s per weight type (prefill shapes), GEMV weight streaming GB/s
// (decode, on a working set larger than the caches; also per call at each matmul shape of the
// Qwen2.5-0.5B-shaped bench model, for F16 / Q8_0 / Q4_0) and attention, at 1 and 2 threads.
//
//   node dist/bench/kernels.js [--quick] [--threads 1,2] [--types F16,Q8_0] [--only gemm|gemv|attention|dispatch]
//                              [--precision f32,bf16,int8] [--attention-precision f32,bf16]
//
// Prints a table and writes bench/results/kernels-<time>.json. Each figure is the best of several
// timed runs after a warm-up (the machine's second vCPU comes and goes; the best run is the one
// that was not disturbed). `cpu/wall` is process CPU time over wall time in that run: near the
// thread count when every thread really ran.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { blockLayout, GgmlType, ggmlTypeName, rowBytes } from '../src/formats/ggmlTypes.js';
import {
  ATTENTION_PRECISIONS, attention, cpuInfo, INT8_TYPES, kvWrite, matmul, PRECISIONS, setThreads, STORED_INT8_PANEL_TYPES, Weight,
  type AttentionArgs, type AttentionPrecision, type Precision,
} from '../src/kernels/native.js';
import { randomWeightBytes, Rng } from '../test/kernels/support/random.js';

interface Row {
  kind: 'gemm' | 'gemv' | 'attention' | 'dispatch';
  what: string;
  threads: number;
  seconds: number;
  gflops?: number;
  gbps?: number;
  cpuPerWall: number;
}

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const threadList = (option('threads') ?? '1,2').split(',').map(Number);
const only = option('only');
/** Measured when --types is not given. */
const DEFAULT_TYPES = [GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q5_0,
  GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K];
const KNOWN_TYPES = [...DEFAULT_TYPES, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS];
const types = option('types')?.split(',').map((name) => {
  const t = KNOWN_TYPES.find((x) => ggmlTypeName(x) === name);
  if (t === undefined) throw new Error(`unknown type ${name}; one of ${KNOWN_TYPES.map(ggmlTypeName).join(', ')}`);
  return t;
}) ?? DEFAULT_TYPES;
/** The comma-separated values of --name (default `fallback`), each one of `allowed`. */
function choices<T extends string>(name: string, fallback: string, allowed: readonly T[]): T[] {
  return (option(name) ?? fallback).split(',').map((value) => {
    if (!(allowed as readonly string[]).includes(value)) throw new Error(`unknown --${name} ${value}; one of ${allowed.join(', ')}`);
    return value as T;
  });
}
const precisions = choices<Precision>('precision', 'f32', PRECISIONS);
const attentionPrecisions = choices<AttentionPrecision>('attention-precision', 'f32', ATTENTION_PRECISIONS);
const minSeconds = quick ? 0.15 : 0.6;
/** GEMM shapes M x K x N (--gemm-shapes 512x896x4864,...); the default: the bench model's gate/up and down. */
const gemmShapes = (option('gemm-shapes') ?? '512x896x4864,512x4864x896').split(',').map((shape) => {
  const dims = shape.split('x').map(Number);
  if (dims.length !== 3 || !dims.every((d) => Number.isInteger(d) && d > 0)) throw new Error(`bad --gemm-shapes entry ${shape}: MxKxN`);
  return dims as [number, number, number];
});

/** Best wall time of `run` over >= 3 runs lasting >= minSeconds together, after one warm-up. */
function time(run: () => void): { seconds: number; cpuPerWall: number } {
  run();
  let best = Infinity;
  let cpuPerWall = 0;
  let total = 0;
  for (let i = 0; i < 3 || total < minSeconds; i++) {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    run();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    total += seconds;
    if (seconds < best) {
      best = seconds;
      cpuPerWall = (cpu.user + cpu.system) / 1e6 / seconds;
    }
  }
  return { seconds: best, cpuPerWall };
}

/** Spins for `us` microseconds: the JS between decode ops, without letting the thread sleep. */
function busyWait(us: number): void {
  const until = process.hrtime.bigint() + BigInt(us * 1000);
  while (process.hrtime.bigint() < until);
}

/** K rounded up to whole blocks (K-quants need 256: 896 becomes 1024). */
const wholeBlocks = (type: GgmlType, k: number): number => {
  const block = blockLayout(type)!.blockElements;
  return Math.ceil(k / block) * block;
};

function benchGemm(rows: Row[], threads: number): void {
  const rng = new Rng(1);
  for (const precision of precisions) {
    for (const type of types) {
      for (const [m, k0, n] of gemmShapes) {
        const k = wholeBlocks(type, k0);
        const bytes = randomWeightBytes(rng, type, n, k);
        const x = rng.floats(m * k);
        const out = new Float32Array(m * n);
        // at int8 the 4-6-bit types' records are packed as the GEMM goes; stored panels beside, for the difference
        const stores = precision === 'int8' && INT8_TYPES.has(type) && !STORED_INT8_PANEL_TYPES.has(type) ? [false, true] : [false];
        for (const storeInt8Panels of stores) {
          const w = Weight.create(type, n, k, bytes, { precision, int8Layout: storeInt8Panels ? 'panels' : undefined });
          const t = time(() => matmul(x, m, w, out));
          const how = stores.length > 1 ? (storeInt8Panels ? ' (stored panels)' : ' (packed as it goes)') : '';
          rows.push({ kind: 'gemm', what: `${ggmlTypeName(type)} ${precision} M=${m} K=${k} N=${n}${how}`, threads,
            seconds: t.seconds, gflops: (2 * m * n * k) / t.seconds / 1e9, cpuPerWall: t.cpuPerWall });
        }
      }
    }
  }
}

/** M=1 over enough 4864x896 matrices to pass ~64 MB of weights, so they stream from memory. */
function benchGemv(rows: Row[], threads: number): void {
  const rng = new Rng(2);
  for (const precision of precisions) for (const type of types) {
    const [n, k] = [4864, wholeBlocks(type, 896)];
    const bytesPerMatrix = n * rowBytes(type, k);
    const count = Math.max(2, Math.ceil((quick ? 32 : 64) * 2 ** 20 / bytesPerMatrix));
    const one = randomWeightBytes(rng, type, n, k);
    const weights = Array.from({ length: count }, () => Weight.create(type, n, k, one.slice(), { precision }));
    const x = rng.floats(k);
    const out = new Float32Array(n);
    const t = time(() => {
      for (const w of weights) matmul(x, 1, w, out);
    });
    const streamed = weights.reduce((s, w) => s + (w.packedBytes || w.data.byteLength), 0);
    rows.push({ kind: 'gemv', what: `${ggmlTypeName(type)} ${precision} M=1 ${count}x(${n}x${k}), ${(streamed / 2 ** 20).toFixed(0)} MiB`,
      threads, seconds: t.seconds, gbps: streamed / t.seconds / 1e9,
      gflops: (2 * n * k * count) / t.seconds / 1e9, cpuPerWall: t.cpuPerWall });
  }
}

/**
 * M=1 per call at the bench model's matmul shapes (N x K: q/o, k/v, gate/up, down, lm_head), each
 * over copies of >= 96 MiB so the weights stream from memory as in decode, with a 20 us pause
 * between calls as the JS between decode ops leaves (so the pool's idle workers are measured too).
 */
function benchGemvShapes(rows: Row[], threads: number): void {
  const rng = new Rng(6);
  const shapes: [string, number, number][] = [['q/o', 896, 896], ['k/v', 128, 896], ['gate/up', 4864, 896],
    ['down', 896, 4864], ['lm_head', 151936, 896]];
  for (const precision of precisions) for (const type of types) {
    if (![GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0].includes(type)) continue;
    for (const [name, n, k] of shapes) {
      if (quick && name === 'lm_head') continue;
      const bytes = n * rowBytes(type, k);
      const count = Math.max(1, Math.ceil(96 * 2 ** 20 / bytes));
      const one = randomWeightBytes(rng, type, n, k);
      const weights = Array.from({ length: count }, () => Weight.create(type, n, k, one.slice(), { precision }));
      const x = rng.floats(k);
      const out = new Float32Array(n);
      const once = (): number => {
        let total = 0;
        for (const w of weights) {
          busyWait(20);
          const t0 = process.hrtime.bigint();
          matmul(x, 1, w, out);
          total += Number(process.hrtime.bigint() - t0) / 1e9;
        }
        return total;
      };
      once();
      let best = Infinity;
      for (let rep = 0; rep < 3; rep++) best = Math.min(best, once());
      const seconds = best / count;
      const streamed = type === GgmlType.F16 ? weights[0]!.packedBytes : bytes;  // F16 streams its panels
      rows.push({ kind: 'gemv', what: `${ggmlTypeName(type)} ${precision} M=1 ${name} ${n}x${k} (per call, ${count} copies)`,
        threads, seconds, gbps: streamed / seconds / 1e9, gflops: (2 * n * k) / seconds / 1e9, cpuPerWall: NaN });
    }
  }
}

/**
 * The thread pool's cost per job: M=1 on one small weight that stays in cache, 3,000 calls 20 us apart (the JS
 * between decode ops), median and spread of the single calls. Two threads should beat one here; when a worker
 * sleeps between jobs (10-20 us to wake on a VM) they do not.
 */
function benchDispatch(rows: Row[], threads: number): void {
  const rng = new Rng(7);
  for (const precision of precisions) for (const type of types) {
    if (![GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0].includes(type)) continue;
    for (const [n, k] of [[128, 896], [256, 896], [896, 896]] as const) {
      const w = Weight.create(type, n, k, randomWeightBytes(rng, type, n, k), { precision });
      const x = rng.floats(k);
      const out = new Float32Array(n);
      const calls = quick ? 1000 : 3000;
      const micros: number[] = [];
      for (let i = 0; i < calls; i++) {
        busyWait(20);
        const t0 = process.hrtime.bigint();
        matmul(x, 1, w, out);
        micros.push(Number(process.hrtime.bigint() - t0) / 1e3);
      }
      micros.sort((a, b) => a - b);
      const at = (q: number) => micros[Math.floor(q * (calls - 1))]!;
      rows.push({ kind: 'dispatch', what: `${ggmlTypeName(type)} ${precision} M=1 ${n}x${k} in cache, ${calls} calls: `
        + `p10 ${at(0.1).toFixed(1)} us, p90 ${at(0.9).toFixed(1)} us`, threads, seconds: at(0.5) / 1e6, cpuPerWall: NaN });
    }
  }
}

/** One layer of a Qwen2.5-0.5B-shaped model: 14 query heads, 2 KV heads, d=64, blocks of 16. */
function benchAttention(rows: Row[], threads: number): void {
  const rng = new Rng(3);
  const [nHeads, nKvHeads, headDim, blockSize] = [14, 2, 64, 16];
  const cases: { name: string; context: number; queries: number }[] = [
    { name: 'prefill S=512', context: 512, queries: 512 },
    { name: 'prefill S=2048', context: 2048, queries: 2048 },
    // the long-prompt case: one 512-token chunk of a chunked prefill at the end of an 8K prompt
    { name: 'prefill chunk 512 @ ctx=8192', context: 8192, queries: 512 },
    { name: 'decode ctx=2048', context: 2048, queries: 1 },
  ];
  for (const c of cases) {
    const blocks = Math.ceil(c.context / blockSize);
    const kCache = rng.floats(blocks * blockSize * nKvHeads * headDim);
    const vCache = rng.floats(kCache.length);
    const first = c.context - c.queries;
    const q = rng.floats(c.queries * nHeads * headDim);
    const out = new Float32Array(q.length);
    const qPositions = Int32Array.from({ length: c.queries }, (_, i) => first + i);
    const tiles: number[] = [];
    const entries: number[] = [];
    const tile = 32;
    for (let q0 = 0; q0 < c.queries; q0 += tile) {
      const count = Math.min(tile, c.queries - q0);
      const last = first + q0 + count - 1;
      const start = entries.length / 4;
      for (let b = 0; b * blockSize <= last; b++) {
        const keys = Math.min(blockSize, last + 1 - b * blockSize);
        entries.push(b, b * blockSize, keys, b * blockSize + keys - 1 > first + q0 ? 1 : 0);
      }
      tiles.push(q0, count, start, entries.length / 4 - start);
    }
    let pairs = 0;
    for (let i = 0; i < c.queries; i++) pairs += first + i + 1;
    // bf16 attention reads a bf16 cache in place (what models that take it use), or converts an F32 one;
    // F32 attention reads an F32 cache, or widens an F16 one
    const bf16Cache = { kCache: new Uint16Array(kCache.length), vCache: new Uint16Array(kCache.length), kvType: 'bf16' as const };
    const allSlots = Int32Array.from({ length: kCache.length / (nKvHeads * headDim) }, (_, i) => i);
    kvWrite(bf16Cache.kCache, bf16Cache.vCache, kCache, vCache, allSlots, nKvHeads, headDim, 'bf16');
    type Variant = { precision: AttentionPrecision; cache: Pick<AttentionArgs, 'kCache' | 'vCache' | 'kvType'>; label: string };
    const f16Cache = { kCache: new Uint16Array(kCache.length), vCache: new Uint16Array(kCache.length), kvType: 'f16' as const };
    kvWrite(f16Cache.kCache, f16Cache.vCache, kCache, vCache, allSlots, nKvHeads, headDim, 'f16');
    const variants = attentionPrecisions.flatMap((precision): Variant[] => precision === 'bf16'
      ? [{ precision, cache: bf16Cache, label: 'bf16' }, { precision, cache: { kCache, vCache }, label: 'bf16 on F32 cache' }]
      : [{ precision, cache: { kCache, vCache }, label: precision }, { precision, cache: f16Cache, label: `${precision} on F16 cache` }]);
    for (const { precision, cache, label } of variants) {
      const a = { q, out, ...cache, qPositions, tiles: Int32Array.from(tiles), keyBlocks: Int32Array.from(entries),
        nHeads, nKvHeads, headDim, blockSize, scale: 1 / 8, precision };
      const t = time(() => attention(a));
      rows.push({ kind: 'attention', what: `${c.name} ${label} (14q/2kv, d=64)`, threads, seconds: t.seconds,
        gflops: (4 * headDim * nHeads * pairs) / t.seconds / 1e9, cpuPerWall: t.cpuPerWall });
    }
  }
}

const rows: Row[] = [];
const startThreads = cpuInfo().threads;
for (const threads of threadList) {
  setThreads(threads);
  if (!only || only === 'gemm') benchGemm(rows, threads);
  if (!only || only === 'gemv') benchGemv(rows, threads);
  if (!only || only === 'gemv') benchGemvShapes(rows, threads);
  if (!only || only === 'attention') benchAttention(rows, threads);
  if (!only || only === 'dispatch') benchDispatch(rows, threads);
}
setThreads(startThreads);

const info = cpuInfo();
console.log(`level ${info.level}, ${info.threads} threads available; best of several runs`);
// GFLOP per CPU-second: the rate of the CPU time the process really got (a contended machine
// lowers the wall-clock figure, not this one).
console.log(['kind', 'what', 'thr', 'ms', 'GFLOP/s', 'GB/s', 'cpu/wall', 'GFLOP/cpu-s'].join('\t'));
for (const r of rows) {
  console.log([r.kind, r.what, r.threads, (r.seconds * 1e3).toFixed(3), r.gflops?.toFixed(1) ?? '',
    r.gbps?.toFixed(1) ?? '', Number.isNaN(r.cpuPerWall) ? '' : r.cpuPerWall.toFixed(2), r.gflops && !Number.isNaN(r.cpuPerWall) ? (r.gflops / r.cpuPerWall).toFixed(1) : ''].join('\t'));
}
const dir = path.join('bench', 'results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `kernels-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), cpu: info, rows }, null, 2));
console.log(`wrote ${file}`);
