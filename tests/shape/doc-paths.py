#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Paths the documents name must exist: every `path` in backticks and every
Markdown link target under one of the tree's top folders, in ARCHITECTURE.md,
README.md and docs/*.md (globs must match at least one file); and
ARCHITECTURE.md names every folder that holds C sources.

  doc-paths.py [FILE...]     (default: the documents above)
"""
import glob
import os
import re
import sys

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ROOTS = ("policy/", "plugins/", "notify/", "evidence/", "handlers/", "tests/", "scripts/",
         "examples/", "docs/", "data/")
# Paths in SWUpdate's tree, which docs/swupdate.md names on purpose.
FOREIGN = {"handlers/Config.in", "handlers/Kconfig", "handlers/Makefile"}
TOKEN = re.compile(r"`([^`\s]+)`|\]\(([^)\s#]+)")


def candidates(text):
    for m in TOKEN.finditer(text):
        raw = (m.group(1) or m.group(2)).rstrip(".,;:)")
        raw = raw.split("#")[0]
        if raw.startswith(ROOTS) and raw not in FOREIGN and not re.search(r"[<>${}]|NAME|TYPE|\.\.\.", raw):
            yield raw


def missing_in(path):
    text = open(path).read()
    base = TOP if os.path.dirname(os.path.abspath(path)) == TOP else os.path.dirname(path)
    out = []
    for p in sorted(set(candidates(text))):
        hits = glob.glob(os.path.join(TOP, p)) or glob.glob(os.path.join(base, p))
        if not hits:
            out.append(p)
    return out


def unmapped_folders():
    """Source folders that ARCHITECTURE.md does not name."""
    text = open(os.path.join(TOP, "ARCHITECTURE.md")).read()
    out = []
    for d in ("policy", "plugins", "notify", "evidence", "handlers"):
        for root, _, names in os.walk(os.path.join(TOP, d)):
            if any(n.endswith(".c") for n in names):
                rel = os.path.relpath(root, TOP) + "/"
                if "`" + rel + "`" not in text:
                    out.append(rel)
    return out


def main():
    files = sys.argv[1:] or ([os.path.join(TOP, "ARCHITECTURE.md"), os.path.join(TOP, "README.md")]
                             + sorted(glob.glob(os.path.join(TOP, "docs", "*.md"))))
    bad = 0
    if not sys.argv[1:]:
        for d in unmapped_folders():
            print("doc-paths: ARCHITECTURE.md does not name the source folder %s; "
                  "describe it there" % d, file=sys.stderr)
            bad += 1
    for f in files:
        for p in missing_in(f):
            print("doc-paths: %s names %s, which does not exist; fix the path" %
                  (os.path.relpath(f, TOP), p), file=sys.stderr)
            bad += 1
    print("doc-paths: %d documents checked, %d missing paths" % (len(files), bad))
    sys.stdout.flush()
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
