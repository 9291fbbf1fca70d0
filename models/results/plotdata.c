/*
 * The .dat files behind `vgpusim plot` (plotdata.h).  Each is written from the runs' results files:
 * tenants.csv and engines.csv (rates, shares, utilisation), summary.json (warm-up, switch overhead),
 * units.csv (latency CDFs, streamed) and slices.csv (Gantt charts, streamed).  Numbers are written with
 * '.' as the decimal point whatever the locale.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/base/csv.h"
#include "models/base/json.h"
#include "models/results/plotdata.h"
#include "models/results/results.h"

/* Points per CDF curve at most: a curve of more units is sampled at evenly spaced ranks. */
#define CDF_POINTS 400

/* ---- sources --------------------------------------------------------------------------------- */

int vgs_plot_sources(const char *dir, struct vgs_plot_src **runs, size_t *nruns, struct vgs_error *err)
{
	char *cmp = g_build_filename(dir, "compare.csv", NULL);
	GPtrArray *out = g_ptr_array_new();
	struct vgs_table t;
	int rc = -1;

	*runs = NULL;
	*nruns = 0;
	if (g_file_test(cmp, G_FILE_TEST_EXISTS)) {
		if (vgs_table_read(&t, cmp, err) < 0)
			goto out;
		if (vgs_table_col(&t, "policy") < 0 || vgs_table_col(&t, "complete") < 0) {
			vgs_error_set(err, "%s:1: expected the columns policy and complete", cmp);
			vgs_table_fini(&t);
			goto out;
		}
		for (guint r = 0; r < vgs_table_nrows(&t); r++) {
			const char *name = vgs_table_get(&t, r, "policy");
			bool seen = false;

			for (guint k = 0; k < out->len; k++)
				seen |= strcmp(((struct vgs_plot_src *)out->pdata[k])->name, name) == 0;
			if (seen || strcmp(vgs_table_get(&t, r, "complete"), "1") != 0)
				continue;
			struct vgs_plot_src *s = g_new0(struct vgs_plot_src, 1);

			s->name = g_strdup(name);
			s->dir = g_build_filename(dir, name, NULL);
			g_ptr_array_add(out, s);
		}
		vgs_table_fini(&t);
		if (out->len == 0) {
			vgs_error_set(err, "%s: no complete run to plot", cmp);
			goto out;
		}
	} else {
		struct vgs_results res;
		struct vgs_plot_src *s;

		if (vgs_results_read(&res, dir, err) < 0) {
			char msg[sizeof(err->msg)];

			snprintf(msg, sizeof(msg), "%s", err->msg);
			vgs_error_set(err, "%s is neither a comparison (no compare.csv) nor a run: %s", dir, msg);
			goto out;
		}
		s = g_new0(struct vgs_plot_src, 1);
		/* a .so policy may name itself anything: keep file names and gnuplot word lists intact */
		s->name = g_strdup(res.policy);
		for (char *q = s->name; *q; q++)
			if (!g_ascii_isalnum(*q) && !strchr("._=+-", *q))
				*q = '_';
		s->dir = g_strdup(dir);
		g_ptr_array_add(out, s);
		vgs_results_fini(&res);
	}
	*nruns = out->len;
	*runs = g_new0(struct vgs_plot_src, out->len);
	for (guint k = 0; k < out->len; k++) {
		(*runs)[k] = *(struct vgs_plot_src *)out->pdata[k];
		g_free(out->pdata[k]);
	}
	g_ptr_array_set_size(out, 0);
	rc = 0;
out:
	for (guint k = 0; k < out->len; k++) {
		struct vgs_plot_src *s = out->pdata[k];

		g_free(s->name);
		g_free(s->dir);
		g_free(s);
	}
	g_ptr_array_free(out, TRUE);
	g_free(cmp);
	return rc;
}

void vgs_plot_sources_free(struct vgs_plot_src *runs, size_t nruns)
{
	for (size_t i = 0; runs && i < nruns; i++) {
		g_free(runs[i].name);
		g_free(runs[i].dir);
	}
	g_free(runs);
}

void vgs_plot_job_free(struct vgs_plot_job *j)
{
	if (!j)
		return;
	g_free(j->script);
	g_free(j->out);
	g_free(j->vars);
	g_free(j);
}

/* ---- helpers --------------------------------------------------------------------------------- */

struct plot_ctx {
	const struct vgs_plot_src *runs;
	size_t nruns;
	struct vgs_results *res;     /* nruns */
	const char *plotdir;
	GPtrArray *jobs;
	GString *policies;           /* "a b c": the run names, for the scripts' legends */
	struct vgs_error *err;
};

/* A gnuplot single-quoted string literal ('' stands for one quote). */
static void gp_str(GString *s, const char *v)
{
	g_string_append_c(s, '\'');
	for (; *v; v++) {
		if (*v == '\'')
			g_string_append_c(s, '\'');
		g_string_append_c(s, *v);
	}
	g_string_append_c(s, '\'');
}

static void gp_var(GString *s, const char *name, const char *value)
{
	g_string_append_printf(s, "%s=", name);
	gp_str(s, value);
	g_string_append(s, "; ");
}

/* "%.6f", '.' whatever the locale, NaN for undefined. */
static void dat_num(FILE *f, double v)
{
	char buf[64];

	fputc('\t', f);
	fputs(isfinite(v) ? vgs_fmt_double(buf, sizeof(buf), "%.6f", v) : "NaN", f);
}

static FILE *dat_open(struct plot_ctx *p, const char *name, char **path)
{
	FILE *f;

	*path = g_build_filename(p->plotdir, name, NULL);
	f = fopen(*path, "w");
	if (!f)
		vgs_error_set(p->err, "cannot write %s: %s", *path, strerror(errno));
	return f;
}

static int dat_close(struct plot_ctx *p, FILE *f, const char *path)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad) {
		vgs_error_set(p->err, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Queue a job: the script, plots/<out>, and the variables (datafile and out are added here). */
static void add_job(struct plot_ctx *p, const char *script, const char *out, const char *datafile, GString *vars)
{
	struct vgs_plot_job *j = g_new0(struct vgs_plot_job, 1);
	GString *v = g_string_new(NULL);

	j->script = g_strdup(script);
	j->out = g_build_filename(p->plotdir, out, NULL);
	gp_var(v, "datafile", datafile);
	gp_var(v, "out", j->out);
	gp_var(v, "policies", p->policies->str);
	if (vars)
		g_string_append(v, vars->str);
	j->vars = g_string_free(v, FALSE);
	g_ptr_array_add(p->jobs, j);
}

/* The first run's tenants: the rows every per-tenant plot has, in scenario order. */
static const struct vgs_table *tenants(const struct plot_ctx *p)
{
	return &p->res[0].tenants;
}

static const char *rate_unit(const char *unit)
{
	if (!unit)
		return "/s";
	if (!strcmp(unit, "frame"))
		return "fps";
	if (!strcmp(unit, "request"))
		return "req/s";
	if (!strcmp(unit, "iteration"))
		return "it/s";
	return "/s";
}

/* ---- rate and share -------------------------------------------------------------------------- */

/* One row per tenant: name, label, a reference column (SLA rate or target), one column per run. */
static int write_bars(struct plot_ctx *p, const char *file, const char *what, const char *ref_name,
		      const char *ref_col, const char *col, double scale, bool unit_label)
{
	const struct vgs_table *t = tenants(p);
	char *path;
	FILE *f = dat_open(p, file, &path);

	if (!f) {
		g_free(path);
		return -1;
	}
	fprintf(f, "# vgpusim plot: %s per tenant under each policy; %s (NaN: none)\n# tenant\tlabel\t%s",
		what, ref_name, ref_name);
	for (size_t r = 0; r < p->nruns; r++)
		fprintf(f, "\t%s", p->runs[r].name);
	fputc('\n', f);
	for (guint i = 0; i < vgs_table_nrows(t); i++) {
		const char *name = vgs_table_get(t, i, "tenant");

		fprintf(f, "%s\t", name);
		if (unit_label)
			fprintf(f, "%s (%s)", name, rate_unit(vgs_table_get(t, i, "unit")));
		else
			fputs(name, f);
		dat_num(f, vgs_table_num(t, i, ref_col) * scale);
		for (size_t r = 0; r < p->nruns; r++) {
			int row = vgs_table_find(&p->res[r].tenants, "tenant", name);

			dat_num(f, row >= 0 ? vgs_table_num(&p->res[r].tenants, row, col) * scale : NAN);
		}
		fputc('\n', f);
	}
	if (dat_close(p, f, path) < 0) {
		g_free(path);
		return -1;
	}
	g_free(path);
	return 0;
}

static int plot_rate_share(struct plot_ctx *p)
{
	GString *v = g_string_new(NULL);
	char *path;

	g_string_append_printf(v, "ntenants=%u; ", vgs_table_nrows(tenants(p)));
	if (write_bars(p, "rate.dat", "unit rate (units/s)", "sla", "sla_rate_per_s", "unit_rate_per_s", 1, true) < 0 ||
	    write_bars(p, "share.dat", "share of the held time (%)", "target", "share_target", "share", 100, false) < 0) {
		g_string_free(v, TRUE);
		return -1;
	}
	path = g_build_filename(p->plotdir, "rate.dat", NULL);
	add_job(p, "plot-rate.gp", "rate", path, v);
	g_free(path);
	path = g_build_filename(p->plotdir, "share.dat", NULL);
	add_job(p, "plot-share.gp", "share", path, v);
	g_free(path);
	g_string_free(v, TRUE);
	return 0;
}

/* ---- latency CDF ----------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The measured unit latencies (ms) of run r, one GArray of double per group of `groups`. */
static int read_latencies(struct plot_ctx *p, size_t r, GPtrArray *groups, GArray **lat)
{
	const struct vgs_table *t = &p->res[r].tenants;
	char *path = g_build_filename(p->runs[r].dir, "units.csv", NULL);
	GHashTable *group_of = g_hash_table_new(g_str_hash, g_str_equal);
	struct vgs_csv c;
	int ct, cl, cm, rc;

	for (guint i = 0; i < vgs_table_nrows(t); i++)
		for (guint g = 0; g < groups->len; g++)
			if (!strcmp(vgs_table_get(t, i, "group"), groups->pdata[g]))
				g_hash_table_insert(group_of, (gpointer)vgs_table_get(t, i, "tenant"),
						    GUINT_TO_POINTER(g + 1));
	rc = vgs_csv_open(&c, path, p->err);
	if (rc == 0 && (rc = vgs_csv_header(&c, p->err)) == 0) {
		ct = vgs_csv_col(&c, "tenant");
		cl = vgs_csv_col(&c, "latency_ns");
		cm = vgs_csv_col(&c, "measured");
		if (ct < 0 || cl < 0 || cm < 0) {
			vgs_error_set(p->err, "%s:1: expected the columns tenant, latency_ns and measured", path);
			rc = -1;
		}
		while (rc == 0 && (rc = vgs_csv_next(&c, p->err)) > 0) {
			const char *m = vgs_csv_field(&c, cm), *tn = vgs_csv_field(&c, ct);
			guint g = tn ? GPOINTER_TO_UINT(g_hash_table_lookup(group_of, tn)) : 0;
			uint64_t ns;

			rc = 0;
			if (!m || strcmp(m, "1") != 0 || g == 0)
				continue;
			if (vgs_csv_u64(vgs_csv_field(&c, cl), &ns) < 0) {
				vgs_error_set(p->err, "%s:%u: expected an integer latency_ns", path, c.line);
				rc = -1;
				break;
			}
			double ms = (double)ns / 1e6;

			g_array_append_val(lat[g - 1], ms);
		}
	}
	if (c.gz)
		vgs_csv_close(&c);
	g_hash_table_destroy(group_of);
	g_free(path);
	return rc < 0 ? -1 : 0;
}

/* Write one CDF curve: every point of a short curve, else CDF_POINTS evenly spaced ranks and the max. */
static void write_cdf(FILE *f, GArray *a)
{
	guint n = a->len, step = n > CDF_POINTS ? (n + CDF_POINTS - 1) / CDF_POINTS : 1;
	char x[64], y[64];

	if (n == 0)
		fputs("NaN\tNaN\n", f); /* keeps the block, so the index numbering holds */
	g_array_sort(a, cmp_double);
	for (guint k = 0; k < n; k++) {
		if ((k + 1) % step != 0 && k != n - 1)
			continue;
		fprintf(f, "%s\t%s\n", vgs_fmt_double(x, sizeof(x), "%.6f", g_array_index(a, double, k)),
			vgs_fmt_double(y, sizeof(y), "%.6f", (double)(k + 1) / n));
	}
	fputs("\n\n", f);
}

/*
 * Tick positions (space-separated) for a log axis over [lo, hi]: 1-2-5 per decade, or every integer multiple of the
 * decade when that gives fewer than three, or for a range narrower than that, a linear 1-2-5 step.
 */
static void log_ticks(GString *out, double lo, double hi)
{
	static const double m125[] = { 1, 2, 5 }, m1_9[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	const double *sets[] = { m125, m1_9 };
	const size_t nset[] = { 3, 9 };
	char buf[64];

	for (int s = 0; s < 2; s++) {
		GString *t = g_string_new(NULL);
		int n = 0;

		for (int k = (int)floor(log10(lo)); k <= (int)ceil(log10(hi)); k++)
			for (size_t i = 0; i < nset[s]; i++) {
				double x = sets[s][i] * pow(10, k);

				if (x >= lo && x <= hi) {
					g_string_append_printf(t, "%s%s", n++ ? " " : "", vgs_fmt_double(buf, sizeof(buf), "%g", x));
				}
			}
		if (n >= 3) {
			g_string_append(out, t->str);
			g_string_free(t, TRUE);
			return;
		}
		g_string_free(t, TRUE);
	}
	/* a narrow range: linear steps of 1, 2 or 5 x 10^k giving 3 to 6 ticks */
	double step = pow(10, floor(log10((hi - lo) / 3)));

	if ((hi - lo) / step > 12)
		step *= 5;
	else if ((hi - lo) / step > 6)
		step *= 2;
	for (double x = ceil(lo / step) * step, n = 0; x <= hi; x += step, n++)
		g_string_append_printf(out, "%s%s", n ? " " : "", vgs_fmt_double(buf, sizeof(buf), "%g", x));
}

static int plot_latcdf(struct plot_ctx *p)
{
	const struct vgs_table *t = tenants(p);
	GPtrArray *groups = g_ptr_array_new();
	GString *slas = g_string_new(NULL), *gnames = g_string_new(NULL), *v = g_string_new(NULL);
	GArray **lat = NULL;
	char *path = NULL, buf[64];
	FILE *f = NULL;
	guint ng;
	int rc = -1;

	for (guint i = 0; i < vgs_table_nrows(t); i++) {
		const char *g = vgs_table_get(t, i, "group");
		double sla = vgs_table_num(t, i, "sla_latency_ms");
		bool seen = false;

		for (guint k = 0; k < groups->len; k++)
			seen |= strcmp(groups->pdata[k], g) == 0;
		if (seen)
			continue;
		g_ptr_array_add(groups, (gpointer)g);
		g_string_append_printf(gnames, "%s%s", gnames->len ? " " : "", g);
		g_string_append_printf(slas, "%s%s", slas->len ? " " : "",
				       isfinite(sla) ? vgs_fmt_double(buf, sizeof(buf), "%.6f", sla) : "NaN");
	}
	ng = groups->len;
	/* lat[r * ng + g]: run r's measured latencies (ms) of group g */
	lat = g_new0(GArray *, p->nruns * ng + 1);
	for (size_t k = 0; k < p->nruns * ng; k++)
		lat[k] = g_array_new(FALSE, FALSE, sizeof(double));
	for (size_t r = 0; r < p->nruns; r++)
		if (read_latencies(p, r, groups, lat + r * ng) < 0)
			goto out;
	f = dat_open(p, "latency-cdf.dat", &path);
	if (!f)
		goto out;
	fprintf(f, "# vgpusim plot: CDF of the unit latency of measured units, per tenant group and policy\n"
		   "# block k = group * npolicies + policy (gnuplot index); columns: latency_ms\tfraction\n");
	for (guint g = 0; g < ng; g++)
		for (size_t r = 0; r < p->nruns; r++) {
			fprintf(f, "# group %s, policy %s: %u units\n", (const char *)groups->pdata[g], p->runs[r].name,
				lat[r * ng + g]->len);
			write_cdf(f, lat[r * ng + g]);
		}
	rc = dat_close(p, f, path);
	f = NULL;
	if (rc < 0)
		goto out;
	/* Per panel x range: the group's latencies and its SLA, a quarter wider on both sides (log axis). */
	{
		GString *lo = g_string_new(NULL), *hi = g_string_new(NULL), *ticks = g_string_new(NULL);
		char **sla = g_strsplit(slas->str, " ", -1);

		for (guint g = 0; g < ng; g++) {
			double mn = INFINITY, mx = -INFINITY, sv = g_ascii_strtod(sla[g], NULL);

			for (size_t r = 0; r < p->nruns; r++) {
				GArray *a = lat[r * ng + g];

				for (guint k = 0; k < a->len; k++) {
					double x = g_array_index(a, double, k);

					mn = x > 0 && x < mn ? x : mn;
					mx = x > mx ? x : mx;
				}
			}
			if (isfinite(sv) && sv > 0) {
				mn = sv < mn ? sv : mn;
				mx = sv > mx ? sv : mx;
			}
			if (!isfinite(mn) || !(mx > 0)) /* no unit at all: any range will do */
				mn = mx = 1;
			g_string_append_printf(lo, "%s%s", g ? " " : "", vgs_fmt_double(buf, sizeof(buf), "%.6g", mn / 1.25));
			g_string_append_printf(hi, "%s%s", g ? " " : "", vgs_fmt_double(buf, sizeof(buf), "%.6g", mx * 1.25));
			g_string_truncate(ticks, 0);
			log_ticks(ticks, mn / 1.25, mx * 1.25);
			g_string_append_printf(v, "xticks%u=", g + 1);
			gp_str(v, ticks->str);
			g_string_append(v, "; ");
		}
		gp_var(v, "xmins", lo->str);
		gp_var(v, "xmaxs", hi->str);
		g_string_free(ticks, TRUE);
		g_strfreev(sla);
		g_string_free(lo, TRUE);
		g_string_free(hi, TRUE);
	}
	gp_var(v, "groups", gnames->str);
	gp_var(v, "slas", slas->str);
	add_job(p, "plot-latcdf.gp", "latency-cdf", path, v);
out:
	if (f)
		fclose(f);
	for (size_t k = 0; lat && k < p->nruns * ng; k++)
		g_array_free(lat[k], TRUE);
	g_free(lat);
	g_free(path);
	g_ptr_array_free(groups, TRUE);
	g_string_free(slas, TRUE);
	g_string_free(gnames, TRUE);
	g_string_free(v, TRUE);
	return rc;
}

/* ---- Gantt ----------------------------------------------------------------------------------- */

enum { BOX_SLICE, BOX_SWITCH, BOX_BUSY, BOX_KINDS };

struct gantt_box {
	double t0_ms, t1_ms;         /* relative to the start of the measured window, clipped */
	guint engine;                /* row in engines.csv */
	guint channel;
	guint tenant;                /* index in the first run's tenants.csv */
	int kind;
};

static int read_slices(struct plot_ctx *p, size_t r, const char *path, uint64_t w0, uint64_t w1, GArray *boxes,
		       guint *nchan)
{
	static const char *const kinds[BOX_KINDS] = { "slice", "switch", "busy" };
	static const char *const cols[] = { "kind", "engine", "channel", "tenant", "start_ns", "end_ns" };
	const struct vgs_table *eng = &p->res[r].engines;
	GHashTable *erow = g_hash_table_new(g_str_hash, g_str_equal), *trow = g_hash_table_new(g_str_hash, g_str_equal);
	struct vgs_csv c;
	int col[G_N_ELEMENTS(cols)], rc;

	for (guint i = 0; i < vgs_table_nrows(eng); i++)
		g_hash_table_insert(erow, (gpointer)vgs_table_get(eng, i, "engine"), GUINT_TO_POINTER(i + 1));
	for (guint i = 0; i < vgs_table_nrows(tenants(p)); i++)
		g_hash_table_insert(trow, (gpointer)vgs_table_get(tenants(p), i, "tenant"), GUINT_TO_POINTER(i + 1));
	rc = vgs_csv_open(&c, path, p->err);
	if (rc == 0)
		rc = vgs_csv_header(&c, p->err);
	for (size_t k = 0; rc == 0 && k < G_N_ELEMENTS(cols); k++)
		if ((col[k] = vgs_csv_col(&c, cols[k])) < 0) {
			vgs_error_set(p->err, "%s:1: expected a column '%s'", path, cols[k]);
			rc = -1;
		}
	while (rc == 0 && (rc = vgs_csv_next(&c, p->err)) > 0) {
		const char *kind = vgs_csv_field(&c, col[0]), *ch = vgs_csv_field(&c, col[2]);
		guint e = GPOINTER_TO_UINT(g_hash_table_lookup(erow, vgs_csv_field(&c, col[1]) ?: ""));
		guint t = GPOINTER_TO_UINT(g_hash_table_lookup(trow, vgs_csv_field(&c, col[3]) ?: ""));
		uint64_t a, b, chan = 0;
		struct gantt_box box = { 0 };

		rc = 0;
		box.kind = -1;
		for (int k = 0; k < BOX_KINDS; k++)
			if (kind && !strcmp(kind, kinds[k]))
				box.kind = k;
		if (box.kind < 0 || !e || !t || vgs_csv_u64(vgs_csv_field(&c, col[4]), &a) < 0 ||
		    vgs_csv_u64(vgs_csv_field(&c, col[5]), &b) < 0 || (ch && *ch && vgs_csv_u64(ch, &chan) < 0)) {
			vgs_error_set(p->err, "%s:%u: expected kind (slice, switch, busy), an engine of engines.csv, a "
				      "tenant of tenants.csv and integer channel, start_ns, end_ns", path, c.line);
			rc = -1;
			break;
		}
		if (b <= w0 || a >= w1)
			continue;
		box.engine = e - 1;
		box.tenant = t - 1;
		box.channel = (guint)chan;
		box.t0_ms = (double)((a > w0 ? a : w0) - w0) / 1e6;
		box.t1_ms = (double)((b < w1 ? b : w1) - w0) / 1e6;
		if (box.kind == BOX_BUSY && box.channel + 1 > nchan[box.engine])
			nchan[box.engine] = box.channel + 1;
		if (nchan[box.engine] == 0)
			nchan[box.engine] = 1;
		g_array_append_val(boxes, box);
	}
	if (c.gz)
		vgs_csv_close(&c);
	g_hash_table_destroy(erow);
	g_hash_table_destroy(trow);
	return rc < 0 ? -1 : 0;
}

static int plot_gantt(struct plot_ctx *p, size_t r, double gantt_ms, GString *missing)
{
	const struct vgs_table *eng = &p->res[r].engines;
	char *slices = g_build_filename(p->runs[r].dir, "slices.csv", NULL), *file = NULL, *path = NULL, *out;
	uint64_t w0 = (uint64_t)llround(p->res[r].warmup_s * 1e9), w1 = w0 + (uint64_t)llround(gantt_ms * 1e6);
	guint n = vgs_table_nrows(eng), *nchan = g_new0(guint, n + 1), *ypos = g_new0(guint, n + 1), nused = 0;
	GArray *boxes = g_array_new(FALSE, FALSE, sizeof(struct gantt_box));
	GString *v = g_string_new(NULL), *names = g_string_new(NULL);
	FILE *f = NULL;
	char buf[64];
	int rc = -1;

	if (!g_file_test(slices, G_FILE_TEST_EXISTS)) {
		g_string_append_printf(missing, "%s%s", missing->len ? ", " : "", p->runs[r].name);
		rc = 0;
		goto out;
	}
	if (read_slices(p, r, slices, w0, w1, boxes, nchan) < 0)
		goto out;
	/* Rows: the engines that did something in the window, in engines.csv order, first at the top. */
	for (guint e = 0; e < n; e++)
		nused += nchan[e] > 0;
	for (guint e = 0, k = 0; e < n; e++) {
		if (!nchan[e])
			continue;
		ypos[e] = nused - 1 - k++;
		g_string_append_printf(names, "%s%s", names->len ? " " : "", vgs_table_get(eng, e, "engine"));
	}
	file = g_strdup_printf("gantt-%s.dat", p->runs[r].name);
	f = dat_open(p, file, &path);
	if (!f)
		goto out;
	fprintf(f, "# vgpusim plot: the first %s ms of the measured window of %s (slices.csv)\n"
		   "# blocks: 0 slices (who owned the engine's domain), 1 switches, 2 command pieces (busy)\n"
		   "# x_ms\ty\tdx_ms\tdy\ttenant  (box centre and half sizes; tenant = row of tenants.csv, from 0)\n",
		vgs_fmt_double(buf, sizeof(buf), "%g", gantt_ms), p->runs[r].name);
	for (int kind = 0; kind < BOX_KINDS; kind++) {
		bool any = false;

		for (guint i = 0; i < boxes->len; i++) {
			const struct gantt_box *b = &g_array_index(boxes, struct gantt_box, i);
			double y = ypos[b->engine], dy = 0.4;

			if (b->kind != kind)
				continue;
			if (kind == BOX_SWITCH) {
				/* a strip along the top of the row: in a dense stretch, full-height switches would
				 * bury the slices; the switch itself shows as a gap in the slice band */
				y += 0.44;
				dy = 0.06;
			} else if (kind == BOX_BUSY) {
				/* channels share the row: channel c gets the c-th of nchan bands */
				double band = 0.6 / nchan[b->engine];

				y = y - 0.3 + (b->channel + 0.5) * band;
				dy = 0.45 * band;
			}
			any = true;
			fputs(vgs_fmt_double(buf, sizeof(buf), "%.6f", (b->t0_ms + b->t1_ms) / 2), f);
			dat_num(f, y);
			dat_num(f, (b->t1_ms - b->t0_ms) / 2);
			dat_num(f, dy);
			fprintf(f, "\t%u\n", b->tenant);
		}
		if (!any)
			fputs("NaN\tNaN\tNaN\tNaN\t0\n", f);
		fputs("\n\n", f);
	}
	rc = dat_close(p, f, path);
	f = NULL;
	if (rc < 0)
		goto out;
	{
		GString *tn = g_string_new(NULL);

		for (guint i = 0; i < vgs_table_nrows(tenants(p)); i++)
			g_string_append_printf(tn, "%s%s", i ? " " : "", vgs_table_get(tenants(p), i, "tenant"));
		gp_var(v, "engines", names->str);
		gp_var(v, "tenants", tn->str);
		gp_var(v, "policy", p->runs[r].name);
		g_string_append_printf(v, "gantt_ms=%s; ", vgs_fmt_double(buf, sizeof(buf), "%.6f", gantt_ms));
		g_string_free(tn, TRUE);
	}
	out = g_strdup_printf("gantt-%s", p->runs[r].name);
	add_job(p, "plot-gantt.gp", out, path, v);
	g_free(out);
out:
	if (f)
		fclose(f);
	g_free(slices);
	g_free(file);
	g_free(path);
	g_free(nchan);
	g_free(ypos);
	g_array_free(boxes, TRUE);
	g_string_free(v, TRUE);
	g_string_free(names, TRUE);
	return rc;
}

/* ---- utilisation and switch overhead --------------------------------------------------------- */

static int plot_util(struct plot_ctx *p)
{
	GString *v = g_string_new(NULL), *classes = g_string_new(NULL);
	unsigned mask = 0;
	char *path;
	FILE *f;
	int rc = -1;

	for (size_t r = 0; r < p->nruns; r++)
		for (int k = 0; k < VGS_NCLASS; k++)
			if (vgs_results_class_util(&p->res[r], k) > 0)
				mask |= 1u << k;
	f = dat_open(p, "util.dat", &path);
	if (!f)
		goto out;
	fprintf(f, "# vgpusim plot: utilisation (%%, all engines and per busy engine class) and switch overhead "
		   "(%%) per policy\n# policy\tall");
	g_string_append(classes, "all");
	for (int k = 0; k < VGS_NCLASS; k++)
		if (mask & (1u << k)) {
			fprintf(f, "\t%s", vgs_class_name(k));
			g_string_append_printf(classes, " %s", vgs_class_name(k));
		}
	fprintf(f, "\tswitch_overhead\n");
	for (size_t r = 0; r < p->nruns; r++) {
		fputs(p->runs[r].name, f);
		dat_num(f, 100 * p->res[r].utilisation);
		for (int k = 0; k < VGS_NCLASS; k++)
			if (mask & (1u << k))
				dat_num(f, 100 * vgs_results_class_util(&p->res[r], k));
		dat_num(f, p->res[r].switch_overhead_pct);
		fputc('\n', f);
	}
	if (dat_close(p, f, path) < 0)
		goto out;
	gp_var(v, "classes", classes->str);
	add_job(p, "plot-util.gp", "util", path, v);
	rc = 0;
out:
	g_free(path);
	g_string_free(v, TRUE);
	g_string_free(classes, TRUE);
	return rc;
}

/* ---- entry point ----------------------------------------------------------------------------- */

int vgs_plot_prepare(const struct vgs_plot_src *runs, size_t nruns, const char *plotdir, double gantt_ms,
		     GPtrArray *jobs, char **note, struct vgs_error *err)
{
	struct plot_ctx p = { .runs = runs, .nruns = nruns, .plotdir = plotdir, .jobs = jobs, .err = err };
	GString *missing = g_string_new(NULL);
	size_t nread = 0;
	int rc = -1;

	*note = NULL;
	p.res = g_new0(struct vgs_results, nruns + 1);
	p.policies = g_string_new(NULL);
	for (; nread < nruns; nread++) {
		if (vgs_results_read(&p.res[nread], runs[nread].dir, err) < 0)
			goto out;
		g_string_append_printf(p.policies, "%s%s", nread ? " " : "", runs[nread].name);
	}
	if (nruns == 0 || vgs_table_nrows(tenants(&p)) == 0) {
		vgs_error_set(err, "nothing to plot: no run, or a run without tenants");
		goto out;
	}
	if (plot_rate_share(&p) < 0 || plot_latcdf(&p) < 0 || plot_util(&p) < 0)
		goto out;
	for (size_t r = 0; r < nruns; r++)
		if (plot_gantt(&p, r, gantt_ms, missing) < 0)
			goto out;
	if (missing->len)
		*note = g_strdup_printf("no Gantt chart for %s: no slices.csv (run with --slices)", missing->str);
	rc = 0;
out:
	for (size_t r = 0; r < nread; r++)
		vgs_results_fini(&p.res[r]);
	g_free(p.res);
	g_string_free(p.policies, TRUE);
	g_string_free(missing, TRUE);
	return rc;
}
