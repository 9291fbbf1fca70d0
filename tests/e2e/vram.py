#!/usr/bin/env python3
"""End-to-end checks of the VRAM model (docs/vram.md).

Isolation: tests/e2e/scenarios/adversary.cfg runs four game sessions and an inference service next to
an adversary whose every 10th kernel touches unmapped pages, asks for more than its quota, touches
addresses another vGPU has mapped and addresses past the address space; it is run again with
`every = 0` (the same work without the faulting accesses).  For each fault handling (reset, kill,
demand): no isolation violation anywhere (the scenario has simulation.vram_check, so every page mapped
is checked too), faults and resets on the adversary only, and every other tenant's unit rate within
2 % of the run without faulting accesses.

Oversubscription: configs/oversubscribe.cfg at overcommit ratios below, at and above capacity: below
and at capacity the throughput equals that of the same jobs without memory modelling and nothing
moves over PCIe; above, throughput drops with every step of the ratio, pages migrate, and the
training input copies slow down because they share the PCIe link with the migrations.

Bad input: a misspelt fault handling and a profile page size that is not a GPU page size fail with
exit status 2 and FILE:LINE.

usage: vram.py VGPUSIM WORKDIR      prints one ok/FAIL line per check, then 'vram: N passed, N failed'
"""
import csv
import json
import os
import subprocess
import sys

from e2elib import check, summary

VGPUSIM, WORK = sys.argv[1], sys.argv[2]
QUICK = bool(os.environ.get("VGS_E2E_QUICK"))


def run(name, cfg, *args):
    out = os.path.join(WORK, name)
    r = subprocess.run([VGPUSIM, "run", cfg, "-o", out, "-q", *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{cfg} {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
    with open(os.path.join(out, "summary.json")) as f:
        summary = json.load(f)
    with open(os.path.join(out, "tenants.csv"), newline="") as f:
        tenants = {t["tenant"]: t for t in csv.DictReader(f)}
    with open(os.path.join(out, "engines.csv"), newline="") as f:
        engines = list(csv.DictReader(f))
    return summary, tenants, engines


ADV = "tests/e2e/scenarios/adversary.cfg"
ADV_IDX = 2  # vgpus.[2] is the adversary


def adversary(fault):
    """Run the scenario with and without faulting accesses; check isolation and the victims' rates."""
    common = ["--set", f'vgpus.[{ADV_IDX}].vram.fault="{fault}"']
    if QUICK:
        common += ["--duration", "1"]
    s1, t1, _ = run(f"adv-{fault}", ADV, *common)
    s0, t0, _ = run(f"adv-{fault}-none", ADV, *common, "--set", f"vgpus.[{ADV_IDX}].workload.every=0")
    for s, t, label in ((s1, t1, "with faults"), (s0, t0, "without")):
        assert s["global"]["isolation_violations"] == 0, f"{label}: {s['global']['isolation_violations']} violations"
        for name, row in t.items():
            assert int(row["isolation_violations"]) == 0, f"{label}: {name} has isolation violations"
    adv = t1["adversary"]
    assert int(adv["invalid_faults"]) > 0 and int(adv["page_faults"]) >= int(adv["invalid_faults"]), adv["invalid_faults"]
    assert int(adv["alloc_failures"]) > 0, "the allocation past the quota was not refused"
    assert int(t0["adversary"]["invalid_faults"]) == 0 and int(t0["adversary"]["resets"]) == 0
    for name, row in t1.items():
        if name == "adversary":
            continue
        for key in ("page_faults", "invalid_faults", "resets", "fault_kills", "reset_dropped_commands", "evictions"):
            assert int(row[key]) == 0, f"{name}: {key} = {row[key]}"
        rate, base = float(row["unit_rate_per_s"]), float(t0[name]["unit_rate_per_s"])
        assert base > 0 and abs(rate - base) <= 0.02 * base, f"{name}: {rate} units/s vs {base} without faults"
    return adv, t0["adversary"]


def adversary_reset():
    adv, _ = adversary("reset")
    assert int(adv["resets"]) > 0 and int(adv["fault_kills"]) == 0, (adv["resets"], adv["fault_kills"])


def adversary_kill():
    adv, _ = adversary("kill")
    assert int(adv["fault_kills"]) > 0 and int(adv["resets"]) == 0, (adv["resets"], adv["fault_kills"])
    assert int(adv["reset_dropped_commands"]) == int(adv["fault_kills"])


def adversary_demand():
    adv, base = adversary("demand")
    # Wild and foreign addresses get fresh pages of the adversary's own; the null pointer left by the
    # refused allocation and addresses past the address space cannot be mapped and escalate to resets.
    assert float(adv["vram_peak_mb"]) > float(base["vram_peak_mb"]), (adv["vram_peak_mb"], base["vram_peak_mb"])
    assert int(adv["resets"]) > 0 and int(adv["fault_kills"]) == 0


OVS = "configs/oversubscribe.cfg"
FIXED_MIB = 4102  # weights + gradients + Adam state + input batch of each job (configs/oversubscribe.cfg)


def oversub(ratio, dur, memory=True):
    ws = 2 * round(ratio * 40960 / 4 / 2)
    args = ["--duration", str(dur), "--set", f"vgpus.[0].workload.activations_mb={ws - FIXED_MIB}",
            "--set", f"vgpus.[0].vram_mb={ws + 64}"]
    if not memory:
        args += ["--set", "vgpus.[0].workload.memory=false"]
    s, t, e = run(f"ovs-{ratio}-{int(memory)}", OVS, *args)
    units = sum(int(r["units"]) for r in t.values())
    migrated = sum(int(r["migrated_bytes"]) for r in t.values())
    copies = [r for r in e if r["class"] == "copy"]
    copy_ms = sum(float(r["busy_ms"]) for r in copies) / max(1, sum(int(r["commands"]) for r in copies))
    assert s["global"]["isolation_violations"] == 0
    return units, migrated, copy_ms


def oversubscription():
    dur = 3 if QUICK else 5
    base_units, _, base_copy = oversub(0.5, dur, memory=False)
    below = [oversub(r, dur) for r in (0.5, 1.0)]
    above = [oversub(r, dur) for r in (1.25, 1.5, 2.0)]
    for units, migrated, copy_ms in below:
        assert units == base_units, f"{units} iterations below capacity, {base_units} without memory modelling"
        assert migrated == 0 and abs(copy_ms - base_copy) < 1e-9
    prev = base_units
    for (units, migrated, copy_ms), r in zip(above, (1.25, 1.5, 2.0)):
        assert units < prev, f"ratio {r}: {units} iterations, not fewer than {prev} at the ratio before"
        assert migrated > 0, f"ratio {r}: nothing migrated"
        assert copy_ms > 1.2 * base_copy, f"ratio {r}: input copies take {copy_ms} ms, {base_copy} ms without migrations"
        prev = units


def no_livelock():
    # busy.cfg's training jobs with a 1 GiB quota: their ~2.6 GB of activations are refused every
    # iteration and every kernel that touches them faults.  Faulting commands still take their time,
    # so the run ends (it looped at one instant before) with the faults counted.
    out = os.path.join(WORK, "livelock")
    r = subprocess.run([VGPUSIM, "run", "tests/e2e/scenarios/busy.cfg", "-o", out, "-q", "--set",
                        "vgpus.[0].vram_mb=1024"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr.strip()
    with open(os.path.join(out, "tenants.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    for t in rows:
        assert int(t["alloc_failures"]) > 0 and int(t["invalid_faults"]) > 0 and int(t["resets"]) > 0, t["tenant"]
        assert float(t["busy_gfx_ms"]) > 0, t["tenant"]


def bad_input(name, pattern, *sets):
    out = os.path.join(WORK, "bad-" + name)
    args = []
    for s in sets:
        args += ["--set", s]
    r = subprocess.run([VGPUSIM, "run", ADV, "-o", out, *args], capture_output=True, text=True)
    assert r.returncode == 2, f"exit {r.returncode}: {r.stderr.strip()}"
    assert pattern in r.stderr, r.stderr.strip()
    assert not os.path.exists(out), "a results directory was written"


def bad_fault():
    bad_input("fault", 'vgpus.[2].vram.fault must be "reset", "kill" or "demand"', f'vgpus.[{ADV_IDX}].vram.fault="oops"')


def bad_page():
    bad_input("page", "vram_page_kb must be 4, 64 or 2048", "gpus.[0].vram_page_kb=8")


def bad_quota():
    bad_input("quota", "framebuffer quotas (vram_mb) of the vGPUs on GPU a10-0 add up to", f"vgpus.[{ADV_IDX}].vram_mb=30000")


check("adversary, fault = reset: resets only itself, 0 violations, victims within 2 %", adversary_reset)
check("adversary, fault = kill: its commands are dropped, 0 violations, victims within 2 %", adversary_kill)
check("adversary, fault = demand: fresh pages of its own, escalates to resets, victims within 2 %", adversary_demand)
check("oversubscription: no slowdown up to capacity, throughput falls with every ratio above it, PCIe shared",
      oversubscription)
check("a workload that faults on every iteration still advances in time", no_livelock)
check("bad vram.fault: exit 2, names the setting", bad_fault)
check("bad vram_page_kb: exit 2, names the setting", bad_page)
check("quotas beyond VRAM without overcommit: exit 2, names the setting", bad_quota)
summary("vram")
