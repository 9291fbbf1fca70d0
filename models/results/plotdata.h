/*
 * Data files for `vgpusim plot` (docs/compare.md): from the results directories of one or more runs,
 * write the tab-separated .dat files that the gnuplot scripts in scripts/ draw, and say which script
 * draws which file with which settings.  Running gnuplot is the CLI's (sim/cmd_plot.c).
 *
 * Every .dat file starts with '#' comment lines naming its columns; undefined numbers are NaN.
 * Plots, each drawn by scripts/<script> from plots/<data>:
 *   rate         plot-rate.gp    unit rate per tenant, grouped by policy, SLA rate as markers
 *   share        plot-share.gp   share of the held time per tenant vs. its weight target
 *   latency-cdf  plot-latcdf.gp  CDF of unit latency (measured units), one panel per tenant group
 *   util         plot-util.gp    utilisation per engine class, and switch overhead %, per policy
 *   gantt-NAME   plot-gantt.gp   the first gantt_ms of the measured window of run NAME (slices.csv)
 */
#ifndef VGS_PLOTDATA_H
#define VGS_PLOTDATA_H

#include <stddef.h>

#include <glib.h>

#include "models/base/error.h"

/* One run to plot. */
struct vgs_plot_src {
	char *name;                  /* legend / file name: the policy (item) name */
	char *dir;                   /* its results directory */
};

/* One plot to draw: gnuplot -e "VARS; fmt='png'" scripts/SCRIPT, and the same with fmt='svg'. */
struct vgs_plot_job {
	char *script;                /* file name in the scripts directory, e.g. "plot-rate.gp" */
	char *out;                   /* output path without extension, e.g. "DIR/plots/rate" */
	char *vars;                  /* gnuplot assignments: "datafile='...'; out='...'; policies='...'" */
};

/*
 * The runs in results directory `dir`: the complete policies of DIR/compare.csv, in its order (a
 * comparison), or DIR itself named after its summary.json policy (one run).  0, or -1 with err set.
 */
int vgs_plot_sources(const char *dir, struct vgs_plot_src **runs, size_t *nruns, struct vgs_error *err);
void vgs_plot_sources_free(struct vgs_plot_src *runs, size_t nruns);

/*
 * Write the data files into plotdir (which must exist) and append a struct vgs_plot_job * per plot to
 * jobs (free with vgs_plot_job_free).  A run without slices.csv gets no Gantt chart; *note is then set
 * to a line saying so (g_free), else NULL.  0, or -1 with err set.
 */
int vgs_plot_prepare(const struct vgs_plot_src *runs, size_t nruns, const char *plotdir, double gantt_ms,
		     GPtrArray *jobs, char **note, struct vgs_error *err);
void vgs_plot_job_free(struct vgs_plot_job *j);

#endif
