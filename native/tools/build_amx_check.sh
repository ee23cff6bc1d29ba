#!/usr/bin/env bash
# Builds native/tools/amx_check (see README.md here) with g++ into a folder (default build/amx_check
# under the repository root): the native sources that are not N-API bindings, each dispatch level
# with its own -m flags (as binding.gyp), libstdc++ and libgcc linked statically so the binary runs
# on other Linux machines with the same or a newer glibc. Objects (in amx_check_obj beside OUT_DIR,
# named by unit and flags, so the plain and the emulated build share the levels they compile alike)
# are rebuilt only when a source, a header it includes or its flags changed.
#
#   bash native/tools/build_amx_check.sh [OUT_DIR]     JOBS=n: parallel compiles (default: CPUs)
#   CXX=g++-13: another compiler (it must know -mamx-tile / -mamx-bf16: g++ 11 or newer)
#   AMX_EMULATION=1: the amx level without AMX instructions, its tiles in software (amx_emulation.h),
#     for any AVX512-BF16 machine; default folder build/amx_check_emulated
set -euo pipefail

TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$TOOLS_DIR/../.." && pwd)"
EMULATION="${AMX_EMULATION:-0}"
if [ "$EMULATION" = 1 ]; then OUT="${1:-$ROOT/build/amx_check_emulated}"; else OUT="${1:-$ROOT/build/amx_check}"; fi
CXX="${CXX:-g++}"
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 2)}"

if ! command -v "$CXX" >/dev/null 2>&1; then
  echo "build_amx_check.sh: compiler '$CXX' not found (install g++ or set CXX)" >&2
  exit 2
fi
if [ "$(uname -m)" != "x86_64" ]; then
  echo "build_amx_check.sh: the AMX check needs an x86-64 machine (this is $(uname -m))" >&2
  exit 2
fi

BASE="-O3 -std=c++17 -fno-exceptions -DFASTFILL_X86_LEVELS=1 -I$ROOT/native/src -I$TOOLS_DIR"
AVX2="-mavx2 -mfma -mf16c"
AVX512="$AVX2 -mavx512f -mavx512bw -mavx512vl -mavx512dq -Wno-maybe-uninitialized -Wno-uninitialized"
AVX512BF16="$AVX512 -mavx512bf16 -mavx512vnni"
AMX="$AVX512BF16 -mamx-tile -mamx-bf16 -mamx-int8"
EMULATED=""  # for the amx level and the baseline units (cpu/amx.cc grants the permission), never the other levels
if [ "$EMULATION" = 1 ]; then
  AMX="$AVX512BF16"
  EMULATED="-DFASTFILL_AMX_EMULATION=1"
fi

# One line per translation unit: source|extra flags
units() {
  local src
  for src in "$ROOT"/native/src/{common,cpu,io,kv,threads}/*.cc "$TOOLS_DIR"/*.cc; do
    case "$(basename "$src")" in
      amx_peak.cc | pool_stress.cc) ;;  # amx_peak: below, with the AMX flags; pool_stress: a program of its own
      *) echo "$src|$EMULATED" ;;
    esac
  done
  echo "$TOOLS_DIR/amx_peak.cc|$AMX $EMULATED"
  echo "$ROOT/native/src/levels/level_scalar.cc|"
  echo "$ROOT/native/src/levels/level_avx2.cc|$AVX2"
  echo "$ROOT/native/src/levels/level_avx512.cc|$AVX512"
  echo "$ROOT/native/src/levels/level_avx512bf16.cc|$AVX512BF16"
  echo "$ROOT/native/src/levels/level_amx.cc|$AMX $EMULATED"
}

# The object of one unit (argument: source|flags).
object_of() {
  local src="${1%%|*}" extra="${1#*|}"
  local rel="${src#$ROOT/}"
  echo "$OBJ/${rel//\//_}.$(echo "$CXX $BASE $extra" | md5sum | cut -c1-8).o"
}

# Compiles one unit (argument: source|flags) unless its object is newer than the source, every header
# of its dependency file, and its flags are unchanged.
compile_unit() {
  local src="${1%%|*}" extra="${1#*|}"
  local rel="${src#$ROOT/}"
  local obj
  obj="$(object_of "$1")"
  local flags="$CXX $BASE $extra"
  if [ -f "$obj" ] && [ -f "$obj.d" ] && [ "$(cat "$obj.flags" 2>/dev/null)" = "$flags" ]; then
    local stale=0 dep
    for dep in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$obj.d"); do
      if [ ! -e "$dep" ] || [ "$dep" -nt "$obj" ]; then stale=1; break; fi
    done
    [ "$stale" = 0 ] && return 0
  fi
  echo "  compile $rel"
  # shellcheck disable=SC2086
  if ! $CXX $BASE $extra -MMD -MF "$obj.d" -c "$src" -o "$obj"; then
    rm -f "$obj" "$obj.flags"
    echo "build_amx_check.sh: compiling $rel failed" >&2
    return 1
  fi
  echo "$flags" >"$obj.flags"
}
OBJ="$(dirname "$OUT")/amx_check_obj"
export -f compile_unit object_of
export ROOT OUT OBJ CXX BASE

mkdir -p "$OUT" "$OBJ"
rm -f "$OUT/amx_check"  # a failed build leaves no stale binary behind
echo "building amx_check into $OUT with $CXX ($JOBS parallel)"
units | xargs -P "$JOBS" -I{} bash -c 'compile_unit "$@"' _ {}

objects=()
while IFS= read -r unit; do
  objects+=("$(object_of "$unit")")
done < <(units)
"$CXX" -o "$OUT/amx_check.tmp" "${objects[@]}" -pthread -static-libstdc++ -static-libgcc
mv "$OUT/amx_check.tmp" "$OUT/amx_check"
echo "built $OUT/amx_check ($(stat -c %s "$OUT/amx_check") bytes)"
