# End-to-end tests of the executor: `vgpusim replay`, `calibrate` and `validate` (docs/executor.md,
# docs/validation.md).  Sourced by tests/e2e/run.sh (its ok / ko / bad_input helpers, $VGPUSIM, $WORK
# and counters).  These runs are real time on a shared machine: they check what the executor writes and
# how it fails, never timing bounds (scripts/validate.sh measures accuracy).

RP_DUR=${VGS_E2E_QUICK:+0.3}
RP_DUR=${RP_DUR:-1}

# A replay writes the simulator's results format, which passes the same invariants.
for cfg in configs/cloudgame.cfg configs/validate-ai.cfg; do
	name=$(basename "$cfg" .cfg)
	out="$WORK/replay-$name"
	if "$VGPUSIM" replay "$cfg" --backend host --duration "$RP_DUR" --slices -o "$out" --quiet >"$WORK/log" 2>&1 &&
		python3 tests/e2e/check_results.py "$out" >>"$WORK/log" 2>&1 &&
		python3 -c "import json,sys; s=json.load(open(sys.argv[1]+'/summary.json')); e=json.load(open(sys.argv[1]+'/executor.json'));
assert s['driver']=='host' and s['partial'] is False and e['timer_slack']['samples']>0 and e['dispatch_latency']['samples']>0" "$out" \
			>>"$WORK/log" 2>&1 && [ -s "$out/slices.csv" ]; then
		ok "replay --backend host: $name writes results that hold the invariants"
	else
		ko "replay --backend host: $name writes results that hold the invariants" "$WORK/log"
	fi
done

# Exact-replay fixture: every command completes, in stream order, never earlier than recorded.
out="$WORK/replay-exact"
if "$VGPUSIM" replay tests/e2e/scenarios/replay.cfg --backend host --duration 0.05 -o "$out" --quiet >"$WORK/log" 2>&1 &&
	python3 - "$out" >>"$WORK/log" 2>&1 <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/tenants.csv")))
assert rows[0]["commands"] == "5", rows[0]["commands"]
assert rows[0]["units"] == "2", rows[0]["units"]
units = list(csv.DictReader(open(sys.argv[1] + "/units.csv")))
assert [int(u["unit"]) for u in units] == [0, 1]
# Recorded: unit 0 ends at 1.2 ms, unit 1 at 3.5 ms; real time can only be later.
assert int(units[0]["end_ns"]) >= 1200000 and int(units[1]["end_ns"]) >= 3500000, units
assert int(units[1]["arrival_ns"]) >= int(units[0]["end_ns"]) + 500000  # the recorded 0.5 ms gap
PY
then
	ok "replay: closed-loop fixture completes in order with its gaps"
else
	ko "replay: closed-loop fixture completes in order with its gaps" "$WORK/log"
fi

# Calibration writes a profile the simulator reads (a config including it runs).
if "$VGPUSIM" calibrate --backend host -o "$WORK/host.cfg" --base configs/gpus/a10.cfg -q >"$WORK/log" 2>&1 &&
	grep -q 'launch_us' "$WORK/host.cfg" && mkdir -p "$WORK/cal/gpus" && cp "$WORK/host.cfg" "$WORK/cal/gpus/host.cfg" &&
	sed 's|gpus/a10.cfg|gpus/host.cfg|' configs/validate-cloudgame.cfg >"$WORK/cal/v.cfg" &&
	"$VGPUSIM" run "$WORK/cal/v.cfg" --duration 0.5 -o "$WORK/cal/out" --quiet >>"$WORK/log" 2>&1; then
	ok "calibrate --backend host writes a GPU profile the simulator runs"
else
	ko "calibrate --backend host writes a GPU profile the simulator runs" "$WORK/log"
fi

# validate: both runs, the comparison table, the report and the overlay.
out="$WORK/validate"
if "$VGPUSIM" validate configs/validate-cloudgame.cfg --backend host --duration "$RP_DUR" -o "$out" --quiet \
	>"$WORK/log" 2>&1 && [ -s "$out/report.md" ] && [ -s "$out/plots/gantt-overlay.png" ] &&
	[ -s "$out/plots/gantt-overlay.svg" ] && [ -s "$out/profile.cfg" ] &&
	python3 - "$out" >>"$WORK/log" 2>&1 <<'PY'
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/validation.csv")))
sim = {r["tenant"]: r for r in csv.DictReader(open(d + "/sim/tenants.csv"))}
real = {r["tenant"]: r for r in csv.DictReader(open(d + "/replay/tenants.csv"))}
assert len(rows) == len(sim) == 6, len(rows)
for r in rows:
    s, m = sim[r["tenant"]], real[r["tenant"]]
    assert abs(float(r["sim_share"]) - float(s["share"])) < 1e-6 and abs(float(r["real_share"]) - float(m["share"])) < 1e-6
    assert abs(float(r["share_error_pp"]) - 100 * (float(s["share"]) - float(m["share"]))) < 1e-3
    if float(m["unit_rate_per_s"]) > 0:
        want = 100 * (float(s["unit_rate_per_s"]) - float(m["unit_rate_per_s"])) / float(m["unit_rate_per_s"])
        assert abs(float(r["rate_error_pct"]) - want) < 1e-3, (r, want)
    assert r["tenant"] in open(d + "/report.md").read()
PY
then
	ok "validate --backend host: simulation, replay, errors, report and Gantt overlay"
else
	ko "validate --backend host: simulation, replay, errors, report and Gantt overlay" "$WORK/log"
fi

# Bad input and unavailable backends.
bad_input "replay: unknown backend" "--backend expects host or cuda" replay configs/cloudgame.cfg --backend gpu
bad_input "replay: a config error names file:line" "wrong-type.cfg:[0-9]+:" replay tests/e2e/bad/wrong-type.cfg --backend host
bad_input "validate: unknown backend" "--backend expects host or cuda" validate configs/cloudgame.cfg --backend gpu
"$VGPUSIM" replay configs/cloudgame.cfg --backend cuda --duration 0.1 -o "$WORK/cuda" >"$WORK/out" 2>"$WORK/err"
rc=$?
if [ $rc -ne 0 ] && grep -Eq "cuda backend: (no CUDA device|not built)" "$WORK/err" && [ ! -e "$WORK/cuda" ]; then
	ok "replay --backend cuda without a GPU: a clear message, no results"
elif [ $rc -eq 0 ] && python3 tests/e2e/check_results.py "$WORK/cuda" >"$WORK/log" 2>&1; then
	ok "replay --backend cuda on this machine's GPU"
else
	ko "replay --backend cuda: neither a clean refusal nor a valid run (exit $rc)" "$WORK/err"
fi

# Ctrl-C: the replay stops at once and leaves its results marked partial.
"$VGPUSIM" replay configs/cloudgame.cfg --backend host --duration 30 -o "$WORK/intr" --quiet >"$WORK/log" 2>&1 &
rp=$!
sleep 1
kill -INT $rp
t0=$(date +%s%N)
wait $rp
rc=$?
t1=$(date +%s%N)
# Under the sanitizers (VGS_E2E_QUICK) the way out is checked for leaks, not timed: 10 s.
limit_ms=1000
[ -n "${VGS_E2E_QUICK:-}" ] && limit_ms=10000
if [ $rc -eq 130 ] && [ $(((t1 - t0) / 1000000)) -lt $limit_ms ] &&
	python3 -c "import json,sys; assert json.load(open(sys.argv[1]))['partial'] is True" "$WORK/intr/summary.json" 2>>"$WORK/log"; then
	ok "replay: Ctrl-C stops within a second, results marked partial"
else
	ko "replay: Ctrl-C stops within a second, results marked partial (exit $rc)" "$WORK/log"
fi
