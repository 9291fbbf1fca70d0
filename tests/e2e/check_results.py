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

    # VRAM (docs/vram.md): never an isolation violation; levels within the quota; counters consistent.
    check(summary["global"].get("isolation_violations") == 0,
          f"global isolation_violations = {summary['global'].get('isolation_violations')}")
    for t in tenants:
        check(int(t["isolation_violations"]) == 0, f"tenant {t['tenant']}: {t['isolation_violations']} isolation violations")
        peak, avg, quota = float(t["vram_peak_mb"]), float(t["vram_avg_mb"]), float(t["vram_quota_mb"])
        check(0 <= avg <= peak + 1e-6 and peak <= quota + 1e-6,
              f"tenant {t['tenant']}: VRAM avg {avg} / peak {peak} / quota {quota} MiB out of order")
        check(int(t["invalid_faults"]) <= int(t["page_faults"]), f"tenant {t['tenant']}: more invalid faults than faults")
        check(int(t["migrated_bytes"]) >= 4096 * int(t["evictions"]),
              f"tenant {t['tenant']}: {t['evictions']} evictions but {t['migrated_bytes']} bytes migrated")
        check(int(t["fault_kills"]) <= int(t["reset_dropped_commands"]), f"tenant {t['tenant']}: kills not counted as dropped")
    for g in summary["gpus"]:
        check(0.0 <= g["fragmentation"] <= 1.0, f"gpu {g['name']} fragmentation {g['fragmentation']} outside [0, 1]")
        check(g["vram_used_peak_mb"] <= g["vram_mb"] + 1e-6, f"gpu {g['name']} used more VRAM than it has")

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
