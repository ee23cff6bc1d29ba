// Random truncations, byte flips and planted hostile values in valid GGUF and safetensors files.
// Every case must either open (and read every tensor's data) or throw ModelFormatError, within 1 s.
// A failure reports the case's seed: set FASTFILL_FUZZ_SEED to the base seed to replay the run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openGgufSource } from '../../src/formats/gguf/reader.js';
import { gguf, writeGguf } from '../../src/formats/gguf/writer.js';
import { openSafetensorsSource } from '../../src/formats/safetensors/reader.js';
import { writeSafetensors } from '../../src/formats/safetensors/writer.js';
import { memoryByteSource } from '../../src/formats/byteSource.js';
import { ModelFormatError } from '../../src/formats/errors.js';
import { GgmlType } from '../../src/formats/ggmlTypes.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';
import { ggufFields, type Field } from './support/ggufFieldMap.js';
import { mulberry32, randomInt } from './support/prng.js';
import { tempDir } from './support/tempDir.js';

const BASE_SEED = Number(process.env['FASTFILL_FUZZ_SEED'] ?? 0x5eed);
const CASE_LIMIT_MS = 1000;
const dir = tempDir();

const HOSTILE_U64 = [0n, 1n, 31n, 255n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
const HOSTILE_U32 = [0, 1, 2, 3, 4, 5, 9, 13, 99, 2 ** 31, 2 ** 32 - 1];

function smallGguf(): Uint8Array {
  const p = path.join(dir, 'small.gguf');
  const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37) & 0xff);
  writeGguf(p, {
    metadata: [
      ['general.architecture', gguf.str('llama')], ['llama.block_count', gguf.u32(2)], ['eps', gguf.f32(1e-5)],
      ['big', gguf.u64(2n ** 60n)], ['flag', gguf.bool(true)], ['tokens', gguf.arr('str', ['a', 'bc', '<s>', 'ü'])],
      ['scores', gguf.arr('f32', [0, -1, 2])], ['nested', gguf.arr('array', [gguf.arr('i16', [1, 2]), gguf.arr('str', ['x'])])],
    ],
    tensors: [
      { name: 'token_embd.weight', type: GgmlType.F32, dims: [4, 3], data: bytes(48) },
      { name: 'q8', type: GgmlType.Q8_0, dims: [32, 2], data: bytes(68) },
      { name: 'q4k', type: GgmlType.Q4_K, dims: [256], data: bytes(144) },
      { name: 'norm', type: GgmlType.F16, dims: [5], data: bytes(10) },
    ],
    alignment: 64,
  });
  return readPlain(p);
}

/** File bytes as a plain Uint8Array: Buffer.slice() would not copy, and pooled Buffers have offsets. */
function readPlain(p: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(p));
}

function smallSafetensors(): Uint8Array {
  const p = path.join(dir, 'small.safetensors');
  writeSafetensors(p, [
    { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [3, 4], data: new Uint8Array(24) },
    { name: 'model.norm.weight', dtype: 'F32', shape: [4], data: new Uint8Array(16) },
    { name: 'lm_head.weight', dtype: 'F16', shape: [3, 4], data: new Uint8Array(24) },
  ], { format: 'pt' });
  return readPlain(p);
}

type Mutate = (rand: () => number) => Uint8Array;

function truncate(base: Uint8Array, headerEnd: number): Mutate {
  // mostly inside the header, where cuts change parsing
  return (rand) => base.subarray(0, rand() < 0.8 ? randomInt(rand, headerEnd + 1) : randomInt(rand, base.length));
}

/** Bit flips or new byte values (printable ASCII when `text`, so JSON headers stay UTF-8 more often). */
function flipBytes(base: Uint8Array, headerEnd: number, text = false): Mutate {
  return (rand) => {
    const out = base.slice();
    const n = 1 + randomInt(rand, 8);
    for (let i = 0; i < n; i++) {
      const at = rand() < 0.9 ? randomInt(rand, headerEnd) : randomInt(rand, out.length);
      if (text) out[at] = rand() < 0.2 ? out[at]! ^ (1 << randomInt(rand, 8)) : 0x20 + randomInt(rand, 95);
      else out[at] = rand() < 0.5 ? out[at]! ^ (1 << randomInt(rand, 8)) : randomInt(rand, 256);
    }
    return out;
  };
}

function plantGgufValues(base: Uint8Array, fields: Field[]): Mutate {
  return (rand) => {
    const out = base.slice();
    const view = new DataView(out.buffer);
    const n = 1 + randomInt(rand, 2);
    for (let i = 0; i < n; i++) {
      const f = fields[randomInt(rand, fields.length)]!;
      if (f.bytes === 8) view.setBigUint64(f.offset, HOSTILE_U64[randomInt(rand, HOSTILE_U64.length)]!, true);
      else view.setUint32(f.offset, HOSTILE_U32[randomInt(rand, HOSTILE_U32.length)]!, true);
    }
    return out;
  };
}

function mutateSafetensorsJson(base: Uint8Array): Mutate {
  const headerLength = Number(new DataView(base.buffer, base.byteOffset).getBigUint64(0, true));
  const header = Buffer.from(base.subarray(8, 8 + headerLength)).toString('utf8');
  const data = base.subarray(8 + headerLength);
  const replacements = ['1e308', '-1', '99999999999999999999', '2.5', '"I64"', '"F64"', 'null', '[]', '{}', '[0]', '"x"', '[[[[[[[[[[[['];
  return (rand) => {
    let text = header;
    const which = rand() < 0.05 ? 3 : randomInt(rand, 3);
    if (which === 0) text = text.replace(/\d+/g, (m) => (rand() < 0.2 ? replacements[randomInt(rand, 4)]! : m));
    else if (which === 1) text = text.replace(/"(F32|F16|BF16)"/g, (m) => (rand() < 0.5 ? replacements[4 + randomInt(rand, 2)]! : m));
    else if (which === 2) text = text.replace(/\[[^\]]*\]/g, (m) => (rand() < 0.3 ? replacements[6 + randomInt(rand, 5)]! : m));
    else text = '['.repeat(1 + randomInt(rand, 200_000)); // deep nesting must not overflow the stack
    const h = Buffer.from(text, 'utf8');
    const out = new Uint8Array(8 + h.length + data.length);
    new DataView(out.buffer).setBigUint64(0, rand() < 0.1 ? HOSTILE_U64[randomInt(rand, HOSTILE_U64.length)]! : BigInt(h.length), true);
    out.set(h, 8);
    out.set(data, 8 + h.length);
    return out;
  };
}

interface Failure { seed: number; label: string; problem: string }

function runCases(label: string, count: number, seedOffset: number, mutate: Mutate, open: (bytes: Uint8Array) => void): Failure[] {
  const failures: Failure[] = [];
  for (let i = 0; i < count; i++) {
    const seed = BASE_SEED + seedOffset + i;
    const bytes = mutate(mulberry32(seed));
    const start = performance.now();
    try {
      open(bytes);
    } catch (e) {
      if (!(e instanceof ModelFormatError)) failures.push({ seed, label, problem: `${(e as Error)?.name}: ${(e as Error)?.message}` });
    }
    const ms = performance.now() - start;
    if (ms > CASE_LIMIT_MS) failures.push({ seed, label, problem: `took ${ms.toFixed(0)} ms` });
  }
  return failures;
}

function openGgufAndRead(bytes: Uint8Array): void {
  const f = openGgufSource(memoryByteSource(bytes, 'fuzz.gguf'));
  for (const t of f.tensors) assert.equal(f.tensorData(t).length, t.byteLength);
  f.close();
}

function openSafetensorsAndRead(bytes: Uint8Array): void {
  const f = openSafetensorsSource(memoryByteSource(bytes, 'fuzz.safetensors'));
  for (const t of f.tensors) assert.equal(f.tensorData(t).length, t.byteLength);
  f.close();
}

function report(failures: Failure[]): void {
  const shown = failures.slice(0, 10).map((f) => `  ${f.label} seed ${f.seed}: ${f.problem}`).join('\n');
  assert.equal(failures.length, 0, `${failures.length} fuzz cases failed (base seed ${BASE_SEED}):\n${shown}`);
}

function ggufSuite(label: string, base: Uint8Array, seedOffset: number, scale: number): Failure[] {
  const fields = ggufFields(base);
  const headerEnd = Math.max(...fields.map((f) => f.offset + f.bytes)) + 64;
  openGgufAndRead(base); // the unmutated file must open
  return [
    ...runCases(`${label}/truncate`, 300 * scale, seedOffset, truncate(base, headerEnd), openGgufAndRead),
    ...runCases(`${label}/flip`, 500 * scale, seedOffset + 100_000, flipBytes(base, headerEnd), openGgufAndRead),
    ...runCases(`${label}/plant`, 500 * scale, seedOffset + 200_000, plantGgufValues(base, fields), openGgufAndRead),
  ];
}

test('fuzz: small GGUF written by writeGguf', () => {
  report(ggufSuite('small.gguf', smallGguf(), 0, 1));
});

const REAL = 'models/random/llama-pub-q4_k_m.gguf';
test('fuzz: a real llama.cpp GGUF (llama-pub-q4_k_m)', { skip: sharedSkip(REAL) }, () => {
  report(ggufSuite('llama-pub-q4_k_m.gguf', readPlain(sharedPath(REAL)), 1_000_000, 0.4));
});

test('fuzz: safetensors', () => {
  const base = smallSafetensors();
  openSafetensorsAndRead(base);
  const headerEnd = 8 + Number(new DataView(base.buffer, base.byteOffset).getBigUint64(0, true));
  report([
    ...runCases('small.safetensors/truncate', 300, 2_000_000, truncate(base, headerEnd), openSafetensorsAndRead),
    ...runCases('small.safetensors/flip', 500, 2_100_000, flipBytes(base, headerEnd, true), openSafetensorsAndRead),
    ...runCases('small.safetensors/json', 500, 2_200_000, mutateSafetensorsJson(base), openSafetensorsAndRead),
  ]);
});
