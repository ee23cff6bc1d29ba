#!/usr/bin/env bash
# Runs Node tests on an AddressSanitizer build of the addon (out-of-bounds reads and writes, use after
# free in the native code: an interleaved row group or a K tail read past its buffer crashes nothing in
# the plain build, but ASan stops there with the stack). The build lives in a copy of the tree.
#   bash native/tools/asan_tests.sh [TEST_PATH...]   (default: every test under dist/test; after npm test)
# DIR (default /tmp/fastfill-asan) holds the copy, DIR/fastfill. About 2 minutes to build on 2 cores; the
# tests then take about twice their usual time. Under ASan the peak-RSS test of test/bench/modelCli fails by
# design (ASan's shadow memory counts in the process's RSS); any "ERROR: AddressSanitizer" is a real bug.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="${DIR:-/tmp/fastfill-asan}/fastfill"
[ -d "$ROOT/dist/test" ] || { echo "asan_tests.sh: build first (npm test)" >&2; exit 2; }
mkdir -p "$DIR"
rm -rf "$DIR/native" "$DIR/dist"
cp -r "$ROOT/native" "$ROOT/dist" "$ROOT/binding.gyp" "$ROOT/package.json" "$DIR/"
for linked in node_modules test models bench tools docs README.md tsconfig.json; do  # what the tests read
  if [ -e "$ROOT/$linked" ]; then ln -sfn "$ROOT/$linked" "$DIR/$linked"; fi
done
if [ -d "$ROOT/../shared" ]; then ln -sfn "$(cd "$ROOT/../shared" && pwd)" "$DIR/../shared"; fi
# -O3 as in the real build (the intrinsics that take an immediate need the inlining), plus ASan.
python3 - "$DIR/binding.gyp" <<'PY'
import sys
path = sys.argv[1]
gyp = open(path).read()
old = '"cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions"],'
if old not in gyp:
    sys.exit(f'asan_tests.sh: binding.gyp no longer contains {old}')
gyp = gyp.replace(old, '"cflags_cc": ["-O3", "-g", "-std=c++17", "-fno-exceptions", "-fsanitize=address", '
                  '"-fno-omit-frame-pointer"],\n    "ldflags": ["-fsanitize=address"],', 1)
open(path, 'w').write(gyp)
PY
NODE_GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
NODEDIR="$(npm config get nodedir 2>/dev/null || true)"
case "$NODEDIR" in "" | undefined | null) NODEDIR="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")" ;; esac
NODEDIR_ARG=()
[ -f "$NODEDIR/include/node/node.h" ] && NODEDIR_ARG=(--nodedir="$NODEDIR")
(cd "$DIR" && node "$NODE_GYP" rebuild --jobs="${JOBS:-2}" "${NODEDIR_ARG[@]}" > "$DIR/build.log" 2>&1) ||
  { tail -20 "$DIR/build.log" >&2; exit 1; }
echo "built $DIR/build/Release/fastfill_native.node with AddressSanitizer"
# node itself is not instrumented: the ASan runtime is preloaded; leaks are not checked (V8 keeps its heap).
cd "$DIR"
[ $# -gt 0 ] || set -- dist/test/
LD_PRELOAD="$(gcc -print-file-name=libasan.so)" ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 \
  node --test --test-concurrency=2 "$@"
