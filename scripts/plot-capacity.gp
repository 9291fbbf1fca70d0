# SLA attainment against the number of instances of one tenant group (vgpusim capacity,
# docs/capacity.md): one line per policy or preset (its answer in the legend), the target as a dashed line.
# Data: capacity.dat, one block per policy (a header row holding its title, then N, attainment in %),
# blocks separated by two blank lines.
# Variables: datafile, out, fmt, nlines, group, target.
load 'common.gp'
set title 'SLA attainment against instances of '.group
set xlabel 'instances of '.group.' (tenants per GPU when the group is on one GPU)'
set ylabel 'tenants x seeds meeting their SLA (%)'
set key outside right top vertical
set yrange [0:105]
set offsets 0.5, 0.5, 0, 0
set xtics 1
plot for [i=0:nlines-1] datafile index i using 1:2 with linespoints lw 2 pt 7 ps 1.2 lc rgb pcol(i) \
     title columnheader(1), \
     (target + 0) with lines dt 2 lw 1.5 lc rgb '#c00000' title sprintf('target %g %%', target + 0)
