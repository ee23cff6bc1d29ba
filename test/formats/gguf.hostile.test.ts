// Malformed GGUF files crafted byte by byte: each must fail with a ModelFormatError that names the
// file and the problem (never a RangeError/TypeError, a huge allocation or a hang).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openGguf, openGgufSource } from '../../src/formats/gguf/reader.js';
import { memoryByteSource } from '../../src/formats/byteSource.js';
import { ModelFormatError } from '../../src/formats/errors.js';
import { ggufHead, RawBytes } from './support/rawBytes.js';
import { tempDir } from './support/tempDir.js';

const NAME = 'hostile.gguf';
const STRING = 8, ARRAY = 9, U32 = 4, I32 = 5, BOOL = 7;

function open(bytes: Uint8Array) {
  return openGgufSource(memoryByteSource(bytes, NAME));
}

function rejects(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => open(bytes), (e: unknown) => {
    assert.ok(e instanceof ModelFormatError, `expected ModelFormatError, got ${String(e)}`);
    assert.equal(e.file, NAME);
    assert.ok(e.message.startsWith(`${NAME}: `));
    assert.match(e.problem, pattern);
    return true;
  });
}

/** A file with one metadata entry `key` of value type `type` whose value bytes follow. */
function oneKv(type: number, value: (b: RawBytes) => RawBytes, key = 'k'): Uint8Array {
  return value(ggufHead(3, 0, 1).str(key).u32(type)).build();
}

/** A file with the given tensor infos (name, dims, type, relative offset) and `dataBytes` of data. */
function withTensors(infos: Array<[string, Array<number | bigint>, number, number | bigint]>, dataBytes: number, kvs?: (b: RawBytes) => RawBytes, kvCount = 0, pad = true): Uint8Array {
  let b = ggufHead(3, infos.length, kvCount);
  if (kvs) b = kvs(b);
  for (const [name, dims, type, offset] of infos) {
    b.str(name).u32(dims.length);
    for (const d of dims) b.u64(d);
    b.u32(type).u64(offset);
  }
  return (pad ? b.padTo(32) : b).zeros(dataBytes).build();
}

test('header problems', () => {
  rejects(new Uint8Array(0), /too small to be GGUF/);
  rejects(new RawBytes().ascii('GGML').u32(3).u64(0).u64(0).build(), /not a GGUF file \(magic bytes 47 47 4d 4c/);
  rejects(ggufHead(1, 0, 0).build(), /unsupported GGUF version 1\b/);
  rejects(ggufHead(4, 0, 0).build(), /unsupported GGUF version 4\b/);
  rejects(new RawBytes().ascii('GGUF').u8(0, 0, 0, 3).u64(0).u64(0).build(), /big-endian/);
  rejects(new RawBytes().ascii('GGUF').u32(3).build(), /unexpected end of file reading tensor count/);
  rejects(ggufHead(3, 2n ** 63n, 0).build(), /tensor count 9223372036854775808 is too large/);
  rejects(ggufHead(3, 0, 2n ** 64n - 1n).build(), /metadata entry count 18446744073709551615 is too large/);
  rejects(ggufHead(3, 0, 1000).build(), /metadata entry count 1000 is too large \(at most 0/);
});

test('metadata problems', () => {
  rejects(ggufHead(3, 0, 1).u64(2n ** 62n).zeros(20).build(), /metadata entry #0: key length \d+ is too large/);
  rejects(ggufHead(3, 0, 1).str('').u32(U32).u32(1).build(), /metadata entry #0: empty key/);
  rejects(oneKv(STRING, (b) => b.u64(1000).ascii('abc')), /'k': string length 1000 is too large \(at most 3/);
  rejects(oneKv(13, (b) => b.u32(0)), /'k': unknown metadata value type 13/);
  rejects(oneKv(ARRAY, (b) => b.u32(77).u64(1).u32(0)), /unknown array element type 77/);
  rejects(oneKv(ARRAY, (b) => b.u32(U32).u64(2n ** 40n).u32(0)), /array length 1099511627776 is too large/);
  rejects(oneKv(ARRAY, (b) => b.u32(STRING).u64(3).str('a').str('b').u64(50).ascii('xyz')), /'k': string length 50 is too large/);
  rejects(oneKv(BOOL, (b) => b.u8(2)), /bool value 2 .* neither 0 nor 1/);
  rejects(oneKv(U32, (b) => b.u8(1, 2)), /'k': unexpected end of file reading uint32/);
  const dup = ggufHead(3, 0, 2).str('a').u32(U32).u32(1).str('a').u32(U32).u32(2).build();
  rejects(dup, /metadata entry #1 'a': duplicate key/);
});

test('array nesting: depth 2 reads, excessive depth is refused', () => {
  const nested = open(oneKv(ARRAY, (b) => b.u32(ARRAY).u64(2).u32(I32).u64(2).u32(1).u32(0xffffffff).u32(STRING).u64(1).str('x')));
  assert.deepEqual(nested.metadata.get('k'), [[1, -1], ['x']]);
  const deep = (levels: number) => oneKv(ARRAY, (b) => {
    for (let i = 1; i < levels; i++) b.u32(ARRAY).u64(1);
    return b.u32(U32).u64(0);
  });
  assert.deepEqual(open(deep(8)).metadata.get('k'), [[[[[[[[]]]]]]]]);
  rejects(deep(9), /arrays nested deeper than 8 levels/);
  rejects(deep(100_000), /arrays nested deeper than 8 levels/);
});

test('alignment key problems', () => {
  const align = (type: number, v: number) => (b: RawBytes) => b.str('general.alignment').u32(type).u32(v);
  rejects(withTensors([], 0, align(U32, 48), 1), /general.alignment 48 is not a power of two/);
  rejects(withTensors([], 0, align(U32, 0), 1), /general.alignment 0 is not a power of two/);
  rejects(withTensors([], 0, align(I32, 64), 1), /general.alignment must be a uint32, found i32/);
  const ok = open(withTensors([['w', [8], 0, 0]], 64, align(U32, 64), 1));
  assert.equal(ok.alignment, 64);
  assert.equal(ok.dataOffset % 64, 0);
});

test('tensor info problems', () => {
  const F32 = 0, Q4_0 = 2;
  rejects(withTensors([['w', [1, 1, 1, 1, 1], F32, 0]], 32), /tensor info #0 'w': dimension count 5 is not within 1..4/);
  rejects(withTensors([['w', [], F32, 0]], 32), /dimension count 0/);
  rejects(withTensors([['w', [2n ** 62n], F32, 0]], 32), /'w': dimension 0 4611686018427387904 is too large/);
  rejects(withTensors([['w', [2 ** 26, 2 ** 26, 2 ** 26], F32, 0]], 32), /'w': element count \d+ .* is too large/);
  rejects(withTensors([['w', [2 ** 20, 2 ** 20], F32, 0]], 32), /'w': data size \d+ bytes .* exceeds the file size/);
  rejects(withTensors([['w', [8], 99, 0]], 32), /tensor #0 'w': unsupported tensor type id 99 \(unknown\)/);
  rejects(withTensors([['w', [256], 16, 0]], 32), /tensor #0 'w': unsupported tensor type id 16 \(IQ2_XXS\)/);
  rejects(withTensors([['w', [16], Q4_0, 0]], 32), /row length 16 is not a multiple of the Q4_0 block size 32/);
  rejects(withTensors([['w', [8], F32, 4]], 64), /'w': data offset 4 is not a multiple of the alignment 32/);
  rejects(withTensors([['w', [8], F32, 0]], 16), /'w': data \(bytes \d+\.\.\d+\) extends beyond the end of the file/);
  rejects(withTensors([['w', [8], F32, 2n ** 60n]], 32), /data offset \d+ is too large/);
  rejects(withTensors([['a', [16], F32, 0], ['b', [8], F32, 32]], 96), /tensors 'a' .* and 'b' .* overlap/);
  rejects(withTensors([['a', [8], F32, 0], ['a', [8], F32, 32]], 64), /tensor #1 'a': duplicate tensor name/);
  rejects(withTensors([['w', [8], F32, 0]], 0, undefined, 0, false), /data section .* starts beyond the end of the file/);
  const longName = 'w'.repeat(40);
  const truncatedInfo = ggufHead(3, 1, 0).str(longName).u32(1).u64(8).u8(0, 0).build();
  rejects(truncatedInfo, new RegExp(`tensor info #0 '${longName}': unexpected end of file reading tensor type`));
});

test('a valid hand-built file reads back exactly', () => {
  const bytes = withTensors([['a', [2, 3], 0, 0], ['z', [0], 0, 32]], 32, (b) => b.str('n').u32(U32).u32(7), 1);
  const f = open(bytes);
  assert.deepEqual(f.tensors.map((t) => [t.name, t.dims, t.byteLength]), [['a', [2, 3], 24], ['z', [0], 0]]);
  assert.equal(f.metadata.get('n'), 7);
  assert.equal(f.tensor('a')!.offset, f.dataOffset);
  assert.equal(f.dataOffset, 128); // 115 header bytes, aligned up
  assert.equal(f.tensorData(f.tensor('z')!).length, 0);
});

test('problems in a file on disk name its path; a missing file is a ModelFormatError too', () => {
  const dir = tempDir();
  const p = path.join(dir, 'cut.gguf');
  fs.writeFileSync(p, withTensors([['w', [8], 0, 0]], 32).subarray(0, 80));
  assert.throws(() => openGguf(p), (e: unknown) => e instanceof ModelFormatError && e.file === p && /extends beyond the end of the file \(80 bytes\)/.test(e.problem));
  const missing = path.join(dir, 'missing.gguf');
  assert.throws(() => openGguf(missing), (e: unknown) => e instanceof ModelFormatError && e.file === missing && /cannot open file/.test(e.problem));
  assert.throws(() => openGguf(dir), (e: unknown) => e instanceof ModelFormatError && /not a regular file/.test(e.problem));
});
