# Sourced by build_emulated_addon.sh and asan_tests.sh: the addon built with other flags, in a copy of the tree.
#   copy_tree ROOT DIR         native/, dist/, binding.gyp and package.json copied to DIR; node_modules and the
#                              folders the tests read linked; ROOT/../shared linked beside DIR
#   patch_gyp DIR OLD NEW ...  each OLD replaced by NEW (once) in DIR/binding.gyp; fails where OLD is missing
#   build_copy DIR             node-gyp rebuild in DIR as `npm ci` runs it for the real addon; log in DIR/build.log
copy_tree() {
  local root=$1 dir=$2 linked
  [ -d "$root/dist/test" ] || { echo "$(basename "$0"): build first (npm test)" >&2; return 2; }
  mkdir -p "$dir"
  rm -rf "$dir/native" "$dir/dist"
  cp -r "$root/native" "$root/dist" "$root/binding.gyp" "$root/package.json" "$dir/"
  for linked in node_modules test models bench tools docs README.md tsconfig.json; do
    if [ -e "$root/$linked" ]; then ln -sfn "$root/$linked" "$dir/$linked"; fi
  done
  if [ -d "$root/../shared" ]; then ln -sfn "$(cd "$root/../shared" && pwd)" "$dir/../shared"; fi
}

patch_gyp() {
  local dir=$1; shift
  python3 - "$dir/binding.gyp" "$@" <<'PY'
import sys
path, pairs = sys.argv[1], sys.argv[2:]
gyp = open(path).read()
for old, new in zip(pairs[0::2], pairs[1::2]):
    if old not in gyp:
        sys.exit(f'binding.gyp no longer contains {old}')
    gyp = gyp.replace(old, new, 1)
open(path, 'w').write(gyp)
PY
}

build_copy() {
  local dir=$1 node_gyp nodedir
  # npm's own node-gyp, with npm's nodedir setting where there is one, else the headers installed beside node,
  # else node-gyp's own download
  node_gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  nodedir="$(npm config get nodedir 2>/dev/null || true)"
  case "$nodedir" in "" | undefined | null) nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")" ;; esac
  local nodedir_arg=()
  [ -f "$nodedir/include/node/node.h" ] && nodedir_arg=(--nodedir="$nodedir")
  (cd "$dir" && node "$node_gyp" rebuild --jobs="${JOBS:-2}" "${nodedir_arg[@]}" > "$dir/build.log" 2>&1) ||
    { tail -20 "$dir/build.log" >&2; return 1; }
}
