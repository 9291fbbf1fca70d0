# Share of the held scheduling time per tenant, one bar per policy, the weight target as a dashed mark.
# Data (vgpusim plot): share.dat, columns tenant, label, target (%), then one per policy (%).
# Variables: datafile, out, fmt, policies, ntenants.
load 'common.gp'
np = words(policies)
half = np / (2.0 * (np + 1))
set title 'Share of the held time vs. weight target, per tenant and policy'
set ylabel 'share of the time its GPU''s domains were held (%)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 1
set key outside right top vertical
set xtics rotate by 35 right
set xrange [-0.6:ntenants - 0.4]
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
plot for [i=1:np] datafile using (column(3 + i)):xtic(2) title word(policies, i) lc rgb pcol(i - 1), \
     datafile using ($0 - half):3:(2 * half):(0) with vectors nohead lw 3 lc rgb '#c00000' title 'weight target'
