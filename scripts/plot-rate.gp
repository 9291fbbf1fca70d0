# Unit rate per tenant, one bar per policy, the tenant's SLA rate as a dashed mark over its bars.
# Data (vgpusim plot): rate.dat, columns tenant, label, sla, then one per policy.
# Variables: datafile, out, fmt, policies (names, space-separated), ntenants.
load 'common.gp'
np = words(policies)
half = np / (2.0 * (np + 1))          # half the width of one tenant's cluster of bars
set title 'Unit rate per tenant and policy'
set ylabel 'unit rate (units/s: frames/s, requests/s, iterations/s)'
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
     datafile using ($0 - half):3:(2 * half):(0) with vectors nohead lw 3 lc rgb '#c00000' title 'SLA rate'
