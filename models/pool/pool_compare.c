/*
 * A comparison of placement policies on one pool (`vgpusim compare POOLCONFIG -p P1,P2,...`, docs/
 * pools.md "Comparing placement policies"): each policy's pool run read back (summary.json,
 * timeseries.csv, metering.csv) into compare.csv, report.md and the data of the fragmentation plot.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <yajl/yajl_tree.h>

#include "models/base/json.h"
#include "models/pool/pool.h"
#include "models/results/results.h"

/* The numbers of compare.csv, in its order: summary.json path (pool.<a>[.<b>]), column, report title,
 * unit, and which way is better (+1 higher, -1 lower, 0 neither). */
static const struct col {
	const char *a, *b, *col, *title, *unit;
	int better;
	double scale;
} cols[] = {
	{ "arrived", NULL, "arrived", "requests arrived", "", 0, 1 },
	{ "placed", NULL, "placed", "requests placed", "", +1, 1 },
	{ "queued_at_end", NULL, "queued_at_end", "queued at the end", "", -1, 1 },
	{ "queue_delay_s", "mean", "queue_mean_s", "queueing delay, mean", "s", -1, 1 },
	{ "queue_delay_s", "p95", "queue_p95_s", "queueing delay, p95", "s", -1, 1 },
	{ "queue_delay_s", "p99", "queue_p99_s", "queueing delay, p99", "s", -1, 1 },
	{ "queue_delay_s", "max", "queue_max_s", "queueing delay, max", "s", -1, 1 },
	{ "stranded_fb_gb", NULL, "stranded_fb_gb", "stranded framebuffer (time mean)", "GiB", -1, 1 },
	{ "stranded_slices", NULL, "stranded_slices", "stranded MIG slices (time mean)", "slices", -1, 1 },
	{ "utilisation", NULL, "utilisation_pct", "utilisation (busiest engine class)", "%", +1, 100 },
	{ "allocation", NULL, "allocation_pct", "allocation (framebuffer and slices given out)", "%", +1, 100 },
	{ "sla_attainment", NULL, "sla_attainment_pct", "SLA attainment", "%", +1, 100 },
	{ "energy_j", NULL, "energy_kwh", "energy", "kWh", -1, 1 / 3.6e6 },
	{ "charge", NULL, "charge", "charge before SLA credits", "", 0, 1 },
	{ "bill", NULL, "bill", "bill", "", 0, 1 },
	{ "migrations_done", NULL, "migrations", "live migrations", "", 0, 1 },
	{ "downtime_ms_mean", NULL, "downtime_ms_mean", "migration downtime, mean", "ms", -1, 1 },
};
#define NCOLS G_N_ELEMENTS(cols)

struct prun {
	double v[NCOLS];
	char *currency;
	GArray *t, *fb, *sl, *queued; /* timeseries.csv */
	bool ok;
};

static double num(yajl_val root, const char *a, const char *b)
{
	const char *path[] = { "pool", a, b, NULL };
	yajl_val v = yajl_tree_get(root, path, yajl_t_any);

	return v && YAJL_IS_NUMBER(v) ? YAJL_GET_DOUBLE(v) : NAN;
}

static void read_run(const char *dir, const char *name, struct prun *r)
{
	char *path = g_build_filename(dir, name, "summary.json", NULL), *text = NULL, ebuf[256];
	struct vgs_table ts = { 0 };
	struct vgs_error err;
	yajl_val root;

	r->t = g_array_new(FALSE, FALSE, sizeof(double));
	r->fb = g_array_new(FALSE, FALSE, sizeof(double));
	r->sl = g_array_new(FALSE, FALSE, sizeof(double));
	r->queued = g_array_new(FALSE, FALSE, sizeof(double));
	if (!g_file_get_contents(path, &text, NULL, NULL) || !(root = yajl_tree_parse(text, ebuf, sizeof(ebuf)))) {
		g_free(path);
		g_free(text);
		return;
	}
	for (size_t k = 0; k < NCOLS; k++)
		r->v[k] = num(root, cols[k].a, cols[k].b) * cols[k].scale;
	{
		const char *cp[] = { "pool", "currency", NULL };
		yajl_val c = yajl_tree_get(root, cp, yajl_t_string);

		r->currency = g_strdup(c ? YAJL_GET_STRING(c) : "");
	}
	yajl_tree_free(root);
	g_free(path);
	g_free(text);
	path = g_build_filename(dir, name, "timeseries.csv", NULL);
	if (vgs_table_read(&ts, path, &err) == 0)
		for (guint i = 0; i < vgs_table_nrows(&ts); i++) {
			double t = vgs_table_num(&ts, i, "t_s") / 3600.0, f = vgs_table_num(&ts, i, "stranded_fb_gb");
			double s = vgs_table_num(&ts, i, "stranded_slices"), q = vgs_table_num(&ts, i, "queued");

			g_array_append_val(r->t, t);
			g_array_append_val(r->fb, f);
			g_array_append_val(r->sl, s);
			g_array_append_val(r->queued, q);
		}
	vgs_table_fini(&ts);
	g_free(path);
	r->ok = true;
}

static void put(FILE *f, double v)
{
	char buf[64];

	if (!isnan(v))
		fputs(vgs_fmt_double(buf, sizeof(buf), "%.6g", v), f);
}

/* The best run on column k (index), or -1 when none or no direction. */
static int best(const struct prun *r, size_t n, size_t k)
{
	int b = -1;

	if (!cols[k].better)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!r[i].ok || isnan(r[i].v[k]))
			continue;
		if (b < 0 || (cols[k].better > 0 ? r[i].v[k] > r[b].v[k] : r[i].v[k] < r[b].v[k]))
			b = (int)i;
	}
	return b;
}

static int write_csv(const char *dir, char *const *names, size_t n, const struct prun *r, struct vgs_error *err)
{
	char *path = g_build_filename(dir, "compare.csv", NULL);
	FILE *f = fopen(path, "w");

	if (!f) {
		vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
		g_free(path);
		return -1;
	}
	fputs("placement,complete", f);
	for (size_t k = 0; k < NCOLS; k++)
		fprintf(f, ",%s", cols[k].col);
	fputc('\n', f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s,%d", names[i], r[i].ok);
		for (size_t k = 0; k < NCOLS; k++) {
			fputc(',', f);
			if (r[i].ok)
				put(f, r[i].v[k]);
		}
		fputc('\n', f);
	}
	g_free(path);
	return fclose(f) == 0 ? 0 : (vgs_error_set(err, "cannot write %s/compare.csv", dir), -1);
}

/* The rest of a Markdown table's header row after its first cell (one column per policy), and the
 * separator row. */
static void md_columns(FILE *f, char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, " %s |", names[i]);
	fputs("\n|---|", f);
	for (size_t i = 0; i < n; i++)
		fputs("---|", f);
	fputc('\n', f);
}

/* Stranded framebuffer and slices, and the queue, at up to 12 instants of the run (its samples). */
static void series_table(FILE *f, char *const *names, size_t n, const struct prun *r)
{
	guint len = 0, step;

	for (size_t i = 0; i < n; i++)
		if (r[i].ok && r[i].t->len > len)
			len = r[i].t->len;
	if (!len)
		return;
	step = len > 12 ? (len + 11) / 12 : 1;
	fputs("\n## Fragmentation over time\n\nStranded framebuffer (GiB) / stranded MIG slices / queued requests at "
	      "each instant (timeseries.csv of each run; plots/fragmentation.png):\n\n| hour |", f);
	md_columns(f, names, n);
	for (guint s = 0; s < len; s += step) {
		fprintf(f, "| %.2f |", g_array_index(r[0].t, double, s < r[0].t->len ? s : 0));
		for (size_t i = 0; i < n; i++) {
			if (!r[i].ok || s >= r[i].t->len) {
				fputs(" |", f);
				continue;
			}
			fprintf(f, " %.1f / %.1f / %.0f |", g_array_index(r[i].fb, double, s), g_array_index(r[i].sl, double, s),
				g_array_index(r[i].queued, double, s));
		}
		fputc('\n', f);
	}
}

static int write_report(const char *dir, const char *scenario, char *const *names, size_t n, const struct prun *r,
			bool plotted, struct vgs_error *err)
{
	char *path = g_build_filename(dir, "report.md", NULL);
	FILE *f = fopen(path, "w");
	const char *cur = "";

	if (!f) {
		vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
		g_free(path);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (r[i].ok && r[i].currency && *r[i].currency)
			cur = r[i].currency;
	fprintf(f, "# Placement policies on %s\n\nOne pool run per policy (`vgpusim pool`, two levels: docs/pools.md); "
		"every number is defined in docs/pools.md, \"Metrics\".  **Bold**: the best.\n\n| metric |", scenario);
	md_columns(f, names, n);
	for (size_t k = 0; k < NCOLS; k++) {
		int b = best(r, n, k);
		char bs[32] = "", vs[32];
		size_t tied = 0, ok = 0;

		/* The best as printed: every run that prints the same is bold too; when all do, none is. */
		if (b >= 0)
			snprintf(bs, sizeof(bs), "%.4g", r[b].v[k]);
		for (size_t i = 0; b >= 0 && i < n; i++) {
			if (!r[i].ok || isnan(r[i].v[k]))
				continue;
			ok++;
			snprintf(vs, sizeof(vs), "%.4g", r[i].v[k]);
			tied += strcmp(vs, bs) == 0;
		}
		if (tied == ok)
			b = -1;
		const char *unit = !strcmp(cols[k].col, "bill") || !strcmp(cols[k].col, "charge") ? cur : cols[k].unit;

		fprintf(f, "| %s%s%s%s |", cols[k].title, *unit ? " (" : "", unit, *unit ? ")" : "");
		for (size_t i = 0; i < n; i++) {
			fputs(" ", f);
			if (!r[i].ok) {
				fputs("failed |", f);
				continue;
			}
			snprintf(vs, sizeof(vs), "%.4g", r[i].v[k]);
			bool bold = b >= 0 && !isnan(r[i].v[k]) && strcmp(vs, bs) == 0;

			fputs(bold ? "**" : "", f);
			fputs(isnan(r[i].v[k]) ? "-" : vs, f);
			fputs(bold ? "** |" : " |", f);
		}
		fputc('\n', f);
	}
	series_table(f, names, n, r);
	fputs("\n## Metering\n\nEach run's metering.csv bills every request by its vGPU profile's hourly price and "
	      "credits its SLA attainment by the price sheet's tiers (docs/pools.md, \"Metering\"); the totals are in "
	      "the table above.\n", f);
	if (plotted)
		fputs("\n![stranded capacity and queue over time](plots/fragmentation.png)\n", f);
	g_free(path);
	return fclose(f) == 0 ? 0 : (vgs_error_set(err, "cannot write %s/report.md", dir), -1);
}

/* plots/fragmentation.dat: hour, then per run its stranded framebuffer, stranded slices, queue. */
static int write_plot_data(const char *dir, size_t n, const struct prun *r, struct vgs_error *err)
{
	char *pdir = g_build_filename(dir, "plots", NULL), *path = g_build_filename(pdir, "fragmentation.dat", NULL);
	FILE *f;
	guint len = 0;

	g_mkdir_with_parents(pdir, 0777);
	f = fopen(path, "w");
	g_free(pdir);
	if (!f) {
		vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
		g_free(path);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (r[i].ok && r[i].t->len > len)
			len = r[i].t->len;
	fputs("# hour, then per placement policy: stranded_fb_gb stranded_slices queued\n", f);
	for (guint s = 0; s < len; s++) {
		fprintf(f, "%.4f", s < r[0].t->len ? g_array_index(r[0].t, double, s) : NAN);
		for (size_t i = 0; i < n; i++) {
			bool have = r[i].ok && s < r[i].t->len;

			fprintf(f, "\t%.4f\t%.4f\t%.0f", have ? g_array_index(r[i].fb, double, s) : NAN,
				have ? g_array_index(r[i].sl, double, s) : NAN, have ? g_array_index(r[i].queued, double, s) : NAN);
		}
		fputc('\n', f);
	}
	g_free(path);
	return fclose(f) == 0 ? 0 : (vgs_error_set(err, "cannot write %s/plots/fragmentation.dat", dir), -1);
}

int vgs_pool_compare_write(const char *dir, const char *scenario, char *const *names, size_t n, bool plot_data,
			   bool plotted, struct vgs_error *err)
{
	struct prun *r = g_new0(struct prun, n ? n : 1);
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		read_run(dir, names[i], &r[i]);
	if (write_csv(dir, names, n, r, err) < 0 || write_report(dir, scenario, names, n, r, plotted, err) < 0 ||
	    (plot_data && write_plot_data(dir, n, r, err) < 0))
		rc = -1;
	for (size_t i = 0; i < n; i++) {
		g_free(r[i].currency);
		g_array_free(r[i].t, TRUE);
		g_array_free(r[i].fb, TRUE);
		g_array_free(r[i].sl, TRUE);
		g_array_free(r[i].queued, TRUE);
	}
	g_free(r);
	return rc;
}

void vgs_pool_compare_print(const char *dir, FILE *out)
{
	struct vgs_table t = { 0 };
	struct vgs_error err;
	char *path = g_build_filename(dir, "compare.csv", NULL);

	if (vgs_table_read(&t, path, &err) == 0) {
		fprintf(out, "%-14s %10s %10s %10s %10s %8s %8s\n", "placement", "queue_s", "queue_p95", "strand_GiB",
			"strand_sl", "util_%", "SLA_%");
		for (guint i = 0; i < vgs_table_nrows(&t); i++)
			fprintf(out, "%-14s %10.1f %10.1f %10.2f %10.2f %8.1f %8.2f\n", vgs_table_get(&t, i, "placement"),
				vgs_table_num(&t, i, "queue_mean_s"), vgs_table_num(&t, i, "queue_p95_s"),
				vgs_table_num(&t, i, "stranded_fb_gb"), vgs_table_num(&t, i, "stranded_slices"),
				vgs_table_num(&t, i, "utilisation_pct"), vgs_table_num(&t, i, "sla_attainment_pct"));
	}
	vgs_table_fini(&t);
	g_free(path);
}
