/* Shared pieces of the vgpusim command line (sim/main.c and the sub-commands it dispatches to). */
#ifndef VGS_CLI_H
#define VGS_CLI_H

#include <stdbool.h>

#include <glib.h>

#include "models/scenario/scenario.h"

enum { VGS_EXIT_BAD_INPUT = 2 };

/* Default length of the Gantt charts (--gantt-ms): the first 20 ms of the measured window. */
#define VGS_GANTT_MS_DEFAULT 20.0

/* Print "vgpusim: MSG" (MSG may hold one %s for arg) and the usage hint; returns VGS_EXIT_BAD_INPUT. */
int vgs_cli_usage_error(const char *msg, const char *arg);
int vgs_cmd_import(int argc, char **argv);
int vgs_cmd_trace(int argc, char **argv);
int vgs_cmd_compare(int argc, char **argv);
int vgs_cmd_plot(int argc, char **argv);

/* sim/cmd_plot.c, shared with compare */
/* A positive number of milliseconds (--gantt-ms). */
bool vgs_cli_parse_ms(const char *s, double *ms);
/* The folder of the gnuplot scripts, after checking that gnuplot is installed; NULL with err set. */
char *vgs_plot_scripts_dir(struct vgs_error *err);
/* Draw every plot of results directory `dir` into dir/plots (replaced only when all were drawn); *note
 * is set to a line worth showing (a run without slices.csv has no Gantt chart) or NULL.  0 or -1. */
int vgs_plot_dir(const char *dir, const char *scripts, double gantt_ms, char **note, struct vgs_error *err);
/* Draw every struct vgs_plot_job of jobs as PNG and SVG.  0, or -1 with err set. */
int vgs_plot_draw(GPtrArray *jobs, const char *scripts, struct vgs_error *err);
/* sim/cmd_validate.c: `vgpusim validate`; sim/main.c: replay and calibrate run vgpusim-replay */
int vgs_cmd_validate(int argc, char **argv);
/* The path of a program installed next to the running binary (g_free), or NULL. */
char *vgs_cli_sibling(const char *name);

#endif
