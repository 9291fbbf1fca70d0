/*
 * The .dat files behind `vgpusim plot` (plotdata.h).  Each is written from the runs' results files:
 * tenants.csv and engines.csv (rates, shares, utilisation), summary.json (warm-up, switch overhead),
 * units.csv (latency CDFs, streamed: plotdata_latcdf.c) and slices.csv (Gantt charts, streamed:
 * plotdata_gantt.c).  Here: which runs to plot, the plots drawn from the summary tables, and the
 * entry point.  The form every file and job shares is plotdata_dat.c.
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "models/results/plotdata.h"
#include "models/results/plotdata_priv.h"
#include "models/results/results.h"

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

/* ---- rate and share -------------------------------------------------------------------------- */

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

/* One row per tenant: name, label, a reference column (SLA rate or target), one column per run. */
static int write_bars(struct plot_ctx *p, const char *file, const char *what, const char *ref_name,
		      const char *ref_col, const char *col, double scale, bool unit_label)
{
	const struct vgs_table *t = tenants(p);
	char *path;
	FILE *f = vgs_plot_dat_open(p, file, &path);

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
		vgs_plot_dat_num(f, vgs_table_num(t, i, ref_col) * scale);
		for (size_t r = 0; r < p->nruns; r++) {
			int row = vgs_table_find(&p->res[r].tenants, "tenant", name);

			vgs_plot_dat_num(f, row >= 0 ? vgs_table_num(&p->res[r].tenants, row, col) * scale : NAN);
		}
		fputc('\n', f);
	}
	if (vgs_plot_dat_close(p, f, path) < 0) {
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
	vgs_plot_job_add(p, "plot-rate.gp", "rate", path, v);
	g_free(path);
	path = g_build_filename(p->plotdir, "share.dat", NULL);
	vgs_plot_job_add(p, "plot-share.gp", "share", path, v);
	g_free(path);
	g_string_free(v, TRUE);
	return 0;
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
	f = vgs_plot_dat_open(p, "util.dat", &path);
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
		vgs_plot_dat_num(f, 100 * p->res[r].utilisation);
		for (int k = 0; k < VGS_NCLASS; k++)
			if (mask & (1u << k))
				vgs_plot_dat_num(f, 100 * vgs_results_class_util(&p->res[r], k));
		vgs_plot_dat_num(f, p->res[r].switch_overhead_pct);
		fputc('\n', f);
	}
	if (vgs_plot_dat_close(p, f, path) < 0)
		goto out;
	vgs_plot_gp_var(v, "classes", classes->str);
	vgs_plot_job_add(p, "plot-util.gp", "util", path, v);
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
	GString *missing = g_string_new(NULL), *nowin = g_string_new(NULL);
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
	if (plot_rate_share(&p) < 0 || vgs_plot_latcdf_prepare(&p) < 0 || plot_util(&p) < 0)
		goto out;
	for (size_t r = 0; r < nruns; r++)
		if (vgs_plot_gantt_prepare(&p, r, gantt_ms, missing) < 0 || vgs_plot_windows_prepare(&p, r, nowin) < 0)
			goto out;
	if (missing->len || nowin->len)
		*note = g_strdup_printf("%s%s%s%s%s%s", missing->len ? "no Gantt chart for " : "", missing->str,
					missing->len ? ": no slices.csv (run with --slices)" : "",
					missing->len && nowin->len ? "; " : "", nowin->len ? "no time series for " : "",
					nowin->len ? nowin->str : "");
	if (nowin->len) {
		char *n = g_strdup_printf("%s: no windows.csv (run with --windows)", *note);

		g_free(*note);
		*note = n;
	}
	rc = 0;
out:
	for (size_t r = 0; r < nread; r++)
		vgs_results_fini(&p.res[r]);
	g_free(p.res);
	g_string_free(p.policies, TRUE);
	g_string_free(missing, TRUE);
	g_string_free(nowin, TRUE);
	return rc;
}
