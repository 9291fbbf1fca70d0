#!/usr/bin/env python3
"""Leave-one-out check of `vgpusim translate` on paired captures (docs/validation.md, "Moving a
workload to another GPU").

For each pair (A capture, B capture) of the same program: fit B's kernel-class speeds on the other
pairs (`vgpusim fit-speed --from A_PROFILE --prior B_PROFILE`), paste the fragment into B_PROFILE
(in place of its own `kernels` and `host_speed`),
translate the held-out A capture to it, and compare with the real B capture: total busy (sum of op
durations), span (first start to last end: the solo replay of the translated trace against the
recording), busy per kernel class.  Then the same with B_PROFILE alone (the roofline prior: no pair).
With --replay, every translated trace is also replayed alone by `vgpusim run --commands` on an ideal
GPU, and its span must equal the one translate wrote (within 1 us).

usage: scripts/translate-loo.py VGPUSIM [--pairs DIR] [--from PROFILE] [--to PROFILE] [--work DIR]
                                [--replay] [--markdown]
  --pairs DIR     a folder with A/ and B/ subfolders of captures named alike
                  (default: ../shared/traces/kineto/tracelens-h100-vs-mi300, A = h100, B = mi300)
  --from, --to    the profiles of A and B (default: configs/gpus/h100-sxm.cfg, configs/gpus/mi300x.cfg)
Prints one table per method; exit 0 (it reports, it does not judge), 2 on usage.
"""
import argparse
import collections
import csv
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from e2elib import solo_run, trace_commands, without_kernels  # noqa: E402


def run(args):
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(f"{' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def read_vgt(path):
    """(busy per kernel class, total busy, span) of a native trace, in ns."""
    per, total, first, last = collections.Counter(), 0, None, 0
    for r in trace_commands(path):
        per[r["attrs"].get("kc", "none")] += int(r["work_ns"])
        total += int(r["work_ns"])
        if r.get("start_ns", "-") != "-":
            first = int(r["start_ns"]) if first is None else min(first, int(r["start_ns"]))
            last = max(last, int(r["end_ns"]))
    return per, total, last - (first or 0)


def err(pred, real):
    return 100.0 * (pred - real) / real if real else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vgpusim")
    ap.add_argument("--pairs", default=os.path.join(ROOT, "..", "shared", "traces", "kineto",
                                                    "tracelens-h100-vs-mi300"))
    ap.add_argument("--a", default="h100")
    ap.add_argument("--b", default="mi300")
    ap.add_argument("--from", dest="frm", default=os.path.join(ROOT, "configs/gpus/h100-sxm.cfg"))
    ap.add_argument("--to", default=os.path.join(ROOT, "configs/gpus/mi300x.cfg"))
    ap.add_argument("--work", default=None)
    ap.add_argument("--replay", action="store_true")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    vg = os.path.abspath(a.vgpusim)
    work = a.work or tempfile.mkdtemp(prefix="vgpusim-loo-")
    os.makedirs(work, exist_ok=True)
    names = sorted(os.listdir(os.path.join(a.pairs, a.a)))
    pairs = [(n, os.path.join(a.pairs, a.a, n), os.path.join(a.pairs, a.b, n)) for n in names]
    base = without_kernels(open(a.to).read())
    for method in ("fitted (leave-one-out)", "roofline prior alone"):
        rows = []
        for held, pa, pb in pairs:
            short = held.split("__")[0]
            profile = a.to
            if method.startswith("fitted"):
                train = [x for p in pairs if p[0] != held for x in p[1:]]
                frag = run([vg, "fit-speed", "--from", a.frm, "--prior", a.to] + train)
                profile = os.path.join(work, f"fit-{short}.cfg")
                with open(profile, "w") as f:
                    f.write(base + "\n# fitted on the other pairs (scripts/translate-loo.py)\n" + frag)
            out = os.path.join(work, f"{short}-{'fit' if profile != a.to else 'prior'}.vgt")
            run([vg, "translate", pa, "--from", a.frm, "--to", profile, "-o", out])
            real = os.path.join(work, f"{short}-real.vgt")
            run([vg, "import", "auto", pb, "-o", real])
            pp, pt, ps = read_vgt(out)
            rp, rt, rs = read_vgt(real)
            if a.replay:
                res = solo_run(vg, work, f"replay-{short}", out)
                with open(os.path.join(res, "commands.csv"), newline="") as f:
                    rows_ = list(csv.DictReader(f))
                span = max(int(r["end_ns"]) for r in rows_) - min(int(r["start_ns"]) for r in rows_)
                if abs(span - ps) > 1000:
                    raise SystemExit(f"{short}: replayed span {span} ns, translate wrote {ps} ns")
            classes = sorted(set(rp) | set(pp), key=lambda k: -rp.get(k, 0))
            per = ", ".join(f"{k} {err(pp.get(k, 0), rp[k]):+.0f} %" if rp.get(k) else
                            f"{k} ({pp.get(k, 0) / 1e3:.1f} us vs none)" for k in classes
                            if rp.get(k, 0) > 0.005 * rt or pp.get(k, 0) > 0.005 * rt)
            rows.append((short, pt, rt, ps, rs, per))
        print(f"\n{method}: H100 capture translated to {os.path.basename(a.to)}"
              f"{' + fit' if method.startswith('fitted') else ''}, against the real MI300X VF capture")
        if a.markdown:
            print("\n| held-out pair | busy: translated / real | error | span: translated / real | error "
                  "| busy per class (error) |\n|---|---|---|---|---|---|")
        for short, pt, rt, ps, rs, per in rows:
            if a.markdown:
                print(f"| {short} | {pt / 1e6:.3f} / {rt / 1e6:.3f} ms | {err(pt, rt):+.1f} % | "
                      f"{ps / 1e6:.3f} / {rs / 1e6:.3f} ms | {err(ps, rs):+.1f} % | {per} |")
            else:
                print(f"  {short:34s} busy {pt / 1e6:8.3f} / {rt / 1e6:8.3f} ms {err(pt, rt):+6.1f} %   "
                      f"span {ps / 1e6:8.3f} / {rs / 1e6:8.3f} ms {err(ps, rs):+6.1f} %\n      {per}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
