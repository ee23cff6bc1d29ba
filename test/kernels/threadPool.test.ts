// The thread pool's lock-free job hand-over (native/src/threads/thread_pool.cc), stressed outside the
// addon: native/tools/pool_stress.cc is compiled with ThreadSanitizer (and plainly, where TSan cannot
// run) and runs many small jobs while the pool is resized, with the workers spinning, sleeping at once,
// or both. Each chunk must run exactly once on a valid worker index, and TSan must see no data race.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

const SOURCES = ['native/tools/pool_stress.cc', 'native/src/threads/thread_pool.cc', 'native/src/threads/contention.cc']
  .map((file) => path.join(REPO_ROOT, file));
const JOBS = '40000';

function skipReason(): string | false {
  if (process.platform !== 'linux') return 'the pool stress is built for Linux';
  const gxx = spawnSync('g++', ['--version'], { encoding: 'utf8' });
  return gxx.error || gxx.status !== 0 ? 'g++ is missing: the pool stress cannot be built here; skipping' : false;
}

function compile(out: string, flags: string[]): { ok: boolean; output: string } {
  const r = spawnSync('g++', ['-std=c++17', '-O1', '-g', ...flags, `-I${path.join(REPO_ROOT, 'native', 'src')}`, ...SOURCES,
    '-o', out, '-lpthread'], { encoding: 'utf8', timeout: 180_000 });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}

function run(binary: string, spinUs: string, jobs = JOBS): { status: number | null; output: string } {
  // Not the parent's LD_PRELOAD: under native/tools/asan_tests.sh that is libasan, which a TSan binary cannot load.
  const { LD_PRELOAD: _preload, ...env } = process.env;
  const r = spawnSync(binary, [jobs], { encoding: 'utf8', timeout: 300_000, env: { ...env, FASTFILL_SPIN_US: spinUs } });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}${r.signal ? ` (killed by ${r.signal})` : ''}` };
}

test('thread pool: every chunk runs once, no data race, spinning or sleeping', { skip: skipReason() }, (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fastfill-pool-'));
  try {
    const plain = path.join(dir, 'pool_stress');
    const built = compile(plain, []);
    assert.ok(built.ok, `g++ failed:\n${built.output}`);
    const tsan = path.join(dir, 'pool_stress_tsan');
    const tsanBuilt = compile(tsan, ['-fsanitize=thread']);
    // TSan needs its runtime (libtsan) and a memory layout it knows; without them only the plain build runs.
    const tsanProbe = tsanBuilt.ok ? run(tsan, '0', '10') : null;
    const tsanRuns = tsanProbe !== null && !/FATAL: ThreadSanitizer|unexpected memory mapping/.test(tsanProbe.output);
    if (!tsanRuns) t.diagnostic(`ThreadSanitizer unavailable here, plain build only: ${(tsanProbe?.output ?? tsanBuilt.output).slice(0, 300)}`);
    for (const spinUs of ['0', '3', '200']) {
      for (const binary of tsanRuns ? [plain, tsan] : [plain]) {
        const r = run(binary, spinUs);
        const what = `${path.basename(binary)} with FASTFILL_SPIN_US=${spinUs}`;
        assert.doesNotMatch(r.output, /WARNING: ThreadSanitizer/, `${what}:\n${r.output.slice(0, 4000)}`);
        assert.equal(r.status, 0, `${what}:\n${r.output.slice(0, 4000)}`);
        assert.match(r.output, new RegExp(`^ok ${JOBS} jobs`, 'm'), what);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
