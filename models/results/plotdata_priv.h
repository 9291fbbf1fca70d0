/*
 * Private to the `vgpusim plot` data files (models/results/plotdata*.c): the state one
 * vgs_plot_prepare() call shares with each plot, the common form of a .dat file and of the job that
 * draws it (plotdata_dat.c), and the plots that have files of their own.  The calls go one way:
 * plotdata.c -> plotdata_latcdf.c, plotdata_gantt.c, plotdata_windows.c -> plotdata_dat.c.
 */
#ifndef VGS_PLOTDATA_PRIV_H
#define VGS_PLOTDATA_PRIV_H

#include <stddef.h>
#include <stdio.h>

#include <glib.h>

#include "models/base/csv.h"
#include "models/base/error.h"
#include "models/results/plotdata.h"
#include "models/results/results.h"

/* One vgs_plot_prepare() call: the runs and their results, where the files go, the jobs queued. */
struct plot_ctx {
	const struct vgs_plot_src *runs;
	size_t nruns;
	struct vgs_results *res;     /* nruns */
	const char *plotdir;
	GPtrArray *jobs;
	GString *policies;           /* "a b c": the run names, for the scripts' legends */
	struct vgs_error *err;
};

/* The first run's tenants: the rows every per-tenant plot has, in scenario order. */
static inline const struct vgs_table *tenants(const struct plot_ctx *p)
{
	return &p->res[0].tenants;
}

/* plotdata_dat.c */

/* A gnuplot single-quoted string literal ('' stands for one quote); NAME='VALUE'; */
void vgs_plot_gp_str(GString *s, const char *v);
void vgs_plot_gp_var(GString *s, const char *name, const char *value);
/* A tab, then v as "%.6f" ('.' whatever the locale), NaN for undefined. */
void vgs_plot_dat_num(FILE *f, double v);
/* Open plotdir/name for writing (*path: its path, g_free, set either way); NULL with p->err set. */
FILE *vgs_plot_dat_open(struct plot_ctx *p, const char *name, char **path);
/* Close it: 0, or -1 with p->err set when anything failed to be written. */
int vgs_plot_dat_close(struct plot_ctx *p, FILE *f, const char *path);
/*
 * Open the CSV file `path` and find its columns cols[0..n) (their indexes into col[]): 0, or -1 with
 * p->err set ("PATH:1: expected a column 'X'").  Close it with vgs_csv_close() when c->gz is set.
 */
int vgs_plot_csv_open(struct plot_ctx *p, const char *path, const char *const *cols, size_t n, int *col,
		      struct vgs_csv *c);
/* Queue a job: the script, plots/<out>, and the variables (datafile and out are added here). */
void vgs_plot_job_add(struct plot_ctx *p, const char *script, const char *out, const char *datafile,
		      GString *vars);

/* plotdata_latcdf.c, plotdata_gantt.c: one plot each, its .dat file written and its job queued; 0,
 * or -1 with p->err set.  The Gantt chart is run r's; a run without slices.csv gets none, and its
 * name is appended to `missing`. */
int vgs_plot_latcdf_prepare(struct plot_ctx *p);
int vgs_plot_gantt_prepare(struct plot_ctx *p, size_t r, double gantt_ms, GString *missing);
/* plotdata_windows.c: run r's time series from its windows.csv; none (name appended to `missing`)
 * without one. */
int vgs_plot_windows_prepare(struct plot_ctx *p, size_t r, GString *missing);

#endif
