# CDF of unit latency (measured units), one panel per tenant group, one curve per policy; the group's
# latency SLA as a dashed vertical line.
# Data (vgpusim plot): latency-cdf.dat, block (gnuplot index) = group * npolicies + policy, columns
# latency_ms, fraction.  Variables: datafile, out, fmt, policies, groups, slas (ms per group, or NaN),
# xmins, xmaxs (x range per group, ms), xticks1, xticks2, ... (tick positions of
# each group's panel).
load 'common.gp'
np = words(policies)
ng = words(groups)
ncols = ng < 3 ? ng : 3
nrows = int((ng + ncols - 1) / ncols)
set multiplot layout nrows, ncols title 'Unit latency CDF per tenant group (measured units)'
set logscale x
set xlabel 'unit latency (ms, log scale)'
set ylabel 'fraction of units'
set yrange [0:1.02]
set grid xtics mxtics ytics lc rgb '#dddddd'
set key below horizontal
do for [g=1:ng] {
    set title 'group '.word(groups, g)
    set xrange [word(xmins, g) + 0:word(xmaxs, g) + 0]
    ticks = value(sprintf('xticks%d', g))
    set xtics () format '%g'
    do for [k=1:words(ticks)] {
        tv = word(ticks, k) + 0.0
        set xtics add (sprintf('%g', tv) tv)
    }
    sla = word(slas, g)
    if (sla ne 'NaN') {
        plot for [p=1:np] datafile index ((g - 1) * np + p - 1) using 1:2 with steps lw 2 lc rgb pcol(p - 1) \
                 title word(policies, p), \
             '+' using (sla + 0):(0):(0):(1.02) every ::0::0 with vectors nohead dt 2 lw 1.5 lc rgb 'black' \
                 title sprintf('latency SLA %g ms', sla + 0)
    } else {
        plot for [p=1:np] datafile index ((g - 1) * np + p - 1) using 1:2 with steps lw 2 lc rgb pcol(p - 1) \
                 title word(policies, p)
    }
}
unset multiplot
