# End-to-end tests of `vgpusim compare` and `vgpusim plot` (docs/compare.md).  Sourced by
# tests/e2e/run.sh, whose ok / ko / bad_input helpers, $VGPUSIM, $WORK and pass/fail counters it uses.
# VGS_E2E_QUICK=1 (the sanitizer pass) keeps only the cloudgame comparison, shorter.

CMP_DUR=${VGS_E2E_QUICK:+0.3}
CMP_DUR=${CMP_DUR:-1}
PLOTS="rate share latency-cdf util"

# cmp_files DIR POLICIES...: every output of a complete comparison is there and non-empty.
cmp_files() {
	local d=$1 p f
	shift
	for f in compare.csv report.md solo; do
		[ -e "$d/$f" ] || { echo "missing $d/$f"; return 1; }
	done
	for p in "$@"; do
		for f in summary.json tenants.csv engines.csv units.csv slices.csv windows.csv; do
			[ -s "$d/$p/$f" ] || { echo "missing $d/$p/$f"; return 1; }
		done
		PLOTS_ALL="$PLOTS_ALL gantt-$p timeseries-$p"
	done
	for f in $PLOTS $PLOTS_ALL; do
		for ext in png svg dat; do
			[ -s "$d/plots/$f.$ext" ] || { echo "missing or empty $d/plots/$f.$ext"; return 1; }
		done
	done
	ls "$d"/solo/*/summary.json >/dev/null || return 1
	! ls -a "$(dirname "$d")" | grep -q "^\.$(basename "$d")\.tmp"
}

# compare_ok NAME CONFIG: a 3-policy comparison succeeds, writes everything, and its report checks out.
compare_ok() {
	local name=$1 cfg=$2 d="$WORK/cmp-$1"
	PLOTS_ALL=""
	if "$VGPUSIM" compare "$cfg" -p timeslice,weighted,dynprio --duration "$CMP_DUR" -j 2 -o "$d" --quiet \
		>"$WORK/log" 2>&1 && cmp_files "$d" timeslice weighted dynprio >>"$WORK/log" 2>&1 &&
		python3 tests/e2e/check_report.py "$d" timeslice,weighted,dynprio >>"$WORK/log" 2>&1; then
		ok "compare $name: 3 policies + solo baselines, compare.csv, report.md (checked), every plot"
	else
		ko "compare $name" "$WORK/log"
	fi
}

compare_ok cloudgame configs/cloudgame.cfg
[ -z "${VGS_E2E_QUICK:-}" ] && compare_ok aitrain configs/aitrain.cfg

# Replications: --seeds 10 on the default scenario names at least one significant difference, and the
# report's intervals are those of its seeds.csv (tests/e2e/check_seeds.py); -j does not change a byte.
SEEDS=${VGS_E2E_QUICK:+3}
SEEDS=${SEEDS:-10}
if "$VGPUSIM" compare configs/cloudgame.cfg -p timeslice,weighted,dynprio --seeds "$SEEDS" ${VGS_E2E_QUICK:+--duration 1} \
	--no-plots -q -o "$WORK/cmp-seeds" >"$WORK/log" 2>&1 &&
	python3 tests/e2e/check_seeds.py "$WORK/cmp-seeds" 1 >>"$WORK/log" 2>&1 &&
	[ -s "$WORK/cmp-seeds/seed-1/compare.csv" ] && [ -s "$WORK/cmp-seeds/seed-$SEEDS/report.md" ] &&
	python3 tests/e2e/check_report.py "$WORK/cmp-seeds/seed-2" timeslice,weighted,dynprio >>"$WORK/log" 2>&1; then
	ok "compare --seeds $SEEDS: a significant difference named, intervals those of seeds.csv"
else
	ko "compare --seeds" "$WORK/log"
fi
if [ -z "${VGS_E2E_QUICK:-}" ]; then
	"$VGPUSIM" compare configs/cloudgame.cfg -p timeslice,dynprio --seeds 3 --duration 0.5 --no-plots -q -j 1 \
		-o "$WORK/cmp-j1" >/dev/null 2>&1
	"$VGPUSIM" compare configs/cloudgame.cfg -p timeslice,dynprio --seeds 3 --duration 0.5 --no-plots -q -j 5 \
		-o "$WORK/cmp-j5" >/dev/null 2>&1
	if cmp -s "$WORK/cmp-j1/seeds.csv" "$WORK/cmp-j5/seeds.csv" && cmp -s "$WORK/cmp-j1/report.md" "$WORK/cmp-j5/report.md" &&
		cmp -s "$WORK/cmp-j1/seed-3/compare.csv" "$WORK/cmp-j5/seed-3/compare.csv" && [ -s "$WORK/cmp-j1/seeds.csv" ]; then
		ok "compare --seeds: -j 1 and -j 5 give the same seeds.csv, report.md and compare.csv"
	else
		ko "compare --seeds: -j changes the outputs"
	fi
fi
bad_input "compare: bad --seeds" "--seeds expects a number of seeds" compare configs/cloudgame.cfg -p timeslice --seeds 0
bad_input "run: bad --seeds" "--seeds expects a number of seeds" run configs/cloudgame.cfg --seeds x
bad_input "run: bad --windows" "--windows expects a positive number of seconds" run configs/cloudgame.cfg --windows=-1

# Bad input: exit 2, one clear line, no comparison directory (bad_input passes -o).
bad_input "compare: unknown policy" "unknown policy 'nope'" compare configs/cloudgame.cfg -p timeslice,nope
bad_input "compare: KEY=VALUE expected" "weighted:slice_us: expected KEY=VALUE" compare configs/cloudgame.cfg -p weighted:slice_us
bad_input "compare: unknown parameter, before any run" "-p weighted:no_such_param=1: .*unknown parameter 'no_such_param" \
	compare configs/cloudgame.cfg -p timeslice,weighted:no_such_param=1
bad_input "compare: invalid parameter value, before any run" "invalid value in 'slice_us = 0'" \
	compare configs/cloudgame.cfg -p weighted:slice_us=0
bad_input "compare: missing .so file" "no such policy file" compare configs/cloudgame.cfg -p "$WORK/none.so"
bad_input "compare: two items, one directory" "would both write" compare configs/cloudgame.cfg -p weighted,weighted
bad_input "compare: bad config names file:line" "misspelt-key.cfg:[0-9]+:" compare tests/e2e/bad/misspelt-key.cfg -p timeslice
bad_input "compare: bad --set" "--set" compare configs/cloudgame.cfg -p timeslice --set simulation.nokey.x=1
bad_input "compare: -p is required" "expects -p" compare configs/cloudgame.cfg

# A run that fails only when it runs (a .so that exists but does not load): exit 2, the other
# policies' results stay, report.md and compare.csv mark the failed one.
d="$WORK/cmp-fail"
echo "not a shared object" >"$WORK/broken.so"
"$VGPUSIM" compare configs/cloudgame.cfg -p "timeslice,$WORK/broken.so,weighted" --duration 0.3 -j 2 -o "$d" \
	--no-plots --quiet >"$WORK/log" 2>&1
rc=$?
if [ $rc -eq 2 ] && grep -q "run broken failed (exit 2)" "$WORK/log" && [ -s "$d/timeslice/summary.json" ] &&
	[ -s "$d/weighted/summary.json" ] && [ ! -e "$d/broken" ] && grep -q "cannot load policy" "$d/broken.log" &&
	grep -q '^- broken (incomplete: exit 2, see \[broken.log\](broken.log))' "$d/report.md" &&
	grep -q '^broken,0,' "$d/compare.csv" && ! grep -q '^timeslice,0,' "$d/compare.csv" &&
	! grep -q 'plots/' "$d/report.md" &&
	python3 tests/e2e/check_report.py "$d" "timeslice,broken,weighted" >>"$WORK/log" 2>&1; then
	ok "compare: a failing run gives exit 2, keeps the others, is marked incomplete"
else
	echo "exit $rc" >>"$WORK/log"
	ko "compare: a failing run" "$WORK/log"
fi

# Parameters: distinct directories; a policy group the config lacks is created; the effective config
# of each run shows its parameter.
d="$WORK/cmp-params"
if "$VGPUSIM" compare configs/cloudgame-fixed.cfg -p weighted,weighted:slice_us=500,fifo:slice_us=300 --duration 0.3 \
	-j 2 -o "$d" --no-plots --quiet >"$WORK/log" 2>&1 &&
	python3 - "$d" >>"$WORK/log" 2>&1 <<'EOF'
import json, re, sys
d = sys.argv[1]
def cfg(p):
    return json.load(open("%s/%s/summary.json" % (d, p)))["config"]
assert re.search(r"weighted\s*[:=]\s*\{\s*slice_us\s*=\s*1000", cfg("weighted")), "weighted keeps the config's 1000"
assert re.search(r"weighted\s*[:=]\s*\{\s*slice_us\s*=\s*500", cfg("weighted-slice_us=500")), "weighted 500"
assert re.search(r"fifo\s*[:=]\s*\{\s*slice_us\s*=\s*300", cfg("fifo-slice_us=300")), "fifo group created"
assert json.load(open("%s/fifo-slice_us=300/summary.json" % d))["policy"] == "fifo"
solo = json.load(open("%s/solo/light/summary.json" % d))
assert solo["policy"] == "weighted" and len(solo["tenants"]) == 1 and "# --solo light" in solo["config"]
EOF
then
	ok "compare: policy parameters (weighted, weighted-slice_us=500, fifo-slice_us=300), solo uses the first"
else
	ko "compare: policy parameters" "$WORK/log"
fi

# `vgpusim plot` redraws without running: on the comparison, and on a single run directory.
d="$WORK/cmp-cloudgame"
rm -rf "$d/plots"
PLOTS_ALL="gantt-timeslice gantt-weighted gantt-dynprio timeseries-timeslice timeseries-weighted timeseries-dynprio"
if "$VGPUSIM" plot "$d" --quiet >"$WORK/log" 2>&1 && cmp_files "$d" timeslice weighted dynprio >>"$WORK/log" 2>&1 &&
	"$VGPUSIM" run configs/cloudgame.cfg --duration 0.3 --slices -o "$WORK/one" --quiet >>"$WORK/log" 2>&1 &&
	"$VGPUSIM" plot "$WORK/one" --gantt-ms 5 >>"$WORK/log" 2>&1 &&
	[ -s "$WORK/one/plots/gantt-timeslice.png" ] && [ -s "$WORK/one/plots/rate.svg" ] &&
	grep -q '5 ms' "$WORK/one/plots/gantt-timeslice.dat"; then
	ok "plot: redraws a comparison's plots and a single run's"
else
	ko "plot: redraw" "$WORK/log"
fi
mkdir -p "$WORK/empty"
"$VGPUSIM" plot "$WORK/empty" >"$WORK/out" 2>"$WORK/err"
rc1=$?
PATH=/nonexistent "$VGPUSIM" plot "$d" >"$WORK/out" 2>>"$WORK/err"
rc2=$?
if [ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && grep -q "empty is neither a comparison" "$WORK/err" &&
	grep -q "gnuplot not found in PATH" "$WORK/err" && [ ! -e "$WORK/empty/plots" ] && [ -s "$d/plots/rate.png" ]; then
	ok "plot: clear errors for a directory without results and without gnuplot, nothing touched"
else
	ko "plot: errors" "$WORK/err"
fi

# Same seed, same comparison: compare.csv and report.md are byte-identical (no date in the report).
if [ -z "${VGS_E2E_QUICK:-}" ]; then
	for k in 1 2; do
		"$VGPUSIM" compare configs/cloudgame.cfg -p timeslice,dynprio --duration 0.3 --seed 5 -o "$WORK/det$k" \
			--no-plots --quiet >/dev/null 2>&1
	done
	if cmp -s "$WORK/det1/compare.csv" "$WORK/det2/compare.csv" && cmp -s "$WORK/det1/report.md" "$WORK/det2/report.md"; then
		ok "compare: same seed, identical compare.csv and report.md"
	else
		ko "compare: same seed gives different outputs"
	fi
fi

# Progress on a terminal only, and not with --quiet.
if command -v script >/dev/null; then
	script -qec "$VGPUSIM compare configs/cloudgame.cfg -p timeslice,weighted --duration 0.2 --no-plots -o $WORK/prc1" \
		/dev/null >"$WORK/tty" 2>&1
	script -qec "$VGPUSIM compare configs/cloudgame.cfg -p timeslice,weighted --duration 0.2 --no-plots -o $WORK/prc2 --quiet" \
		/dev/null >"$WORK/ttyq" 2>&1
	"$VGPUSIM" compare configs/cloudgame.cfg -p timeslice,weighted --duration 0.2 --no-plots -o "$WORK/prc3" \
		2>"$WORK/pipe" >/dev/null
	if grep -Eq 'compare: ([0-9]+)/\1 runs done' "$WORK/tty" && ! grep -q 'runs done' "$WORK/ttyq" && [ ! -s "$WORK/pipe" ]; then
		ok "compare: progress line on a terminal only, silenced by --quiet"
	else
		ko "compare: progress line" "$WORK/tty"
	fi
fi
