#!/usr/bin/env bash
# Builds the addon with the amx level on software tiles (amx_emulation.h), in a copy of the tree, so
# that the Node tests run the amx level's kernels (AMX GEMM, AMX-INT8, AMX attention) on a machine
# without AMX, against their float64 references and the other levels. Timings there mean nothing.
#   bash native/tools/build_emulated_addon.sh [DIR]     (default /tmp/fastfill-emulated; after npm test)
#   cd DIR/fastfill && FASTFILL_AMX_ATTENTION=1 FASTFILL_AMX_INT8=1 node --test dist/test/kernels/attention*.test.js
# The copy is DIR/fastfill; DIR/shared links to this tree's ../shared, for the tests that read it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="${1:-/tmp/fastfill-emulated}/fastfill"
[ -d "$ROOT/dist/test" ] || { echo "build_emulated_addon.sh: build first (npm test)" >&2; exit 2; }
mkdir -p "$DIR"
rm -rf "$DIR/native" "$DIR/dist"
cp -r "$ROOT/native" "$ROOT/dist" "$ROOT/binding.gyp" "$ROOT/package.json" "$DIR/"
ln -sfn "$ROOT/node_modules" "$DIR/node_modules"
if [ -d "$ROOT/../shared" ]; then ln -sfn "$(cd "$ROOT/../shared" && pwd)" "$DIR/../shared"; fi
# The amx level: no -mamx-* flags, the emulated tiles instead; the addon's own units grant the permission.
python3 - "$DIR/binding.gyp" <<'PY'
import sys
path = sys.argv[1]
gyp = open(path).read()
for old, new in [('"-mamx-tile", "-mamx-bf16", "-mamx-int8"', '"-DFASTFILL_AMX_EMULATION=1"'),
                 ('"include_dirs": ["native/src"]', '"include_dirs": ["native/src", "native/tools"]'),
                 ('"defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"]',
                  '"defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "FASTFILL_AMX_EMULATION_PERMIT=1"]')]:
    if old not in gyp:
        sys.exit(f'build_emulated_addon.sh: binding.gyp no longer contains {old}')
    gyp = gyp.replace(old, new)
open(path, 'w').write(gyp)
PY
NODE_GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
# node-gyp as `npm ci` runs it for the real addon: npm's own copy, with npm's nodedir setting where there is
# one, else the headers installed beside node, else node-gyp's own download
NODEDIR="$(npm config get nodedir 2>/dev/null || true)"
case "$NODEDIR" in "" | undefined | null) NODEDIR="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")" ;; esac
NODEDIR_ARG=()
[ -f "$NODEDIR/include/node/node.h" ] && NODEDIR_ARG=(--nodedir="$NODEDIR")
(cd "$DIR" && node "$NODE_GYP" rebuild --jobs="${JOBS:-2}" "${NODEDIR_ARG[@]}" > "$DIR/build.log" 2>&1) ||
  { tail -20 "$DIR/build.log" >&2; exit 1; }
echo "built $DIR/build/Release/fastfill_native.node (amx level on emulated tiles): cd $DIR && node --test dist/test/..."
