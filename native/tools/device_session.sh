#!/usr/bin/env bash
# One prepared run on a borrowed machine (no Node, no npm, no network), with what pack_device_payload.sh
# packed carried in build/device/payload.tar.xz. In order of value, each step under its own time limit:
#   1. the CPU and whether it has AMX (without AMX it stops there: nothing else here needs that machine);
#   2. amx_check: every level's GEMM against float64, amx included, and GEMM timings up to 16 threads;
#   3. the model benchmark (Fastfill only) on the Qwen2.5-0.5B-shaped files at 2 threads: Q8_0 by
#      default and F16 at bf16 (GEMM on AMX-BF16 tiles, bf16 attention), each with and without
#      attention on AMX tiles (FASTFILL_AMX_ATTENTION=1), and Q8_0 at bf16 (packed at load as bf16
#      pair panels for AMX-BF16 tiles, instead of VNNI int8);
#   4. the kernel tests (node --test) with the opt-in AMX kernels on: forEachLevel includes amx;
#   5. bench/model.ts side by side with node-llama-cpp (Q8_0 and F16 at the defaults, pp512, pp2048, tg64);
#   6. per-op profiles of pp512 (F16 at bf16 and Q8_0, attention on tiles), appended to side_by_side.txt;
#   7. pp8192 at 2 threads, pp512/pp2048 at 16 threads, and a per-op profile of F16-at-bf16 pp8192.
# Writes everything under $OUT (8 files: the most the device tool returns; amx_check's per-case log stays in
# /tmp); prints a summary. DRY_RUN_WITHOUT_AMX=1 goes on without AMX (to try the script
# here; amx_check then exits 5 and the amx rows run at avx512bf16). See native/tools/README.md for the device command.
set -u
OUT="${OUT:-/tmp/fastfill-device-out}"
mkdir -p "$OUT"
START=$(date +%s)
say() { echo "[$(($(date +%s) - START))s] $*"; }
PAYLOAD=/tmp/fastfill-payload
rm -rf "$PAYLOAD" && mkdir -p "$PAYLOAD"
if command -v xz >/dev/null; then
  tar -C "$PAYLOAD" -xJf build/device/payload.tar.xz
else
  python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' build/device/payload.tar.xz "$PAYLOAD"
fi || { say "could not unpack build/device/payload.tar.xz"; exit 2; }
rm -rf dist node_modules && mv "$PAYLOAD/dist" "$PAYLOAD/node_modules" . && mkdir -p build/Release &&
  cp "$PAYLOAD/fastfill_native.node" build/Release/ || { say "could not lay out the tree"; exit 2; }
NODE="$PAYLOAD/node"

# 1. machine
{ lscpu; uname -a; cat /proc/meminfo | head -3; } > "$OUT/machine.txt" 2>&1
say "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) ; $(nproc) cpus ; node $("$NODE" --version)"
say "amx flags: $(grep -m1 -o -w 'amx_[a-z0-9]*' /proc/cpuinfo | sort -u | tr '\n' ' ')"
grep -m1 -o -w -E 'avx512_bf16|avx512_vnni|avx512f' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
if ! grep -q -w amx_tile /proc/cpuinfo && [ -z "${DRY_RUN_WITHOUT_AMX:-}" ]; then say "no AMX on this CPU: nothing more to learn here"; exit 5; fi

# 2. amx_check
timeout 170 "$PAYLOAD/amx_check" --require-amx --timeout 160 --log /tmp/amx_cases.log > "$OUT/amx_check.txt" 2>&1
say "amx_check rc $?"
grep -E '^(AMX|highest|FAIL|PASS amx|SPEEDUP|RESULT)' "$OUT/amx_check.txt" | cut -c1-200

# 3, 5, 6. benchmarks: one JSON line per test in bench.jsonl, with the configuration's label
export FASTFILL_CACHE=/tmp/fastfill-cache
bench() { # label threads tests reps model [VAR=value ...]
  local label=$1 threads=$2 tests=$3 reps=$4 model=$5; shift 5
  env "$@" timeout 150 "$NODE" dist/src/cli/main.js bench model "bench:$model" -p "$tests" -n 0 -t "$threads" -r "$reps" --json \
    2>> "$OUT/bench.err" | sed "s/^{/{\"label\":\"$label\",/" >> "$OUT/bench.jsonl"
}
summary() {
  "$NODE" -e 'for (const l of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) {
    try { const r = JSON.parse(l); console.log([r.label, r.test, "t" + r.threads, r.tokens_per_s.toFixed(1) + " t/s",
      r.peak_rss_mb + " MiB", r.backend].join(" | ")); } catch { console.log("unparsed: " + l.slice(0, 120)); } }' "$OUT/bench.jsonl"
}
AMX_BF16="FASTFILL_PRECISION=bf16 FASTFILL_ATTENTION_PRECISION=bf16"
TILE_ATTENTION="FASTFILL_AMX_ATTENTION=1"
bench "q8_0 default" 2 512,2048 2 q8_0
bench "q8_0 amx-attention" 2 512,2048 2 q8_0 $TILE_ATTENTION
bench "q8_0 bf16 amx" 2 512,2048 2 q8_0 $AMX_BF16  # Q8_0 packed as bf16 pair panels: AMX-BF16 instead of VNNI
bench "f16 bf16" 2 512,2048 2 f16 $AMX_BF16
bench "f16 bf16 amx-attention" 2 512,2048 2 f16 $AMX_BF16 $TILE_ATTENTION
say "benchmarked at 2 threads"
summary

(ls dist/test/kernels/*.test.js | grep -v -e amxCheck -e emulatedAmx) | FASTFILL_AMX_ATTENTION=1 FASTFILL_AMX_INT8=1 timeout 150 xargs "$NODE" --test --test-concurrency=8 \
  > "$OUT/kernel_tests.txt" 2>&1
say "kernel tests at every level, amx included: rc $?"
grep -E '^# (tests|pass|fail|skipped)' "$OUT/kernel_tests.txt"
grep -E '^not ok' "$OUT/kernel_tests.txt" | head -20

# side by side with node-llama-cpp (llama.cpp's prebuilt CPU binary) at the defaults, same files and threads
timeout 300 "$NODE" dist/bench/model.js --types q8_0,f16 -p 512,2048 -n 64 -t 2 -r 1 --out "$OUT/side_by_side.json" \
  > "$OUT/side_by_side.txt" 2>&1
say "side by side with node-llama-cpp: rc $?"
grep -E '^\| (Q8_0|F16) ' "$OUT/side_by_side.txt"

# where the time goes: per-op profiles (bench/RESULTS.md must show them where a goal is missed), into side_by_side.txt
profile() { # test type [VAR=value ...]
  local test=$1 type=$2; shift 2
  env "$@" timeout 150 "$NODE" dist/bench/model.js --types "$type" -p "${test#pp}" -n 0 -t 2 -r 1 --engines fastfill \
    --profile "$test" --out "/tmp/profile-$type-$test.json" >> "$OUT/side_by_side.txt" 2>&1
  say "profile $type $test $*: rc $?"
}
profile pp512 f16 $AMX_BF16 $TILE_ATTENTION
profile pp512 q8_0 $TILE_ATTENTION

mv "$OUT/bench.jsonl" "$OUT/bench_t2.jsonl"
[ -n "${DRY_RUN_WITHOUT_AMX:-}" ] && exit 0 # here: the rest only repeats the same calls, slower
bench "q8_0 default" 2 8192 1 q8_0
bench "q8_0 amx-attention" 2 8192 1 q8_0 $TILE_ATTENTION
bench "f16 bf16 amx-attention" 2 8192 1 f16 $AMX_BF16 $TILE_ATTENTION
say "pp8192 done"
bench "q8_0 amx-attention" 16 512,2048 2 q8_0 $TILE_ATTENTION
bench "f16 bf16 amx-attention" 16 512,2048 2 f16 $AMX_BF16 $TILE_ATTENTION
say "benchmarked at 16 threads"
summary
profile pp8192 f16 $AMX_BF16 $TILE_ATTENTION
