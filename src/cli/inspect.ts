import { ggmlTypeName } from '../formats/ggmlTypes.js';
import { kvBytesPerToken } from '../kv/kvStorage.js';
import { attentionPrecisionFor, modelKvCacheType } from '../model/attentionPrecision.js';
import { openModelFiles } from '../model/load.js';
import { GGUF_NAMES, HF_NAMES } from '../model/tensorNames.js';
import { fileBytesReleasedByPacking, matrixPrecision, modelPrecision, panelBytesIfPacked, shouldPackWeights } from '../model/weights.js';
import { CliError, parse } from './args.js';
import { resolveModelPath } from './defaultModel.js';

const USAGE = `usage: fastfill inspect [model] [--json]
  prints the architecture, hyper-parameters, tensor types and counts, the parameter count, the precisions
  the loader will use, the memory of packed weights and the KV cache type and bytes per token (blocks of 16)`;

export function inspectCommand(argv: string[]): void {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } }, USAGE);
  if (positionals.length > 1) throw new CliError(`expected one model path\n${USAGE}`);
  const files = openModelFiles(resolveModelPath(positionals[0]));
  const typeCounts = new Map<string, { tensors: number; elements: number }>();
  let parameters = 0;
  for (const t of files.tensors.values()) {
    const elements = t.dims.reduce((a, b) => a * b, 1);
    parameters += elements;
    const name = ggmlTypeName(t.type);
    const entry = typeCounts.get(name) ?? { tensors: 0, elements: 0 };
    entry.tensors++;
    entry.elements += elements;
    typeCounts.set(name, entry);
  }
  const { ropeFreqFactors, ...hyper } = files.config;
  const precision = modelPrecision();
  const packs = shouldPackWeights(files.tensors, precision);
  const wqType = files.tensors.get((files.format === 'gguf' ? GGUF_NAMES : HF_NAMES).layer(0).wq)?.type;
  const attentionPrecision = attentionPrecisionFor(wqType, wqType === undefined ? undefined : matrixPrecision(wqType, precision));
  const kvCache = modelKvCacheType(wqType, precision, attentionPrecision, 16, files.config.headDim);
  const summary = {
    path: files.path,
    format: files.format,
    ...hyper,
    ropeScaled: ropeFreqFactors !== undefined,
    tensors: files.tensors.size,
    parameters,
    precision,
    attentionPrecision,
    kvCache,
    /** K and V of one token over all layers */
    kvBytesPerToken: kvBytesPerToken(files.config, kvCache),
    /** memory of the GEMM weight panels made at load, at the precision the loader will use */
    packedPanelMiB: packs ? Math.round(panelBytesIfPacked(files.tensors, precision) / 2 ** 20) : 0,
    /** of the mapped file, what packing releases again (those weights are read from their panels only) */
    releasedFileMiB: packs ? Math.round(fileBytesReleasedByPacking(files.tensors, precision) / 2 ** 20) : 0,
    tensorTypes: Object.fromEntries(typeCounts),
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
    return;
  }
  const lines = Object.entries(summary)
    .filter(([key]) => key !== 'tensorTypes')
    .map(([key, value]) => `${key.padEnd(18)} ${String(value)}`);
  lines.push('tensor types:');
  for (const [name, { tensors, elements }] of typeCounts) {
    lines.push(`  ${name.padEnd(8)} ${String(tensors).padStart(5)} tensors ${elements.toLocaleString('en-US').padStart(16)} elements`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}
