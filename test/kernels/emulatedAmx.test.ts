// The amx level's kernels (AMX-BF16 GEMM, AMX-INT8, AMX attention) on software tiles: the addon is
// built in a temporary copy of the tree by native/tools/build_emulated_addon.sh (the amx level on
// native/tools/amx_emulation.h), and the level-walking tests run there with the opt-in AMX kernels on,
// so the amx level answers to the same float64 references, bit-identity rules and llama.cpp checks as
// every other level. The real tiles are checked on a borrowed AMX machine (native/tools/README.md).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { cpuInfo } from '../../src/kernels/native.js';
import { REPO_ROOT } from '../helpers/paths.js';

const SCRIPT = path.join(REPO_ROOT, 'native', 'tools', 'build_emulated_addon.sh');
const TESTS = ['kernels/matmulBf16', 'kernels/matmulInt8', 'kernels/matmulGroup', 'kernels/attentionBf16',
  'kernels/attentionBf16Range', 'kernels/attentionBf16Exact', 'kernels/attentionHalfCache', 'model/chunkInvariance',
  'model/dispatchLevels'];
const BUILD_TIMEOUT_MS = 10 * 60 * 1000;
const RUN_TIMEOUT_MS = 5 * 60 * 1000;

function skipReason(): string | false {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the emulated amx level is for x86-64 Linux';
  if (!cpuInfo().features.avx512bf16) return 'the amx level needs AVX512-BF16 around its tiles; this CPU lacks it';
  const gxx = spawnSync('g++', ['--version'], { encoding: 'utf8' });
  return gxx.error || gxx.status !== 0 ? 'g++ is missing: the emulated addon cannot be built here' : false;
}

test('the amx level on emulated tiles passes the GEMM, attention and model tests with every AMX kernel on', {
  skip: skipReason(), timeout: BUILD_TIMEOUT_MS + RUN_TIMEOUT_MS,
}, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'fastfill-emulated-'));
  try {
    const build = spawnSync('bash', [SCRIPT, dir], { encoding: 'utf8', env: { ...process.env, JOBS: '1' }, timeout: BUILD_TIMEOUT_MS });
    assert.equal(build.status, 0, `build_emulated_addon.sh failed:\n${build.stdout}${build.stderr}`);
    const tree = path.join(dir, 'fastfill');
    const env: NodeJS.ProcessEnv = { ...process.env, FASTFILL_AMX_ATTENTION: '1', FASTFILL_AMX_INT8: '1' };
    delete env.NODE_TEST_CONTEXT;  // else the child's test runner takes itself for a nested run and runs nothing
    const level = spawnSync(process.execPath, ['-e',
      "import('./dist/src/kernels/native.js').then((m) => process.stdout.write(m.cpuInfo().maxLevel))"],
    { cwd: tree, encoding: 'utf8', env });
    assert.equal(level.stdout, 'amx', `the emulated addon's highest level: ${level.stdout}${level.stderr}`);
    const files = TESTS.map((name) => path.join('dist', 'test', `${name}.test.js`));
    const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...files],
      { cwd: tree, encoding: 'utf8', env, timeout: RUN_TIMEOUT_MS });
    const output = `${run.stdout}${run.stderr}`;
    assert.equal(run.status, 0, `tests on the emulated amx level failed:\n${output.slice(-6000)}`);
    assert.match(output, /^# fail 0$/m);
    assert.doesNotMatch(output, /^# pass 0$/m);
    // The AMX-BF16 GEMM's other walks (cpu/amx.h AmxGemmOptions): C through memory every K block or two,
    // the other prefetches, K outside the panels.
    for (const options of ['kgroup=1,prefetch=0,kouter=1', 'kgroup=2,prefetch=1', 'kgroup=0,prefetch=3']) {
      const gemm = spawnSync(process.execPath, ['--test', '--test-concurrency=1', path.join('dist', 'test', 'kernels', 'matmulBf16.test.js'),
        path.join('dist', 'test', 'kernels', 'matmulGroup.test.js')],
      { cwd: tree, encoding: 'utf8', env: { ...env, FASTFILL_AMX_GEMM: options }, timeout: RUN_TIMEOUT_MS });
      const gemmOutput = `${gemm.stdout}${gemm.stderr}`;
      assert.equal(gemm.status, 0, `GEMM tests with FASTFILL_AMX_GEMM=${options} failed:\n${gemmOutput.slice(-6000)}`);
      assert.doesNotMatch(gemmOutput, /^# pass 0$/m);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
