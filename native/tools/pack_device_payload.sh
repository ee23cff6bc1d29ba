#!/usr/bin/env bash
# Packs what native/tools/device_session.sh needs on a borrowed machine that has no Node, no npm and no
# network into one file, build/device/payload.tar.xz (about 32 MB): this machine's Node binary (stripped),
# amx_check, the addon, dist/, the production node_modules and node-llama-cpp's runtime. The device tool
# carries at most 64 MiB, tracked files included (about 34 MB, the default model's two files among them), so
# the payload is xz'd; it prints the total against that limit.
# Build first: npm test (dist/ and the addon) and bash native/tools/build_amx_check.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT="$ROOT/build/device"
for need in "$ROOT/dist/src/cli/main.js" "$ROOT/dist/test/kernels" "$ROOT/build/Release/fastfill_native.node" \
            "$ROOT/build/amx_check/amx_check"; do
  [ -e "$need" ] || { echo "pack_device_payload.sh: $need is missing: build first" >&2; exit 2; }
done
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
strip -o "$STAGE/node" "$(readlink -f "$(command -v node)")"
cp "$ROOT/build/amx_check/amx_check" "$ROOT/build/Release/fastfill_native.node" "$STAGE/"
cp -r "$ROOT/dist" "$STAGE/dist"
# Only the kernel tests and their helpers run there; no declaration or source-map files (the 64 MiB limit).
find "$STAGE/dist/test" -mindepth 1 -maxdepth 1 ! -name kernels ! -name helpers -exec rm -rf {} +
find "$STAGE/dist" \( -name '*.d.ts' -o -name '*.js.map' \) -delete
# The production dependencies alone (the CLI imports fastify and friends), from the lock file.
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$STAGE/"
(cd "$STAGE" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
rm "$STAGE/package.json" "$STAGE/package-lock.json"
# node-llama-cpp for the side-by-side runs (LLAMA=0 leaves it out): its runtime only (the prebuilt linux-x64
# binaries, not the llama.cpp sources or other platforms), with its dependencies nested under it so that they
# cannot clash with ours. About 6 MB of the payload.
if [ "${LLAMA:-1}" != 0 ]; then
  LLAMA_VERSION="$(node -p "require('$ROOT/package.json').devDependencies['node-llama-cpp']")"
  mkdir -p "$STAGE/llama" && echo '{"name":"llama-stage","version":"1.0.0","private":true}' > "$STAGE/llama/package.json"
  (cd "$STAGE/llama" && npm i -E "node-llama-cpp@$LLAMA_VERSION" --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  LLAMA_MODULES="$STAGE/llama/node_modules"
  rm -rf "$LLAMA_MODULES"/@node-llama-cpp/linux-arm* "$LLAMA_MODULES"/@node-llama-cpp/linux-x64-* \
    "$LLAMA_MODULES"/node-llama-cpp/llama/gitRelease.bundle
  mv "$LLAMA_MODULES/node-llama-cpp" "$STAGE/node_modules/"
  mkdir -p "$STAGE/node_modules/node-llama-cpp/node_modules"
  (cd "$LLAMA_MODULES" && mv $(ls -A) "$STAGE/node_modules/node-llama-cpp/node_modules/")
  rm -rf "$STAGE/llama"
fi
find "$STAGE/node_modules" \( -name '*.d.ts' -o -name '*.d.cts' -o -name '*.map' -o -name '*.md' \) -delete
mkdir -p "$OUT"
tar -C "$STAGE" -cf - node amx_check fastfill_native.node dist node_modules | xz -9 -T0 > "$OUT/payload.tar.xz.tmp"
mv "$OUT/payload.tar.xz.tmp" "$OUT/payload.tar.xz"
TRACKED="$(cd "$ROOT" && git ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{ s += $1 } END { print s }')"
TOTAL=$((TRACKED + $(stat -c %s "$OUT/payload.tar.xz")))
echo "packed $(stat -c %s "$OUT/payload.tar.xz") bytes into $OUT/payload.tar.xz; with the tracked files $TOTAL of 67108864 bytes"
[ "$TOTAL" -lt 67108864 ] || echo "pack_device_payload.sh: over the device tool's 64 MiB: pack with LLAMA=0" >&2
