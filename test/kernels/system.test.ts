// CPU detection and dispatch, FASTFILL_CPU / FASTFILL_THREADS, the thread count, mapFile, releaseMappedPages,
// allocateZeroed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { addon } from '../../src/kernels/addon.js';
import { allocateZeroed, CPU_LEVELS, cpuInfo, mapFile, releaseMappedPages, setCpuLevel, setThreads } from '../../src/kernels/native.js';
import { REPO_ROOT } from '../helpers/paths.js';

const NATIVE_MODULE = pathToFileURL(path.join(REPO_ROOT, 'dist', 'src', 'kernels', 'native.js')).href;

/** cpuInfo() as seen by a fresh process with the given environment. */
function childCpuInfo(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const script = `import { cpuInfo } from '${NATIVE_MODULE}'; console.log(JSON.stringify(cpuInfo()));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('cpuInfo reports features, the active level and threads', () => {
  const info = cpuInfo();
  assert.ok(CPU_LEVELS.includes(info.level) && CPU_LEVELS.includes(info.maxLevel));
  assert.ok(CPU_LEVELS.indexOf(info.level) <= CPU_LEVELS.indexOf(info.maxLevel));
  assert.ok(Number.isInteger(info.threads) && info.threads >= 1);
  for (const name of ['avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512vl', 'avx512vnni', 'avx512bf16', 'amxTile']) {
    assert.equal(typeof info.features[name], 'boolean', name);
  }
  if (info.maxLevel === 'avx512' || info.maxLevel === 'avx512bf16' || info.maxLevel === 'amx') {
    assert.ok(info.features.avx512f && info.features.avx512bw && info.features.avx2);
  }
  if (info.maxLevel === 'avx512bf16') assert.ok(info.features.avx512bf16 && info.features.avx512vnni);
  if (info.maxLevel === 'amx') assert.ok(info.features.amxBf16 && info.features.amxPermitted);
  assert.equal(typeof info.features.amxPermitted, 'boolean');
  if (info.maxLevel === 'avx512') assert.ok(!(info.features.avx512bf16 && info.features.avx512vnni));
});

test('cpuInfo features agree with /proc/cpuinfo', { skip: existsSync('/proc/cpuinfo') ? false : 'no /proc/cpuinfo' }, () => {
  const flagsLine = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
  if (!flagsLine) return;
  const flags = new Set(flagsLine.split(':')[1]!.trim().split(/\s+/));
  const features = cpuInfo().features;
  const pairs: Record<string, string> = {
    avx2: 'avx2', fma: 'fma', f16c: 'f16c', avx512f: 'avx512f', avx512bw: 'avx512bw', avx512vl: 'avx512vl',
    avx512dq: 'avx512dq', avx512vnni: 'avx512_vnni', avx512bf16: 'avx512_bf16', amxTile: 'amx_tile',
  };
  for (const [feature, flag] of Object.entries(pairs)) assert.equal(features[feature], flags.has(flag), feature);
});

test('FASTFILL_CPU=scalar and FASTFILL_THREADS=1 take effect in a fresh process', () => {
  const child = childCpuInfo({ FASTFILL_CPU: 'scalar', FASTFILL_THREADS: '1' });
  assert.equal(child.status, 0, child.stderr);
  const info = JSON.parse(child.stdout) as { level: string; threads: number; maxLevel: string };
  assert.equal(info.level, 'scalar');
  assert.equal(info.threads, 1);
  assert.equal(info.maxLevel, cpuInfo().maxLevel);
});

test('FASTFILL_CPU above the CPU is capped; unknown values fail loudly', () => {
  const capped = childCpuInfo({ FASTFILL_CPU: 'amx' });
  assert.equal(capped.status, 0, capped.stderr);
  assert.equal((JSON.parse(capped.stdout) as { level: string }).level, cpuInfo().maxLevel);
  const bad = childCpuInfo({ FASTFILL_CPU: 'avx9000' });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /FASTFILL_CPU=avx9000 is not one of scalar, avx2, avx512, avx512bf16, amx/);
  const badThreads = childCpuInfo({ FASTFILL_THREADS: 'many' });
  assert.notEqual(badThreads.status, 0);
  assert.match(badThreads.stderr, /FASTFILL_THREADS=many is not an integer/);
});

test('setCpuLevel and setThreads change what cpuInfo reports, and refuse bad values', () => {
  const before = cpuInfo();
  try {
    setCpuLevel('scalar');
    assert.equal(cpuInfo().level, 'scalar');
    setThreads(1);
    assert.equal(cpuInfo().threads, 1);
    setThreads(3);
    assert.equal(cpuInfo().threads, 3);
  } finally {
    setCpuLevel(before.maxLevel);
    setThreads(before.threads);
  }
  assert.throws(() => setCpuLevel('sse9' as never), /setCpuLevel: 'sse9' is not one of/);
  assert.throws(() => setThreads(0), /setThreads: n must be an integer/);
  assert.throws(() => setThreads(1.5), /setThreads: n must be an integer/);
  if (before.maxLevel !== 'amx') assert.throws(() => setCpuLevel('amx'), /above what this CPU supports/);
});

test('mapFile maps files and ranges copy-on-write and reports unreadable paths and bad ranges', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fastfill-map-'));
  try {
    const file = path.join(dir, 'data.bin');
    const bytes = Uint8Array.from({ length: 10000 }, (_, i) => (i * 7) & 255);
    writeFileSync(file, bytes);
    const mapped = new Uint8Array(mapFile(file));
    assert.deepEqual(mapped, bytes);
    mapped.fill(1);  // a private mapping: the file does not change
    assert.deepEqual(new Uint8Array(readFileSync(file)), bytes);

    const range = new Uint8Array(mapFile(file, { offset: 4097, length: 3000 }));
    assert.deepEqual(range, bytes.subarray(4097, 7097));
    assert.deepEqual(new Uint8Array(mapFile(file, { offset: 9999 })), bytes.subarray(9999));
    assert.throws(() => mapFile(file, { offset: 9000, length: 1001 }), /range of 1001 bytes at offset 9000 is outside the file \(10000 bytes\)/);
    assert.throws(() => mapFile(file, { offset: -1 }), /offset must be an integer >= 0/);
    // Larger than one ArrayBuffer may be: refused before Node sees it (the limit is a parameter)
    assert.throws(() => addon().mapFile(file, 0, -1, 4096), /10000 bytes is more than the largest ArrayBuffer \(4096 bytes\)/);

    const empty = path.join(dir, 'empty.bin');
    writeFileSync(empty, new Uint8Array(0));
    assert.equal(mapFile(empty).byteLength, 0);

    const missing = path.join(dir, 'missing.bin');
    assert.throws(() => mapFile(missing), (e: Error) => e.message.includes(missing) && /No such file/.test(e.message));
    assert.throws(() => mapFile(dir), /not a regular file/);
    assert.throws(() => mapFile(''), /path must be a non-empty string/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function residentKb(): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(line!.split(/\s+/)[1]);
}

test('releaseMappedPages drops a mapped range from RSS, keeps its bytes, and leaves other memory alone',
  { skip: existsSync('/proc/self/status') ? false : 'no /proc/self/status' }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ff-release-'));
    try {
      const file = path.join(dir, 'data.bin');
      const content = new Uint8Array(32 << 20);
      for (let i = 0; i < content.length; i += 4096) content[i] = (i >> 12) & 0xff;
      writeFileSync(file, content);
      const view = new Uint8Array(mapFile(file));
      let sum = 0;
      for (let i = 0; i < view.length; i += 4096) sum += view[i]!;  // every page resident
      const before = residentKb();
      const released = releaseMappedPages(view.subarray(100, view.length - 100));
      assert.equal(released, view.length - 2 * 4096, 'whole pages inside the view only');
      const after = residentKb();
      assert.ok(before - after > 24 << 10, `RSS fell by ${before - after} KiB, expected most of 32 MiB`);
      let again = 0;
      for (let i = 0; i < view.length; i += 4096) again += view[i]!;
      assert.equal(again, sum, 'the released pages read back from the file');
      assert.deepEqual(view.subarray(0, 8192), content.subarray(0, 8192));

      const heap = new Uint8Array(1 << 20).fill(7);
      assert.equal(releaseMappedPages(heap), 0, 'memory that is not a mapped file is not released');
      assert.ok(heap.every((b) => b === 7));
      assert.throws(() => releaseMappedPages(new Float32Array(4) as unknown as Uint8Array), /Uint8Array/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

test('allocateZeroed gives zero-filled, writable, independent buffers of the asked size, and refuses bad sizes', () => {
  for (const bytes of [0, 4096, 3 << 20]) {
    const buffer = allocateZeroed(bytes);
    assert.equal(buffer.byteLength, bytes);
    const view = new Float32Array(buffer);
    assert.ok(view.every((x) => x === 0), `${bytes} bytes arrive zeroed`);
    if (bytes > 0) {
      view.fill(1.5);
      assert.equal(view[view.length - 1], 1.5);
      assert.ok(new Float32Array(allocateZeroed(bytes)).every((x) => x === 0), 'a second buffer is its own memory');
    }
  }
  assert.throws(() => allocateZeroed(-1), /allocateZeroed: bytes must be an integer/);
  assert.throws(() => allocateZeroed(1.5), /allocateZeroed: bytes must be an integer/);
});
