#!/usr/bin/env bash
# Runs a libFuzzer campaign of SECONDS per fuzz target (clang, ASan+UBSan).
# Usage: tests/fuzz/run.sh SECONDS [TARGET...]
# New interesting inputs stay in _build/fuzz-work/<target>; a crash is copied
# into tests/fuzz/corpus/<target>/ as a regression input and the script fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:?usage: tests/fuzz/run.sh SECONDS [TARGET...]}; shift || true

if ! command -v clang >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  scripts/install-deps.sh fuzz
fi

dir=${TG_FUZZ_BUILD:-_build/fuzz}  # tests/run.sh puts it beside its other builds
if [ ! -d "$dir" ]; then
  CC=clang meson setup "$dir" -Dfuzzing=true -Dfault_injection=false \
    -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link \
    -Dbuildtype=debugoptimized >/dev/null
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in tests/fuzz/fuzz-*.c; do t=${f#tests/fuzz/fuzz-}; targets+=("${t%.c}"); done
fi
ninja -C "$dir" $(printf 'tests/fuzz/fuzz-%s ' "${targets[@]}") >/dev/null

failed=0
printf '%-16s %12s %10s  %s\n' target execs "exec/s" result
for t in "${targets[@]}"; do
  work=_build/fuzz-work/$t; mkdir -p "$work" "_build/fuzz-crash/$t"
  dict=(); [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  log=_build/fuzz-work/$t.log
  rc=0
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
    "$dir/tests/fuzz/fuzz-$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="_build/fuzz-crash/$t/" "${dict[@]}" "$work" "tests/fuzz/corpus/$t" \
    >"$log" 2>&1 || rc=$?
  execs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  rate=$(grep -Eo 'exec/s: [0-9]+' "$log" | tail -1 | awk '{print $2}')
  if [ "$rc" -ne 0 ]; then
    failed=1
    for c in "_build/fuzz-crash/$t"/*; do
      [ -f "$c" ] && cp "$c" "tests/fuzz/corpus/$t/regress-$(sha256sum "$c" | cut -c1-16)"
    done
    printf '%-16s %12s %10s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "CRASH (see $log; input kept in tests/fuzz/corpus/$t)"
  else
    printf '%-16s %12s %10s  %s\n' "$t" "${execs:-?}" "${rate:-?}" ok
  fi
done
exit $failed
