#!/usr/bin/env bash
# One prepared run on a borrowed machine (no Node, no npm, no network), with what pack_device_payload.sh
# packed carried in build/device/payload.tar.xz. Steps in order of value, each under its own time limit, and
# none started past DEADLINE seconds (default 380: a 15-minute lease then leaves room for a second run):
#   1. the CPU and whether it has AMX (without AMX it stops there: nothing else here needs that machine);
#   2. amx_check at 1 and 2 threads: every level's GEMM against float64, amx included, GEMM timings, the tile
#      unit's own rates, then each AMX-BF16 GEMM variant of AMX_GEMM_VARIANTS checked and timed; the best
#      (2-thread F16@bf16, both shapes) is used below where the configuration says {BEST};
#   3. the model benchmark (Fastfill only) at 2 threads on the Qwen2.5-0.5B-shaped files, pp512: F16 at bf16
#      with the old GEMM (before 2026-11-27), the default and the best variant alternating; Q8_0 by default
#      (VNNI int8) and as bf16 pair panels alternating; Q8_0 with attention on vectors; extra configurations
#      from EXTRA_CONFIGS ("label|model|VAR=v VAR=v;...");
#   4. the kernel tests (node --test) with the opt-in AMX kernels and the best GEMM options: forEachLevel includes amx;
#   5. per-op profiles of pp512 (F16 and Q8_0 at bf16 on AMX), appended to side_by_side.txt;
#   6. pp8192 at 2 threads (F16 at bf16 with the best GEMM, attention on AMX tiles and on vectors);
#   7. bench/model.ts side by side with node-llama-cpp (Q8_0 and F16 at the defaults, pp512, tg64; SIDE_BY_SIDE=0: not);
#   8. (only when STEPS names it: profile8k) per-op profiles of pp8192: F16 at bf16, attention on AMX tiles, and Q8_0
#      at the defaults;
#   9. (only when STEPS names it: decode) Q8_0 and F16 tg128 side by side with node-llama-cpp, DECODE_ROUNDS times
#      (default 3; the tables into side_by_side.txt), each round with Fastfill's Q8_0 tg128 on interleaved blocks and
#      on its int8 panels (bench.jsonl), and a per-op profile of Q8_0's tg128 at the defaults.
# STEPS (comma-separated; default check,bench,tests,profile,long,side = steps 2-7) picks the steps after 1.
# Writes everything under $OUT (8 files: the most the device tool returns); prints a summary.
# DRY_RUN_WITHOUT_AMX=1 goes on without AMX (to try the script here; amx rows then run at avx512bf16).
set -u
OUT="${OUT:-/tmp/fastfill-device-out}"
DEADLINE="${DEADLINE:-380}"
STEPS=",${STEPS:-check,bench,tests,profile,long,side},"
want() { [[ "$STEPS" == *",$1,"* ]]; }
mkdir -p "$OUT"
START=$(date +%s)
say() { echo "[$(($(date +%s) - START))s] $*"; }
time_left() { # seconds before DEADLINE, at most $1
  local left=$((DEADLINE - ($(date +%s) - START)))
  [ "$left" -gt "$1" ] && left=$1
  echo "$left"
}
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
if ! grep -q -w amx_tile /proc/cpuinfo && [ -z "${DRY_RUN_WITHOUT_AMX:-}" ]; then say "no AMX on this CPU: nothing more to learn here"; exit 5; fi

# 2. amx_check at 1 and 2 threads, then the AMX-BF16 GEMM's variants (FASTFILL_AMX_GEMM options strings, each
# from the defaults: spell every option out), the list twice over so that each is timed twice, apart
V="kgroup=0,prefetch=2,kouter=0;kgroup=0,prefetch=3,kouter=0;kgroup=0,prefetch=0,kouter=0;kgroup=4,prefetch=2,kouter=0;kgroup=0,prefetch=2,kouter=1;kgroup=1,prefetch=0,kouter=0"
VARIANTS="${AMX_GEMM_VARIANTS:-$V;$V}"
BEST=""
if want check; then
timeout 150 "$PAYLOAD/amx_check" --require-amx --threads 1,2 --timeout 145 --log /tmp/amx_cases.log --amx-gemm "$VARIANTS" \
  > "$OUT/amx_check.txt" 2>&1
say "amx_check rc $?"
grep -E '^(AMX|highest|FAIL|PASS amx|TIME|SPEEDUP|RESULT|PEAK|==)' "$OUT/amx_check.txt" | cut -c1-200
# The variant with the best geometric mean of its 2-thread F16@bf16 rates (both shapes), among those whose cases passed.
BEST=$(awk '/^== amx GEMM options/ { cur = $0; sub(/^[^\047]*\047/, "", cur); sub(/\047.*$/, "", cur) }
            /^FAIL/ && cur != "" { bad[cur] = 1 }
            /^TIME .*[{]/ { match($0, /[{][^}]*[}]/); v = substr($0, RSTART + 1, RLENGTH - 2);
              for (i = 1; i <= NF; i++) if ($i == "t2") r = $(i + 1); p[v] += log(r); n[v]++ }
            END { bp = -1; for (v in p) if (n[v] >= 2 && !(v in bad) && p[v] / n[v] > bp) { bp = p[v] / n[v]; b = v }; print b }' \
       "$OUT/amx_check.txt")
say "best AMX GEMM options: '${BEST}'"
fi

# 3. benchmarks: one JSON line per test in bench.jsonl, with the configuration's label
export FASTFILL_CACHE=/tmp/fastfill-cache
bench() { # label threads tests reps model decode [VAR=value ...]
  local label=$1 threads=$2 tests=$3 reps=$4 model=$5 decode=$6; shift 6
  local limit; limit=$(time_left 150)
  [ "$limit" -gt 5 ] || { say "skipped (deadline): $label $tests"; return; }
  env "$@" timeout "$limit" "$NODE" dist/src/cli/main.js bench model "bench:$model" -p "$tests" -n "$decode" -t "$threads" -r "$reps" --json \
    2>> "$OUT/bench.err" | sed "s/^{/{\"label\":\"$label\",/" >> "$OUT/bench.jsonl"
}
summary() {
  "$NODE" -e 'for (const l of require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n")) {
    try { const r = JSON.parse(l); console.log([r.label, r.test, "t" + r.threads, r.tokens_per_s.toFixed(1) + " t/s",
      r.peak_rss_mb + " MiB", r.backend].join(" | ")); } catch { console.log("unparsed: " + l.slice(0, 120)); } }' "$OUT/bench.jsonl"
}
AMX_BF16="FASTFILL_PRECISION=bf16 FASTFILL_ATTENTION_PRECISION=bf16"
GEMM_BEST="FASTFILL_AMX_GEMM=${BEST:-kgroup=0,prefetch=2,kouter=0}"  # without step 2: the defaults, spelled out
GEMM_OLD="FASTFILL_AMX_GEMM=kgroup=1,prefetch=0,kouter=0"  # the GEMM before 2026-11-27
if want bench; then
for round in 1 2 3; do  # the old GEMM, the default and the best variant alternating, the same files
  bench "f16 bf16 old-gemm" 2 512 3 f16 0 $AMX_BF16 "$GEMM_OLD"
  bench "f16 bf16 default" 2 512 3 f16 0 $AMX_BF16
  [ -n "$BEST" ] && bench "f16 bf16 {$BEST}" 2 512 3 f16 0 $AMX_BF16 "$GEMM_BEST"
done
for round in 1 2; do  # Q8_0 prefill: VNNI int8 (the default) against bf16 pair panels on AMX-BF16
  bench "q8_0 default" 2 512 3 q8_0 0
  bench "q8_0 bf16 {${BEST:-default gemm}}" 2 512 3 q8_0 0 $AMX_BF16 "$GEMM_BEST"
done
bench "q8_0 default vector-attention" 2 512 3 q8_0 0 FASTFILL_AMX_ATTENTION=0
IFS=';' read -r -a extra <<< "${EXTRA_CONFIGS:-}"
for config in "${extra[@]}"; do
  IFS='|' read -r label model vars <<< "$config"
  # shellcheck disable=SC2086
  bench "$label" 2 512 3 "$model" 0 $vars
done
say "benchmarked at 2 threads"
summary
fi

# 4. kernel tests at every level, amx included, with the best GEMM options
limit=$(time_left 150)
if want tests && [ "$limit" -gt 20 ]; then
  (ls dist/test/kernels/*.test.js | grep -v -e amxCheck -e emulatedAmx) | env FASTFILL_AMX_INT8=1 "$GEMM_BEST" \
    timeout "$limit" xargs "$NODE" --test --test-concurrency=8 > "$OUT/kernel_tests.txt" 2>&1
  say "kernel tests at every level, amx included: rc $?"
  grep -E '^# (tests|pass|fail|skipped)' "$OUT/kernel_tests.txt"
  grep -E '^not ok' "$OUT/kernel_tests.txt" | head -20
fi
# 5. where the time goes: per-op profiles, into side_by_side.txt
profile() { # test type [VAR=value ...]: test ppN or tgN (the run measures it once, then profiles it once more)
  local test=$1 type=$2; shift 2
  local lengths="-p ${test#pp} -n 0" cap=90
  [[ "$test" == tg* ]] && lengths="-p 0 -n ${test#tg}"
  [[ "$test" == pp8192 ]] && cap=240
  local limit; limit=$(time_left $cap)
  [ "$limit" -gt 10 ] || { say "skipped (deadline): profile $type $test"; return; }
  # shellcheck disable=SC2086
  env "$@" timeout "$limit" "$NODE" dist/bench/model.js --types "$type" $lengths -t 2 -r 1 --engines fastfill \
    --profile "$test" --out "/tmp/profile-$type-$test.json" >> "$OUT/side_by_side.txt" 2>&1
  say "profile $type $test $*: rc $?"
}
if want profile; then
  profile pp512 f16 $AMX_BF16 "$GEMM_BEST"
  profile pp512 q8_0 $AMX_BF16 "$GEMM_BEST"
fi

# 6. long prompts: attention on AMX tiles (the default now) and on vectors
if want long; then
  bench "f16 bf16 {$BEST}" 2 8192 1 f16 0 $AMX_BF16 "$GEMM_BEST"
  bench "f16 bf16 {$BEST} vector-attention" 2 8192 1 f16 0 $AMX_BF16 "$GEMM_BEST" FASTFILL_AMX_ATTENTION=0
  say "pp8192 done"
  summary > "$OUT/summary.txt"
  grep 8192 "$OUT/summary.txt"
fi

# 7. side by side with node-llama-cpp (llama.cpp's prebuilt CPU binary), same files and threads: SIDE_TYPES (default
# q8_0,f16), Fastfill under SIDE_ENV (default: the defaults; "bf16" for bf16 precision with the best GEMM)
SIDE_TYPES="${SIDE_TYPES:-q8_0,f16}"
if [ "${SIDE_ENV:-}" = bf16 ]; then SIDE_ENV="$AMX_BF16 $GEMM_BEST"; else SIDE_ENV="${SIDE_ENV:-}"; fi
limit=$(time_left 120)
if want side && [ "$limit" -gt 30 ] && [ "${SIDE_BY_SIDE:-1}" != 0 ]; then
  env $SIDE_ENV timeout "$limit" "$NODE" dist/bench/model.js --types "$SIDE_TYPES" -p 512 -n 64 -t 2 -r 1 --out "$OUT/side_by_side.json" \
    >> "$OUT/side_by_side.txt" 2>&1
  say "side by side with node-llama-cpp: rc $?"
  grep -E '^\| (Q8_0|F16) ' "$OUT/side_by_side.txt"
fi

# 8. where pp8192's time goes
if want profile8k; then
  profile pp8192 f16 $AMX_BF16 "$GEMM_BEST"
  profile pp8192 q8_0
fi

# 9. decode side by side, several rounds (one round's ratio moved by +-10 % on these machines), then where Q8_0's goes
if want decode; then
  for round in $(seq 1 "${DECODE_ROUNDS:-3}"); do
    limit=$(time_left 150)
    [ "$limit" -gt 30 ] || { say "skipped (deadline): decode round $round"; break; }
    timeout "$limit" "$NODE" dist/bench/model.js --types q8_0,f16 -p 0 -n 128 -t 2 -r 3 --out "/tmp/decode-$round.json" \
      >> "$OUT/side_by_side.txt" 2>&1
    say "decode round $round: rc $?"
    grep -E '^\| (Q8_0|F16) ' "$OUT/side_by_side.txt" | tail -2
    # Q8_0 as interleaved blocks (1.06 bytes a weight) against its int8 panels (1.25), Fastfill alone, into bench.jsonl
    bench "q8_0 interleaved" 2 0 3 q8_0 128 FASTFILL_INTERLEAVE=1
    bench "q8_0 default" 2 0 3 q8_0 128
  done
  summary | grep -E '^q8_0 (interleaved|default) \| tg'
  profile tg128 q8_0
fi

say "done"
