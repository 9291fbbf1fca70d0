#!/usr/bin/env bash
# make check-valgrind: valgrind (memcheck) on a short run of every shipped config and on importing every
# capture of ../shared/traces; any memcheck error fails (--error-exitcode).  Not part of make check: it
# takes minutes.  A capture the importer refuses (the Orion *_fb0 placeholders) may exit 2; a crash or
# a memcheck error may not.
#   usage: scripts/check-valgrind.sh VGPUSIM [DURATION_S]
set -u
VGPUSIM=${1:?usage: scripts/check-valgrind.sh VGPUSIM [DURATION_S]}
DUR=${2:-0.05}
cd "$(dirname "$0")/.."
SHARED=../shared/traces
VG_ERR=99
WORK=$(mktemp -d /tmp/vgpusim-valgrind.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
command -v valgrind >/dev/null || { echo "check-valgrind: valgrind not installed (make deps installs it)" >&2; exit 1; }
pass=0
fail=0

# vg NAME ALLOWED_RC ARGS...: valgrind vgpusim ARGS; ok when it exits with 0 or ALLOWED_RC, no error.
vg() {
	local name=$1 allowed=$2 rc
	shift 2
	valgrind -q --error-exitcode=$VG_ERR --track-origins=yes "$VGPUSIM" "$@" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	if [ $rc -eq 0 ] || [ $rc -eq "$allowed" ]; then
		pass=$((pass + 1))
		echo "ok   - $name (exit $rc)"
	else
		fail=$((fail + 1))
		echo "FAIL - $name (exit $rc)"
		grep -v '^$' "$WORK/err" | head -30 | sed 's/^/       /'
	fi
}

for cfg in configs/*.cfg configs/bench/*.cfg; do
	if grep -q 'shared/traces' "$cfg" && [ ! -d "$SHARED" ]; then
		echo "skip - $cfg: needs $SHARED"
		continue
	fi
	vg "run $cfg" 0 run "$cfg" --duration "$DUR" --set simulation.warmup_s=0.0 -q -o "$WORK/run"
done
if [ -d "$SHARED" ]; then
	while IFS= read -r f; do
		vg "import $f" 2 import auto "$f" -o "$WORK/import.vgt"
	done < <(find "$SHARED" -type f ! -name SOURCE.txt ! -name README.md ! -name '*.zip' | sort)
else
	echo "skip - imports: $SHARED not found"
fi
echo "check-valgrind: $pass passed, $fail failed"
[ $fail -eq 0 ]
