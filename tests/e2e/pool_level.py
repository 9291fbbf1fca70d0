#!/usr/bin/env python3
"""The pool level (docs/pools.md): `vgpusim pool`, `vgpusim requests`, a placement policy built as a
.so from the template, and the two-level model's mix cache.

  - configs/pool.cfg, a few simulated minutes at a rate that makes requests queue: every output
    parses; every request that arrived is placed, queued or done exactly once, as summary.json counts
    them; queueing delay = placed - arrival >= 0; the time series (queued, running, stranded capacity)
    agrees with requests.csv at every sample; metering.csv, gpus.csv and summary.json add up;
  - the mix cache: a second run with the same --cache runs no mix and writes the same outputs; each
    cache file is named by the documented key, sha256(mix scenario text + "vgpusim-mix-1");
  - `requests synth` writes the documented columns; a pool replays its CSV, each row once; a malformed
    row names file:line, exits 2 and leaves no results directory;
  - docs/examples/myplacement.c, built with the command its comment documents, runs as
    `--placement PATH.so` without rebuilding vgpusim: its rule is visible in the placements (with
    max_load_pct = 1 every time-sliced request goes to the least loaded GPU: an empty one while there
    is one, where first-fit packs), its rebalance hook's migrations stay within a host, and the pool
    level's downtimes follow latency + final bytes / bandwidth;
  - --level command: error.csv's two columns are the two levels' own outputs, its error their
    relative difference.

VGS_E2E_QUICK=1 (the sanitizer pass) shortens the simulated time.
usage: pool_level.py VGPUSIM WORKDIR
"""
import hashlib
import json
import os
import re
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import ROOT, check, summary, csv_rows as rows  # noqa: E402

VGPUSIM, WORK = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
QUICK = bool(os.environ.get("VGS_E2E_QUICK"))
DUR = "120" if QUICK else "300"
POOL = os.path.join(ROOT, "configs/pool.cfg")
CACHE = os.path.join(WORK, "cache")
# Short mix runs keep the cold cache cheap; a rate that fills the 12 GPUs within the run, and inference
# services of a minute on average, so that queued requests get placed as others leave.
FAST = ["--set", "pool.mix.duration_s=2.0", "--set", "pool.mix.warmup_s=0.5", "-j", "2"]
RATE = "6000" if QUICK else "2400"
BUSY = ["--set", f"requests.arrivals.rate_per_h={RATE}.0"] + \
    [a for c in (0, 1, 3) for a in ("--set", f"requests.classes.[{c}].duration_s.mean=60.0")]
MIB = 1048576.0


def pool(name, cfg, *args, cache=CACHE, ok=True):
    out = os.path.join(WORK, name)
    r = subprocess.run([VGPUSIM, "pool", cfg, "-o", out, "-q", "--cache", cache, *args], capture_output=True,
                       text=True, cwd=ROOT)
    if ok and r.returncode:
        raise RuntimeError(f"{name}: exited {r.returncode}: {r.stderr.strip()}")
    return out if ok else r


def num(v):
    return float(v) if v not in ("", None) else None


def close(a, b, tol, what):
    if abs(a - b) > tol:
        raise AssertionError(f"{what}: {a!r} != {b!r} (tolerance {tol})")


state = {}


def t_smoke():
    out = pool("smoke", POOL, "--duration", DUR, *BUSY, *FAST)
    state["smoke"] = out
    s = json.load(open(os.path.join(out, "summary.json")))
    p = s["pool"]
    req = rows(os.path.join(out, "requests.csv"))
    for f in ("metering.csv", "gpus.csv", "timeseries.csv", "migrations.csv"):
        rows(os.path.join(out, f))
    dur = float(DUR)
    assert s["duration_s"] == dur, f"duration_s {s['duration_s']}: --duration not applied"
    # every request that arrived: once, in one state, counted by summary.json
    arrived = [r for r in req if float(r["arrival_s"]) <= dur]
    ids = [r["id"] for r in arrived]
    assert len(ids) == len(set(ids)), "a request listed twice"
    assert len(arrived) == p["arrived"], f"{len(arrived)} requests arrived in requests.csv, summary says {p['arrived']}"
    states = {}
    for r in arrived:
        states[r["state"]] = states.get(r["state"], 0) + 1
        placed = num(r["placed_s"])
        if r["state"] == "queued":
            assert placed is None and not r["gpu"], f"{r['id']}: queued but placed at {placed} on {r['gpu']}"
            continue
        assert r["state"] in ("running", "done"), f"{r['id']}: state {r['state']}"
        assert placed is not None and r["gpu"], f"{r['id']}: {r['state']} but never placed"
        q = float(r["queue_s"])
        assert q >= 0, f"{r['id']}: queueing delay {q} < 0"
        close(q, placed - float(r["arrival_s"]), 2e-6, f"{r['id']}: queue_s = placed_s - arrival_s")
        end = num(r["end_s"])
        assert (end is not None) == (r["state"] == "done"), f"{r['id']}: state {r['state']}, end_s {end}"
        assert end is None or placed <= end <= dur + 1e-6, f"{r['id']}: placed {placed}, ended {end}"
    assert states.get("queued", 0) == p["queued_at_end"], f"queued {states.get('queued')} vs {p['queued_at_end']}"
    assert states.get("running", 0) == p["running_at_end"], f"running {states.get('running')} vs {p['running_at_end']}"
    assert states.get("done", 0) == p["completed"], f"done {states.get('done')} vs {p['completed']}"
    assert states.get("running", 0) + states.get("done", 0) == p["placed"], "placed != running + done"
    assert p["queued_at_end"] > 0 and p["queue_delay_s"]["max"] > 0, "nothing queued: the run does not test queueing"
    delays = sorted(float(r["queue_s"]) for r in arrived if r["state"] != "queued")
    close(p["queue_delay_s"]["max"], delays[-1], 1e-5, "queue_delay_s.max")
    assert p["queue_delay_s"]["count"] == len(delays), "queue_delay_s.count"
    # the time series: every sample_s (60 s), queued and running as requests.csv has them then
    ts = rows(os.path.join(out, "timeseries.csv"))
    for col in ("t_s", "queued", "running", "stranded_fb_gb", "stranded_slices", "alloc_fb", "alloc_slices"):
        assert col in ts[0], f"timeseries.csv lacks {col}"
    assert [float(r["t_s"]) for r in ts] == [60.0 * k for k in range(len(ts))] and len(ts) >= dur // 60, \
        f"samples at {[r['t_s'] for r in ts]}"
    for r in ts:
        t = float(r["t_s"])
        q = sum(1 for x in arrived if float(x["arrival_s"]) <= t and (num(x["placed_s"]) is None or num(x["placed_s"]) > t))
        run = sum(1 for x in arrived if num(x["placed_s"]) is not None and num(x["placed_s"]) <= t and
                  (num(x["end_s"]) is None or num(x["end_s"]) > t))
        assert (int(r["queued"]), int(r["running"])) == (q, run), \
            f"t = {t}: timeseries says {r['queued']} queued, {r['running']} running; requests.csv {q}, {run}"
        assert float(r["stranded_fb_gb"]) >= 0 and float(r["stranded_slices"]) >= 0, f"t = {t}: negative stranding"
    assert any(float(r["stranded_fb_gb"]) > 0 for r in ts), "no stranded framebuffer at any sample"
    # metering.csv, gpus.csv and summary.json add up
    meter = rows(os.path.join(out, "metering.csv"))
    gpus = rows(os.path.join(out, "gpus.csv"))
    tenants = [r for r in meter if r["tenant"] != "(unattributed)"]
    assert len(tenants) == p["placed"], f"{len(tenants)} metering rows for {p['placed']} placed requests"
    for cls, busy in p["busy_s"].items():
        close(sum(float(r[f"gpu_s_{cls}"]) for r in tenants), busy, 1e-6 * (1 + busy), f"metering gpu_s_{cls}")
        close(sum(float(g[f"busy_s_{cls}"]) for g in gpus), busy, 1e-6 * (1 + busy), f"gpus.csv busy_s_{cls}")
    close(sum(float(r["energy_j"]) for r in meter), p["energy_j"], 1e-6 * p["energy_j"], "metering energy_j")
    close(sum(float(g["energy_j"]) for g in gpus), p["energy_j"], 1e-6 * p["energy_j"], "gpus.csv energy_j")
    close(sum(float(r["charge"]) for r in tenants), p["charge"], 1e-6, "charge")
    close(sum(float(r["bill"]) for r in tenants), p["bill"], 1e-6, "bill")


def t_cache():
    first = json.load(open(os.path.join(state["smoke"], "summary.json")))["two_level"]
    assert first["mix_runs"] > 0 and first["mixes_cached"] == 0, f"first run on an empty cache: {first}"
    again = pool("smoke-again", POOL, "--duration", DUR, *BUSY, *FAST)
    s2 = json.load(open(os.path.join(again, "summary.json")))
    tl = s2["two_level"]
    assert tl["mix_runs"] == 0 and tl["mixes_cached"] == first["mix_runs"] and tl["mixes"] == first["mixes"], \
        f"second run with the same cache: {tl}, first {first}"
    for f in sorted(os.listdir(state["smoke"])):
        if f.endswith(".csv"):
            a, b = open(os.path.join(state["smoke"], f), "rb").read(), open(os.path.join(again, f), "rb").read()
            assert a == b, f"{f} differs between the cold and the cached run"
    s1 = json.load(open(os.path.join(state["smoke"], "summary.json")))
    for k in set(s1) | set(s2):
        if k in ("wall_s", "peak_rss_mb", "two_level"):
            continue
        assert s1.get(k) == s2.get(k), f"summary.json {k} differs between the cold and the cached run"
    # the documented key: sha256(the mix run's scenario text + "vgpusim-mix-1") names each cache entry
    keys = [f[:-4] for f in os.listdir(CACHE) if f.endswith(".cfg")]
    assert len(keys) == first["mix_runs"], f"{len(keys)} cached scenarios for {first['mix_runs']} mix runs"
    for k in keys:
        text = open(os.path.join(CACHE, k + ".cfg"), "rb").read()
        assert hashlib.sha256(text + b"vgpusim-mix-1").hexdigest() == k, f"cache entry {k}: not its scenario's key"
        assert os.path.exists(os.path.join(CACHE, k + ".mix")), f"cache entry {k}: no .mix"


check(f"pool: configs/pool.cfg --duration {DUR} at {RATE} requests/h, services of 60 s: every request once, queueing delays, the time "
      "series, metering, gpus.csv and summary.json agree", t_smoke)
check("pool: a second run with the same --cache runs no mix and writes the same outputs; cache files named by "
      "sha256(scenario + \"vgpusim-mix-1\")", t_cache)

# ---- requests CSVs -----------------------------------------------------------------------------------

COLS = ["id", "arrival_s", "class", "duration_s", "units", "vram_gb", "mig"]
SYNTH_CLASSES = ["ls-small", "ls-half", "ls-full", "be-small", "be-half", "be-full"]


def pool_head(gpus, sample_s):
    """The start of the small pool configs written here: `gpus` A100s, time slices, best-fit placement,
    short mix runs, a pool sample every `sample_s`; the requests group follows."""
    return f"""simulation = {{ duration_s = 120.0; warmup_s = 0.0; seed = 1; }};
gpus = ( {{
@include "{ROOT}/configs/gpus/a100.cfg"
  count = {gpus};
}} );
scheduler = {{ policy = "timeslice"; timeslice = {{ variant = "best-effort"; }}; domain = ( ("compute") ); }};
pool = {{ placement = "best-fit"; sample_s = {sample_s:.1f}; mix = {{ duration_s = 2.0; warmup_s = 0.5; }}; }};
"""


def csv_pool(name, csv_name):
    cfg = os.path.join(WORK, f"{name}.cfg")
    with open(cfg, "w") as f:
        f.write(pool_head(4, 10.0) + f"""requests = {{
  csv = "{csv_name}";
  classes = (
""")
        for c in SYNTH_CLASSES:
            mb = {"small": 4096, "half": 20480, "full": 40960}[c.split("-")[1]]
            wl = 'type = "infer"; rate = 20.0;' if c.startswith("ls") else 'type = "train";'
            f.write(f'    {{ name = "{c}"; vram_mb = {mb}; workload = {{ {wl} }}; }},\n')
        f.seek(f.tell() - 2)
        f.write("\n  );\n};\n")
    return cfg


def t_synth():
    path = os.path.join(WORK, "req.csv")
    args = [VGPUSIM, "requests", "synth", "--hours", "0.05", "--rate-per-h", "1200", "--seed", "3"]
    r = subprocess.run(args + ["-o", path], capture_output=True, text=True)
    assert r.returncode == 0, f"requests synth exited {r.returncode}: {r.stderr}"
    stdout = subprocess.run(args, capture_output=True, text=True).stdout
    assert stdout == open(path).read(), "requests synth: stdout and -o differ"
    req = rows(path)
    assert open(path).readline().strip().split(",") == COLS, "requests synth: not the documented columns"
    assert len(req) > 20, f"{len(req)} requests in 0.05 h at 1,200/h"
    last = 0.0
    for r in req:
        a = float(r["arrival_s"])
        assert last <= a <= 180.0, f"{r['id']}: arrival {a} out of order or past 0.05 h"
        last = a
        assert r["class"] in SYNTH_CLASSES, f"{r['id']}: class {r['class']}"
        assert (r["duration_s"] and float(r["duration_s"]) > 0) or (r["units"] and int(r["units"]) > 0), \
            f"{r['id']}: neither a duration nor units"
        assert not r["vram_gb"] or 0 < float(r["vram_gb"]) <= 40.0, f"{r['id']}: vram_gb {r['vram_gb']}"
    out = pool("synth", csv_pool("synth", "req.csv"), *FAST)
    got = rows(os.path.join(out, "requests.csv"))
    arrived = [r["id"] for r in req if float(r["arrival_s"]) <= 120.0]
    assert sorted(r["request"] for r in got if float(r["arrival_s"]) <= 120.0) == sorted(arrived), \
        "the pool's requests are not the CSV's rows, each once"
    for g in got:
        src = [r for r in req if r["id"] == g["request"]][0]
        close(float(g["arrival_s"]), float(src["arrival_s"]), 1e-6, f"{g['request']}: arrival")
        assert g["class"] == src["class"], f"{g['request']}: class {g['class']} vs {src['class']}"


def t_bad_csv():
    lines = open(os.path.join(WORK, "req.csv")).read().splitlines()
    lines[2] = lines[2].replace(lines[2].split(",")[1], "soon", 1)  # line 3: arrival_s is not a number
    with open(os.path.join(WORK, "req-bad.csv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    out = os.path.join(WORK, "bad-out")
    r = pool("bad-out", csv_pool("bad", "req-bad.csv"), *FAST, ok=False)
    assert r.returncode == 2, f"exit {r.returncode}, stderr {r.stderr!r}"
    assert re.search(r"req-bad\.csv:3: arrival_s", r.stderr), f"stderr does not name req-bad.csv:3: {r.stderr!r}"
    assert len(r.stderr.strip().splitlines()) == 1, f"more than one line: {r.stderr!r}"
    assert not os.path.exists(out), "a results directory was left behind"
    assert not [f for f in os.listdir(WORK) if f.startswith(".bad-out")], "a temporary directory was left behind"


check("requests synth: the documented columns, arrivals in order; a pool replays its rows, each once", t_synth)
check("requests: a malformed CSV row names file:line, exit 2, no results directory", t_bad_csv)

# ---- a placement policy built as a .so from the template --------------------------------------------


def t_so():
    src = open(os.path.join(ROOT, "docs/examples/myplacement.c")).read()
    build = re.search(r"Build:\s+(cc [^\n(]*?)\s*(\(|\n)", src).group(1)
    so = os.path.join(WORK, "libmyplacement.so")
    cmd = shlex.split(build.replace("-o libmyplacement.so", f"-o {so}"))
    assert so in cmd, f"the documented command {build!r} does not name libmyplacement.so"
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, f"{build}: {r.stderr}"
    # max_load_pct = 1: no GPU stays under it, so each request goes to the least loaded GPU that fits
    out = pool("so", POOL, "--duration", DUR, "--placement", so, "--set", "pool.myplacement={ max_load_pct = 1; }",
               *FAST)
    s = json.load(open(os.path.join(out, "summary.json")))
    assert s["placement"] == "myplacement", f"placement {s['placement']}"
    ff = rows(os.path.join(state["smoke"], "requests.csv")) if "smoke" in state else None
    gpus = {g["gpu"]: g for g in rows(os.path.join(out, "gpus.csv"))}
    req = [r for r in rows(os.path.join(out, "requests.csv")) if r["placed_s"]]
    ts = sorted(g for g in gpus if gpus[g]["mode"] == "timeslice")
    spread = 0
    for r in req:
        if r["gpu"] not in ts:
            continue
        t = float(r["placed_s"])
        busy = {x["gpu"] for x in req if x is not r and float(x["placed_s"]) <= t and
                (not x["end_s"] or float(x["end_s"]) > t) and x["gpu"] in ts}
        if len(busy) < len(ts) and r["gpu"] in busy:
            raise AssertionError(f"{r['request']} went to {r['gpu']}, which had tenants, while "
                                 f"{sorted(set(ts) - busy)} were empty: not the template's rule")
        spread += r["gpu"] not in busy
    assert spread >= 4, f"only {spread} requests went to an empty GPU"
    if ff:  # the config's own policy, first-fit, packs the same arrivals onto fewer GPUs early on
        used = lambda rs: len({x["gpu"] for x in rs[:8] if x["gpu"] in ts})  # noqa: E731
        assert used(req) > used([x for x in ff if x["placed_s"]]), "the .so placed like first-fit"
    # its rebalance hook: consolidating migrations within a host
    out = pool("so-rebalance", POOL, "--duration", "600", "--placement", so, "--set",
               "pool.myplacement={ max_load_pct = 100; moves = 4; }", "--set", "pool.rebalance_s=30.0", *FAST)
    mig = rows(os.path.join(out, "migrations.csv"))
    host = {g["gpu"]: g["host"] for g in rows(os.path.join(out, "gpus.csv"))}
    assert mig, "no migration from the .so's rebalance hook"
    for m in mig:
        assert m["why"] == "rebalance" and host[m["from"]] == host[m["to"]], f"migration {m}"
        if m["status"] == "done":
            lat, bw = float(m["route_latency_us"]) * 1e-6, float(m["route_gbps"]) * 1e9
            close(float(m["downtime_ms"]), (lat + float(m["final_mb"]) * MIB / bw) * 1e3, 2e-5,
                  f"{m['request']}: downtime = latency + final bytes / bandwidth")
    # a parameter the .so does not know is refused before anything runs
    r = pool("so-bad", POOL, "--placement", so, "--set", "pool.myplacement={ bogus = 1; }", ok=False)
    assert r.returncode == 2 and "bogus" in r.stderr, f"exit {r.returncode}: {r.stderr!r}"
    assert not os.path.exists(os.path.join(WORK, "so-bad")), "a results directory was left behind"


check("placement from a .so built by docs/examples/myplacement.c's documented command: its rule in the "
      "placements, its rebalance migrations, a bad parameter refused", t_so)

# ---- the two levels against each other ---------------------------------------------------------------


def t_levels():
    cfg = os.path.join(WORK, "levels.cfg")
    with open(cfg, "w") as f:
        f.write(pool_head(2, 30.0) + f"""requests = {{
  arrivals = {{ rate_per_h = 120.0; }};
  classes = (
    {{ name = "infer"; share = 0.7; vram_mb = 4096; duration_s = {{ dist = "lognormal"; mean = 60.0; cv = 1.0; }};
      workload = {{ type = "infer"; rate = 20.0; }}; sla = {{ latency_ms = 25.0; }}; }},
    {{ name = "train"; share = 0.3; vram_mb = 8192; units = 100; workload = {{ type = "train"; }}; }}
  );
}};
""")
    out = pool("levels", cfg, "--level", "command", *FAST)
    p = json.load(open(os.path.join(out, "pool", "summary.json")))["pool"]
    c = json.load(open(os.path.join(out, "command", "summary.json")))
    assert len(c["tenants"]) == p["placed"] > 0, f"{len(c['tenants'])} vGPUs at the command level, {p['placed']} placed"
    err = rows(os.path.join(out, "error.csv"))
    cmd_bill = sum(float(r["bill"]) for r in rows(os.path.join(out, "command", "metering.csv")) if r["bill"])
    # the totals' rows (docs/pools.md, "The two levels"): a metric, its value at each level, the error in %
    want = {
        "busy_s": (sum(p["busy_s"].values()), sum(sum(t["busy_ns"].values()) for t in c["tenants"]) / 1e9),
        "energy_j": (p["energy_j"], c["global"]["energy_j"]),
        "units": (None, sum(t["units"] for t in c["tenants"])),
        "bill": (p["bill"], cmd_bill),
    }
    for metric, (two, cmd) in want.items():
        r = [x for x in err if x["metric"].startswith(metric + " ") and "total" in x["metric"]]
        assert len(r) == 1, f"error.csv: {len(r)} rows of the total {metric}"
        r = r[0]
        a, b = float(r["two_level"]), float(r["command_level"])
        if two is not None:
            close(a, two, 1e-5 * abs(two), f"{r['metric']}: two_level vs pool/summary.json")
        close(b, cmd, 1e-5 * abs(cmd), f"{r['metric']}: command_level vs command/")
        close(float(r["error"]), 100 * (a - b) / b, 2e-3, f"{r['metric']}: error = (two - command) / command")
    # a pool with MIG GPUs is refused before anything runs
    r = pool("levels-mig", POOL, "--level", "command", ok=False)
    assert r.returncode == 2 and "--level command" in r.stderr, f"exit {r.returncode}: {r.stderr!r}"
    assert not os.path.exists(os.path.join(WORK, "levels-mig")), "a results directory was left behind"


def t_shipped():
    """Every pool scenario shipped (configs/, configs/bench/: those with a `requests` group, which the run
    loops of run.sh skip) runs under vgpusim pool for a short while, and its outputs parse."""
    import glob
    cfgs = [c for c in sorted(glob.glob(os.path.join(ROOT, "configs/*.cfg")) + glob.glob(os.path.join(ROOT, "configs/bench/*.cfg")))
            if re.search(r"^requests *=", open(c).read(), re.M)]
    assert any(c.endswith("/pool.cfg") for c in cfgs), f"configs/pool.cfg not found among {cfgs}"
    ran = 0
    for c in cfgs:
        if "shared/traces" in open(c).read() and not os.path.isdir(os.path.join(ROOT, "../shared/traces")):
            print(f"skip - {os.path.relpath(c, ROOT)}: needs ../shared/traces")
            continue
        name = "shipped-" + os.path.basename(c)[:-4]
        out = pool(name, c, "--duration", "30" if QUICK else "60", *FAST, cache=os.path.join(WORK, "cache-shipped"))
        s = json.load(open(os.path.join(out, "summary.json")))
        assert s["pool"]["arrived"] > 0, f"{name}: no request arrived"
        for f in ("requests.csv", "metering.csv", "gpus.csv", "timeseries.csv", "migrations.csv"):
            rows(os.path.join(out, f))
        ran += 1
    assert ran, "no pool scenario ran"


check("every shipped pool scenario runs under vgpusim pool (a short --duration) and its outputs parse", t_shipped)
check("pool --level command: error.csv's two levels are pool/'s and command/'s numbers, its error their "
      "relative difference; MIG pools refused", t_levels)

summary("pool_level")
