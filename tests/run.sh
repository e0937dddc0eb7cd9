#!/usr/bin/env bash
# The test command (README, .ci/run): installs what is missing, builds with
# warnings as errors, runs the whole suite, then repeats the unit suite in a
# second build with AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD

scripts/install-deps.sh test

setup() {  # dir, extra meson options...
  local dir=$1; shift
  if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@" >/dev/null
  fi
}

echo "== build (warnings as errors)"
setup _build/test -Dwerror=true -Dfault_injection=true
ninja -C _build/test
echo "== test suite"
meson test -C _build/test --print-errorlogs --num-processes 2

echo "== unit suite under ASan+UBSan"
setup _build/asan -Dwerror=true -Dfault_injection=true -Db_sanitize=address,undefined -Db_lundef=false
ninja -C _build/asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C _build/asan --suite unit --print-errorlogs --num-processes 2
echo "== all tests passed"
