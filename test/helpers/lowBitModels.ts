// qwen2-pub (../shared/models/random) re-encoded into the low-bit weight types by the project's own
// quantizers: every 2-D weight of the F32 file (all rows are multiples of 256) becomes `type`, the norms and
// biases stay F32. Deterministic, so llama.cpp's outputs on these files can be committed
// (test/fixtures/reference/lowbit-llamacpp.json, made by tools/lowBitReference.ts).
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeF32 } from '../../src/convert/encodeTensor.js';
import { GgmlType, ggmlTypeName } from '../../src/formats/ggmlTypes.js';
import { openGguf } from '../../src/formats/gguf/reader.js';
import { writeGguf } from '../../src/formats/gguf/writer.js';
import { dequantize } from '../../src/formats/quant/dequantize.js';
import { sharedPath } from './paths.js';

export const LOW_BIT_SOURCE = 'models/random/qwen2-pub-f32.gguf';
export const LOW_BIT_TYPES = [GgmlType.Q3_K, GgmlType.Q2_K, GgmlType.IQ4_NL, GgmlType.IQ4_XS] as const;

let processDir: string | undefined;

/** This process's own folder for the files (removed at exit), so no file from an older quantizer is reused. */
function modelDir(): string {
  if (processDir === undefined) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fastfill-lowbit-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    processDir = dir;
  }
  return processDir;
}

/** The path of qwen2-pub re-encoded as `type`, written on first use in this process. */
export function lowBitModel(type: GgmlType, dir = modelDir()): string {
  const out = path.join(dir, `qwen2-pub-${ggmlTypeName(type).toLowerCase()}.gguf`);
  if (existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  const file = openGguf(sharedPath(LOW_BIT_SOURCE));
  try {
    const tensors = file.tensors.map((t) => {
      const data = file.tensorData(t);
      if (t.dims.length < 2) return { name: t.name, type: t.type, dims: [...t.dims], data: new Uint8Array(data) };
      const values = dequantize(t.type, data, t.dims.reduce((a, b) => a * b, 1));
      return { name: t.name, type, dims: [...t.dims], data: encodeF32(values, type) };
    });
    const partial = `${out}.${process.pid}.tmp`;
    writeGguf(partial, { metadata: [...file.typedMetadata], tensors });
    renameSync(partial, out);
  } finally {
    file.close();
  }
  return out;
}
