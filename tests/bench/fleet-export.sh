#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark: `tollgate evidence` over a fleet against `jq -c .` over the same
# files (target: faster than jq, memory flat in the number of records; see
# "Performance targets" in the design). Two runs: DEVICES x RECORDS, then
# DEVICES x (RECORDS x SCALE) to show that the peak memory stays the same.
#
# Usage: tests/bench/fleet-export.sh BUILD_DIR
#
#   BUILD_DIR   a configured and built meson build directory (its tollgate
#               binary runs the export; its libtollgate-internal.a is linked
#               into the generator)
#
# Environment:
#   TG_BENCH_DEVICES  devices, default 1000
#   TG_BENCH_RECORDS  records per device in the first run, default 1000
#   TG_BENCH_SCALE    factor for the second run, default 10 (0 skips it)
#   TG_BENCH_DIR      where the logs go (kept when given); default: a
#                     temporary directory, removed at the end. The second
#                     run needs about SCALE times the first one's disk space
#                     (1000 x 10000 records are about 12 GB).
#
# Files are read from the page cache (a warm-up pass reads them first), so
# the comparison is CPU against CPU. Time and peak memory come from GNU time
# (/usr/bin/time -v; Debian package "time").
set -euo pipefail

die() { echo "fleet-export.sh: $*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: $0 BUILD_DIR"
build=$(cd "$1" && pwd) || die "no build directory $1"
devices=${TG_BENCH_DEVICES:-1000}
records=${TG_BENCH_RECORDS:-1000}
scale=${TG_BENCH_SCALE:-10}
src=$(cd "$(dirname "$0")/../.." && pwd)
lib=$build/libtollgate-internal.a
tg=$build/handlers/cli/tollgate
[ -f "$lib" ] && [ -x "$tg" ] || die "$build is not built: run 'ninja -C $build' first"
command -v jq >/dev/null || die "jq is missing (scripts/install-deps.sh test installs it)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"

work=$(mktemp -d "${TMPDIR:-/tmp}/tg-fleet-XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
data=${TG_BENCH_DIR:-$work/data}

pkgs="glib-2.0 gio-2.0 gio-unix-2.0 gmodule-2.0 json-glib-1.0 libcrypto"
# shellcheck disable=SC2086
cc -O2 -I"$src/policy/core" -I"$src/policy/core/include" -I"$src/policy/config/include" -I"$src/policy/state/include" -I"$src/policy/audit/include" -I"$build" $(pkg-config --cflags $pkgs) \
	-o "$work/gen-fleet" "$src/tests/bench/gen-fleet.c" "$lib" $(pkg-config --libs $pkgs) -lm

# The fleet's policy: one mechanism, declared, so the export does the full work.
policy=$work/policy.conf
cat >"$policy" <<EOF
[device]
model = TG-Router 3000
[support]
end = 2031-12-31
[state]
directory = $work/state
[mechanism]
default = swu-net
[mechanism.swu-net]
description = Signed SWUpdate images over HTTPS
delivery = network
[component.system]
mechanisms = swu-net
EOF
chmod 644 "$policy"

# "seconds peak-KiB" of "$@" from GNU time.
measure() {
	/usr/bin/time -v "$@" >/dev/null 2>"$work/time.txt" || { cat "$work/time.txt" >&2; die "$1 failed"; }
	awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0
			for (i = 1; i <= n; i++) s = s * 60 + t[i]; secs = s }
		    /Maximum resident set size/ { kb = $2 }
		    END { printf "%.2f %d\n", secs, kb }' "$work/time.txt"
}

run() {  # RECORDS-PER-DEVICE
	local per=$1 dir=$data/fleet-$1 bytes count jqr tgr
	if [ ! -d "$dir" ]; then
		echo "generating $devices devices x $per records in $dir ..."
		"$work/gen-fleet" "$dir" "$devices" "$per"
	fi
	bytes=$(find "$dir" -name audit.log -printf '%s\n' | awk '{ s += $1 } END { print s }')
	count=$((devices * per))
	find "$dir" -name audit.log -print0 | xargs -0 cat >/dev/null	# warm the page cache
	jqr=$(measure sh -c "find '$dir' -name audit.log -print0 | sort -z | xargs -0 jq -c . >/dev/null")
	tgr=$(measure "$tg" --config "$policy" --now 2027-01-01T00:00:00Z evidence \
		--out "$work/pack-$per" --logs "$dir")
	awk -v n="$count" -v b="$bytes" -v d="$devices" -v p="$per" -v j="$jqr" -v t="$tgr" 'BEGIN {
		split(j, J, " "); split(t, T, " ")
		printf "\n%d devices x %d records = %d records, %.1f MB\n", d, p, n, b / 1e6
		printf "  %-18s %9s %12s %12s %12s\n", "tool", "seconds", "records/s", "MB/s", "peak RSS"
		printf "  %-18s %9.2f %12.0f %12.1f %9.1f MiB\n", "jq -c .", J[1], n / J[1], b / J[1] / 1e6, J[2] / 1024
		printf "  %-18s %9.2f %12.0f %12.1f %9.1f MiB\n", "tollgate evidence", T[1], n / T[1], b / T[1] / 1e6, T[2] / 1024
		printf "  speed-up over jq: %.2fx (target > 1): %s\n", J[1] / T[1], (T[1] < J[1] ? "met" : "NOT met")
	}'
	echo "$tgr" >"$work/rss-$per"
}

run "$records"
if [ "$scale" -gt 0 ]; then
	run $((records * scale))
	awk -v a="$(cat "$work/rss-$records")" -v b="$(cat "$work/rss-$((records * scale))")" \
	    -v s="$scale" 'BEGIN { split(a, A, " "); split(b, B, " ")
		printf "\npeak RSS of the export with %dx the records: %.1f MiB vs %.1f MiB (%.2fx)\n",
		       s, B[2] / 1024, A[2] / 1024, B[2] / A[2] }'
fi
