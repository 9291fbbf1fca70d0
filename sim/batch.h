/*
 * A batch of runs: `vgpusim run` processes of this same binary, at most N at once, each with its stderr
 * in a log file.  `vgpusim sweep` and `vgpusim capacity` hand it their runs; the results directories
 * the runs write are read back by models/results/ (sweep.c, capacity.c).  The same object could run
 * `vgpusim compare`'s jobs (sim/cmd_compare.c keeps its own loop for now).
 *
 *   struct vgs_batch b;
 *   vgs_batch_init(&b, "sweep", jobs, show_progress);
 *   vgs_batch_add(&b, vgs_batch_argv(config, given), "DIR/x.log", user);   ... then more arguments
 *   vgs_batch_run(&b);           runs every run not run yet; may be called again after more adds
 *   vgs_batch_fini(&b);
 *
 * Ctrl-C / kill: no new run starts, the running ones are stopped and reaped (models/base/child.h), and
 * vgs_batch_run() returns -1; should this process die without stopping them, the kernel kills them.  A run that was interrupted leaves no results directory (runs write theirs
 * atomically), so a sweep started again redoes exactly the runs that did not finish.
 */
#ifndef VGS_BATCH_H
#define VGS_BATCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <glib.h>

#include "models/base/child.h"
#include "models/scenario/args.h"
#include "models/scenario/scenario.h"

struct vgs_batch_run {
	GPtrArray *argv;             /* char *: "vgpusim", "run", CONFIG, ... (NULL-terminated when started) */
	char *log;                   /* its stderr; removed when it succeeded and wrote nothing there */
	char *status_text;           /* NULL while it succeeded or has not run; else "exit 2", "killed by signal 9" */
	bool done;                   /* it ran, successfully or not */
	struct vgs_child child;      /* while running: child.pid > 0 */
	void *user;
};

struct vgs_batch {
	GPtrArray *runs;             /* struct vgs_batch_run * */
	unsigned max;                /* at once */
	const char *what;            /* "sweep": the progress line's word */
	bool progress;               /* redraw "WHAT: 2/5 runs done, 2 running" on stderr */
};

void vgs_batch_init(struct vgs_batch *b, const char *what, unsigned max, bool progress);
void vgs_batch_fini(struct vgs_batch *b);
/* Add a run; the batch takes argv (from vgs_batch_argv(), more arguments appended). */
struct vgs_batch_run *vgs_batch_add(struct vgs_batch *b, GPtrArray *argv, const char *log, void *user);
/* Run every run not done yet, at most b->max at once.  Returns how many of them failed, or -1 when a
 * signal (SIGINT, SIGTERM) stopped the batch: vgs_interrupted() then says which. */
int vgs_batch_run(struct vgs_batch *b);

/* "vgpusim", "run", config, then the scenario options as the user gave them (struct vgs_args.given). */
GPtrArray *vgs_batch_argv(const char *config, const GPtrArray *given);
/*
 * Load `config` as a run with the options `given`, then `extra` (both lists like vgs_batch_argv()'s,
 * "--set", "P=V", ...; extra may be NULL) and policy (-p, may be NULL) would.  For a built-in policy or
 * a preset, also check its parameters as every domain of the run will.  0, or -1 with err set.
 */
int vgs_batch_load(const char *config, const GPtrArray *given, const GPtrArray *extra, const char *policy,
		   struct vgs_scenario *s, struct vgs_error *err);
/*
 * The options `sweep` and `capacity` share: -p LIST, -j N, --seeds N, --sla SPEC, --no-plots, and the
 * scenario options of models/scenario/args.h but -p (-o, -q, --set, --seed, --duration).  A command lists
 * VGS_BATCH_OPTIONS in its getopt_long table (its short options include "p:j:o:q") and hands each option
 * vgs_args_next() returns to vgs_batch_opt() first.
 */
struct vgs_batch_opts {
	const char *policies;        /* -p: items POLICY[:KEY=VALUE]..., NULL = the config's own */
	unsigned jobs;               /* -j, default vgs_batch_default_jobs() */
	uint64_t nseeds;             /* --seeds, default 1 */
	const char *sla;             /* --sla, NULL = the configs' SLAs */
	bool no_plots;               /* --no-plots */
};

enum { VGS_BATCH_OPT_SEEDS = 0x200, VGS_BATCH_OPT_SLA, VGS_BATCH_OPT_NOPLOTS };

#define VGS_BATCH_OPTIONS                                                                                   \
	{ "policies", required_argument, NULL, 'p' }, { "jobs", required_argument, NULL, 'j' },              \
	{ "seeds", required_argument, NULL, VGS_BATCH_OPT_SEEDS }, { "sla", required_argument, NULL, VGS_BATCH_OPT_SLA }, \
	{ "no-plots", no_argument, NULL, VGS_BATCH_OPT_NOPLOTS },                                             \
	{ "output", required_argument, NULL, VGS_ARG_OUTPUT }, { "set", required_argument, NULL, VGS_ARG_SET }, \
	{ "seed", required_argument, NULL, VGS_ARG_SEED }, { "duration", required_argument, NULL, VGS_ARG_DURATION }, \
	{ "quiet", no_argument, NULL, VGS_ARG_QUIET }, VGS_ARGS_NO_CACHE

/* Defaults of the shared options. */
void vgs_batch_opts_init(struct vgs_batch_opts *b);
/* vgs_args_next() (models/scenario/args.h) that also takes the shared options into b: the next of the
 * command's own options (> 0), 0 when the options are done, -1 after printing a usage error. */
int vgs_batch_next(struct vgs_batch_opts *b, struct vgs_args *a, const char *cmd, int argc, char **argv,
		   const char *shortopts, const struct option *longopts);

/* An option's count, `arg` a whole number in [lo, hi]: 0, or after printing the usage error
 * ("OPT expects a number from LO to HI, got 'ARG'") VGS_EXIT_BAD_INPUT. */
int vgs_batch_count_opt(const char *opt, const char *arg, uint64_t lo, uint64_t hi, uint64_t *out);
/* The default of -j: the number of online CPUs. */
unsigned vgs_batch_default_jobs(void);
/* -j's value: a number of runs from 1 to 4096 (false otherwise). */
bool vgs_batch_parse_jobs(const char *s, unsigned *jobs);
/* At most this many seeds for compare --seeds and run --seeds. */
#define VGS_MAX_SEEDS 1000

#endif
