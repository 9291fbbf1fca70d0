#!/usr/bin/env python3
"""End-to-end checks of moving a workload to another GPU (docs/translate.md):

  - `vgpusim translate` of every single-context shared capture (and its contexts, for multi-context
    ones) to its own GPU writes the recording back: every command line the same;
  - a trace translated H100 -> MI300X VF replays alone (`run --commands` on the ideal GPU) exactly as
    translate's recorded times say, and a `translate = "PROFILE"` workload on an MI300X VF GPU runs
    as the translated trace on the ideal one (the simulator times ops by kernel class, gaps by host);
  - `vgpusim fit-speed` on the three shared pairs prints a fragment that, pasted into a profile,
    loads; its classes and the memsets ROCm omits are there;
  - `trace stats` prints busy time per kernel class;
  - bad input: an odd number of captures, a bad profile key, an unknown kernel class in a trace: exit
    2, one line naming FILE:LINE.

usage: translate.py VGPUSIM WORKDIR      prints one ok/FAIL line per check, then 'translate: N passed, N failed'
"""
import csv
import glob
import os
import subprocess
import sys

from e2elib import check, solo_run, summary, trace_commands, without_kernels

VGPUSIM, WORK = sys.argv[1], sys.argv[2]
os.makedirs(WORK, exist_ok=True)
ROOT = os.getcwd()
SHARED = os.path.join(ROOT, "..", "shared", "traces")
PAIRS = os.path.join(SHARED, "kineto", "tracelens-h100-vs-mi300")
H100, VF, CAPTURE = "configs/gpus/h100-sxm.cfg", "configs/gpus/mi300x-vf.cfg", "configs/gpus/capture.cfg"
QWEN = "Qwen_Qwen1.5-0.5B-Chat__1016005.json.gz"
QUICK = bool(os.environ.get("VGS_E2E_QUICK"))


def vgs(*args, rc=0):
    r = subprocess.run([VGPUSIM, *args], capture_output=True, text=True)
    if r.returncode != rc:
        raise RuntimeError(f"vgpusim {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
    return r


def commands(path):
    """The command lines of a native trace, without comments, metadata and memory lines."""
    with open(path) as f:
        return [line for line in f if line.strip() and not line.startswith(("#", "@"))]


def times(path):
    """seq -> (start, end) of a native trace."""
    return {int(r["seq"]): (int(r["start_ns"]), int(r["end_ns"])) for r in trace_commands(path)}


def replayed(res):
    with open(os.path.join(res, "commands.csv"), newline="") as f:
        return {int(r["seq"]): (int(r["start_ns"]), int(r["end_ns"])) for r in csv.DictReader(f)}


def same_times(a, b, what):
    assert a.keys() == b.keys(), f"{what}: {len(a)} vs {len(b)} commands"
    worst = max(max(abs(a[k][0] - b[k][0]), abs(a[k][1] - b[k][1])) for k in a)
    assert worst <= 1000, f"{what}: an op off by {worst} ns"


def identity():
    caps = sorted(glob.glob(os.path.join(SHARED, "kineto", "*", "*.json.gz")) +
                  glob.glob(os.path.join(SHARED, "kineto", "*", "*", "*.json.gz")) +
                  glob.glob(os.path.join(SHARED, "orion", "model_kernels", "*_fwd")))
    assert caps, "no shared captures"
    for i, cap in enumerate(caps):
        native, out = os.path.join(WORK, f"id{i}.vgt"), os.path.join(WORK, f"id{i}-out.vgt")
        vgs("import", "auto", cap, "-o", native)
        # The sanitizer pass (VGS_E2E_QUICK) translates each capture through one of the two profiles, in
        # turn: every capture and both profiles still pass under the sanitizers, at half the cost; the
        # normal pass checks every capture through both.
        profs = ((CAPTURE, H100)[i % 2],) if QUICK else (CAPTURE, H100)
        for prof in profs:
            vgs("translate", native, "--from", prof, "--to", prof, "-o", out)
            assert commands(out) == commands(native), f"{os.path.basename(cap)} through {prof}: not the recording"


def replay_matches():
    out = os.path.join(WORK, "qwen-vf.vgt")
    vgs("translate", os.path.join(PAIRS, "h100", QWEN), "--from", H100, "--to", VF, "-o", out)
    want = times(out)
    same_times(replayed(solo_run(VGPUSIM, WORK, "qwen-vf", out)), want, "replay of the translated trace")
    # the same capture named by a config, translated on the fly, on an MI300X VF GPU
    cfg, link = os.path.join(WORK, "otf", "otf.cfg"), os.path.join(WORK, "otf", "profiles")
    os.makedirs(os.path.dirname(cfg), exist_ok=True)
    if not os.path.exists(link):
        os.symlink(os.path.join(ROOT, "configs", "gpus"), link)
    with open(cfg, "w") as f:  # the translate key's path is relative to the config, as @include's
        f.write(f"""simulation = {{ duration_s = 3600.0; warmup_s = 0.0; seed = 1; }};
gpus = ( {{
@include "profiles/mi300x-vf.cfg"
}} );
scheduler = {{ policy = "fifo"; domain = "engine"; }};
vgpus = ( {{ name = "solo"; queue_depth = 1000000;
            workload = {{ trace = "{os.path.join(PAIRS, 'h100', QWEN)}"; loop = false;
                         translate = "profiles/h100-sxm.cfg"; }}; }} );
""")
    res = os.path.join(WORK, "otf-out")
    vgs("run", cfg, "-o", res, "-q", "--commands")
    same_times(replayed(res), want, "translate key on an MI300X VF GPU")


def fit():
    caps = []
    for m in sorted(os.listdir(os.path.join(PAIRS, "h100"))):
        caps += [os.path.join(PAIRS, "h100", m), os.path.join(PAIRS, "mi300", m)]
    frag = vgs("fit-speed", "--from", H100, "--prior", "configs/gpus/mi300x.cfg", *caps).stdout
    assert 'omit = [ "memset" ];' in frag and "gemm = { speed = " in frag and "host_speed = " in frag, frag
    prof = os.path.join(WORK, "fitted.cfg")
    with open(os.path.join(ROOT, "configs/gpus/mi300x.cfg")) as f:
        base = f.read()
    with open(prof, "w") as f:
        f.write(without_kernels(base) + frag)
    vgs("translate", caps[0], "--from", H100, "--to", prof, "-o", os.path.join(WORK, "fitted.vgt"))


def stats():
    out = vgs("trace", "stats", os.path.join(PAIRS, "h100", QWEN)).stdout
    assert "kernel classes: ops, busy (sum of durations), share" in out and "\n  gemm " in out and \
           "\n  memset " in out, out


def bad_input():
    cases = [
        (["fit-speed", "a.json"], "fit-speed expects pairs of captures"),
        (["translate", "tests/traces/frames.vgt", "--from", "tests/traces/bad/attr_kc.vgt", "--to", H100, "-o",
          os.path.join(WORK, "x.vgt")], "attr_kc.vgt:"),
        (["translate", "tests/traces/bad/attr_kc.vgt", "--from", H100, "--to", H100, "-o", os.path.join(WORK, "x.vgt")],
         "attr_kc.vgt:4: attribute 'kc': expected a kernel class"),
        (["trace", "stats", "tests/traces/bad/attr_kc.vgt"], "attr_kc.vgt:4: attribute 'kc'"),
    ]
    for args, want in cases:
        r = vgs(*args, rc=2)
        lines = r.stderr.strip().splitlines()
        assert lines and want in r.stderr and len([x for x in lines if not x.startswith("  ")]) <= 2, \
            f"{' '.join(args)}: {r.stderr.strip()}"
    assert not os.path.exists(os.path.join(WORK, "x.vgt"))


if not os.path.isdir(PAIRS):
    print("skip - translate: ../shared/traces not found")
    print("translate: 0 passed, 0 failed")
    sys.exit(0)
check("translate to the capture's own GPU gives every shared capture back", identity)
check("a translated trace replays as translate timed it; the translate key does the same", replay_matches)
check("fit-speed on the shared pairs prints a profile fragment that loads", fit)
check("trace stats: busy per kernel class", stats)
check("bad input: exit 2, one line naming file:line", bad_input)
summary("translate")
