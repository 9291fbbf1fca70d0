/*
 * A pool of GPUs at the pool level (docs/pools.md): requests for vGPUs arrive, a placement policy
 * (policies/placement/vgs_place.h) puts them on GPUs or queues them, they run, may be live-migrated,
 * and leave.  The pool level moves only on those events; what a GPU does for its current tenant mix --
 * each tenant's unit rate, latency and SLA attainment, its busy time per engine class, its power --
 * comes from the command-level simulator: `vgpusim run` on a one-GPU scenario of that mix (a *mix
 * run*, models/pool/pool_mix.c), run once per distinct mix and cached on disk.
 *
 *   vgs_pool_new()                  the pool of a scenario with `requests` (its arrivals drawn now)
 *   loop: t = vgs_pool_next_ns()    the platform's event loop (sim/pool_run.c): SimGrid moves the
 *         vgs_pool_fire(t)          bytes of migrations, or the pool times them itself
 *         vgs_pool_transfer_done()
 *   vgs_pool_finish(), vgs_pool_write()   summary.json, requests.csv, metering.csv, gpus.csv,
 *                                   timeseries.csv, migrations.csv (models/pool/pool_write.c)
 *
 * Between events every tenant progresses at its mix's rates: a request that asks for an amount of
 * work (units) leaves when it has done it, one with a duration when that is over.  A mix the pool
 * does not know yet is asked of ops->need_mix (which runs it, or returns NULL: then it is estimated
 * from the classes' solo runs and listed in vgs_pool_misses(), so that a first pass finds the mixes a
 * second one needs: sim/cmd_pool.c).  Plain C + GLib; no SimGrid.
 */
#ifndef VGS_POOL_H
#define VGS_POOL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "models/base/error.h"
#include "models/base/types.h"
#include "models/scenario/pool_cfg.h"
#include "models/scenario/scenario.h"
#include "policies/placement/vgs_place.h"

/* What a mix run measured, per class of the mix (in the mix's order) and for the GPU. */
struct vgs_mix_class {
	uint32_t cls;                /* request class (vgs_pool_cfg.classes index) */
	uint32_t n;                  /* tenants of it in the mix */
	double unit_rate;            /* units per second, mean over its tenants */
	double lat_p50_ms, lat_p99_ms;
	double sla_frac;             /* share of SLA windows its SLA held (mean over its tenants); NAN: no SLA */
	double busy[VGS_NCLASS];     /* channel-busy seconds per second, per tenant, by engine class */
	double power_w;              /* energy attributed per second, per tenant */
	double vram_mb;              /* resident VRAM, time average, per tenant */
};

struct vgs_mix_result {
	uint32_t nclasses;
	struct vgs_mix_class c[];    /* ... then the GPU's: */
};

/* The GPU-level numbers of a mix run (kept apart so that the flexible array stays last). */
struct vgs_mix_gpu {
	double power_w;              /* the GPU's (or MIG instance's) energy per second, idle included */
	double load;                 /* busy fraction of its busiest engine class */
};

/* A mix: which GPU profile (gpus entry) or MIG instance profile, and its tenants' classes. */
struct vgs_mix {
	uint32_t entry;              /* gpus entry */
	int32_t mig;                 /* MIG profile index (vgs_pool_cfg.mig), -1: a whole time-sliced GPU */
	uint32_t n;
	uint32_t *cls;               /* sorted ascending */
};

struct vgs_mix_entry {
	struct vgs_mix_gpu gpu;
	struct vgs_mix_result *res;
};

struct vgs_pool;

struct vgs_pool_ops {
	void *user;                  /* handed to transfer and need_mix */
	/* The route from GPU a to GPU b: latency and bandwidth (for the downtime target, and for the
	 * pool's own timing when transfer is NULL), handed route_user.  Required. */
	void (*route)(void *route_user, uint32_t a, uint32_t b, double *lat_s, double *bw_Bps);
	void *route_user;
	/* Move `bytes` from GPU a to GPU b, then call vgs_pool_transfer_done(p, token, end).  NULL: the pool
	 * times it itself (latency + bytes / bandwidth, no contention). */
	void (*transfer)(void *user, uint32_t a, uint32_t b, uint64_t bytes, void *token);
	/* The results of mix m, run now; NULL when it is to be estimated (the pool lists it as a miss).
	 * The entry stays the caller's.  Required. */
	const struct vgs_mix_entry *(*need_mix)(void *user, const struct vgs_mix *m);
};

struct vgs_pool_args {
	const struct vgs_scenario *scn;
	const struct vgs_place_ops *place;
	const struct vgs_place_kv *params;
	size_t nparams;
	struct vgs_pool_ops ops;
	/* The classes' solo runs (a class alone on its GPU profile / MIG profile), for estimates and for
	 * vgs_place_req.demand; may be NULL (then estimates are crude). */
	const struct vgs_mix_entry *const *solo;
};

/* 0, or -1 with err set (a placement parameter refused: its file:line). */
int vgs_pool_new(struct vgs_pool **out, const struct vgs_pool_args *a, struct vgs_error *err);
void vgs_pool_free(struct vgs_pool *p);
/* Before its first event: the platform that moves the bytes and runs the mixes is another (the final
 * pass on SimGrid): ops.user, ops.transfer and ops.need_mix replaced. */
void vgs_pool_set_ops(struct vgs_pool *p, void *user,
		      void (*transfer)(void *user, uint32_t a, uint32_t b, uint64_t bytes, void *token),
		      const struct vgs_mix_entry *(*need_mix)(void *user, const struct vgs_mix *m));
/* The pool's current time. */
uint64_t vgs_pool_now(const struct vgs_pool *p);
/* The next event's time (UINT64_MAX: none before the end). */
uint64_t vgs_pool_next_ns(const struct vgs_pool *p);
/* Handle every event due at now; false once the end of the run was reached. */
bool vgs_pool_fire(struct vgs_pool *p, uint64_t now);
void vgs_pool_transfer_done(struct vgs_pool *p, void *token, uint64_t now);
/* Run the whole pool with its own timing of transfers (ops.transfer NULL); false when interrupted. */
bool vgs_pool_run(struct vgs_pool *p);
/* Close the accounting at the end of the run (or at `end` when interrupted). */
void vgs_pool_finish(struct vgs_pool *p, uint64_t end);
/* The mixes that had to be estimated (canonical vgs_mix, owned by the pool). */
const GPtrArray *vgs_pool_misses(const struct vgs_pool *p);
/* The mixes the run met: how many distinct ones, and how often one was looked up. */
void vgs_pool_mix_counts(const struct vgs_pool *p, uint64_t *distinct, uint64_t *lookups);
/* Events handled, requests arrived so far, simulated ns so far (progress). */
void vgs_pool_progress(const struct vgs_pool *p, uint64_t *events, uint64_t *arrived, uint64_t *now);

/* Run information for summary.json. */
struct vgs_pool_info {
	const char *version;
	const char *placement;       /* the policy's name */
	const char *level;           /* "pool" (two levels) */
	double wall_s;
	uint64_t mixes_run;          /* mix runs this command made */
	uint64_t mixes_cached;       /* mixes found in the cache */
	uint64_t passes;
	long peak_rss_kb;
	bool partial;
};
/* Write summary.json, requests.csv, metering.csv, gpus.csv, timeseries.csv, migrations.csv into dir
 * (models/pool/pool_write.c).  0, or -1 with err set. */
int vgs_pool_write(struct vgs_pool *p, const char *dir, const struct vgs_pool_info *info, struct vgs_error *err);
/* The lines of the end-of-run table. */
void vgs_pool_print(const struct vgs_pool *p, FILE *out);

/*
 * The two levels against each other (docs/pools.md, "The two levels"): the whole pool as one
 * command-level scenario -- every request that was placed, a vGPU pinned to its GPU with the lifetime
 * the two-level run gave it, its live migrations as `migrations` (models/pool/pool_cmdlevel.c); NULL
 * with err set.  Then DIR/error.csv from DIR/pool/ (two levels) and DIR/command/ (that run): each
 * metric at both levels and the error (models/pool/pool_error.c).
 */
char *vgs_pool_command_scenario(const struct vgs_pool *p, struct vgs_error *err);
/* A comparison of placement policies (models/pool/pool_compare.c): DIR/<names[i]>/ read back into
 * DIR/compare.csv, DIR/report.md (with the plot when plotted) and, plot_data, DIR/plots/
 * fragmentation.dat.  0, or -1 with err set.  _print: compare.csv's main columns as a table. */
int vgs_pool_compare_write(const char *dir, const char *scenario, char *const *names, size_t n, bool plot_data,
			   bool plotted, struct vgs_error *err);
void vgs_pool_compare_print(const char *dir, FILE *out);
int vgs_pool_error_write(const char *dir, struct vgs_error *err);
void vgs_pool_error_print(const char *dir, FILE *out);

/* ---- requests CSVs from a cluster trace, or synthetic (models/pool/pool_trace.c) ---------------- */

struct vgs_trace_opts {
	double from_s;               /* the trace time the window starts at; < 0: its first GPU pod */
	double hours;                /* the window, in the trace's hours (0: all); synth: simulated hours */
	double speedup;              /* trace seconds per simulated second (> 0) */
	double gpu_vram_gb;          /* the framebuffer gpu_milli is a share of */
	double max_duration_s;       /* durations are capped to this (0: not) */
	double rate_per_h;           /* synth: requests per hour */
	uint64_t seed;               /* synth */
};
/* Write a requests CSV of the Alibaba cluster-trace-gpu-v2023 pod list `path` (openb_pod_list_*.csv),
 * or a synthetic one calibrated on it.  0, or -1 with err set. */
int vgs_requests_alibaba(const char *path, const struct vgs_trace_opts *o, FILE *out, struct vgs_error *err);
int vgs_requests_synth(const struct vgs_trace_opts *o, FILE *out, struct vgs_error *err);

/* ---- mixes (models/pool/pool_mix.c) ------------------------------------------------------------ */

/* Canonical text of a mix ("e0:-:0,0,3"), the in-memory key (g_free). */
char *vgs_mix_name(const struct vgs_mix *m);
struct vgs_mix *vgs_mix_copy(const struct vgs_mix *m);
void vgs_mix_free(struct vgs_mix *m);
/*
 * The one-GPU scenario of mix m (libconfig text, g_free): the pool's GPU profile (its gpus entry), cut
 * into the one MIG instance for a MIG mix; the scheduler; one vgpus entry per class of the mix, named
 * c<k>, with count = its tenants; simulation = pool.mix (duration, warm-up) and the scenario's seed.
 * Its SHA-256 with VGS_MIX_FORMAT is the cache key (*key, 64 hex digits, g_free).
 */
#define VGS_MIX_FORMAT "vgpusim-mix-1"
char *vgs_mix_scenario(const struct vgs_scenario *s, const struct vgs_mix *m, char **key);
/* The results of mix m from the results directory of its run.  NULL with err set. */
struct vgs_mix_entry *vgs_mix_read_run(const struct vgs_scenario *s, const struct vgs_mix *m, const char *dir,
				       struct vgs_error *err);
/* A cache file <key>.mix: write (atomically: temp + rename), read (NULL when absent or stale). */
int vgs_mix_cache_write(const char *path, const struct vgs_mix_entry *e, struct vgs_error *err);
struct vgs_mix_entry *vgs_mix_cache_read(const char *path, const struct vgs_mix *m);
struct vgs_mix_entry *vgs_mix_entry_new(uint32_t nclasses);
void vgs_mix_entry_free(struct vgs_mix_entry *e);
/* The mix of one class alone: on its GPU profile (the first of the pool's kind) or its MIG instance. */
void vgs_mix_solo(const struct vgs_scenario *s, uint32_t cls, struct vgs_mix *m, uint32_t *one);

#endif
