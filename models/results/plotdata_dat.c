/*
 * The common form of `vgpusim plot`'s data files and jobs (plotdata_priv.h): gnuplot string
 * literals and variables, numbers written with '.' as the decimal point whatever the locale (NaN for
 * undefined), a .dat file opened and closed with every write error caught, and the job that draws it.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib.h>

#include "models/base/json.h"
#include "models/results/plotdata_priv.h"

/* A gnuplot single-quoted string literal ('' stands for one quote). */
void vgs_plot_gp_str(GString *s, const char *v)
{
	g_string_append_c(s, '\'');
	for (; *v; v++) {
		if (*v == '\'')
			g_string_append_c(s, '\'');
		g_string_append_c(s, *v);
	}
	g_string_append_c(s, '\'');
}

void vgs_plot_gp_var(GString *s, const char *name, const char *value)
{
	g_string_append_printf(s, "%s=", name);
	vgs_plot_gp_str(s, value);
	g_string_append(s, "; ");
}

/* "%.6f", '.' whatever the locale, NaN for undefined. */
void vgs_plot_dat_num(FILE *f, double v)
{
	char buf[64];

	fputc('\t', f);
	fputs(isfinite(v) ? vgs_fmt_double(buf, sizeof(buf), "%.6f", v) : "NaN", f);
}

FILE *vgs_plot_dat_open(struct plot_ctx *p, const char *name, char **path)
{
	FILE *f;

	*path = g_build_filename(p->plotdir, name, NULL);
	f = fopen(*path, "w");
	if (!f)
		vgs_error_set(p->err, "cannot write %s: %s", *path, strerror(errno));
	return f;
}

int vgs_plot_dat_close(struct plot_ctx *p, FILE *f, const char *path)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad) {
		vgs_error_set(p->err, "cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Queue a job: the script, plots/<out>, and the variables (datafile and out are added here). */
int vgs_plot_csv_open(struct plot_ctx *p, const char *path, const char *const *cols, size_t n, int *col,
		      struct vgs_csv *c)
{
	int rc = vgs_csv_open(c, path, p->err);

	if (rc == 0)
		rc = vgs_csv_header(c, p->err);
	for (size_t k = 0; rc == 0 && k < n; k++)
		if ((col[k] = vgs_csv_col(c, cols[k])) < 0) {
			vgs_error_set(p->err, "%s:1: expected a column '%s'", path, cols[k]);
			rc = -1;
		}
	return rc;
}

void vgs_plot_job_add(struct plot_ctx *p, const char *script, const char *out, const char *datafile,
		      GString *vars)
{
	struct vgs_plot_job *j = g_new0(struct vgs_plot_job, 1);
	GString *v = g_string_new(NULL);

	j->script = g_strdup(script);
	j->out = g_build_filename(p->plotdir, out, NULL);
	vgs_plot_gp_var(v, "datafile", datafile);
	vgs_plot_gp_var(v, "out", j->out);
	vgs_plot_gp_var(v, "policies", p->policies->str);
	if (vars)
		g_string_append(v, vars->str);
	j->vars = g_string_free(v, FALSE);
	g_ptr_array_add(p->jobs, j);
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
