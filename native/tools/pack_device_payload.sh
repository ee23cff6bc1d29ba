#!/usr/bin/env bash
# Packs what native/tools/device_session.sh needs on a borrowed machine that has no Node, no npm and no
# network into one file, build/device/payload.tar.xz (about 28 MB): this machine's Node binary (stripped),
# amx_check, the addon, dist/ and the production node_modules. The device tool carries at most 64 MiB,
# tracked files included (about 34 MB, the default model's two files among them), so the payload is xz'd.
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
# The production dependencies alone (the CLI imports fastify and friends), from the lock file.
cp "$ROOT/package.json" "$ROOT/package-lock.json" "$STAGE/"
(cd "$STAGE" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
rm "$STAGE/package.json" "$STAGE/package-lock.json"
mkdir -p "$OUT"
tar -C "$STAGE" -cf - node amx_check fastfill_native.node dist node_modules | xz -9 -T0 > "$OUT/payload.tar.xz.tmp"
mv "$OUT/payload.tar.xz.tmp" "$OUT/payload.tar.xz"
echo "packed $(stat -c %s "$OUT/payload.tar.xz") bytes into $OUT/payload.tar.xz"
