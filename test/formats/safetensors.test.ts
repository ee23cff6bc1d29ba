import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openSafetensors, openSafetensorsSource } from '../../src/formats/safetensors/reader.js';
import { writeSafetensors } from '../../src/formats/safetensors/writer.js';
import { memoryByteSource, type ByteSource } from '../../src/formats/byteSource.js';
import { ModelFormatError } from '../../src/formats/errors.js';
import { GgmlType } from '../../src/formats/ggmlTypes.js';
import { tempDir } from './support/tempDir.js';

const dir = tempDir();
const NAME = 'bad.safetensors';

/** A safetensors file built by hand: length prefix, the given header text, then `data`. */
function handBuilt(header: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const h = Buffer.from(header, 'utf8');
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

function rejects(source: ByteSource | Uint8Array, pattern: RegExp): void {
  const src = source instanceof Uint8Array ? memoryByteSource(source, NAME) : source;
  assert.throws(() => openSafetensorsSource(src), (e: unknown) => {
    assert.ok(e instanceof ModelFormatError, `expected ModelFormatError, got ${String(e)}`);
    assert.equal(e.file, src.name);
    assert.match(e.problem, pattern);
    return true;
  });
}

test('a hand-built file reads: dtypes, PyTorch shape, reversed ggml dims, offsets, metadata', () => {
  const data = new Uint8Array(24 + 4);
  new DataView(data.buffer).setFloat32(0, 1.5, true);
  data.set([0x80, 0x3f], 24); // BF16 1.0
  data.set([0x00, 0x3c], 26); // F16 1.0
  const header = JSON.stringify({
    w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
    b: { dtype: 'BF16', shape: [1], data_offsets: [24, 26] },
    s: { dtype: 'F16', shape: [], data_offsets: [26, 28] },
    __metadata__: { format: 'pt' },
  });
  const f = openSafetensorsSource(memoryByteSource(handBuilt(header, data), 'x.safetensors'));
  assert.deepEqual(f.metadata, { format: 'pt' });
  assert.equal(f.dataOffset, 8 + Buffer.byteLength(header));
  const w = f.tensor('w')!;
  assert.deepEqual([w.dtype, w.type, w.shape, w.dims, w.offset, w.byteLength], ['F32', GgmlType.F32, [2, 3], [3, 2], f.dataOffset, 24]);
  assert.equal(new DataView(f.tensorData(w).slice().buffer).getFloat32(0, true), 1.5);
  assert.deepEqual([f.tensor('b')!.type, f.tensor('b')!.dims], [GgmlType.BF16, [1]]);
  assert.deepEqual([f.tensor('s')!.type, f.tensor('s')!.shape, f.tensor('s')!.dims], [GgmlType.F16, [], [1]]);
  assert.deepEqual([...f.tensorData(f.tensor('s')!)], [0x00, 0x3c]);
});

test('writer and reader round-trip on disk', () => {
  const p = path.join(dir, 'rt.safetensors');
  const tensors = [
    { name: 'model.embed_tokens.weight', dtype: 'BF16' as const, shape: [4, 3], data: Uint8Array.from({ length: 24 }, (_, i) => i) },
    { name: 'norm', dtype: 'F32' as const, shape: [3], data: new Uint8Array(new Float32Array([1, 2, 3]).buffer) },
    { name: 'h', dtype: 'F16' as const, shape: [1, 1, 2], data: Uint8Array.from([1, 2, 3, 4]) },
  ];
  writeSafetensors(p, tensors, { format: 'pt', note: 'ünïcode' });
  const f = openSafetensors(p);
  assert.equal(f.dataOffset % 8, 0);
  assert.deepEqual(f.metadata, { format: 'pt', note: 'ünïcode' });
  assert.deepEqual(f.tensors.map((t) => [t.name, t.dtype, t.shape, t.dims]), tensors.map((t) => [t.name, t.dtype, t.shape, [...t.shape].reverse()]));
  for (const t of tensors) assert.deepEqual(f.tensorData(f.tensor(t.name)!), t.data);
  f.close();
  assert.throws(() => f.tensorData(f.tensors[0]!), /closed/);
  assert.throws(() => writeSafetensors(p, [{ ...tensors[1]!, shape: [4] }]), /data has 12 bytes, shape needs 16/);
  assert.throws(() => writeSafetensors(p, [tensors[1]!, tensors[1]!]), /duplicated/);
  assert.throws(() => writeSafetensors(p, [{ ...tensors[1]!, name: '__metadata__' }]), /reserved/);
  assert.throws(() => writeSafetensors(p, [{ ...tensors[1]!, dtype: 'I64' as 'F32' }]), /unsupported dtype I64/);
});

test('header problems', () => {
  rejects(new Uint8Array(7), /too small to be safetensors \(7 bytes\)/);
  rejects(handBuilt('{}').subarray(0, 9), /header length 2 exceeds the 1 bytes after it/);
  const hugeHeader: ByteSource = {
    name: 'huge.safetensors', size: 300_000_000, close() {},
    read: (offset, length) => (offset === 0 ? Uint8Array.from([0, 0, 0, 0x10, 0, 0, 0, 0]) : new Uint8Array(length)),
  };
  rejects(hugeHeader, /header length 268435456 exceeds the limit of 100000000 bytes/);
  rejects(handBuilt('{"a": 1'), /header is not valid JSON/);
  rejects(handBuilt('[]'), /header is not a JSON object/);
  rejects(handBuilt('null'), /header is not a JSON object/);
  const badUtf8 = handBuilt('{"x":1}');
  badUtf8[11] = 0xff;
  rejects(badUtf8, /header is not valid UTF-8/);
  rejects(handBuilt('{"__metadata__": {"a": 1}}'), /__metadata__ value of 'a' is not a string/);
  rejects(handBuilt('{"__metadata__": []}'), /__metadata__ is not an object/);
});

test('tensor entry problems name the tensor', () => {
  const entry = (e: object, dataBytes = 64) => handBuilt(JSON.stringify({ t: e }), new Uint8Array(dataBytes));
  rejects(entry({ dtype: 'I64', shape: [2], data_offsets: [0, 16] }), /tensor 't': dtype I64 is not supported \(only F32, F16, BF16\)/);
  rejects(entry({ dtype: 'Q9', shape: [2], data_offsets: [0, 16] }), /tensor 't': unknown dtype 'Q9'/);
  rejects(entry({ shape: [2], data_offsets: [0, 16] }), /tensor 't': dtype is missing/);
  rejects(entry({ dtype: 'F32', shape: [-1], data_offsets: [0, 4] }), /tensor 't': shape is not a list of non-negative integers/);
  rejects(entry({ dtype: 'F32', shape: [1.5], data_offsets: [0, 4] }), /shape is not a list/);
  rejects(entry({ dtype: 'F32', shape: '3', data_offsets: [0, 4] }), /shape is not a list/);
  rejects(entry({ dtype: 'F32', shape: [1], data_offsets: [0] }), /data_offsets is not a pair/);
  rejects(entry({ dtype: 'F32', shape: [1], data_offsets: [8, 4] }), /end before they begin/);
  rejects(entry({ dtype: 'F32', shape: [1], data_offsets: [64, 68] }), /data_offsets end 68 is beyond the 64 bytes of data/);
  rejects(entry({ dtype: 'F32', shape: [3], data_offsets: [0, 8] }), /shape \[3\] of F32 needs 12 bytes, data_offsets give 8/);
  rejects(entry({ dtype: 'F32', shape: [2 ** 50, 2 ** 50], data_offsets: [0, 8] }), /needs \d+ bytes/);
  rejects(entry([1, 2]), /tensor 't': entry is not an object/);
  const overlap = handBuilt(JSON.stringify({
    a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
    b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] },
  }), new Uint8Array(16));
  rejects(overlap, /tensors 'a' and 'b' overlap/);
});
