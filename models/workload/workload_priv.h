/*
 * Inside models/workload/: the kind table each workload kind fills in, the spec and instance structs,
 * the config-reading helpers that give every error its FILE:LINE (keys.c), and what the kinds build
 * commands with (cmds.c).  Calls go one way: workload.c -> the kinds -> dist.c, cmds.c, keys.c, and
 * dist.c -> keys.c.
 *
 * Object model.  A spec (struct vgs_workload_spec) is parsed once per vgpus entry and is read-only
 * afterwards; its `priv` holds the kind's parameters (and, for traces, the loaded command array,
 * shared by every instance).  An instance (struct vgs_workload) is one tenant's stream: O(1) state
 * in `priv` (counters, rngs), never a copy of the trace.
 */
#ifndef VGS_WORKLOAD_PRIV_H
#define VGS_WORKLOAD_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <libconfig.h>

#include "models/workload/dist.h"
#include "models/base/rng.h"
#include "models/base/error.h"
#include "models/base/types.h"
#include "models/workload/workload.h"

struct vgs_wl_kind {
	const char *name; /* config `type` */
	/* Every key the kind accepts, NULL-terminated, for the unknown-key message. */
	const char *const *keys;
	/* Fill spec->priv, ->describe, ->unit_name, ->class_mask, ->latency_sensitive from group g.
	 * Called after the keys were checked.  0, or -1 with err set; spec_fini runs either way. */
	int (*parse)(struct vgs_workload_spec *spec, const config_setting_t *g, const char *config_dir,
		     struct vgs_error *err);
	void (*spec_fini)(struct vgs_workload_spec *spec); /* frees spec->priv; may see priv NULL */
	/* Set up w->priv for a new stream; 0 or -1 (out of memory). */
	int (*inst_init)(struct vgs_workload *w, uint64_t seed);
	/* vgs_workload_next: VGS_WL_CMD with *cmd filled, VGS_WL_WAIT, or VGS_WL_END. */
	int (*next)(struct vgs_workload *w, uint64_t now_ns, struct vgs_cmd *cmd);
	void (*inst_fini)(struct vgs_workload *w);
	/* Optional: vgs_workload_spec_vgpu(), once after parse, before any instance. */
	void (*vgpu)(struct vgs_workload_spec *spec, const struct vgs_wl_vgpu *v);
	/* Optional (traces): vgs_workload_translate. */
	void (*translate)(struct vgs_workload_spec *spec, const struct vgs_kspeed *from, const double *engine);
};

/* The memory operations of a workload's commands: lists of struct vgs_mem_op, numbered from 1. */
struct vgs_mem_table {
	struct vgs_mem_op *ops;
	uint32_t nops, cap_ops;
	uint32_t *first;         /* list k (1-based) is ops[first[k-1] .. first[k-1] + count[k-1]) */
	uint32_t *count;
	uint32_t nsets, cap_sets;
};

struct vgs_workload_spec {
	const struct vgs_wl_kind *kind;
	char *where;             /* "file:line" of the workload group */
	char *translate_from;    /* `translate` key: the GPU profile recorded on, NULL when none */
	char *describe;
	char *unit_name;
	uint32_t class_mask;
	double offered_ns_per_s[VGS_NCLASS]; /* open-loop work asked per second, reference-GPU ns; 0: closed loop */
	bool latency_sensitive;
	struct vgs_mem_table mem; /* filled by the kind's parse; read-only afterwards */
	void *priv;
};

/* A list of memory operations being built by a generator. */
#define VGS_MEM_LIST_MAX 24
struct vgs_mem_list {
	uint32_t n;
	struct vgs_mem_op op[VGS_MEM_LIST_MAX];
};

/* cmds.c: append one operation (ignored past VGS_MEM_LIST_MAX: generators stay well below). */
void vgs_mem_list_add(struct vgs_mem_list *l, enum vgs_mem_kind kind, uint32_t id, uint64_t arg, uint64_t len);
/* Append operations to the spec's table as one list: its `mem` index, 0 for an empty list. */
uint32_t vgs_mem_table_add(struct vgs_workload_spec *spec, const struct vgs_mem_op *ops, uint32_t n);

/*
 * Memory keys every generator takes (docs/workloads.md): `memory` (bool, default true: model the
 * workload's allocations and accesses).  vgs_mem_slice: bytes [*off, *off + *len) of slice j of k
 * equal slices of `bytes` (the part of a tensor one layer's kernels touch).
 */
void vgs_mem_slice(uint64_t bytes, uint32_t k, uint32_t j, uint64_t *off, uint64_t *len);
/* keys.c: `KEY_mb` in MiB (a number >= 0) to bytes; absent: *bytes unchanged. */
int vgs_wl_get_mb(const config_setting_t *g, const char *key, uint64_t *bytes, struct vgs_error *err);

struct vgs_workload {
	const struct vgs_workload_spec *spec;
	uint64_t dropped;        /* vgs_workload_dropped_units */
	void *priv;
};

extern const struct vgs_wl_kind vgs_wl_game, vgs_wl_train, vgs_wl_infer, vgs_wl_adversary, vgs_wl_trace,
	vgs_wl_victim, vgs_wl_probe;

/* keys.c: "FILE:LINE" of a setting ("<config>" for a string), or the --set option that created it. */
const char *vgs_wl_where(const config_setting_t *s);

/*
 * Optional members of group g.  Each leaves *out untouched when the key is absent, and on a bad
 * value sets err to "FILE:LINE: workload key 'k': expected ..., got ..." and returns -1.
 */
int vgs_wl_get_u64(const config_setting_t *g, const char *key, uint64_t min, uint64_t max, uint64_t *out,
		   struct vgs_error *err);
/* A number (int or float) > min (strictly when min_exclusive) and <= max. */
int vgs_wl_get_num(const config_setting_t *g, const char *key, double min, bool min_exclusive, double max,
		   double *out, struct vgs_error *err);
int vgs_wl_get_bool(const config_setting_t *g, const char *key, bool *out, struct vgs_error *err);
/*
 * One of a NULL-terminated list of words: *out = its index, left unchanged when the key is absent;
 * anything else is an error naming the choices.
 */
int vgs_wl_get_choice(const config_setting_t *g, const char *key, const char *const *choices, int *out,
		      struct vgs_error *err);
/* *out points into the config (valid while it lives). */
int vgs_wl_get_str(const config_setting_t *g, const char *key, const char **out, struct vgs_error *err);
/* dist.c: a distribution (models/workload/dist.h) in units of unit_ns. */
int vgs_wl_get_dist(const config_setting_t *g, const char *key, double unit_ns, struct vgs_dist *out,
		    struct vgs_error *err);

/*
 * cmds.c: periodic arrivals with skipping: tick k is at phase_ns + k * period_ns.  vgs_ticker_next returns the arrival
 * of the next unit asked for at now_ns: the next unused tick, or, when now_ns is past that tick plus
 * one period, the first tick whose period still contains now_ns; the ticks passed over are added to
 * *dropped.
 */
struct vgs_ticker {
	uint64_t period_ns;
	uint64_t phase_ns;       /* time of tick 0 */
	uint64_t next;           /* index of the next unused tick */
};
uint64_t vgs_ticker_next(struct vgs_ticker *t, uint64_t now_ns, uint64_t *dropped);

/* Fill *cmd with defaults: no deps, no arrival or deadline, class compute, stream 0. */
void vgs_cmd_clear(struct vgs_cmd *cmd);

/*
 * The kernel-shape keys of the generators (docs/workloads.md, docs/spatial.md): `kernel_sm`, the SMs
 * a kernel wants (a distribution in SMs, like kernel_us in us), and `memory_bound`, the fraction of
 * kernels that are memory-bound (the others compute-bound).  Neither given: kernels keep sm 0 and
 * bound unknown, and nothing is drawn.  Draws come from the instance's own `rng` (a stream of its
 * own, so that giving the keys changes no other draw).
 */
struct vgs_kshape {
	struct vgs_dist sm;
	double memory_frac;
	bool sm_set, bound_set;
};
#define VGS_KSHAPE_KEYS "kernel_sm", "memory_bound"
/* cmds.c: read the keys; give a kernel its shape (a no-op when no key was given). */
int vgs_kshape_parse(const config_setting_t *g, struct vgs_kshape *k, struct vgs_error *err);
void vgs_kshape_draw(const struct vgs_kshape *k, struct vgs_rng *rng, struct vgs_cmd *cmd);
/* " + kernels N SMs ..., X% memory-bound" for the description, or "" */
void vgs_kshape_describe(const struct vgs_kshape *k, char *buf, size_t n);

#endif
