#!/usr/bin/env python3
"""End-to-end checks of real captures taken as they are (docs/traces.md, docs/trace-format.md):

  - back-pressure: a PresentMon capture of a GPU-bound game replayed at gfx speed 0.5 loses frame rate
    (about half) with a latency bounded by its frames in flight; without the limit its latency grows;
  - anchored host gaps: an overlap that cannot run (one compute channel) delays the overlapping op, not
    the ops after it;
  - Orion kernels keep SM_usage and Profile through an import and a second import of the result;
  - `trace stats` and `import` count the same units; frame rates are counted both ways with frame
    generation, by `trace stats` and by a run (summary.json: unit_rate_per_s, shown_rate_per_s); a
    PresentMon file in ms imports to its real span.

usage: captures.py VGPUSIM WORKDIR      prints one ok/FAIL line per check, then 'N passed, N failed'
"""
import csv
import glob
import json
import os
import re
import subprocess
import sys

from e2elib import check, solo_run, summary

VGPUSIM, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
ROOT = os.getcwd()
SHARED = os.path.join(ROOT, "..", "shared", "traces")
PM_GAME = "tests/traces/presentmon/capture_app_ms.csv"


def vgs(*args):
    r = subprocess.run([VGPUSIM, *args], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"vgpusim {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
    return r


def run(name, trace, workload="", sets=()):
    return solo_run(VGPUSIM, WORK, name, os.path.join(ROOT, trace), workload, sets, duration_s=60.0)


def rows(out, name):
    with open(os.path.join(out, name), newline="") as f:
        return list(csv.DictReader(f))


def native(trace, name):
    path = os.path.join(WORK, name)
    vgs("import", "auto", os.path.join(ROOT, trace), "-o", path)
    with open(path) as f:
        return f.read()


def frame_rate(units):
    ends = sorted(int(u["end_ns"]) for u in units)
    return (len(ends) - 1) / ((ends[-1] - ends[0]) / 1e9)


def backpressure():
    text = native(PM_GAME, "game.vgt")
    inflight = int(re.search(r"^@frames_in_flight (\d+)$", text, re.M).group(1))
    busy = max(int(line.split("\t")[3]) for line in text.splitlines() if line[:1].isdigit())
    fast = rows(run("bp-1", PM_GAME), "units.csv")
    slow = rows(run("bp-05", PM_GAME, sets=["gpus.[0].engines.gfx.speed=0.5"]), "units.csv")
    free = rows(run("bp-free", PM_GAME, "frames_in_flight = 0;", sets=["gpus.[0].engines.gfx.speed=0.5"]),
                "units.csv")
    lat = lambda us: [int(u["latency_ns"]) for u in us]
    ratio = frame_rate(slow) / frame_rate(fast)
    assert inflight == 3, inflight
    assert 0.45 <= ratio <= 0.6, f"frame rate at half speed: {ratio:.2f} of the recorded one"
    # at most the frames in flight ahead of it, each taking twice its busy time, plus its own
    assert max(lat(slow)) <= (inflight + 1) * 2 * busy, (max(lat(slow)), busy)
    # without the limit the queue grows with every frame: the last frames wait far longer
    assert max(lat(free)) > 5 * max(lat(slow)) and lat(free)[-1] > 10 * lat(free)[0], (lat(free)[0], lat(free)[-1])


def anchored():
    # One compute channel: the GEMM that overlapped the kernel ahead of it waits for it (2.5 us late);
    # every later op keeps its recorded start: its host gap absorbs the delay.
    trace = "tests/traces/kineto/overlap_2_5_us.json"
    rec = [line.split("\t") for line in native(trace, "ov.vgt").splitlines() if line[:1].isdigit()]
    got = rows(run("anchor", trace, sets=["gpus.[0].engines.compute.channels=1"]), "commands.csv")
    late = [(int(g["seq"]), int(g["start_ns"]) - int(r[10])) for g, r in zip(got, rec)
            if int(g["start_ns"]) != int(r[10])]
    assert late == [(2, 2500)], late


def orion_attrs():
    paths = ["tests/traces/orion/good.csv"] + sorted(p for p in glob.glob(os.path.join(SHARED, "orion/model_kernels/*"))
                                                     if not p.endswith("_fb0"))[:3]
    for i, p in enumerate(paths):
        first = os.path.join(WORK, f"orion{i}.vgt")
        vgs("import", "orion", os.path.join(ROOT, p), "-o", first)
        again = native(first, f"orion{i}-again.vgt")
        cmds = [line for line in again.splitlines() if line[:1].isdigit()]
        assert cmds, p
        for c in cmds:
            assert re.search(r"\tsm=\d+", c) and re.search(r"\tprofile=(compute|memory|unknown)", c), (p, c)


def units_one_path():
    for trace in ["tests/traces/kineto/overlap_half_us.json", "tests/traces/kineto/good.json", PM_GAME]:
        stats = vgs("trace", "stats", os.path.join(ROOT, trace)).stdout
        n = int(re.search(r"^units: +(\d+)", stats, re.M).group(1))
        msg = vgs("import", "auto", os.path.join(ROOT, trace), "-o", os.path.join(WORK, "u.vgt")).stderr
        m = int(re.search(r", (\d+) \w+? -> ", msg).group(1))
        assert n == m and n >= 1, (trace, n, m)


def frame_rates():
    stats = vgs("trace", "stats", os.path.join(ROOT, "tests/traces/presentmon/framegen.csv")).stdout
    assert re.search(r"^units: +12 \(frame\)", stats, re.M), stats
    assert re.search(r"12 frames, 60\.0 fps; with 11 generated: 115\.0 fps shown", stats), stats
    # a run counts both: the application's frames (unit rate) and the frames shown
    with open(os.path.join(run("fg", "tests/traces/presentmon/framegen.csv"), "summary.json")) as f:
        t = json.load(f)["tenants"][0]
    assert t["units"] == 12 and t["generated_units"] == 11, t
    assert abs(t["shown_rate_per_s"] / t["unit_rate_per_s"] - 23 / 12) < 1e-6, t
    with open(os.path.join(run("plain", PM_GAME), "summary.json")) as f:
        assert "shown_rate_per_s" not in json.load(f)["tenants"][0]
    # the capture application's file is in ms: 120 frames at 60 fps span 2 s
    span = float(re.search(r"^span: +([\d.]+) ms", vgs("trace", "stats", os.path.join(ROOT, PM_GAME)).stdout,
                           re.M).group(1))
    assert 1900 < span < 2100, span


check("PresentMon at gfx speed 0.5: frame rate halves, latency bounded by frames in flight", backpressure)
check("an overlap that cannot run delays that op only: later host gaps absorb it", anchored)
check("Orion SM_usage and Profile survive import and re-import, every kernel", orion_attrs)
check("trace stats and import count the same units", units_one_path)
check("frame generation: application and shown frame rates; a PresentMon file in ms", frame_rates)
summary("captures")
