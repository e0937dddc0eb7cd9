#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Self-test of the shape checks (tests/run.sh runs it before them): each
# checker meets planted violations in a temporary directory and must find
# exactly those, so a gate that silently stopped seeing anything fails here
# instead of passing the tree. Prints one "ok - ..." or "not ok - ..." line
# per case; exits 1 when a case fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

# case_ DESCRIPTION WANT_STATUS OUTPUT_PATTERN COMMAND...: the command exits
# WANT_STATUS and (when OUTPUT_PATTERN is not empty) its output matches the
# extended regular expression, ^ and $ anchoring it at the output's ends.
case_() {
  local what=$1 want=$2 pattern=$3 got=0 out
  shift 3
  out=$("$@" 2>&1) || got=$?
  n=$((n + 1))
  if [ "$got" -eq "$want" ] &&
     { [ -z "$pattern" ] || printf '%s' "$out" | grep -Ezq -- "$pattern"; }; then
    echo "ok $n - $what"
  else
    echo "not ok $n - $what (exit $got, wanted $want; output wanted: $pattern)"
    sed 's/^/#   /' <<<"$out"
    failed=1
  fi
}

# body N: N distinct statement lines.
body() { for ((i = 1; i <= $1; i++)); do printf '\tx += %d;\n' "$i"; done; }

# function length: a function of exactly N lines, signature to brace.
func() {  # name lines [krstyle]
  if [ "${3:-}" = kr ]; then
    printf 'static int\n%s(int x)\n{\n' "$1"; body $(($2 - 4))
  else
    printf 'static int %s(int x)\n{\n' "$1"; body $(($2 - 3))
  fi
  printf '}\n\n'
}
mkdir -p "$tmp/len60/sub" "$tmp/len61" "$tmp/len61kr" "$tmp/hdr"
{
  echo '/* SPDX-License-Identifier: LGPL-2.1-or-later */'
  echo 'G_DEFINE_QUARK(tg-x-error-quark, tg_x_error)'
  func sixty 60
  func short 5
  printf 'static int table[] =\n{\n\t1,\n};\n'
} >"$tmp/len60/sub/a.c"
func sixty_kr 60 kr >"$tmp/len60/b.c"
func sixty_one 61 >"$tmp/len61/a.c"
func sixty_one_kr 61 kr >"$tmp/len61kr/a.c"
{
  echo '#pragma once'
  printf 'static inline int in_header(int x,\n\t\t\t    int y)\n{\n'; body 57; echo '}'
} >"$tmp/hdr/a.h"

fl=$here/function-length.sh
case_ "function length: 60-line functions pass (K&R or not; G_DEFINE_*, tables)" \
  0 '^functions: 3, median 60, p90 60, max 60 ' "$fl" "$tmp/len60"
case_ "function length: a 61-line function fails and is listed" \
  1 "len61/a.c:1: sixty_one is 61 lines \(limit 60\)" "$fl" "$tmp/len61"
case_ "function length: a return type on the line before counts" \
  1 "len61kr/a.c:1: sixty_one_kr is 61 lines \(limit 60\)" "$fl" "$tmp/len61kr"
case_ "function length: a static inline function in a header counts" \
  1 "hdr/a.h:2: in_header is 61 lines \(limit 60\)" "$fl" "$tmp/hdr"
case_ "function length: --max moves the limit" \
  0 '' "$fl" --max 61 "$tmp/len61"
case_ "function length: the summary names the longest function" \
  1 'max 61 \([^)]*hdr/a.h:in_header\)' "$fl" "$tmp/len60" "$tmp/hdr"

# duplicates: the same N lines in two files, framed by lines of their own.
dup() {  # dir lines
  mkdir -p "$1"
  for f in a b; do
    { printf 'int only_%s(void)\n{\n' "$f"; body "$2"
      printf '\treturn %s_end;\n}\n' "$f"; } >"$1/$f.c"
  done
}
dup "$tmp/dup10" 9     # `{` and 9 statements: 10 equal lines
dup "$tmp/dup9" 8
dup "$tmp/dup14" 13
mkdir -p "$tmp/dupframe"
for f in a b; do
  {
    printf '/* SPDX-License-Identifier: LGPL-2.1-or-later */\n/* %s */\n' "$f"
    printf '#include <glib.h>\n\n#if HAVE_X\n#include <x.h>\n#endif\n\n'
    printf '{\n}\n/* a comment\n * over lines */\n\n};\n\t}\n'
    printf 'int %s;\n' "$f"
  } >"$tmp/dupframe/$f.c"
done
mkdir -p "$tmp/dupself"
{ body 10; echo 'int gap;'; body 10; } >"$tmp/dupself/a.c"

du=$here/duplicates.sh
case_ "duplicates: a 10-line run in two files fails, reported once" \
  1 '^[^ ]*dup10/a.c:2 ~ [^ ]*dup10/b.c:2 \(10 lines\)$' "$du" "$tmp/dup10"
case_ "duplicates: a longer run is reported once, at its full length" \
  1 '^[^ ]*dup14/a.c:2 ~ [^ ]*dup14/b.c:2 \(14 lines\)$' "$du" "$tmp/dup14"
case_ "duplicates: a 9-line run passes" 0 '' "$du" "$tmp/dup9"
case_ "duplicates: blank lines, braces, comments, #include and #if pass" \
  0 '' "$du" "$tmp/dupframe"
case_ "duplicates: a run repeated in the same file fails" \
  1 'dupself/a.c:1 ~ .*dupself/a.c:12 \(10 lines\)' "$du" "$tmp/dupself"
case_ "duplicates: --min moves the threshold" 0 '' "$du" --min 11 "$tmp/dup10"

echo "1..$n"
exit "$failed"
