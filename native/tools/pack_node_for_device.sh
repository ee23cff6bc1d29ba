#!/usr/bin/env bash
# Packs this machine's Node binary for a borrowed machine that has no Node (the device machines),
# so that the addon's own tests can run there: build/device/node.gz (about 36 MB; the device
# tool carries at most 64 MiB, with dist/ about 5 MB and the addon about 3 MB). Build first
# (npm test or npx tsc -p . and node-gyp), then see native/tools/README.md for the device command.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/build/device"
NODE_BIN="$(readlink -f "$(command -v node)")"
for need in "$ROOT/dist/test/kernels" "$ROOT/build/Release/fastfill_native.node"; do
  [ -e "$need" ] || { echo "pack_node_for_device.sh: $need is missing: build first (npm test)" >&2; exit 2; }
done
mkdir -p "$OUT"
gzip -9 -c "$NODE_BIN" > "$OUT/node.gz.tmp"
mv "$OUT/node.gz.tmp" "$OUT/node.gz"
echo "packed $NODE_BIN ($("$NODE_BIN" --version)) into $OUT/node.gz ($(stat -c %s "$OUT/node.gz") bytes)"
du -sh "$ROOT/dist" "$ROOT/build/Release/fastfill_native.node" "$OUT/node.gz"
