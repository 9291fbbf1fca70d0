# Gantt chart of one run: the first gantt_ms of the measured window, one row per engine that did
# something.  Light boxes: the tenant held the engine's scheduling domain (a slice); solid bars: its
# commands running (one band per channel); dark grey strip along the top of a row: context switches
# (the switch is also the gap between two slices).
# Data (vgpusim plot): gantt-<policy>.dat, blocks 0 slices, 1 switches, 2 busy; columns x_ms, y, dx_ms,
# dy (box centre and half sizes), tenant.  Variables: datafile, out, fmt, policy, engines, tenants,
# gantt_ms.
load 'common.gp'
nrows = words(engines)
nt = words(tenants)
set title sprintf('%s: the first %g ms of the measured window (light: slice held, solid: command running, grey strip on top: switch)', policy, gantt_ms)
set xlabel 'time since the start of the measured window (ms)'
set xrange [0:gantt_ms]
set yrange [-0.6:nrows - 0.45]
set ytics () nomirror
do for [i=1:nrows] { set ytics add (word(engines, i) nrows - i) }
set grid xtics noytics lc rgb '#dddddd'
set key outside right top vertical title 'tenant'
plot datafile index 0 using 1:2:3:4:(tcol($5)) with boxxyerror fs transparent solid 0.3 noborder lc rgb variable notitle, \
     datafile index 1 using 1:2:3:4 with boxxyerror fs solid 1.0 noborder lc rgb '#404040' title 'switch', \
     datafile index 2 using 1:2:3:4:(tcol($5)) with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
     for [i=1:nt] keyentry with boxes fs solid 1.0 noborder lc rgb tcol(i - 1) title word(tenants, i)
