# End-to-end tests of the command line itself: the usage and every command's --help come from one
# table (sim/main.c), so they are checked for every command it lists -- the names are read from the
# unknown-command message, so a command added to the table is covered here without editing this file.
# Sourced by tests/e2e/run.sh, whose ok / ko helpers, $VGPUSIM, $VGS_BUILD, $WORK and pass/fail
# counters it uses.

# cli_bad NAME PATTERN ARGS...: exit 2 and one or two lines on stderr matching PATTERN (bad_input
# of run.sh adds -o, which these commands do not take).
cli_bad() {
	local name=$1 pattern=$2
	shift 2
	"$VGPUSIM" "$@" >"$WORK/out" 2>"$WORK/err"
	local rc=$?
	if [ $rc -eq 2 ] && grep -Eq -e "$pattern" "$WORK/err" && [ "$(wc -l <"$WORK/err")" -le 2 ]; then
		ok "$name"
	else
		echo "exit $rc" >>"$WORK/err"
		ko "$name" "$WORK/err"
	fi
}

# The names, from "vgpusim: unknown command 'X'; expected one of: run, compare, ...".
"$VGPUSIM" no-such-command >/dev/null 2>"$WORK/unknown"
rc=$?
cli_names=$(sed -n "s/^vgpusim: unknown command 'no-such-command'; expected one of: //p" "$WORK/unknown" | tr -d ,)
if [ $rc -eq 2 ] && [ -n "$cli_names" ]; then
	ok "unknown command: exit 2, lists the commands ($(echo $cli_names | wc -w))"
else
	echo "exit $rc" >>"$WORK/unknown"
	ko "unknown command: exit 2 and 'expected one of: ...'" "$WORK/unknown"
fi

# vgpusim --help lists every command, and each one's --help (and -h among its arguments, and
# `vgpusim help NAME`) prints its usage line and exits 0 -- without running anything.
"$VGPUSIM" --help >"$WORK/usage" 2>&1
usage_names=$(sed -En 's/^(usage:|      ) vgpusim ([a-z][a-z-]*).*/\2/p' "$WORK/usage" | grep -vx help | tr '\n' ' ')
if [ -n "$cli_names" ] && [ "$(echo $usage_names)" = "$(echo $cli_names)" ]; then
	ok "vgpusim --help and the unknown-command message name the same commands"
else
	echo "usage: $usage_names; unknown-command message: $cli_names" >>"$WORK/usage"
	ko "vgpusim --help and the unknown-command message name the same commands" "$WORK/usage"
fi
for name in $cli_names; do
	if ! grep -Eq "^(usage:|      ) vgpusim $name( |$)" "$WORK/usage"; then
		ko "vgpusim --help lists $name" "$WORK/usage"
		continue
	fi
	bad=""
	for argv in "$name --help" "$name -h" "help $name" "$name x -o y -h"; do
		# shellcheck disable=SC2086 # argv is split on purpose
		"$VGPUSIM" $argv >"$WORK/help" 2>&1
		rc=$?
		if [ $rc -ne 0 ] || ! grep -q "^usage: vgpusim $name" "$WORK/help" || [ "$(wc -l <"$WORK/help")" -lt 3 ]; then
			bad="vgpusim $argv: exit $rc"
			break
		fi
	done
	if [ -z "$bad" ]; then
		ok "vgpusim $name --help (and -h, help $name): its usage and options, exit 0"
	else
		echo "$bad" >>"$WORK/help"
		ko "vgpusim $name --help" "$WORK/help"
	fi
done
# A command's -h is answered even where the command has sub-words (trace stats) or runs another program.
if "$VGPUSIM" trace stats --help >"$WORK/help" 2>&1 && grep -q '^usage: vgpusim trace stats' "$WORK/help" &&
	"$VGPUSIM" replay --help >"$WORK/help" 2>&1 && grep -q -- '--backend' "$WORK/help" &&
	"$VGPUSIM" calibrate -h >"$WORK/help" 2>&1 && grep -q -- '--base' "$WORK/help"; then
	ok "trace stats --help, replay --help, calibrate -h"
else
	ko "trace stats --help, replay --help, calibrate -h" "$WORK/help"
fi
cli_bad "help of an unknown command" "unknown command 'frobnicate'; expected one of: run," help frobnicate

# The executor answers --help itself.
if "${VGPUSIM%/*}/vgpusim-replay" --help >"$WORK/help" 2>&1 && grep -q '^usage: vgpusim-replay replay' "$WORK/help"; then
	ok "vgpusim-replay --help: its usage, exit 0"
else
	ko "vgpusim-replay --help" "$WORK/help"
fi

# vgpusim policies NAME | PATH.so: one policy, built-in or plug-in, with its parameters.
so="$VGS_BUILD/examples/libmypolicy.so"
if "$VGPUSIM" policies "$so" >"$WORK/pol" 2>&1 && grep -q '^mypolicy$' "$WORK/pol" &&
	grep -Eq '^ +slice_us +default 1000 ' "$WORK/pol" && grep -q 'scheduler.mypolicy group' "$WORK/pol"; then
	ok "vgpusim policies PATH.so lists the plug-in's name, summary and parameters"
else
	ko "vgpusim policies $so" "$WORK/pol"
fi
if "$VGPUSIM" policies weighted >"$WORK/pol" 2>&1 && [ "$(grep -c '^[a-z]' "$WORK/pol")" -eq 1 ] &&
	grep -q '^weighted$' "$WORK/pol" && grep -q 'carry_us' "$WORK/pol"; then
	ok "vgpusim policies NAME lists that built-in only"
else
	ko "vgpusim policies weighted" "$WORK/pol"
fi
cli_bad "policies: a .so that does not load" "cannot load policy '$WORK/none.so'" policies "$WORK/none.so"
cli_bad "policies: an unknown name" "unknown policy 'nope'" policies nope
