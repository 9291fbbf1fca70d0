/*
 * The vgpusim command line: one entry per sub-command, each defined next to its handler
 * (sim/cmd_*.c) and listed in the table of sim/main.c, which dispatches to it and prints the usage
 * and every --help from it.  Dependencies go one way: main.c -> cmd_*.c -> cli.c, jobs.c (compare and
 * validate also draw through cmd_plot.c); nothing calls back into main.c.
 */
#ifndef VGS_CLI_H
#define VGS_CLI_H

#include <stdbool.h>
#include <sys/types.h>

#include <glib.h>

#include "models/scenario/args.h"

struct vgs_cli_cmd {
	const char *name;            /* argv[1] */
	const char *synopsis;        /* what follows "vgpusim NAME" in the usage, e.g. "CONFIG [options]" */
	const char *summary;         /* one line for `vgpusim --help` */
	/* argv[0] is the command's name, as for main; returns the exit status.  Never sees -h / --help:
	 * main.c answers them from `help`. */
	int (*run)(int argc, char **argv);
	const char *help;            /* `vgpusim NAME --help` after the usage line: what it does, then
	                              * every option, one line each */
};

/* The entries and their handlers: each entry is in its handler's file, above the code (what the user
 * sees of a command comes first). */
extern const struct vgs_cli_cmd vgs_cli_run;         /* sim/cmd_run.c */
extern const struct vgs_cli_cmd vgs_cli_compare;     /* sim/cmd_compare.c */
extern const struct vgs_cli_cmd vgs_cli_plot;        /* sim/cmd_plot.c */
extern const struct vgs_cli_cmd vgs_cli_policies;    /* sim/cmd_policies.c */
extern const struct vgs_cli_cmd vgs_cli_import;      /* sim/cmd_trace.c */
extern const struct vgs_cli_cmd vgs_cli_trace;       /* sim/cmd_trace.c */
extern const struct vgs_cli_cmd vgs_cli_translate;   /* sim/cmd_translate.c */
extern const struct vgs_cli_cmd vgs_cli_fit_speed;   /* sim/cmd_translate.c */
extern const struct vgs_cli_cmd vgs_cli_replay;      /* sim/cmd_replay.c */
extern const struct vgs_cli_cmd vgs_cli_calibrate;   /* sim/cmd_replay.c */
extern const struct vgs_cli_cmd vgs_cli_validate;    /* sim/cmd_validate.c */
extern const struct vgs_cli_cmd vgs_cli_sweep;       /* sim/cmd_sweep.c */
extern const struct vgs_cli_cmd vgs_cli_capacity;    /* sim/cmd_capacity.c */
extern const struct vgs_cli_cmd vgs_cli_leak;        /* sim/cmd_leak.c */
extern const struct vgs_cli_cmd vgs_cli_bench_floor; /* sim/bench_floor.c (sim_bench_floor, sim/sim.h) */
extern const struct vgs_cli_cmd vgs_cli_fit;         /* sim/cmd_fit.c */
extern const struct vgs_cli_cmd vgs_cli_pool;        /* sim/cmd_pool.c */
extern const struct vgs_cli_cmd vgs_cli_requests;    /* sim/cmd_requests.c */
int vgs_cmd_run(int argc, char **argv);
int vgs_cmd_compare(int argc, char **argv);
int vgs_cmd_plot(int argc, char **argv);
int vgs_cmd_policies(int argc, char **argv);
int vgs_cmd_import(int argc, char **argv);
int vgs_cmd_trace(int argc, char **argv);
int vgs_cmd_translate(int argc, char **argv);
int vgs_cmd_fit_speed(int argc, char **argv);
int vgs_cmd_validate(int argc, char **argv);
int vgs_cmd_sweep(int argc, char **argv);
int vgs_cmd_capacity(int argc, char **argv);
int vgs_cmd_fit(int argc, char **argv);
int vgs_cmd_leak(int argc, char **argv);
int vgs_cmd_pool(int argc, char **argv);
int vgs_cmd_requests(int argc, char **argv);

/* Usage errors go through vgs_args_usage_error() (models/scenario/args.h), shared with
 * vgpusim-replay: "vgpusim: MSG", the hint, exit status VGS_EXIT_BAD_INPUT. */

/* A positive number of milliseconds (--gantt-ms). */
bool vgs_cli_parse_ms(const char *s, double *ms);
/* The path of a program installed next to the running binary (g_free), or NULL. */
char *vgs_cli_sibling(const char *name);
/* Become vgpusim-replay with these arguments (argv[0] "replay" or "calibrate": it takes the same
 * words); returns 1 after printing why only when that fails. */
int vgs_cli_run_executor(int argc, char **argv);
/* Wall-clock seconds (CLOCK_MONOTONIC), for timing what a command does. */
double vgs_cli_wall_s(void);

#endif
