/*
 * The plots of a sweep (models/results/sweep.h): any metric of sweep.csv against any grid axis.  For
 * axis A and metric M, one line per policy and combination of the other axes' values (in plan order);
 * its points are A's values in --grid order, each the mean of M over the seeds, with the smallest and
 * largest as an error bar.  Data files: one block per line (a header row whose first field is the
 * line's title, then x index, x label, mean, min, max), blocks separated by two blank lines; drawn by
 * scripts/plot-sweep.gp.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "models/results/plotdata_priv.h"
#include "models/results/results.h"
#include "models/results/sweep.h"

/* The line (policy + the other axes' values) row r of the plan belongs to, as its title. */
static char *line_title(const struct vgs_sweep_plan *p, size_t r, size_t axis)
{
	GString *s = g_string_new(p->rows[r].policy);

	for (size_t a = 0; a < p->naxes; a++) {
		const char *dot = strrchr(p->axes[a], '.');

		if (a != axis)
			g_string_append_printf(s, " %s=%s", dot && dot[1] ? dot + 1 : p->axes[a], p->rows[r].values[a]);
	}
	g_strdelimit(s->str, "\t\n", ' ');	/* one field of the data file's header row */
	return g_string_free(s, FALSE);
}

/* Mean, min and max of column col over the ok rows of line `title` at value v of the axis. */
static bool point(const struct vgs_sweep_plan *p, const struct vgs_table *t, int col, size_t axis,
		  const char *title, size_t v, double out[3])
{
	double sum = 0, n = 0;

	out[1] = INFINITY;
	out[2] = -INFINITY;
	for (size_t r = 0; r < p->nrows && r < vgs_table_nrows(t); r++) {
		char *tt;
		double x;
		bool mine;

		if (p->rows[r].value_index[axis] != v || g_strcmp0(vgs_table_get(t, r, "status"), "ok") != 0)
			continue;
		tt = line_title(p, r, axis);
		mine = strcmp(tt, title) == 0;
		g_free(tt);
		x = mine ? vgs_table_num(t, r, t->header->pdata[col]) : NAN;
		if (isnan(x))
			continue;
		sum += x;
		n++;
		out[1] = fmin(out[1], x);
		out[2] = fmax(out[2], x);
	}
	out[0] = n ? sum / n : NAN;
	return n > 0;
}

/* Write <metric>-vs-<axis>.dat for one metric and axis and queue its job; nothing when no point exists. */
static int one_plot(struct plot_ctx *ctx, const struct vgs_sweep_plan *p, const struct vgs_table *t, int col,
		    size_t axis)
{
	const char *metric = t->header->pdata[col];
	GPtrArray *titles = g_ptr_array_new_with_free_func(g_free);
	GString *name = g_string_new(NULL), *vars = g_string_new(NULL);
	char *path = NULL, *nl;
	size_t nvals = g_strv_length(p->axis_values[axis]), nlines = 0;
	FILE *f;
	int rc = -1;

	for (size_t r = 0; r < p->nrows; r++) {
		char *tt = line_title(p, r, axis);
		bool seen = false;

		for (guint k = 0; k < titles->len && !seen; k++)
			seen = strcmp(titles->pdata[k], tt) == 0;
		if (seen)
			g_free(tt);
		else
			g_ptr_array_add(titles, tt);
	}
	g_string_printf(name, "%s-vs-%s", metric, strrchr(p->axes[axis], '.') && strrchr(p->axes[axis], '.')[1]
							  ? strrchr(p->axes[axis], '.') + 1 : p->axes[axis]);
	for (size_t i = 0; i < name->len; i++)
		if (!g_ascii_isalnum(name->str[i]) && !strchr("._=+-", name->str[i]))
			name->str[i] = '_';
	for (size_t a = 0; a < axis; a++) {	/* an earlier axis that ends alike: number this one */
		const char *x = strrchr(p->axes[a], '.'), *y = strrchr(p->axes[axis], '.');

		if (g_strcmp0(x ? x : p->axes[a], y ? y : p->axes[axis]) == 0) {
			g_string_append_printf(name, "-%zu", axis + 1);
			break;
		}
	}
	g_string_append(name, ".dat");
	if (!(f = vgs_plot_dat_open(ctx, name->str, &path)))
		goto out;
	for (guint k = 0; k < titles->len; k++) {
		double pt[3];
		bool any = false;

		for (size_t v = 0; v < nvals && !any; v++)
			any = point(p, t, col, axis, titles->pdata[k], v, pt);
		if (!any)
			continue;
		fprintf(f, "%s%s\tx\tlabel\tmean\tmin\tmax\n", nlines ? "\n\n" : "", (char *)titles->pdata[k]);
		for (size_t v = 0; v < nvals; v++) {
			bool has = point(p, t, col, axis, titles->pdata[k], v, pt);

			fprintf(f, "%zu\t%s", v, p->axis_values[axis][v]);
			vgs_plot_dat_num(f, has ? pt[0] : NAN);
			vgs_plot_dat_num(f, has ? pt[1] : NAN);
			vgs_plot_dat_num(f, has ? pt[2] : NAN);
			fputc('\n', f);
		}
		nlines++;
	}
	if (vgs_plot_dat_close(ctx, f, path) < 0)
		goto out;
	if (nlines) {
		nl = g_strdup_printf("%zu", nlines);
		vgs_plot_gp_var(vars, "nlines", nl);
		vgs_plot_gp_var(vars, "metric", metric);
		vgs_plot_gp_var(vars, "axis", p->axes[axis]);
		g_free(nl);
		g_string_truncate(name, name->len - 4);
		vgs_plot_job_add(ctx, "plot-sweep.gp", name->str, path, vars);
	}
	rc = 0;
out:
	g_ptr_array_free(titles, TRUE);
	g_string_free(name, TRUE);
	g_string_free(vars, TRUE);
	g_free(path);
	return rc;
}

int vgs_sweep_plot_prepare(const struct vgs_sweep_plan *p, const char *dir, const char *const *metrics,
			   size_t nmetrics, const char *plotdir, GPtrArray *jobs, struct vgs_error *err)
{
	char *csv = g_build_filename(dir, VGS_SWEEP_CSV, NULL);
	struct vgs_table t = { 0 };
	GString *none = g_string_new(NULL);
	struct plot_ctx ctx = { .plotdir = plotdir, .jobs = jobs, .policies = none, .err = err };
	int rc = -1;

	if (vgs_table_read(&t, csv, err) < 0)
		goto out;
	for (size_t m = 0; m < nmetrics; m++) {
		int col = vgs_table_col(&t, metrics[m]);

		if (col < 0 || col < 4 + (int)p->naxes) {
			GString *cols = g_string_new(NULL);

			for (guint c = 4 + p->naxes; c < t.header->len; c++)
				g_string_append_printf(cols, "%s%s", cols->len ? ", " : "", (char *)t.header->pdata[c]);
			vgs_error_set(err, "--plot %s: no such metric in %s; expected one of: %s", metrics[m], csv, cols->str);
			g_string_free(cols, TRUE);
			goto out;
		}
		for (size_t a = 0; a < p->naxes; a++)
			if (one_plot(&ctx, p, &t, col, a) < 0)
				goto out;
	}
	rc = 0;
out:
	vgs_table_fini(&t);
	g_string_free(none, TRUE);
	g_free(csv);
	return rc;
}
