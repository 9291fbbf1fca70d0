# Gantt overlay of `vgpusim validate`: the first gantt_ms of the measured window, simulated (top panel)
# above measured on the backend (bottom panel), same engines, tenants and colours.  Data: the Gantt
# files of plot-gantt.gp (blocks 0 slices, 1 switches, 2 busy; columns x_ms, y, dx_ms, dy, tenant):
# datafile (simulation) and datafile_real (replay).  Variables: as plot-gantt.gp, plus datafile_real.
load 'common.gp'
nrows = words(engines)
nt = words(tenants)
set multiplot layout 2,1 title sprintf('Validation: the first %g ms of the measured window (light: slice held, solid: command running, grey: switch)', gantt_ms)
set xrange [0:gantt_ms]
set yrange [-0.6:nrows - 0.45]
set ytics () nomirror
do for [i=1:nrows] { set ytics add (word(engines, i) nrows - i) }
set grid xtics noytics lc rgb '#dddddd'
set key outside right top vertical title 'tenant'
set lmargin at screen 0.14
set rmargin at screen 0.86
do for [panel=1:2] {
    f = panel == 1 ? datafile : datafile_real
    set title (panel == 1 ? 'simulated (vgpusim run, calibrated profile)' : 'measured (vgpusim replay on the backend)')
    if (panel == 2) { set xlabel 'time since the start of the measured window (ms)' } else { unset xlabel }
    plot f index 0 using 1:2:3:4:(tcol($5)) with boxxyerror fs transparent solid 0.3 noborder lc rgb variable notitle, \
         f index 1 using 1:2:3:4 with boxxyerror fs solid 1.0 noborder lc rgb '#404040' title 'switch', \
         f index 2 using 1:2:3:4:(tcol($5)) with boxxyerror fs solid 1.0 noborder lc rgb variable notitle, \
         for [i=1:nt] keyentry with boxes fs solid 1.0 noborder lc rgb tcol(i - 1) title word(tenants, i)
}
unset multiplot
