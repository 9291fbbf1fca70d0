#!/usr/bin/env python3
"""Solo-replay exactness (DESIGN.md §3) for every capture in ../shared/traces and for the fixtures of
the shapes real captures have (FIXTURES: ops overlapping on one stream by 0.5 and 2.5 us, a copy
overlapping a kernel, a PresentMon file in ms, a 1.x file without GPU busy, frame generation).

Each capture is imported with `vgpusim import`; each of its contexts is replayed alone (`run
--commands`) on an ideal GPU, except captures whose contexts shared hardware rings (ftrace), which are
replayed all together under fifo with one channel per ring, (tests/e2e/scenarios/gpus/replay.cfg: speed 1, no switch or trap cost,
more channels than any capture overlaps); every op's simulated start and end must match its recorded
start_ns/end_ns within 1 us.  Prints the maximum error per trace and context.

usage: replay_shared.py VGPUSIM WORKDIR [TRACE...]      (default: the shared traces and FIXTURES)
"""
import csv
import glob
import os
import subprocess
import sys
import time

from e2elib import solo_run, trace_commands

VGPUSIM, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
ROOT = os.getcwd()
SHARED = os.path.join(ROOT, "..", "shared", "traces")
TOLERANCE_NS = 1000


# Hand-written fixtures of the shapes of issue #15 (tests/traces/*/README.md says which capture each
# mimics), and the good fixtures of every importer.
FIXTURES = ["tests/traces/kineto/overlap_half_us.json", "tests/traces/kineto/overlap_2_5_us.json",
            "tests/traces/kineto/copy_overlap.json", "tests/traces/presentmon/capture_app_ms.csv",
            "tests/traces/presentmon/v1x_no_busy.csv", "tests/traces/presentmon/framegen.csv",
            "tests/traces/kineto/good.json", "tests/traces/kineto/good_amd.json",
            "tests/traces/kineto/good_legacy.json", "tests/traces/orion/good.csv",
            "tests/traces/presentmon/v2.csv", "tests/traces/presentmon/v1x.csv",
            "tests/traces/presentmon/console_s.csv", "tests/traces/ftrace/i915.txt"]


def shared_traces():
    pats = ["kineto/*/*.json.gz", "kineto/*/*/*.json.gz", "orion/model_kernels/*", "presentmon/*.csv",
            "ftrace/*/DERIVED_trace-cmd-report.txt.gz"]
    out = []
    for p in pats:
        out += sorted(glob.glob(os.path.join(SHARED, p)))
    # The *_fb0 Orion profiles hold placeholder durations: the importer rejects them (tested elsewhere).
    return [f for f in out if not f.endswith("_fb0") and os.path.isfile(f)]


def recorded(native):
    """seq -> (start, end) per context, from an imported native trace with a ctx column or not."""
    ops = {}
    for r in trace_commands(native):
        ops.setdefault(r.get("ctx", "default"), []).append((int(r["start_ns"]), int(r["end_ns"])))
    return ops


def replay(trace_path, name, ctx, n):
    out = solo_run(VGPUSIM, WORK, name, trace_path, f'context = "{ctx}"; ' if ctx != "default" else "")
    got = {}
    with open(os.path.join(out, "commands.csv"), newline="") as f:
        for row in csv.DictReader(f):
            got[int(row["seq"])] = (int(row["start_ns"]), int(row["end_ns"]))
    return got


def replay_joint(native, name, contexts):
    """All contexts of a shared-ring capture together, one tenant each, FIFO by submission on one
    channel per ring (drm_sched's default), 1 us slices so FIFO order is re-decided after every job."""
    cfg = os.path.join(WORK, f"{name}.cfg")
    link = os.path.join(WORK, "gpus")
    if not os.path.exists(link):
        os.symlink(os.path.join(ROOT, "tests/e2e/scenarios/gpus"), link)
    tenants = ",\n".join(
        f' {{ name = "t{i}"; queue_depth = 1000000; workload = {{ trace = "{native}"; context = "{c}"; loop = false; }}; }}'
        for i, c in enumerate(contexts))
    with open(cfg, "w") as f:
        f.write(f"""simulation = {{ duration_s = 3600.0; warmup_s = 0.0; seed = 1; }};
gpus = ( {{
@include "gpus/replay.cfg"
}} );
scheduler = {{ policy = "fifo"; domain = "engine"; fifo = {{ slice_us = 1; }}; }};
vgpus = (
{tenants}
);
""")
    out = os.path.join(WORK, f"{name}-out")
    r = subprocess.run([VGPUSIM, "run", cfg, "-o", out, "-q", "--commands",
                        "--set", "gpus.[0].engines.gfx.channels=1", "--set", "gpus.[0].engines.copy.channels=1"],
                       capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(r.stderr.strip())
    got = {}
    with open(os.path.join(out, "commands.csv"), newline="") as f:
        for row in csv.DictReader(f):
            got[(contexts[int(row["tenant"][1:])], int(row["seq"]))] = (int(row["start_ns"]), int(row["end_ns"]))
    return got


def shared_rings(native):
    with open(native) as f:
        return any(line.startswith("# Imported by vgpusim import (ftrace)") for line in f)


def compare(label, expected, run_case, t0):
    """Run a replay and compare every op's simulated start and end with the recording; print one line."""
    try:
        got = run_case()
    except Exception as exc:
        print(f"FAIL - {label}: {exc}")
        return False
    worst = missing = 0
    for key, (s, e) in expected.items():
        if key not in got:
            missing += 1
            continue
        gs, ge = got[key]
        worst = max(worst, abs(gs - s), abs(ge - e))
    ok = missing == 0 and worst <= TOLERANCE_NS
    print(f"{'ok  ' if ok else 'FAIL'} - {label}: {len(expected)} ops, max error {worst} ns"
          f"{f', {missing} not completed' if missing else ''} ({time.time() - t0:.1f} s)")
    return ok


def main():
    traces = sys.argv[3:]
    if not traces:
        traces = shared_traces()
        if not traces:
            print("replay_shared: skipped: ../shared/traces not found")
        traces += [os.path.join(ROOT, f) for f in FIXTURES]
    passed = failed = 0
    for path in traces:
        base = os.path.basename(path).split(".")[0]
        native = os.path.join(WORK, base + ".vgt")
        t0 = time.time()
        r = subprocess.run([VGPUSIM, "import", "auto", path, "-o", native], capture_output=True, text=True)
        if r.returncode:
            failed += 1
            print(f"FAIL - import {path}: {r.stderr.strip()}")
            continue
        rec_all = recorded(native)
        rel = os.path.relpath(path, SHARED if path.startswith(SHARED) else ROOT)
        if shared_rings(native):
            # Contexts shared hardware rings: the capture is reproduced by replaying them together.
            expected = {(c, q): t for c, rec in rec_all.items() for q, t in enumerate(rec)}
            cases = [(f"{rel} [all {len(rec_all)} contexts together, fifo]", expected,
                      lambda: replay_joint(native, base + "-joint", list(rec_all)))]
        else:
            cases = [(f"{rel} [{ctx}]", {(ctx, q): t for q, t in enumerate(rec)},
                      lambda ctx=ctx, rec=rec: {(ctx, q): t for q, t in replay(
                          native, f"{base}-{abs(hash(ctx)) % 10000}", ctx, len(rec)).items()})
                     for ctx, rec in rec_all.items()]
        for label, expected, run_case in cases:
            ok = compare(label, expected, run_case, t0)
            passed, failed = (passed + 1, failed) if ok else (passed, failed + 1)
    print(f"replay: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
