# Placement policies on one pool over time (vgpusim compare POOLCONFIG): stranded framebuffer,
# stranded MIG slices and queued requests, one line per policy (docs/pools.md).
# Data: fragmentation.dat, columns hour, then per policy: stranded_fb_gb, stranded_slices, queued.
# Variables: datafile, out, fmt, policies (names, space-separated).
load 'common.gp'
np = words(policies)
set multiplot layout 3, 1 title 'Fragmentation and queue over time, per placement policy'
set key outside right top vertical
set yrange [0:*]
set ylabel 'stranded framebuffer (GiB)'
plot for [i=1:np] datafile using 1:(column(3 * i - 1)) with steps lw 2 lc rgb pcol(i - 1) title word(policies, i)
set ylabel 'stranded MIG slices'
plot for [i=1:np] datafile using 1:(column(3 * i)) with steps lw 2 lc rgb pcol(i - 1) title word(policies, i)
set xlabel 'time (h)'
set ylabel 'queued requests'
plot for [i=1:np] datafile using 1:(column(3 * i + 1)) with steps lw 2 lc rgb pcol(i - 1) title word(policies, i)
unset multiplot
