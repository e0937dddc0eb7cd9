#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Benchmark: audit verification throughput against sha256sum on the same
# files (target: at least 0.8x; see "Performance targets" in the design).
#
# Usage: tests/bench/audit-verify.sh BUILD_DIR [MEGABYTES]
#
#   BUILD_DIR   a configured and built meson build directory (its
#               libtollgate-internal.a is linked into the two helpers)
#   MEGABYTES   size of the generated log, default 1024
#
# Environment:
#   TG_BENCH_DIR  where the log goes (kept and reused when it already holds
#                 a log); default: a temporary directory, removed at the end
#   TG_BENCH_LIB  library to link instead of BUILD_DIR/libtollgate-internal.a
#   TG_BENCH_RUNS timed runs of each tool, best one counts (default 3)
#
# Both tools read the files from the page cache (a warm-up pass reads them
# first), so the comparison is CPU against CPU.
set -euo pipefail

die() { echo "audit-verify.sh: $*" >&2; exit 2; }

[ $# -ge 1 ] || die "usage: $0 BUILD_DIR [MEGABYTES]"
build=$(cd "$1" && pwd) || die "no build directory $1"
megabytes=${2:-1024}
runs=${TG_BENCH_RUNS:-3}
src=$(cd "$(dirname "$0")/../.." && pwd)
lib=${TG_BENCH_LIB:-$build/libtollgate-internal.a}
[ -f "$lib" ] || die "$lib is missing: run 'ninja -C $build' first"

work=$(mktemp -d "${TMPDIR:-/tmp}/tg-bench-XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
data=${TG_BENCH_DIR:-$work/log}

# The two helpers, built against the library of BUILD_DIR.
pkgs="glib-2.0 gio-2.0 gio-unix-2.0 gmodule-2.0 json-glib-1.0 libcrypto"
cflags="-O2 -I$src/policy/core -I$src/policy/core/include -I$src/policy/config/include -I$src/policy/state/include -I$src/policy/audit/include -I$build $(pkg-config --cflags $pkgs)"
libs="$lib $(pkg-config --libs $pkgs) -lm"
for prog in gen-audit-log; do
	# shellcheck disable=SC2086
	cc $cflags -o "$work/$prog" "$src/tests/bench/$prog.c" $libs
done

key=$work/bench.key
printf 'tollgate-benchmark-checkpoint-key-0001' >"$key"
chmod 600 "$key"

if [ ! -e "$data/audit.log" ]; then
	echo "generating about $megabytes MB of audit records in $data ..."
	start=$(date +%s.%N)
	"$work/gen-audit-log" "$data" "$megabytes" "$key"
	end=$(date +%s.%N)
	awk -v s="$start" -v e="$end" 'BEGIN { printf "generated in %.1f s\n", e - s }'
fi
# Oldest first, like tg_audit_list_files(): audit.log.N ... audit.log.1, audit.log.
mapfile -t files < <({ ls -1 "$data" | grep -E '^audit\.log\.[0-9]+$' || true; } |
			sort -t. -k3,3nr | sed "s|^|$data/|"; echo "$data/audit.log")
bytes=$(cat "${files[@]}" | wc -c)
records=$(cat "${files[@]}" | wc -l)
echo "log: ${#files[@]} files, $records records, $bytes bytes"

cat "${files[@]}" >/dev/null	# warm the page cache

# Prints the best wall-clock seconds of $runs runs of "$@".
best_of() {
	local best="" t0 t1 t
	for _ in $(seq "$runs"); do
		t0=$(date +%s.%N)
		"$@" >/dev/null
		t1=$(date +%s.%N)
		t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
		if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then
			best=$t
		fi
	done
	echo "$best"
}

# Without a key the checkpoints are only counted; with it every one is
# verified (HMAC). The key variant is the one compared.
tg="$build/handlers/cli/tollgate"
[ -x "$tg" ] || die "$tg is missing; build the tree first"
"$tg" audit verify --dir "$data" --key "$key" >/dev/null || die "verification failed on the generated log"
sha=$(best_of sha256sum "${files[@]}")
ver=$(best_of "$tg" audit verify --dir "$data" --key "$key")
awk -v bytes="$bytes" -v sha="$sha" -v ver="$ver" 'BEGIN {
	s = bytes / sha / 1e6; v = bytes / ver / 1e6; r = v / s
	printf "sha256sum:     %8.1f MB/s (%.3f s)\n", s, sha
	printf "audit verify:  %8.1f MB/s (%.3f s)\n", v, ver
	met = (r >= 0.8)
	printf "ratio:         %8.2fx (target >= 0.80x): %s\n", r, (met ? "met" : "NOT met")
	exit (met ? 0 : 1)
}'
