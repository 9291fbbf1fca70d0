/*
 * Capacity planning (`vgpusim capacity`, docs/capacity.md): the largest number N of instances of one
 * tenant group such that every tenant meets its SLA, the rest of the scenario fixed.  This file holds
 * the search (which N to run next, what the runs say), the judging of one N from its runs' results, and
 * the outputs (capacity.csv, the table, the plot's data).  The CLI (sim/cmd_capacity.c) runs the runs.
 * Plain C + GLib.
 *
 * Feasible(N): over all replications (seeds) and all tenants, the share of (tenant, seed) pairs that meet
 * the SLA (sla.h) -- the attainment -- is at least the target (100 %: every tenant in every seed).
 *
 * Search.  Bisection over [0, max] (max: the largest N the scenario can place): lo = 0 counts as
 * feasible, hi = max + 1 as infeasible; N = (lo + hi) / 2 is run, and lo or hi moves to it.  When
 * feasibility is monotone (feasible up to some N*, infeasible above) this finds N* after about
 * log2(max) steps, and it has run both N* and N* + 1 (unless N* is 0 or max), the evidence the table
 * shows.  `scan` runs every N from 1 to max instead; the answer is then the last N before the first
 * infeasible one.  Either way, the observations are checked for non-monotone behaviour: a seed feasible
 * at some N but not at a smaller one, or fewer SLA misses at a larger N than at a smaller one; each is
 * reported (the answer then holds for the points run, not necessarily for every N).
 */
#ifndef VGS_CAPACITY_H
#define VGS_CAPACITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "models/base/error.h"
#include "models/results/sla.h"

/* What the runs of one N say. */
struct vgs_capacity_point {
	bool evaluated;
	size_t nseeds;
	bool *seed_ok;               /* per seed: every tenant met its SLA (false: or the run failed) */
	size_t met, total;           /* (tenant, seed) pairs meeting the SLA, and all of them */
	size_t failed_runs;          /* runs without results */
	double attainment;           /* met / total, NAN when total is 0 */
	bool feasible;
};

struct vgs_capacity_search {
	char *label;                 /* the policy item's name */
	uint32_t max;                /* largest N tried */
	bool scan;
	uint32_t lo, hi;             /* bisection: lo feasible (0: none), hi infeasible (max + 1: none) */
	uint32_t next_scan;
	struct vgs_capacity_point *pts; /* index N, 0..max (0 unused) */
};

void vgs_capacity_init(struct vgs_capacity_search *s, const char *label, uint32_t max, bool scan);
void vgs_capacity_fini(struct vgs_capacity_search *s);
/* The next N to run, or 0 when the search is over. */
uint32_t vgs_capacity_next(const struct vgs_capacity_search *s);
/* Record what the runs of N said (pt is moved into the search). */
void vgs_capacity_record(struct vgs_capacity_search *s, uint32_t n, struct vgs_capacity_point *pt);
/* The answer: the largest N found feasible (0: not even one instance). */
uint32_t vgs_capacity_answer(const struct vgs_capacity_search *s);
/* The non-monotone observations, one per line, or NULL when there are none (g_free). */
char *vgs_capacity_nonmonotone(const struct vgs_capacity_search *s);

/*
 * Judge one N from its runs' results directories (one per seed; a directory without results counts as a
 * failed run, every tenant of it unmet).  sla NULL: the tenants' own SLAs.  target_pct: the attainment
 * needed, 0..100.
 */
void vgs_capacity_judge(const char *const *rundirs, size_t nseeds, const struct vgs_sla_spec *sla,
			double target_pct, struct vgs_capacity_point *pt);

/* DIR/capacity.csv: every point run, per search (policy, n, seeds, tenants, met, attainment_pct,
 * feasible, seeds_feasible, failed_runs, answer).  0, or -1 with err set. */
int vgs_capacity_write_csv(const struct vgs_capacity_search *s, size_t n, const char *dir, struct vgs_error *err);
/* The table: one line per search with its answer, per GPU, the attainment at N and N + 1, the runs and
 * a note (limited by placement, non-monotone). per_gpu[i]: GPUs the answer's instances are on (>= 1). */
void vgs_capacity_print(FILE *f, const struct vgs_capacity_search *s, size_t n, const uint32_t *per_gpu);
/* plotdir/capacity.dat and its job (plot-capacity.gp): attainment (%) against N, one line per search. */
int vgs_capacity_plot_prepare(const struct vgs_capacity_search *s, size_t n, double target_pct, const char *group,
			      const char *plotdir, GPtrArray *jobs, struct vgs_error *err);

#endif
