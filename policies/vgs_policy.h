/*
 * vgpusim scheduling core: the policy ops table and the state of one scheduling domain's loop.
 *
 * Object model.  A *scheduling domain* is a set of engines scheduled together (a whole GPU, one engine,
 * or an explicit group).  Each domain has one `struct vgs_sched`, the loop state, which owns one
 * `struct vgs_vgpu` per vGPU placed on the domain's GPU.  A *policy* is a `struct vgs_policy_ops`: it
 * only decides (which vGPU next, for how long); the driver (the SimGrid simulator in sim/, or the
 * real-hardware executor in hw-trace/) runs the mechanism.  Every driver runs the same loop:
 *
 *     loop:  v = vgs_sched_pick(s, now, &slice)   NULL: idle for `slice` ns (0: until a vGPU is runnable)
 *            if v != previous owner: pay the switch cost (counted as overhead, charged to nobody)
 *            run v's ready commands on the domain's engines until the slice ends, v runs dry, v blocks,
 *            or the policy asks for preemption
 *            vgs_sched_charge(s, v, ran, now, reason)
 *
 * and reports readiness changes with vgs_sched_set_runnable().  Policies never read a clock: `now` is
 * passed in (uint64_t ns, monotonic, starting anywhere).  Same inputs, same decisions, bit for bit, in
 * the simulator and on hardware.
 *
 * A *spatial* policy (one that fills `admit`) shares the domain's engines instead: no vGPU owns the
 * domain, and whenever an engine has room the driver hands the policy the ready kernels of every vGPU
 * and the kernels running there, and starts the ones it admits (MPS, Orion; docs/spatial.md):
 *
 *     on every change (a kernel ready, a kernel done):  for each engine with room:
 *            vgs_sched_admit(s, &view, now, start)   start[i] set: start view.ready[i] now
 *
 * This directory is libc only (no SimGrid, no GLib, no I/O, no global mutable state): it is compiled
 * once into libvgspolicies.a and linked unchanged into every driver.
 *
 * Modelled on Linux drm_sched's `struct drm_sched_backend_ops` and Intel GVT-g's
 * `struct intel_gvt_sched_policy_ops`.
 */
#ifndef VGS_POLICY_H
#define VGS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VGS_SCHED_NO_TIME UINT64_MAX

/* Why a vGPU stopped owning its domain; passed to charge(). */
enum vgs_charge_reason {
	VGS_CHARGE_EXPIRED = 0, /* the slice ran out (ran_ns may exceed the slice: the overrun) */
	VGS_CHARGE_EMPTY,       /* the vGPU ran dry: nothing queued, nothing running */
	VGS_CHARGE_BLOCKED,     /* commands are queued but none can start (stream or fence wait) */
	VGS_CHARGE_PREEMPTED,   /* the policy asked for preemption (runnable() returned true) */
	VGS_CHARGE_RESET,       /* a TDR reset of the vGPU's context ended the slice */
	VGS_CHARGE_NREASONS
};

const char *vgs_charge_reason_name(enum vgs_charge_reason r);

/* vgs_vgpu.flags */
#define VGS_VGPU_LATENCY_SENSITIVE (1u << 0) /* has a latency SLA (requests or frames with deadlines) */

/*
 * A vGPU as one domain sees it.  The driver allocates it, fills the "driver" fields before
 * vgs_sched_add() and keeps them current; the loop maintains the "loop" fields; `priv` is the
 * policy's.  Fields are read-only to the policy unless noted.
 */
struct vgs_vgpu {
	/* driver */
	uint32_t weight;          /* integer share weight, >= 1 */
	int32_t priority;         /* static priority, larger is more important, default 0 */
	uint32_t flags;           /* VGS_VGPU_* */
	uint32_t sm_cap;          /* spatial sharing: SMs its kernels may hold at once on the domain's SM
	                           * engine (MPS active thread percentage), 0 = no cap.  (In what was
	                           * padding: a policy built against an older header is unaffected.) */
	uint64_t deadline_ns;     /* earliest deadline among its open units, VGS_SCHED_NO_TIME if none */
	uint64_t queued;          /* ready commands this domain could run for it */
	uint64_t oldest_submit_ns; /* submission time of its oldest ready command, VGS_SCHED_NO_TIME if none */
	void *owner;              /* driver-private back pointer */
	/* loop */
	uint32_t id;              /* index in vgs_sched.vgpus, stable */
	bool runnable;            /* has ready work in this domain */
	uint64_t runnable_since_ns; /* when it last became runnable */
	uint64_t charged_ns;      /* sum of ran_ns charged to it */
	/* policy */
	void *priv;
};

/*
 * Spatial sharing (docs/spatial.md).  A kernel's profile, as a profiler's roofline classifies it (the
 * values of models/base/types.h's enum vgs_bound).
 */
enum vgs_kernel_profile {
	VGS_KERNEL_UNKNOWN = 0,
	VGS_KERNEL_COMPUTE,       /* limited by the SMs' throughput */
	VGS_KERNEL_MEMORY,        /* limited by DRAM bandwidth */
};

/* A kernel ready to start on a shared engine, or running there.  Read-only to the policy. */
struct vgs_kernel {
	struct vgs_vgpu *vgpu;    /* whose: its vGPU in this domain */
	uint64_t submit_ns;       /* when it was submitted */
	uint64_t work_ns;         /* reference work (ns alone on the whole reference GPU); running: left */
	uint32_t sms;             /* SMs it wants here (1..view.sms, its vGPU's sm_cap applied); 0 on an
	                           * engine without an SM pool */
	uint32_t stream;          /* its stream within its vGPU */
	uint8_t profile;          /* enum vgs_kernel_profile */
	uint8_t cls;              /* engine class of the command (0 gfx, 1 compute, 2 copy, 3 venc, 4 vdec) */
};

/* One engine of a spatial domain, as admit() sees it. */
struct vgs_engine_view {
	uint32_t engine;          /* index among the domain's engines */
	uint32_t sms;             /* SMs of the engine; 0: it has no SM pool (copy engines, codecs) */
	uint32_t free_sms;        /* sms minus what the running kernels want (0 when they want more) */
	uint32_t slots;           /* kernels it can start now (idle channels) */
	const struct vgs_kernel *running;
	uint32_t nrunning;
	/* Startable kernels of every vGPU, oldest submission first (ties: lower vGPU id, then order of
	 * submission); a vGPU appears at most as often as its own streams may still start kernels here. */
	const struct vgs_kernel *ready;
	uint32_t nready;
};

/* One tunable of a policy, for `vgpusim policies` and docs/policies.md. */
struct vgs_policy_param {
	const char *name;    /* config key, e.g. "slice_us" */
	const char *def;     /* default, as text */
	const char *help;    /* one line: meaning, unit, range, source of the default */
};

struct vgs_sched;

struct vgs_policy_ops {
	/* Short name used in configs and on the command line ("timeslice"). Required. */
	const char *name;
	/* One line for `vgpusim policies`. Required. */
	const char *summary;
	/* Tunables, terminated by an entry whose name is NULL.  May be NULL (no tunables). */
	const struct vgs_policy_param *params;

	/*
	 * init - allocate the policy state (s->priv) with every tunable at its default.
	 * Called once, before any other member, with no vGPUs added.  s->max_vgpus is set.
	 * Returns 0 or a negative errno (-ENOMEM).  Required.
	 */
	int (*init)(struct vgs_sched *s);
	/* fini - free s->priv and anything hung off vgs_vgpu.priv.  Called once, last.  Required. */
	void (*fini)(struct vgs_sched *s);
	/*
	 * set_param - set one tunable from its text form.  Called after init(), before the first
	 * add_vgpu().  Returns 0, -ENOENT for an unknown key, -EINVAL for a malformed or out-of-range
	 * value (the driver reports file:line and the param's help).  May be NULL if params is NULL.
	 */
	int (*set_param)(struct vgs_sched *s, const char *key, const char *value);
	/*
	 * add_vgpu - a vGPU joins the domain (not yet runnable).  v->id, weight and priority are set;
	 * the policy may set v->priv.  Returns 0 or a negative errno.  Required.
	 */
	int (*add_vgpu)(struct vgs_sched *s, struct vgs_vgpu *v);
	/* remove_vgpu - v leaves the domain (it is not current and not runnable).  May be NULL. */
	void (*remove_vgpu)(struct vgs_sched *s, struct vgs_vgpu *v);
	/*
	 * runnable - v just became runnable at now_ns (v->runnable is already true).  Return true to ask
	 * the driver to end the current owner's slice early (charged with VGS_CHARGE_PREEMPTED; the
	 * engines stop at their preemption granularity).  Never called for s->current.  May be NULL
	 * (never preempts).
	 */
	bool (*runnable)(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t now_ns);
	/* idle - v ran out of ready work at now_ns (v->runnable is already false).  May be NULL. */
	void (*idle)(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t now_ns);
	/*
	 * pick_next - choose the vGPU that owns the domain from now_ns on.  Called when the domain has no
	 * owner: at start, after every charge(), and after an idle wait.  Return a runnable vGPU and set
	 * *slice_ns (> 0) to the longest it may own the domain; or return NULL to leave the domain idle
	 * and set *slice_ns to how long to stay idle before asking again (0: until some vGPU becomes
	 * runnable).  May return the same vGPU as before (no switch cost then).  Required.
	 */
	struct vgs_vgpu *(*pick_next)(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns);
	/*
	 * charge - v owned the domain for ran_ns (from the end of the switch to now_ns, overrun
	 * included), and stopped for `reason`.  Every ns a vGPU owns the domain is charged exactly once.
	 * Required.
	 */
	void (*charge)(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
		       enum vgs_charge_reason reason);
	/*
	 * tick - periodic hook every s->tick_ns (set by init or set_param; 0 = never), called between
	 * decisions, never during a slice.  May be NULL.
	 */
	void (*tick)(struct vgs_sched *s, uint64_t now_ns);
	/*
	 * admit - spatial sharing: which of the ready kernels start now on engine view->engine, shared by
	 * every vGPU of the domain.  Called when the engine has room (view->slots > 0) and ready kernels,
	 * after any change (a kernel became ready, one completed), once per engine and instant at least.
	 * Set start[i] (zeroed by the driver, view->nready entries) for each kernel to start; the driver
	 * starts at most view->slots of them, in ready order.  Kernels not started are offered again at
	 * the next change; an engine left idle with ready kernels waits for one.  Returns how many it set.
	 * Optional: a policy with admit is *spatial* (no owner, no slices, no switches: pick_next, charge
	 * and runnable are then never called; fill pick_next and charge with vgs_sched_no_pick and
	 * vgs_sched_no_charge).
	 */
	uint32_t (*admit)(struct vgs_sched *s, const struct vgs_engine_view *view, uint64_t now_ns, uint8_t *start);
};

/* The loop state of one domain.  Allocated by the driver; filled by vgs_sched_init(). */
struct vgs_sched {
	const struct vgs_policy_ops *ops;
	void *priv;               /* policy state */
	struct vgs_vgpu **vgpus;  /* by id; array owned by the loop, vGPUs owned by the driver */
	uint32_t nvgpus;
	uint32_t cap;
	uint32_t nrunnable;
	uint32_t max_vgpus;       /* vGPUs the GPU profile allows: fixed-share denominator */
	struct vgs_vgpu *current; /* owner between pick and charge, else NULL */
	uint64_t tick_ns;         /* period of ops->tick, 0 = none (policy sets it) */
	uint64_t next_tick_ns;    /* loop: when tick is due next */
};

/* Key/value parameter with text values, as read from a config or a command line. */
struct vgs_sched_param {
	const char *key;
	const char *value;
};

struct vgs_sched_args {
	const struct vgs_policy_ops *ops;
	uint32_t max_vgpus;              /* >= 1 */
	const struct vgs_sched_param *params;
	size_t nparams;
	/* On a set_param failure: index of the failing param, or -1 for other failures. */
	int *bad_param;
};

/* Initialise s: ops->init(), then set_param() for each param.  0 or negative errno (s is clean). */
int vgs_sched_init(struct vgs_sched *s, const struct vgs_sched_args *args);
void vgs_sched_fini(struct vgs_sched *s);
/* Add a vGPU (driver fields set).  0 or negative errno. */
int vgs_sched_add(struct vgs_sched *s, struct vgs_vgpu *v);
/*
 * Report that v has (runnable=true) or no longer has ready work.  No-op when unchanged.  Returns true
 * when the policy asks to preempt the current owner.
 */
bool vgs_sched_set_runnable(struct vgs_sched *s, struct vgs_vgpu *v, bool runnable, uint64_t now_ns);
/* Run due ticks, then ops->pick_next(); sets s->current.  See pick_next for the contract. */
struct vgs_vgpu *vgs_sched_pick(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns);
/* Charge the current owner (must be v) and clear s->current. */
void vgs_sched_charge(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
		      enum vgs_charge_reason reason);
/* True when the policy shares the domain's engines (ops->admit). */
bool vgs_sched_is_spatial(const struct vgs_sched *s);
/*
 * Spatial: ops->admit() for one engine; start[] is cleared first and, after the call, trimmed to the
 * first view->slots kernels set (a policy that sets more costs nothing but them).  Returns how many
 * start.
 */
uint32_t vgs_sched_admit(struct vgs_sched *s, const struct vgs_engine_view *view, uint64_t now_ns, uint8_t *start);

/*
 * Helpers for policies (libc only, in libvgspolicies.a; a policy built as a .so may call them too, the
 * vgpusim binary exports them).
 *
 * vgs_param_u64 - parse a decimal integer in [min, max] for set_param(): 0, or -EINVAL when the text is
 * empty, signed, not a number, has trailing characters or is out of range.
 * vgs_sched_free_priv - a ready-made ops->fini: free() every vgs_vgpu.priv and s->priv.
 * vgs_sched_no_pick, vgs_sched_no_charge - a spatial policy's (never called) pick_next and charge.
 */
int vgs_param_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out);
void vgs_sched_free_priv(struct vgs_sched *s);
/* A spatial policy's pick_next and charge, which the driver never calls: no owner, nothing to charge. */
struct vgs_vgpu *vgs_sched_no_pick(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns);
void vgs_sched_no_charge(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
			 enum vgs_charge_reason reason);

/* Built-in policies: "timeslice", "weighted", "dynprio", "fifo", and the production schedulers the
 * presets of docs/presets.md use: "gvtg" (Intel GVT-g), "drm" (Linux drm_sched), "xe" (Intel Xe GuC);
 * spatial: "mps", "orion" (docs/spatial.md). */
extern const struct vgs_policy_ops vgs_policy_timeslice;
extern const struct vgs_policy_ops vgs_policy_weighted;
extern const struct vgs_policy_ops vgs_policy_dynprio;
extern const struct vgs_policy_ops vgs_policy_fifo;
extern const struct vgs_policy_ops vgs_policy_gvtg;
extern const struct vgs_policy_ops vgs_policy_drm;
extern const struct vgs_policy_ops vgs_policy_xe;
extern const struct vgs_policy_ops vgs_policy_mps;
extern const struct vgs_policy_ops vgs_policy_orion;
/* NULL-terminated list of the built-ins, and lookup by name (NULL if unknown). */
extern const struct vgs_policy_ops *const vgs_policy_builtins[];
const struct vgs_policy_ops *vgs_policy_find(const char *name);

/*
 * A policy built as a shared object exports its table under this symbol name:
 *     const struct vgs_policy_ops vgs_policy_ops = { ... };
 */
#define VGS_POLICY_SYMBOL "vgs_policy_ops"

#endif
