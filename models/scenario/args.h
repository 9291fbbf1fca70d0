/*
 * The command-line options of every command that runs a scenario -- `vgpusim run`, `vgpusim compare`,
 * `vgpusim validate` and `vgpusim-replay replay`:
 *
 *   -o, --output DIR   -q, --quiet   -p, --policy POLICY   --set PATH=VALUE   --seed N   --duration S
 *   --no-cache
 *
 * parsed here, once, into the struct vgs_load_args that vgs_scenario_load() takes (and the output
 * folder and quiet flag).  It lives in models/ (plain C + GLib) because both programs link it and only
 * vgpusim links SimGrid.
 *
 * compare and validate spawn runs and hand them the scenario options as they were given, so those are
 * also kept in `given` (-o and -q are not: each spawned run has its own).  --no-cache (bypass the import
 * cache, hw-trace/cache.h) sets VGS_NO_CACHE=1 in the environment instead, which every run, shard,
 * replay and Slurm job the command starts inherits.
 */
#ifndef VGS_ARGS_H
#define VGS_ARGS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "models/scenario/scenario.h"

/* Bad input on the command line (and in a config or trace): the exit status of both programs. */
enum { VGS_EXIT_BAD_INPUT = 2 };

/* getopt values of the options; a command's own options use other characters, and its long-only ones
 * values from 256 up to VGS_ARG_LONG_BASE (the shared long-only ones are from there on). */
enum {
	VGS_ARG_OUTPUT = 'o',
	VGS_ARG_QUIET = 'q',
	VGS_ARG_POLICY = 'p',
	VGS_ARG_SET = 's',
	VGS_ARG_SEED = 'S',
	VGS_ARG_DURATION = 'd',
	VGS_ARG_LONG_BASE = 0x1000,
	VGS_ARG_NO_CACHE = VGS_ARG_LONG_BASE,
};

/* Their entries in a command's getopt_long table (its short options then include "o:p:q"). */
#define VGS_ARGS_OPTIONS                                                                                      \
	{ "output", required_argument, NULL, VGS_ARG_OUTPUT }, { "quiet", no_argument, NULL, VGS_ARG_QUIET },  \
	{ "policy", required_argument, NULL, VGS_ARG_POLICY }, { "set", required_argument, NULL, VGS_ARG_SET }, \
	{ "seed", required_argument, NULL, VGS_ARG_SEED },                                                    \
	{ "duration", required_argument, NULL, VGS_ARG_DURATION }, VGS_ARGS_NO_CACHE

/* --no-cache alone, for the commands that list the others under names of their own (compare, leak). */
#define VGS_ARGS_NO_CACHE { "no-cache", no_argument, NULL, VGS_ARG_NO_CACHE }

/* The lines of -p, --set, --seed and --duration in a command's --help (-o and -q say what the command
 * writes, so each command words them). */
#define VGS_ARGS_HELP                                                                                        \
	"  -p, --policy POLICY     scheduling policy, replacing scheduler.policy (a name or a .so path)\n"     \
	"      --set PATH=VALUE    override a config setting, e.g. --set simulation.seed=7\n"                  \
	"                          or --set 'vgpus.[0].weight=4' (VALUE is a libconfig literal)\n"             \
	"      --seed N            random seed (simulation.seed)\n"                                           \
	"      --duration S        measured simulated seconds (simulation.duration_s)\n"                     \
	VGS_ARGS_HELP_NO_CACHE

#define VGS_ARGS_HELP_NO_CACHE                                                                               \
	"      --no-cache          import the captures the config names again, without the import cache\n"   \
	"                          ($XDG_CACHE_HOME/vgpusim; also VGS_NO_CACHE=1; docs/traces.md)\n"

struct vgs_args {
	struct vgs_load_args load;   /* policy, overrides, seed and duration; .path is the CONFIG operand */
	const char *outdir;          /* -o: NULL unless given */
	bool quiet;                  /* -q */
	GArray *overrides;           /* struct vgs_override; load.overrides points into it */
	GPtrArray *given;            /* char *: the scenario options as given, in order ("--set", "P=V", ...) */
	GPtrArray *owned;            /* char *: the strings the load args point into */
	bool parsing;                /* vgs_args_next() has started on argv */
};

void vgs_args_init(struct vgs_args *a);
void vgs_args_fini(struct vgs_args *a);
/*
 * Take option `opt` (one of VGS_ARG_*) with its argument `arg` (copied: argv may change).  0, or -1
 * with err set to the one line to show ("--seed expects a non-negative integer, got 'x'").
 */
int vgs_args_take(struct vgs_args *a, int opt, const char *arg, struct vgs_error *err);
/*
 * getopt_long() for a command `cmd` that takes these options: it takes the ones its table `longopts`
 * lists (by their names above: compare's -p is --policies, its own) and returns the next of the
 * command's own options (> 0), 0 when the options are done (the operands are argv[optind...]), or -1
 * after printing a usage error (a bad value, or "bad option for 'CMD'").  The first call starts at
 * argv[1].
 */
int vgs_args_next(struct vgs_args *a, const char *cmd, int argc, char **argv, const char *shortopts,
		  const struct option *longopts);
/*
 * After the options: the operands must be one CONFIG, loaded with the options into s.  0, or -1 after
 * printing the message (a usage error, or the config's "file:line: ...").
 */
int vgs_args_load(struct vgs_args *a, const char *cmd, int noperands, char **operands, struct vgs_scenario *s);
/*
 * Take the options of `argv` as vgs_args_take() would, `argv` being a list like `given`: "--set",
 * "PATH=VALUE", "--seed", "7", ... (long names; for a run that adds options of its own after the
 * user's).  0, or -1
 * with err set.
 */
int vgs_args_take_all(struct vgs_args *a, const GPtrArray *argv, struct vgs_error *err);
/*
 * Load `config` as a child run given the options `given` then `extra` (lists like struct vgs_args.given,
 * "--set" "P=V" ...; either may be NULL) and, when not NULL, -p `policy` would: what compare, leak,
 * sweep and capacity check before they start any run.  0, or -1 with err set.
 */
int vgs_args_load_given(const char *config, const GPtrArray *given, const GPtrArray *extra, const char *policy,
			struct vgs_scenario *s, struct vgs_error *err);

/* A non-negative decimal integer that fits in 64 bits, nothing else around it. */
bool vgs_args_parse_u64(const char *s, uint64_t *out);
/* -h or --help among argv[1...], before a "--" (after it they are operands): the command's help is
 * wanted, whatever else is there. */
bool vgs_args_wants_help(int argc, char **argv);
/*
 * Print "vgpusim: MSG" (MSG may hold one %s for arg) and the hint where to find the usage, on stderr;
 * returns VGS_EXIT_BAD_INPUT.
 */
int vgs_args_usage_error(const char *msg, const char *arg);

#endif
