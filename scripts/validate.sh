#!/bin/sh
# Regenerate the measured tables of docs/validation.md: `vgpusim validate` on the cloud-gaming and the AI
# validation scenarios, under each of timeslice, weighted and dynprio, on one backend (default host),
# then the per-tenant tables between the markers of docs/validation.md.  Each validation replays 30 s
# after a 0.5 s warm-up (the scenarios' 10 s give a training job only about 70 iterations, whose count
# alone moves its rate by 1.5 %), about 4 minutes in all on the host backend.  Run it on an otherwise
# idle machine: the host backend measures real time.
# usage: scripts/validate.sh [--backend host|cuda] [--out DIR]
set -eu
cd "$(dirname "$0")/.."
BACKEND=host
OUT=results/validation
DURATION=30
while [ $# -gt 0 ]; do
	case $1 in
	--backend) BACKEND=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	*) echo "usage: scripts/validate.sh [--backend host|cuda] [--out DIR]" >&2; exit 2 ;;
	esac
done
mkdir -p "$OUT"
./vgpusim calibrate --backend "$BACKEND" -o "$OUT/profile.cfg" -q
for cfg in validate-cloudgame validate-ai; do
	for p in timeslice weighted dynprio; do
		echo "validate: $cfg -p $p ($BACKEND)" >&2
		rm -rf "$OUT/$cfg-$p"
		./vgpusim validate "configs/$cfg.cfg" --backend "$BACKEND" -p "$p" --profile "$OUT/profile.cfg" \
			--duration "$DURATION" -o "$OUT/$cfg-$p" --quiet
	done
done
python3 - "$OUT" "$BACKEND" <<'PY'
import csv, datetime, os, platform, re, sys
out, backend = sys.argv[1], sys.argv[2]
prof = open(os.path.join(out, "profile.cfg")).read()
launch = re.search(r"launch_us = ([0-9.]+)", prof).group(1)
lines = [f"Measured {datetime.date.today().isoformat()} with `scripts/validate.sh --backend {backend}` (30 s per run) on "
         f"{platform.machine()}, {os.cpu_count()} CPUs; calibrated launch {launch} us per command.  "
         "Errors are simulated minus measured (rate and latency in % of measured, share in points).", ""]
worst = {"share": 0.0, "rate": 0.0, "p50": 0.0}
for cfg in ("validate-cloudgame", "validate-ai"):
    lines += [f"### {cfg} ({backend} backend)", "",
              "| policy | tenant | unit rate sim / real | err % | share sim / real % | err pp | p50 sim / real ms | err % | p99 sim / real ms | err % | within |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for p in ("timeslice", "weighted", "dynprio"):
        for r in csv.DictReader(open(os.path.join(out, f"{cfg}-{p}", "validation.csv"))):
            f = lambda k: float(r[k])
            lines.append(f"| {p} | {r['tenant']} | {f('sim_rate_per_s'):.2f} / {f('real_rate_per_s'):.2f} | {f('rate_error_pct'):+.2f} | "
                         f"{100*f('sim_share'):.2f} / {100*f('real_share'):.2f} | {f('share_error_pp'):+.2f} | "
                         f"{f('sim_p50_ms'):.3f} / {f('real_p50_ms'):.3f} | {f('p50_error_pct'):+.1f} | "
                         f"{f('sim_p99_ms'):.3f} / {f('real_p99_ms'):.3f} | {f('p99_error_pct'):+.1f} | {r['within_bounds']} |")
            worst["share"] = max(worst["share"], abs(f("share_error_pp")))
            worst["rate"] = max(worst["rate"], abs(f("rate_error_pct")))
            worst["p50"] = max(worst["p50"], abs(f("p50_error_pct")))
    lines.append("")
lines.append(f"Worst over all tenants and policies: share {worst['share']:.2f} pp, unit rate {worst['rate']:.2f} %, "
             f"p50 {worst['p50']:.1f} %.")
doc = "docs/validation.md"
text = open(doc).read()
begin, end = "<!-- validation:begin -->", "<!-- validation:end -->"
i, j = text.index(begin) + len(begin), text.index(end)
open(doc, "w").write(text[:i] + "\n" + "\n".join(lines) + "\n" + text[j:])
print("\n".join(lines[-1:]))
print(f"tables written to {doc}")
PY
