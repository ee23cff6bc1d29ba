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
source "$ROOT/native/tools/addon_copy.sh"
copy_tree "$ROOT" "$DIR"
# The amx level: no -mamx-* flags, the emulated tiles instead; the addon's own units grant the permission.
patch_gyp "$DIR" \
  '"-mamx-tile", "-mamx-bf16", "-mamx-int8"' '"-DFASTFILL_AMX_EMULATION=1"' \
  '"include_dirs": ["native/src"]' '"include_dirs": ["native/src", "native/tools"]' \
  '"defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"]' \
  '"defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "FASTFILL_AMX_EMULATION_PERMIT=1"]'
build_copy "$DIR"
echo "built $DIR/build/Release/fastfill_native.node (amx level on emulated tiles): cd $DIR && node --test dist/test/..."
