/*
 * Replications (models/results/seeds.h): seeds.csv and the report of `compare --seeds N`, and the
 * per-tenant summary of `run --seeds N`.  Every interval is vgs_ci_mean()'s, every comparison of two
 * policies vgs_ci_paired()'s (models/results/stats.c); numbers print with the precision of their
 * metric (struct vgs_cmp_metric), and the order of everything is fixed (metrics, groups, policies in
 * -p order, seeds ascending) so that the same runs always give the same files.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib.h>

#include "models/base/json.h"
#include "models/results/seeds.h"
#include "models/results/stats.h"
#include "models/results/units.h"

/* "12.345 ± 0.678" (or "12.345" when there is no interval, "-" when there is no mean); returns buf. */
static const char *pm(char *buf, size_t size, const struct vgs_ci *ci, int dec)
{
	char fmt[32], a[48], b[48];

	if (isnan(ci->mean))
		return strcpy(buf, "-");
	snprintf(fmt, sizeof(fmt), "%%.%df", dec);
	vgs_fmt_double(a, sizeof(a), fmt, ci->mean);
	if (a[0] == '-' && strspn(a + 1, "0.") == strlen(a + 1))
		memmove(a, a + 1, strlen(a)); /* "-0.00" -> "0.00" */
	if (isnan(ci->half)) {
		snprintf(buf, size, "%s", a);
		return buf;
	}
	vgs_fmt_double(b, sizeof(b), fmt, ci->half);
	snprintf(buf, size, "%s ± %s", a, b);
	return buf;
}

#define PM(ci, dec) pm((char[112]){ 0 }, 112, (ci), (dec))

static void csv_value(FILE *f, double v)
{
	char buf[64];

	if (isfinite(v))
		fputs(vgs_fmt_double(buf, sizeof(buf), "%.6f", v), f);
}

/*
 * Close a and b (either may be NULL): 0 when `ok` and both were written whole, else -1 with err set
 * (unless it already is: !ok means the caller set it).
 */
static int close_both(FILE *a, const char *pa, FILE *b, const char *pb, bool ok, struct vgs_error *err)
{
	int rc = ok ? 0 : -1;

	if (rc == 0 && ((a && ferror(a)) || (b && ferror(b)))) {
		vgs_error_set(err, "cannot write %s: %s", a && ferror(a) ? pa : pb, strerror(errno));
		rc = -1;
	}
	if (a && fclose(a) != 0 && rc == 0) {
		vgs_error_set(err, "cannot write %s: %s", pa, strerror(errno));
		rc = -1;
	}
	if (b && fclose(b) != 0 && rc == 0) {
		vgs_error_set(err, "cannot write %s: %s", pb, strerror(errno));
		rc = -1;
	}
	return rc;
}

/* ---- compare --seeds ------------------------------------------------------------------------- */

/* v as seeds.csv prints it ("%.6f"), read back: the report computes from what seeds.csv holds. */
static double as_csv(double v)
{
	char buf[64];

	return isfinite(v) ? g_ascii_strtod(vgs_fmt_double(buf, sizeof(buf), "%.6f", v), NULL) : NAN;
}

/* x[r * n + k]: metric m (group g) of policy r under seed k, as seeds.csv has it. */
static double *metric_values(const struct vgs_compare *cmp, size_t n, const struct vgs_cmp_metric *m, size_t g)
{
	size_t nruns = cmp[0].nruns;
	double *x = g_new(double, nruns * n + 1);

	for (size_t r = 0; r < nruns; r++)
		for (size_t k = 0; k < n; k++)
			x[r * n + k] = as_csv(m->value(&cmp[k], r, g));
	return x;
}

/* A metric's per-policy intervals, its ranking and each policy's paired comparison with the best. */
struct ranked {
	struct vgs_ci *ci;           /* per policy */
	struct vgs_ci *diff;         /* per policy: its per-seed difference with the best (x_p - x_best) */
	bool *sig;                   /* per policy: that difference is significant */
	size_t *order;               /* policies best first */
	bool any_sig;
};

static void rank(const struct vgs_compare *cmp, size_t n, const struct vgs_cmp_metric *m, size_t g, struct ranked *rk)
{
	size_t nruns = cmp[0].nruns;
	double *x = metric_values(cmp, n, m, g), *means = g_new(double, nruns + 1);

	rk->ci = g_new0(struct vgs_ci, nruns + 1);
	rk->diff = g_new0(struct vgs_ci, nruns + 1);
	rk->sig = g_new0(bool, nruns + 1);
	rk->any_sig = false;
	for (size_t r = 0; r < nruns; r++) {
		vgs_ci_mean(x + r * n, n, VGS_SEEDS_LEVEL, &rk->ci[r]);
		means[r] = rk->ci[r].mean;
	}
	/* Ranked on the means as printed, like one seed's winners. */
	rk->order = vgs_compare_rank(means, nruns, m->higher_better, m->decimals);
	for (size_t j = 1; j < nruns; j++) {
		size_t r = rk->order[j], b = rk->order[0];

		rk->sig[r] = vgs_ci_paired(x + r * n, x + b * n, n, VGS_SEEDS_LEVEL, &rk->diff[r]);
		rk->any_sig |= rk->sig[r];
	}
	g_free(means);
	g_free(x);
}

static void ranked_fini(struct ranked *rk)
{
	g_free(rk->ci);
	g_free(rk->diff);
	g_free(rk->sig);
	g_free(rk->order);
}

static void metric_title(FILE *out, const struct vgs_compare *c, const struct vgs_cmp_metric *m, size_t g)
{
	if (m->per_group)
		fprintf(out, "%s, class %s", m->label, c->groups[g]);
	else
		fprintf(out, "%s", m->label);
}

/* The groups a metric is shown for: one pass for a global metric. */
static size_t ngroups_of(const struct vgs_compare *c, const struct vgs_cmp_metric *m)
{
	return m->per_group ? c->ngroups : 1;
}

void vgs_seeds_compare_summary(const struct vgs_compare *cmp, size_t n, FILE *out)
{
	const struct vgs_compare *c = &cmp[0];
	bool any = false;

	for (size_t mi = 0; mi < vgs_cmp_nmetrics; mi++) {
		const struct vgs_cmp_metric *m = &vgs_cmp_metrics[mi];

		for (size_t g = 0; g < ngroups_of(c, m); g++) {
			struct ranked rk;
			size_t b;

			rank(cmp, n, m, g, &rk);
			b = rk.order[0];
			for (size_t j = 1; j < c->nruns; j++) {
				size_t r = rk.order[j];
				struct vgs_ci d = rk.diff[r];

				if (!rk.sig[r])
					continue;
				d.mean = fabs(d.mean);
				fprintf(out, "- **");
				metric_title(out, c, m, g);
				fprintf(out, "**: %s (%s%s) is %s than %s (%s%s), by %s%s\n", c->runs[b].name,
					PM(&rk.ci[b], m->decimals), m->unit, m->higher_better ? "higher" : "lower",
					c->runs[r].name, PM(&rk.ci[r], m->decimals), m->unit, PM(&d, m->decimals), m->unit);
				any = true;
			}
			ranked_fini(&rk);
		}
	}
	if (!any)
		fprintf(out, "- none: over these %zu seeds no number differs significantly between the policies\n", n);
}

static void table(FILE *out, const struct vgs_compare *cmp, size_t n, bool per_group, size_t g)
{
	const struct vgs_compare *c = &cmp[0];

	fprintf(out, "| number |");
	for (size_t r = 0; r < c->nruns; r++)
		fprintf(out, " %s |", c->runs[r].name);
	fprintf(out, "\n|---|");
	for (size_t r = 0; r < c->nruns; r++)
		fprintf(out, "---:|");
	fprintf(out, "\n");
	for (size_t mi = 0; mi < vgs_cmp_nmetrics; mi++) {
		const struct vgs_cmp_metric *m = &vgs_cmp_metrics[mi];
		struct ranked rk;

		if (m->per_group != per_group)
			continue;
		rank(cmp, n, m, g, &rk);
		fprintf(out, "| %s |", m->label);
		for (size_t r = 0; r < c->nruns; r++)
			fprintf(out, " %s%s |", PM(&rk.ci[r], m->decimals), isnan(rk.ci[r].mean) ? "" : m->unit);
		fprintf(out, "\n");
		ranked_fini(&rk);
	}
	fprintf(out, "\n");
}

static void rankings(FILE *out, const struct vgs_compare *cmp, size_t n)
{
	const struct vgs_compare *c = &cmp[0];

	fprintf(out, "## Rankings\n\nBest first; every other policy against the best: the mean of its per-seed "
		     "differences (its number minus the best's) with its 95 %% interval.\n\n");
	for (size_t mi = 0; mi < vgs_cmp_nmetrics; mi++) {
		const struct vgs_cmp_metric *m = &vgs_cmp_metrics[mi];

		for (size_t g = 0; g < ngroups_of(c, m); g++) {
			struct ranked rk;

			rank(cmp, n, m, g, &rk);
			fprintf(out, "- **");
			metric_title(out, c, m, g);
			fprintf(out, "** (%s is better): ", m->higher_better ? "higher" : "lower");
			for (size_t j = 0; j < c->nruns; j++) {
				size_t r = rk.order[j];

				fprintf(out, "%s%zu. %s %s%s", j ? "; " : "", j + 1, c->runs[r].name,
					PM(&rk.ci[r], m->decimals), isnan(rk.ci[r].mean) ? "" : m->unit);
				if (j == 0 || isnan(rk.ci[r].mean))
					continue;
				fprintf(out, " (%s%s%s vs. %s, %s)", rk.diff[r].mean >= 0 ? "+" : "",
					PM(&rk.diff[r], m->decimals), m->unit, c->runs[rk.order[0]].name,
					rk.sig[r] ? "significant" : "no significant difference");
			}
			fprintf(out, "\n");
			ranked_fini(&rk);
		}
	}
	fprintf(out, "\n");
}

static void header(FILE *out, const struct vgs_compare *cmp, const uint64_t *seeds, size_t n)
{
	const struct vgs_compare *c = &cmp[0];
	const char *version = NULL;
	char a[48], b[48];

	for (size_t k = 0; k < n && !version; k++)
		for (size_t r = 0; r < c->nruns && !version; r++)
			if (cmp[k].runs[r].complete)
				version = cmp[k].runs[r].res.version;
	fprintf(out, "# Policy comparison over %zu seeds: %s\n\n| | |\n|---|---|\n", n, c->scenario);
	fprintf(out, "| config | `%s` |\n| seeds |", c->config);
	for (size_t k = 0; k < n; k++)
		fprintf(out, "%s %" G_GUINT64_FORMAT, k ? "," : "", seeds[k]);
	fprintf(out, " (every policy runs every seed) |\n");
	fprintf(out, "| measured | %s s of simulated time per run, after %s s of warm-up |\n",
		vgs_fmt_double(a, sizeof(a), "%.3f", c->duration_s), vgs_fmt_double(b, sizeof(b), "%.3f", c->warmup_s));
	vgs_report_policy_rows(c, out);
	fprintf(out, "| solo baselines | per seed, one instance of each vgpus entry alone on its GPU, policy `%s` |\n"
		     "| vgpusim | %s |\n\n", c->solo_policy, version ? version : "-");
	fprintf(out, "Each seed's own comparison (report.md, compare.csv, one directory per run) is in `seed-<SEED>/`; "
		     "`seeds.csv` holds every number below for every seed.\n\n");
	fprintf(out, "## Statistics\n\nEvery number is the mean over the seeds ± the half-width of its 95 %% "
		     "confidence interval (Student's t with n - 1 degrees of freedom; n = the seeds whose run "
		     "completed).  Two policies are compared with a **paired t test**: every policy runs the same "
		     "seeds, so for each seed both see the same frames, requests and arrivals (common random "
		     "numbers), and the per-seed difference removes what the seed itself contributes.  The 95 %% "
		     "interval of the mean difference (t, n - 1 degrees of freedom) is therefore much narrower than "
		     "what Welch's two-sample test would give on the same runs, which treats the two samples as "
		     "independent.  A difference is significant when that interval excludes 0 (or when every seed "
		     "shows the same non-zero difference); otherwise the report says \"no significant "
		     "difference\".  Jain's index of a run is computed over its saturated tenants only: those whose "
		     "unit rate fell more than 1 %% (and one unit) below their solo rate -- they wanted more than "
		     "their share; a tenant that got all it asked for is not treated unfairly by a smaller share.  "
		     "Loss vs. solo compares each seed's runs with that seed's solo baselines.\n\n");
}

int vgs_seeds_compare_write(const struct vgs_compare *cmp, const uint64_t *seeds, size_t n, const char *dir,
			    struct vgs_error *err)
{
	const struct vgs_compare *c = &cmp[0];
	char *csv = g_build_filename(dir, "seeds.csv", NULL), *md = g_build_filename(dir, "report.md", NULL);
	FILE *f = fopen(csv, "w"), *out = f ? fopen(md, "w") : NULL;
	int rc = -1;

	if (!f || !out) {
		vgs_error_set(err, "cannot write %s: %s", f ? md : csv, strerror(errno));
		goto out;
	}
	fputs("metric,group,policy,seed,value\n", f);
	for (size_t mi = 0; mi < vgs_cmp_nmetrics; mi++) {
		const struct vgs_cmp_metric *m = &vgs_cmp_metrics[mi];

		for (size_t g = 0; g < ngroups_of(c, m); g++) {
			double *x = metric_values(cmp, n, m, g);

			for (size_t r = 0; r < c->nruns; r++)
				for (size_t k = 0; k < n; k++) {
					fprintf(f, "%s,%s,%s,%" G_GUINT64_FORMAT ",", m->key, m->per_group ? c->groups[g] : "",
						c->runs[r].name, seeds[k]);
					csv_value(f, x[r * n + k]);
					fputc('\n', f);
				}
			g_free(x);
		}
	}
	header(out, cmp, seeds, n);
	fprintf(out, "## Significant differences\n\nWhere the best policy's number differs significantly from "
		     "another's (paired t test, 95 %%):\n\n");
	vgs_seeds_compare_summary(cmp, n, out);
	fprintf(out, "\n## Per policy\n\n");
	table(out, cmp, n, false, 0);
	for (size_t g = 0; g < c->ngroups; g++) {
		fprintf(out, "## Per class: %s\n\n", c->groups[g]);
		table(out, cmp, n, true, g);
	}
	rankings(out, cmp, n);
	rc = 0;
out:
	rc = close_both(f, csv, out, md, rc == 0, err);
	g_free(csv);
	g_free(md);
	return rc;
}

/* ---- run --seeds ----------------------------------------------------------------------------- */

/* A number of `run --seeds`: a tenants.csv column (tenant rows) or a global number of summary.json. */
struct run_metric {
	const char *key;             /* seeds.csv `metric` */
	const char *label;
	int dec;
	double scale;                /* printed = value x scale */
};

static const struct run_metric tenant_metrics[] = {
	{ "unit_rate_per_s", "rate /s", 2, 1 },
	{ "lat_p50_ms", "p50 ms", 3, 1 },
	{ "lat_p99_ms", "p99 ms", 3, 1 },
	{ "interval_p99_ms", "interval p99 ms", 3, 1 },
	{ "deadline_misses", "deadline misses", 1, 1 },
	{ "share", "share %", 2, 100 },
};

static const struct run_metric global_metrics[] = {
	{ "jain_index", "Jain's index (all tenants)", 4, 1 },
	{ "utilisation", "utilisation %", 2, 100 },
	{ "switch_overhead_pct", "switch overhead %", 3, 1 },
	{ "units", "units", 1, 1 },
	{ "deadline_misses", "deadline misses", 1, 1 },
};

#define NTM G_N_ELEMENTS(tenant_metrics)
#define NGM G_N_ELEMENTS(global_metrics)

/* The global numbers of a run, in global_metrics order. */
static void run_globals(const struct vgs_results *r, double *x)
{
	x[0] = r->jain_index;
	x[1] = r->utilisation;
	x[2] = r->switch_overhead_pct;
	x[3] = r->units;
	x[4] = r->deadline_misses;
}

/* Read seed k's run into v[(t * NTM + m) * n + k] (tenants) and g[m * n + k] (global); NAN when failed. */
static int read_seed(const char *dir, uint64_t seed, char *const *tenants, size_t nt, size_t n, size_t k, double *v,
		     double *g, struct vgs_error *err)
{
	char *sub = g_strdup_printf("%s/seed-%" G_GUINT64_FORMAT, dir, seed);
	struct vgs_unit_intervals *iv = g_new0(struct vgs_unit_intervals, nt + 1);
	struct vgs_results r;
	double gx[NGM];
	int rc = -1;

	if (vgs_results_read(&r, sub, err) < 0)
		goto out;
	if (vgs_units_intervals(sub, tenants, nt, iv, err) < 0) {
		vgs_results_fini(&r);
		goto out;
	}
	run_globals(&r, gx);
	for (size_t m = 0; m < NGM; m++)
		g[m * n + k] = gx[m];
	for (size_t t = 0; t < nt; t++) {
		int row = vgs_table_find(&r.tenants, "tenant", tenants[t]);

		for (size_t m = 0; m < NTM; m++) {
			double x = row < 0 ? NAN :
				   !strcmp(tenant_metrics[m].key, "interval_p99_ms") ? iv[t].p99_ms :
									      vgs_table_num(&r.tenants, (guint)row, tenant_metrics[m].key);

			v[(t * NTM + m) * n + k] = x;
		}
	}
	vgs_results_fini(&r);
	rc = 0;
out:
	g_free(iv);
	g_free(sub);
	return rc;
}

static void run_tables(FILE *out, char *const *tenants, size_t nt, size_t n, const double *v, const double *g)
{
	struct vgs_ci ci;

	fprintf(out, "| number | mean ± 95 %% interval |\n|---|---:|\n");
	for (size_t m = 0; m < NGM; m++) {
		double x[n ? n : 1];

		for (size_t k = 0; k < n; k++)
			x[k] = g[m * n + k] * global_metrics[m].scale;
		vgs_ci_mean(x, n, VGS_SEEDS_LEVEL, &ci);
		fprintf(out, "| %s | %s |\n", global_metrics[m].label, PM(&ci, global_metrics[m].dec));
	}
	fprintf(out, "\n| tenant |");
	for (size_t m = 0; m < NTM; m++)
		fprintf(out, " %s |", tenant_metrics[m].label);
	fprintf(out, "\n|---|");
	for (size_t m = 0; m < NTM; m++)
		fprintf(out, "---:|");
	fprintf(out, "\n");
	for (size_t t = 0; t < nt; t++) {
		fprintf(out, "| %s |", tenants[t]);
		for (size_t m = 0; m < NTM; m++) {
			double x[n ? n : 1];

			for (size_t k = 0; k < n; k++)
				x[k] = v[(t * NTM + m) * n + k] * tenant_metrics[m].scale;
			vgs_ci_mean(x, n, VGS_SEEDS_LEVEL, &ci);
			fprintf(out, " %s |", PM(&ci, tenant_metrics[m].dec));
		}
		fprintf(out, "\n");
	}
}

int vgs_seeds_run_write(const char *dir, char *const *tenants, size_t ntenants, const uint64_t *seeds,
			char *const *failed, size_t n, FILE *out, struct vgs_error *err)
{
	double *v = g_new(double, ntenants * NTM * n + 1), *g = g_new(double, NGM * n + 1);
	char *csv = g_build_filename(dir, "seeds.csv", NULL), *mdp = g_build_filename(dir, "report.md", NULL);
	FILE *f = NULL, *md = NULL;
	size_t ok = 0;
	int rc = -1;

	for (size_t i = 0; i < ntenants * NTM * n; i++)
		v[i] = NAN;
	for (size_t i = 0; i < NGM * n; i++)
		g[i] = NAN;
	for (size_t k = 0; k < n; k++) {
		if (failed[k])
			continue;
		if (read_seed(dir, seeds[k], tenants, ntenants, n, k, v, g, err) < 0)
			goto out;
		ok++;
	}
	f = fopen(csv, "w");
	md = f ? fopen(mdp, "w") : NULL;
	if (!f || !md) {
		vgs_error_set(err, "cannot write %s: %s", f ? mdp : csv, strerror(errno));
		goto out;
	}
	fputs("tenant,metric,seed,value\n", f);
	for (size_t m = 0; m < NGM; m++)
		for (size_t k = 0; k < n; k++) {
			fprintf(f, "-,%s,%" G_GUINT64_FORMAT ",", global_metrics[m].key, seeds[k]);
			csv_value(f, g[m * n + k]);
			fputc('\n', f);
		}
	for (size_t t = 0; t < ntenants; t++)
		for (size_t m = 0; m < NTM; m++)
			for (size_t k = 0; k < n; k++) {
				fprintf(f, "%s,%s,%" G_GUINT64_FORMAT ",", tenants[t], tenant_metrics[m].key, seeds[k]);
				csv_value(f, v[(t * NTM + m) * n + k]);
				fputc('\n', f);
			}
	fprintf(md, "# Replications: %zu of %zu seeds completed\n\nSeeds", ok, n);
	for (size_t k = 0; k < n; k++)
		fprintf(md, "%s %" G_GUINT64_FORMAT "%s", k ? "," : "", seeds[k], failed[k] ? " (failed)" : "");
	fprintf(md, "; each run is in `seed-<SEED>/`, every number of every seed in `seeds.csv`.  Numbers are the "
		    "mean over the seeds ± the half-width of its 95 %% confidence interval (Student's t, n - 1 "
		    "degrees of freedom).\n\n");
	run_tables(md, tenants, ntenants, n, v, g);
	if (out)
		run_tables(out, tenants, ntenants, n, v, g);
	rc = 0;
out:
	rc = close_both(f, csv, md, mdp, rc == 0, err);
	g_free(csv);
	g_free(mdp);
	g_free(v);
	g_free(g);
	return rc;
}
