// Makes (once) and finds the benchmark models: random weights in a Qwen2.5-0.5B shape, written by our GGUF
// writer in F16, BF16, Q8_0, Q4_0, IQ4_NL, (1.5B shape) Q3_K, Q2_K, IQ4_XS or llama.cpp's Q3_K_M, Q4_K_M, Q5_K_M, Q6_K,
// Q2_K or IQ4_XS mixture, cached outside the repository with a sidecar JSON of the parameters.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { architectureMetadata } from '../../convert/ggufKeys.js';
import { blockLayout, GgmlType, ggmlTypeName } from '../../formats/ggmlTypes.js';
import { gguf, writeGguf } from '../../formats/gguf/writer.js';
import type { GgufTypedValue } from '../../formats/gguf/types.js';
import { QWEN25_05B_SHAPE, shapeToConfig, type BenchShape } from './benchShape.js';
import { benchTensorSpecs, makeBenchTensor, type BenchTensorSpec } from './benchTensors.js';
import { benchTokenizer, qwenTokenizerDir, type BenchTokenizerSource } from './benchTokenizer.js';
import { kQuantMixtureTypes, MIXTURE_FILE_TYPE, type KQuantMixture } from './kQuantMixtures.js';
import { findSharedDir } from './sharedData.js';

/**
 * One type for every matrix, or (q3_k_m, q4_k_m, q5_k_m, q6_k, q2_k_mix, iq4_xs_mix) llama.cpp's choice per matrix for
 * that mixture (llama-quantize's Q2_K and IQ4_XS file types are mixtures too; q2_k and iq4_xs are the pure types).
 */
export const BENCH_WEIGHT_TYPES = {
  f16: GgmlType.F16, bf16: GgmlType.BF16, q8_0: GgmlType.Q8_0, q4_0: GgmlType.Q4_0, iq4_nl: GgmlType.IQ4_NL,
  q3_k_m: 'Q3_K_M', q4_k_m: 'Q4_K_M', q5_k_m: 'Q5_K_M', q6_k: 'Q6_K', q2_k_mix: 'Q2_K', iq4_xs_mix: 'IQ4_XS',
  // rows of whole 256-element super-blocks only: the qwen2.5-1.5b shape, not 0.5b's (hidden 896)
  q3_k: GgmlType.Q3_K, q2_k: GgmlType.Q2_K, iq4_xs: GgmlType.IQ4_XS,
} as const;
export type BenchWeightType = keyof typeof BENCH_WEIGHT_TYPES;
/** 'bench:f16, bench:bf16, ...' for messages */
export const BENCH_MODEL_NAMES = Object.keys(BENCH_WEIGHT_TYPES).map((t) => `bench:${t}`).join(', ');

/** llama.cpp's general.file_type (LLAMA_FTYPE_MOSTLY_*) for each type */
const FILE_TYPE: Record<BenchWeightType, number> = {
  f16: 1, bf16: 32, q4_0: 2, q8_0: 7, iq4_nl: 25, q3_k: 11, q2_k: 10, iq4_xs: 30,
  q3_k_m: MIXTURE_FILE_TYPE.Q3_K_M, q4_k_m: MIXTURE_FILE_TYPE.Q4_K_M, q5_k_m: MIXTURE_FILE_TYPE.Q5_K_M, q6_k: MIXTURE_FILE_TYPE.Q6_K,
  q2_k_mix: MIXTURE_FILE_TYPE.Q2_K, iq4_xs_mix: MIXTURE_FILE_TYPE.IQ4_XS,
};
/** bump when the generated contents change, so cached files are remade */
const GENERATOR_VERSION = 1;

export interface BenchModelRequest {
  type: BenchWeightType;
  shape?: BenchShape;
  seed?: number;
  /** default: benchCacheDir() */
  cacheDir?: string;
  /** folder with the Qwen2.5 tokenizer files; default: ../shared/tokenizers/qwen2.5 when present */
  tokenizerDir?: string | null;
}

export interface BenchModelSidecar {
  generator: number;
  shape: BenchShape;
  type: BenchWeightType;
  seed: number;
  tokenizer: BenchTokenizerSource;
  /** size of the GGUF file */
  bytes: number;
}

export interface BenchModel {
  path: string;
  sidecar: BenchModelSidecar;
  /** false when an existing file was reused */
  created: boolean;
}

export function isBenchWeightType(name: string): name is BenchWeightType {
  return Object.hasOwn(BENCH_WEIGHT_TYPES, name);
}

/** $FASTFILL_CACHE/bench-models, default ~/.cache/fastfill/bench-models. */
export function benchCacheDir(): string {
  const root = process.env.FASTFILL_CACHE || path.join(os.homedir(), '.cache', 'fastfill');
  return path.join(root, 'bench-models');
}

/** The file for `request`; models with the byte-level stand-in vocabulary get their own name. */
export function benchModelPath(request: BenchModelRequest, tokenizer: BenchTokenizerSource = 'qwen2.5'): string {
  const shape = request.shape ?? QWEN25_05B_SHAPE;
  const vocab = tokenizer === 'bytes' ? '-bytevocab' : '';
  return path.join(request.cacheDir ?? benchCacheDir(), `${shape.name}-${request.type}-seed${request.seed ?? 1}${vocab}.gguf`);
}

/** The model file for `request`, written first when absent or when its sidecar does not match. */
export function ensureBenchModel(request: BenchModelRequest, log: (line: string) => void = () => {}): BenchModel {
  const tokenizerDir = request.tokenizerDir === undefined ? qwenTokenizerDir(findSharedDir()) : request.tokenizerDir ?? undefined;
  const shape = request.shape ?? QWEN25_05B_SHAPE;
  checkWholeBlocks(request.type, shape);
  const tokenizer = benchTokenizer(shape.vocabSize, tokenizerDir);
  const file = benchModelPath(request, tokenizer.source);
  const expected = { generator: GENERATOR_VERSION, shape, type: request.type, seed: request.seed ?? 1, tokenizer: tokenizer.source };
  const existing = readSidecar(file);
  if (existing && sameParameters(existing, expected) && existsSync(file) && statSync(file).size === existing.bytes) {
    return { path: file, sidecar: existing, created: false };
  }
  log(`writing ${file} (${shape.name}, ${request.type}, seed ${expected.seed}, ${tokenizer.source} tokenizer)`);
  const started = performance.now();
  mkdirSync(path.dirname(file), { recursive: true });
  const metadata: Array<[string, GgufTypedValue]> = [
    ...architectureMetadata(shapeToConfig(shape), `${shape.name} random ${request.type}`),
    ['general.file_type', gguf.u32(FILE_TYPE[request.type])],
    ...(request.type === 'f16' || request.type === 'bf16' ? [] : [['general.quantization_version', gguf.u32(2)] as [string, GgufTypedValue]]),
    ...tokenizer.metadata,
  ];
  const specs = benchTensorSpecs(shape);
  const types = benchMatrixTypes(request.type, specs, shape);
  const tensors = specs.map((spec) => makeBenchTensor(spec, types.get(spec.name) ?? GgmlType.F32, expected.seed));
  // write beside, then rename: an interrupted run never leaves a truncated file under the final name
  const temp = `${file}.tmp-${process.pid}`;
  try {
    writeGguf(temp, { metadata, tensors });
    renameSync(temp, file);
  } finally {
    rmSync(temp, { force: true });
  }
  const sidecar: BenchModelSidecar = { ...expected, bytes: statSync(file).size };
  writeFileSync(sidecarPath(file), JSON.stringify(sidecar, null, 2) + '\n');
  log(`wrote ${(sidecar.bytes / 2 ** 20).toFixed(1)} MiB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { path: file, sidecar, created: true };
}

/** The type of each matrix of a `type` model (vectors are absent: they stay F32). */
export function benchMatrixTypes(type: BenchWeightType, specs: readonly BenchTensorSpec[], shape: BenchShape): Map<string, GgmlType> {
  const weightType = BENCH_WEIGHT_TYPES[type];
  const matrices = specs.filter((s) => s.matrix);
  if (typeof weightType === 'string') {
    return kQuantMixtureTypes(weightType satisfies KQuantMixture, matrices, shape.numLayers, shape.numHeads / shape.numKvHeads);
  }
  return new Map(matrices.map((s) => [s.name, weightType]));
}

/** Throws, naming a matrix, when a `type` model of `shape` would need rows that are not whole blocks. */
function checkWholeBlocks(type: BenchWeightType, shape: BenchShape): void {
  const specs = benchTensorSpecs(shape);
  const types = benchMatrixTypes(type, specs, shape);
  for (const spec of specs) {
    const t = types.get(spec.name);
    if (t === undefined || spec.dims[0]! % blockLayout(t)!.blockElements === 0) continue;
    throw new Error(`bench:${type} needs rows of whole ${ggmlTypeName(t)} blocks (${blockLayout(t)!.blockElements} elements), ` +
      `but ${shape.name}'s ${spec.name} rows hold ${spec.dims[0]} (the qwen2.5-1.5b shape has whole blocks: ` +
      'node dist/bench/model.js --shape qwen2.5-1.5b)');
  }
}

function sidecarPath(file: string): string {
  return `${file}.json`;
}

function readSidecar(file: string): BenchModelSidecar | undefined {
  try {
    return JSON.parse(readFileSync(sidecarPath(file), 'utf8')) as BenchModelSidecar;
  } catch {
    return undefined;
  }
}

function sameParameters(a: BenchModelSidecar, b: Omit<BenchModelSidecar, 'bytes'>): boolean {
  const { bytes: _bytes, ...rest } = a;
  return JSON.stringify(rest) === JSON.stringify(b);
}
