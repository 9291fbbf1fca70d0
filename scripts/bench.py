#!/usr/bin/env python3
"""vgpusim benchmark (`make bench`, scripts/bench.sh): the simulator's speed on a fixed set of scenarios,
as ratios measured in one run on one machine.

For each scenario (median of --runs runs): wall time, simulated seconds, simulated commands per wall
second -- of the whole process, and of the simulation alone as timed in summary.json (without loading
the config and importing traces, as the floor is timed) --, SimGrid activities per command, real-time
factor (simulated s / wall s), peak RSS, the share of execs the fast path ran without a SimGrid
activity (column coalesced_pct: the event loop times execs itself; before it, the share of commands run
inside an earlier command's exec), and the scheduling slices per command (each slice boundary is a
policy decision).  The mixed scenario also runs with --no-coalesce (lockstep: SimGrid at every event,
one exec per command): the fast path's own speed-up, measured in the same run.  In the same run it
measures the floor -- `vgpusim bench-floor`, one SimGrid exec per command -- and prints each
scenario's commands/s as a multiple of it.  A memory check compares the peak RSS of a one-hour
simulated cloudgame run with a one-minute one.  The pool scenario (configs/bench/pool-1000.cfg: 1,000
GPUs on 125 hosts, one simulated day, docs/pools.md "Scale") runs `vgpusim pool` twice, with a cold
mix cache (every mix run command by command, -j 2) and a warm one (the pool level alone): wall time
and peak RSS against its target of 10 minutes on 2 cores.  Rows are appended to bench/results.csv
with the commit id, so the history stays in the repository.

usage: scripts/bench.py [--runs N] [--quick] [--no-save] [--vgpusim PATH]
  --quick    shorter simulated durations, one run, no one-hour run (a smoke test of the benchmark)
"""
import argparse
import csv
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRACES = os.path.join(ROOT, "..", "shared", "traces")


def measure(cmd):
    """Run cmd in a child; return (wall seconds, peak RSS MiB of that child, stdout)."""
    t0 = os.times().elapsed
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, ru = os.wait4(child.pid, 0)
    wall = os.times().elapsed - t0
    out = child.stdout.read()
    err = child.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{err}")
    return wall, ru.ru_maxrss / 1024.0, out


def run_scenario(vgpusim, name, cfg, duration, runs, work, extra=()):
    rows = []
    for k in range(runs):
        out = os.path.join(work, f"{name}-{k}".replace(" ", "_"))
        wall, rss, _ = measure([vgpusim, "run", cfg, "--duration", str(duration), "-q", "-o", out, *extra])
        with open(os.path.join(out, "summary.json")) as f:
            s = json.load(f)
        g = s["global"]
        sim_s = s["end_s"]
        slices = sum(sum(t["slices"].values()) for t in s["tenants"])
        rows.append({
            "wall_s": wall,
            "sim_s": sim_s,
            "commands": g["commands_total"],
            "commands_per_s": g["commands_total"] / wall,
            # the simulation alone (summary.json wall_s: from building the run to writing its results),
            # without loading the config and importing traces -- the floor is timed the same way
            "run_commands_per_s": g["commands_total"] / g["wall_s"],
            "activities_per_command": g["activities_per_command"],
            "rtf": sim_s / wall,
            "rss_mb": rss,
            "coalesced_pct": 100.0 * min(g["execs_without_activity"], g["commands_total"]) / max(g["commands_total"], 1),
            "slices_per_command": slices / max(g["commands_total"], 1),
        })
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    med["scenario"] = name
    return med


def run_pool(vgpusim, cfg, work, quick):
    """The pool scenario, cold then warm mix cache: one row each (commands = requests arrived)."""
    rows = []
    cache = os.path.join(work, "mix-cache")
    extra = ["--duration", "3600"] if quick else []
    for name in ("pool-1000 day (cold cache)", "pool-1000 day (warm cache)"):
        out = os.path.join(work, name.split()[0] + ("-cold" if "cold" in name else "-warm"))
        wall, rss, _ = measure([vgpusim, "pool", cfg, "--cache", cache, "-j", "2", "-q", "-o", out, *extra])
        with open(os.path.join(out, "summary.json")) as f:
            s = json.load(f)
        rows.append({"scenario": name, "wall_s": wall, "sim_s": s["duration_s"], "commands": s["pool"]["arrived"],
                     "commands_per_s": s["pool"]["arrived"] / wall, "run_commands_per_s": 0.0,
                     "activities_per_command": 0.0, "rtf": s["duration_s"] / wall, "rss_mb": rss,
                     "coalesced_pct": 0.0, "slices_per_command": 0.0, "mix_runs": s["two_level"]["mix_runs"]})
    return rows


def git_commit():
    try:
        c = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True, text=True)
        return c.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-save", action="store_true")
    ap.add_argument("--vgpusim", default=os.path.join(ROOT, "vgpusim"))
    a = ap.parse_args()
    runs = 1 if a.quick else a.runs
    q = 0.1 if a.quick else 1.0

    if os.path.isdir(TRACES):
        ai = ("ai8 (Kineto replay)", "configs/bench/ai8.cfg")
    else:
        print("bench: ../shared/traces not found: the AI scenario uses the generators (ai8-gen)")
        ai = ("ai8-gen (generators)", "configs/bench/ai8-gen.cfg")
    scenarios = [
        ("cloudgame16", "configs/bench/cloudgame16.cfg", 60 * q),
        (ai[0], ai[1], 10 * q),
        ("scale 64x16", "configs/bench/scale.cfg", 60 * q),
        ("mixed", "configs/mixed.cfg", 30 * q),
        ("mixed --no-coalesce", "configs/mixed.cfg", 30 * q, ("--no-coalesce",)),
    ]

    floors = []
    for _ in range(runs):
        _, _, out = measure([a.vgpusim, "bench-floor", str(int(1000000 * q))])
        floors.append(float(out.split(":")[2].split()[0]))
    floor = statistics.median(floors)

    results = []
    with tempfile.TemporaryDirectory(prefix="vgpusim-bench.") as work:
        os.chdir(ROOT)
        for name, cfg, dur, *extra in scenarios:
            print(f"bench: {name} ({dur:g} s simulated, {runs} run(s))...", file=sys.stderr, flush=True)
            results.append(run_scenario(a.vgpusim, name, cfg, dur, runs, work, *extra))
        print("bench: pool: 1,000 GPUs, one simulated day, cold and warm mix cache...", file=sys.stderr, flush=True)
        pool_rows = run_pool(a.vgpusim, "configs/bench/pool-1000.cfg", work, a.quick)
        if not a.quick:
            print("bench: memory: cloudgame, 1 minute and 1 hour simulated...", file=sys.stderr, flush=True)
            short = run_scenario(a.vgpusim, "cloudgame 1 min", "configs/cloudgame.cfg", 60, 1, work)
            long = run_scenario(a.vgpusim, "cloudgame 1 h", "configs/cloudgame.cfg", 3600, 1, work)
            results += [short, long]

    commit = git_commit()
    print(f"\nvgpusim bench, commit {commit}, {os.cpu_count()} cpus, median of {runs} run(s)")
    print(f"floor (one SimGrid exec per command): {floor:,.0f} commands/s\n")
    hdr = f"{'scenario':<22} {'wall s':>8} {'sim s':>7} {'commands':>10} {'cmd/s':>10} {'x floor':>8} " \
          f"{'run cmd/s':>10} {'x floor':>8} {'act/cmd':>8} {'RT factor':>10} {'RSS MiB':>8} {'fast %':>7} {'slices/cmd':>10}"
    print(hdr)
    print("-" * len(hdr))
    for r in results:
        r["x_floor"] = r["commands_per_s"] / floor
        r["run_x_floor"] = r["run_commands_per_s"] / floor
        print(f"{r['scenario']:<22} {r['wall_s']:>8.2f} {r['sim_s']:>7.1f} {r['commands']:>10,.0f} "
              f"{r['commands_per_s']:>10,.0f} {r['x_floor']:>8.2f} {r['run_commands_per_s']:>10,.0f} "
              f"{r['run_x_floor']:>8.2f} {r['activities_per_command']:>8.3f} "
              f"{r['rtf']:>10,.1f} {r['rss_mb']:>8.1f} {r['coalesced_pct']:>7.1f} {r['slices_per_command']:>10.3f}")
    for r in pool_rows:
        r["x_floor"] = r["run_x_floor"] = 0.0
        print(f"{r['scenario']:<28} wall {r['wall_s']:>7.1f} s for {r['sim_s'] / 3600:.0f} h simulated, "
              f"{r['commands']:,.0f} requests, {r['mix_runs']} mix runs, peak RSS {r['rss_mb']:.0f} MiB "
              f"(target: under 600 s on 2 cores)")
    results += pool_rows
    by = {r["scenario"]: r for r in results}
    print(f"\nfast-path speed-up on mixed (wall, --no-coalesce lockstep / default): "
          f"{by['mixed --no-coalesce']['wall_s'] / by['mixed']['wall_s']:.2f}")
    if not a.quick:
        ratio = by["cloudgame 1 h"]["rss_mb"] / by["cloudgame 1 min"]["rss_mb"]
        print(f"peak RSS, 1 h / 1 min simulated cloudgame: {ratio:.2f}")

    if a.no_save or a.quick:
        return
    path = os.path.join(ROOT, "bench", "results.csv")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fields = ["date", "commit", "machine", "runs", "scenario", "wall_s", "sim_s", "commands", "commands_per_s",
              "floor_commands_per_s", "x_floor", "activities_per_command", "rtf", "rss_mb", "coalesced_pct",
              "slices_per_command", "run_commands_per_s", "run_x_floor"]
    old = []
    if os.path.exists(path):
        with open(path, newline="") as f:
            rd = csv.DictReader(f)
            if rd.fieldnames != fields:  # an older layout: rewrite it with the new columns left empty
                old = list(rd)
    with open(path, "a" if os.path.exists(path) and not old else "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, restval="")
        if f.tell() == 0:
            w.writeheader()
        w.writerows(old)
        day = datetime.date.today().isoformat()
        mach = f"{platform.machine()} {os.cpu_count()}cpu"
        for r in results:
            w.writerow({"date": day, "commit": commit, "machine": mach, "runs": runs, "scenario": r["scenario"],
                        "wall_s": f"{r['wall_s']:.3f}", "sim_s": f"{r['sim_s']:.1f}",
                        "commands": int(r["commands"]), "commands_per_s": f"{r['commands_per_s']:.0f}",
                        "floor_commands_per_s": f"{floor:.0f}", "x_floor": f"{r['x_floor']:.3f}",
                        "activities_per_command": f"{r['activities_per_command']:.4f}",
                        "rtf": f"{r['rtf']:.1f}", "rss_mb": f"{r['rss_mb']:.1f}",
                        "coalesced_pct": f"{r['coalesced_pct']:.2f}",
                        "slices_per_command": f"{r['slices_per_command']:.4f}",
                        "run_commands_per_s": f"{r['run_commands_per_s']:.0f}",
                        "run_x_floor": f"{r['run_x_floor']:.3f}"})
    print(f"\nappended to {os.path.relpath(path, ROOT)}")


if __name__ == "__main__":
    main()
