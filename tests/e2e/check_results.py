#!/usr/bin/env python3
"""Invariants of one vgpusim results directory (docs/metrics.md).

usage: check_results.py DIR [EXPECTED_POLICY]
Checks that every file parses, counts agree across files, no engine is busier than 100 %, shares are
fractions that sum to 1 per GPU, and the measured-window unit rows match the per-tenant counts.
Prints one line per failed check and exits 1 if any failed.
"""
import csv
import json
import math
import sys

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main():
    d = sys.argv[1]
    with open(f"{d}/summary.json") as f:
        summary = json.load(f)
    tenants = rows(f"{d}/tenants.csv")
    engines = rows(f"{d}/engines.csv")
    units = rows(f"{d}/units.csv")
    if len(sys.argv) > 2:
        check(summary.get("policy") == sys.argv[2], f"policy is {summary.get('policy')}, expected {sys.argv[2]}")

    check(len(tenants) == len(summary["tenants"]), "tenants.csv rows != summary.json tenants")
    check(len(engines) == len(summary["engines"]), "engines.csv rows != summary.json engines")
    check(len(tenants) > 0 and len(engines) > 0, "no tenants or no engines")

    for e in engines:
        u = float(e["utilisation"])
        check(0.0 <= u <= 1.0 + 1e-9, f"engine {e['engine']} utilisation {u} outside [0, 1]")

    by_gpu = {}
    total_cmds = 0
    for t in tenants:
        share = float(t["share"])
        check(0.0 <= share <= 1.0 + 1e-9, f"tenant {t['tenant']} share {share} outside [0, 1]")
        by_gpu.setdefault(t["gpu"], []).append(t)
        total_cmds += int(t["commands"])
        if int(t["units"]) > 0:
            for key in ("lat_p50_ms", "lat_p99_ms"):
                v = float(t[key])
                check(not math.isnan(v) and v >= 0, f"tenant {t['tenant']} {key} = {v}")
            check(float(t["lat_p50_ms"]) <= float(t["lat_p99_ms"]) + 1e-9,
                  f"tenant {t['tenant']} p50 > p99")
    for gpu, ts in by_gpu.items():
        held = sum(float(t["held_ms"]) for t in ts)
        if held > 0:
            s = sum(float(t["share"]) for t in ts)
            # the CSV carries 6 decimals: allow each value's rounding
            check(abs(s - 1.0) <= 1e-6 * len(ts), f"shares on {gpu} sum to {s}")
        targets = sum(float(t["share_target"]) for t in ts)
        check(abs(targets - 1.0) <= 1e-6 * len(ts), f"share targets on {gpu} sum to {targets}")

    engine_cmds = sum(int(e["commands"]) for e in engines)
    check(engine_cmds >= total_cmds, f"engines ran {engine_cmds} commands, fewer than the {total_cmds} completed")
    check(total_cmds == int(summary["commands"]), f"sum of tenant commands {total_cmds} != summary {summary['commands']}")

    measured = {}
    for u in units:
        if u["measured"] == "1":
            measured[u["tenant"]] = measured.get(u["tenant"], 0) + 1
    for t in tenants:
        check(measured.get(t["tenant"], 0) == int(t["units"]),
              f"tenant {t['tenant']}: {measured.get(t['tenant'], 0)} measured rows in units.csv, tenants.csv says {t['units']}")

    for line in failures:
        print(f"check_results {d}: {line}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
