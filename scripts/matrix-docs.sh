#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The tested-versions table of docs/swupdate.md and docs/rauc.md is the
# matrix a CI run printed (tests/matrix.sh writes it to BUILD/matrix.md):
#
#   scripts/matrix-docs.sh MATRIX.md          # write it into the docs
#   scripts/matrix-docs.sh --check MATRIX.md  # exit 1 when the docs differ
#
# The table sits between the two marker lines below in each file; nothing
# else in the files is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
begin='<!-- tested-matrix: written by scripts/matrix-docs.sh from tests/matrix.sh; do not edit -->'
end='<!-- /tested-matrix -->'
check=0
[ "${1:-}" = --check ] && { check=1; shift; }
matrix=${1:?usage: scripts/matrix-docs.sh [--check] MATRIX.md}
[ -f "$matrix" ] || { echo "matrix-docs: $matrix does not exist; run tests/matrix.sh BUILD first" >&2; exit 2; }
status=0
for doc in docs/swupdate.md docs/rauc.md; do
  if ! grep -qxF "$begin" "$doc" || ! grep -qxF "$end" "$doc"; then
    echo "matrix-docs: $doc lacks the marker lines of the tested-versions table; add '$begin' and '$end'" >&2
    exit 2
  fi
  new=$(awk -v b="$begin" -v e="$end" -v m="$matrix" '
    $0 == b { print; while ((getline line < m) > 0) print line; skip = 1; next }
    $0 == e { skip = 0 }
    !skip' "$doc")
  if [ $check = 1 ]; then
    if [ "$new" != "$(cat "$doc")" ]; then
      echo "matrix-docs: the tested-versions table in $doc differs from this run's matrix; run scripts/matrix-docs.sh $matrix and commit the docs" >&2
      status=1
    fi
  else
    printf '%s\n' "$new" >"$doc"
  fi
done
exit $status
