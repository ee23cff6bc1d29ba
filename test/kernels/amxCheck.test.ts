// The standalone AMX check program (native/tools/): built with g++ by build_amx_check.sh, run here
// with --quick. This machine need not have AMX: the program must then say so, check every other
// level against its float64 references and pass. Its own verdicts can fail (see --force-amx below,
// and reference.h: the references are independent float64 sums).
// The first build compiles every dispatch level (minutes on 2 cores); later runs relink only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

const SCRIPT = path.join(REPO_ROOT, 'native', 'tools', 'build_amx_check.sh');
const BINARY = path.join(REPO_ROOT, 'build', 'amx_check', 'amx_check');
const EMULATED_BINARY = path.join(REPO_ROOT, 'build', 'amx_check_emulated', 'amx_check');
const KINDS = ['F16@bf16', 'F16@f32', 'BF16@bf16', 'BF16@f32', 'Q8_0@int8'];
const BUILD_TIMEOUT_MS = 15 * 60 * 1000;  // a cold build, one compile at a time
const RUN_TIMEOUT_MS = 120 * 1000;

function skipReason(): string | false {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the AMX check is for x86-64 Linux';
  const gxx = spawnSync('g++', ['--version'], { encoding: 'utf8' });
  return gxx.error || gxx.status !== 0 ? 'g++ is missing: the AMX check program cannot be built here; skipping' : false;
}

const SKIP = skipReason();

let built: { status: number | null; output: string } | null = null;

function build(): void {
  built ??= (() => {
    const env = { ...process.env, JOBS: '1' };
    const r = spawnSync('bash', [SCRIPT], { encoding: 'utf8', env, timeout: BUILD_TIMEOUT_MS });
    return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
  })();
  assert.equal(built.status, 0, `build_amx_check.sh failed:\n${built.output}`);
}

function runCheck(args: string[], binary = BINARY): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(binary, args, { encoding: 'utf8', timeout: RUN_TIMEOUT_MS });
  assert.ok(!r.error, `amx_check did not run: ${String(r.error)}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The features line of the program's header, as name -> flag. */
function features(stdout: string): Map<string, boolean> {
  const line = /^features: (.*)$/m.exec(stdout);
  assert.ok(line, `no features line in:\n${stdout}`);
  return new Map(line[1]!.split(' ').map((pair) => {
    const [name, value] = pair.split('=');
    return [name!, value === '1'] as const;
  }));
}

test('amx_check builds and passes every level this CPU has; without AMX it says so', {
  skip: SKIP, timeout: BUILD_TIMEOUT_MS + RUN_TIMEOUT_MS,
}, () => {
  build();
  const dir = mkdtempSync(path.join(tmpdir(), 'amx-check-'));
  try {
    const logPath = path.join(dir, 'cases.log');
    const { status, stdout, stderr } = runCheck(['--quick', '--log', logPath]);
    assert.equal(status, 0, `exit ${status}\n${stdout}\n${stderr}`);
    assert.doesNotMatch(stdout, /^FAIL/m);
    assert.match(stdout, /^RESULT PASS: 0 failures/m);
    const f = features(stdout);
    if (!f.get('amx_tile')) {
      assert.match(stdout, /^AMX: NOT RUN: /m);
      assert.doesNotMatch(stdout, /^(PASS|FAIL|TIME \S+ .*) amx /m);
    }
    if (f.get('avx512bf16')) {
      for (const kind of KINDS) {
        const pattern = `^PASS avx512bf16 +${kind} +(\\d+)/(\\d+) +cases`;
        const line = new RegExp(pattern, 'm').exec(stdout);
        assert.ok(line, `no PASS line for avx512bf16 ${kind}:\n${stdout}`);
        assert.equal(line[1], line[2]);
        assert.ok(Number(line[1]) >= 36, `${kind}: only ${line[1]} cases`);
      }
      assert.match(stdout, /^PASS avx512bf16 +1 and \d+ threads give bit-identical outputs/m);
      assert.match(stdout, /^TIME F16@bf16 M=64 K=896 N=4864 +avx512bf16 +t1 \d+\.\d/m);
      // every other level is compared with avx512bf16's outputs
      assert.match(stdout, /^PASS scalar +F16@bf16 .* max diff vs avx512bf16 \d\.\d\de[-+]\d\d$/m);
    }
    // the log holds one PASS line per case and level
    const result = /^RESULT PASS: 0 failures in (\d+) kernel runs \((\d+) cases per level\); levels run: ([a-z0-9 ]+);/m
      .exec(stdout);
    assert.ok(result, stdout);
    const levels = result[3]!.trim().split(' ');
    const lines = readFileSync(logPath, 'utf8').trim().split('\n');
    assert.equal(lines.length, Number(result[2]) * levels.length);
    assert.ok(lines.every((l) => l.startsWith('PASS ')), 'every logged case passes');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('amx_check --force-amx on a CPU without AMX: the SIGILL is reported with the case name and exit 1', {
  skip: SKIP || (readFileSync('/proc/cpuinfo', 'utf8').includes(' amx_tile') ? 'this CPU has AMX' : false),
  timeout: BUILD_TIMEOUT_MS + RUN_TIMEOUT_MS,
}, () => {
  build();
  const { status, stdout } = runCheck(['--quick', '--force-amx']);
  assert.equal(status, 1, stdout);
  if (readFileSync('/proc/cpuinfo', 'utf8').includes(' avx512bf16')) {
    // the first amx case with 8+ rows at bf16 precision runs AMX tiles (fewer rows take the FMA path)
    assert.match(stdout, /^FAIL amx F16@bf16 M=13 K=64 N=16 bias: SIGILL inside the kernel; stopping/m);
  } else {
    // without AVX-512 the amx level's first case already dies on an AVX-512 instruction
    assert.match(stdout, /^FAIL amx \S+ M=\d+ K=\d+ N=\d+( bias)?: SIGILL inside the kernel; stopping/m);
  }
  assert.match(stdout, /^RESULT FAIL: 1 failures .*; amx: FORCED/m);
  assert.doesNotMatch(stdout, /^TIME /m, 'nothing runs after the crash (the pool keeps its lock)');
});

test('amx_check rejects bad arguments with a message naming them', { skip: SKIP, timeout: BUILD_TIMEOUT_MS }, () => {
  build();
  const threads = runCheck(['--threads', '0']);
  assert.equal(threads.status, 2);
  assert.match(threads.stderr, /--threads 0 is not a comma-separated list of integers in 1\.\.256/);
  const unknown = runCheck(['--bogus']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown or incomplete argument '--bogus'/);
  for (const bad of ['kgroup=x', 'prefetch=4', 'order=3', 'kgroup=0,speed=9', 'kgroup']) {
    const gemm = runCheck(['--amx-gemm', `kgroup=0;${bad}`]);
    assert.equal(gemm.status, 2, `--amx-gemm 'kgroup=0;${bad}': exit ${gemm.status}`);
    assert.match(gemm.stderr, new RegExp(`--amx-gemm: '${bad}' is not an options string`));
  }
});

test('amx_check with software tiles (AMX_EMULATION=1): the amx level\'s tile code passes every case', {
  skip: SKIP || (readFileSync('/proc/cpuinfo', 'utf8').includes(' avx512_bf16') ? false : 'the emulated amx level needs AVX512-BF16'),
  timeout: BUILD_TIMEOUT_MS + RUN_TIMEOUT_MS,
}, () => {
  const r = spawnSync('bash', [SCRIPT], { encoding: 'utf8', env: { ...process.env, JOBS: '1', AMX_EMULATION: '1' },
    timeout: BUILD_TIMEOUT_MS });
  assert.equal(r.status, 0, `AMX_EMULATION=1 build_amx_check.sh failed:\n${r.stdout}${r.stderr}`);
  const variants = 'kgroup=1,prefetch=0,kouter=1;kgroup=2,prefetch=1';
  const { status, stdout, stderr } = runCheck(['--quick', '--amx-gemm', variants], EMULATED_BINARY);
  assert.equal(status, 0, `exit ${status}\n${stdout}\n${stderr}`);
  for (const options of variants.split(';')) assert.ok(stdout.includes(`== amx GEMM options '${options}'`), options);
  assert.doesNotMatch(stdout, /^FAIL/m);
  assert.match(stdout, /^RESULT PASS: 0 failures .*levels run: [a-z0-9 ]*amx ; amx: RAN/m);
  for (const kind of KINDS) {
    const line = new RegExp(`^PASS amx +${kind} +(\\d+)/(\\d+) +cases`, 'm').exec(stdout);
    assert.ok(line, `no PASS line for amx ${kind}:\n${stdout}`);
    assert.equal(line[1], line[2]);
  }
  assert.match(stdout, /^PASS amx +1 and \d+ threads give bit-identical outputs/m);
  // software tiles are slow: the bf16 GEMM at the amx level really ran them (the FMA kernel does ~100x this)
  const time = /^TIME F16@bf16 M=64 K=896 N=4864 +amx +t1 (\d+\.\d)/m.exec(stdout);
  assert.ok(time && Number(time[1]) < 30, `amx F16@bf16 timing line: ${time?.[0]}`);
});
