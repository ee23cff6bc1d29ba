import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openGguf } from '../../src/formats/gguf/reader.js';
import { gguf, writeGguf, type GgufTensorToWrite } from '../../src/formats/gguf/writer.js';
import type { GgufTypedValue } from '../../src/formats/gguf/types.js';
import { GgmlType } from '../../src/formats/ggmlTypes.js';
import { sharedPath, sharedSkip } from '../helpers/paths.js';
import { mulberry32 } from './support/prng.js';
import { tempDir } from './support/tempDir.js';

const dir = tempDir();

function randomBytes(n: number, seed: number): Uint8Array {
  const rand = mulberry32(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
}

const METADATA: Array<[string, GgufTypedValue]> = [
  ['u8', gguf.u8(255)], ['i8', gguf.i8(-128)], ['u16', gguf.u16(65535)], ['i16', gguf.i16(-32768)],
  ['u32', gguf.u32(4294967295)], ['i32', gguf.i32(-2147483648)],
  ['f32', gguf.f32(Math.fround(1e-5))], ['f64', gguf.f64(Math.PI)],
  ['t', gguf.bool(true)], ['f', gguf.bool(false)], ['s', gguf.str('héllo ✓ \u0000 end')], ['empty', gguf.str('')],
  ['u64.small', gguf.u64(5)], ['u64.big', gguf.u64(2n ** 64n - 1n)], ['u64.edge', gguf.u64(2n ** 53n + 1n)],
  ['i64.min', gguf.i64(-(2n ** 63n))], ['i64.neg', gguf.i64(-7)],
  ['arr.str', gguf.arr('str', ['a', '', 'ünï'])], ['arr.f32', gguf.arr('f32', [0.5, -2, 1024])],
  ['arr.empty', gguf.arr('i32', [])], ['arr.bool', gguf.arr('bool', [true, false])],
  ['arr.u64', gguf.arr('u64', [1, 2n ** 60n])],
  ['arr.nested', gguf.arr('array', [gguf.arr('i32', [1, -2]), gguf.arr('str', ['x']), gguf.arr('array', [])])],
];

test('metadata of every type round-trips with its type', () => {
  const p = path.join(dir, 'meta.gguf');
  writeGguf(p, { metadata: METADATA, tensors: [] });
  const f = openGguf(p);
  assert.equal(f.version, 3);
  assert.deepEqual([...f.typedMetadata], METADATA.map(([k, v]) => [k, k === 'arr.u64' ? { ...v, values: [1, 2n ** 60n] } : v]));
  assert.equal(f.metadata.get('u64.small'), 5);
  assert.equal(f.metadata.get('u64.big'), 2n ** 64n - 1n);
  assert.equal(f.metadata.get('u64.edge'), 2n ** 53n + 1n);
  assert.equal(f.metadata.get('i64.neg'), -7);
  assert.deepEqual(f.metadata.get('arr.nested'), [[1, -2], ['x'], []]);
  f.close();
});

test('tensors round-trip: dims, types, bytes, aligned offsets; alignment option writes the key', () => {
  const tensors: GgufTensorToWrite[] = [
    { name: 'f32', type: GgmlType.F32, dims: [3, 5], data: randomBytes(60, 1) },
    { name: 'f16', type: GgmlType.F16, dims: [7], data: randomBytes(14, 2) },
    { name: 'q8', type: GgmlType.Q8_0, dims: [64, 3], data: randomBytes(6 * 34, 3) },
    { name: 'q4k', type: GgmlType.Q4_K, dims: [256, 1, 2], data: randomBytes(2 * 144, 4) },
    { name: 'empty', type: GgmlType.F32, dims: [0, 4], data: new Uint8Array(0) },
  ];
  for (const alignment of [undefined, 64]) {
    const p = path.join(dir, `tensors-${alignment}.gguf`);
    writeGguf(p, { metadata: [['general.architecture', gguf.str('test')]], tensors, alignment });
    const f = openGguf(p);
    assert.equal(f.alignment, alignment ?? 32);
    assert.equal(f.metadata.get('general.alignment'), alignment);
    assert.deepEqual(f.tensors.map((t) => [t.name, t.type, t.dims]), tensors.map((t) => [t.name, t.type, t.dims]));
    for (const t of tensors) {
      const info = f.tensor(t.name)!;
      assert.equal(info.offset % f.alignment, 0);
      assert.deepEqual(f.tensorData(info), t.data);
    }
    f.close();
  }
});

test('writer refuses bad input before writing', () => {
  const p = path.join(dir, 'bad.gguf');
  const t = (over: Partial<GgufTensorToWrite>): GgufTensorToWrite => ({ name: 'w', type: GgmlType.F32, dims: [2], data: new Uint8Array(8), ...over });
  assert.throws(() => writeGguf(p, { metadata: [], tensors: [t({ data: new Uint8Array(7) })] }), /data has 7 bytes, dims \[2\] of F32 need 8/);
  assert.throws(() => writeGguf(p, { metadata: [], tensors: [t({}), t({})] }), /duplicate tensor name/);
  assert.throws(() => writeGguf(p, { metadata: [], tensors: [t({ dims: [1, 1, 1, 1, 2] })] }), /dims/);
  assert.throws(() => writeGguf(p, { metadata: [], tensors: [t({ type: GgmlType.Q4_0, dims: [16] })] }), /not a multiple of the Q4_0 block/);
  assert.throws(() => writeGguf(p, { metadata: [], tensors: [t({ type: 99 as GgmlType })] }), /unsupported type/);
  assert.throws(() => writeGguf(p, { metadata: [['a', gguf.u8(1)], ['a', gguf.u8(2)]], tensors: [] }), /duplicate metadata key 'a'/);
  assert.throws(() => writeGguf(p, { metadata: [['general.alignment', gguf.u32(32)]], tensors: [], alignment: 64 }), /disagrees/);
  assert.throws(() => writeGguf(p, { metadata: [], tensors: [], alignment: 48 }), /power of two/);
  assert.equal(fs.existsSync(p), false);
  assert.throws(() => gguf.u8(256), RangeError);
  assert.throws(() => gguf.u32(-1), RangeError);
  assert.throws(() => gguf.i32(1.5), TypeError);
  assert.throws(() => gguf.u64(2n ** 64n), RangeError);
  assert.throws(() => gguf.arr('u8', [1, 300]), RangeError);
  assert.throws(() => gguf.arr('str', ['a', 3]), TypeError);
});

test('rewriting a llama.cpp file from what the reader returns reproduces it byte for byte', { skip: sharedSkip('models/random/qwen2-pub-q4_k_m.gguf') }, () => {
  for (const name of ['qwen2-pub-q4_k_m.gguf', 'llama-pub-q5_k_m.gguf']) {
    const src = sharedPath(`models/random/${name}`);
    const f = openGguf(src);
    const p = path.join(dir, name);
    writeGguf(p, {
      metadata: [...f.typedMetadata],
      tensors: f.tensors.map((t) => ({ name: t.name, type: t.type, dims: t.dims, data: f.tensorData(t) })),
    });
    f.close();
    assert.ok(fs.readFileSync(p).equals(fs.readFileSync(src)), name);
  }
});
