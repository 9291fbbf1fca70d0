#!/usr/bin/env python3
"""The architecture as a check (`make check-layout`, part of `make check`; docs/architecture.md).

1. Include directions.  Each folder may include the project headers of the folders RULES lists for it,
   and no other; policies/ includes libc and its own headers only; no file outside sim/ includes
   SimGrid (simgrid/, xbt/).
2. No call circles between files (with --objects BUILD_DIR): from the symbols each object file of the
   programs defines and uses (nm), the "calls a function of" relation between source files must have
   no cycle: if a.c calls b.c, nothing b.c calls, directly or not, calls a.c.

usage: tests/check_layout.py [--root DIR] [--objects BUILD_DIR] [--self-test]
Prints every violation as FILE:LINE: what, and exits 1 when there is one, else 0.  --self-test first
checks that the check itself fails: on a copy of the sources with a forbidden include added in each
of three places, each must be reported.
"""
import argparse
import collections
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Folder -> the project folders its files may include (a folder always may include itself).  The order
# is the layering: each may include only folders above it.  Keep docs/architecture.md's table in step.
RULES = {
    "policies": [],
    "models/base": [],
    "models/memory": ["models/base"],
    "models/workload": ["models/base", "models/memory"],
    "models/scenario": ["models/base", "models/memory", "models/workload", "policies"],
    "models/results": ["models/base", "models/memory", "models/workload", "models/scenario", "policies"],
    "models/driver": ["models/base", "models/memory", "models/workload", "models/scenario", "models/results",
                      "policies"],
    "models/pool": ["models/base", "models/memory", "models/workload", "models/scenario", "models/results",
                    "models/driver", "policies"],
    "hw-trace": ["models/base", "models/memory", "models/workload", "models/scenario", "models/results",
                 "policies"],
    "hw-trace/exec": ["hw-trace", "models/base", "models/memory", "models/workload", "models/scenario",
                      "models/results", "models/driver", "policies"],
    "sim": ["hw-trace", "models/base", "models/memory", "models/workload", "models/scenario", "models/results",
            "models/driver", "models/pool", "policies"],
    "docs/examples": ["policies"],
    "tests/unit": None,  # tests may include anything
    "tests/fuzz": None,
}
SIMGRID = re.compile(r"^(simgrid|xbt)/")
# policies/ is shared verbatim with hardware drivers: the C library and nothing else.
LIBC = {"assert.h", "ctype.h", "errno.h", "float.h", "inttypes.h", "limits.h", "math.h", "stdarg.h",
        "stdbool.h", "stddef.h", "stdint.h", "stdio.h", "stdlib.h", "string.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def folder_of(path):
    """The RULES folder a source file belongs to (the longest matching prefix), or None."""
    best = None
    for f in RULES:
        if path.startswith(f + "/") and (best is None or len(f) > len(best)):
            best = f
    return best


def sources(root):
    for ext in ("c", "h", "cu"):
        for p in glob.glob(f"{root}/**/*.{ext}", recursive=True):
            rel = os.path.relpath(p, root)
            if rel.startswith(("build/", ".git/")) or folder_of(rel) is None:
                continue
            yield rel


def check_includes(root):
    bad = []
    for rel in sorted(sources(root)):
        folder = folder_of(rel)
        allowed = RULES[folder]
        with open(os.path.join(root, rel), errors="replace") as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                kind, inc = m.groups()
                if SIMGRID.match(inc) and folder != "sim":
                    bad.append(f"{rel}:{n}: includes <{inc}>: SimGrid belongs to sim/ alone")
                    continue
                if folder == "policies" and kind == "<" and inc not in LIBC:
                    bad.append(f"{rel}:{n}: includes <{inc}>: policies/ includes the C library and "
                               f"policies/ headers only")
                    continue
                if kind != '"' or allowed is None:
                    continue
                target = folder_of(inc)
                if target is None or target == folder or target in allowed:
                    continue
                may = ", ".join(allowed) if allowed else "nothing but its own headers"
                bad.append(f"{rel}:{n}: includes \"{inc}\": {folder}/ may include {may} "
                           f"(docs/architecture.md)")
    return bad


def nm(objs):
    """{object: (defined symbols, used symbols)}, from one nm over every object (one process, not one
    per object: make check runs this on every build)."""
    out = subprocess.run(["nm", "-A", *objs], capture_output=True, text=True, check=True).stdout
    res = {o: (set(), set()) for o in objs}
    for line in out.splitlines():
        # "OBJECT:[VALUE] TYPE SYMBOL" (-A: every line names its object; no path here has a colon)
        obj, _, rest = line.partition(":")
        p = rest.split()
        if obj not in res:
            continue
        if len(p) == 3 and p[1] in "TDBRCG":
            res[obj][0].add(p[2])
        elif len(p) == 2 and p[0] == "U":
            res[obj][1].add(p[1])
    return res


def check_calls(root, build):
    objs = {}
    for o in glob.glob(f"{build}/**/*.o", recursive=True):
        rel = os.path.relpath(o, build)[:-2]
        for ext in (".c", ".cu"):
            if os.path.exists(os.path.join(root, rel + ext)) and not rel.startswith("tests/"):
                objs[rel + ext] = o
    if not objs:
        return [f"{build}: no object files (build first)"]
    syms, uses = {}, {}
    tables = nm(list(objs.values()))
    for src, o in objs.items():
        d, u = tables[o]
        uses[src] = u
        for s in d:
            syms[s] = src
    calls = collections.defaultdict(dict)
    for src, u in uses.items():
        for s in sorted(u):
            dst = syms.get(s)
            if dst and dst != src:
                calls[src].setdefault(dst, s)
    # Tarjan's strongly connected components: every component of more than one file is a circle.
    index, low, stack, on, comps = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in calls[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(objs):
        if v not in index:
            visit(v)
    bad = []
    for comp in comps:
        if len(comp) < 2:
            continue
        edges = [f"{a} -> {b} ({calls[a][b]})" for a in comp for b in sorted(calls[a]) if b in comp]
        bad.append(f"{comp[0]}:1: call circle between {', '.join(comp)}: " + "; ".join(edges))
    return bad


# (file, include line added, what the report must say)
SELF_TEST = [
    ("models/base/json.c", '#include "sim/sim.h"', 'models/base/json.c:1: includes "sim/sim.h"'),
    ("models/memory/vram.c", '#include "models/driver/driver.h"', "models/memory/ may include models/base"),
    ("policies/fifo.c", "#include <glib.h>", "policies/fifo.c:1: includes <glib.h>"),
    ("hw-trace/orion.c", "#include <simgrid/engine.h>", "SimGrid belongs to sim/ alone"),
]


def self_test(root):
    tmp = tempfile.mkdtemp(prefix="vgs-layout-")
    try:
        for rel in sources(root):
            os.makedirs(os.path.dirname(os.path.join(tmp, rel)), exist_ok=True)
            shutil.copy(os.path.join(root, rel), os.path.join(tmp, rel))
        if check_includes(tmp):
            return ["self-test: the unchanged copy already fails"]
        missed = []
        for rel, line, want in SELF_TEST:
            p = os.path.join(tmp, rel)
            with open(p) as f:
                text = f.read()
            with open(p, "w") as f:
                f.write(line + "\n" + text)
            if not any(want in b for b in check_includes(tmp)):
                missed.append(f"self-test: adding {line} to {rel} was not reported")
            with open(p, "w") as f:
                f.write(text)
        return missed
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(usage=__doc__.split("usage: ")[1].split("\n")[0])
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--objects", metavar="BUILD_DIR")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args()
    bad = self_test(a.root) if a.self_test else []
    bad += check_includes(a.root)
    if a.objects:
        bad += check_calls(a.root, a.objects)
    for b in bad:
        print(b, file=sys.stderr)
    nfiles = len(list(sources(a.root)))
    if bad:
        print(f"check-layout: {len(bad)} violation(s)", file=sys.stderr)
        return 1
    print(f"check-layout: {nfiles} files include only what their folder may"
          + (", no call circle between files" if a.objects else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
