#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The updater matrix (tests/run.sh; docs/swupdate.md "Tested versions"):
# every SWUpdate and RAUC entry point's integration tests against every
# version. The system's SWUpdate 2022.12 and RAUC 1.8 are the suite's own
# run (BUILD/test); newer versions are built from Debian's source packages
# by scripts/updaters.sh into prefixes under BUILD/updaters. For each newer
# SWUpdate, tollgate is built again against it (-Dswupdate_prefix: its
# libswupdate, its Lua), for RAUC the same tests run with TG_RAUC_PREFIX.
#
#   tests/matrix.sh BUILD
#
# Prints the matrix (pass / FAIL / skip per cell, with every skip's reason)
# and writes it to BUILD/matrix.md; exits non-zero when a cell failed. Only
# sources that cannot be fetched are a skip: an updater that does not build
# fails its cells.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: tests/matrix.sh BUILD}
out=$(cd "$out" && pwd)
cells=(swupdate-2024.12.1 rauc-1.13 rauc-1.15.2)
swu_tests=(swupdate-builtin swupdate-lua swupdate-precheck swupdate-failure)
rauc_tests=(rauc attacks-rauc)
declare -A result=() reason=() build_failed=()
failed=0

# record BUILD_DIR COLUMN: the results of BUILD_DIR's last meson test run.
record() {
  local log=$1/meson-logs/testlog.json name res
  [ -f "$log" ] || return 0
  while IFS=$'\t' read -r name res; do
    case $res in OK|EXPECTEDFAIL) res=pass ;; SKIP) res=skip ;; *) res=FAIL; failed=1 ;; esac
    result[$name@$2]=$res
  done < <(jq -r '[.name, .result] | @tsv' "$log" | sed 's/^tollgate:[a-z]* \/ //; s/^[^\t]* \/ //')
}

# The system's versions: the suite's own run.
sys_swu="swupdate $(dpkg-query -W -f='${Version}' swupdate 2>/dev/null | sed 's/+.*//')"
sys_rauc="rauc $(rauc --version 2>/dev/null | awk '{ print $2 }')"
record "$out/test" "$sys_swu"
for t in "${rauc_tests[@]}"; do
  [ -n "${result[$t@$sys_swu]:-}" ] && result[$t@$sys_rauc]=${result[$t@$sys_swu]}
done
columns=("$sys_swu (system)" "$sys_rauc (system)")
for t in "${swu_tests[@]}" "${rauc_tests[@]}"; do
  result[$t@$sys_swu (system)]=${result[$t@$sys_swu]:-not run}
  result[$t@$sys_rauc (system)]=${result[$t@$sys_rauc]:-not run}
done

scripts/updaters.sh --out "$out/updaters" "${cells[@]}" | tee "$out/updaters.status"
for cell in "${cells[@]}"; do
  name=${cell%%-*} ver=${cell#*-} col="${cell%%-*} ${cell#*-}"
  columns+=("$col")
  status=$(cat "$out/updaters/$cell/status")
  prefix=$out/updaters/$cell/prefix
  case $status in
    ok\ *) ;;
    skipped:*) reason[$col]=${status#skipped: }; continue ;;
    *) echo "matrix: $cell: $status" >&2; build_failed[$col]=1; failed=1; continue ;;
  esac
  if [ "$name" = swupdate ]; then
    dir=$out/swu-$ver
    opts=(-Dwerror=true -Dfault_injection=true -Dswupdate_prefix="$prefix" -Dlua=auto)
    [ -f "$dir/build.ninja" ] || rm -rf "$dir"
    if [ -d "$dir" ]; then meson setup --reconfigure "$dir" "${opts[@]}" >"$out/swu-$ver.setup.log" 2>&1
    else meson setup "$dir" "${opts[@]}" >"$out/swu-$ver.setup.log" 2>&1; fi ||
      { tail -20 "$out/swu-$ver.setup.log"; exit 1; }
    ninja -C "$dir" >"$out/swu-$ver.ninja.log" 2>&1 || { tail -30 "$out/swu-$ver.ninja.log"; exit 1; }
    meson test -C "$dir" --print-errorlogs --num-processes 2 "${swu_tests[@]}" ||
      true
    record "$dir" "$col"
  else
    TG_RAUC_PREFIX=$prefix meson test -C "$out/test" --print-errorlogs --num-processes 2 \
      --logbase "rauc-$ver" "${rauc_tests[@]}" || true
    mkdir -p "$out/rauc-$ver/meson-logs"
    cp "$out/test/meson-logs/rauc-$ver.json" "$out/rauc-$ver/meson-logs/testlog.json"
    record "$out/rauc-$ver" "$col"
  fi
done

# The table: one row per entry point, one column per version.
{
  printf '| entry point (test) |'; for col in "${columns[@]}"; do printf ' %s |' "$col"; done; echo
  printf '|---|'; for _ in "${columns[@]}"; do printf -- '---|'; done; echo
  for t in "${swu_tests[@]}" "${rauc_tests[@]}"; do
    printf '| %s |' "$t"
    for col in "${columns[@]}"; do
      case "$t:$col" in
        swupdate*:rauc*|rauc*:swupdate*|attacks-rauc:swupdate*) printf ' |' ; continue ;;
      esac
      if [ -n "${reason[$col]:-}" ]; then printf ' skip¹ |'
      elif [ -n "${build_failed[$col]:-}" ]; then printf ' FAIL (build) |'
      else
        printf ' %s |' "${result[$t@$col]:-not run}"
        case "${result[$t@$col]:-not run}" in FAIL|"not run") failed=1 ;; esac
      fi
    done
    echo
  done
  for col in "${columns[@]}"; do
    [ -n "${reason[$col]:-}" ] && echo && echo "¹ $col skipped: ${reason[$col]}"
  done
  true
} >"$out/matrix.md"
echo "== updater matrix"
cat "$out/matrix.md"
# The docs show the matrix as CI ran it: a full run (no skip) must match.
if [ ${#reason[@]} -eq 0 ]; then
  scripts/matrix-docs.sh --check "$out/matrix.md" || failed=1
else
  echo "# a cell was skipped: the tested-versions table in the docs was not compared"
fi
exit $failed
