/*
 * Metrics: the driver (simulator or executor) reports what happened as it happens; this module
 * aggregates it in memory bounded independently of the run's length (per-unit rows stream to
 * units.csv, quantiles come from log-bucketed histograms), then writes the results directory and the
 * end-of-run table.  Every metric is defined, with its formula, in docs/metrics.md.
 *
 * Times are absolute simulated (or real) ns since the run started; only what falls in the measured
 * window [warmup_ns, warmup_ns + duration_ns] counts (intervals are clipped to it, units count by
 * their completion time).  Indexes are those of struct vgs_scenario.
 */
#ifndef VGS_METRICS_H
#define VGS_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "models/scenario/scenario.h"

struct vgs_metrics;

/*
 * Create the accumulators for scenario s and open DIR/units.csv for streaming, where DIR is the
 * (temporary) results directory the caller created.  NULL with err set on I/O failure.
 */
struct vgs_metrics *vgs_metrics_new(const struct vgs_scenario *s, const char *dir, struct vgs_error *err);
void vgs_metrics_free(struct vgs_metrics *m);

/* A command (or a piece of one, after fine preemption) occupied one channel of `engine` for tenant. */
void vgs_metrics_busy(struct vgs_metrics *m, uint32_t tenant, uint32_t engine, uint64_t start_ns, uint64_t end_ns);
/* engine had at least one busy channel from start_ns to end_ns (non-overlapping per engine). */
void vgs_metrics_engine_busy(struct vgs_metrics *m, uint32_t engine, uint64_t start_ns, uint64_t end_ns);
/* A command completed: submitted at submit_ns, first started at start_ns, completed at end_ns. */
void vgs_metrics_cmd_done(struct vgs_metrics *m, uint32_t tenant, uint8_t cls, uint64_t submit_ns,
			  uint64_t start_ns, uint64_t end_ns);
/* tenant runs on GPU `gpu` from now on (a live migration): its commands count there, and metering
 * names it. */
void vgs_metrics_tenant_moved(struct vgs_metrics *m, uint32_t tenant, uint32_t gpu);
/* A unit completed (arrival_ns: open-loop arrival, or when the host began it; deadline or VGS_NO_TIME).
 * Its row of units.csv: rows come in end-time order; units that end at the same ns are listed by
 * physical GPU index, then in the order they ended (so a run split into shards merges to the same file). */
void vgs_metrics_unit_done(struct vgs_metrics *m, uint32_t tenant, uint64_t unit, uint64_t arrival_ns,
			   uint64_t end_ns, uint64_t deadline_ns);
/* A unit completed at end_ns showed n generated frames besides its own (frame generation). */
void vgs_metrics_units_generated(struct vgs_metrics *m, uint32_t tenant, uint64_t end_ns, uint64_t n);
/* Units the workload skipped (a game that fell a full period behind). */
void vgs_metrics_units_dropped(struct vgs_metrics *m, uint32_t tenant, uint64_t n);
/* tenant owned domain from start_ns to end_ns and was charged for `reason` (enum vgs_charge_reason). */
void vgs_metrics_slice(struct vgs_metrics *m, uint32_t domain, uint32_t tenant, uint64_t start_ns,
		       uint64_t end_ns, int reason);
/* domain switched context from start_ns to end_ns; `to` is the incoming tenant. */
void vgs_metrics_switch(struct vgs_metrics *m, uint32_t domain, uint32_t to, uint64_t start_ns, uint64_t end_ns);
/* A running command of tenant was preempted mid-command (fine granularity). */
void vgs_metrics_preempt(struct vgs_metrics *m, uint32_t tenant, uint32_t engine);
/* A TDR reset of tenant's context on engine; `dropped` commands were discarded with it. */
void vgs_metrics_reset(struct vgs_metrics *m, uint32_t tenant, uint32_t engine, uint64_t at_ns, uint64_t dropped);
/* The tenant's submitter blocked on a full ring for blocked_ns. */
void vgs_metrics_backpressure(struct vgs_metrics *m, uint32_t tenant, uint64_t blocked_ns);
/* Energy an engine consumed in the measured window (joules), from the SimGrid energy plugin. */
void vgs_metrics_engine_energy(struct vgs_metrics *m, uint32_t engine, double joules);

/*
 * VRAM (docs/vram.md).  vgs_metrics_vram_level: the tenant holds `bytes` of VRAM from at_ns on (report
 * every change, in time order).  vgs_metrics_vram_events: at at_ns the tenant had `faults` page
 * faults (`invalid` of them outside its allocations), `evictions` pages evicted, `migrated` bytes
 * moved over PCIe and `alloc_failures` allocations refused.  vgs_metrics_vram_stall: a command waited
 * for its pages from start_ns to end_ns.  vgs_metrics_vram_kill: a fault dropped a command (counted
 * with the commands resets drop).  At the end of the run: vgs_metrics_vram_violations (isolation
 * violations involving the tenant) and vgs_metrics_gpu_vram (fragmentation, VRAM in use at the end
 * and at its peak).
 */
void vgs_metrics_vram_level(struct vgs_metrics *m, uint32_t tenant, uint64_t at_ns, uint64_t bytes);
void vgs_metrics_vram_events(struct vgs_metrics *m, uint32_t tenant, uint64_t at_ns, uint64_t faults,
			     uint64_t invalid, uint64_t evictions, uint64_t migrated, uint64_t alloc_failures);
void vgs_metrics_vram_stall(struct vgs_metrics *m, uint32_t tenant, uint64_t start_ns, uint64_t end_ns);
void vgs_metrics_vram_kill(struct vgs_metrics *m, uint32_t tenant, uint64_t at_ns);
void vgs_metrics_vram_violations(struct vgs_metrics *m, uint32_t tenant, uint64_t n);
void vgs_metrics_gpu_vram(struct vgs_metrics *m, uint32_t gpu, double fragmentation, uint64_t used_bytes,
			  uint64_t used_peak_bytes);

struct vgs_run_info {
	const char *version;         /* vgpusim version */
	const char *driver;          /* "simgrid" or "host" / "cuda" */
	const char *policy;          /* effective policy name */
	uint64_t end_ns;             /* when the run stopped (warmup + duration) */
	double wall_s;               /* wall-clock time of the run (the only non-deterministic field) */
	uint64_t activities;         /* SimGrid activities started (execs + comms + timers), 0 if n/a */
	uint64_t commands_total;     /* commands completed in the whole run, warm-up included */
	bool coalesce;               /* simulator: execs timed without SimGrid (not --no-coalesce, lockstep) */
	uint64_t execs_without_activity; /* simulator: execs whose end needed no SimGrid activity */
	bool partial;                /* the run was interrupted before end_ns (executor: Ctrl-C) */
	/* wall-clock seconds of its parts (0: not measured): the event loop, what follows it until the
	 * results are written (closing, VRAM check, final numbers), and the whole command so far */
	double wall_loop_s, wall_finish_s, wall_command_s;
	uint32_t shards;             /* simulator: processes the run was split into (0: not said) */
	const char *shards_why;      /* ... and why one only, when more could have been used, or NULL */
	const char *import_cache;    /* what the import cache did for the captures the config names
				      * ("hit", "miss", "off", "unwritable": hw-trace/cache.h), NULL: none */
};

/* Compute the final metrics (call once, after the run). */
void vgs_metrics_finish(struct vgs_metrics *m, const struct vgs_run_info *info);
/* After vgs_metrics_finish: the wall-clock seconds of finishing and of the whole command (summary.json). */
void vgs_metrics_set_wall(struct vgs_metrics *m, double finish_s, double command_s);

/*
 * A run split into shards (sim/shard.c, docs/simulator.md "Shards"): each process simulates the GPUs
 * of its shard and saves the accumulators of their tenants, engines, domains and GPUs; the parent
 * loads them into one vgs_metrics and merges the shards' units.csv files.  What a shard says besides:
 */
struct vgs_metrics_part {
	uint64_t activities, execs_without_activity, commands_total, end_ns;
	bool partial;
	double wall_loop_s;
	bool straddle;               /* a report placed at the latest time reported (preempt, backpressure,
	                              * dropped units) could have fallen on the other side of a window edge
	                              * in a one-shard run (vgs_metrics_watch_clock) */
};
/* Shards: untimed reports are checked against the simulated clock *clock_ns (see .straddle). */
void vgs_metrics_watch_clock(struct vgs_metrics *m, const uint64_t *clock_ns);
/* Save the accumulators of the GPUs gpu_active[g] (and their tenants, engines, domains) with p into
 * `path`; m's units.csv is complete when this returns.  0 or -1 with err set. */
int vgs_metrics_part_save(struct vgs_metrics *m, const bool *gpu_active, const struct vgs_metrics_part *p,
			  const char *path, struct vgs_error *err);
/* Load what vgs_metrics_part_save wrote into m (its GPUs' entities are replaced, the totals added);
 * *p gets the shard's figures.  0 or -1 with err set. */
int vgs_metrics_part_load(struct vgs_metrics *m, const char *path, struct vgs_metrics_part *p,
			  struct vgs_error *err);
/*
 * Append the rows of the shards' units.csv files (each in end-time order, with the header; paths[k]
 * the k-th shard's, shards holding physical GPUs in index order) to m's units.csv in the order of a
 * one-shard run: by end time, units that end at the same ns by physical GPU (vgs_metrics_unit_done),
 * so the lower shard's first.  0, or -1 with err set.
 */
int vgs_metrics_units_merge(struct vgs_metrics *m, char *const *paths, size_t n, struct vgs_error *err);
/* Write summary.json, tenants.csv, engines.csv into dir (units.csv is already there).  0 or -1. */
int vgs_metrics_write(struct vgs_metrics *m, const char *dir, struct vgs_error *err);
/* The end-of-run table (per tenant, per GPU, fairness). */
void vgs_metrics_print_table(const struct vgs_metrics *m, FILE *out);

/* Commands completed in the measured window (for commands/s). */
uint64_t vgs_metrics_commands(const struct vgs_metrics *m);

#endif
