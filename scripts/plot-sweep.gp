# A sweep metric against a grid axis (vgpusim sweep, docs/sweeps.md): one line per policy and combination
# of the other axes' values, the mean over the seeds with the smallest and largest as an error bar.
# Data: <metric>-vs-<axis>.dat, one block per line (a header row holding its title, then x index,
# x label, mean, min, max), blocks separated by two blank lines.
# Variables: datafile, out, fmt, nlines, metric, axis.
load 'common.gp'
set title metric.' against '.axis
set xlabel axis
set ylabel metric
set key outside right top vertical
set offsets 0.3, 0.3, graph 0.05, graph 0.05
set grid xtics lc rgb '#dddddd'
plot for [i=0:nlines-1] datafile index i using 1:3:4:5:xtic(2) with yerrorlines lw 2 pt 7 ps 1.2 \
     lc rgb pcol(i) title columnheader(1)
