# Utilisation per policy (all engines, and each engine class that was busy) and switch overhead.
# Data (vgpusim plot): util.dat, columns policy, one per entry of `classes`, switch_overhead (%).
# Variables: datafile, out, fmt, policies, classes (column titles: "all" then the classes).
load 'common.gp'
nc = words(classes)
set multiplot layout 1, 2 title 'Utilisation and switch overhead per policy'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 1
set xtics rotate by 20 right
set title 'Engine utilisation (mean over the engines of each class)'
set ylabel 'utilisation (%)'
set yrange [0:119]
set ytics 0, 20, 100
set key top center horizontal
plot for [i=1:nc] datafile using (column(1 + i)):xtic(1) title word(classes, i) lc rgb pcol(i - 1)
set title 'Context-switch overhead'
set ylabel 'switch time (% of scheduling-domain time)'
set yrange [0:*]
set ytics autofreq
set offsets 0, 0, graph 0.12, 0
plot datafile using (column(nc + 2)):xtic(1) notitle lc rgb '#797979', \
     datafile using ($0):(column(nc + 2)):(sprintf('%.3f %%', column(nc + 2))) with labels offset 0, 0.8 notitle
unset multiplot
