#!/usr/bin/env python3
"""The fast path changes no output: run configs by default (the event loop times execs itself and enters
SimGrid only for PCIe transfers) and with --no-coalesce (lockstep: SimGrid's clock at every event, one
SimGrid exec per command, energy from SimGrid's energy plugin), and compare every output field by field
(summary.json, every CSV, timeline.json), apart from the fields that measure the run itself (wall time,
SimGrid activities, how many execs needed none).  Energy is compared to a relative 1e-8: the plugin
integrates in floating-point seconds what the default mode sums in ns (in a CSV, where such values can
round one unit apart in their last printed decimal, to that unit).

usage: coalesce.py [--require-coalesced] VGPUSIM OUTDIR DURATION_S CONFIG... [-- RUN-ARGS...]
Prints one line per config and exits 1 on any difference.  RUN-ARGS go to every run (e.g. --set
overrides).  Configs that read ../shared/traces are skipped when it is absent.
--require-coalesced: also fail when no exec of any config ran without a SimGrid activity, or when the
default mode did not need fewer activities than lockstep (the comparison would then not exercise the
fast path at all).
"""
import csv
import json
import os
import subprocess
import sys

# Fields that describe how the simulator ran, not what it simulated.
RUN_FIELDS = {"wall_s", "wall_loop_s", "wall_finish_s", "wall_command_s", "commands_per_wall_s", "activities",
              "activities_per_command", "activities_per_wall_s", "coalesce", "execs_without_activity", "shards",
              "shards_why", "import_cache"}


def last_digit(v):
    """The unit of the last printed decimal of a CSV field ("3.434063" -> 1e-6), 0 for a JSON number."""
    if isinstance(v, str) and "." in v:
        return 10.0 ** -len(v.split(".")[1])
    return 0.0


def close(key, a, b):
    """Equal, or an energy figure within the plugin's floating-point rounding.  Two values that differ
    by that rounding can still print one unit apart in their last decimal when they straddle a rounding
    boundary: that is allowed too."""
    if a == b:
        return True
    if "energy" not in str(key):
        return False
    try:
        x, y = float(a), float(b)
    except (TypeError, ValueError):
        return False
    tol = 1e-8 * max(abs(x), abs(y)) + 1e-9
    return abs(x - y) <= tol or abs(x - y) <= 1.000001 * max(last_digit(a), last_digit(b))


def diff_json(a, b, path):
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) - RUN_FIELDS != set(b) - RUN_FIELDS:
            return f"{path}: keys differ: {sorted(set(a) ^ set(b))}"
        for k in a:
            if k in RUN_FIELDS:
                continue
            d = diff_json(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} elements"
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff_json(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    if a != b and not (a != a and b != b) and not close(path.rsplit(".", 1)[-1], a, b):  # NaN equals NaN here
        return f"{path}: {a!r} vs {b!r}"
    return None


def diff_csv(fa, fb, name):
    with open(fa, newline="") as f:
        ra = list(csv.reader(f))
    with open(fb, newline="") as f:
        rb = list(csv.reader(f))
    if len(ra) != len(rb):
        return f"{name}: {len(ra)} vs {len(rb)} rows"
    header = ra[0] if ra else []
    for i, (x, y) in enumerate(zip(ra, rb)):
        if x != y:
            for k, (u, v) in enumerate(zip(x, y)):
                col = header[k] if k < len(header) else k
                if not close(col, u, v):
                    return f"{name} row {i + 1}, {col}: {u!r} vs {v!r}"
            if len(x) == len(y):
                continue
            return f"{name} row {i + 1}: {len(x)} vs {len(y)} fields"
    return None


def run_fields_only(pa, pb):
    """True when two JSON files (as the writer lays them out: one key per line) differ only in lines
    '"KEY": VALUE' whose KEY is in RUN_FIELDS or whose values are close() -- the common case, decided
    without parsing tens of MB (diff_json decides every other case)."""
    with open(pa) as f, open(pb) as g:
        la, lb = f.read().split("\n"), g.read().split("\n")
    if len(la) != len(lb):
        return False
    for x, y in zip(la, lb):
        if x == y:
            continue
        kx, _, vx = x.strip().partition(": ")
        ky, _, vy = y.strip().partition(": ")
        if kx != ky or not vx or vx.endswith(("{", "[")) or vy.endswith(("{", "[")):
            return False
        key = kx.strip('"')
        if key in RUN_FIELDS:
            continue
        try:
            a, b = json.loads(vx.rstrip(",")), json.loads(vy.rstrip(","))
        except ValueError:
            return False
        if not close(key, a, b):
            return False
    return True


def compare(da, db):
    fa, fb = sorted(os.listdir(da)), sorted(os.listdir(db))
    if fa != fb:
        return f"files differ: {sorted(set(fa) ^ set(fb))}"
    for name in fa:
        pa, pb = os.path.join(da, name), os.path.join(db, name)
        with open(pa, "rb") as f, open(pb, "rb") as g:
            if f.read() == g.read():  # the same bytes: nothing to compare field by field
                continue
        if name.endswith(".csv"):
            d = diff_csv(pa, pb, name)
        elif name.endswith(".json") and run_fields_only(pa, pb):
            d = None
        elif name.endswith(".json"):
            with open(pa) as f:
                ja = json.load(f)
            with open(pb) as f:
                jb = json.load(f)
            d = diff_json(ja, jb, name)
        else:
            with open(pa, "rb") as f, open(pb, "rb") as g:
                d = None if f.read() == g.read() else f"{name}: contents differ"
        if d:
            return d
    return None


def main():
    args = sys.argv[1:]
    require = "--require-coalesced" in args
    if require:
        args.remove("--require-coalesced")
    extra = []
    if "--" in args:
        extra = args[args.index("--") + 1:]
        args = args[:args.index("--")]
    if len(args) < 4:
        sys.exit(__doc__)
    vgpusim, out, duration = args[0], args[1], args[2]
    traces = os.path.isdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                                        "traces"))
    status, fast, fewer = 0, 0, False
    for cfg in args[3:]:
        name = os.path.splitext(os.path.basename(cfg))[0]
        with open(cfg) as f:
            if "shared/traces" in f.read() and not traces:
                print(f"skip {cfg}: needs ../shared/traces")
                continue
        dirs = []
        for mode in ("coalesce", "no-coalesce"):
            d = os.path.join(out, f"{name}.{mode}")
            cmd = [vgpusim, "run", cfg, "--duration", duration, "-q", "-o", d, "--commands", "--slices", "--timeline"]
            cmd += extra
            if mode == "no-coalesce":
                cmd.append("--no-coalesce")
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL {cfg}: {' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")
                return 1
            dirs.append(d)
        with open(os.path.join(dirs[0], "summary.json")) as f:
            g = json.load(f)["global"]
        with open(os.path.join(dirs[1], "summary.json")) as f:
            lock = json.load(f)["global"]
        if lock["execs_without_activity"] != 0 or lock["coalesce"]:
            print(f"FAIL {cfg}: --no-coalesce still ran execs without a SimGrid activity")
            status = 1
        fast += g["execs_without_activity"]
        fewer = fewer or g["activities"] < lock["activities"]
        d = compare(*dirs)
        if d:
            print(f"FAIL {cfg}: with and without --no-coalesce: {d}")
            status = 1
        else:
            print(f"ok   {cfg}: identical, {g['commands_total']} commands, {g['activities_per_command']:.3f} "
                  f"activities/command ({lock['activities_per_command']:.3f} in lockstep)")
    if require and (fast == 0 or not fewer):
        print("FAIL no exec ran without a SimGrid activity: the comparison did not exercise the fast path")
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
