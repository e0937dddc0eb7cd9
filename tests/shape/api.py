#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The public API as installed, checked on a configured and built tree.

  api.py BUILD_DIR

- Every header meson installs under include/tollgate compiles alone
  (-Wall -Werror, C11), from a copy laid out as it is installed, with
  nothing but the public dependencies' flags.
- No installed header gives the body of TgPolicy, TgState, TgCandidate or
  TgDecision.
- `nm -D libtollgate.so` exports exactly the functions the installed
  headers declare with TG_EXPORT (the documented API), and no symbol of
  the evidence exporter (tg_ev_*, tg_evidence_*).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

OPAQUE = ("TgPolicy", "TgState", "TgCandidate", "TgDecision")
PKGS = ["glib-2.0", "json-glib-1.0"]


def fail(msg):
    print("api: " + msg, file=sys.stderr)
    sys.exit(1)


def installed_headers(build):
    r = subprocess.run(["meson", "introspect", "--installed", build],
                       capture_output=True, text=True, check=True)
    out = {}
    for src, dest in json.loads(r.stdout).items():
        parts = dest.split(os.sep)
        if dest.endswith(".h") and "include" in parts:
            rel = os.sep.join(parts[parts.index("include") + 1:])
            out[rel] = src
    if not out:
        fail("meson installs no header from %s; configure it first" % build)
    return out


def compile_alone(headers, cflags):
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        inc = os.path.join(tmp, "include")
        for rel, src in headers.items():
            os.makedirs(os.path.dirname(os.path.join(inc, rel)), exist_ok=True)
            shutil.copy(src, os.path.join(inc, rel))
        probe = os.path.join(tmp, "probe.c")
        for rel in sorted(headers):
            with open(probe, "w") as f:
                f.write("#include <%s>\n" % rel)
            extra = ["-I" + os.path.join(inc, os.path.dirname(rel))] if "/" in rel else []
            cmd = ["cc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
                   "-I" + inc] + extra + cflags + [probe]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                first = (r.stderr.strip().splitlines() or ["?"])[0]
                problems.append("installed header %s does not compile alone: %s" % (rel, first))
    return problems


def bodies(headers):
    problems = []
    for rel, src in sorted(headers.items()):
        text = open(src).read()
        for name in OPAQUE:
            if re.search(r"struct\s+_%s\s*\{" % name, text):
                problems.append("installed header %s defines the body of %s" % (rel, name))
    return problems


def declared(headers):
    names = set()
    for src in headers.values():
        text = re.sub(r"/\*.*?\*/", " ", open(src).read(), flags=re.S)
        for decl in re.findall(r"TG_EXPORT\b[^;{]*?;", text, flags=re.S):
            m = re.search(r"\b(tg_[a-z0-9_]+)\s*\(", decl)
            if m:
                names.add(m.group(1))
    return names


def exported(build):
    so = os.path.join(build, "libtollgate.so")
    if not os.path.exists(so):
        fail("%s is missing; build the tree first" % so)
    r = subprocess.run(["nm", "-D", "--defined-only", so], capture_output=True, text=True,
                       check=True)
    out = set()
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TtWDBR":
            sym = parts[2].split("@")[0]
            if sym != "TOLLGATE_0":
                out.add(sym)
    return out


def main():
    if len(sys.argv) != 2:
        fail("usage: api.py BUILD_DIR")
    build = os.path.abspath(sys.argv[1])
    headers = installed_headers(build)
    cflags = subprocess.run(["pkg-config", "--cflags"] + PKGS, capture_output=True, text=True,
                            check=True).stdout.split()
    public = {k: v for k, v in headers.items() if k.startswith("tollgate/")}
    problems = compile_alone(headers, cflags) + bodies(public)
    decl, exp = declared(public), exported(build)
    for s in sorted(exp - decl):
        problems.append("libtollgate.so exports %s, which no installed header declares" % s)
    for s in sorted(decl - exp):
        problems.append("%s is declared TG_EXPORT but libtollgate.so does not export it" % s)
    for s in sorted(exp):
        if s.startswith(("tg_ev_", "tg_evidence_")):
            problems.append("libtollgate.so carries the evidence exporter (%s)" % s)
    for p in problems:
        print("api: " + p, file=sys.stderr)
    print("api: %d installed headers compile alone; libtollgate.so exports %d symbols, "
          "all declared" % (len(headers), len(exp)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
