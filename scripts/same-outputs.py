#!/usr/bin/env python3
"""Do two vgpusim binaries give the same outputs?  The check behind every change that must not change
results (a refactoring, a speed-up): each shipped config (configs/, configs/bench/,
tests/e2e/scenarios/) is run by both, under its own policy and each built-in one, with --commands
--slices --timeline; every capture in tests/traces and ../shared/traces is imported and summarised by
both.  Every file written is compared byte for byte, except summary.json, which is compared field by
field without the fields that describe the run itself: wall-clock figures (`wall*`, `*per_wall_s`),
`version`, how the run was split (`shards`, `shards_why`) and what the import cache did (`import_cache`);
and messages ("in 0.12 s" becomes "in <wall> s").

usage: scripts/same-outputs.py OLD_VGPUSIM NEW_VGPUSIM [--duration S] [--keep DIR] [--only REGEX]
                              [--old-root DIR]
  --duration S   simulated seconds of each run (default: each config's own, bench configs 2 s)
  --keep DIR     keep the outputs under DIR (default: a temporary folder, removed)
  --only REGEX   only the cases whose name matches (e.g. '^(import|stats)-')
  --old-root DIR run the old binary in DIR, a checkout of the old tree (`git archive OLD | tar -x -C DIR`),
                 on the old tree's configs and profiles: a change that also adds keys to a shared profile
                 (which the old binary would refuse) is then compared on what each tree ships; cases
                 whose config or capture the old tree does not have are listed as new, not compared

Prints one line per case and a total; exit 0 when every output is the same, 1 otherwise, 2 on usage.
"""
import argparse
import filecmp
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "traces")
POLICIES = ["timeslice", "weighted", "dynprio", "fifo"]
SKIP = lambda k: k.startswith("wall") or k.endswith("per_wall_s") or k in ("version", "shards", "shards_why", "import_cache")
# Wall time in a message ("... -> out.vgt in 0.12 s"): not an output of the model.
WALL = re.compile(rb" in [0-9]+\.[0-9]+ s\b")


def json_diff(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if SKIP(k):
                continue
            if k not in a or k not in b:
                return f"{path}.{k}: in one file only"
            d = json_diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            d = json_diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def same_tree(d1, d2):
    """None when both folders hold the same files with the same contents, else the first difference."""
    f1 = sorted(os.path.relpath(p, d1) for p in glob.glob(f"{d1}/**", recursive=True) if os.path.isfile(p))
    f2 = sorted(os.path.relpath(p, d2) for p in glob.glob(f"{d2}/**", recursive=True) if os.path.isfile(p))
    if f1 != f2:
        return f"files differ: {sorted(set(f1) ^ set(f2))}"
    for f in f1:
        a, b = os.path.join(d1, f), os.path.join(d2, f)
        if f.endswith("summary.json"):
            with open(a) as x, open(b) as y:
                d = json_diff(json.load(x), json.load(y))
            if d:
                return f"{f}: {d}"
        elif f in ("stdout", "stderr"):
            with open(a, "rb") as x, open(b, "rb") as y:
                if WALL.sub(b" in <wall> s", x.read()) != WALL.sub(b" in <wall> s", y.read()):
                    return f"{f}: contents differ"
        elif not filecmp.cmp(a, b, shallow=False):
            return f"{f}: contents differ"
    return None


def run(binary, args, out, root=ROOT):
    """Run in `root`; stdout and stderr land in out/stdout, out/stderr, exit in out/rc."""
    os.makedirs(out, exist_ok=True)
    with open(f"{out}/stdout", "w") as so, open(f"{out}/stderr", "w") as se:
        rc = subprocess.call([binary] + args, cwd=root, stdout=so, stderr=se)
    with open(f"{out}/rc", "w") as f:
        f.write(f"{rc}\n")


def cases(duration):
    cfgs = sorted(glob.glob("configs/*.cfg", root_dir=ROOT))
    bench = sorted(glob.glob("configs/bench/*.cfg", root_dir=ROOT))
    e2e = sorted(glob.glob("tests/e2e/scenarios/*.cfg", root_dir=ROOT))
    have_shared = os.path.isdir(SHARED)
    for cfg in cfgs + bench + e2e:
        with open(os.path.join(ROOT, cfg)) as f:
            if "shared/traces" in f.read() and not have_shared:
                continue
        dur = duration or ("2" if cfg in bench else None)
        extra = ["--duration", dur] if dur else []
        for pol in [None] + POLICIES:
            name = cfg.replace("/", "_") + (f"-p{pol}" if pol else "")
            yield name, lambda o, c=cfg, p=pol, e=extra: ["run", c, "-o", o, "--quiet", "--commands", "--slices",
                                                          "--timeline"] + e + (["-p", p] if p else [])
    traces = sorted(p for p in glob.glob("tests/traces/**/*", recursive=True, root_dir=ROOT)
                    if os.path.isfile(os.path.join(ROOT, p)) and not p.endswith(("README.md", "SOURCE.txt")))
    if have_shared:
        traces += sorted(p for p in glob.glob(f"{SHARED}/**/*", recursive=True)
                         if os.path.isfile(p) and not p.endswith(("README.md", "SOURCE.txt", ".zip", ".dat")))
    for t in traces:
        name = t.replace("/", "_").replace(".", "_")
        # into the case's folder itself (o, a results directory, is not made for an import)
        yield "import-" + name, lambda o, t=t: ["import", "auto", t, "-o", f"{o}.vgt"]
        yield "stats-" + name, lambda o, t=t: ["trace", "stats", t]


def main():
    ap = argparse.ArgumentParser(usage=__doc__.split("usage: ")[1].split("\n")[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--duration")
    ap.add_argument("--keep")
    ap.add_argument("--only")
    ap.add_argument("--old-root")
    a = ap.parse_args()
    for b in (a.old, a.new):
        if not os.access(b, os.X_OK):
            print(f"same-outputs: {b} is not an executable", file=sys.stderr)
            return 2
    work = a.keep or tempfile.mkdtemp(prefix="vgs-same-")
    same = differ = failed = new = 0
    try:
        # Copies of both binaries (with their vgpusim-replay siblings): a rebuild during the run must
        # not change what is compared.
        for which in ("old", "new"):
            src = getattr(a, which)
            dst = os.path.join(work, "bin-" + which)
            os.makedirs(dst, exist_ok=True)
            shutil.copy(src, os.path.join(dst, "vgpusim"))
            sib = os.path.join(os.path.dirname(os.path.abspath(src)), "vgpusim-replay")
            if os.path.exists(sib):
                shutil.copy(sib, os.path.join(dst, "vgpusim-replay"))
            setattr(a, which, os.path.join(dst, "vgpusim"))
        old_root = os.path.abspath(a.old_root) if a.old_root else ROOT
        for name, argv in cases(a.duration):
            if a.only and not re.search(a.only, name):
                continue
            rel = argv("")[1] if argv("")[0] == "run" else argv("")[2]
            if a.old_root and not os.path.isabs(rel) and not os.path.exists(os.path.join(old_root, rel)):
                new += 1
                print(f"new  {name}: {rel} is not in the old tree")
                continue
            d1, d2 = os.path.join(work, "old", name), os.path.join(work, "new", name)
            cur = os.path.join(work, "cur")
            for b, d, root in ((a.old, d1, old_root), (a.new, d2, ROOT)):
                # Both binaries write to the same path (messages may name it), moved aside after; the
                # exit status, stdout and stderr are compared with the results.
                shutil.rmtree(d, ignore_errors=True)
                # out/ exists (empty) before each command: an import writes out/out.vgt into it, a run
                # replaces it with its results directory.
                os.makedirs(os.path.join(cur, "out"), exist_ok=True)
                run(os.path.abspath(b), argv(os.path.join(cur, "out")), cur, root)
                os.makedirs(os.path.dirname(d), exist_ok=True)
                os.rename(cur, d)
            why = same_tree(d1, d2)
            with open(os.path.join(d2, "rc")) as f:
                rc = int(f.read())
            if why:
                differ += 1
                print(f"DIFF {name}: {why}")
            else:
                same += 1
                # Failing alike is the same output, but a case that fails tests nothing else: say so.
                failed += rc != 0
                print(f"same {name}" + (f" (both exit {rc})" if rc else ""))
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"same-outputs: {same} cases identical ({failed} of them exit non-zero on both sides)"
          f"{f', {new} new' if new else ''}, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
