#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, checks the
# code's shape (no function over 60 lines, no repeated run of 10 lines:
# tests/shape), builds with warnings as errors and runs the whole suite
# (unit, fuzz corpus replay, integration), builds and checks the Debian
# packages and a -Dlua=5.4 install, checks the Yocto layer and Buildroot
# tree against their mechanical rules (tests/packaging), runs the SWUpdate and RAUC
# integration tests against the updater matrix (tests/matrix.sh), boots a
# Debian guest in QEMU through a real A/B update cycle (tests/system), repeats
# the whole suite in a second build with AddressSanitizer and
# UndefinedBehaviorSanitizer, and, when clang and libFuzzer are installed,
# runs every fuzz target for a short campaign.
#
# TG_RUN_BUILD (default _build) is where the three build trees go;
# TG_FUZZ_SECONDS (default 10) is the campaign length per fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${TG_RUN_BUILD:-_build}
fuzz_secs=${TG_FUZZ_SECONDS:-10}

scripts/install-deps.sh test
# Sources and prefixes of the updater matrix (scripts/updaters.sh), also the
# SWUpdate trees the compiled-in handler test builds from.
mkdir -p "$out"
export TG_SWUPDATE_CACHE=$(cd "$out" && pwd)/updaters

setup() {  # dir, extra meson options...
  local dir=$1; shift
  if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}
SECONDS=0
stage() { printf '== %s (at %dm%02ds)\n' "$1" $((SECONDS / 60)) $((SECONDS % 60)); }

stage "shape: function length and duplicates"
tests/shape/test-shape.sh
tests/shape/function-length.sh
tests/shape/duplicates.sh

stage "build (warnings as errors)"
setup "$out/test" -Dwerror=true -Dfault_injection=true
ninja -C "$out/test"
stage "test suite"
meson test -C "$out/test" --print-errorlogs --num-processes 2
stage "Yocto layer and Buildroot tree: mechanical rules (check-kits)"
tests/packaging/check-kits.sh
tests/packaging/check-kits.sh --self-test
stage "Debian packages: build, lintian, unpacked root, units"
tests/packaging/test-deb.sh "$(cd "$out" && pwd)/deb"
stage "install with -Dlua=5.4 (Debian 13's swupdate)"
tests/packaging/test-lua54.sh "$(cd "$out" && pwd)/lua54"
stage "updater matrix: SWUpdate and RAUC entry points on every version"
tests/matrix.sh "$out"
stage "system test: a real A/B boot in QEMU with RAUC and GRUB (tests/system)"
tests/system/run.sh "$out/system"

stage "whole suite under ASan+UBSan"
setup "$out/asan" -Dwerror=true -Dfault_injection=true -Db_sanitize=address,undefined -Db_lundef=false
ninja -C "$out/asan"
# These reach every process the tests start, also the RAUC handlers, which
# inherit them through `rauc service`: a leak or an error there makes the
# handler fail and the install with it. GSlice would hide allocations from
# the sanitizers. The test environment (tests/meson.build) adds
# LSAN_OPTIONS with tests/lsan.supp (leaks inside system libraries, never
# tollgate's) and $TG_ASAN_PRELOAD for tests that load tollgate code into
# an uninstrumented program (swupdate, lua5.3; HOST_ENV in lib.sh).
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export G_SLICE=always-malloc
meson test -C "$out/asan" --print-errorlogs --num-processes 2
unset ASAN_OPTIONS UBSAN_OPTIONS G_SLICE

if command -v clang >/dev/null &&
   ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  stage "fuzz smoke: ${fuzz_secs}s per target (libFuzzer)"
  LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0 \
    TG_FUZZ_BUILD=$out/fuzz tests/fuzz/run.sh "$fuzz_secs"
else
  echo "# clang or libFuzzer missing: no fuzz smoke (the corpus replay above ran; scripts/install-deps.sh fuzz)"
fi
stage "all tests passed"
