#!/usr/bin/env python3
"""End-to-end checks of `vgpusim fit` (docs/workloads.md, "Fitting a capture").

For every shipped PresentMon capture in ../shared/traces/presentmon and every process in it: the
printed workload group, pasted into a scenario with frl_fps = 0 (the capture had no vGPU limiter) and
simulated alone for 200 s, has the capture's frame-time p50, p90 and p99 within 10 % -- the capture's
frame time being FrameTime (else MsBetweenAppStart) of the process's rows, the simulated one the
interval between consecutive presents (arrival_ns in units.csv); quantiles nearest-rank on both sides.
Every fitted key comes with its KS distance and p50/p90/p99 side by side; the title profiles of
configs/titles load and run; Kineto and Orion captures give a train and an infer group that run; bad
input exits 2 with one line.

usage: fit.py VGPUSIM WORKDIR      prints one ok/FAIL line per check, then 'fit: N passed, N failed'
"""
import csv
import glob
import math
import os
import re
import subprocess
import sys

from e2elib import check, summary

VGPUSIM, WORK = sys.argv[1], sys.argv[2]
SHARED = os.path.join("..", "shared", "traces")
SCENARIO = """simulation = {{ duration_s = {dur}; warmup_s = 1.0; seed = 1; }};
gpus = ( {{
  @include "gpus/a10.cfg"
}} );
scheduler = {{ policy = "timeslice"; }};
vgpus = ( {{ name = "t"; vram_mb = 4096.0;
{workload}
}} );
"""


def quantile(v, q):
    v = sorted(v)
    return v[min(len(v), max(1, math.ceil(q * len(v)))) - 1]


def fit(*args):
    r = subprocess.run([VGPUSIM, "fit", *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr.strip()
    return r.stdout


def simulate(name, workload, dur=200.0):
    """Run `workload` alone on an A10 (configs/gpus/a10.cfg); the results directory."""
    cfg = os.path.join("configs", f".fit-e2e-{os.getpid()}-{name}.cfg")  # next to configs/gpus/
    out = os.path.join(WORK, name)
    with open(cfg, "w") as f:
        f.write(SCENARIO.format(dur=dur, workload=workload))
    try:
        r = subprocess.run([VGPUSIM, "run", cfg, "-q", "-o", out], capture_output=True, text=True)
    finally:
        os.unlink(cfg)
    assert r.returncode == 0, r.stderr.strip()
    return out


def presentmon_accuracy(path):
    def fn():
        out = fit("presentmon", path)
        blocks = re.findall(r"\n# (\S+): \d+ frames.*?(workload = \{.*?\n\};)", out, re.S)
        rows = list(csv.DictReader(open(path, encoding="utf-8-sig")))
        col = "FrameTime" if "FrameTime" in rows[0] else "MsBetweenAppStart"
        procs = {f"{r['Application']}-{r['ProcessID']}" for r in rows}
        assert {n for n, _ in blocks} == procs, (sorted(n for n, _ in blocks), sorted(procs))
        assert out.count("KS distance") >= 2 * len(procs), "a KS distance per fitted key"
        bad = []
        for name, wl in blocks:
            ft = [float(r[col]) for r in rows if f"{r['Application']}-{r['ProcessID']}" == name
                  and r[col] not in ("", "NA")]
            wl = wl.replace('type = "game";', 'type = "game"; frl_fps = 0;', 1)
            res = simulate(re.sub(r"\W", "_", os.path.basename(path) + name), wl)
            arr = [int(u["arrival_ns"]) for u in csv.DictReader(open(os.path.join(res, "units.csv")))
                   if u["measured"] == "1"]
            sim = [(b - a) / 1e6 for a, b in zip(arr, arr[1:])]
            for q in (0.5, 0.9, 0.99):
                c, s = quantile(ft, q), quantile(sim, q)
                line = f"{name} p{round(q * 100)}: capture {c:.3f} ms, simulated {s:.3f} ms ({100 * (s - c) / c:+.1f} %)"
                print("       " + line)
                if abs(s - c) > 0.10 * c:
                    bad.append(line)
        assert not bad, "; ".join(bad)
    return fn


def titles_run():
    for t in sorted(glob.glob("configs/titles/*.cfg")):
        res = simulate("title-" + os.path.basename(t)[:-4], '@include "titles/%s"' % os.path.basename(t), dur=5.0)
        rate = float(next(csv.DictReader(open(os.path.join(res, "tenants.csv"))))["unit_rate_per_s"])
        assert rate > 1, (t, rate)


def kineto_orion():
    out = fit("kineto", os.path.join(SHARED, "kineto/hta-a100-ddp-nccl/nccl_data.json.gz"))
    wl = re.search(r"workload = \{.*?\n\};", out, re.S).group(0)
    assert 'type = "train"' in wl and "allreduce_count" in wl, wl[:200]
    res = simulate("kineto", wl, dur=3.0)
    assert float(next(csv.DictReader(open(os.path.join(res, "tenants.csv"))))["units"]) > 0
    out = fit("orion", os.path.join(SHARED, "orion/model_kernels/resnet50_4_fwd"))
    wl = re.search(r"workload = \{.*?\n\};", out, re.S).group(0)
    assert 'type = "infer"' in wl and "kernels = 175;" in wl, wl
    simulate("orion", wl, dur=1.0)


def bad_input():
    pm = os.path.join(SHARED, "presentmon/test_case_4.csv")
    for args, want in (
        (["fit", "nvidia", pm], "FORMAT must be presentmon, kineto or orion"),
        (["fit", "presentmon", pm, "--context", "nope.exe"], "no process named 'nope.exe'"),
        (["fit", "presentmon", "tests/configs/good.cfg"], "good.cfg:1: a PresentMon header"),
        (["fit", "kineto", pm, "--as", "serve"], "--as expects train or infer"),
        (["fit", "presentmon"], "fit expects FORMAT and CAPTURE"),
    ):
        r = subprocess.run([VGPUSIM, *args], capture_output=True, text=True)
        assert r.returncode == 2 and want in r.stderr and r.stdout == "", (args, r.returncode, r.stderr)


if os.path.isdir(os.path.join(SHARED, "presentmon")):
    for p in sorted(glob.glob(os.path.join(SHARED, "presentmon", "*.csv"))):
        check(f"fit presentmon {os.path.basename(p)}: simulated frame time p50/p90/p99 within 10 % of the capture's",
              presentmon_accuracy(p))
    check("fit kineto / orion: a train and an infer group that run", kineto_orion)
    check("fit: bad input exits 2 with one line", bad_input)
else:
    print("skip - fit: needs ../shared/traces")
check("configs/titles/*.cfg load and run", titles_run)
summary("fit")
