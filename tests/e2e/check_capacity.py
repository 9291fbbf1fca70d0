#!/usr/bin/env python3
"""Check `vgpusim capacity`'s answers against runs of our own (tests/e2e/sweep.sh, docs/capacity.md).

usage: check_capacity.py VGPUSIM CAPDIR WORK CONFIG GROUP_INDEX SEEDS FIRST_SEED DURATION -- [run options]

For each policy of CAPDIR/capacity.csv with answer N: `vgpusim run CONFIG -p POLICY --set
vgpus.[G].count=N --seed S` for every seed S must give tenants that all meet their SLAs (tenants.csv
sla_rate_met and sla_latency_met not 0), and at N + 1 (when the scenario can place it) some tenant of
some seed must miss.  These runs are independent of capacity's own (other directories, run one by one).
Prints one line per check; exit 1 on any failure.
"""
import csv
import os
import subprocess
import sys


def all_met(vgpusim, work, config, group, n, policy, seed, dur, extra):
    out = os.path.join(work, f"{policy}-n{n}-s{seed}")
    r = subprocess.run([vgpusim, "run", config, "-p", policy, "--set", f"vgpus.[{group}].count={n}",
                        "--seed", str(seed), "--duration", dur, "--quiet", "-o", out] + extra,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    with open(os.path.join(out, "tenants.csv")) as f:
        rows = list(csv.DictReader(f))
    return all(t["sla_rate_met"] != "0" and t["sla_latency_met"] != "0" for t in rows), None


def main():
    if "--" not in sys.argv or len(sys.argv) < 9:
        print(__doc__, file=sys.stderr)
        return 2
    sep = sys.argv.index("--")
    vgpusim, capdir, work, config, group, seeds, first, dur = sys.argv[1:9]
    extra = sys.argv[sep + 1:]
    seeds, first = int(seeds), int(first)
    with open(os.path.join(capdir, "capacity.csv")) as f:
        rows = list(csv.DictReader(f))
    answers = {r["policy"]: int(r["n"]) for r in rows if r["answer"] == "1"}
    tried = {(r["policy"], int(r["n"])) for r in rows}
    bad = 0
    for policy in sorted({r["policy"] for r in rows}):
        n = answers.get(policy, 0)
        if n:
            res = [all_met(vgpusim, work, config, group, n, policy, first + k, dur, extra) for k in range(seeds)]
            ok = all(m for m, _ in res)
            print(f"{'ok  ' if ok else 'FAIL'} {policy}: N = {n}: every tenant meets its SLA in all {seeds} seeds"
                  + ("" if ok else f" ({[e or m for m, e in res]})"))
            bad += not ok
        if (policy, n + 1) in tried:
            res = [all_met(vgpusim, work, config, group, n + 1, policy, first + k, dur, extra) for k in range(seeds)]
            ok = any(m is False for m, _ in res)
            print(f"{'ok  ' if ok else 'FAIL'} {policy}: N + 1 = {n + 1}: some tenant misses its SLA")
            bad += not ok
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
