#!/usr/bin/env bash
# Packs this machine's Node binary for a borrowed machine that has no Node (the device machines),
# so that the addon's own tests can run there: build/device/node.gz (about 36 MB) and the reference
# files of the dispatch-level test in build/device/shared (about 11 MB); the device tool carries at
# most 64 MiB, with dist/ about 5 MB and the addon about 3 MB. Build first
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
# The reference files test/model/dispatchLevels.test.ts reads (about 11 MB), when ../shared is here: the
# device command copies them to ../shared beside its copy of the tree.
SHARED="$ROOT/../shared"
rm -rf "$OUT/shared"
if [ -d "$SHARED/models/random" ]; then
  mkdir -p "$OUT/shared/models/random"
  cp "$SHARED/models/reference-greedy.json" "$SHARED/models/stories260K.gguf" "$OUT/shared/models/"
  for f in cases.json qwen2-pub-f32.gguf qwen2-pub-f16.gguf qwen2-pub-bf16.gguf qwen2-pub-q8_0.gguf qwen2-pub-q4_0.gguf \
           llama-pub-q4_k_m.gguf; do
    cp "$SHARED/models/random/$f" "$OUT/shared/models/random/"
  done
  chmod -R u+w "$OUT/shared"
else
  echo "pack_node_for_device.sh: no ../shared here: the device can run the kernel tests only" >&2
fi
du -sh "$ROOT/dist" "$ROOT/build/Release/fastfill_native.node" "$OUT/node.gz" "$OUT/shared" 2>/dev/null || true
