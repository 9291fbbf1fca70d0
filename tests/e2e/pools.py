#!/usr/bin/env python3
"""Live migration and metering in the command-level simulator (docs/pools.md, "Migration" and
"Metering"; sim/migrate.c, models/results/metering.c).

Migration, on tests/e2e/scenarios/migrate.cfg (a training vGPU of ten iterations moves from a100-0 to
a100-1 of one host, over PCIe through host memory):
  - no command is lost or run twice: the migrated runs complete exactly the commands (seq by seq) and
    the iterations of a run without the migration, each once;
  - its iterations continue: after the downtime it runs on a100-1 only, and iterations complete there;
    nothing of it runs during the downtime but the drain of what was already running;
  - the downtime is sim/migrate.c's formula on an idle route: drain + route latency + (final dirty
    bytes + context) / route bandwidth, the route being a100.cfg's PCIe link twice (out of a100-0,
    into a100-1).  Between two iterations (idle, nothing dirtied) every number follows from the
    config alone: one round of the 384 MiB resident, a final copy of the 64 MiB context, no drain.
Pre-copy under a write-heavy workload (every command writes its whole 1 GiB buffer) against a
read-mostly one (same commands, each writing 2 MiB of the buffer after a first pass over it): more
rounds, more bytes, longer, more tracking stall, and the downtime formula with the whole buffer as
the final dirty set.
Metering (tests/e2e/scenarios/metering.cfg, a price sheet): metering.csv's GPU-seconds per engine class
add up to the engines' channel-busy time, its energy (with the unattributed row) to summary.json's,
each row's price, charge, SLA credit and bill follow the sheet and its tiers.

usage: pools.py VGPUSIM WORKDIR
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import ROOT, check, summary, csv_rows as rows  # noqa: E402

VGPUSIM, WORK = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
MIB = 1048576.0
MIGRATE = os.path.join(ROOT, "tests/e2e/scenarios/migrate.cfg")


def run(name, cfg, *args):
    out = os.path.join(WORK, name)
    r = subprocess.run([VGPUSIM, "run", cfg, "-o", out, "-q", "--commands", *args], capture_output=True, text=True,
                       cwd=ROOT)
    if r.returncode:
        raise RuntimeError(f"{name}: exited {r.returncode}: {r.stderr.strip()}")
    return out


def a100_pcie():
    """(latency s, bandwidth B/s) of configs/gpus/a100.cfg's PCIe link, read from the profile."""
    text = open(os.path.join(ROOT, "configs/gpus/a100.cfg")).read()
    pcie = re.search(r"pcie\s*=\s*\{(.*?)\};", text, re.S).group(1)
    bw = float(re.search(r"bandwidth_gbps\s*=\s*([0-9.]+)", pcie).group(1)) * 1e9
    lat = float(re.search(r"latency_us\s*=\s*([0-9.]+)", pcie).group(1)) * 1e-6
    return lat, bw


# The route between two GPUs of one host without NVLink: the source's PCIe link, then the
# destination's (sim/platform.c, sim_route): latencies add, the narrower bandwidth counts.
PCIE_LAT, PCIE_BW = a100_pcie()
ROUTE_LAT, ROUTE_BW = 2 * PCIE_LAT, PCIE_BW
CONTEXT = 64 * MIB          # migration.context_mb's default (models/scenario/pool_cfg.c)


def close(a, b, tol, what):
    if abs(a - b) > tol:
        raise AssertionError(f"{what}: {a!r} != {b!r} (tolerance {tol})")


def migration(out):
    m = rows(os.path.join(out, "migrations.csv"))
    assert len(m) == 1, f"{len(m)} rows in migrations.csv"
    m = m[0]
    assert m["status"] == "done", f"status {m['status']}"
    for k in ("start_s", "precopy_ms", "rounds", "precopy_mb", "final_mb", "context_mb", "drain_ms", "copy_ms",
              "downtime_ms", "route_latency_us", "route_gbps", "track_stall_ms"):
        m[k] = float(m[k])
    m["suspend_ns"] = round(m["start_s"] * 1e9 + m["precopy_ms"] * 1e6)
    m["resume_ns"] = round(m["suspend_ns"] + m["downtime_ms"] * 1e6)
    return m


def commands(out, tenant):
    return [dict(r, seq=int(r["seq"]), start_ns=int(r["start_ns"]), end_ns=int(r["end_ns"]))
            for r in rows(os.path.join(out, "commands.csv")) if r["tenant"] == tenant]


def units(out, tenant):
    return [r for r in rows(os.path.join(out, "units.csv")) if r["tenant"] == tenant]


def check_formula(m, cmds, final_bytes=None):
    """downtime = drain + copy, copy = route latency + (final dirty bytes + context) / route bandwidth, the
    route that of a100.cfg; the drain is what the commands running at the suspension still needed."""
    close(m["route_latency_us"], ROUTE_LAT * 1e6, 1e-3, "route latency (us), two PCIe hops")
    close(m["route_gbps"], ROUTE_BW / 1e9, 1e-3, "route bandwidth (GB/s)")
    close(m["context_mb"] * MIB, CONTEXT, 1, "context bytes")
    final = m["final_mb"] * MIB if final_bytes is None else final_bytes
    close(m["final_mb"] * MIB, final, 1, "final copy bytes")
    running = [c["end_ns"] for c in cmds if c["start_ns"] < m["suspend_ns"] < c["end_ns"]]
    drain_ns = max(running) - m["suspend_ns"] if running else 0
    close(m["drain_ms"], drain_ns * 1e-6, 2e-6, "drain (ms): the commands running at the suspension")
    copy_ms = (ROUTE_LAT + final / ROUTE_BW) * 1e3
    close(m["copy_ms"], copy_ms, 2e-6, "stop-and-copy (ms) = latency + (final + context) / bandwidth")
    close(m["downtime_ms"], drain_ns * 1e-6 + copy_ms, 4e-6, "downtime (ms) = drain + copy")


def check_exactly_once(base, out, tenant):
    """The migrated run completed the same commands and iterations as the run without it, each once."""
    b, o = commands(base, tenant), commands(out, tenant)
    seqs = [c["seq"] for c in o]
    assert len(seqs) == len(set(seqs)), f"{len(seqs) - len(set(seqs))} commands completed twice"
    assert sorted(seqs) == sorted(c["seq"] for c in b), \
        f"{len(set(c['seq'] for c in b) - set(seqs))} commands lost, {len(set(seqs) - set(c['seq'] for c in b))} extra"
    assert sorted(seqs) == list(range(len(seqs))), "the completed commands are not seqs 0 .. n-1"
    s = json.load(open(os.path.join(out, "summary.json")))
    t = [x for x in s["tenants"] if x["name"] == tenant][0]
    assert t["commands"] == len(o), f"summary.json counts {t['commands']} commands, commands.csv has {len(o)}"
    ub, uo = [int(u["unit"]) for u in units(base, tenant)], [int(u["unit"]) for u in units(out, tenant)]
    assert sorted(uo) == sorted(ub) and len(uo) == len(set(uo)), f"units {uo}, without the migration {ub}"
    assert sum(t["held_ns_by_domain"].values()) == t["held_ns"], \
        f"held_ns {t['held_ns']} but held_ns_by_domain sums to {sum(t['held_ns_by_domain'].values())}"
    # each GPU is credited with the commands that ran on it (warm-up 0: all of them)
    for g in s["gpus"]:
        ran = sum(1 for c in o if c["engine"].startswith(g["name"] + "."))
        assert g["commands"] == ran, f"summary.json: {g['commands']} commands on {g['name']}, {ran} ran there"
    # the classes too: the same command, not just the same number
    cb = {c["seq"]: c["class"] for c in b}
    assert all(cb[c["seq"]] == c["class"] for c in o), "a seq completed as another command"


def check_continues(m, out, tenant, src, dst, min_units):
    """After the downtime the vGPU runs on dst only, and its iterations go on completing there."""
    cmds = commands(out, tenant)
    on = lambda c, g: c["engine"].startswith(g + ".")  # noqa: E731
    for c in cmds:
        if c["start_ns"] >= m["suspend_ns"]:
            assert on(c, dst), f"seq {c['seq']} started at {c['start_ns']} after the suspension on {c['engine']}"
            assert c["start_ns"] >= m["resume_ns"], \
                f"seq {c['seq']} started at {c['start_ns']}, during the downtime [{m['suspend_ns']}, {m['resume_ns']})"
        else:
            assert on(c, src), f"seq {c['seq']} ran on {c['engine']} before the migration"
    after = [u for u in units(out, tenant) if int(u["end_ns"]) > m["resume_ns"]]
    assert len(after) >= min_units, f"only {len(after)} iterations completed after the resumption"
    assert any(on(c, dst) for c in cmds), f"nothing ran on {dst}"


# ---- a training vGPU between two A100s --------------------------------------------------------------

state = {}


def t_baseline():
    base = run("train-base", MIGRATE, "--set", "migrations.[0].at_s=1000.0")
    m = rows(os.path.join(base, "migrations.csv"))
    assert len(m) == 1 and m[0]["status"] == "not-started" and m[0]["start_s"] == "" and m[0]["from"] == "", m
    u = units(base, "train")
    assert len(u) == 10, f"{len(u)} iterations without the migration"
    # a time inside iteration 4, and one between iterations 4 and 5 (the host's data-loading gap)
    state["base"] = base
    state["busy_s"] = (int(u[4]["arrival_ns"]) + int(u[4]["end_ns"])) / 2e9
    state["idle_s"] = int(u[4]["end_ns"]) / 1e9 + 0.001
    gap_s = (int(u[5]["arrival_ns"]) - int(u[4]["end_ns"])) / 1e9
    assert gap_s > 0.001 + 3 * (384 * MIB / PCIE_BW), f"a gap of {gap_s} s between iterations: too short"


def t_busy():
    out = run("train-busy", MIGRATE, "--set", f"migrations.[0].at_s={state['busy_s']:.9f}")
    m = migration(out)
    state["busy"] = (out, m)
    check_exactly_once(state["base"], out, "train")
    check_continues(m, out, "train", "a100-0", "a100-1", 4)
    check_formula(m, commands(out, "train"))
    # mid-iteration: activations were resident and written during the pre-copy
    assert m["precopy_mb"] >= 384 + 1024 - 1e-6, f"pre-copy of {m['precopy_mb']} MiB: the activations missing"
    assert m["final_mb"] > m["context_mb"], "nothing dirty at the stop, though it trained during the pre-copy"


def t_idle():
    out = run("train-idle", MIGRATE, "--set", f"migrations.[0].at_s={state['idle_s']:.9f}")
    m = migration(out)
    check_exactly_once(state["base"], out, "train")
    check_continues(m, out, "train", "a100-0", "a100-1", 5)
    resident = 3 * 128 * MIB   # weights_mb = 128: weights, gradients, SGD momentum (docs/workloads.md)
    assert m["rounds"] == 1, f"{m['rounds']} rounds with nothing dirtied"
    close(m["precopy_mb"] * MIB, resident, 1, "pre-copy bytes = resident VRAM")
    close(m["precopy_ms"], (ROUTE_LAT + resident / ROUTE_BW) * 1e3, 2e-6, "pre-copy (ms) = latency + resident / bw")
    close(m["drain_ms"], 0.0, 0, "drain with nothing running")
    check_formula(m, commands(out, "train"), final_bytes=CONTEXT)
    close(m["downtime_ms"], (ROUTE_LAT + CONTEXT / ROUTE_BW) * 1e3, 2e-6, "downtime (ms) = latency + context / bw")


check("migration: the training vGPU's run without it (10 iterations)", t_baseline)
check("migration mid-iteration: every command once, iterations continue on a100-1, downtime = drain + "
      "latency + (dirty + context) / bandwidth", t_busy)
check("migration between iterations: one round of the 384 MiB resident, downtime = latency + context / "
      "bandwidth from a100.cfg", t_idle)

# ---- write-heavy against read-mostly ----------------------------------------------------------------

BUF = 1 << 30          # the buffer every command of both traces works on
SLICE = 2 << 20        # what a read-mostly command writes (one 2 MiB page)
NCMD, WORK_NS = 2500, 200000


def trace(path, heavy):
    """NCMD compute commands of WORK_NS back to back; the first writes the whole buffer, the others
    all of it (heavy) or its first SLICE bytes (read-mostly: the model counts every access as a write,
    docs/pools.md, so a read-mostly workload is one that writes little of what it holds)."""
    with open(path, "w") as f:
        f.write("#vgpusim-trace 1\n@unit step\nseq\tclass\tstream\twork_ns\tbytes\tdir\tdeps\tgap_ns\tunit\tflags\n")
        f.write(f"m alloc 1 {BUF} 2048\n")
        for i in range(NCMD):
            f.write("m touch 1\n" if heavy or i == 0 else f"m touch 1 0 {SLICE}\n")
            f.write(f"{i}\tcompute\t0\t{WORK_NS}\t0\t-\t{i - 1 if i else '-'}\t0\t{i}\tBE\n")


def wl_config(name, heavy):
    tr = os.path.join(WORK, f"{name}.vgt")
    trace(tr, heavy)
    cfg = os.path.join(WORK, f"{name}.cfg")
    with open(cfg, "w") as f:
        f.write(f"""simulation = {{ duration_s = 1.0; warmup_s = 0.0; seed = 1; }};
gpus = ( {{
@include "{ROOT}/configs/gpus/a100.cfg"
  count = 2;
}} );
scheduler = {{ policy = "timeslice"; timeslice = {{ variant = "best-effort"; }}; domain = ( ("compute") ); }};
vgpus = ( {{ name = "wl"; gpu = 0; vram_mb = 4096; workload = {{ trace = "{tr}"; loop = false; }}; }} );
# stop only when the rest copies within 10 ms (1 GiB takes 43 ms), after 4 rounds at most
migration = {{ downtime_ms = 10.0; max_rounds = 4; }};
migrations = ( {{ vgpu = "wl"; at_s = 0.2; to = "a100-1"; }} );
""")
    return cfg


def t_write_heavy():
    heavy = run("heavy", wl_config("heavy", True))
    light = run("light", wl_config("light", False))
    mh, ml = migration(heavy), migration(light)
    for out, m in ((heavy, mh), (light, ml)):
        cmds = commands(out, "wl")
        seqs = [c["seq"] for c in cmds]
        assert len(seqs) == len(set(seqs)) == NCMD and sorted(seqs) == list(range(NCMD)), \
            f"{out}: {len(seqs)} completions of {len(set(seqs))} distinct commands, {NCMD} submitted"
        check_continues(m, out, "wl", "a100-0", "a100-1", 100)
    # heavy: never converges (the whole buffer is dirty again after every round), so max_rounds rounds
    # of it and the whole buffer at the stop; read-mostly: one round, then one page
    assert mh["rounds"] == 4, f"write-heavy: {mh['rounds']} rounds, expected max_rounds = 4"
    close(mh["precopy_mb"] * MIB, 4 * BUF, 1, "write-heavy pre-copy bytes = 4 rounds of the buffer")
    check_formula(mh, commands(heavy, "wl"), final_bytes=BUF + CONTEXT)
    assert ml["rounds"] == 1, f"read-mostly: {ml['rounds']} rounds"
    close(ml["precopy_mb"] * MIB, BUF, 1, "read-mostly pre-copy bytes = the buffer once")
    check_formula(ml, commands(light, "wl"), final_bytes=SLICE + CONTEXT)
    for k in ("precopy_ms", "rounds", "precopy_mb", "final_mb", "downtime_ms", "track_stall_ms"):
        assert mh[k] > ml[k], f"{k}: write-heavy {mh[k]} not above read-mostly {ml[k]}"
    sh, sl = rows(os.path.join(heavy, "migrations.csv"))[0], rows(os.path.join(light, "migrations.csv"))[0]
    assert sh["precopy_slowdown"] and sl["precopy_slowdown"], "no precopy_slowdown"
    assert float(sh["precopy_slowdown"]) > float(sl["precopy_slowdown"]), \
        f"the write-heavy vGPU slowed {sh['precopy_slowdown']} during its pre-copy, the read-mostly one {sl['precopy_slowdown']}"


check("pre-copy under a write-heavy workload: more rounds, bytes, time, tracking stall and slowdown than "
      "read-mostly; downtime formula with the whole buffer dirty", t_write_heavy)

# ---- metering ---------------------------------------------------------------------------------------

METERING = os.path.join(ROOT, "tests/e2e/scenarios/metering.cfg")


def t_metering():
    out = run("metering", METERING)
    s = json.load(open(os.path.join(out, "summary.json")))
    meter = rows(os.path.join(out, "metering.csv"))
    eng = rows(os.path.join(out, "engines.csv"))
    tenants = [r for r in meter if r["tenant"] != "(unattributed)"]
    assert len(tenants) == len(s["tenants"]), f"{len(tenants)} metering rows for {len(s['tenants'])} tenants"
    assert len(meter) == len(tenants) + 1 and meter[-1]["tenant"] == "(unattributed)", "no (unattributed) row last"
    # GPU-seconds per class = the engines' channel-busy time of that class
    for cls in ("gfx", "compute", "copy", "venc", "vdec"):
        got = sum(float(r[f"gpu_s_{cls}"]) for r in tenants)
        want = sum(float(e["channel_busy_ms"]) for e in eng if e["class"] == cls) / 1e3
        close(got, want, 1e-8 * len(tenants) + 1e-6 * len(eng) / 1e3, f"sum of gpu_s_{cls} vs engines.csv")
    assert sum(float(r["gpu_s_compute"]) for r in tenants) > 0.1, "no compute time metered"
    # energy: the rows and the unattributed row = summary.json's energy
    got = sum(float(r["energy_j"]) for r in meter)
    close(got, s["global"]["energy_j"], 1e-6 * s["global"]["energy_j"] + 1e-5 * len(meter), "sum of energy_j")
    close(float(meter[-1]["energy_j"]), s["global"]["energy_j"] - sum(t["energy_j"] for t in s["tenants"]),
          1e-5 * len(meter), "unattributed energy")
    # the bill: the sheet's price (or gpu_hour x the share of the GPU), credits by the sheet's tiers
    cfg = open(METERING).read()
    prices = dict(re.findall(r'profile\s*=\s*"([^"]+)";\s*per_hour\s*=\s*([0-9.]+)', cfg))
    gpu_hour = float(re.search(r"gpu_hour\s*=\s*([0-9.]+)", cfg).group(1))
    tiers = [(float(b), float(c)) for b, c in re.findall(r"below_pct\s*=\s*([0-9.]+);\s*credit_pct\s*=\s*([0-9.]+)", cfg)]
    assert tiers, "no sla_credits in metering.cfg"
    quota = {t["name"]: t["vram_quota_mb"] for t in s["tenants"]}
    credits_seen = set()
    for r in tenants:
        hours = (float(r["end_s"]) - float(r["start_s"])) / 3600
        price = float(prices[r["profile"]]) if r["profile"] in prices else gpu_hour * quota[r["tenant"]] / 40960
        close(float(r["price_per_h"]), price, 1e-6, f"{r['tenant']}: price_per_h")
        close(float(r["charge"]), price * hours, 1e-9, f"{r['tenant']}: charge = price x hours")
        close(float(r["fb_gb_h"]), quota[r["tenant"]] / 1024 * hours, 1e-9, f"{r['tenant']}: fb_gb_h")
        credit = 0.0
        if r["sla_attainment"]:
            pct = 100 * float(r["sla_attainment"])
            for below, c in tiers:
                if pct < below:
                    credit = c
        close(float(r["sla_credit_pct"]), credit, 0.005, f"{r['tenant']}: credit for attainment {r['sla_attainment']}")
        close(float(r["bill"]), float(r["charge"]) * (1 - credit / 100), 1e-9, f"{r['tenant']}: bill = charge - credit")
        credits_seen.add(credit)
    assert len(credits_seen) >= 2, f"every tenant got the same credit ({credits_seen}): the tiers are not exercised"
    # lifetimes: the late tenant is billed for its second only
    late = [r for r in tenants if r["tenant"] == "late"][0]
    close(float(late["end_s"]) - float(late["start_s"]), 1.0, 1e-9, "late: its lifetime start_s .. stop_s")
    # the migrated tenant is metered where it ran last
    mig = [r for r in tenants if r["tenant"] == "train"][0]
    last = max(commands(out, "train"), key=lambda c: c["end_ns"])["engine"].split(".")[0]
    assert mig["gpu"] == last, f"train ran last on {last}, metering.csv says {mig['gpu']}"


check("metering.csv: GPU-seconds per class sum to the engines' busy time, energy to summary.json's, "
      "bill = charge - SLA credits by the sheet's tiers", t_metering)

summary("pools")
