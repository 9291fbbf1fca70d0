/*
 * Parameter sweeps (`vgpusim sweep`, docs/sweeps.md): the grid axes of --grid, the plan (one row per run
 * of the cross product axes x policies x seeds), the plan file that lets a sweep resume and `sweep
 * --collect` rebuild its table without the command line, sweep.csv, and the plots' data.  The CLI
 * (sim/cmd_sweep.c) runs the plan's runs, locally or as a Slurm array job.  Plain C + GLib.
 *
 * Layout of a sweep directory DIR:
 *   DIR/sweep-plan.csv    the plan: run, policy, seed, then one column per axis (its --set PATH)
 *   DIR/runs/<run>/       each run's results directory (`vgpusim run -o`), DIR/runs/<run>.log its stderr
 *   DIR/sweep.csv         the plan's columns, status, then the run's summary metrics (below)
 *   DIR/sweep-sla.txt     the --sla the sweep was started with, if any (sim/cmd_sweep.c)
 *   DIR/plots/            <metric>-vs-<axis>.png/.svg and the .dat files they draw
 */
#ifndef VGS_SWEEP_H
#define VGS_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "models/base/error.h"
#include "models/results/sla.h"

#define VGS_SWEEP_PLAN "sweep-plan.csv"
#define VGS_SWEEP_CSV "sweep.csv"
#define VGS_SWEEP_RUNS "runs"

/* One --grid PATH=v1,v2,...: the values are libconfig literals, split at the commas that are not inside
 * quotes, braces or parentheses. */
struct vgs_sweep_axis {
	char *path;
	char **values;               /* NULL-terminated */
	size_t nvalues;
};

/* 0, or -1 with err set ("--grid TEXT: ..."). */
int vgs_sweep_axis_parse(const char *text, struct vgs_sweep_axis *ax, struct vgs_error *err);
void vgs_sweep_axis_fini(struct vgs_sweep_axis *ax);

struct vgs_sweep_row {
	char *name;                  /* its results directory under DIR/runs: "0007-nvidia-es-count=8-s2" */
	char *policy;                /* the policy item's name (compare.h: vgs_compare_item.name) */
	size_t item;                 /* index of the policy item (plan built here; 0 when read back) */
	char *seed;                  /* decimal */
	char **values;               /* one per axis, as written in --grid */
	size_t *value_index;         /* one per axis: which of the axis' values */
};

struct vgs_sweep_plan {
	char **axes;                 /* the axes' paths */
	size_t naxes;
	char ***axis_values;         /* per axis, its values in --grid order (NULL-terminated) */
	struct vgs_sweep_row *rows;
	size_t nrows;
};

/*
 * The cross product, first axis outermost, then the policy items, seeds innermost.  Run names: the
 * 4-digit index, the item name, "-<last path component>=<value>" per axis, "-s<seed>", with characters
 * other than [A-Za-z0-9._=+-] replaced by '_'.
 */
void vgs_sweep_plan_build(struct vgs_sweep_plan *p, const struct vgs_sweep_axis *axes, size_t naxes,
			  const char *const *items, size_t nitems, const uint64_t *seeds, size_t nseeds);
void vgs_sweep_plan_fini(struct vgs_sweep_plan *p);
/* Write / read DIR/sweep-plan.csv (written to a temporary file, then renamed).  0, or -1 with err set. */
int vgs_sweep_plan_write(const struct vgs_sweep_plan *p, const char *dir, struct vgs_error *err);
int vgs_sweep_plan_read(struct vgs_sweep_plan *p, const char *dir, struct vgs_error *err);
/* Same axes, values and runs in the same order. */
bool vgs_sweep_plan_equal(const struct vgs_sweep_plan *a, const struct vgs_sweep_plan *b);
/* DIR/runs/<row>/ holds a finished run (summary.json, not partial). */
bool vgs_sweep_row_done(const struct vgs_sweep_plan *p, size_t row, const char *dir);

/*
 * Read every run of the plan back and write DIR/sweep.csv (atomically): the plan's columns, then
 * `status` (ok, or missing when the run left no results), then the summary metrics:
 *   units, deadline_misses, dropped_units, jain_index, utilisation, switch_overhead_pct, energy_j,
 *   tenants, sla_met, sla_attainment (sla_met / tenants; spec: sla.h, NULL = the configs' SLAs),
 *   fps_mean, fps_min, lat_p99_mean_ms, lat_p99_max_ms,
 *   and per tenant group G (in order of first appearance): G.fps_mean, G.fps_min, G.lat_p99_max_ms,
 *   G.sla_attainment.
 * Nothing in it depends on where or when the runs ran (no wall-clock figure).  *missing is set to the
 * number of runs without results.  0, or -1 with err set.
 */
int vgs_sweep_collect(const struct vgs_sweep_plan *p, const char *dir, const struct vgs_sla_spec *sla,
		      size_t *missing, struct vgs_error *err);

/*
 * The plots of DIR/sweep.csv: for each axis and each metric, <metric>-vs-<axis>.dat in plotdir with one
 * line per policy and combination of the other axes' values (mean over the seeds, with min and max),
 * and a struct vgs_plot_job * (models/results/plotdata.h) per plot appended to jobs.  An unknown metric
 * is an error naming the columns.  0, or -1 with err set.
 */
int vgs_sweep_plot_prepare(const struct vgs_sweep_plan *p, const char *dir, const char *const *metrics,
			   size_t nmetrics, const char *plotdir, GPtrArray *jobs, struct vgs_error *err);

/* Shared with capacity.c.  Append one CSV field to line (a comma first unless the line is empty or ends
 * a record; quoted, "" for ", when it holds a comma, quote or line break; nothing for NULL or ""). */
void vgs_sweep_csv_field(GString *line, const char *s);
/* Replace path by text: written beside it, then renamed.  0, or -1 with err set. */
int vgs_sweep_write_file(const char *path, const GString *text, struct vgs_error *err);

#endif
