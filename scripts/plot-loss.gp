# Virtualization loss against sessions per GPU, one line per policy (scripts/loss-sweep.sh): left the 3D
# frame-rate loss, right the encode-throughput loss, both in % of the solo baselines, with the figures
# cloud-gaming vendors commonly claim (15 % and 8 %) as dashed lines.
# Data: sweep.dat, columns sessions_per_gpu, then per policy: 3D loss %, encode loss %.
# Variables: datafile, out, fmt, policies (names, space-separated).
load 'common.gp'
set datafile separator whitespace
np = words(policies)
set multiplot layout 1, 2 title 'Virtualization loss vs. solo, per policy'
set xlabel 'sessions per GPU'
set key bottom right
set yrange [*:*]
set title '3D frame rate'
set ylabel 'loss (% of the solo frame rate)'
plot for [i=1:np] datafile using 1:(column(2 * i)) with linespoints lw 2 pt 7 lc rgb pcol(i - 1) title word(policies, i), \
     15 with lines dt 2 lc rgb '#c00000' title 'claimed: 15 %'
set title 'Encode throughput'
set ylabel 'loss (% of the solo encoder time)'
plot for [i=1:np] datafile using 1:(column(2 * i + 1)) with linespoints lw 2 pt 7 lc rgb pcol(i - 1) title word(policies, i), \
     8 with lines dt 2 lc rgb '#c00000' title 'claimed: 8 %'
unset multiplot
