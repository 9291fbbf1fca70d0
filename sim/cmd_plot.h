/* The drawing of `vgpusim plot` (sim/cmd_plot.c), which `vgpusim compare` and `vgpusim validate` use
 * for their plots too. */
#ifndef VGS_CMD_PLOT_H
#define VGS_CMD_PLOT_H

#include <glib.h>

#include "models/base/error.h"

/* Default length of the Gantt charts (--gantt-ms): the first 20 ms of the measured window. */
#define VGS_GANTT_MS_DEFAULT 20.0

/* The folder of the gnuplot scripts, after checking that gnuplot is installed; NULL with err set. */
char *vgs_plot_scripts_dir(struct vgs_error *err);
/* The same, for commands that can skip their plots: the message then ends "(or use --no-plots)". */
char *vgs_plot_scripts_dir_or_skip(struct vgs_error *err);
/* Draw every plot of results directory `dir` into dir/plots (replaced only when all were drawn); *note
 * is set to a line worth showing (a run without slices.csv has no Gantt chart) or NULL.  0 or -1. */
int vgs_plot_dir(const char *dir, const char *scripts, double gantt_ms, char **note, struct vgs_error *err);
/* Draw every struct vgs_plot_job of jobs as PNG and SVG.  0, or -1 with err set. */
int vgs_plot_draw(GPtrArray *jobs, const char *scripts, struct vgs_error *err);

/* Rename the plots folder tmp to final, replacing an earlier one.  0, or -1 with err set. */

#endif
