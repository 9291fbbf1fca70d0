/*
 * The latency CDFs of `vgpusim plot` (latency-cdf.dat, plot-latcdf.gp): per tenant group and run, the
 * CDF of the measured units' latency, read from units.csv as a stream, with the x range and log-axis
 * ticks of each group's panel.
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "models/base/csv.h"
#include "models/base/json.h"
#include "models/results/plotdata_priv.h"

/* Points per CDF curve at most: a curve of more units is sampled at evenly spaced ranks. */
#define CDF_POINTS 400

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

int vgs_plot_latcdf_prepare(struct plot_ctx *p)
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
	f = vgs_plot_dat_open(p, "latency-cdf.dat", &path);
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
	rc = vgs_plot_dat_close(p, f, path);
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
			vgs_plot_gp_str(v, ticks->str);
			g_string_append(v, "; ");
		}
		vgs_plot_gp_var(v, "xmins", lo->str);
		vgs_plot_gp_var(v, "xmaxs", hi->str);
		g_string_free(ticks, TRUE);
		g_strfreev(sla);
		g_string_free(lo, TRUE);
		g_string_free(hi, TRUE);
	}
	vgs_plot_gp_var(v, "groups", gnames->str);
	vgs_plot_gp_var(v, "slas", slas->str);
	vgs_plot_job_add(p, "plot-latcdf.gp", "latency-cdf", path, v);
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
