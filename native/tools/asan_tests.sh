#!/usr/bin/env bash
# Runs Node tests on an AddressSanitizer build of the addon (out-of-bounds reads and writes, use after
# free in the native code: an interleaved row group or a K tail read past its buffer crashes nothing in
# the plain build, but ASan stops there with the stack). The build lives in a copy of the tree.
#   bash native/tools/asan_tests.sh [TEST_PATH...]   (default: every test under dist/test; after npm test)
# DIR (default /tmp/fastfill-asan) holds the copy, DIR/fastfill. 2-9 minutes to build on 2 cores; the
# tests then take about twice their usual time. Under ASan the peak-RSS test of test/bench/modelCli fails by
# design (ASan's shadow memory counts in the process's RSS); any "ERROR: AddressSanitizer" is a real bug.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="${DIR:-/tmp/fastfill-asan}/fastfill"
source "$ROOT/native/tools/addon_copy.sh"
copy_tree "$ROOT" "$DIR"
# -O3 as in the real build (the intrinsics that take an immediate need the inlining), plus ASan.
patch_gyp "$DIR" '"cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions"],' \
  '"cflags_cc": ["-O3", "-g", "-std=c++17", "-fno-exceptions", "-fsanitize=address", "-fno-omit-frame-pointer"],
    "ldflags": ["-fsanitize=address"],'
build_copy "$DIR"
echo "built $DIR/build/Release/fastfill_native.node with AddressSanitizer"
# node itself is not instrumented: the ASan runtime is preloaded; leaks are not checked (V8 keeps its heap).
cd "$DIR"
[ $# -gt 0 ] || set -- dist/test/
LD_PRELOAD="$(gcc -print-file-name=libasan.so)" ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 \
  node --test --test-concurrency=2 "$@"
