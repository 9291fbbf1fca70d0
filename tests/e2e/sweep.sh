# End-to-end tests of `vgpusim sweep` (docs/sweeps.md) and `vgpusim capacity` (docs/capacity.md):
# a 3 x 3 x 2-seed sweep here, resumed after losing runs, collected again, and the same sweep as a Slurm
# array job on a single-node cluster started for the test (tests/e2e/slurm_cluster.sh) with a
# byte-identical sweep.csv; capacity's answer checked against runs at N and N + 1; bad input.  Sourced
# by tests/e2e/run.sh (ok / ko / bad_input, $VGPUSIM, $WORK).  VGS_E2E_QUICK=1 (the sanitizer pass)
# skips the Slurm cluster and the long capacity check.

SW_ARGS=(configs/cloudgame-fixed.cfg --grid 'vgpus.[0].count=4,8,12' -p nvidia-es,nvidia-be,drm-fair --seeds 2
	--duration 0.5 --set 'vgpus.[1].count=1')
SW_RUNS=18 SW_LOST=2 SW_DESC="3 grid values x 3 presets x 2 seeds = 18 runs"
if [ -n "${VGS_E2E_QUICK:-}" ]; then
	SW_ARGS=(configs/cloudgame-fixed.cfg --grid 'vgpus.[0].count=4,8' -p nvidia-es,nvidia-be --duration 0.3 --set 'vgpus.[1].count=1')
	SW_RUNS=4 SW_LOST=1 SW_DESC="2 grid values x 2 presets = 4 runs"
fi

# sweep_files DIR RUNS: the plan, RUNS results directories, sweep.csv with RUNS rows all ok, the plots.
sweep_files() {
	local d=$1 n=$2
	[ -s "$d/sweep-plan.csv" ] && [ -s "$d/sweep.csv" ] || { echo "no plan or sweep.csv in $d"; return 1; }
	[ "$(ls -d "$d"/runs/*/ | wc -l)" -eq "$n" ] || { echo "not $n runs in $d/runs"; return 1; }
	[ "$(grep -c ',ok,' "$d/sweep.csv")" -eq "$n" ] || { echo "not $n ok rows"; return 1; }
	for f in sla_attainment-vs-count fps_min-vs-count lat_p99_max_ms-vs-count; do
		[ -s "$d/plots/$f.png" ] && [ -s "$d/plots/$f.svg" ] || { echo "no plot $f"; return 1; }
	done
}

if "$VGPUSIM" sweep "${SW_ARGS[@]}" -j 2 -o "$WORK/sweep" -q >"$WORK/log" 2>&1 && sweep_files "$WORK/sweep" $SW_RUNS >>"$WORK/log" 2>&1 &&
	head -1 "$WORK/sweep/sweep.csv" | grep -q '^run,policy,seed,vgpus.\[0\].count,status,units,' &&
	! grep -q wall "$WORK/sweep/sweep.csv"; then
	ok "sweep: $SW_DESC, sweep.csv (no wall-clock field), plots"
else
	ko "sweep: $SW_DESC" "$WORK/log"
fi
cp "$WORK/sweep/sweep.csv" "$WORK/sweep-first.csv" 2>/dev/null
rm -rf "$WORK/sweep/runs/0003-"* "$WORK/sweep/runs/0011-"* "$WORK/sweep/sweep.csv"
touch -d '2000-01-01' "$WORK/sweep/runs/0000-"*/summary.json
if "$VGPUSIM" sweep "${SW_ARGS[@]}" -j 2 -o "$WORK/sweep" >"$WORK/log" 2>&1 &&
	grep -q "$SW_RUNS runs ($((SW_RUNS - SW_LOST)) already done)" "$WORK/log" &&
	cmp -s "$WORK/sweep-first.csv" "$WORK/sweep/sweep.csv" &&
	[ -z "$(find "$WORK/sweep/runs/0000-"*/summary.json -newer "$WORK/sweep-first.csv")" ]; then
	ok "sweep resumes: only the $SW_LOST lost run(s) run again, the others are kept; sweep.csv identical"
else
	ko "sweep resumes" "$WORK/log"
fi
rm -f "$WORK/sweep/sweep.csv"
if "$VGPUSIM" sweep --collect "$WORK/sweep" -q >"$WORK/log" 2>&1 && cmp -s "$WORK/sweep-first.csv" "$WORK/sweep/sweep.csv"; then
	ok "sweep --collect DIR rebuilds the same sweep.csv"
else
	ko "sweep --collect" "$WORK/log"
fi
"$VGPUSIM" sweep configs/cloudgame-fixed.cfg --grid 'vgpus.[0].count=2,3' -o "$WORK/sweep" >"$WORK/out" 2>"$WORK/err"
if [ $? -eq 2 ] && grep -q 'holds another sweep' "$WORK/err" && cmp -s "$WORK/sweep-first.csv" "$WORK/sweep/sweep.csv"; then
	ok "sweep: another grid into an existing sweep is refused, the sweep untouched"
else
	ko "sweep: another grid into an existing sweep is refused" "$WORK/err"
fi
bad_input "sweep: a bad grid value names the --set" "--set vgpus.\[0\].count=0: vgpus.\[0\].count must be" \
	sweep configs/cloudgame-fixed.cfg --grid 'vgpus.[0].count=4,0'
bad_input "sweep: a grid without values" "--grid vgpus.\[0\].count: expected PATH=VALUE1,VALUE2" \
	sweep configs/cloudgame-fixed.cfg --grid 'vgpus.[0].count'
bad_input "sweep: an unknown metric to plot" "--plot nope: no such metric" \
	sweep --collect "$WORK/sweep" --plot nope

# The same sweep on Slurm: submitted and waited for, then submitted without waiting and collected.
if [ -n "${VGS_E2E_QUICK:-}" ]; then
	echo "skip - sweep on Slurm: not in the sanitizer pass (the main pass runs it)"
else
	source tests/e2e/slurm_cluster.sh
	if slurm_start "$WORK/slurm-cluster"; then
		if "$VGPUSIM" sweep "${SW_ARGS[@]}" --slurm --per-task 9 -o "$WORK/sweep-slurm" -q >"$WORK/log" 2>&1 &&
			sweep_files "$WORK/sweep-slurm" $SW_RUNS >>"$WORK/log" 2>&1 &&
			cmp "$WORK/sweep-first.csv" "$WORK/sweep-slurm/sweep.csv" >>"$WORK/log" 2>&1; then
			ok "sweep --slurm on a single-node Slurm ($(hostname -s)): sweep.csv byte-identical to the local sweep's"
		else
			cat "$WORK/slurm-cluster/slurmctld.log" >>"$WORK/log" 2>/dev/null
			ko "sweep --slurm: identical sweep.csv" "$WORK/log"
		fi
		job=$("$VGPUSIM" sweep "${SW_ARGS[@]}" --slurm --no-wait -o "$WORK/sweep-nowait" 2>"$WORK/log" |
			sed -n 's/^sweep: Slurm job \([0-9]*\):.*/\1/p')
		for _ in $(seq 300); do
			[ -n "$job" ] && [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
			sleep 0.1
		done
		if [ -n "$job" ] && "$VGPUSIM" sweep --collect "$WORK/sweep-nowait" --no-plots -q >>"$WORK/log" 2>&1 &&
			cmp "$WORK/sweep-first.csv" "$WORK/sweep-nowait/sweep.csv" >>"$WORK/log" 2>&1; then
			ok "sweep --slurm --no-wait, then sweep --collect: the same sweep.csv"
		else
			ko "sweep --slurm --no-wait + --collect" "$WORK/log"
		fi
		slurm_stop
	else
		echo "skip - sweep on Slurm: the cluster did not start: $SLURM_WHY"
	fi
fi

# capacity: the command of docs/capacity.md, then its answers against runs of our own at N and N + 1
# (the sanitizer pass: 2 seeds, 0.5 s, no rerun).
CAP_SEEDS=5 CAP_DUR=1
[ -n "${VGS_E2E_QUICK:-}" ] && CAP_SEEDS=2 CAP_DUR=0.5
if "$VGPUSIM" capacity configs/capacity-cloudgame.cfg --tenant light -p nvidia-es,nvidia-be --seeds $CAP_SEEDS -j 2 \
	--duration $CAP_DUR -o "$WORK/cap" >"$WORK/cap.out" 2>&1 &&
	grep -Eq '^nvidia-es +[0-9]+ +[0-9.]+ +[0-9.]+ %' "$WORK/cap.out" && grep -Eq '^nvidia-be +[0-9]+ ' "$WORK/cap.out" &&
	[ -s "$WORK/cap/capacity.csv" ] && [ -s "$WORK/cap/plots/capacity.png" ]; then
	ok "capacity configs/capacity-cloudgame.cfg --tenant light -p nvidia-es,nvidia-be --seeds $CAP_SEEDS: table, csv, plot"
	mkdir -p "$WORK/cap-check"
	if [ -n "${VGS_E2E_QUICK:-}" ]; then
		echo "skip - capacity: the check against runs at N and N + 1 is in the main pass"
	elif python3 tests/e2e/check_capacity.py "$VGPUSIM" "$WORK/cap" "$WORK/cap-check" configs/capacity-cloudgame.cfg 0 \
		$CAP_SEEDS 1 $CAP_DUR -- >"$WORK/log" 2>&1; then
		ok "capacity: the answers hold at N and fail at N + 1 in runs of our own ($(grep -c '^ok' "$WORK/log") checks)"
	else
		ko "capacity: answers against runs at N and N + 1" "$WORK/log"
	fi
else
	ko "capacity on configs/capacity-cloudgame.cfg" "$WORK/cap.out"
fi
if "$VGPUSIM" capacity configs/capacity-cloudgame.cfg --tenant light -p drm-fair --scan --max 6 --sla fps=60,p99_ms=8 \
	--duration 0.5 --no-plots -o "$WORK/cap-scan" >"$WORK/log" 2>&1 &&
	[ "$(grep -c '^drm-fair,' "$WORK/cap-scan/capacity.csv")" -eq 6 ] && grep -q 'SLA: fps=60,p99_ms=8' "$WORK/log"; then
	ok "capacity --scan --max 6 --sla: every N from 1 to 6 run"
else
	ko "capacity --scan --sla" "$WORK/log"
fi
bad_input "capacity: an unknown tenant group lists the groups" "--tenant nope: .* has no vgpus entry of that name; it has: light" \
	capacity configs/capacity-cloudgame.cfg --tenant nope
bad_input "capacity: a bad --sla" "--sla fps=x: fps expects a non-negative number" \
	capacity configs/capacity-cloudgame.cfg --tenant light --sla fps=x
