/*
 * The thin real-hardware executor (vgpusim-replay; docs/executor.md).
 *
 * It runs a scenario for real with the simulator's semantics and the very same policy objects
 * (build/libvgspolicies.a): one thread runs a real-time event loop (rt.c) that drives
 *
 *   ex_tenant   the host side of each vGPU: draws commands from its workload and submits each at
 *               max(previous submission, latest fence completion + gap, unit arrival), on the real
 *               clock, into bounded per-class rings (a full ring blocks it);
 *   ex_domain   the scheduling loop of policies/vgs_policy.h per domain (pick, switch cost, run the
 *               owner's ready commands until the slice ends / it runs dry / blocks / is preempted,
 *               stop the engines at their granularity, charge), with CLOCK_MONOTONIC ns as `now`;
 *   ex_chan     engine channels, executed by a backend: `host` keeps a channel busy for the command's
 *               duration with a timer; `cuda` launches it on the GPU (backend_cuda.cu).
 *
 * Everything runs on the loop thread, so no locking is needed; the only other thread is the CUDA
 * runtime's.  Times are ns since the replay started (CLOCK_MONOTONIC).
 */
#ifndef VGS_EXEC_H
#define VGS_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "models/histogram.h"
#include "models/hostq.h"
#include "models/metrics.h"
#include "models/scenario.h"
#include "models/timeline.h"
#include "models/timerheap.h"
#include "models/types.h"
#include "models/workload.h"
#include "policies/vgs_policy.h"

struct exec;
struct ex_tenant;
struct ex_domain;

struct ex_cmd {
	struct vgs_cmd c;
	struct ex_tenant *tenant;
	uint64_t submit_ns;
	uint64_t start_ns;         /* first start, VGS_NO_TIME before */
	uint64_t remaining_ns;     /* reference work left */
	uint64_t stream_prev;      /* seq of the previous command of its stream, VGS_NO_TIME if none */
	uint8_t eng_cls;           /* engine class that runs it (after route[]) */
	uint32_t engine;
};

struct ex_chan {
	struct ex_engine *engine;
	uint32_t index;
	struct ex_cmd *cmd;        /* NULL when idle */
	uint64_t run_start_ns;     /* start of the current piece */
	uint64_t due_ns;           /* when the backend will finish it (host), VGS_NO_TIME if unknown */
	uint64_t preempt_at_ns;    /* fine preemption requested for this time, VGS_NO_TIME if none */
	uint64_t gen;              /* invalidates stale timer events */
	void *backend;             /* backend-private state */
};

struct ex_engine {
	uint32_t idx;
	const struct vgs_engine *cfg;
	const struct vgs_class_cfg *cls;
	struct ex_domain *domain;
	uint32_t nchan;
	struct ex_chan *chans;
	uint32_t busy;
	uint64_t busy_since_ns;
	bool used;
};

enum ex_domain_state { D_PICK, D_IDLE, D_SWITCH, D_RUN, D_STOP };

struct ex_domain {
	struct exec *x;
	uint32_t idx;
	const struct vgs_domain *cfg;
	struct ex_engine **engines;
	uint32_t nengines;
	uint32_t class_mask;
	struct vgs_sched sched;
	struct vgs_vgpu *vgpus;
	struct ex_tenant **tenants;
	uint32_t ntenants;
	enum ex_domain_state state;
	struct vgs_vgpu *next;     /* picked, waiting for the switch to end */
	uint64_t next_slice_ns;
	uint64_t switch_start_ns;
	uint64_t switch_end_ns;
	struct ex_tenant *owner;
	struct ex_tenant *last;
	uint64_t slice_start_ns;
	uint64_t slice_end_ns;
	enum vgs_charge_reason reason;
	unsigned zero_slices;      /* consecutive empty slices at one instant (stale-view guard) */
	bool preempt_req;
	bool reset_req;
	bool queued;               /* on the loop's run list */
	uint64_t gen;
};

enum ex_tenant_state { T_NEXT, T_DEPS, T_SLEEP, T_TRAP, T_SPACE, T_DONE };

struct ex_tenant {
	struct exec *x;
	uint32_t idx;
	const struct vgs_tenant *cfg;
	const struct vgs_gpu *gpu;
	struct vgs_workload *wl;
	GQueue ring[VGS_NCLASS];
	struct ex_domain **domains;
	uint32_t ndomains;
	uint32_t *vgpu_index;
	struct vgs_hostq hq;       /* completions, stream order, open units (models/hostq.h) */
	enum ex_tenant_state state;
	struct ex_cmd *cmd;        /* the command being submitted */
	unsigned dep_i;
	uint64_t base_ns, when_ns, last_submit_ns;
	uint64_t dropped_at_warmup;
	bool waiting_deps;
	bool waiting_space;
	bool queued;
	uint64_t space_since_ns;
	uint64_t gen;
};

/* A backend executes commands on engine channels (host timers, or a CUDA device). */
struct ex_backend {
	const char *name;
	/* Set up for x's engines; 0, or -1 with err set (e.g. "no CUDA device"). */
	int (*init)(struct exec *x, struct vgs_error *err);
	void (*fini)(struct exec *x);
	/* Start the current piece of ch->cmd now; set ch->due_ns when the end is known in advance. */
	int (*start)(struct exec *x, struct ex_chan *ch, uint64_t now);
	/* Report channels whose command finished (ex_chan_finished) and return the soonest time worth
	 * polling again (VGS_NO_TIME: nothing in flight that needs polling).  May be NULL. */
	uint64_t (*poll)(struct exec *x, uint64_t now);
};

extern const struct ex_backend ex_backend_host;
extern const struct ex_backend ex_backend_cuda; /* fails cleanly when not built or no device */

struct exec {
	const struct vgs_scenario *scn;
	const struct ex_backend *be;
	void *be_priv;
	struct vgs_metrics *metrics;
	struct vgs_timeline *tl;
	uint64_t end_ns;
	uint64_t t0_mono_ns;       /* CLOCK_MONOTONIC at the replay's time 0 */
	struct ex_engine *engines;
	struct ex_domain *domains;
	struct ex_tenant *tenants;
	/* the event loop (rt.c) */
	struct vgs_timerheap timers; /* kinds: enum ex_timer_kind */
	GQueue runq;               /* domains and tenants to run now (tagged pointers, see rt.c) */
	bool warmed_up;
	bool stop;                 /* SIGINT/SIGTERM or an engine error */
	int error;
	struct vgs_error err;
	uint64_t completed;
	/* measurements of the executor itself */
	struct vgs_hist dispatch_lat; /* decision to start, ns */
	struct vgs_hist timer_slack;  /* wake-up lateness of the loop's timers, ns */
};

/* rt.c: the real-time loop */
uint64_t ex_now(const struct exec *x);
void ex_timer_add(struct exec *x, uint64_t at_ns, int kind, void *obj, uint64_t gen);
void ex_run_domain(struct exec *x, struct ex_domain *d);
void ex_run_tenant(struct exec *x, struct ex_tenant *t);
/* Run until end_ns or x->stop; returns the time the loop stopped. */
uint64_t ex_loop(struct exec *x);
/* Sleep until the absolute replay time at_ns (clock_nanosleep, TIMER_ABSTIME); returns the lateness. */
uint64_t ex_sleep_until(const struct exec *x, uint64_t at_ns);

enum ex_timer_kind { EV_TENANT, EV_DOMAIN, EV_CHAN_END, EV_CHAN_PREEMPT, EV_CHAN_TDR, EV_WARMUP, EV_POLL };

/* replay.c: SIGINT or SIGTERM arrived */
bool ex_interrupted(void);
/* backend_host.c: how long the host backend keeps a channel busy for cmd */
uint64_t ex_host_duration_ns(const struct vgs_gpu *gpu, const struct ex_cmd *cmd);

/* tenant.c */
void ex_tenant_step(struct exec *x, struct ex_tenant *t, uint64_t now);
bool ex_tenant_is_done(const struct ex_tenant *t, uint64_t seq, uint64_t *end_ns);
bool ex_cmd_startable(const struct ex_cmd *cmd);
void ex_tenant_update_ready(struct ex_tenant *t, uint64_t now);
void ex_tenant_complete(struct ex_tenant *t, struct ex_cmd *cmd, uint64_t now, bool dropped);
/* domain.c */
void ex_domain_step(struct exec *x, struct ex_domain *d, uint64_t now);
/* chan.c */
void ex_chan_assign(struct exec *x, struct ex_chan *ch, struct ex_cmd *cmd, uint64_t decided_ns);
void ex_chan_finished(struct exec *x, struct ex_chan *ch, uint64_t now);
void ex_chan_preempt(struct exec *x, struct ex_chan *ch, uint64_t now);
void ex_chan_preempt_now(struct exec *x, struct ex_chan *ch, uint64_t now);
void ex_chan_tdr(struct exec *x, struct ex_chan *ch, uint64_t now);
/* replay.c */
struct ex_replay_result {
	uint64_t completed;        /* commands completed, warm-up included */
	uint64_t stopped_ns;       /* when the replay stopped */
	double slack_mean_ns;      /* timer lateness */
	double slack_p50_ns;
	double dispatch_p50_ns;
};

struct ex_replay_args {
	const struct vgs_scenario *scn;
	const struct ex_backend *be;
	const char *outdir;
	bool quiet;
	bool slices;
	struct ex_replay_result *result; /* filled when not NULL (calibration) */
};
int ex_replay(const struct ex_replay_args *args, struct vgs_error *err);

#endif
