/*
 * Private to the pool level (the files of models/pool/): its GPUs, tenants and migrations, and what each file
 * offers the others.  Calls go one way: pool.c (events) -> pool_mig.c (migrations, drains, rebalance)
 * -> pool_core.c (placement and departures, a GPU's mix and rates, accounting, the view a policy
 * sees); pool.c -> pool_arrive.c (the requests); pool_write.c writes the results.
 */
#ifndef VGS_POOL_PRIV_H
#define VGS_POOL_PRIV_H

#include "models/base/histogram.h"
#include "models/base/rng.h"
#include "models/driver/timerheap.h"
#include "models/pool/pool.h"

enum { PEV_ARRIVE, PEV_DEPART, PEV_SAMPLE, PEV_DRAIN, PEV_REBALANCE, PEV_XFER, PEV_END };

enum ptenant_state { PT_FUTURE, PT_QUEUED, PT_RUNNING, PT_DONE };

struct pmig;

/* A request, from its arrival to its departure. */
struct ptenant {
	uint64_t id;                 /* arrival order */
	char *name;
	uint32_t cls;
	uint64_t arrival_ns, placed_ns, end_ns; /* VGS_NO_TIME until they happen */
	uint64_t duration_ns;        /* VGS_NO_TIME: none */
	uint64_t units;              /* 0: none */
	uint64_t fb_bytes;
	int32_t mig;                 /* MIG profile, -1: time-sliced */
	uint32_t mig_start;          /* its instance's first memory slice */
	int32_t gpu;                 /* where it runs, -1 */
	int32_t pin;                 /* a fixed vGPU pinned to this GPU, -1 */
	enum ptenant_state state;
	uint64_t gen;                /* its departure timer's */
	/* rates now (its mix's), per second */
	const struct vgs_mix_class *mc;
	double slow;                 /* pre-copy slowdown (dirty tracking), 0..1 */
	bool paused;                 /* stop-and-copy: not running */
	struct pmig *migrating;
	/* accumulated: progress over the whole run, the rest over the measured window */
	uint64_t last_ns;
	double units_done, units_w;  /* over the whole run, and in the measured window */
	double busy_s[VGS_NCLASS], energy_j, run_s, sla_s, sla_met_s, lat_p99_s, lat_p50_s;
	uint32_t migrations;
	double downtime_s;
};

/* A GPU of the pool. */
struct pgpu {
	uint32_t idx;                /* scenario GPU */
	uint32_t host, entry;
	GPtrArray *tenants;          /* struct ptenant * running here (and migrating away) */
	const struct vgs_mix_entry *mix; /* time-sliced: its tenants' mix now (NULL: none) */
	double idle_w;               /* every engine idle */
	double power_w, load, tenant_w, busy[VGS_NCLASS]; /* now */
	/* accumulated over the measured window */
	uint64_t last_ns;
	double energy_j, unattributed_j, busy_s[VGS_NCLASS], load_s, alloc_s, tenants_s;
};

/* A live migration under way (models/pool/pool_mig.c). */
struct pmig {
	struct ptenant *t;
	uint32_t src, dst, dst_start;
	int stop;                    /* 0: pre-copy rounds, 1: stop-and-copy */
	uint64_t start_ns, round_ns, suspend_ns, resume_ns;
	uint32_t rounds;
	double resident, round_bytes, precopy_bytes, final_bytes, lat_s, bw_Bps;
	const char *why;             /* "drain", "rebalance" */
};

/* A transfer the pool times itself (ops.transfer NULL). */
struct pxfer {
	struct pmig *m;
};

struct psample {
	double t_s;
	uint32_t queued, running;
	double alloc_fb, alloc_slices, stranded_fb_gb, stranded_slices, load, power_w;
};

struct vgs_pool {
	const struct vgs_scenario *s;
	const struct vgs_pool_cfg *cfg;
	struct vgs_pool_ops ops;
	struct vgs_place place;
	const struct vgs_mix_entry *const *solo;
	uint64_t w0, w1;             /* the measured window; the run ends at w1 */
	struct vgs_timerheap timers;
	/* GPUs and what a policy sees of them */
	struct pgpu *g;
	uint32_t ngpus, nhosts;
	struct vgs_place_gpu *vg;
	struct vgs_place_mig *vmig;
	struct vgs_place_req *vclasses;
	double *share;
	uint64_t *arrived_cls;
	/* requests */
	struct ptenant **t;
	size_t nt, next_arrival;
	GQueue queue;                /* struct ptenant * waiting, oldest first */
	uint64_t arrived, placed, completed;
	struct vgs_hist qdelay;      /* of requests that arrived in the window and were placed */
	/* mixes */
	GHashTable *mixes;           /* name -> const struct vgs_mix_entry * (need_mix's, or estimates) */
	GPtrArray *estimates;        /* struct vgs_mix_entry * the pool made */
	GPtrArray *misses;           /* struct vgs_mix * */
	uint64_t mix_lookups;
	/* migrations */
	GPtrArray *migs;             /* struct pmig *, all of them */
	uint32_t migrating;
	GArray *samples;             /* struct psample */
	uint64_t events;
	uint64_t now;
	bool ended;
};

/* pool_core.c: placement and departures, a GPU's mix, its tenants' rates, the policy's view. */
/* Ask the policy for t (at now): placed (true), or it waits in p->queue. */
bool pl_place(struct vgs_pool *p, struct ptenant *t, uint64_t now);
/* Place what waits (oldest first) now that capacity freed up on GPU `freed` (>= ngpus: anywhere). */
void pl_retry(struct vgs_pool *p, uint32_t freed, uint64_t now);
/* t leaves its GPU at now (its lease or its work is over). */
void pl_depart(struct vgs_pool *p, struct ptenant *t, uint64_t now);
/* t runs on GPU gi from now: on its tenant list, its departure set. */
void pl_join(struct vgs_pool *p, struct ptenant *t, uint32_t gi, uint64_t now);
/* t leaves GPU gi's tenant list (capacity given back; rates of the others anew). */
void pl_leave(struct vgs_pool *p, struct ptenant *t, uint64_t now);
const struct vgs_mix_entry *pl_mix_of(struct vgs_pool *p, uint32_t entry, int32_t mig, const uint32_t *cls,
					     uint32_t n);
/* Account g and its tenants up to now. */
void pl_advance(struct vgs_pool *p, struct pgpu *g, uint64_t now);
/* g's tenants changed (or their state): its mix, power and every tenant's rates anew, and the
 * departures of those doing an amount of work moved. */
void pl_rates(struct vgs_pool *p, struct pgpu *g, uint64_t now);
/* The policy's view of g from its state (capacity is kept in p->vg itself). */
void pl_sync_view(struct vgs_pool *p, struct pgpu *g);
/* What a policy sees at now. */
struct vgs_place_view pl_view(struct vgs_pool *p, uint64_t now);
/* t as a request (the policy's struct). */
void pl_req(const struct vgs_pool *p, const struct ptenant *t, struct vgs_place_req *r);
double pl_rate(const struct ptenant *t);
/* Take or give back t's capacity on GPU gi (at MIG slice `start`). */
void pl_take(struct vgs_pool *p, uint32_t gi, const struct ptenant *t, uint32_t start);
void pl_give(struct vgs_pool *p, uint32_t gi, const struct ptenant *t, uint32_t start);

/* pool_mig.c */
void pl_mig_start(struct vgs_pool *p, struct ptenant *t, uint32_t dst, const char *why, uint64_t now);
void pl_mig_step(struct vgs_pool *p, struct pmig *m, uint64_t now);
void pl_drain(struct vgs_pool *p, uint32_t host, uint64_t now);
void pl_rebalance(struct vgs_pool *p, uint64_t now);

/* pool_arrive.c: every request of the run, in arrival order (CSV rows, then the distribution's). */
void pl_requests(struct vgs_pool *p);

#endif
