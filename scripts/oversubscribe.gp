# Plot of scripts/oversubscribe-sweep.sh: training throughput and PCIe migration traffic against the
# overcommit ratio (sum of the jobs' working sets / VRAM).  Call with
#   gnuplot -e "dat='sweep.dat'; out='prefix'" scripts/oversubscribe.gp
# to write prefix.png (pngcairo) and prefix.svg.
if (!exists("dat")) dat = 'sweep.dat'
if (!exists("out")) out = 'oversubscribe'

set grid
set key center right
set xlabel "overcommit ratio (sum of working sets / VRAM)"
set ylabel "training throughput, all jobs (iterations/s)"
set y2label "PCIe migration traffic, both directions (GB/s)"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set arrow 1 from 1, graph 0 to 1, graph 1 nohead dashtype 2 lc rgb "#888888"
set label 1 "VRAM full" at 1, graph 0.95 offset 0.5, 0 tc rgb "#666666"
set title "VRAM oversubscription: 4 training jobs on one GPU (LRU eviction to host memory)"

do for [t in "pngcairo svg"] {
	if (t eq "pngcairo") {
		set terminal pngcairo size 900, 560 font ",11"
		set output out . ".png"
	} else {
		set terminal svg size 900, 560 dynamic font ",11"
		set output out . ".svg"
	}
	plot dat using 1:3 axes x1y1 with linespoints lw 2 pt 7 title "throughput (it/s)", \
	     dat using 1:4 axes x1y2 with linespoints lw 2 pt 5 dt 2 title "migration traffic (GB/s)"
	set output
}
