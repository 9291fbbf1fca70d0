/*
 * The host driver model, shared by the simulator (sim/) and the real-hardware executor (hw-trace/exec/):
 * one piece of code for what both must do the same way (docs/simulator.md, docs/executor.md).
 *
 *   drv_tenant   the host side of one vGPU instance: draws commands from its workload and submits each
 *                at max(previous submission, latest fence completion + gap, unit arrival) into the
 *                bounded ring of its (vGPU, engine class), waiting while the ring is full;
 *   drv_domain   one scheduling domain: the loop of policies/vgs_policy.h (pick, switch, run the
 *                owner's ready commands, stop the engines at their granularity, charge);
 *   drv_chan     an engine channel's bookkeeping: assignment, release, completion, requeue after a
 *                preemption, TDR reset.  How a command runs is the platform's (struct drv_ops): the
 *                simulator times it (and moves bytes over SimGrid links), the executor runs it on a
 *                backend.
 *
 * They are state machines stepped by the platform's event loop (sim/loop.c on a simulated clock,
 * hw-trace/exec/rt.c on the real one) through the timers and run lists kept here.  Same-instant
 * order: due timers fire in the order they were set (models/driver/timerheap.h); then what they notified
 * runs, in the order notified (each once however often notified); a channel that a domain dispatched
 * starts after that domain has run; a domain that yielded runs after everything else due then.
 * Every time is ns since the start of the run.
 */
#ifndef VGS_DRIVER_H
#define VGS_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "models/driver/hostq.h"
#include "models/results/metrics.h"
#include "models/scenario/scenario.h"
#include "models/results/timeline.h"
#include "models/driver/timerheap.h"
#include "models/base/types.h"
#include "models/workload/workload.h"
#include "policies/vgs_policy.h"

struct drv;
struct drv_domain;
struct drv_engine;
struct drv_tenant;
struct drv_spatial;

/* A submitted command, alive until it completes (or is dropped by a reset). */
struct drv_cmd {
	struct vgs_cmd c;
	struct drv_cmd *prev, *next; /* its ring while queued (struct drv_ring); the free list after */
	struct drv_tenant *tenant;
	uint64_t submit_ns;
	uint64_t start_ns;         /* first start, VGS_NO_TIME before */
	uint64_t remaining_ns;     /* reference work left (fine preemption resumes from here) */
	uint64_t stream_prev;      /* seq of the previous command of its stream, VGS_NO_TIME if none */
	uint8_t eng_cls;           /* engine class that runs it (after the GPU's route[]) */
	uint32_t engine;           /* engine that last ran it */
	void *vram;                /* the simulator's VRAM pins (sim/vram.c), NULL when none */
};

/*
 * A tenant's ring of one engine class: its submitted commands not started yet, oldest first, linked
 * through the commands themselves (no allocation per command).
 */
struct drv_ring {
	struct drv_cmd *head, *tail;
	uint32_t length;
};

static inline void drv_ring_push_tail(struct drv_ring *r, struct drv_cmd *cmd)
{
	cmd->next = NULL;
	cmd->prev = r->tail;
	if (r->tail)
		r->tail->next = cmd;
	else
		r->head = cmd;
	r->tail = cmd;
	r->length++;
}

static inline void drv_ring_push_head(struct drv_ring *r, struct drv_cmd *cmd)
{
	cmd->prev = NULL;
	cmd->next = r->head;
	if (r->head)
		r->head->prev = cmd;
	else
		r->tail = cmd;
	r->head = cmd;
	r->length++;
}

static inline void drv_ring_remove(struct drv_ring *r, struct drv_cmd *cmd)
{
	if (cmd->prev)
		cmd->prev->next = cmd->next;
	else
		r->head = cmd->next;
	if (cmd->next)
		cmd->next->prev = cmd->prev;
	else
		r->tail = cmd->prev;
	cmd->prev = cmd->next = NULL;
	r->length--;
}

enum drv_chan_state {
	DRV_CHAN_IDLE,
	DRV_CHAN_ASSIGNED,         /* dispatched; the platform starts it once the domain has run */
	DRV_CHAN_BUSY,             /* started: the platform runs it */
};

struct drv_chan {
	struct drv_engine *engine;
	uint32_t index;
	enum drv_chan_state state;
	struct drv_cmd *cmd;
	uint64_t decided_ns;       /* when the domain dispatched it */
	uint64_t run_start_ns;     /* start of the current piece */
	uint64_t preempt_at_ns;    /* fine preemption requested for this time, VGS_NO_TIME if none */
	uint64_t gen;              /* bumped at every release (and by a platform re-arming its timers):
	                            * invalidates the platform's timers set before */
	void *plat;                /* the platform's per-channel state (drv_ops.chan_size bytes) */
	/* SM pool (smpool.c): while its command runs in the engine's pool */
	uint32_t pool_slot;        /* its index in the pool, DRV_POOL_NONE when not in it */
	uint64_t pool_end_ns;      /* when it will end at the current rates, VGS_NO_TIME if starved */
};

#define DRV_POOL_NONE UINT32_MAX
/* Kernels one engine of a spatial domain holds at most: the resident grids of a device (CUDA C++
 * Programming Guide, "Features and Technical Specifications": 128 for compute capability >= 7.0). */
#define DRV_SPATIAL_MAX_CHANNELS 128

/*
 * The SM pool of an engine that runs compute work (models/driver/smpool.c, docs/spatial.md): the
 * kernels running there share its SMs and DRAM bandwidth; each runs at a rate (a fraction of its
 * solo speed) that the contention model solves whenever one starts or ends.
 */
struct drv_pool_k {
	void *owner;               /* the channel running it (the driver's), or the caller's */
	double left;               /* reference work left, ns */
	double speed;              /* the class's speed factor */
	double sms;                /* d: SMs it occupies at full rate */
	double want;               /* SMs it may hold: d, or less under its vGPU's MPS cap */
	double alloc;              /* SMs it holds now (its resident thread blocks) */
	double bw;                 /* y: DRAM bandwidth it uses at full rate (share of the whole GPU's) */
	double rate;               /* the solved rate: a fraction of its solo speed */
	int32_t level;             /* priority level: higher levels are served first */
	uint64_t order;            /* arrival order: the block scheduler serves the oldest first */
};

struct drv_pool {
	double sms;                /* N: the engine's SMs */
	double bw;                 /* B: its share of the whole GPU's DRAM bandwidth */
	double ref_sms;            /* the whole GPU's SMs: what a kernel of unknown size wants */
	double mem_saturation, compute_mem_use;
	double free_sms;           /* N minus what the kernels hold */
	struct drv_pool_k *k;
	uint32_t n, cap;
	uint64_t next_order;
	uint64_t last_ns;          /* the kernels' work left is accounted up to here */
	double *scratch;           /* the solver's */
};

struct drv_engine {
	uint32_t idx;              /* scenario engine index */
	const struct vgs_engine *cfg;
	const struct vgs_class_cfg *cls;
	struct drv_domain *domain;
	uint32_t nchan;
	struct drv_chan *chans;
	uint32_t busy;             /* channels not idle */
	uint64_t busy_since_ns;
	bool used;                 /* ran something since the last context switch */
	void *plat;                /* the platform's per-engine state (drv_ops.engine_size bytes) */
	void *chan_plat;           /* its channels' platform state */
	struct drv_pool *pool;     /* its SM pool (a MIG instance, a spatial domain), else NULL */
	bool shared;               /* it has a pool or its domain is spatial: release() has more to do */
};

enum drv_domain_state {
	D_PICK,                    /* ask the policy */
	D_IDLE,                    /* nothing to run: until notified or the policy's wait ends */
	D_SWITCH,                  /* the context switch to `next` */
	D_RUN,                     /* the owner's slice: dispatch its ready commands */
	D_STOP,                    /* the slice is over: wait until the engines stopped the owner's work */
	D_CHARGE,                  /* yielded before charging an empty slice */
	D_SPATIAL,                 /* a spatial domain (its policy admits kernels): always, spatial.c */
};

struct drv_domain {
	struct drv *drv;
	uint32_t idx;
	const struct vgs_domain *cfg;
	struct drv_engine **engines;
	uint32_t nengines;
	uint32_t class_mask;       /* engine classes present */
	struct vgs_sched sched;
	struct vgs_vgpu *vgpus;    /* one per tenant of the GPU; vgpus[k].owner = struct drv_tenant * */
	struct drv_tenant **tenants;
	uint32_t ntenants;
	enum drv_domain_state state;
	struct vgs_vgpu *next;     /* picked: the slice being run or switched to */
	uint64_t next_slice_ns;
	uint64_t switch_start_ns;
	uint64_t switch_end_ns;
	struct drv_tenant *owner;  /* current owner, NULL between slices */
	struct drv_tenant *last;   /* previous owner (context loaded on the engines) */
	uint64_t slice_start_ns;
	uint64_t slice_end_ns;     /* start + the policy's slice (VGS_NO_TIME when unbounded) */
	enum vgs_charge_reason reason;
	unsigned idle_spins;       /* consecutive empty slices at one instant */
	bool preempt_req;
	bool reset_req;
	bool queued;               /* on the run list */
	bool yielded;              /* on the yield list */
	uint64_t gen;              /* invalidates stale timers */
	uint64_t timer_at;         /* the valid timer's time, VGS_NO_TIME if none */
	bool spatial;              /* its policy shares the engines (admit): spatial.c steps it */
	struct drv_spatial *sp;    /* spatial.c's scratch, NULL until first needed */
};

enum drv_tenant_state {
	T_NEXT,                    /* draw the next command */
	T_WAIT,                    /* the workload waits for command waiting_seq before drawing again */
	T_DEPS,                    /* wait for its fences */
	T_WINDOW,                  /* until the open batch's window closes, then submit the batch */
	T_WHEN,                    /* its submission time is known: add the host's wake-up lateness */
	T_SLEEP,                   /* until its submission time */
	T_FLUSH,                   /* submit the staged batch: the trap ... */
	T_TRAP,
	T_PUSH,                    /* ... then each command into its ring, waiting while it is full */
	T_DONE,
};

/* One of the domains of a tenant's GPU, as the tenant sees it. */
struct drv_tdom {
	struct drv_domain *d;
	struct vgs_vgpu *v;        /* its vGPU in that domain: &d->vgpus[vi] */
	uint32_t vi;               /* d->tenants[vi] is the tenant */
	uint32_t class_mask;       /* d->class_mask */
	bool busy;                 /* v shows queued or ready work (drv_tenant_update_ready) */
};

/* A GPU a tenant may run on: its own, or a live migration's destination (its vGPU is in every domain
 * of each such GPU from the start, runnable only where the tenant runs). */
struct drv_member {
	uint32_t gpu;
	struct drv_tdom *dom;      /* all domains of that GPU, in index order */
	uint32_t ndomains;
};

struct drv_tenant {
	struct drv *drv;
	uint32_t idx;
	const struct vgs_tenant *cfg;
	const struct vgs_gpu *gpu;  /* the GPU it runs on now */
	struct vgs_workload *wl;
	struct drv_ring ring[VGS_NCLASS]; /* submitted, not started, per engine class */
	struct drv_tdom *dom;      /* all domains of the GPU it runs on, in index order: members[member]'s */
	uint32_t ndomains;
	uint64_t deadline_seen;    /* the deadline its domains' vGPUs were last told */
	struct drv_member *members; /* [0]: its own GPU; then migration destinations (&home when none) */
	uint32_t nmembers, member;
	struct drv_member home;    /* members[0] of a tenant that never migrates: no allocation */
	uint32_t running;          /* its commands on channels now */
	bool suspended;            /* a live migration stopped it: it submits nothing and none of its
	                            * commands is dispatched; what runs finishes (drv_tenant_suspend) */
	bool stopped;              /* its lifetime ended (cfg->stop_ns): nothing more, ever */
	struct vgs_hostq hq;       /* completions, stream order, open units (models/driver/hostq.h) */
	uint64_t in_flight;
	uint64_t dropped_at_warmup; /* units the workload had skipped when the warm-up ended */
	enum drv_tenant_state state;
	enum drv_tenant_state after_flush; /* where a flush returns to */
	struct drv_cmd *cmd;       /* the command being submitted */
	unsigned dep_i;
	uint64_t base_ns, when_ns, last_submit_ns, window_ns, trap_end_ns;
	uint64_t barrier_ns;       /* latest completion of an anchored command's fences (barriers) */
	struct drv_cmd **staged;   /* the batch being merged (submit.batch_max) */
	uint32_t nstaged, pushed;
	uint64_t staged_first_ns;
	uint64_t space_since_ns;   /* waiting for ring space since */
	bool waiting_space;
	bool waiting_deps;
	uint64_t waiting_seq;      /* while waiting_deps (or in T_WAIT): the fence it waits for */
	bool queued;               /* on the run list */
	uint64_t gen;              /* invalidates stale timers */
};

/* Timer kinds; the platform's own kinds (its channels' timers) start at DRV_EV_PLATFORM. */
enum { DRV_EV_TENANT, DRV_EV_DOMAIN, DRV_EV_WARMUP, DRV_EV_STOP, DRV_EV_PLATFORM };

/* What the platform provides. */
struct drv_ops {
	/* Sizes of its per-engine and per-channel state: drv_build() allocates them zeroed, at .plat. */
	size_t engine_size, chan_size;
	/* The current time: the simulator's clock is constant during a step, the executor's moves. */
	uint64_t (*now)(struct drv *d);
	/* Start ch's assigned command (ch->state is DRV_CHAN_BUSY from now on). */
	void (*chan_start)(struct drv *d, struct drv_chan *ch, uint64_t now);
	/* ch->preempt_at_ns was just brought forward: a running command must stop then. */
	void (*chan_preempt)(struct drv *d, struct drv_chan *ch, uint64_t now);
	/* A timer of kind >= DRV_EV_PLATFORM fired. */
	void (*timer)(struct drv *d, const struct vgs_timer *tm, uint64_t now);
	/* Optional: cmd was submitted by t (the simulator's host-side VRAM operations). */
	void (*submitted)(struct drv_tenant *t, struct drv_cmd *cmd);
	/* Optional: cmd completed or was dropped, before it is freed. */
	void (*completed)(struct drv_tenant *t, struct drv_cmd *cmd, uint64_t now, bool dropped);
	/* Optional: the warm-up ended. */
	void (*warmup)(struct drv *d);
	/* ch runs in its engine's SM pool and its end (ch->pool_end_ns) moved: re-arm its end.  Required
	 * when a scenario has SM pools (MIG instances, spatial policies). */
	void (*chan_retime)(struct drv *d, struct drv_chan *ch, uint64_t now);
	/* Optional: t's lifetime ended and nothing of it is in flight any more: its memory may go. */
	void (*gone)(struct drv_tenant *t, uint64_t now);
};

struct drv {
	const struct vgs_scenario *scn;
	const struct drv_ops *ops;
	struct vgs_metrics *metrics;
	struct vgs_timeline *tl;   /* --slices / --timeline, else NULL */
	uint64_t end_ns;
	bool host_wake;            /* add submit.wake_us to the host's sleeps (the simulator models what
	                            * the executor's real host does by itself) */
	struct drv_engine *engines;
	void *engine_plat;         /* the engines' platform state */
	struct drv_domain *domains;
	struct drv_tenant *tenants;
	struct vgs_timerheap timers;
	uintptr_t *runq;           /* tenants, domains and channels to run now: a ring of tagged pointers */
	size_t runq_cap, runq_head, runq_len;
	GQueue yielded;            /* domains that let the rest of this instant go first */
	uint64_t completed;        /* commands completed (or dropped) so far */
	const bool *gpu_active;    /* [gpu]: only the tenants and domains of these GPUs run (one shard of
	                            * a run, sim/shard.c); NULL: all */
	struct drv_cmd *cmd_free;  /* commands to reuse (drv_cmd_new), linked through .next */
	GPtrArray *cmd_blocks;     /* the blocks they are carved from, freed with the driver */
};

/* Build the engines, domains (each with its policy instance) and tenants of a scenario; -1 with err
 * set when a policy refuses it.  drv_free() undoes it, also after a failure. */
int drv_build(struct drv *d, const struct vgs_scenario *scn, const struct drv_ops *ops, struct vgs_error *err);
void drv_free(struct drv *d);
/* Set the warm-up timer and let every tenant and domain (of the active GPUs) take its first step at
 * time 0. */
void drv_start(struct drv *d);
/* Fire one due timer at now. */
void drv_fire(struct drv *d, const struct vgs_timer *tm, uint64_t now);
/* Run what is on the run list until it is empty. */
void drv_run_pending(struct drv *d);

/* The end of the run (or of an interrupted replay): close what is still open at `end`. */
void drv_close(struct drv *d, uint64_t end);

/* runq.c: timers and the run list (tenants, domains and channels to run now, each once). */
void drv_timer_add(struct drv *d, uint64_t at_ns, int kind, void *obj, uint64_t gen);
void drv_run_tenant(struct drv_tenant *t);
void drv_run_domain(struct drv_domain *dm);
void drv_yield_domain(struct drv_domain *dm);
void drv_run_chan(struct drv_chan *ch);
/* The run list's entries: a pointer tagged in its low bits with what it points to. */
enum drv_runq_tag { DRV_RUNQ_TENANT, DRV_RUNQ_DOMAIN, DRV_RUNQ_CHAN, DRV_RUNQ_TAG_MASK = 3 };
/* The oldest entry of the non-empty run list, removed. */
uintptr_t drv_runq_pop(struct drv *d);
/* Once nothing else is due at this instant: put the domains that yielded back on the run list (false
 * when there were none). */
bool drv_resume_yielded(struct drv *d);

/* runq.c: commands come from per-driver blocks and go back to its free list, so a command costs no
 * allocation once the run has warmed up.  drv_cmd_new returns a zeroed command. */
struct drv_cmd *drv_cmd_new(struct drv *d);
void drv_cmd_free(struct drv *d, struct drv_cmd *cmd);

/* tenant.c */
void drv_tenant_step(struct drv_tenant *t, uint64_t now);
/*
 * Lifetimes and live migration (docs/pools.md), steps the executor could take as well:
 * drv_tenant_stop - t's lifetime ends at now: what it had not yet started is dropped (counted as
 * dropped, never run), what runs finishes; it submits nothing more.
 * drv_tenant_suspend - the stop of a live migration: t submits nothing and its domains dispatch none
 * of its commands until drv_tenant_resume; what runs finishes (t->running counts it down).
 * drv_tenant_move - a suspended t runs on `gpu` from now on (one of t->members: a migration
 * destination known when the driver was built); its queued commands go with it.
 */
void drv_tenant_stop(struct drv_tenant *t, uint64_t now);
void drv_tenant_suspend(struct drv_tenant *t, uint64_t now);
void drv_tenant_move(struct drv_tenant *t, uint32_t gpu);
void drv_tenant_resume(struct drv_tenant *t, uint64_t now);
bool drv_tenant_is_done(const struct drv_tenant *t, uint64_t seq, uint64_t *end_ns);
bool drv_cmd_startable(const struct drv_cmd *cmd);
void drv_tenant_update_ready(struct drv_tenant *t, uint64_t now);
void drv_tenant_complete(struct drv_tenant *t, struct drv_cmd *cmd, uint64_t now, bool dropped);

/* domain.c */
void drv_domain_step(struct drv_domain *dm, uint64_t now);
/* spatial.c: a spatial domain's step (its policy admits kernels of every vGPU at once). */
void drv_spatial_step(struct drv_domain *dm, uint64_t now);
void drv_spatial_free(struct drv_domain *dm);
/* A tenant's kernels may run this many at once on engine e of a spatial domain (its streams). */
uint32_t drv_spatial_per_tenant(const struct drv_engine *e);

/* A host<->device copy with a byte count crosses the PCIe link; anything else runs on the engine. */
static inline bool drv_cmd_is_transfer(const struct vgs_cmd *c)
{
	return c->bytes > 0 && (c->dir == VGS_DIR_H2D || c->dir == VGS_DIR_D2H) && !(c->flags & VGS_CMD_RECORDED_TIME);
}

/* speed.c */
/* The speed factor cmd's work runs at on gpu: its kernel class's (models/workload/kspeed.h) where the
 * profile has one, else its engine class's; INFINITY for a class the profile omits. */
double drv_cmd_speed(const struct vgs_gpu *gpu, const struct drv_cmd *cmd);
/* The reference work cmd brings to gpu: work_ns, plus its kernel class's fixed time per op
 * (`fixed_us`, signed) as work at drv_cmd_speed; at least 0.  What remaining_ns starts from. */
uint64_t drv_cmd_work_ns(const struct vgs_gpu *gpu, const struct drv_cmd *cmd);
/* Host think time before c on gpu: gap_ns over the profile's host_speed; 0 for a kernel class the
 * profile omits (its host call does not exist there either). */
uint64_t drv_cmd_gap_ns(const struct vgs_gpu *gpu, const struct vgs_cmd *c);

/* chan.c */
/* How long cmd holds a channel of gpu, alone and without its launch: a transfer takes the link's
 * latency + bytes / bandwidth, anything else remaining_ns / drv_cmd_speed, rounded up. */
uint64_t drv_cmd_time_ns(const struct vgs_gpu *gpu, const struct drv_cmd *cmd);
void drv_chan_assign(struct drv_chan *ch, struct drv_cmd *cmd, uint64_t now);
/* Ask ch to stop its command preempt_latency later (fine preemption). */
void drv_chan_preempt(struct drv_chan *ch, uint64_t now);
/* ch's command completed at now. */
void drv_chan_done(struct drv_chan *ch, uint64_t now);
/* ch's command was dropped at now (a VRAM fault under vram.fault = "kill"). */
void drv_chan_drop(struct drv_chan *ch, uint64_t now);
/*
 * smpool.c: the SM pool of an engine (docs/spatial.md).  drv_pool_new: the pool of engine e of gpu,
 * NULL when e does not model one.  drv_pool_join: ch's command starts its work in e's pool at now;
 * the rates are solved again, ch->pool_end_ns is set and the other kernels whose end moved are
 * retimed (drv_ops.chan_retime).  drv_pool_leave: ch's command leaves it (done, preempted, reset:
 * release() calls it).  drv_pool_left_ns: its reference work left at now.  vgs_pool_solve: the
 * contention model alone, on p->k[0 .. p->n): sets every rate (unit-tested without a driver).
 */
struct drv_pool *drv_pool_new(const struct vgs_gpu *gpu, int cls, bool spatial);
void drv_pool_free(struct drv_pool *p);
void drv_pool_join(struct drv_chan *ch, uint64_t now);
void drv_pool_leave(struct drv_chan *ch, uint64_t now);
uint64_t drv_pool_left_ns(const struct drv_chan *ch, uint64_t now);
/*
 * The contention model alone (unit-tested without a driver).  vgs_pool_add: a kernel of `work_ns`
 * reference work, `sm` SMs (0: unknown), enum vgs_bound `bound`, at most cap_sms SMs (0: no cap) and
 * priority `level` arrives: it takes the free SMs it wants; returns its slot.  vgs_pool_remove: the
 * kernel in `slot` leaves (the last slot moves there: returns that kernel's owner, or NULL); its SMs go
 * to the waiting kernels, highest level then oldest first.  vgs_pool_advance: account the work done
 * until now at the current rates.  vgs_pool_solve: every kernel's rate from its SMs and the shared DRAM
 * bandwidth (max-min fair, highest level first).  vgs_pool_demand: d and y of a kernel.
 */
uint32_t vgs_pool_add(struct drv_pool *p, uint32_t sm, int bound, double cap_sms, int32_t level, double work_ns,
		      double speed, void *owner);
void *vgs_pool_remove(struct drv_pool *p, uint32_t slot);
void vgs_pool_advance(struct drv_pool *p, uint64_t now);
void vgs_pool_solve(struct drv_pool *p);
void vgs_pool_demand(const struct drv_pool *p, uint32_t sm, int bound, double *d, double *y);

/* ch's command was preempted at now with cmd->remaining_ns left: back to the head of its ring. */
void drv_chan_requeue(struct drv_chan *ch, uint64_t now);
/* TDR (or a VRAM fault under vram.fault = "reset"): reset the vGPU's context on ch's engine. */
void drv_chan_reset(struct drv_chan *ch, uint64_t now);
/* Work left after running ran_ns of cmd on a channel of e at speed (launch_ns of it first, none of the
 * work done during the launch), plus the class's resume_ns. */
uint64_t drv_remaining_after(const struct drv_engine *e, const struct drv_cmd *cmd, double speed,
			     uint64_t launch_ns, uint64_t ran_ns);

#endif
