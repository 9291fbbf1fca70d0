#!/usr/bin/env python3
"""End-to-end checks of simulator behaviour (docs/simulator.md) on small scenarios in
tests/e2e/scenarios: exact closed-loop replay, closed-loop slowdown, queue backpressure, TDR isolation,
fine preemption, submission trap cost and command merging; closed-loop games and the frame-rate
limiter (on at 60 fps, off under equal share), windows.csv, run --seeds (-j gives the same files).

usage: behaviour.py VGPUSIM WORKDIR      prints one ok/FAIL line per check, then 'N passed, N failed'
"""
import csv
import json
import os
import subprocess
import sys

from e2elib import check, summary

VGPUSIM, WORK = sys.argv[1], sys.argv[2]
S = "tests/e2e/scenarios"


def run(name, cfg, *args):
    out = os.path.join(WORK, name)
    r = subprocess.run([VGPUSIM, "run", f"{S}/{cfg}", "-o", out, "-q", *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{cfg} {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
    return out


def rows(out, name):
    with open(os.path.join(out, name), newline="") as f:
        return list(csv.DictReader(f))


def tenant(out, name):
    return next(t for t in rows(out, "tenants.csv") if t["tenant"] == name)


def replay_exact():
    # Recorded ends of the units' E commands in replay.vgt: 1.2 ms and 3.5 ms (closed loop, gap 0.5 ms).
    u = rows(run("replay", "replay.cfg"), "units.csv")
    got = [(int(r["unit"]), int(r["arrival_ns"]), int(r["end_ns"])) for r in u]
    assert got == [(0, 0, 1200000), (1, 1700000, 3500000)], got


def replay_closed_loop():
    # gfx at half speed: unit 0 ends at 2.2 ms; unit 1 is submitted 0.5 ms later (the gap is kept, not
    # the recorded timestamp), its gfx takes 2 ms and its encode 0.8 ms: 5.5 ms.
    u = rows(run("replay-slow", "replay.cfg", "--set", "gpus.[0].engines.gfx.speed=0.5"), "units.csv")
    got = [(int(r["arrival_ns"]), int(r["end_ns"])) for r in u]
    assert got == [(0, 2200000), (2700000, 5500000)], got


def backpressure():
    deep = tenant(run("bp-deep", "busy.cfg", "--set", "vgpus.[0].queue_depth=1024"), "train-0")
    shallow = tenant(run("bp-shallow", "busy.cfg", "--set", "vgpus.[0].queue_depth=2"), "train-0")
    assert float(deep["backpressure_ms"]) == 0.0, deep["backpressure_ms"]
    assert float(shallow["backpressure_ms"]) > 100.0, shallow["backpressure_ms"]
    # A full ring blocks the submitter but must not change what the GPU does for a saturating tenant.
    assert abs(float(deep["share"]) - float(shallow["share"])) < 0.02


def tdr_isolation():
    out = run("tdr", "hang.cfg", "--set", "gpus.[0].tdr_timeout_ms=5.0")
    ok, hang = tenant(out, "ok"), tenant(out, "hang")
    assert int(hang["resets"]) > 0, hang["resets"]
    assert int(ok["resets"]) == 0, ok["resets"]
    assert float(ok["unit_rate_per_s"]) >= 59.0, ok["unit_rate_per_s"]
    assert int(hang["units"]) == 0, hang["units"]


def fine_preemption():
    cmd = rows(run("cmd", "busy.cfg"), "engines.csv")
    fine = rows(run("fine", "busy.cfg", "--set", 'gpus.[0].engines.gfx.preempt="fine"',
                    "--set", "gpus.[0].engines.gfx.preempt_latency_us=50.0"), "engines.csv")
    gfx_cmd = next(e for e in cmd if e["class"] == "gfx")
    gfx_fine = next(e for e in fine if e["class"] == "gfx")
    assert int(gfx_cmd["preemptions"]) == 0, gfx_cmd["preemptions"]
    assert int(gfx_fine["preemptions"]) > 100, gfx_fine["preemptions"]
    with open(os.path.join(WORK, "fine", "summary.json")) as f:
        s = json.load(f)
    # With 5 ms kernels and 1 ms slices, fine preemption keeps the two tenants equal.
    shares = [t["share"] for t in s["tenants"]]
    assert abs(shares[0] - shares[1]) < 0.02, shares


def trap_and_merging():
    plain = tenant(run("trap", "submit.cfg"), "infer")
    free = tenant(run("notrap", "submit.cfg", "--set", "vgpus.[0].submit.trap_us=0.0"), "infer")
    merged = tenant(run("merged", "submit.cfg", "--set", "vgpus.[0].submit.batch=16"), "infer")
    p = [float(t["lat_p50_ms"]) for t in (free, merged, plain)]
    # 154 kernels x 50 us of trap: ~7.7 ms more per request; merging 16 at a time pays ~10 traps.
    assert p[0] < p[1] < p[2], p
    assert p[2] - p[0] > 5.0, p


def closed_loop_and_limiter():
    # closedloop.cfg: 5 ms frames, 2 in flight: the GPU-bound game at 200 fps, the capped one at 100.
    out = run("closedloop", "closedloop.cfg")
    assert abs(float(tenant(out, "fast")["unit_rate_per_s"]) - 200) <= 1, tenant(out, "fast")
    assert abs(float(tenant(out, "capped")["unit_rate_per_s"]) - 100) <= 1, tenant(out, "capped")
    # frl_fps = 60 on an uncapped title caps it at 60 +- 0.5 fps alone (docs/workloads.md) ...
    on = run("frl60", "closedloop.cfg", "--set", "vgpus.[0].workload.frl_fps=60", "--solo", "fast")
    rate = float(tenant(on, "fast")["unit_rate_per_s"])
    assert abs(rate - 60) <= 0.5, rate
    # ... and the limiter is off under timeslice's equal share: the title runs at its own 200 fps
    off = run("frl60-equal", "closedloop.cfg", "--set", "vgpus.[0].workload.frl_fps=60", "--solo", "fast",
              "--set", 'scheduler.timeslice={ variant = "equal-share"; }')
    rate = float(tenant(off, "fast")["unit_rate_per_s"])
    assert rate > 150, rate


def frl_default_b():
    # no frl_fps in the workload: a B-series vGPU type limits it to 45 fps
    out = run("frl-b", "closedloop.cfg", "--solo", "capped", "--set", 'vgpus.[1].vgpu_type="A10-1B"', "--set",
              'vgpus.[1].workload={ type = "game"; cadence = "uncapped"; cpu_ms = 1.0; gfx_ms = 5.0; venc_ms = 1.0; '
              'frames_in_flight = 2; memory = false; }')
    assert abs(float(tenant(out, "capped")["unit_rate_per_s"]) - 45) <= 0.5, tenant(out, "capped")


def windows_csv():
    out = run("windows", "closedloop.cfg", "--windows=0.25")
    w = rows(out, "windows.csv")
    ts = rows(out, "tenants.csv")
    assert len(w) == 2 * 5, len(w)  # 1.1 s in windows of 0.25 s: 5 windows x 2 tenants
    for t in ts:
        mine = [x for x in w if x["tenant"] == t["tenant"]]
        assert [int(x["window"]) for x in mine] == list(range(5)), mine
        # units completed in the windows after the warm-up's (0.1 s: the first window is not measured)
        assert abs(sum(int(x["units"]) for x in mine if x["measured"] == "1") - int(t["units"])) <= 30, t
        assert all(float(x["lat_p99_ms"]) >= float(x["lat_p50_ms"]) for x in mine if x["lat_p99_ms"])


def seeds_replications():
    outs = []
    for j in ("1", "4"):
        out = os.path.join(WORK, "seeds-j" + j)
        r = subprocess.run([VGPUSIM, "run", f"{S}/closedloop.cfg", "--seeds", "4", "-j", j, "-o", out, "-q",
                            "--set", "vgpus.[0].workload.cpu_ms={ dist = \"lognormal\"; mean = 6.0; cv = 0.3; }"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        outs.append(out)
    for name in ("seeds.csv", "report.md", "seed-3/units.csv", "seed-4/tenants.csv"):
        with open(os.path.join(outs[0], name)) as a, open(os.path.join(outs[1], name)) as b:
            assert a.read() == b.read(), name
    vals = [float(r["value"]) for r in rows(outs[0], "seeds.csv")
            if r["tenant"] == "fast" and r["metric"] == "lat_p99_ms"]
    assert len(vals) == 4 and len(set(vals)) > 1, vals  # four seeds, different runs


for what, fn in [
    ("solo closed-loop replay reproduces the recorded times exactly", replay_exact),
    ("a slower engine delays a closed-loop tenant, keeping its host gaps", replay_closed_loop),
    ("a full ring blocks the submitter (backpressure), not the GPU", backpressure),
    ("TDR resets only the hung vGPU; the other keeps 60 fps", tdr_isolation),
    ("fine preemption stops long commands at slice ends", fine_preemption),
    ("trap cost lengthens requests; merging submissions recovers most of it", trap_and_merging),
    ("closed-loop games: GPU-bound pace, frl_fps 60 caps at 60 +- 0.5 alone, off under equal share",
     closed_loop_and_limiter),
    ("the frame-rate limiter's default on a B-series vGPU type is 45 fps", frl_default_b),
    ("windows.csv: every window and tenant, its units those of tenants.csv", windows_csv),
    ("run --seeds: one run per seed, seeds.csv and report.md the same with -j 1 and -j 4", seeds_replications),
]:
    check(what, fn)

summary("behaviour")
