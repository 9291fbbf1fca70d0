#!/usr/bin/env bash
# Virtualization loss against sessions per GPU (docs/compare.md, "Virtualization loss"): runs
# `vgpusim compare` on CONFIG with the vgpus entry ENTRY at each COUNT of sessions, and plots, per
# policy, the mean 3D frame-rate loss and the mean encode-throughput loss of the game sessions against
# the solo baselines (OUTDIR/loss.png and .svg, scripts/plot-loss.gp) -- the figures cloud-gaming
# vendors publish (at most 15 % 3D and 8 % encode loss at 8-16 sessions per GPU are commonly claimed).
#
#   scripts/loss-sweep.sh [OUTDIR [CONFIG [ENTRY [COUNT...]]]]
#     OUTDIR    default results/loss-sweep
#     CONFIG    default configs/cloudgame-sweep.cfg (N sessions of one title)
#     ENTRY     index of the vgpus entry whose count is swept, default 0
#     COUNT...  default 2 4 6 8 10 12 16 20 24 (sessions on the A10)
#   POLICIES=list  compare's -p (default timeslice,weighted,dynprio; an item such as
#   timeslice:variant=equal-share compares with solo baselines run under the first item)
#   DURATION=S (default the config's);
#   SEEDS=N  replications per point (default 1); VGPUSIM=path (default ./vgpusim); NOPLOT=1 skips gnuplot
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/loss-sweep}
CFG=${2:-configs/cloudgame-sweep.cfg}
ENTRY=${3:-0}
shift $(($# < 3 ? $# : 3))
COUNTS=${*:-2 4 6 8 10 12 16 20 24}
POLICIES=${POLICIES:-timeslice,weighted,dynprio}
SEEDS=${SEEDS:-1}
VGPUSIM=${VGPUSIM:-./vgpusim}
extra=()
[ -n "${DURATION:-}" ] && extra=(--duration "$DURATION")

mkdir -p "$OUT"
{
	echo "# $CFG, vgpus.[$ENTRY].count swept, policies $POLICIES, $SEEDS seed(s) per point"
	echo "# sessions_per_gpu, then per policy: 3D (unit-rate) loss %, encode-throughput loss % (mean over the game sessions)"
} >"$OUT/sweep.dat"
for n in $COUNTS; do
	"$VGPUSIM" compare "$CFG" -p "$POLICIES" --set "vgpus.[$ENTRY].count=$n" --seeds "$SEEDS" --no-plots -q \
		"${extra[@]}" -o "$OUT/n$n"
	python3 - "$OUT/n$n" "$POLICIES" >>"$OUT/sweep.dat" <<'PY'
import csv, glob, os, sys
d, policies = sys.argv[1], sys.argv[2].split(",")
files = sorted(glob.glob(os.path.join(d, "seed-*", "compare.csv"))) or [os.path.join(d, "compare.csv")]
loss = {p: ([], []) for p in policies}
sessions = None
for f in files:
    rows = [r for r in csv.DictReader(open(f)) if r["unit"] == "frame"]
    for p in policies:
        name = "".join(c if c.isalnum() or c in "._=+-" else "_" for c in p.replace(":", "-"))
        mine = [r for r in rows if r["policy"] == name]
        sessions = len(mine) / max(1, len({r["gpu"] for r in mine}))
        for k, col in enumerate(("loss_rate_pct", "loss_encode_pct")):
            v = [float(r[col]) for r in mine if r[col] not in ("", "inf")]
            if v:
                loss[p][k].append(sum(v) / len(v))
cols = ["%g" % sessions]
for p in policies:
    for k in range(2):
        v = loss[p][k]
        cols.append("%.4f" % (sum(v) / len(v)) if v else "NaN")
print("\t".join(cols))
PY
	echo "count $n: $(tail -1 "$OUT/sweep.dat")"
done
if [ -z "${NOPLOT:-}" ]; then
	gnuplot -e "set loadpath 'scripts'; datafile='$OUT/sweep.dat'; out='$OUT/loss'; policies='${POLICIES//,/ }'" \
		scripts/plot-loss.gp
	gnuplot -e "set loadpath 'scripts'; datafile='$OUT/sweep.dat'; out='$OUT/loss'; fmt='svg'; policies='${POLICIES//,/ }'" \
		scripts/plot-loss.gp
	echo "plots: $OUT/loss.png $OUT/loss.svg"
fi
