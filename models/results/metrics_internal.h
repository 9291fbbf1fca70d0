/*
 * Private to models/results/metrics.c (accumulation, final computation) and models/results/metrics_write.c (files
 * and table): the accumulator layout.  Nothing here grows with the run's length: counters, each
 * tenant's busy time on the engines of its GPU and held time in its domains, two bounded histograms per
 * tenant.  Nothing grows faster than tenants + engines + domains either: a tenant runs on one GPU, so
 * its busy and held times are rows over that GPU's engines and domains (not over all of them), and
 * finishing walks each GPU's tenants, engines and domains (struct vgs_metrics_index).
 */
#ifndef VGS_METRICS_INTERNAL_H
#define VGS_METRICS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "models/base/histogram.h"
#include "models/results/metrics.h"
#include "models/scenario/scenario.h"
#include "policies/vgs_policy.h"

struct vgs_metrics_tenant {
	/* accumulated (window-clipped) */
	uint64_t busy_cls_ns[VGS_NCLASS]; /* channel-time, by the class of the engine that ran it */
	uint64_t commands;
	uint32_t gpu;                     /* the GPU it runs on now (a live migration moves it) */
	struct vgs_hist queue_ns;         /* start - submit of commands done in W */
	uint64_t units;
	uint64_t gen_units;               /* generated frames shown besides the units done in W */
	struct vgs_hist latency_ns;       /* end - arrival of units done in W */
	uint64_t deadline_misses;
	uint64_t dropped_units;
	uint64_t switches;
	uint64_t switch_ns;
	uint64_t preemptions;
	uint64_t resets;
	uint64_t reset_dropped;
	uint64_t backpressure_ns;
	uint64_t slices[VGS_CHARGE_NREASONS];
	/* VRAM (metrics_vram.c) */
	uint64_t vram_level;              /* bytes held now */
	uint64_t vram_since_ns;           /* ... since then */
	double vram_byte_ns;              /* integral of the level over W */
	uint64_t vram_peak;               /* highest level held during W */
	uint64_t page_faults, invalid_faults, evictions, migrated_bytes, alloc_failures;
	uint64_t fault_stall_ns;
	uint64_t fault_kills;
	uint64_t isolation_violations;    /* end of run, whole run */
	double vram_avg;                  /* finish: bytes */
	/* computed by finish */
	uint64_t held_ns;                 /* over the domains of its GPU */
	double share, target, share_error;
	double energy_j;
	double unit_rate;                 /* units / duration_s */
	double shown_rate;                /* (units + gen_units) / duration_s */
	bool sla_rate_set, sla_rate_met;
	bool sla_latency_set, sla_latency_met;
	double q_p50, q_p95, q_p99, q_mean, q_max;         /* queueing delay, ns */
	double l_p50, l_p95, l_p99, l_mean, l_max;         /* unit latency, ns */
	const char *unit_name;            /* "frame", "request", ... */
};

struct vgs_metrics_engine {
	uint64_t busy_ns;                 /* >= 1 channel busy, clipped, overlaps removed */
	uint64_t last_end_ns;             /* end of the latest engine_busy interval (overlap guard) */
	uint64_t channel_ns;              /* sum of tenants' channel-time */
	uint64_t pieces;                  /* busy reports ending in W */
	uint64_t preemptions;
	uint64_t resets;
	double energy_j;
	/* computed by finish */
	uint64_t commands;                /* pieces - preemptions */
	double utilisation;
};

struct vgs_metrics_domain {
	uint64_t held_ns;
	uint64_t switch_ns;
	uint64_t switches;
	uint64_t slices[VGS_CHARGE_NREASONS];
	int64_t idle_ns;                  /* finish: duration - held - switch */
};

struct vgs_metrics_gpu {
	double utilisation;               /* mean over its engines */
	double util_cls[VGS_NCLASS];      /* mean over its engines of class c; NaN if none */
	uint32_t nengines, ndomains;
	uint64_t switch_ns;
	double switch_pct;
	double energy_j;
	uint64_t commands;
};

struct vgs_metrics_gpu_vram {
	double fragmentation;             /* end of run */
	uint64_t used_bytes, used_peak_bytes;
};

/*
 * Who is on which GPU, built once: each GPU's tenants, engines and domains in index order (CSR: the
 * members of GPU g are [start[g], start[g + 1]) of the list), an engine's and a domain's place among
 * its GPU's, and where each tenant's busy and held rows start.
 */
struct vgs_metrics_index {
	uint32_t *t_start, *t_list;       /* tenants of each GPU */
	uint32_t *e_start, *e_list;       /* engines */
	uint32_t *d_start, *d_list;       /* domains */
	uint32_t *e_local, *d_local;      /* [engine], [domain]: its index among its GPU's */
	size_t *busy_off, *held_off;      /* [tenant]: its row in busy_t, held_t */
	uint32_t *x_slot;                 /* [tenant]: its row in x_busy, x_held if a live migration moves
	                                   * it (VGS_METRICS_NO_SLOT else); NULL without migrations */
	uint32_t *x_list;                 /* [slot]: the tenant */
	uint32_t nx;                      /* tenants that migrate */
};

#define VGS_METRICS_NO_SLOT UINT32_MAX

struct vgs_metrics {
	const struct vgs_scenario *s;
	uint64_t w0, w1;                  /* measured window [w0, w1] */
	uint64_t now_ns;                  /* latest time reported so far (for untimed reports) */
	const uint64_t *clock_ns;         /* a shard: the simulated clock (vgs_metrics_watch_clock), else NULL */
	bool straddle;                    /* a shard: an untimed report's count may differ from a one-shard run */
	FILE *units_csv;
	char *units_path;
	bool units_io_error;
	char **tenant_csv_name;           /* tenant names quoted for CSV where needed */
	uint32_t *tenant_csv_len;         /* ... and their lengths */
	char *units_buf;                  /* rows of units.csv not written yet (vgs_metrics_units_flush) */
	size_t units_len, units_cap;
	/* The rows that end at the latest end time seen (units_gns), kept in the buffer and in physical
	 * GPU order (stable) until a later row comes: where each starts and its physical GPU. */
	uint64_t units_gns;
	size_t units_gn, units_gcap;
	size_t *units_goff;
	uint32_t *units_gphys;

	struct vgs_metrics_tenant *t;
	struct vgs_metrics_engine *e;
	struct vgs_metrics_domain *d;
	struct vgs_metrics_gpu *g;
	struct vgs_metrics_gpu_vram *gv;
	struct vgs_metrics_index ix;
	uint64_t *busy_t;                 /* [busy_off[tenant] + e_local[engine]] channel-time ns */
	uint64_t *held_t;                 /* [held_off[tenant] + d_local[domain]] held ns */
	uint64_t *x_busy;                 /* [x_slot[tenant] * nengines + engine]: a migrating tenant's
	                                   * channel-time ns on engines of other GPUs than its own */
	uint64_t *x_held;                 /* [x_slot[tenant] * ndomains + domain]: ... held ns there */

	uint64_t commands;
	uint64_t *gpu_commands;           /* [gpu] commands done in W on that GPU */
	uint64_t units;
	uint64_t deadline_misses;

	/* computed by finish */
	bool finished;
	struct vgs_run_info info;         /* strings point into the caller's storage */
	uint64_t window_ns;               /* the measured window: duration, or up to where a partial run stopped */
	double duration_s, warmup_s;      /* window_ns, warmup in s */
	double jain;
	double utilisation;
	double switch_pct;
	double energy_j;
	double energy_unattributed_j;
	uint64_t switch_ns;
	uint64_t isolation_violations;    /* sum over tenants */
};

/* ns of [start, end] inside W. */
static inline uint64_t vgs_metrics_clip(const struct vgs_metrics *m, uint64_t start_ns, uint64_t end_ns)
{
	uint64_t a = start_ns > m->w0 ? start_ns : m->w0;
	uint64_t b = end_ns < m->w1 ? end_ns : m->w1;

	return b > a ? b - a : 0;
}

static inline bool vgs_metrics_in_window(const struct vgs_metrics *m, uint64_t t)
{
	return t >= m->w0 && t <= m->w1;
}

/* The latest time reported so far moves on to t. */
static inline void vgs_metrics_advance(struct vgs_metrics *m, uint64_t t)
{
	if (t != VGS_NO_TIME && t > m->now_ns)
		m->now_ns = t;
}

/* metrics_index.c: m->ix and the busy and held rows (busy_t, held_t) for m->s; -1 out of memory. */
int vgs_metrics_index_build(struct vgs_metrics *m);
void vgs_metrics_index_free(struct vgs_metrics_index *ix);

/* Write the buffered rows of units.csv to the file (an error sets units_io_error). */
void vgs_metrics_units_flush(struct vgs_metrics *m);

/* metrics_vram.c: close the VRAM level intervals at the end of W, compute averages and totals. */
void vgs_metrics_vram_finish(struct vgs_metrics *m);

/* "a,b" -> "\"a,b\"": a CSV field, quoted when it holds a comma, quote or line break.  malloc'd. */
char *vgs_metrics_csv_field(const char *s);
/* Format for CSV/JSON-free text: "%.6f"-style, "" for NaN, no "-0.000000".  Returns buf. */
char *vgs_metrics_fmt(char *buf, size_t size, const char *fmt, double v);

#endif
