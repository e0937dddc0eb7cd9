#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Repeated code (the test command, tests/run.sh): no run of 10 or more
# consecutive lines appears twice in the .c and .h files of policy/,
# plugins/, notify/, evidence/ and handlers/, in one file or in two. Code
# written twice drifts apart when one copy is fixed; give it one home and call it.
#
#   tests/shape/duplicates.sh [--min N] [DIR...]
#
# Lines compare with their leading and trailing whitespace stripped. A run
# made only of blank lines, lone braces, comments (license headers among
# them), #include lines and the #if/#endif around them is not code and does
# not count. Prints "fileA:lineA ~ fileB:lineB (N lines)" for each longest
# repeated run and exits 1 if there is one (2 on a usage error). Every
# window of N lines is hashed: the whole tree takes well under a second.
set -euo pipefail
TG_SHAPE_ROOT=$(cd "$(dirname "$0")/../.." && pwd) PYTHONPATH=$(cd "$(dirname "$0")" && pwd) PYTHONDONTWRITEBYTECODE=1 \
  exec python3 - "$@" <<'PY'
import os, re, sys

from shape_args import c_files, parse

minimum, dirs = parse("duplicates", "--min", 10, 1)

BRACES = {"", "{", "}", "};", "},"}
# Lines that only frame other lines, like braces: #include and the
# conditionals around include blocks (#if TG_HAVE_LIBSWUPDATE), #pragma once.
FRAME = re.compile(
    r"#\s*(include|if|ifdef|ifndef|elif|else|endif|pragma\s+once)\b")
TOKENS = re.compile(r'/\*|\*/|//|"(?:\\.|[^"\\])*"?|\'(?:\\.|[^\'\\])*\'?')


def trivial_flags(lines):
    """Per line: True when, comments taken out, nothing but a lone brace or
    a FRAME line is left (block comments are followed across lines)."""
    flags = []
    in_comment = False
    for line in lines:
        code = []
        pos = 0
        while pos < len(line):
            if in_comment:
                end = line.find("*/", pos)
                if end < 0:
                    pos = len(line)
                    break
                in_comment = False
                pos = end + 2
                continue
            m = TOKENS.search(line, pos)
            if not m:
                code.append(line[pos:])
                break
            code.append(line[pos:m.start()])
            tok = m.group(0)
            if tok == "/*":
                in_comment = True
            elif tok == "//":
                break
            elif tok != "*/":
                code.append(tok)            # a string or character literal
            pos = m.end()
        text = "".join(code).strip()
        flags.append(text in BRACES or bool(FRAME.match(text)))
    return flags


files = []      # (path, stripped lines, trivial flags)
for path in c_files(dirs):
    with open(path, encoding="utf-8", errors="replace") as f:
        raw = f.read().split("\n")
    files.append((path, [l.strip() for l in raw], trivial_flags(raw)))

# Every window of `minimum` lines with at least one line of code, by content.
windows = {}
for fi, (_, lines, flags) in enumerate(files):
    code_in_window = sum(not t for t in flags[:minimum])
    for i in range(len(lines) - minimum + 1):
        if i:
            code_in_window += (not flags[i + minimum - 1]) - (not flags[i - 1])
        if code_in_window:
            windows.setdefault(tuple(lines[i:i + minimum]), []).append((fi, i))

# Each pair of equal windows, grown to the longest equal run around it.
runs = set()
for places in windows.values():
    for x in range(len(places)):
        for y in range(x + 1, len(places)):
            (fa, a), (fb, b) = places[x], places[y]
            la, lb = files[fa][1], files[fb][1]
            while a > 0 and b > 0 and la[a - 1] == lb[b - 1]:
                a, b = a - 1, b - 1
            n = minimum + (places[x][1] - a)
            while a + n < len(la) and b + n < len(lb) and \
                    la[a + n] == lb[b + n]:
                n += 1
            if fa == fb and b < a + n:      # a run overlapping itself
                n = b - a
                if n < minimum:
                    continue
            runs.add((fa, a, fb, b, n))

for fa, a, fb, b, n in sorted(runs):
    print(f"{files[fa][0]}:{a + 1} ~ {files[fb][0]}:{b + 1} ({n} lines)")
sys.exit(1 if runs else 0)
PY
