/*
 * Comparing scheduling policies on one scenario (`vgpusim compare`, docs/compare.md): the policy items
 * of `-p` and the names of their results directories, the results of every run read back, the numbers
 * derived from them (solo baselines, slowdown, per-policy summaries, who wins on what), and compare.csv.
 * report.md is written by models/results/report.c from the same structure.  The CLI (sim/cmd_compare.c) only
 * spawns the runs and fills in how each one ended.  Plain C + GLib.
 *
 * Object model:
 *   vgs_compare_item   one `-p` item, POLICY[:KEY=VALUE]...; its `name` is the run's directory
 *   vgs_compare_run    one sub-run (a policy, or a solo baseline): how it ended, its results once read
 *   vgs_compare        the whole comparison: header, tenants, runs, solo runs, derived numbers
 */
#ifndef VGS_COMPARE_H
#define VGS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/results/results.h"
#include "models/results/units.h"
#include "models/base/error.h"

/* Directory names a policy item may not take: they hold the solo runs, the plots and the logs. */
#define VGS_COMPARE_SOLO_DIR "solo"
#define VGS_COMPARE_PLOTS_DIR "plots"

struct vgs_compare_item {
	char *text;                  /* as given, e.g. "weighted:slice_us=500" */
	char *policy;                /* built-in name or .so path */
	char *group;                 /* its parameter group, scheduler.<group> (vgs_policy_group_name) */
	char **keys;                 /* nparams parameter names ... */
	char **values;               /* ... and their values, as written */
	size_t nparams;
	char *name;                  /* results directory: group, then "-KEY=VALUE" per parameter */
};

/*
 * Parse a comma-separated list of items.  Each item is POLICY, then ":KEY=VALUE" per parameter; KEY
 * is an identifier, VALUE non-empty.  Directory names: the policy's group name, then "-KEY=VALUE" for
 * each parameter in the order given, characters other than [A-Za-z0-9._=+-] replaced by '_'.  Two
 * items with the same name, or a name "solo" / "plots", are an error.  0, or -1 with err set ("-p ...:").
 */
int vgs_compare_items_parse(const char *list, struct vgs_compare_item **items, size_t *nitems,
			    struct vgs_error *err);
void vgs_compare_items_free(struct vgs_compare_item *items, size_t nitems);
#define VGS_COMPARE_MIG_ITEM "mig"
/* The item `mig`: not a policy, the scenario's MIG variant (vgs_mig_variant_args, docs/spatial.md). */
bool vgs_compare_item_is_mig(const struct vgs_compare_item *it);

/*
 * The --set overrides that give the item's parameters to a run (appended to argv as "--set",
 * "PATH=VALUE" pairs).  When the config has a scheduler.<group> group (group_exists), one override per
 * parameter, scheduler.<group>.<key>=<value>; otherwise one that creates the group,
 * scheduler.<group>={ k1 = v1; ... }.  Values that are not libconfig numbers, booleans or quoted
 * strings are quoted, so `variant=equal-share` reaches the policy as the text equal-share.
 */
void vgs_compare_item_overrides(const struct vgs_compare_item *it, bool group_exists, GPtrArray *argv);

struct vgs_compare_run {
	char *name;                  /* directory under the comparison directory: "weighted", "solo/light" */
	char *label;                 /* the item text, or the group name for a solo run */
	char *log;                   /* its stderr, relative to the comparison directory */
	char *status_text;           /* NULL when it succeeded, else "exit 2", "killed by signal 9", ... */
	bool complete;               /* it succeeded and its results were read */
	struct vgs_results res;      /* valid when complete */
};

/* One tenant under one policy: what report.md and compare.csv show beyond tenants.csv. */
struct vgs_compare_cell {
	double rate;                 /* unit_rate_per_s, NAN when the run is incomplete */
	double lat_p50_ms;
	double lat_p99_ms;
	double solo_rate;            /* the tenant's group, solo: unit_rate_per_s */
	double solo_p50_ms;          /* ... lat_p50_ms */
	double slowdown_rate;        /* solo_rate / rate */
	double slowdown_lat;         /* lat_p50 / solo_p50 */
	double slowdown;             /* one of the two, see vgs_compare_slowdown() */
	int slas;                    /* SLAs the tenant has (rate, latency): 0..2 */
	int slas_met;
	double interval_p50_ms;      /* unit intervals over the measured window (units.csv), NAN if none */
	double interval_p99_ms;
	double loss_rate_pct;        /* virtualization loss: 100 (1 - rate / solo_rate); for games the 3D frame rate */
	double loss_encode_pct;      /* 100 (1 - busy_venc / solo busy_venc): encode throughput; NAN without venc */
	double share_x;              /* share / share_target */
	bool saturated;              /* it wanted more than it got: rate < (1 - VGS_SATURATED_SLACK) solo_rate - 1 / duration */
};

/* A tenant is saturated when its unit rate is more than 1 % (the slack of sla_rate_met) and one unit
 * over the measured window below its solo rate (docs/metrics.md): it would have used more GPU time
 * than its share gave it. */
#define VGS_SATURATED_SLACK 0.01

/* One policy's summary line (report.md "per policy"). */
struct vgs_compare_sum {
	double jain_index;
	double utilisation;
	double class_util[VGS_NCLASS];
	double switch_overhead_pct;
	double energy_j;
	double units;
	double deadline_misses;
	int slas;                    /* Σ tenants' SLAs, and how many were met */
	int slas_met;
	double worst_p99_ms;         /* max lat_p99 over the latency-SLA tenants (all tenants if none has one) */
	int worst_p99_tenant;        /* its index, -1 when undefined */
	double worst_slowdown;       /* max slowdown over tenants */
	int worst_slowdown_tenant;
	double jain_saturated;       /* Jain's index of share / target over the saturated tenants, NAN if none */
	int nsaturated;
	double worst_interval_p99_ms; /* max interval_p99 over the latency-SLA tenants (all when none has one) */
	int worst_interval_tenant;
};

struct vgs_compare {
	/* header, filled by the caller */
	char *config;                /* CONFIG as given */
	char *scenario;
	uint64_t seed;
	double duration_s;
	double warmup_s;
	char **sets;                 /* the user's --set PATH=VALUE, in order */
	size_t nsets;
	/* tenants in scenario order, from the loaded config */
	char **tenants;
	char **tenant_groups;
	size_t ntenants;
	/* runs: one per item (in -p order), one solo per group (in first-appearance order) */
	struct vgs_compare_run *runs;
	size_t nruns;
	char **groups;
	struct vgs_compare_run *solos;  /* ngroups, same order as groups */
	size_t ngroups;
	char *solo_policy;           /* the item text the solo runs used */
	/* derived by vgs_compare_collect() */
	struct vgs_compare_cell *cells; /* nruns x ntenants, run-major */
	struct vgs_unit_intervals *intervals; /* nruns x ntenants: from each run's units.csv */
	struct vgs_compare_sum *sums;   /* nruns */
};

/*
 * Set up c for `ntenants` tenants (names and groups copied), `nitems` runs named after the items, and
 * one solo run per distinct group, "solo/<group>".  Header fields are the caller's to fill (g_strdup).
 */
void vgs_compare_init(struct vgs_compare *c, const struct vgs_compare_item *items, size_t nitems,
		      char *const *tenants, char *const *groups, size_t ntenants);
void vgs_compare_fini(struct vgs_compare *c);

/*
 * Read the results of every run that succeeded (status_text NULL) from DIR/<run name>/ (summary.json,
 * tenants.csv, engines.csv, and units.csv for the unit intervals); a run whose results cannot be read
 * is marked incomplete with the reason.  Then derive cells and sums.
 */
void vgs_compare_collect(struct vgs_compare *c, const char *dir);

/*
 * Slowdown of a tenant vs. its solo baseline (docs/metrics.md):
 *   by rate:     solo_rate / rate  (INFINITY when rate is 0 and solo_rate > 0; NAN when undefined)
 *   by latency:  p50 / solo_p50    (NAN when either is undefined or solo_p50 is 0)
 * The slowdown is `by latency` for a demand-bound tenant (one with a rate SLA: its arrivals set its
 * rate, so the loss shows in its latency) and `by rate` for a throughput-bound one (no rate SLA: it runs
 * as fast as its share allows).  by_rate / by_lat (may be NULL) receive both.
 */
double vgs_compare_slowdown(double solo_rate, double rate, double solo_p50, double p50, bool demand_bound,
			    double *by_rate, double *by_lat);

/*
 * Winner selection: mark in `win` the entries of v[0..n) that are best (highest when higher_better,
 * else lowest) once rounded to `decimals` (the precision the report prints, so that a claim never
 * rests on a difference the reader cannot see).  NAN entries never win.  Returns the number of
 * winners (0 when every entry is NAN).
 */
size_t vgs_compare_best(const double *v, size_t n, bool higher_better, int decimals, bool *win);

/* Per-tenant numbers of a cell that vgs_compare_group_mean() averages over a group. */
enum vgs_cmp_field { VGS_CMP_RATE, VGS_CMP_INTERVAL_P99, VGS_CMP_LOSS_RATE, VGS_CMP_LOSS_ENCODE };
/* compare_metrics.c: mean of field f over group g's tenants under run r (finite values; NAN if none). */
double vgs_compare_group_mean(const struct vgs_compare *c, size_t r, size_t g, enum vgs_cmp_field f);
/* compare_metrics.c: the largest lat_p99 of group g's tenants under run r, NAN if none. */
double vgs_compare_group_worst_p99(const struct vgs_compare *c, size_t r, size_t g);

/*
 * A number policies are ranked on (compare_metrics.c), global or per group: value(c, r, g) is run r's
 * (g ignored when !per_group), NAN when undefined or the run is incomplete.  The replications of
 * `compare --seeds N` give each its mean and interval; one seed's report prints them.
 */
struct vgs_cmp_metric {
	const char *key;             /* column `metric` of seeds.csv */
	const char *label;           /* for the report */
	bool per_group;
	bool higher_better;
	int decimals;                /* printed precision of a mean */
	const char *unit;            /* printed after the number: " ms", " %", "" */
	double (*value)(const struct vgs_compare *c, size_t r, size_t g);
};
extern const struct vgs_cmp_metric vgs_cmp_metrics[];
extern const size_t vgs_cmp_nmetrics;

/*
 * The indexes of v[0..n) from best to worst once rounded to `decimals` (NAN last; ties keep their
 * order): the ranking the report prints.  g_free the array.
 */
size_t *vgs_compare_rank(const double *v, size_t n, bool higher_better, int decimals);

/* compare.csv (docs/metrics.md): 0, or -1 with err set. */
int vgs_compare_write_csv(const struct vgs_compare *c, const char *dir, struct vgs_error *err);

/* report.md (models/results/report.c); `plots` adds the links to the PNGs in plots/.  0, or -1 with err set. */
int vgs_report_write(const struct vgs_compare *c, const char *dir, bool plots, struct vgs_error *err);
/* The "policies" and "overrides" rows of report.md's header table (also the replications' report). */
void vgs_report_policy_rows(const struct vgs_compare *c, FILE *out);
/* The "who wins on what" lines, each "- **what**: winner (numbers)"; used by report.md, unit-tested. */
void vgs_report_winners(const struct vgs_compare *c, FILE *out);

#endif
