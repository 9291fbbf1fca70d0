#!/usr/bin/env bash
# The VRAM oversubscription sweep (docs/vram.md): runs configs/oversubscribe.cfg with the four training
# jobs' working sets set to RATIO x VRAM / 4 each, for each RATIO, writes one line per ratio to
# OUTDIR/sweep.dat and plots throughput and PCIe migration traffic against the ratio
# (OUTDIR/oversubscribe.png and .svg, scripts/oversubscribe.gp).
#
#   scripts/oversubscribe-sweep.sh [OUTDIR [DURATION_S [RATIO...]]]
#     OUTDIR      default results/oversubscribe-sweep
#     DURATION_S  measured seconds per run, default 60
#     RATIO...    default 0.5 0.75 1.0 1.1 1.25 1.5 2.0 3.0
#   VGPUSIM=path  the binary (default ./vgpusim); NOPLOT=1 skips gnuplot
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-results/oversubscribe-sweep}
DUR=${2:-60}
shift $(($# < 2 ? $# : 2))
RATIOS=${*:-0.5 0.75 1.0 1.1 1.25 1.5 2.0 3.0}
VGPUSIM=${VGPUSIM:-./vgpusim}
CFG=configs/oversubscribe.cfg
# The jobs' fixed part (see $CFG): 1 GiB of weights + 1 GiB of gradients + 2 GiB of Adam state + the
# 6 MiB input batch.
FIXED_MIB=4102

mkdir -p "$OUT"
# VRAM of the configured GPU, in MiB, from a 1 ms run's summary.
"$VGPUSIM" run "$CFG" --duration 0.001 --set simulation.warmup_s=0.0 -o "$OUT/probe" -q
VRAM_MIB=$(python3 -c 'import json,sys; print(int(json.load(open(sys.argv[1]))["gpus"][0]["vram_mb"]))' "$OUT/probe/summary.json")
rm -rf "$OUT/probe"

{
	echo "# configs/oversubscribe.cfg, 4 training jobs on one GPU of $VRAM_MIB MiB, ${DUR} s measured"
	echo "# ratio ws_mib_per_job iterations_per_s migrated_gb_per_s evicted_pages page_faults fault_stall_s_per_job"
} >"$OUT/sweep.dat"
for r in $RATIOS; do
	# Working set per job, an even number of MiB (whole 2 MiB pages), and a quota 64 MiB above it.
	ws=$(python3 -c "import sys; print(2 * round(float(sys.argv[1]) * $VRAM_MIB / 4 / 2))" "$r")
	act=$((ws - FIXED_MIB))
	if [ "$act" -le 0 ]; then
		echo "ratio $r: a working set of $ws MiB is below the jobs' fixed $FIXED_MIB MiB" >&2
		exit 2
	fi
	"$VGPUSIM" run "$CFG" --duration "$DUR" -o "$OUT/r$r" -q \
		--set "vgpus.[0].workload.activations_mb=$act" --set "vgpus.[0].vram_mb=$((ws + 64))"
	python3 - "$OUT/r$r/summary.json" "$r" "$ws" "$DUR" >>"$OUT/sweep.dat" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
ts = s["tenants"]
dur = float(sys.argv[4])
print(sys.argv[2], sys.argv[3],
      "%.4f" % sum(t["unit_rate_per_s"] for t in ts),
      "%.4f" % (sum(t["migrated_bytes"] for t in ts) / 1e9 / dur),
      sum(t["evictions"] for t in ts), sum(t["page_faults"] for t in ts),
      "%.4f" % (sum(t["fault_stall_ns"] for t in ts) / 1e9 / len(ts)))
PY
	echo "ratio $r: $(tail -1 "$OUT/sweep.dat")"
done
if [ -z "${NOPLOT:-}" ]; then
	gnuplot -e "dat='$OUT/sweep.dat'; out='$OUT/oversubscribe'" scripts/oversubscribe.gp
	echo "plots: $OUT/oversubscribe.png $OUT/oversubscribe.svg"
fi
