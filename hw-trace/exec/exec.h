/*
 * The thin real-hardware executor (vgpusim-replay; docs/executor.md).
 *
 * It runs a scenario for real with the simulator's semantics: the same host driver model
 * (models/driver/driver.h: tenants, scheduling domains, channels' bookkeeping) and the very same policy
 * objects (build/libvgspolicies.a), stepped by a real-time event loop (rt.c) with CLOCK_MONOTONIC ns as
 * `now`.  What is the executor's own: the loop that sleeps until the next timer, and the backends that
 * run the commands -- `host` keeps a channel busy for the command's duration with a timer; `cuda`
 * launches it on the GPU (backend_cuda.cu).
 *
 * Everything runs on the loop thread, so no locking is needed; the only other thread is the CUDA
 * runtime's.  Times are ns since the replay started (CLOCK_MONOTONIC).
 */
#ifndef VGS_EXEC_H
#define VGS_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "models/base/histogram.h"
#include "models/driver/driver.h"
#include "models/driver/hostq.h"
#include "models/results/metrics.h"
#include "models/scenario/scenario.h"
#include "models/results/timeline.h"
#include "models/driver/timerheap.h"
#include "models/base/types.h"
#include "models/workload/workload.h"
#include "policies/vgs_policy.h"

struct exec;

/* The executor's side of a channel (drv_chan.plat). */
struct ex_chan {
	uint64_t due_ns;           /* when the backend will finish it (host), VGS_NO_TIME if unknown */
	void *backend;             /* backend-private state */
};

static inline struct ex_chan *ex_chan_of(const struct drv_chan *ch)
{
	return (struct ex_chan *)ch->plat;
}

/* A backend executes commands on engine channels (host timers, or a CUDA device). */
struct ex_backend {
	const char *name;
	/* Set up for x's engines; 0, or -1 with err set (e.g. "no CUDA device"). */
	int (*init)(struct exec *x, struct vgs_error *err);
	void (*fini)(struct exec *x);
	/* Start the current piece of ch->cmd now; set ex_chan_of(ch)->due_ns when the end is known in advance. */
	int (*start)(struct exec *x, struct drv_chan *ch, uint64_t now);
	/* Report channels whose command finished (drv_chan_done) and return the soonest time worth
	 * polling again (VGS_NO_TIME: nothing in flight that needs polling).  May be NULL. */
	uint64_t (*poll)(struct exec *x, uint64_t now);
};

extern const struct ex_backend ex_backend_host;
extern const struct ex_backend ex_backend_cuda; /* fails cleanly when not built or no device */

struct exec {
	struct drv drv;            /* first: a struct drv * of the executor is its struct exec * */
	const struct ex_backend *be;
	void *be_priv;
	uint64_t t0_mono_ns;       /* CLOCK_MONOTONIC at the replay's time 0 */
	bool stop;                 /* SIGINT/SIGTERM or an engine error */
	int error;
	struct vgs_error err;
	/* measurements of the executor itself */
	struct vgs_hist dispatch_lat; /* decision to start, ns */
	struct vgs_hist timer_slack;  /* wake-up lateness of the loop's timers, ns */
};

static inline struct exec *exec_of(struct drv *d)
{
	return (struct exec *)d;
}

/* rt.c: the real-time loop */
uint64_t ex_now(const struct exec *x);
/* Run until end_ns or x->stop; returns the time the loop stopped. */
uint64_t ex_loop(struct exec *x);
/* Sleep until the absolute replay time at_ns (clock_nanosleep, TIMER_ABSTIME); returns the lateness. */
uint64_t ex_sleep_until(const struct exec *x, uint64_t at_ns);

/* The executor's timers (its channels'). */
enum ex_timer_kind { EV_CHAN_END = DRV_EV_PLATFORM, EV_CHAN_PREEMPT, EV_CHAN_TDR };

/* chan.c: how a channel runs a command on the backend (struct drv_ops) */
void ex_chan_start(struct drv *d, struct drv_chan *ch, uint64_t now);
void ex_chan_preempt(struct drv *d, struct drv_chan *ch, uint64_t now);
void ex_chan_timer(struct drv *d, const struct vgs_timer *tm, uint64_t now);
/* ch's end in its engine's SM pool moved (host backend: concurrent kernels share a modelled pool). */
void ex_chan_retime(struct drv *d, struct drv_chan *ch, uint64_t now);
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
/* Replay args->scn and write its results directory: 0; -1 with err set; or, when SIGINT or SIGTERM
 * stopped it, 128 + signal after saying what was written (results marked partial, or nothing when the
 * measured window had not begun). */
int ex_replay(const struct ex_replay_args *args, struct vgs_error *err);

#endif
