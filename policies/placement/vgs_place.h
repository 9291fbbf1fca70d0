/*
 * vgpusim placement policies: the second plug-in interface beside the scheduling policies of
 * policies/vgs_policy.h (docs/pools.md, "Placement").
 *
 * Object model.  A *pool* is a set of GPUs on hosts (machines).  Requests for vGPUs arrive
 * (models/pool/), each asking for a vGPU *profile*: a time-sliced vGPU (a framebuffer and a share
 * weight, one of the GPU's max_vgpus slots) or a MIG instance (a MIG profile: compute and memory
 * slices), and for the engine classes its workload uses.  A *placement policy* decides where a request
 * goes: given the request and a read-only view of every GPU's state -- free framebuffer, free slots,
 * free MIG slices, the tenants it holds and their measured load -- it returns a GPU that can take it,
 * or VGS_PLACE_QUEUE to make the request wait (it is offered again whenever capacity frees up).
 * Optionally it proposes live migrations (rebalance), which the pool carries out (pre-copy, then
 * stop-and-copy: docs/pools.md, "Migration").
 *
 *     on an arrival, and for each queued request (oldest first) when capacity frees up:
 *            g = ops->place(p, &view, &req)         VGS_PLACE_QUEUE: wait; else a GPU that fits
 *     every pool.rebalance_s, when the policy has the hook:
 *            n = ops->rebalance(p, &view, tenants, ntenants, moves, max)
 *
 * The pool checks every answer (vgs_place_fits): a GPU that cannot take the request is treated as
 * VGS_PLACE_QUEUE, a move that does not fit is skipped, so a buggy policy costs capacity, never a
 * crash.  Like the scheduling policies this directory is libc only: no clock (time arrives as
 * now_ns), no I/O, no global mutable state.  It is compiled into libvgspolicies.a with them, and a user
 * policy built as a shared object exports `const struct vgs_place_ops vgs_place_ops`
 * (docs/examples/myplacement.c).
 */
#ifndef VGS_PLACE_H
#define VGS_PLACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VGS_PLACE_QUEUE UINT32_MAX
/* MIG geometries have at most 8 memory slices (A100, H100: NVIDIA MIG User Guide). */
#define VGS_PLACE_MAX_SLICES 32

/* A MIG instance profile of the pool's GPUs (the profile's `mig` group, docs/spatial.md). */
struct vgs_place_mig {
	const char *name;          /* "3g.20gb" */
	uint32_t cslices;          /* compute slices it takes */
	uint32_t mslices;          /* memory slices it takes */
	uint32_t placements;       /* bit s: it may start at memory slice s */
	uint64_t fb_bytes;         /* its usable VRAM */
};

/* One GPU of the pool, as a policy sees it.  Read-only to the policy. */
struct vgs_place_gpu {
	uint32_t id;               /* its index in view->gpus */
	uint32_t host;             /* the machine it is on, 0 .. view->nhosts - 1 */
	uint32_t kind;             /* GPU profile index (pools may mix GPU models) */
	uint32_t class_mask;       /* bit c: it has an engine for engine class c (models/base/types.h) */
	bool mig;                  /* partitioned into MIG instances (takes MIG requests only), else it
	                            * holds time-sliced vGPUs (takes the others only) */
	bool draining;             /* being drained: takes nothing new */
	/* time-sliced vGPUs */
	uint64_t fb_bytes;         /* framebuffer (VRAM) of the GPU */
	uint64_t fb_free_bytes;    /* not yet given to a vGPU */
	uint32_t slots;            /* vGPUs it may hold (the profile's max_vgpus) */
	uint32_t slots_free;
	/* MIG */
	uint32_t mig_cslices;      /* compute slices (7 on A100/H100), 0 when not a MIG GPU */
	uint32_t mig_mslices;      /* memory slices (8) */
	uint32_t mig_cfree;        /* compute slices not in an instance */
	uint32_t mig_mfree;        /* bit s: memory slice s is not in an instance */
	/* what runs there */
	uint32_t ntenants;
	double load;               /* measured: busy fraction of its busiest engine class under its
	                            * current tenants, 0..1 (0 when empty) */
	double power_w;            /* measured power under its current tenants */
};

/* A request, or a request class of the workload (view->classes).  Read-only to the policy. */
struct vgs_place_req {
	uint64_t id;               /* request number (arrival order); for a class: its index */
	uint32_t cls;              /* request class (view->classes index) */
	uint32_t class_mask;       /* engine classes its workload uses */
	uint64_t fb_bytes;         /* framebuffer it asks for (time-sliced), or its MIG profile's VRAM */
	uint32_t weight;           /* share weight (time-sliced) */
	int32_t mig;               /* index into view->mig, or -1: a time-sliced vGPU */
	double demand;             /* busy fraction it adds to its GPU's busiest engine class when alone
	                            * (measured solo; 0 when not known yet) */
	uint64_t arrival_ns;
};

/* A tenant of the pool (a placed request), for rebalance. */
struct vgs_place_tenant {
	struct vgs_place_req req;
	uint32_t gpu;              /* where it runs */
	bool migrating;            /* a migration of it is under way: it cannot be moved again yet */
};

/* A proposed live migration: tenant index (into rebalance's tenants[]) to GPU. */
struct vgs_place_move {
	uint32_t tenant;
	uint32_t gpu;
};

/* What every hook sees.  Read-only to the policy. */
struct vgs_place_view {
	uint64_t now_ns;
	const struct vgs_place_gpu *gpus;
	uint32_t ngpus;
	uint32_t nhosts;
	const struct vgs_place_mig *mig; /* the MIG profiles requests may name */
	uint32_t nmig;
	/* The workload: every request class with its share of the arrivals so far (or the configured
	 * shares before any arrival), summing to 1.  What a fragmentation-aware policy takes as the
	 * distribution of the next requests (Weng et al., ATC '23: the "target workload"). */
	const struct vgs_place_req *classes;
	const double *class_share;
	uint32_t nclasses;
};

/* One tunable of a placement policy, for `vgpusim policies` and docs/pools.md. */
struct vgs_place_param {
	const char *name;          /* config key, under pool.<policy> */
	const char *def;           /* default, as text */
	const char *help;          /* one line: meaning, unit, range */
};

struct vgs_place;

struct vgs_place_ops {
	/* Short name used in configs and on the command line ("best-fit").  Required. */
	const char *name;
	/* One line for `vgpusim policies`.  Required. */
	const char *summary;
	/* Tunables, terminated by an entry whose name is NULL.  May be NULL. */
	const struct vgs_place_param *params;
	/* init - allocate p->priv with every tunable at its default.  Called once, first.  0 or a
	 * negative errno.  May be NULL (no state). */
	int (*init)(struct vgs_place *p);
	/* fini - free p->priv.  Called once, last.  May be NULL. */
	void (*fini)(struct vgs_place *p);
	/* set_param - one tunable from its text form, after init(): 0, -ENOENT (unknown key), -EINVAL
	 * (bad value).  May be NULL when params is NULL. */
	int (*set_param)(struct vgs_place *p, const char *key, const char *value);
	/*
	 * place - where request r goes: the index of a GPU of the view that can take it (vgs_place_fits
	 * says which can), or VGS_PLACE_QUEUE to make it wait.  Called at its arrival, then again (queued
	 * requests oldest first) whenever a departure or a migration frees capacity.  For a MIG request
	 * the pool takes the first placement (lowest memory slice) of the profile that fits on the chosen
	 * GPU.  Required.
	 */
	uint32_t (*place)(struct vgs_place *p, const struct vgs_place_view *v, const struct vgs_place_req *r);
	/*
	 * rebalance - live migrations to start now: fill moves[0 .. n) (n <= max) and return n.  Called
	 * every pool.rebalance_s (when set) with the running tenants.  A tenant already migrating is
	 * skipped, as is a move to its own GPU or to a GPU it does not fit.  May be NULL (never migrates).
	 */
	uint32_t (*rebalance)(struct vgs_place *p, const struct vgs_place_view *v, const struct vgs_place_tenant *t,
			      uint32_t nt, struct vgs_place_move *moves, uint32_t max);
};

/* A placement policy instance: its ops and its state. */
struct vgs_place {
	const struct vgs_place_ops *ops;
	void *priv;
};

/* Key/value parameter with text values, as read from a config or a command line. */
struct vgs_place_kv {
	const char *key;
	const char *value;
};

/* init(), then set_param() for each parameter; on failure *bad = the failing parameter's index (-1:
 * not a parameter's fault) and p is clean.  0 or a negative errno. */
int vgs_place_init(struct vgs_place *p, const struct vgs_place_ops *ops, const struct vgs_place_kv *kv, size_t n,
		   int *bad);
void vgs_place_fini(struct vgs_place *p);

/*
 * Helpers (libc only, in libvgspolicies.a; a policy built as a .so may call them too, the vgpusim
 * binary exports them).
 *
 * vgs_place_fits - whether GPU g can take request r now: the same kind (MIG or not), not draining, the
 * engine classes, and a free slot and enough free framebuffer (time-sliced) or a free placement of
 * its MIG profile (all its memory slices free, enough compute slices).  *start (may be NULL) gets the
 * placement: the first memory slice of the instance, 0 for a time-sliced vGPU.
 * vgs_place_take - g as it would be after taking r at `start` (the caller's copy is modified).
 * vgs_place_free_units - the GPU's free capacity in the unit fragmentation is counted in: free
 * framebuffer in GiB (time-sliced), free compute slices (MIG).
 * vgs_place_frag - the expected fragmentation of g under the workload of the view (Weng et al., "Beware
 * of Fragmentation", USENIX ATC '23, Sec. 4): sum over request classes m of share(m) x the free
 * capacity of g that m cannot use -- all of it when m does not fit on g, none when it does.  In the
 * unit of vgs_place_free_units.
 * vgs_place_param_u64 - a decimal integer in [min, max] for set_param(): 0 or -EINVAL.
 */
bool vgs_place_fits(const struct vgs_place_view *v, const struct vgs_place_gpu *g, const struct vgs_place_req *r,
		    uint32_t *start);
void vgs_place_take(const struct vgs_place_view *v, struct vgs_place_gpu *g, const struct vgs_place_req *r,
		    uint32_t start);
double vgs_place_free_units(const struct vgs_place_gpu *g);
double vgs_place_frag(const struct vgs_place_view *v, const struct vgs_place_gpu *g);
int vgs_place_param_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out);

/* Built-in placement policies (docs/pools.md): "first-fit", "best-fit", "spread", "fgd". */
extern const struct vgs_place_ops vgs_place_first_fit;
extern const struct vgs_place_ops vgs_place_best_fit;
extern const struct vgs_place_ops vgs_place_spread;
extern const struct vgs_place_ops vgs_place_fgd;
/* NULL-terminated list of the built-ins, and lookup by name (NULL if unknown). */
extern const struct vgs_place_ops *const vgs_place_builtins[];
const struct vgs_place_ops *vgs_place_find(const char *name);

/*
 * A placement policy built as a shared object exports its table under this symbol name:
 *     const struct vgs_place_ops vgs_place_ops = { ... };
 */
#define VGS_PLACE_SYMBOL "vgs_place_ops"

#endif
