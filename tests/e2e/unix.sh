# End-to-end tests of issue 14: every command behaves like a well-made Unix tool -- paths, signals,
# partial results, messages.  One check per defect of the issue (D1 ... D16), each of which failed with
# the binary before the fix.  Sourced by tests/e2e/run.sh, whose ok / ko helpers, $VGPUSIM, $VGS_BUILD,
# $ROOT, $WORK and pass/fail counters it uses.  Signal tests use short scenarios and waits of a second
# or two.

U="$WORK/unix"
mkdir -p "$U"
REPLAY_BIN="${VGPUSIM%/*}/vgpusim-replay"

# u_bad NAME PATTERN ARGS...: exit 2, stderr matches PATTERN (one or two lines, no "flex").
u_bad() {
	local name=$1 pattern=$2
	shift 2
	"$VGPUSIM" "$@" >"$U/out" 2>"$U/err"
	local rc=$?
	if [ $rc -eq 2 ] && grep -Eq -e "$pattern" "$U/err" && [ "$(wc -l <"$U/err")" -le 2 ] &&
		! grep -q flex "$U/err"; then
		ok "$name"
	else
		echo "exit $rc" >>"$U/err"
		ko "$name" "$U/err"
	fi
}

# No temporary left next to DIR, and no process whose command line names DIR or its temporary.
clean_after() {
	local dir=$1 tmp
	tmp="$(dirname "$dir")/.$(basename "$dir").tmp-"
	! ls -a "$(dirname "$dir")" | grep -q "^\.$(basename "$dir")\.tmp-" && ! pgrep -f -- "$dir" >/dev/null &&
		! pgrep -f -- "$tmp" >/dev/null
}

# sig_test NAME SIGNAL READY WANT_RC OUTDIR ARGS...: start vgpusim ARGS in the background, wait until it
# is READY, send SIGNAL, expect exit WANT_RC within $SIG_LIMIT_MS and nothing left behind; the caller
# checks OUTDIR.  READY is "tmp" (OUTDIR's temporary exists: the command is past its set-up) or "kids"
# (a process other than the command names OUTDIR or its temporary: its runs have started), then
# SIG_SETTLE_S more (a run is past its 0.5 s warm-up within milliseconds), or the seconds after a colon
# (READY tmp:0.8: a replay runs in real time, its warm-up takes 0.5 s); waiting for the state rather
# than a fixed time keeps the check short and holds under load.
SIG_SETTLE_S=0.2
# The sanitizer pass checks that nothing leaks or overflows on the way out, not how fast: under
# ASan and a loaded machine a command with children can take seconds to exit.
SIG_LIMIT_MS=2000
[ -n "${VGS_E2E_QUICK:-}" ] && SIG_LIMIT_MS=10000
sig_ready() {
	local what=$1 dir=$2 pid=$3 tmp
	tmp="$(dirname "$dir")/.$(basename "$dir").tmp-"
	case ${what%%:*} in
	tmp) compgen -G "$tmp*" >/dev/null ;;
	kids) { pgrep -f -- "$dir"; pgrep -f -- "$tmp"; } | grep -qvx "$pid" ;;
	esac
}
sig_test() {
	local name=$1 sig=$2 ready=$3 want=$4 dir=$5
	shift 5
	"$VGPUSIM" "$@" >"$U/sig.out" 2>"$U/sig.err" &
	local pid=$! t0 t1 rc n=0
	# At most 20 s for the command to get ready: then the check fails, saying so.
	while ! sig_ready "$ready" "$dir" $pid && kill -0 $pid 2>/dev/null && [ $n -lt 400 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	[ $n -ge 400 ] && echo "$name: not ready ($ready) after 20 s" >>"$U/sig.err"
	[[ $ready == *:* ]] && sleep "${ready#*:}" || sleep "$SIG_SETTLE_S"
	kill -"$sig" $pid
	t0=$(date +%s%N)
	n=0
	# At most 15 s, then SIGKILL: a command that ignores the signal must not hang the tests.
	while kill -0 $pid 2>/dev/null && [ $n -lt 300 ]; do
		sleep 0.05
		n=$((n + 1))
	done
	kill -KILL $pid 2>/dev/null
	wait $pid
	rc=$?
	t1=$(date +%s%N)
	if [ $n -ge 300 ]; then
		pkill -KILL -f -- "$dir"
		pkill -KILL -f -- "$(dirname "$dir")/.$(basename "$dir").tmp-"
	fi
	sleep 0.2
	if [ $rc -eq "$want" ] && [ $(((t1 - t0) / 1000000)) -lt $SIG_LIMIT_MS ] && clean_after "$dir"; then
		return 0
	fi
	echo "$name: exit $rc (want $want) after $(((t1 - t0) / 1000000)) ms (limit $SIG_LIMIT_MS); left: $(ls -a "$(dirname "$dir")" | grep tmp) $(pgrep -fa -- "$dir")" >>"$U/sig.err"
	return 1
}

partial_of() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['partial'])" "$1/summary.json" 2>/dev/null; }

# ---- D1: -o DIR/ with a trailing slash -----------------------------------------------------------
if "$VGPUSIM" run configs/cloudgame.cfg --duration 0.2 -q -o "$U/d1/" >"$U/log" 2>&1 && [ -f "$U/d1/summary.json" ] &&
	"$VGPUSIM" compare configs/cloudgame.cfg -p timeslice --duration 0.2 --no-plots -q -o "$U/d1c/" >>"$U/log" 2>&1 &&
	[ -f "$U/d1c/compare.csv" ] && clean_after "$U/d1" && clean_after "$U/d1c"; then
	ok "D1: run -o DIR/ and compare -o DIR/ (trailing slash) write DIR"
else
	ko "D1: run -o DIR/ and compare -o DIR/ (trailing slash) write DIR" "$U/log"
fi
if [ -x "$REPLAY_BIN" ] && "$VGPUSIM" replay tests/e2e/scenarios/replay.cfg --backend host -q -o "$U/d1r/" >"$U/log" 2>&1 &&
	[ -f "$U/d1r/summary.json" ]; then
	ok "D1: replay -o DIR/ writes DIR"
else
	ko "D1: replay -o DIR/ writes DIR" "$U/log"
fi
mkdir -p "$U/notours" && touch "$U/notours/precious"
timeout 10 "$VGPUSIM" run configs/cloudgame.cfg --duration 100000 -o "$U/notours" >/dev/null 2>"$U/err"
if [ $? -eq 2 ] && grep -q 'notours exists and is not a vgpusim results directory' "$U/err" && [ -f "$U/notours/precious" ]; then
	ok "D1: -o naming a directory that is not a results directory fails before the run"
else
	ko "D1: -o naming a directory that is not a results directory fails before the run" "$U/err"
fi

# ---- D2: SIGINT and SIGTERM: stop within a second, nothing half-written, no temporaries -----------
if sig_test "run SIGINT" INT tmp 130 "$U/d2run" run configs/cloudgame.cfg --duration 100000 -q -o "$U/d2run" &&
	[ "$(partial_of "$U/d2run")" = True ]; then
	ok "D2: run + SIGINT: exit 130 within a second, results marked partial, no temporary"
else
	ko "D2: run + SIGINT: exit 130 within a second, results marked partial, no temporary" "$U/sig.err"
fi
if sig_test "run SIGTERM" TERM tmp 143 "$U/d2term" run configs/cloudgame.cfg --duration 100000 -q -o "$U/d2term" &&
	[ "$(partial_of "$U/d2term")" = True ]; then
	ok "D2: run + SIGTERM: exit 143, results marked partial"
else
	ko "D2: run + SIGTERM: exit 143, results marked partial" "$U/sig.err"
fi
if sig_test "run in warm-up" INT tmp 130 "$U/d2warm" run configs/cloudgame.cfg --duration 1 \
	--set 'simulation.warmup_s=100000.0' -q -o "$U/d2warm" && [ ! -e "$U/d2warm" ]; then
	ok "D2: run + SIGINT during the warm-up: nothing written"
else
	ko "D2: run + SIGINT during the warm-up: nothing written" "$U/sig.err"
fi
if sig_test "compare SIGINT" INT kids 130 "$U/d2cmp" compare configs/cloudgame.cfg -p timeslice,weighted \
	--duration 100000 --no-plots -q -o "$U/d2cmp" && [ ! -e "$U/d2cmp" ]; then
	ok "D2: compare + SIGINT: exit 130, its runs stopped and reaped, nothing written"
else
	ko "D2: compare + SIGINT: exit 130, its runs stopped and reaped, nothing written" "$U/sig.err"
fi
if sig_test "validate SIGTERM" TERM kids 143 "$U/d2val" validate configs/validate-cloudgame.cfg --backend host \
	--duration 100000 -q -o "$U/d2val" && [ ! -e "$U/d2val" ]; then
	ok "D2: validate + SIGTERM: exit 143, its children stopped, no profile.cfg, replay/ or temporary"
else
	ko "D2: validate + SIGTERM: exit 143, its children stopped, no profile.cfg, replay/ or temporary" "$U/sig.err"
fi
if [ -x "$REPLAY_BIN" ] && sig_test "replay SIGTERM" TERM tmp:0.8 143 "$U/d2rep" replay configs/cloudgame.cfg --backend host \
	--duration 30 -q -o "$U/d2rep" && [ "$(partial_of "$U/d2rep")" = True ]; then
	ok "D2: replay + SIGTERM: exit 143, results marked partial"
else
	ko "D2: replay + SIGTERM: exit 143, results marked partial" "$U/sig.err"
fi

for sg in "sweep SIGINT:INT:130" "sweep SIGTERM:TERM:143"; do
	IFS=: read -r what sig want <<<"$sg"
	d="$U/d2${sig}sweep"
	if sig_test "$what" "$sig" kids "$want" "$d" sweep configs/cloudgame.cfg --grid 'simulation.seed=1,2,3' -j 2 \
		--duration 100000 --no-plots -q -o "$d" && [ -z "$(find "$d" -name '.*.tmp-*')" ]; then
		ok "D2: $what: exit $want, its runs stopped and reaped, no temporary (finished runs kept to resume)"
	else
		ko "D2: $what: exit $want, its runs stopped and reaped, no temporary (finished runs kept to resume)" "$U/sig.err"
	fi
done
if sig_test "capacity SIGINT" INT kids 130 "$U/d2cap" capacity configs/capacity-cloudgame.cfg --tenant light \
	--duration 100000 --no-plots -q -o "$U/d2cap" && [ -z "$(find "$U/d2cap" -name '.*.tmp-*' 2>/dev/null)" ]; then
	ok "D2: capacity + SIGINT: exit 130, its runs stopped and reaped, no temporary"
else
	ko "D2: capacity + SIGINT: exit 130, its runs stopped and reaped, no temporary" "$U/sig.err"
fi

# ---- D3: a partial run's rates use the time it covered --------------------------------------------
d3() {
	python3 - "$1" <<'EOF'
import csv, json, sys
d = sys.argv[1]
s = json.load(open(f"{d}/summary.json"))
covered = s["end_s"] - s["warmup_s"]
assert s["partial"] is True, "not partial"
assert abs(s["duration_s"] - covered) < 1e-6, f"duration_s {s['duration_s']} != covered {covered}"
for row in csv.DictReader(open(f"{d}/tenants.csv")):
    rate, units = float(row["unit_rate_per_s"]), int(row["units"])
    assert abs(rate - units / covered) <= 1e-6 * max(1.0, rate), f"{row['tenant']}: {rate}/s for {units} units in {covered} s"
EOF
}
if d3 "$U/d2run" >"$U/log" 2>&1 && { [ ! -x "$REPLAY_BIN" ] || d3 "$U/d2rep" >>"$U/log" 2>&1; }; then
	ok "D3: interrupted run and replay: duration_s and unit rates are those of the time covered"
else
	ko "D3: interrupted run and replay: duration_s and unit rates are those of the time covered" "$U/log"
fi

# ---- D4: messages name the path and the cause ----------------------------------------------------
mkdir -p "$U/adir"
: | gzip >"$U/empty.vgt.gz"
head -c 20 tests/traces/kineto/good_legacy.json.gz >"$U/trunc.json.gz"
u_bad "D4: a directory as config" "adir: is a directory; expected a config file" run "$U/adir"
u_bad "D4: a directory as trace" "adir: is a directory; expected a trace file" trace stats "$U/adir"
u_bad "D4: an empty gzip trace" "empty.vgt.gz: an empty gzip stream" trace stats "$U/empty.vgt.gz"
u_bad "D4: a truncated gzip trace" "trunc.json.gz: truncated or corrupt gzip stream" trace stats "$U/trunc.json.gz"
u_bad "D4: import -o DIR, DIR a directory" "-o .*adir: is a directory" import orion tests/traces/orion/good.csv -o "$U/adir"
u_bad "D4: an out-of-range policy parameter prints its range" "slice_us = 100000000.*1\.\.30000" \
	run configs/cloudgame.cfg --set scheduler.timeslice.slice_us=100000000 -q -o "$U/d4"

# ---- D5: a file that is not a shared object, as a policy -----------------------------------------
so="$VGS_BUILD/examples/libmypolicy.so"
head -c 12000 "$so" >"$U/truncated.so"
u_bad "D5: -p a truncated .so: exit 2, no crash" "truncated.so.*truncated or corrupt" run configs/cloudgame.cfg -p "$U/truncated.so" -o "$U/d5"
printf 'not an ELF file\n' >"$U/text.so"
u_bad "D5: -p a text file: exit 2" "text.so.*not an ELF shared object" run configs/cloudgame.cfg -p "$U/text.so" -o "$U/d5"

# ---- D6: absolute @include paths; relative ones relative to the including file ---------------------
mkdir -p "$U/inc/sub"
sed "s|@include \"gpus/a10.cfg\"|@include \"$ROOT/configs/gpus/a10.cfg\"|" configs/cloudgame-fixed.cfg >"$U/inc/abs.cfg"
cp configs/gpus/a10.cfg "$U/inc/sub/gpu.cfg"
printf '@include "gpu.cfg"\n' >"$U/inc/sub/nest.cfg"
sed "s|@include \"gpus/a10.cfg\"|@include \"sub/nest.cfg\"|" configs/cloudgame-fixed.cfg >"$U/inc/nest.cfg"
if "$VGPUSIM" run "$U/inc/abs.cfg" --duration 0.2 -q -o "$U/d6a" >"$U/log" 2>&1 &&
	"$VGPUSIM" run "$U/inc/nest.cfg" --duration 0.2 -q -o "$U/d6n" >>"$U/log" 2>&1 &&
	cmp -s "$U/d6a/tenants.csv" "$U/d6n/tenants.csv"; then
	ok "D6: an absolute @include works; a nested relative one is relative to its own file"
else
	ko "D6: an absolute @include works; a nested relative one is relative to its own file" "$U/log"
fi

# ---- D7: the default results directory names the policy (and the options) -------------------------
mkdir -p "$U/d7" && (
	cd "$U/d7" && "$VGPUSIM" run "$ROOT/configs/cloudgame.cfg" --duration 0.2 -q &&
		"$VGPUSIM" run "$ROOT/configs/cloudgame.cfg" --duration 0.2 -q -p weighted
) >"$U/log" 2>&1
if grep -q '"policy": "timeslice"' "$U/d7/results/cloudgame-timeslice-duration=0.2/summary.json" 2>>"$U/log" &&
	grep -q '"policy": "weighted"' "$U/d7/results/cloudgame-weighted-duration=0.2/summary.json" 2>>"$U/log"; then
	ok "D7: run -p weighted does not overwrite the timeslice run (results/<scenario>-<policy>-<options>)"
else
	ls -R "$U/d7" >>"$U/log" 2>&1
	ko "D7: run -p weighted does not overwrite the timeslice run (results/<scenario>-<policy>-<options>)" "$U/log"
fi

# ---- D8: docs and help agree with the program; umask; the replay table ------------------------------
awk '/^## A complete example/{f=1;next} f&&/^```$/{if(c++){exit}else next} f&&c' docs/config.md >configs/.unix-example.cfg
bad8=""
for p in timeslice weighted dynprio fifo; do
	"$VGPUSIM" run configs/.unix-example.cfg -p $p --duration 0.2 -q -o "$U/d8-$p" >>"$U/log8" 2>&1 || bad8="$bad8 $p"
done
rm -f configs/.unix-example.cfg
if [ -z "$bad8" ]; then
	ok "D8: docs/config.md's complete example runs with every built-in policy"
else
	ko "D8: docs/config.md's complete example runs with every built-in policy (fails:$bad8)" "$U/log8"
fi
if "$VGPUSIM" calibrate --help | grep -q -- '--name NAME' && grep -Eq 'summary.*required|required.*summary' docs/policies.md; then
	ok "D8: calibrate --help lists --name; docs/policies.md says summary is required"
else
	ko "D8: calibrate --help lists --name; docs/policies.md says summary is required"
fi
mode=$(umask 022 && "$VGPUSIM" run configs/cloudgame.cfg --duration 0.2 -q -o "$U/d8mode/run" >/dev/null 2>&1 &&
	stat -c %a "$U/d8mode/run")
if [ "$mode" = 755 ]; then
	ok "D8: results directories follow the umask (755 under umask 022)"
else
	ko "D8: results directories follow the umask (got '$mode' under umask 022)"
fi
if [ -x "$REPLAY_BIN" ] && "$VGPUSIM" replay tests/e2e/scenarios/replay.cfg --backend host -o "$U/d8rep" >"$U/log" 2>&1 &&
	! grep -q simulated "$U/log" && grep -q 'measured on the host backend' "$U/log" &&
	! grep -Eq '^ideal-0 .* [0-9]+\.[0-9]$' "$U/log"; then
	ok "D8: the replay table says measured, not simulated, and prints no energy"
else
	ko "D8: the replay table says measured, not simulated, and prints no energy" "$U/log"
fi

# ---- D9: every missed SLA term is flagged; the offered-load check ---------------------------------
"$VGPUSIM" run configs/aitrain.cfg --duration 1 -o "$U/d9" --set 'vgpus.[1].sla={ fps = 1.0; latency_ms = 0.001; }' \
	>"$U/log" 2>&1
if grep -Eq '^infer-0 .*/0\.001 !' "$U/log" && grep -q '^! a missed SLA term' "$U/log"; then
	ok "D9: a missed latency SLA is flagged with ! (the rate SLA met)"
else
	ko "D9: a missed latency SLA is flagged with ! (the rate SLA met)" "$U/log"
fi
if "$VGPUSIM" run configs/cloudgame-fixed.cfg --set 'vgpus.[0].count=14' --duration 0.2 -o "$U/d9b" 2>&1 >/dev/null |
	grep -q 'offered load: gfx asked 1[0-9][0-9] % of a10-0 (1 engine): expect missed SLAs'; then
	ok "D9: an offered-load check before a run asking more than an engine can give"
else
	ko "D9: an offered-load check before a run asking more than an engine can give"
fi

# ---- D10: the README says where the example traces come from ----------------------------------------
if grep -q 'docs/traces.md' README.md && grep -Eqi 'plain clone|without \.\./shared|not in the repository' README.md &&
	grep -Eq 'tests/traces/' README.md; then
	ok "D10: README: where the captures of ../shared/traces come from, and examples without them"
else
	ko "D10: README: where the captures of ../shared/traces come from, and examples without them"
fi

# ---- D11: one trace line cannot crash or hang the simulation ---------------------------------------
# 4 GB of address space at most (not under AddressSanitizer, which maps terabytes of shadow memory).
vlimit=4000000
# (gcc links the ASan runtime as a library, clang into the binary: both name __asan_init there.)
grep -qa __asan_init "$VGPUSIM" && vlimit=unlimited
if (ulimit -v $vlimit && timeout 20 "$VGPUSIM" run tests/e2e/scenarios/vram-huge.cfg -q -o "$U/d11a") >"$U/log" 2>&1 &&
	(ulimit -v $vlimit && timeout 20 "$VGPUSIM" run tests/e2e/scenarios/vram-wild.cfg -q -o "$U/d11b") >>"$U/log" 2>&1; then
	ok "D11: m alloc of 2^43 bytes and m va over the whole address space (demand, looped): no crash, no hang"
else
	ko "D11: m alloc of 2^43 bytes and m va over the whole address space (demand, looped): no crash, no hang" "$U/log"
fi

# ---- D12: an empty or directory @include ----------------------------------------------------------
sed 's|@include "gpus/a10.cfg"|@include ""|' configs/cloudgame.cfg >"$U/inc/empty.cfg"
sed 's|@include "gpus/a10.cfg"|@include "sub"|' configs/cloudgame.cfg >"$U/inc/dir.cfg"
u_bad "D12: @include \"\" is one FILE:LINE message" 'empty.cfg:[0-9]+: @include "": expected a file name' run "$U/inc/empty.cfg" -o "$U/d12"
u_bad "D12: @include of a directory is one FILE:LINE message" 'dir.cfg:[0-9]+: .*sub: is a directory' run "$U/inc/dir.cfg" -o "$U/d12"

# ---- D13: importers write only what their loader accepts -------------------------------------------
u_bad "D13: a Kineto [memory] event of 2^51 bytes is refused at its byte" "mem_too_big.json: byte [0-9]+: \[memory\] event .*2\^50" \
	import kineto tests/traces/kineto/bad/mem_too_big.json -o "$U/d13.vgt"

# ---- D14: trace stats of multi-context traces ------------------------------------------------------
if "$VGPUSIM" trace stats tests/traces/multictx.vgt >"$U/log" 2>&1 && grep -q 'contexts: *2 (app, compositor)' "$U/log" &&
	"$VGPUSIM" import ftrace tests/traces/ftrace/amdgpu.txt -o "$U/d14.vgt" 2>>"$U/log" &&
	"$VGPUSIM" trace stats "$U/d14.vgt" >>"$U/log" 2>&1; then
	ok "D14: trace stats prints every context of a multi-context native trace (and of an ftrace import)"
else
	ko "D14: trace stats prints every context of a multi-context native trace (and of an ftrace import)" "$U/log"
fi

# ---- D15: a compare killed with SIGKILL takes its runs with it -------------------------------------
"$VGPUSIM" compare configs/cloudgame.cfg -p timeslice,weighted --duration 100000 --no-plots -q -o "$U/d15" >/dev/null 2>&1 &
cpid=$!
for _ in $(seq 400); do pgrep -f -- "$U/.d15.tmp-" >/dev/null && break; sleep 0.05; done
sleep "$SIG_SETTLE_S"
nrun=$(pgrep -f -- "$U/.d15.tmp-" | wc -l)
{ kill -KILL $cpid && wait $cpid; } 2>/dev/null
sleep 0.5
if [ "$nrun" -ge 1 ] && ! pgrep -f -- "$U/.d15.tmp-" >/dev/null; then
	ok "D15: compare killed by SIGKILL: its $nrun runs die with it (PR_SET_PDEATHSIG)"
else
	pkill -KILL -f -- "$U/.d15.tmp-"
	ko "D15: compare killed by SIGKILL: its runs die with it ($nrun were running)"
fi
rm -rf "$U"/.d15.tmp-*

# ---- D16: write errors; absurd values -------------------------------------------------------------
if ! "$VGPUSIM" trace stats tests/traces/frames.vgt >/dev/full 2>"$U/err" && grep -q 'No space left' "$U/err" &&
	! "$VGPUSIM" run configs/cloudgame.cfg --duration 0.2 -o "$U/d16" >/dev/full 2>>"$U/err"; then
	ok "D16: output to a full device is an error (trace stats, the run table)"
else
	ko "D16: output to a full device is an error (trace stats, the run table)" "$U/err"
fi
u_bad "D16: fps = 1e-300 is out of range" "fps.*expected a number in \[0\.001, 1e\+06\]" \
	run configs/cloudgame.cfg --set 'vgpus.[0].workload.fps=1e-300' -o "$U/d16"
u_bad "D16: vram_mb = 1e-300 is out of range" "vram_mb must be >= 1" run configs/cloudgame.cfg --set 'vgpus.[0].vram_mb=1e-300' -o "$U/d16"
u_bad "D16: vram_gb = 1e6 names the setting" "vram_gb must be >= 0\.001 and <= 2048" run configs/cloudgame.cfg --set 'gpus.[0].vram_gb=1e6' -o "$U/d16"
u_bad "D16: gfx_ms.mean = 1e308 names file:line" "absurd-time.cfg:[0-9]+: 'gfx_ms.mean': expected a number in" run tests/e2e/bad/absurd-time.cfg -o "$U/d16"
