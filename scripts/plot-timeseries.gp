# One run over time: per window (run --windows, default 1 s), each tenant group's mean unit rate and
# its worst p99 unit latency -- a policy's transients (a burst, a session arriving) made visible.
# Data (vgpusim plot): timeseries-NAME.dat, columns start_s, then per group: rate, p99 (ms).
# Variables: datafile, out, fmt, groups (names, space-separated), run (the run's name).
load 'common.gp'
ng = words(groups)
set multiplot layout 2, 1 title 'Time series of '.run.' (per window of windows.csv)'
set xlabel 'time (s, warm-up included)'
set key outside right top vertical
set ylabel 'mean unit rate of the group (/s)'
set yrange [0:*]
plot for [i=1:ng] datafile using 1:(column(2 * i)) with steps lw 2 lc rgb pcol(i - 1) title word(groups, i)
set ylabel 'worst p99 unit latency in the group (ms)'
plot for [i=1:ng] datafile using 1:(column(2 * i + 1)) with steps lw 2 lc rgb pcol(i - 1) title word(groups, i)
unset multiplot
