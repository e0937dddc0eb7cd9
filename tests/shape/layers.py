#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The layering that meson.build promises, checked on a configured build.

  layers.py BUILD_DIR [--plant LAYER:HEADER]
  layers.py --self-test

1. Includes: for every layer, a throw-away file that includes one header is
   preprocessed with exactly the flags meson gives that layer's sources.
   Headers of the layer and the layers below must resolve; every header of
   a layer above (or beside) must not.
2. Calls: from the layer libraries' object files (nm), a file that uses a
   symbol defined in a layer it may not use is an error, and so is any
   cycle of files that use each other's symbols.

--plant adds one wrong include to the first source of LAYER (in a copy) and
expects the compile to fail (tests/shape/meson.build runs it to show the
check bites); --self-test plants a cycle for the cycle finder.
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile

# Lowest first: (name, folder, layers it may use besides itself).
LAYERS = [
    ("core", "policy/core", []),
    ("config", "policy/config", ["core"]),
    ("state", "policy/state", ["core", "config"]),
    ("audit", "policy/audit", ["core", "config", "state"]),
    ("plugins", "plugins", ["core", "config", "state", "audit"]),
    ("engine", "policy/engine", ["core", "config", "state", "audit", "plugins"]),
    ("notify", "notify", ["core", "config", "state", "audit", "plugins", "engine"]),
    ("evidence", "evidence", ["core", "config", "state", "audit"]),
]
FOLDER = {name: folder for name, folder, _ in LAYERS}
ALLOWED = {name: set(uses) | {name} for name, _, uses in LAYERS}


def fail(msg):
    print("layers: " + msg, file=sys.stderr)
    sys.exit(1)


def headers(src, layer):
    """Include names of a layer's headers: private ones by file name, public
    ones as tollgate/NAME.h."""
    folder = os.path.join(src, FOLDER[layer])
    out = sorted(n for n in os.listdir(folder) if n.endswith(".h"))
    pub = os.path.join(folder, "include", "tollgate")
    if os.path.isdir(pub):
        out += sorted("tollgate/" + n for n in os.listdir(pub) if n.endswith(".h"))
    return out


def layer_of(src, path):
    rel = os.path.relpath(path, src)
    best = None
    for name, folder, _ in LAYERS:
        if os.path.dirname(rel) == folder and (best is None or len(folder) > len(FOLDER[best])):
            best = name
    return best


def compile_entries(build, src):
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = json.load(f)
    per_layer = {}
    for e in entries:
        path = os.path.normpath(os.path.join(e["directory"], e["file"]))
        layer = layer_of(src, path)
        if layer:
            per_layer.setdefault(layer, []).append((path, e))
    missing = [n for n, _, _ in LAYERS if n not in per_layer]
    if missing:
        fail("no compiled source for layer(s) %s in %s/compile_commands.json; "
             "configure the build first" % (", ".join(missing), build))
    return per_layer


def preprocess_cmd(entry, source, tmp_c):
    """The entry's command with @source replaced by @tmp_c, preprocessing only."""
    args = shlex.split(entry["command"])
    out = []
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MQ", "-MT"):
            skip = True
            continue
        if a in ("-c", "-MD"):
            continue
        if os.path.normpath(os.path.join(entry["directory"], a)) == source:
            continue
        out.append(a)
    return out + ["-E", "-o", os.devnull, tmp_c]


def resolves(entry, source, header, tmp):
    tmp_c = os.path.join(tmp, "probe.c")
    with open(tmp_c, "w") as f:
        f.write('#include "%s"\n' % header)
    r = subprocess.run(preprocess_cmd(entry, source, tmp_c), cwd=entry["directory"],
                       capture_output=True, text=True)
    if r.returncode == 0:
        return True, ""
    return False, r.stderr


def check_includes(src, per_layer):
    problems = []
    probes = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, _, _ in LAYERS:
            source, entry = per_layer[name][0]
            for other, _, _ in LAYERS:
                for h in headers(src, other):
                    ok, err = resolves(entry, source, h, tmp)
                    probes += 1
                    if other in ALLOWED[name] and not ok:
                        problems.append("%s cannot include its allowed header %s (%s): %s" %
                                        (name, h, other, err.strip().splitlines()[0]))
                    elif other not in ALLOWED[name] and ok:
                        problems.append("%s can include %s from %s, a layer it may not use" %
                                        (name, h, other))
                    elif other not in ALLOWED[name] and "No such file" not in err:
                        problems.append("including %s from %s fails for another reason: %s" %
                                        (h, name, err.strip().splitlines()[0]))
    return problems, probes


def nm_symbols(obj):
    r = subprocess.run(["nm", "-P", obj], capture_output=True, text=True, check=True)
    defined, used = set(), set()
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        sym, kind = parts[0], parts[1]
        if kind == "U":
            used.add(sym)
        elif kind in "TDBRVW" or kind in "tdbr" and False:
            defined.add(sym)
    return defined, used


def sccs(graph):
    """Tarjan's strongly connected components (iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == node:
                            break
                    if len(comp) > 1:
                        out.append(sorted(comp))
            elif nxt not in index:
                index[nxt] = low[nxt] = counter[0]
                counter[0] += 1
                stack.append(nxt)
                on.add(nxt)
                work.append((nxt, iter(sorted(graph.get(nxt, ())))))
            elif nxt in on:
                low[node] = min(low[node], index[nxt])
    return out


def check_calls(build, src, per_layer):
    owner, uses, layer = {}, {}, {}
    for name in per_layer:
        for path, e in per_layer[name]:
            obj = os.path.join(e["directory"], e["output"])
            rel = os.path.relpath(path, src)
            defined, used = nm_symbols(obj)
            for s in defined:
                owner[s] = rel
            uses[rel] = used
            layer[rel] = name
    problems = []
    graph = {f: set() for f in uses}
    for f, used in uses.items():
        for s in used:
            g = owner.get(s)
            if not g or g == f:
                continue
            graph[f].add(g)
            if layer[g] not in ALLOWED[layer[f]]:
                problems.append("%s (%s) uses %s from %s (%s), a layer it may not use" %
                                (f, layer[f], s, g, layer[g]))
    for comp in sccs(graph):
        problems.append("files that use each other: " + " <-> ".join(comp))
    edges = sum(len(v) for v in graph.values())
    return problems, len(graph), edges


def plant(build, src, spec):
    name, header = spec.split(":", 1)
    per_layer = compile_entries(build, src)
    source, entry = per_layer[name][0]
    with tempfile.TemporaryDirectory() as tmp:
        ok, err = resolves(entry, source, header, tmp)
    if ok:
        fail("planted include of %s in %s compiled: the layering is not enforced" %
             (header, name))
    print("planted include of %s in %s fails as it must: %s" %
          (header, name, err.strip().splitlines()[0]))


def main():
    args = sys.argv[1:]
    if not args:
        fail("usage: layers.py BUILD_DIR [--plant LAYER:HEADER]")
    build = os.path.abspath(args[0])
    src = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    if args == ["--self-test"]:
        got = sccs({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()})
        if got != [["a", "b", "c"]]:
            fail("the cycle finder returned %r for the cycle a -> b -> c -> a" % got)
        print("layers: the cycle finder finds a planted three-file cycle")
        return
    if len(args) == 3 and args[1] == "--plant":
        plant(build, src, args[2])
        return
    per_layer = compile_entries(build, src)
    problems, probes = check_includes(src, per_layer)
    call_problems, files, edges = check_calls(build, src, per_layer)
    problems += call_problems
    for p in problems:
        print("layers: " + p, file=sys.stderr)
    print("layers: %d include probes over %d layers, %d files with %d uses between them" %
          (probes, len(LAYERS), files, edges))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
