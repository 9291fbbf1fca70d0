#!/usr/bin/env bash
# End-to-end tests of the vgpusim CLI: every shipped config runs and its results satisfy the invariants
# of docs/metrics.md, runs are deterministic, each policy works, bad input fails cleanly (exit 2,
# file:line, no results directory).  Each case runs in its own directory under $WORK.
#
#   tests/e2e/run.sh [PART...]   run these parts (default: all, one after the other)
#   tests/e2e/run.sh --list      the parts' names
#
# The parts share nothing but the binaries: each invocation has its own $WORK (and import cache), so
# `make check-e2e` runs every part as a target of its own, in parallel (make -j).  The last line is
# "e2e PART...: N passed, N failed (S s)"; exit 0 when none failed.
#   VGPUSIM   path to the binary (default ./vgpusim)
#   VGS_BUILD build directory holding examples/libmypolicy.so (default build)
#   VGS_E2E_QUICK=1  shorter simulated durations, the largest scenarios smaller (the sanitizer pass)
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
VGPUSIM=${VGPUSIM:-$ROOT/vgpusim}
VGS_BUILD=${VGS_BUILD:-$ROOT/build}
WORK=$(mktemp -d /tmp/vgpusim-e2e.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# The import cache of every run here is the test's own (docs/traces.md, "The import cache").
export XDG_CACHE_HOME=$WORK/xdg-cache
# python3, found once: the parts start it hundreds of times, and a version manager's shim first on PATH
# (pyenv's is a bash script that runs pyenv) costs ~0.1 s of CPU a start, ten times the interpreter's
# own.  The Debian python3 of `make deps` when there is one, else the interpreter behind python3.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(python3 -c 'import sys; print(sys.executable)')
mkdir -p "$WORK/bin" && ln -s "$PY" "$WORK/bin/python3" && export PATH=$WORK/bin:$PATH
DUR=${VGS_E2E_QUICK:+1}
DUR=${DUR:-3}
# The sanitizer pass runs the two largest benchmark scenarios (fleet, tenants10k: 16,384 and 10,000
# tenants) on 8 GPUs with 16 tenants each: the same code, at a size the sanitizers check in seconds.
BIG_QUICK=()
[ -n "${VGS_E2E_QUICK:-}" ] && BIG_QUICK=(--set 'gpus.[0].count=8' --set 'vgpus.[0].count=128')
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && sed 's/^/       /' "$2" | head -20; }

# run_ok NAME OUTDIR ARGS...: the run succeeds and its results pass check_results.py
run_ok() {
	local name=$1 out=$2
	shift 2
	if "$VGPUSIM" run "$@" -o "$out" --quiet >"$WORK/log" 2>&1 &&
		python3 tests/e2e/check_results.py "$out" >"$WORK/check" 2>&1; then
		ok "$name"
	else
		cat "$WORK/check" >>"$WORK/log" 2>/dev/null
		ko "$name" "$WORK/log"
	fi
}

# bad_input NAME PATTERN ARGS...: exit status 2, stderr matches PATTERN, no results directory
bad_input() {
	local name=$1 pattern=$2 out="$WORK/bad-out"
	shift 2
	rm -rf "$out"
	"$VGPUSIM" "$@" -o "$out" >"$WORK/out" 2>"$WORK/err"
	local rc=$?
	if [ $rc -eq 2 ] && grep -Eq -e "$pattern" "$WORK/err" && [ ! -e "$out" ] &&
		[ "$(wc -l <"$WORK/err")" -le 3 ] && ! ls -a "$WORK" | grep -q '^\.bad-out\.tmp'; then
		ok "$name"
	else
		echo "exit $rc, stderr:" >"$WORK/why"
		cat "$WORK/err" >>"$WORK/why"
		ko "$name" "$WORK/why"
	fi
}


# py_suite NAME: run tests/e2e/NAME.py (one ok/FAIL line per check, then 'NAME: N passed, N failed')
# in its own directory and add its counts.
py_suite() {
	local name=$1
	mkdir -p "$WORK/$name"
	python3 "tests/e2e/$name.py" "$VGPUSIM" "$WORK/$name" >"$WORK/$name.log" 2>&1
	grep -E '^(ok|FAIL)' "$WORK/$name.log"
	pass=$((pass + $(grep -c '^ok' "$WORK/$name.log")))
	fail=$((fail + $(grep -c '^FAIL' "$WORK/$name.log")))
	grep -q "^$name: [0-9]* passed, 0 failed" "$WORK/$name.log" ||
		{ fail=$((fail + 1)); echo "FAIL - $name.py"; tail -5 "$WORK/$name.log"; }
}

# A pool scenario (a `requests` group) runs under `vgpusim pool`, not `run` (tests/e2e/pool_level.py).
is_pool() { grep -q '^requests *=' "$1"; }

part_configs() {
# Every shipped config, with its own policy and with each of the three main policies.
for cfg in configs/*.cfg; do
	name=$(basename "$cfg" .cfg)
	if is_pool "$cfg"; then
		echo "skip - $name: a pool scenario (vgpusim pool: tests/e2e/pool_level.py)"
		continue
	fi
	if grep -q 'shared/traces' "$cfg" && [ ! -d ../shared/traces ]; then
		echo "skip - $name: needs ../shared/traces"
		continue
	fi
	run_ok "$name runs (${DUR}s) and its results hold the invariants" "$WORK/$name" "$cfg" --duration "$DUR"
	for p in timeslice weighted dynprio; do
		[ -n "${VGS_E2E_QUICK:-}" ] && [ "$name" != cloudgame ] && continue
		out="$WORK/$name-$p"
		if "$VGPUSIM" run "$cfg" -p "$p" --duration 1 -o "$out" --quiet >"$WORK/log" 2>&1 &&
			python3 tests/e2e/check_results.py "$out" "$p" >"$WORK/check" 2>&1; then
			ok "$name -p $p"
		else
			cat "$WORK/check" >>"$WORK/log"
			ko "$name -p $p" "$WORK/log"
		fi
	done
done

}

part_bench() {
# The benchmark scenarios (make bench) load and run; a short slice of each (after a short warm-up) is
# enough here.  The largest, the fleet (16,384 tenants, run as one shard), is checked on the outputs of
# its coalescing comparison (part_coalesce_big) rather than run a third time here; scale and tenants10k
# run sharded.
for cfg in configs/bench/*.cfg; do
	name=$(basename "$cfg" .cfg)
	[ "$name" = fleet ] && continue
	if is_pool "$cfg"; then
		echo "skip - bench/$name: a pool scenario (vgpusim pool: tests/e2e/pool_level.py)"
		continue
	fi
	if grep -q 'shared/traces' "$cfg" && [ ! -d ../shared/traces ]; then
		echo "skip - bench/$name: needs ../shared/traces"
		continue
	fi
	one=(); [ "$name" = tenants10k ] && one=("${BIG_QUICK[@]}")
	run_ok "bench/$name runs and its results hold the invariants" "$WORK/bench-$name" "$cfg" --duration 0.1 \
		--set simulation.warmup_s=0.05 "${one[@]}"
done

}

part_runs() {
# Determinism: the same config and seed give byte-identical outputs, wall-clock fields aside.
for cfg in configs/cloudgame.cfg configs/mixed.cfg; do
	name=$(basename "$cfg" .cfg)
	"$VGPUSIM" run "$cfg" --duration 1 --seed 11 -o "$WORK/det1" --quiet >/dev/null 2>&1
	"$VGPUSIM" run "$cfg" --duration 1 --seed 11 -o "$WORK/det2" --quiet >/dev/null 2>&1
	if cmp -s "$WORK/det1/tenants.csv" "$WORK/det2/tenants.csv" &&
		cmp -s "$WORK/det1/engines.csv" "$WORK/det2/engines.csv" &&
		cmp -s "$WORK/det1/units.csv" "$WORK/det2/units.csv" &&
		python3 tests/e2e/same_summary.py "$WORK/det1/summary.json" "$WORK/det2/summary.json" >"$WORK/log" 2>&1; then
		ok "$name: two runs with the same seed are identical"
	else
		ko "$name: two runs with the same seed differ" "$WORK/log"
	fi
	"$VGPUSIM" run "$cfg" --duration 1 --seed 12 -o "$WORK/det3" --quiet >/dev/null 2>&1
	if cmp -s "$WORK/det1/units.csv" "$WORK/det3/units.csv"; then
		ko "$name: a different seed gives a different run"
	else
		ok "$name: a different seed gives a different run"
	fi
	rm -rf "$WORK/det1" "$WORK/det2" "$WORK/det3"
done

# Shards: units of different GPUs that end at the same ns (identical sessions on four GPUs, every
# frame) are merged in the one-shard order, so `run -j 2` writes the files `run -j 1` does.
"$VGPUSIM" run tests/e2e/scenarios/ties.cfg -j 1 -o "$WORK/ties1" --quiet >"$WORK/log" 2>&1
"$VGPUSIM" run tests/e2e/scenarios/ties.cfg -j 2 -o "$WORK/ties2" --quiet >>"$WORK/log" 2>&1
if cmp -s "$WORK/ties1/tenants.csv" "$WORK/ties2/tenants.csv" &&
	cmp -s "$WORK/ties1/engines.csv" "$WORK/ties2/engines.csv" &&
	cmp -s "$WORK/ties1/units.csv" "$WORK/ties2/units.csv" &&
	grep -q '"shards": 2,' "$WORK/ties2/summary.json" &&
	[ "$(cut -d, -f4 "$WORK/ties1/units.csv" | uniq -d | wc -l)" -gt 10 ] &&
	python3 tests/e2e/same_summary.py "$WORK/ties1/summary.json" "$WORK/ties2/summary.json" >>"$WORK/log" 2>&1; then
	ok "units ending at the same ns on GPUs of two shards: run -j 2 identical to run -j 1"
else
	ko "run -j 2 differs from run -j 1 where units of two shards end at the same ns" "$WORK/log"
fi
rm -rf "$WORK/ties1" "$WORK/ties2"

# Placement over several GPUs, and the other domain modes.
run_ok "two GPUs with round-robin placement" "$WORK/two" configs/cloudgame.cfg --duration 1 --set 'gpus.[0].count=2'
run_ok "per-engine domains under fifo (drm_sched style)" "$WORK/engine" configs/mixed.cfg --duration 1 \
	--set 'scheduler.domain="engine"' -p fifo
run_ok "whole-GPU domain (world switch)" "$WORK/gpu" configs/aitrain.cfg --duration 1 --set 'scheduler.domain="gpu"'

# Re-running into an existing results directory replaces it.
run_ok "rerun replaces an earlier results directory" "$WORK/cloudgame" configs/cloudgame.cfg --duration 1

# A user policy loaded from a shared object.
if [ -f "$VGS_BUILD/examples/libmypolicy.so" ]; then
	run_ok "policy loaded from a .so" "$WORK/so" configs/cloudgame.cfg --duration 1 -p "$VGS_BUILD/examples/libmypolicy.so"
	run_ok "a .so policy takes its parameters from scheduler.<name>" "$WORK/so2" tests/e2e/scenarios/sopolicy.cfg \
		--set "scheduler.policy=\"$VGS_BUILD/examples/libmypolicy.so\""
	bad_input "a .so policy rejects an unknown parameter, naming where it was set" "--set scheduler.mypolicy.bogus=1: unknown parameter .bogus" \
		run tests/e2e/scenarios/sopolicy.cfg --set "scheduler.policy=\"$VGS_BUILD/examples/libmypolicy.so\"" \
		--set 'scheduler.mypolicy.bogus=1'
	# A relative .so path written in a config is relative to that config (vgs_policy_resolve), for the
	# scheduling policy and for a pool's placement policy alike: run from another working directory.
	rel="$WORK/rel-so"
	mkdir -p "$rel/cwd"
	cp "$VGS_BUILD/examples/libmypolicy.so" "$VGS_BUILD/examples/libmyplacement.so" "$rel/"
	sed -e "s|@include \"|@include \"$ROOT/configs/|" -e 's|policy = "timeslice";|policy = "libmypolicy.so";|' \
		configs/cloudgame.cfg >"$rel/sched.cfg"
	sed -e "s|@include \"|@include \"$ROOT/configs/|" -e 's|placement = "first-fit";|placement = "./libmyplacement.so";|' \
		configs/pool.cfg >"$rel/pool.cfg"
	if (cd "$rel/cwd" && "$VGPUSIM" run ../sched.cfg --duration 0.3 -q -o out-run &&
		"$VGPUSIM" pool ../pool.cfg --duration 120 --set pool.mix.duration_s=0.5 \
		--set pool.mix.warmup_s=0.1 -q -o out-pool --cache cache) \
		>"$WORK/log" 2>&1 && grep -q '"policy": "mypolicy"' "$rel/cwd/out-run/summary.json" &&
		grep -q '"placement": "myplacement"' "$rel/cwd/out-pool/summary.json"; then
		ok "a relative .so path in a config (policy, placement) is relative to the config"
	else
		ko "a relative .so path in a config (policy, placement) is relative to the config" "$WORK/log"
	fi
else
	ko "policy loaded from a .so: $VGS_BUILD/examples/libmypolicy.so not built"
fi

# `vgpusim policies` lists the built-ins with their parameters.
if "$VGPUSIM" policies >"$WORK/pol" 2>&1 && grep -q '^timeslice' "$WORK/pol" && grep -q '^weighted' "$WORK/pol" &&
	grep -q '^dynprio' "$WORK/pol" && grep -q '^fifo' "$WORK/pol" && grep -q 'slice_us' "$WORK/pol"; then
	ok "vgpusim policies lists every policy and its parameters"
else
	ko "vgpusim policies" "$WORK/pol"
fi

# Bad input: exit 2, one clear message naming file:line, no results directory.
B=tests/e2e/bad
bad_input "misspelt key names file:line" "misspelt-key.cfg:[0-9]+:.*wieght" run $B/misspelt-key.cfg
bad_input "wrong type names file:line" "wrong-type.cfg:[0-9]+:.*duration_s" run $B/wrong-type.cfg
bad_input "out-of-range value names file:line" "out-of-range.cfg:[0-9]+:.*weight" run $B/out-of-range.cfg
bad_input "missing include names file:line" "missing-include.cfg:[0-9]+:" run $B/missing-include.cfg
bad_input "syntax error names file:line" "syntax-error.cfg:[0-9]+:" run $B/syntax-error.cfg
bad_input "unknown policy parameter names file:line" "bad-param.cfg:[0-9]+:.*slice_ms" run $B/bad-param.cfg
bad_input "unknown policy on the command line" "unknown policy 'nope'" run configs/cloudgame.cfg -p nope
bad_input "bad --set path" "--set" run configs/cloudgame.cfg --set simulation.nokey.x=1
bad_input "missing config file" "nope.cfg" run configs/nope.cfg
bad_input "bad --duration" "--duration" run configs/cloudgame.cfg --duration -1
bad_input "unknown command" "unknown command 'frobnicate'; expected one of: run, compare," frobnicate

}

part_import() {
# Trace import: the CLI, errors, a capture named directly by a config, and solo-replay exactness.
if "$VGPUSIM" import auto tests/traces/orion/good.csv -o "$WORK/good.vgt" 2>"$WORK/err" &&
	"$VGPUSIM" trace stats "$WORK/good.vgt" >"$WORK/stats" && grep -q '^ops: *4$' "$WORK/stats" &&
	"$VGPUSIM" trace stats tests/traces/presentmon/v2.csv | grep -q 'contexts: *2'; then
	ok "import writes a native trace; trace stats reads captures and native traces"
else
	ko "import / trace stats" "$WORK/err"
fi
bad_input "import: bad capture names file:line, writes nothing" "bad_duration.csv:3:" import orion tests/traces/orion/bad_duration.csv
bad_input "import: Orion *_fb0 placeholders are refused" "placeholders" import auto tests/traces/orion/placeholder_fb0.csv
"$VGPUSIM" import kineto tests/traces/kineto/good.json -o "$WORK/k.vgt" 2>/dev/null &&
	"$VGPUSIM" import ftrace tests/traces/ftrace/amdgpu.txt -o "$WORK/f.vgt" 2>/dev/null &&
	ok "import: Kineto and ftrace fixtures" || ko "import: Kineto and ftrace fixtures"
bad_input "import: truncated gzip names the byte" "truncated.json.gz: truncated gzip stream at byte [0-9]+" import auto tests/traces/kineto/bad/truncated.json.gz
bad_input "import: malformed JSON names the byte" "malformed.json: byte [0-9]+: parse error" import kineto tests/traces/kineto/bad/malformed.json
bad_input "import: a kernel without 'dur' names the byte" "no_dur.json: byte [0-9]+: kernel event without 'dur'" import kineto tests/traces/kineto/bad/no_dur.json
bad_input "import: a garbage ftrace line names file:line" "garbage.txt:4:" import ftrace tests/traces/ftrace/bad/garbage.txt
bad_input "import: an ftrace event missing a field names file:line" "cs_no_seqno.txt:3:.*seqno" import ftrace tests/traces/ftrace/bad/cs_no_seqno.txt
bad_input "import: unknown format" "unknown format 'nope'" import nope tests/traces/orion/good.csv
bad_input "import: PresentMon time columns that disagree name file:line" \
	"bad_units.csv:3: CPUStartTime disagrees with MsBetweenAppStart" import presentmon tests/traces/presentmon/bad_units.csv
bad_input "import: a native trace's unknown attribute names file:line" "attr_unknown.vgt:4: unknown attribute 'blocks'" \
	import auto tests/traces/bad/attr_unknown.vgt
run_ok "a config replays a PresentMon capture directly (one context)" "$WORK/capture" tests/e2e/scenarios/capture.cfg
# The import cache: hit, miss, damaged entries, --no-cache (tests/e2e/cache.sh).
source tests/e2e/cache.sh
mkdir -p "$WORK/replay"
python3 tests/e2e/replay_shared.py "$VGPUSIM" "$WORK/replay" >"$WORK/rep" 2>&1
grep -E '^(ok|FAIL)' "$WORK/rep" | sed 's/^/replay: /'
grep -q 'skipped' "$WORK/rep" && echo "skip - solo replay of ../shared/traces: not found"
pass=$((pass + $(grep -c '^ok' "$WORK/rep")))
fail=$((fail + $(grep -c '^FAIL' "$WORK/rep")))
grep -Eq '^replay: [0-9]+ passed, 0 failed' "$WORK/rep" || { fail=$((fail + 1)); echo "FAIL - replay_shared.py"; tail -5 "$WORK/rep"; }

}

part_captures() {
# Real captures as they are: present-queue back-pressure, anchored host gaps, Orion columns, units and
# frame rates (tests/e2e/captures.py).
py_suite captures
}

part_behaviour() {
# Simulator behaviour on small scenarios (tests/e2e/scenarios): replay, backpressure, TDR, preemption.
py_suite behaviour
}

part_translate() {
# Moving a workload to another GPU: translate, fit-speed, the translate key (tests/e2e/translate.py).
py_suite translate

}

part_timeline() {
# --timeline / --slices: timeline.json passes the trace-event schema check and both files add up to
# engines.csv busy times (check_timeline.py), on plain, fine-preemption and TDR-reset runs.
tl_ok() {
	local name=$1 out=$2
	shift 2
	if "$VGPUSIM" run "$@" --slices --timeline -o "$out" --quiet >"$WORK/log" 2>&1 &&
		python3 tests/e2e/check_timeline.py "$out" >>"$WORK/log" 2>&1; then
		ok "$name"
	else
		ko "$name" "$WORK/log"
	fi
}
tl_ok "timeline: cloudgame" "$WORK/tl-cloud" configs/cloudgame.cfg --duration 1
[ -z "${VGS_E2E_QUICK:-}" ] && tl_ok "timeline: aitrain (several channels per engine)" "$WORK/tl-ai" configs/aitrain.cfg --duration 1
tl_ok "timeline: fine preemption splits commands" "$WORK/tl-fine" tests/e2e/scenarios/busy.cfg --duration 1 \
	--set 'gpus.[0].engines.gfx.preempt="fine"' --set 'gpus.[0].engines.gfx.preempt_latency_us=50.0'
tl_ok "timeline: TDR resets" "$WORK/tl-tdr" tests/e2e/scenarios/hang.cfg --duration 1 --set 'gpus.[0].tdr_timeout_ms=5.0'

# Progress line: on a terminal only, never with --quiet, never into a pipe (ASan's warning about
# SimGrid's context stacks, printed by every sanitizer run, is not ours).
if command -v script >/dev/null; then
	script -qec "$VGPUSIM run configs/cloudgame.cfg --duration 1 -o $WORK/pr1" /dev/null >"$WORK/tty" 2>&1
	script -qec "$VGPUSIM run configs/cloudgame.cfg --duration 1 -o $WORK/pr2 --quiet" /dev/null >"$WORK/ttyq" 2>&1
	"$VGPUSIM" run configs/cloudgame.cfg --duration 1 -o "$WORK/pr3" 2>"$WORK/pipe" >/dev/null
	if grep -q 'simulated .* of .* commands/s' "$WORK/tty" && ! grep -q 'simulated' "$WORK/ttyq" &&
		[ -z "$(grep -v -e '==WARNING: ASan is ignoring requested __asan_handle_no_return' \
			-e '^False positive error reports may follow' -e 'google/sanitizers/issues/189' "$WORK/pipe")" ]; then
		ok "progress line on a terminal only, silenced by --quiet"
	else
		ko "progress line on a terminal only, silenced by --quiet" "$WORK/tty"
	fi
else
	echo "skip - progress line: no 'script' command"
fi

}

# co_ok NAME LOG ARGS...: tests/e2e/coalesce.py ARGS passes (its output in $WORK/co-LOG.log).
# The sanitizer pass compares a shorter window after a 0.1 s warm-up (some configs warm up for 1-2 s):
# the comparison itself is the normal pass's; here each mode's code runs under the sanitizers.
co_dur=1 co_quick=()
[ -n "${VGS_E2E_QUICK:-}" ] && co_dur=0.5 co_quick=(--set simulation.warmup_s=0.1)
co_ok() {
	local name="$1" log="$WORK/co-$2.log"; shift 2
	if python3 tests/e2e/coalesce.py "$@" >"$log" 2>&1; then
		ok "$name ($(grep -c '^ok' "$log") configs)"
	else
		ko "$name" "$log"
	fi
}

part_coalesce() {
# Coalescing changes no output: every shipped config with and without --no-coalesce, every output
# compared field by field (tests/e2e/coalesce.py); the benchmark scenarios and the preemption, reset
# and SM-pool modes are the two parts after this one.
co_ok "coalescing: every shipped config's outputs identical with --no-coalesce" shipped --require-coalesced \
	"$VGPUSIM" "$WORK/co" "$co_dur" $(for c in configs/*.cfg; do is_pool "$c" || echo "$c"; done) -- "${co_quick[@]}"
}

part_coalesce_bench() {
# The benchmark scenarios are large (up to 16,384 tenants): a short measured window after a short
# warm-up is enough to cover what they add (many GPUs, sharding, Kineto captures).  The two largest
# are the next part, as one shard each (see part_bench).
co_ok "coalescing: every benchmark scenario's outputs identical with --no-coalesce" bench --require-coalesced \
	"$VGPUSIM" "$WORK/co-bench" 0.05 $(for c in configs/bench/*.cfg; do is_pool "$c" || echo "$c"; done | grep -Ev '/(fleet|tenants10k).cfg') -- \
	--set simulation.warmup_s=0.02
}

part_coalesce_big() {
# The fleet's 1,024 GPUs run as one shard: its shards always have units that end at the same ns, so a
# sharded attempt would be run again as one shard (docs/simulator.md, "Shards").  The fleet's default-mode
# outputs are also the benchmark part's run of it: they must hold the invariants.
co_ok "coalescing: the largest benchmark scenarios' outputs identical with --no-coalesce" big --require-coalesced \
	"$VGPUSIM" "$WORK/co-big" 0.01 configs/bench/fleet.cfg configs/bench/tenants10k.cfg -- \
	--set simulation.warmup_s=0.01 -j 1 "${BIG_QUICK[@]}"
if python3 tests/e2e/check_results.py "$WORK/co-big/fleet.coalesce" >"$WORK/check" 2>&1; then
	ok "bench/fleet runs and its results hold the invariants"
else
	ko "bench/fleet runs and its results hold the invariants" "$WORK/check"
fi
}

part_coalesce_modes() {
# Coalescing changes no output under fine preemption, TDR resets and SM pools either.
co_ok "coalescing: identical with fine preemption (graphics)" fine-gfx "$VGPUSIM" "$WORK/co-fine-gfx" "$co_dur" \
	configs/mixed.cfg tests/e2e/scenarios/busy.cfg -- \
	--set 'gpus.[0].engines.gfx.preempt="fine"' --set 'gpus.[0].engines.gfx.preempt_latency_us=50.0' "${co_quick[@]}"
co_ok "coalescing: identical with fine preemption (compute)" fine-compute "$VGPUSIM" "$WORK/co-fine-compute" \
	"$co_dur" configs/aitrain.cfg configs/validate-ai.cfg -- \
	--set 'gpus.[0].engines.compute.preempt="fine"' --set 'gpus.[0].engines.compute.preempt_latency_us=50.0' "${co_quick[@]}"
co_ok "coalescing: identical with TDR resets" tdr "$VGPUSIM" "$WORK/co-tdr" "$co_dur" \
	tests/e2e/scenarios/hang.cfg configs/mixed.cfg -- --set 'gpus.[0].tdr_timeout_ms=5.0' "${co_quick[@]}"
co_ok "coalescing: identical with SM pools (MIG, mps) and fine preemption" pool-fine "$VGPUSIM" "$WORK/co-pool" \
	"$co_dur" tests/e2e/scenarios/mig4.cfg tests/e2e/scenarios/spatial.cfg -- \
	--set 'gpus.[0].engines.compute.preempt="fine"' --set 'gpus.[0].engines.compute.preempt_latency_us=50.0' \
	--set 'vgpus.[0].count=8' "${co_quick[@]}"
co_ok "coalescing: identical with a live migration (SimGrid transfers, metering)" migrate "$VGPUSIM" "$WORK/co-mig" \
	"$co_dur" tests/e2e/scenarios/migrate.cfg tests/e2e/scenarios/metering.cfg -- --set 'migrations.[0].at_s=0.3' "${co_quick[@]}"
co_ok "coalescing: identical under mps (MIG instances, side channel)" pool-mps "$VGPUSIM" "$WORK/co-mps" "$co_dur" \
	configs/mig.cfg configs/sidechannel.cfg -- -p mps "${co_quick[@]}"
# GPUs that interact are simulated together: a live migration's scenario runs as one shard under -j 2
# (sim/shard.c), summary.json says why, and the migration completes.
if "$VGPUSIM" run tests/e2e/scenarios/migrate.cfg -j 2 --duration 2 -o "$WORK/mig-j2" --quiet >"$WORK/log" 2>&1 &&
	grep -q '"shards": 1,' "$WORK/mig-j2/summary.json" &&
	grep -q '"shards_why": "live migrations' "$WORK/mig-j2/summary.json" &&
	grep -q '^train,a100-0,a100-1,done,' "$WORK/mig-j2/migrations.csv"; then
	ok "run -j 2 of a live migration: one shard (shards_why), the migration done"
else
	ko "run -j 2 of a live migration: one shard (shards_why), the migration done" "$WORK/log"
fi
}

part_fit() {
# vgpusim compare / vgpusim plot (adds to pass and fail through ok / ko).
# vgpusim fit: every PresentMon capture's processes within 10 % of their frame-time p50/p90/p99, the
# title profiles, Kineto and Orion (tests/e2e/fit.py).
mkdir -p "$WORK/fit"; python3 tests/e2e/fit.py "$VGPUSIM" "$WORK/fit" >"$WORK/fit.log" 2>&1; grep -E '^(ok|FAIL|skip)' "$WORK/fit.log"; pass=$((pass + $(grep -c '^ok' "$WORK/fit.log"))); fail=$((fail + $(grep -c '^FAIL' "$WORK/fit.log"))); grep -q '^fit: [0-9]* passed, 0 failed' "$WORK/fit.log" || { fail=$((fail + 1)); echo "FAIL - fit.py"; tail -20 "$WORK/fit.log"; }
}

part_compare() {
# vgpusim compare / vgpusim plot (tests/e2e/compare.sh).
source tests/e2e/compare.sh
}

part_presets() {
# Production scheduler presets; sweeps (here and on a single-node Slurm) and capacity planning.
source tests/e2e/presets.sh
}

part_sweep() {
# Sweeps (here and on a single-node Slurm) and capacity planning (tests/e2e/sweep.sh).
source tests/e2e/sweep.sh
}

part_replay() {
# The executor: vgpusim replay and validate (tests/e2e/replay.sh).
source tests/e2e/replay.sh
}

part_spatial() {
# Spatial sharing: MIG, MPS and Orion-style policies, compare's MIG variant, leak (tests/e2e/spatial.sh).
source tests/e2e/spatial.sh
}

part_cli() {
# The command table: the usage, every command's --help, policies PATH.so (tests/e2e/cli.sh).
source tests/e2e/cli.sh
}

part_unix() {
# Paths, signals, partial results, messages: one check per defect of issue 14 (tests/e2e/unix.sh).
source tests/e2e/unix.sh
}

part_vram() {
# VRAM: isolation under an adversary, the oversubscription cliff, VRAM config errors (tests/e2e/vram.py).
py_suite vram
}

part_pools() {
# Pools (docs/pools.md): live migration and metering in the command-level simulator (tests/e2e/pools.py);
# vgpusim pool and requests, a .so placement policy, the mix cache (tests/e2e/pool_level.py).
py_suite pools
py_suite pool_level
}

# The longest first, so that make -j starts them first, and those that wait on real time (sweep's Slurm
# daemons, replay's host backend) early, so that their waits overlap the others' work.  The sanitizer
# pass (VGS_E2E_QUICK) shrinks the largest scenarios, so its order differs.
if [ -n "${VGS_E2E_QUICK:-}" ]; then
	PARTS="pools sweep translate import unix replay coalesce_modes compare cli coalesce spatial vram runs fit configs presets coalesce_bench behaviour captures coalesce_big bench timeline"
else
	PARTS="coalesce_big sweep compare unix import replay coalesce configs pools bench translate coalesce_modes cli spatial vram coalesce_bench fit runs presets captures behaviour timeline"
fi
if [ "${1:-}" = --list ]; then
	echo $PARTS
	exit 0
fi
[ $# -eq 0 ] && set -- $PARTS
for p in "$@"; do
	case " $PARTS " in
	*" $p "*) "part_$p" ;;
	*) echo "e2e: unknown part '$p'; expected one of: $PARTS" >&2; exit 2 ;;
	esac
done

echo "e2e $*: $pass passed, $fail failed (${SECONDS} s)"
[ "$fail" -eq 0 ]
