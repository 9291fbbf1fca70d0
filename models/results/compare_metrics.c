/*
 * The numbers a comparison ranks policies on (compare.h, struct vgs_cmp_metric): each a function of
 * one run of a vgs_compare (and a group for the per-group ones), so that one seed's report and the
 * replications of `compare --seeds N` (seeds.c) compute them the same way.  Definitions in
 * docs/metrics.md ("Comparisons") and docs/compare.md ("Replications").
 */
#include <math.h>
#include <string.h>

#include "models/results/compare.h"

static const struct vgs_compare_cell *cell_of(const struct vgs_compare *c, size_t r, size_t i)
{
	return &c->cells[r * c->ntenants + i];
}

/* Mean (sum = false) or sum of field(cell) over group g's tenants under run r; NAN when none is finite. */
static double over_group(const struct vgs_compare *c, size_t r, size_t g, double (*field)(const struct vgs_compare_cell *),
			 bool sum)
{
	double s = 0;
	size_t n = 0;

	if (!c->runs[r].complete)
		return NAN;
	for (size_t i = 0; i < c->ntenants; i++) {
		double v;

		if (strcmp(c->tenant_groups[i], c->groups[g]) != 0)
			continue;
		v = field(cell_of(c, r, i));
		if (isfinite(v)) {
			s += v;
			n++;
		}
	}
	return n ? (sum ? s : s / (double)n) : NAN;
}

static double f_rate(const struct vgs_compare_cell *x) { return x->rate; }
static double f_interval(const struct vgs_compare_cell *x) { return x->interval_p99_ms; }
static double f_loss(const struct vgs_compare_cell *x) { return x->loss_rate_pct; }
static double f_loss_enc(const struct vgs_compare_cell *x) { return x->loss_encode_pct; }

static double group_misses(const struct vgs_compare *c, size_t r, size_t g)
{
	double s = 0;

	if (!c->runs[r].complete)
		return NAN;
	for (size_t i = 0; i < c->ntenants; i++) {
		int row = vgs_table_find(&c->runs[r].res.tenants, "tenant", c->tenants[i]);

		if (row >= 0 && strcmp(c->tenant_groups[i], c->groups[g]) == 0)
			s += vgs_table_num(&c->runs[r].res.tenants, (guint)row, "deadline_misses");
	}
	return s;
}

double vgs_compare_group_worst_p99(const struct vgs_compare *c, size_t r, size_t g)
{
	double worst = NAN;

	if (!c->runs[r].complete)
		return NAN;
	for (size_t i = 0; i < c->ntenants; i++) {
		double v = cell_of(c, r, i)->lat_p99_ms;

		if (strcmp(c->tenant_groups[i], c->groups[g]) == 0 && !isnan(v) && (isnan(worst) || v > worst))
			worst = v;
	}
	return worst;
}

double vgs_compare_group_mean(const struct vgs_compare *c, size_t r, size_t g, enum vgs_cmp_field f)
{
	static double (*const fields[])(const struct vgs_compare_cell *) = {
		[VGS_CMP_RATE] = f_rate, [VGS_CMP_INTERVAL_P99] = f_interval, [VGS_CMP_LOSS_RATE] = f_loss,
		[VGS_CMP_LOSS_ENCODE] = f_loss_enc,
	};
	return over_group(c, r, g, fields[f], false);
}

#define SUM(field) (c->runs[r].complete ? (double)(c->sums[r].field) : NAN)

static double m_jain_sat(const struct vgs_compare *c, size_t r, size_t g) { return SUM(jain_saturated); }
static double m_jain(const struct vgs_compare *c, size_t r, size_t g) { return SUM(jain_index); }
static double m_worst_p99(const struct vgs_compare *c, size_t r, size_t g) { return SUM(worst_p99_ms); }
static double m_worst_ival(const struct vgs_compare *c, size_t r, size_t g) { return SUM(worst_interval_p99_ms); }
static double m_misses(const struct vgs_compare *c, size_t r, size_t g) { return SUM(deadline_misses); }
static double m_switch(const struct vgs_compare *c, size_t r, size_t g) { return SUM(switch_overhead_pct); }
static double m_slowdown(const struct vgs_compare *c, size_t r, size_t g) { return SUM(worst_slowdown); }
static double m_units(const struct vgs_compare *c, size_t r, size_t g) { return SUM(units); }
static double m_energy(const struct vgs_compare *c, size_t r, size_t g) { return SUM(energy_j); }
static double m_util(const struct vgs_compare *c, size_t r, size_t g) { return 100 * SUM(utilisation); }

static double m_slas(const struct vgs_compare *c, size_t r, size_t g)
{
	return c->runs[r].complete && c->sums[r].slas ? 100.0 * c->sums[r].slas_met / c->sums[r].slas : NAN;
}

static double m_g_rate(const struct vgs_compare *c, size_t r, size_t g) { return vgs_compare_group_mean(c, r, g, VGS_CMP_RATE); }
static double m_g_p99(const struct vgs_compare *c, size_t r, size_t g) { return vgs_compare_group_worst_p99(c, r, g); }
static double m_g_ival(const struct vgs_compare *c, size_t r, size_t g) { return vgs_compare_group_mean(c, r, g, VGS_CMP_INTERVAL_P99); }
static double m_g_loss(const struct vgs_compare *c, size_t r, size_t g) { return vgs_compare_group_mean(c, r, g, VGS_CMP_LOSS_RATE); }
static double m_g_loss_enc(const struct vgs_compare *c, size_t r, size_t g) { return vgs_compare_group_mean(c, r, g, VGS_CMP_LOSS_ENCODE); }

#undef SUM

const struct vgs_cmp_metric vgs_cmp_metrics[] = {
	{ "jain_saturated", "Jain's index over saturated tenants", false, true, 4, "", m_jain_sat },
	{ "jain", "Jain's index over all tenants", false, true, 4, "", m_jain },
	{ "worst_p99_ms", "worst-tenant p99 latency", false, false, 3, " ms", m_worst_p99 },
	{ "worst_interval_p99_ms", "worst-tenant unit-interval (frame time) p99", false, false, 3, " ms", m_worst_ival },
	{ "deadline_misses", "deadline misses", false, false, 1, "", m_misses },
	{ "slas_met_pct", "SLAs met", false, true, 1, " %", m_slas },
	{ "switch_overhead_pct", "switch overhead", false, false, 3, " %", m_switch },
	{ "worst_slowdown", "worst-tenant slowdown vs. solo", false, false, 2, "x", m_slowdown },
	{ "units", "units completed", false, true, 1, "", m_units },
	{ "utilisation_pct", "utilisation (all engines)", false, true, 2, " %", m_util },
	{ "energy_j", "energy", false, false, 2, " J", m_energy },
	{ "rate", "mean unit rate", true, true, 2, " /s", m_g_rate },
	{ "p99_ms", "worst p99 latency", true, false, 3, " ms", m_g_p99 },
	{ "interval_p99_ms", "mean unit-interval (frame time) p99", true, false, 3, " ms", m_g_ival },
	{ "loss_rate_pct", "unit-rate loss vs. solo (3D frame rate for frames)", true, false, 2, " %", m_g_loss },
	{ "loss_encode_pct", "encode-throughput loss vs. solo", true, false, 2, " %", m_g_loss_enc },
	{ "deadline_misses", "deadline misses", true, false, 1, "", group_misses },
};
const size_t vgs_cmp_nmetrics = sizeof(vgs_cmp_metrics) / sizeof(vgs_cmp_metrics[0]);
