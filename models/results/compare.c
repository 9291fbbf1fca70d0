/*
 * `vgpusim compare`: collecting the runs' results, the derived numbers (slowdown and virtualization
 * loss vs. solo, unit intervals, saturated tenants, per-policy summaries, winner selection) and
 * compare.csv.  See compare.h; the policy items are compare_items.c's.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/results/compare.h"
#include "models/results/units.h"
#include "models/base/json.h"
#include "models/scenario/policy_load.h"

/* ---- the comparison -------------------------------------------------------------------------- */

void vgs_compare_init(struct vgs_compare *c, const struct vgs_compare_item *items, size_t nitems,
		      char *const *tenants, char *const *groups, size_t ntenants)
{
	memset(c, 0, sizeof(*c));
	c->ntenants = ntenants;
	c->tenants = g_new0(char *, ntenants + 1);
	c->tenant_groups = g_new0(char *, ntenants + 1);
	c->groups = g_new0(char *, ntenants + 1);
	for (size_t i = 0; i < ntenants; i++) {
		bool seen = false;

		c->tenants[i] = g_strdup(tenants[i]);
		c->tenant_groups[i] = g_strdup(groups[i]);
		for (size_t g = 0; g < c->ngroups; g++)
			seen |= strcmp(c->groups[g], groups[i]) == 0;
		if (!seen)
			c->groups[c->ngroups++] = g_strdup(groups[i]);
	}
	c->nruns = nitems;
	c->runs = g_new0(struct vgs_compare_run, nitems ? nitems : 1);
	for (size_t r = 0; r < nitems; r++) {
		c->runs[r].name = g_strdup(items[r].name);
		c->runs[r].label = g_strdup(items[r].text);
		c->runs[r].log = g_strdup_printf("%s.log", items[r].name);
	}
	c->solos = g_new0(struct vgs_compare_run, c->ngroups ? c->ngroups : 1);
	for (size_t g = 0; g < c->ngroups; g++) {
		c->solos[g].name = g_strdup_printf(VGS_COMPARE_SOLO_DIR "/%s", c->groups[g]);
		c->solos[g].label = g_strdup(c->groups[g]);
		c->solos[g].log = g_strdup_printf(VGS_COMPARE_SOLO_DIR "/%s.log", c->groups[g]);
	}
}

static void run_fini(struct vgs_compare_run *r)
{
	g_free(r->name);
	g_free(r->label);
	g_free(r->log);
	g_free(r->status_text);
	if (r->complete)
		vgs_results_fini(&r->res);
}

void vgs_compare_fini(struct vgs_compare *c)
{
	for (size_t r = 0; r < c->nruns; r++)
		run_fini(&c->runs[r]);
	for (size_t g = 0; g < c->ngroups; g++)
		run_fini(&c->solos[g]);
	g_strfreev(c->tenants);
	g_strfreev(c->tenant_groups);
	g_strfreev(c->groups);
	g_strfreev(c->sets);
	g_free(c->runs);
	g_free(c->solos);
	g_free(c->config);
	g_free(c->scenario);
	g_free(c->solo_policy);
	g_free(c->cells);
	g_free(c->sums);
	g_free(c->intervals);
	memset(c, 0, sizeof(*c));
}

/* Read a run's results back; `ival` (ntenants, may be NULL) receives the unit intervals. */
static void read_run(struct vgs_compare_run *r, const char *dir, char **tenants, size_t ntenants,
		     struct vgs_unit_intervals *ival)
{
	char *path;
	struct vgs_error err;

	if (r->status_text)
		return;
	path = g_build_filename(dir, r->name, NULL);
	if (vgs_results_read(&r->res, path, &err) == 0) {
		char *units = g_build_filename(path, "units.csv", NULL);
		bool have_units = g_file_test(units, G_FILE_TEST_EXISTS);

		g_free(units);
		r->complete = true;
		/* units.csv is optional: without it, no unit intervals */
		if (ival && have_units && vgs_units_intervals(path, tenants, ntenants, ival, &err) < 0) {
			vgs_results_fini(&r->res);
			r->complete = false;
		}
	}
	if (!r->complete)
		r->status_text = g_strdup_printf("results unreadable: %s", err.msg);
	g_free(path);
}

double vgs_compare_slowdown(double solo_rate, double rate, double solo_p50, double p50, bool demand_bound,
			    double *by_rate, double *by_lat)
{
	double sr = NAN, sl = NAN;

	if (isfinite(solo_rate) && isfinite(rate) && solo_rate > 0)
		sr = rate > 0 ? solo_rate / rate : INFINITY;
	if (isfinite(solo_p50) && isfinite(p50) && solo_p50 > 0)
		sl = p50 / solo_p50;
	if (by_rate)
		*by_rate = sr;
	if (by_lat)
		*by_lat = sl;
	return demand_bound ? sl : sr;
}

/* The SLAs of row `row` of a tenants table: counts them and those met. */
static void count_slas(const struct vgs_table *t, guint row, int *slas, int *met)
{
	static const char *const cols[] = { "sla_rate_met", "sla_latency_met" };

	*slas = *met = 0;
	for (size_t k = 0; k < G_N_ELEMENTS(cols); k++) {
		const char *v = vgs_table_get(t, row, cols[k]);

		if (v && *v) {
			(*slas)++;
			*met += strcmp(v, "1") == 0;
		}
	}
}

/*
 * What compare derives beyond the runs' own numbers for tenant i of run r (cell already holds rate
 * and the solo baseline): unit intervals, virtualization loss, whether it was saturated.
 */
static void derive_loss(struct vgs_compare_cell *cell, const struct vgs_table *t, int row, double solo_venc,
			const struct vgs_unit_intervals *iv, double duration_s)
{
	double venc = vgs_table_num(t, row, "busy_venc_ms"), target = vgs_table_num(t, row, "share_target");

	cell->interval_p50_ms = iv->p50_ms;
	cell->interval_p99_ms = iv->p99_ms;
	if (isfinite(cell->solo_rate) && cell->solo_rate > 0 && isfinite(cell->rate)) {
		cell->loss_rate_pct = 100 * (1 - cell->rate / cell->solo_rate);
		/* one unit of slack for counting whole units in a finite window (docs/metrics.md) */
		cell->saturated = cell->rate < (1 - VGS_SATURATED_SLACK) * cell->solo_rate -
						   (duration_s > 0 ? 1 / duration_s : 0);
	}
	if (isfinite(solo_venc) && solo_venc > 0 && isfinite(venc))
		cell->loss_encode_pct = 100 * (1 - venc / solo_venc);
	if (target > 0)
		cell->share_x = vgs_table_num(t, row, "share") / target;
}

/* Jain's index over the saturated tenants of run r: (sum x)^2 / (n sum x^2), x = share / target. */
static void derive_jain(struct vgs_compare *c, size_t r)
{
	struct vgs_compare_sum *sum = &c->sums[r];
	double s1 = 0, s2 = 0;

	sum->nsaturated = 0;
	for (size_t i = 0; i < c->ntenants; i++) {
		const struct vgs_compare_cell *cell = &c->cells[r * c->ntenants + i];

		if (!cell->saturated || !isfinite(cell->share_x))
			continue;
		s1 += cell->share_x;
		s2 += cell->share_x * cell->share_x;
		sum->nsaturated++;
	}
	sum->jain_saturated = sum->nsaturated && s2 > 0 ? s1 * s1 / (sum->nsaturated * s2) : NAN;
}

static void derive(struct vgs_compare *c)
{
	double *solo_rate = g_new0(double, c->ngroups + 1), *solo_p50 = g_new0(double, c->ngroups + 1);
	double *solo_venc = g_new0(double, c->ngroups + 1);

	for (size_t g = 0; g < c->ngroups; g++) {
		const struct vgs_compare_run *s = &c->solos[g];

		solo_rate[g] = solo_p50[g] = solo_venc[g] = NAN;
		if (s->complete && vgs_table_nrows(&s->res.tenants) == 1) {
			solo_rate[g] = vgs_table_num(&s->res.tenants, 0, "unit_rate_per_s");
			solo_p50[g] = vgs_table_num(&s->res.tenants, 0, "lat_p50_ms");
			solo_venc[g] = vgs_table_num(&s->res.tenants, 0, "busy_venc_ms");
		}
	}
	c->cells = g_new0(struct vgs_compare_cell, c->nruns * c->ntenants + 1);
	c->sums = g_new0(struct vgs_compare_sum, c->nruns + 1);
	for (size_t r = 0; r < c->nruns; r++) {
		const struct vgs_compare_run *run = &c->runs[r];
		struct vgs_compare_sum *sum = &c->sums[r];
		bool any_lat_sla = false;

		sum->jain_index = sum->utilisation = sum->switch_overhead_pct = sum->energy_j = NAN;
		sum->units = sum->deadline_misses = sum->worst_p99_ms = sum->worst_slowdown = NAN;
		sum->worst_p99_tenant = sum->worst_slowdown_tenant = sum->worst_interval_tenant = -1;
		sum->worst_interval_p99_ms = NAN;
		for (int k = 0; k < VGS_NCLASS; k++)
			sum->class_util[k] = NAN;
		if (run->complete) {
			sum->jain_index = run->res.jain_index;
			sum->utilisation = run->res.utilisation;
			sum->switch_overhead_pct = run->res.switch_overhead_pct;
			sum->energy_j = run->res.energy_j;
			sum->units = run->res.units;
			sum->deadline_misses = run->res.deadline_misses;
			for (int k = 0; k < VGS_NCLASS; k++)
				sum->class_util[k] = vgs_results_class_util(&run->res, k);
			for (size_t i = 0; i < c->ntenants; i++) {
				int row = vgs_table_find(&run->res.tenants, "tenant", c->tenants[i]);

				any_lat_sla |= row >= 0 && isfinite(vgs_table_num(&run->res.tenants, row,
										  "sla_latency_ms"));
			}
		}
		for (size_t i = 0; i < c->ntenants; i++) {
			struct vgs_compare_cell *cell = &c->cells[r * c->ntenants + i];
			int row = run->complete ? vgs_table_find(&run->res.tenants, "tenant", c->tenants[i]) : -1;
			size_t g = 0;

			while (g < c->ngroups && strcmp(c->groups[g], c->tenant_groups[i]) != 0)
				g++;
			cell->rate = cell->lat_p50_ms = cell->lat_p99_ms = NAN;
			cell->interval_p50_ms = cell->interval_p99_ms = cell->loss_rate_pct = NAN;
			cell->loss_encode_pct = cell->share_x = NAN;
			cell->saturated = false;
			cell->solo_rate = solo_rate[g];
			cell->solo_p50_ms = solo_p50[g];
			if (row >= 0) {
				const struct vgs_table *t = &run->res.tenants;
				bool lat_sla = !any_lat_sla || isfinite(vgs_table_num(t, row, "sla_latency_ms"));

				cell->rate = vgs_table_num(t, row, "unit_rate_per_s");
				cell->lat_p50_ms = vgs_table_num(t, row, "lat_p50_ms");
				cell->lat_p99_ms = vgs_table_num(t, row, "lat_p99_ms");
				count_slas(t, row, &cell->slas, &cell->slas_met);
				sum->slas += cell->slas;
				sum->slas_met += cell->slas_met;
				if (lat_sla && isfinite(cell->lat_p99_ms) &&
				    (sum->worst_p99_tenant < 0 || cell->lat_p99_ms > sum->worst_p99_ms)) {
					sum->worst_p99_ms = cell->lat_p99_ms;
					sum->worst_p99_tenant = (int)i;
				}
				derive_loss(cell, t, row, solo_venc[g], &c->intervals[r * c->ntenants + i],
					    run->res.duration_s);
				if (lat_sla && isfinite(cell->interval_p99_ms) &&
				    (sum->worst_interval_tenant < 0 || cell->interval_p99_ms > sum->worst_interval_p99_ms)) {
					sum->worst_interval_p99_ms = cell->interval_p99_ms;
					sum->worst_interval_tenant = (int)i;
				}
			}
			cell->slowdown = vgs_compare_slowdown(
				cell->solo_rate, cell->rate, cell->solo_p50_ms, cell->lat_p50_ms,
				row >= 0 && isfinite(vgs_table_num(&run->res.tenants, row, "sla_rate_per_s")),
				&cell->slowdown_rate, &cell->slowdown_lat);
			if (!isnan(cell->slowdown) &&
			    (sum->worst_slowdown_tenant < 0 || cell->slowdown > sum->worst_slowdown)) {
				sum->worst_slowdown = cell->slowdown;
				sum->worst_slowdown_tenant = (int)i;
			}
		}
	}
	for (size_t r = 0; r < c->nruns; r++)
		derive_jain(c, r);
	g_free(solo_rate);
	g_free(solo_p50);
	g_free(solo_venc);
}

void vgs_compare_collect(struct vgs_compare *c, const char *dir)
{
	g_free(c->intervals);
	c->intervals = g_new0(struct vgs_unit_intervals, c->nruns * c->ntenants + 1);
	for (size_t k = 0; k < c->nruns * c->ntenants; k++)
		c->intervals[k].p50_ms = c->intervals[k].p99_ms = NAN;
	for (size_t r = 0; r < c->nruns; r++)
		read_run(&c->runs[r], dir, c->tenants, c->ntenants, &c->intervals[r * c->ntenants]);
	for (size_t g = 0; g < c->ngroups; g++)
		read_run(&c->solos[g], dir, NULL, 0, NULL);
	g_free(c->cells);
	g_free(c->sums);
	derive(c);
}

/* The value as the report prints it with `decimals` decimals, read back. */
static double as_printed(double v, int decimals)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE], fmt[16];

	if (!isfinite(v))
		return v;
	snprintf(fmt, sizeof(fmt), "%%.%df", decimals);
	return g_ascii_strtod(g_ascii_formatd(buf, sizeof(buf), fmt, v), NULL);
}

size_t vgs_compare_best(const double *v, size_t n, bool higher_better, int decimals, bool *win)
{
	double best = NAN;
	size_t nwin = 0;

	for (size_t i = 0; i < n; i++) {
		double x = as_printed(v[i], decimals);

		if (isnan(x))
			continue;
		if (isnan(best) || (higher_better ? x > best : x < best))
			best = x;
	}
	for (size_t i = 0; i < n; i++) {
		win[i] = !isnan(best) && as_printed(v[i], decimals) == best;
		nwin += win[i];
	}
	return nwin;
}

size_t *vgs_compare_rank(const double *v, size_t n, bool higher_better, int decimals)
{
	size_t *order = g_new(size_t, n + 1);

	for (size_t i = 0; i < n; i++)
		order[i] = i;
	/* insertion sort: stable (ties keep their order), n is a handful of policies */
	for (size_t i = 1; i < n; i++) {
		size_t x = order[i], j = i;
		double xv = as_printed(v[x], decimals);

		while (j > 0) {
			double pv = as_printed(v[order[j - 1]], decimals);
			bool before = isnan(pv) ? !isnan(xv) : !isnan(xv) && (higher_better ? xv > pv : xv < pv);

			if (!before)
				break;
			order[j] = order[j - 1];
			j--;
		}
		order[j] = x;
	}
	return order;
}

/* ---- compare.csv ----------------------------------------------------------------------------- */

static void csv_text(FILE *f, const char *s, bool first)
{
	if (!first)
		fputc(',', f);
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_num(FILE *f, double v)
{
	char buf[64];

	fputc(',', f);
	if (isinf(v))
		fputs(v > 0 ? "inf" : "-inf", f);
	else if (isfinite(v))
		fputs(vgs_fmt_double(buf, sizeof(buf), "%.6f", v), f);
}

static const struct vgs_table *first_tenants_table(const struct vgs_compare *c)
{
	for (size_t r = 0; r < c->nruns; r++)
		if (c->runs[r].complete)
			return &c->runs[r].res.tenants;
	return NULL;
}

int vgs_compare_write_csv(const struct vgs_compare *c, const char *dir, struct vgs_error *err)
{
	const struct vgs_table *hdr = first_tenants_table(c);
	char *path = g_build_filename(dir, "compare.csv", NULL);
	FILE *f = fopen(path, "w");
	int bad;

	if (!f) {
		vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
		g_free(path);
		return -1;
	}
	fputs("policy,complete", f);
	if (hdr)
		for (guint k = 0; k < hdr->header->len; k++)
			csv_text(f, hdr->header->pdata[k], false);
	else
		fputs(",tenant,group", f);
	fputs(",solo_unit_rate_per_s,solo_lat_p50_ms,slowdown_rate,slowdown_latency,slowdown,interval_p50_ms,"
	      "interval_p99_ms,loss_rate_pct,loss_encode_pct,saturated\n", f);
	for (size_t r = 0; r < c->nruns; r++) {
		const struct vgs_compare_run *run = &c->runs[r];

		for (size_t i = 0; i < c->ntenants; i++) {
			const struct vgs_compare_cell *cell = &c->cells[r * c->ntenants + i];
			int row = run->complete ? vgs_table_find(&run->res.tenants, "tenant", c->tenants[i]) : -1;

			csv_text(f, run->name, true);
			fputs(run->complete ? ",1" : ",0", f);
			if (hdr) {
				for (guint k = 0; k < hdr->header->len; k++) {
					const char *col = hdr->header->pdata[k];
					const char *v = row >= 0 ? vgs_table_get(&run->res.tenants, row, col) : NULL;

					if (!v && !strcmp(col, "tenant"))
						v = c->tenants[i];
					else if (!v && !strcmp(col, "group"))
						v = c->tenant_groups[i];
					csv_text(f, v, false);
				}
			} else {
				csv_text(f, c->tenants[i], false);
				csv_text(f, c->tenant_groups[i], false);
			}
			csv_num(f, cell->solo_rate);
			csv_num(f, cell->solo_p50_ms);
			csv_num(f, cell->slowdown_rate);
			csv_num(f, cell->slowdown_lat);
			csv_num(f, cell->slowdown);
			csv_num(f, cell->interval_p50_ms);
			csv_num(f, cell->interval_p99_ms);
			csv_num(f, cell->loss_rate_pct);
			csv_num(f, cell->loss_encode_pct);
			fputs(run->complete ? (cell->saturated ? ",1" : ",0") : ",", f);
			fputc('\n', f);
		}
	}
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
		g_free(path);
		return -1;
	}
	g_free(path);
	return 0;
}
