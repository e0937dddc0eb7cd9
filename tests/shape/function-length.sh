#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Function length (the test command, tests/run.sh): no C function in
# policy/, plugins/, notify/, evidence/ or handlers/ is longer than 60 lines, counted
# from the first line of its definition to its closing brace. A function
# that grows past that is doing more than one thing; split it.
#
#   tests/shape/function-length.sh [--max N] [DIR...]
#
# Prints "functions: N, median M, p90 P, max X (file:function)", then
# "file:line: function is L lines (limit N)" for each function over the
# limit, and exits 1 if there is one (2 on a usage error). The scan follows
# the tree's style: the signature starts at column 0 (its return type on
# the same line or on the line before), `{` opens the body alone at column
# 0 and the next `}` at column 0 closes it. Every .c and .h file counts (in
# headers, the static inline functions); GLib macros such as G_DEFINE_* are
# not functions.
set -euo pipefail
TG_SHAPE_ROOT=$(cd "$(dirname "$0")/../.." && pwd) PYTHONPATH=$(cd "$(dirname "$0")" && pwd) PYTHONDONTWRITEBYTECODE=1 \
  exec python3 - "$@" <<'PY'
import math, os, re, statistics, sys

from shape_args import c_files, parse

limit, dirs = parse("function-length", "--max", 60, 0)

OPEN = re.compile(r"^\{\s*(/[*/].*)?$")
CLOSE = re.compile(r"^\}")
RETTYPE = re.compile(r"^[A-Za-z_][A-Za-z0-9_ \t*]*$")    # "static gboolean"
NAME = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\($")
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof"}


def functions(path):
    """(name, first line, length) of every function defined in @path."""
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        if not OPEN.match(lines[i]) or i == 0:
            i += 1
            continue
        # The signature: indented parameter lines up to one at column 0.
        j = i - 1
        while j > 0 and lines[j][:1] in (" ", "\t") and lines[j].strip():
            j -= 1
        sig = " ".join(l.strip() for l in lines[j:i])
        head = lines[j]
        if (not head[:1].isalpha() and head[:1] != "_") or "(" not in sig \
                or sig.rstrip().endswith(";"):
            i += 1
            continue
        m = NAME.search(sig[:sig.index("(") + 1])
        if not m or "=" in sig[:sig.index("(")]:
            i += 1
            continue
        name = m.group(1)
        if name in KEYWORDS or name.startswith("G_DEFINE_") or \
                re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            i += 1
            continue
        start = j
        if j > 0 and RETTYPE.match(lines[j - 1]) and \
                not lines[j - 1].startswith(("G_DEFINE_", "typedef")):
            start = j - 1          # return type on the line before
        k = i + 1
        while k < len(lines) and not CLOSE.match(lines[k]):
            k += 1
        if k == len(lines):
            print(f"{path}:{i + 1}: {name}: no closing brace at column 0",
                  file=sys.stderr)
            sys.exit(2)
        yield name, start + 1, k - start + 1
        i = k + 1


found = []
for path in c_files(dirs):
    found += [(path, *f) for f in functions(path)]

if not found:
    print("functions: 0")
    sys.exit(0)
lengths = sorted(f[3] for f in found)
p90 = lengths[math.ceil(0.9 * len(lengths)) - 1]      # nearest rank
longest = max(found, key=lambda f: f[3])
print(f"functions: {len(found)}, median {statistics.median(lengths):g}, "
      f"p90 {p90}, max {longest[3]} ({longest[0]}:{longest[1]})")
over = [f for f in found if f[3] > limit]
for path, name, line, length in over:
    print(f"{path}:{line}: {name} is {length} lines (limit {limit})")
sys.exit(1 if over else 0)
PY
