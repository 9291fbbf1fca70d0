# End-to-end tests of spatial sharing (docs/spatial.md): MIG instances at their slice's fraction, bad
# MIG geometry, the spatial policies on the AI co-location, compare's MIG variant, `vgpusim leak`, and
# the spatial hook in the executor's host backend.  Sourced by tests/e2e/run.sh (its ok / ko /
# bad_input helpers, $VGPUSIM, $WORK and counters).

SP_DUR=${VGS_E2E_QUICK:+0.5}
SP_DUR=${SP_DUR:-2}

# MIG: seven 1g.5gb instances of an A100, one tenant each, each at its slice's fraction of the whole
# GPU -- 14/108 of the SMs for compute-bound kernels of the whole GPU's size, 1/8 of the bandwidth for
# memory-bound ones (docs/spatial.md, "MIG"): every tenant's kernels, matched by seq, take 1/fraction
# as long as the same tenant's alone on the whole GPU (the same random stream: --solo keeps it).
sed '/mig_instances/d' configs/mig.cfg >"$WORK/mig-whole.cfg"
cp -r configs/gpus "$WORK/"
for bound in 0.0:compute:0.12963 1.0:memory:0.125; do
	mb=${bound%%:*}; rest=${bound#*:}; what=${rest%%:*}; want=${rest#*:}
	gpu_bound=(--set 'vgpus.[0].workload.kernel_sm=108' --set "vgpus.[0].workload.memory_bound=$mb"
		--set 'vgpus.[0].workload.launch_gap_us=0.0' --set 'vgpus.[0].workload.iter_gap_us=0.0'
		--set 'vgpus.[0].workload.input_bytes=0' --duration 0.5 --commands)
	if "$VGPUSIM" run configs/mig.cfg "${gpu_bound[@]}" -o "$WORK/mig7-$what" --quiet >"$WORK/log" 2>&1 &&
		"$VGPUSIM" run "$WORK/mig-whole.cfg" "${gpu_bound[@]}" --solo train -o "$WORK/mig1-$what" --quiet \
			>>"$WORK/log" 2>&1 &&
		python3 - "$WORK/mig7-$what" "$WORK/mig1-$what" "$want" >>"$WORK/log" 2>&1 <<'PY'
import csv, sys
def durations(d):
    out = {}
    for r in csv.DictReader(open(d + "/commands.csv")):
        out.setdefault(r["tenant"], {})[int(r["seq"])] = int(r["end_ns"]) - int(r["start_ns"])
    return out
mig, whole = durations(sys.argv[1]), durations(sys.argv[2])["train-0"]
want = float(sys.argv[3])
assert len(mig) == 7, mig.keys()
for t, d in mig.items():
    seqs = [q for q in d if q in whole]
    # train-0 alone on the whole GPU draws the same kernels as train-0 in the MIG run; the others
    # draw their own streams, so their kernels are matched against their own count only.
    if t == "train-0":
        ratio = sum(whole[q] for q in seqs) / sum(d[q] for q in seqs)
        assert len(seqs) > 1000 and abs(ratio - want) < 1e-3 * want, (t, len(seqs), ratio, want)
    assert len(d) > 1000, (t, len(d))
s = {r["tenant"]: r for r in csv.DictReader(open(sys.argv[1] + "/tenants.csv"))}
assert len({r["gpu"] for r in s.values()}) == 7, [r["gpu"] for r in s.values()]
PY
	then
		ok "MIG: 7 x 1g.5gb, each tenant at its slice's fraction ($what-bound: $want of the whole A100)"
	else
		ko "MIG: 7 x 1g.5gb, each tenant at its slice's fraction ($what-bound)" "$WORK/log"
	fi
done
bad_input "MIG: an invalid placement names file:line and lists the valid ones" \
	"mig-placement.cfg:6: .*not a placement of 2g.*valid placements" run tests/e2e/bad/mig-placement.cfg
bad_input "MIG: too many instances" "does not fit" run configs/mig.cfg \
	--set 'gpus.[0].mig_instances=("4g.20gb", "4g.20gb")'
bad_input "a spatial policy needs the profile's SMs" "policy mps shares the SMs of GPU a10-0.*spatial" \
	run configs/cloudgame.cfg -p mps

# AI co-location (Orion's profiles): mps and orion differ from each other and from the time-slice
# policies in the inference p99 and in the training throughput (3 s even in the quick pass: a training
# iteration takes about 100 ms, the rates need a few dozen).
if [ -d ../shared/traces ]; then
	for p in timeslice weighted mps orion; do
		"$VGPUSIM" run configs/aicoloc.cfg -p "$p" --duration 3 -o "$WORK/ac-$p" --quiet >"$WORK/log-ac-$p" 2>&1
	done
	if python3 - "$WORK" >"$WORK/log" 2>&1 <<'PY'
import csv, sys
r = {}
for p in ("timeslice", "weighted", "mps", "orion"):
    t = {row["tenant"]: row for row in csv.DictReader(open(f"{sys.argv[1]}/ac-{p}/tenants.csv"))}
    r[p] = (float(t["infer"]["lat_p99_ms"]), float(t["train"]["unit_rate_per_s"]))
    print(p, r[p])
for a, b in (("mps", "orion"), ("mps", "timeslice"), ("mps", "weighted"), ("orion", "timeslice"), ("orion", "weighted")):
    assert r[a][0] != r[b][0] and r[a][1] != r[b][1], (a, b, r[a], r[b])
PY
	then
		ok "aicoloc: mps and orion differ from each other and from time slicing (infer p99, train it/s)"
	else
		ko "aicoloc: mps and orion differ from each other and from time slicing" "$WORK/log"
	fi
else
	echo "skip - aicoloc: needs ../shared/traces"
fi

# compare puts time slicing, MPS, Orion and the MIG variant of the same tenants side by side.
if "$VGPUSIM" compare tests/e2e/scenarios/spatial.cfg -p timeslice,mps,orion,mig --no-plots -o "$WORK/cmp-sp" -q \
	>"$WORK/log" 2>&1 && grep -q '^| mig ' "$WORK/cmp-sp/report.md" && [ -d "$WORK/cmp-sp/mig" ] &&
	python3 - "$WORK/cmp-sp" >>"$WORK/log" 2>&1 <<'PY'
import json, sys
s = json.load(open(sys.argv[1] + "/mig/summary.json"))
assert [g["name"] for g in s["gpus"]] == ["sp-0.mig0", "sp-0.mig1"], s["gpus"]
PY
then
	ok "compare: -p timeslice,mps,orion,mig side by side (the MIG variant: one 2g instance per vGPU)"
else
	ko "compare: -p timeslice,mps,orion,mig side by side" "$WORK/log"
fi
bad_input "compare: the MIG variant of a GPU without MIG geometry" "mig: the MIG variant needs an unpartitioned" \
	compare configs/cloudgame.cfg -p timeslice,mig --no-plots

# Leakage: every mode reports accuracy and bits per observation; behind MIG the attacker guesses no
# better than a coin (within 3 standard deviations of 50 %), time-sliced it guesses almost always.
if "$VGPUSIM" leak configs/sidechannel.cfg --duration "$SP_DUR" -o "$WORK/leak" >"$WORK/log" 2>&1 &&
	grep -q 'bits/obs' "$WORK/log" && python3 - "$WORK/leak/leak.csv" >>"$WORK/log" 2>&1 <<'PY'
import csv, sys
rows = {r["mode"]: r for r in csv.DictReader(open(sys.argv[1]))}
assert set(rows) == {"timeslice", "weighted", "dynprio", "fifo", "mps", "orion", "mig"}, rows.keys()
for r in rows.values():
    assert r["status"] == "ok" and int(r["observations"]) > 100, r
mig = rows["mig"]
assert abs(float(mig["accuracy"]) - 0.5) <= 3 * float(mig["accuracy_sd"]), mig
assert float(mig["bits_per_obs"]) < 0.01, mig
assert float(rows["timeslice"]["accuracy"]) > 0.9 and float(rows["mps"]["accuracy"]) > 0.9, rows
PY
then
	ok "leak: accuracy and bits/obs per mode; MIG within noise of 50 %, time slicing and MPS leak"
else
	ko "leak: accuracy and bits/obs per mode; MIG within noise of 50 %" "$WORK/log"
fi
bad_input "leak: a config without a victim and a probe" "needs a vGPU with workload type .victim." leak configs/cloudgame.cfg

# The spatial hook in the executor's host backend: under mps the two tenants' 40-SM kernels run at once
# on the engine's modelled SM pool, so their busy times add up to more than the run (time-sliced they
# could not); no timing bound, these runs are real time on a shared machine.
if "$VGPUSIM" replay tests/e2e/scenarios/spatial.cfg --backend host --duration 0.3 -o "$WORK/rp-sp" --quiet \
	>"$WORK/log" 2>&1 && python3 - "$WORK/rp-sp" >>"$WORK/log" 2>&1 <<'PY'
import csv, json, sys
t = list(csv.DictReader(open(sys.argv[1] + "/tenants.csv")))
s = json.load(open(sys.argv[1] + "/summary.json"))
busy = sum(float(r["busy_compute_ms"]) for r in t)
assert s["policy"] == "mps" and len(t) == 2 and busy > 1.5 * 1000 * s["duration_s"], (busy, s["duration_s"])
PY
then
	ok "replay --backend host: the mps hook runs kernels of two tenants at once on a modelled SM pool"
else
	ko "replay --backend host: the mps hook runs kernels of two tenants at once" "$WORK/log"
fi

# A spatial policy of one's own, loaded from a .so (docs/examples/myspatial.c): it implements the admit
# hook, and the two tenants' kernels still run at once (each tenant at most one at a time).
if [ -f "$VGS_BUILD/examples/libmyspatial.so" ]; then
	run_ok "a spatial policy loaded from a .so (admit hook)" "$WORK/so-spatial" tests/e2e/scenarios/spatial.cfg \
		-p "$VGS_BUILD/examples/libmyspatial.so" --commands
	if python3 - "$WORK/so-spatial" >"$WORK/log" 2>&1 <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/commands.csv")))
iv = {}
for r in rows:
    iv.setdefault(r["tenant"], []).append((int(r["start_ns"]), int(r["end_ns"])))
a, b = iv["k-0"], iv["k-1"]
overlap = sum(1 for s, e in a for s2, e2 in b if s < e2 and s2 < e)
assert overlap > 50, overlap
for t in (a, b):  # per_vgpu = 1: a tenant's own kernels never overlap
    t.sort()
    assert all(t[i][1] <= t[i + 1][0] for i in range(len(t) - 1))
PY
	then
		ok "the .so spatial policy runs two tenants at once, one kernel each"
	else
		ko "the .so spatial policy runs two tenants at once, one kernel each" "$WORK/log"
	fi
else
	ko "spatial policy from a .so: $VGS_BUILD/examples/libmyspatial.so not built"
fi
