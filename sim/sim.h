/*
 * The SimGrid simulator's internal objects (sim/ is the only code that includes the SimGrid headers).
 *
 *   sim_tenant   one actor per vGPU instance: draws commands from its workload and submits them into
 *                bounded rings, one per (vGPU, engine class), blocking when a ring is full.
 *   sim_domain   one actor per scheduling domain: runs the shared loop of policies/vgs_policy.h,
 *                dispatching the owner's ready commands to the domain's engine channels.
 *   sim_engine   a SimGrid host (1 flop = 1 ns of reference work, speed 1e9 x speed factor, one core
 *                per channel); each channel is a worker actor that runs one command at a time as an
 *                exec on that host, or as a transfer over the GPU's PCIe link for host<->device copies.
 *
 * Actors are cooperative (one runs at a time) and every wake-up is deferred to the poster's next blocking
 * point (sim/waiter.c), so shared state needs no locking; an actor that waits for an event blocks on
 * its own struct sim_waiter.  Every time below is
 * simulated ns since the start of the run.
 */
#ifndef VGS_SIM_H
#define VGS_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <simgrid/actor.h>
#include <simgrid/comm.h>
#include <simgrid/exec.h>
#include <simgrid/host.h>
#include <simgrid/mailbox.h>
#include <simgrid/semaphore.h>

#include "models/hostq.h"
#include "models/metrics.h"
#include "models/scenario.h"
#include "models/timeline.h"
#include "models/types.h"
#include "models/workload.h"
#include "policies/vgs_policy.h"

struct sim;
struct sim_domain;
struct sim_engine;
struct sim_tenant;

/* A submitted command, alive until it completes (or is dropped by a reset). */
/*
 * A wake-up point for one actor.  sim_post() wakes the actor if it is blocked in sim_wait(); waits may
 * also end spuriously, so every waiter re-checks its condition in a loop.  Built on a semaphore rather
 * than a condition variable: no mutex is needed between cooperative actors, and SimGrid 3.32's timed
 * condition wait can return without the mutex when a notification races its timeout.
 */
struct sim_waiter {
	sg_sem_t sem;
	bool waiting;
	bool posted;
	bool released;             /* released by a post, not yet resumed (sim_quiet) */
};

void sim_waiter_init(struct sim_waiter *w);
void sim_waiter_fini(struct sim_waiter *w);
/* Block until posted, or until timeout_ns has passed (VGS_NO_TIME: no timeout). */
void sim_wait(struct sim_waiter *w, uint64_t timeout_ns);
void sim_post(struct sim_waiter *w);
/* Release the recorded posts; called before every blocking simcall. */
void sim_flush_posts(void);
/* Flush, then sleep until t_ns (no-op if it has passed). */
void sim_sleep_until(uint64_t t_ns);
/* Flush, then let the other actors runnable at this instant run first. */
void sim_yield(void);
/* Send bytes over mb (a PCIe direction) and wait until they have arrived. */
void sim_transfer(sg_mailbox_t mb, void *payload, uint64_t bytes);
/* The earliest time a blocked actor is due to wake (VGS_NO_TIME: none). */
uint64_t sim_next_wake(void);
/* True when every actor but the caller is asleep in a blocking call of sim/waiter.c, nothing posted. */
bool sim_quiet(void);
/* Book-keeping of sim_quiet(): an actor was created (it is awake until it first blocks)... */
void sim_actor_created(void);
/* ...and an actor blocks, or ends, outside sim_wait()/sim_sleep_until() (begin), and wakes (end). */
void sim_block_begin(void);
void sim_block_end(void);
/* Drop posts to w until sim_mute(NULL): the caller does w's work itself (coalescing). */
void sim_mute(struct sim_waiter *w);

struct sim_cmd {
	struct vgs_cmd c;
	struct sim_tenant *tenant;
	uint64_t submit_ns;
	uint64_t start_ns;         /* first start, VGS_NO_TIME before */
	uint64_t remaining_ns;     /* reference work left (fine preemption resumes from here) */
	uint64_t stream_prev;      /* seq of the previous command of its stream, VGS_NO_TIME if none */
	uint8_t eng_cls;           /* engine class that runs it (after the GPU's route[]) */
	uint32_t engine;           /* engine that last ran it */
	void *vram;                /* sim/vram.c: the allocations it holds, NULL when none */
};

enum sim_chan_state { CHAN_IDLE, CHAN_ASSIGNED, CHAN_RUNNING };

struct sim_chan {
	struct sim_engine *engine;
	uint32_t index;
	enum sim_chan_state state;
	struct sim_cmd *cmd;
	sg_exec_t exec;            /* while RUNNING an exec */
	uint64_t run_start_ns;     /* start of the current piece */
	uint64_t preempt_at_ns;    /* fine preemption requested for this time, VGS_NO_TIME if none */
	struct sim_waiter wake;
};

struct sim_engine {
	uint32_t idx;              /* scenario engine index */
	const struct vgs_engine *cfg;
	const struct vgs_class_cfg *cls;
	struct sim_domain *domain;
	sg_host_t host;
	uint32_t nchan;
	struct sim_chan *chans;
	uint32_t busy;             /* channels running */
	uint64_t busy_since_ns;
	bool used;                 /* ran something since the last context switch */
	double energy_at_warmup_j;
};

struct sim_domain {
	struct sim *sim;
	uint32_t idx;
	const struct vgs_domain *cfg;
	struct sim_engine **engines;
	uint32_t nengines;
	uint32_t class_mask;       /* engine classes present */
	struct vgs_sched sched;
	struct vgs_vgpu *vgpus;    /* one per tenant of the GPU; vgpus[k].owner = struct sim_tenant * */
	struct sim_tenant **tenants;
	uint32_t ntenants;
	struct sim_tenant *owner;  /* current owner, NULL between slices */
	struct sim_tenant *last;   /* previous owner (context loaded on the engines) */
	uint64_t slice_start_ns;
	uint64_t slice_end_ns;     /* VGS_NO_TIME when the slice is unbounded */
	bool preempt_req;
	bool reset_req;
	bool dispatching;          /* blocked in run_slice's dispatch loop (coalescing may act for it) */
	struct sim_waiter wake;
};

struct sim_tenant {
	struct sim *sim;
	uint32_t idx;
	const struct vgs_tenant *cfg;
	const struct vgs_gpu *gpu;
	struct vgs_workload *wl;
	GQueue ring[VGS_NCLASS];   /* submitted, not started, per engine class; struct sim_cmd * */
	struct sim_domain *dom_of_class[VGS_NCLASS]; /* domains serving each engine class (engine mode: first) */
	struct sim_domain **domains; /* all domains of its GPU */
	uint32_t ndomains;
	uint32_t *vgpu_index;      /* its index in each domain's vgpus[] */
	struct vgs_hostq hq;       /* completions, stream order, open units (models/hostq.h) */
	uint64_t in_flight;
	uint64_t dropped_at_warmup; /* units the workload had skipped when the warm-up ended */
	bool waiting_space;
	bool waiting_deps;
	uint64_t waiting_seq;      /* while waiting_deps: the fence it waits for */
	struct sim_waiter wake;
};

struct sim {
	const struct vgs_scenario *scn;
	struct vgs_metrics *metrics;
	uint64_t end_ns;
	struct sim_engine *engines;
	struct sim_domain *domains;
	struct sim_tenant *tenants;
	sg_host_t ctl_host;
	sg_mailbox_t *pcie_mb;     /* per GPU: [2g] host-to-device, [2g+1] device-to-host */
	struct sim_vram *vram;     /* sim/vram.c; NULL when no workload touches memory */
	uint64_t activities;       /* execs + transfers started */
	bool coalesce;             /* the coalescing fast path (off: --no-coalesce) */
	uint64_t coalesced;        /* commands run inside another command's exec */
	FILE *commands_csv;        /* --commands: one row per completed command, else NULL */
	struct vgs_timeline *tl;   /* --slices / --timeline, else NULL */
	bool progress;             /* a progress line on stderr (a terminal, not --quiet) */
	uint64_t completed;        /* commands completed so far (progress line) */
	double wall_start_s;
	double progress_at_s;      /* wall time of the last progress line */
	int error;                 /* set when a policy or workload failed during the run */
	struct vgs_error err;
};

static inline uint64_t sim_now(void)
{
	extern double simgrid_get_clock(void);
	double t = simgrid_get_clock() * 1e9;
	return (uint64_t)(t + 0.5);
}

/* sim/platform.c */
int sim_platform_load(struct sim *sim, struct vgs_error *err);
int sim_platform_load_xml(GString *xml, struct vgs_error *err);
/* sim/tenant.c */
void sim_tenant_actor(int argc, char **argv);
bool sim_tenant_is_done(const struct sim_tenant *t, uint64_t seq, uint64_t *end_ns);
void sim_tenant_update_ready(struct sim_tenant *t, uint64_t now);
void sim_tenant_complete(struct sim_tenant *t, struct sim_cmd *cmd, uint64_t now, bool dropped);
bool sim_cmd_startable(const struct sim_cmd *cmd);
/* sim/engine.c */
void sim_chan_actor(int argc, char **argv);
void sim_pcie_receiver_actor(int argc, char **argv);
void sim_chan_assign(struct sim_chan *ch, struct sim_cmd *cmd, uint64_t now);
void sim_chan_preempt(struct sim_chan *ch, uint64_t now);
/* sim/domain.c */
void sim_domain_actor(int argc, char **argv);
void sim_domain_notify(struct sim_domain *d);
/* Start t's ready commands on d's idle channels at now; `only_none`: engines without preemption only. */
void sim_domain_dispatch(struct sim_domain *d, struct sim_tenant *t, bool only_none, uint64_t now);
/*
 * What sim_domain_dispatch(d, t, false, now) would do once `done` has completed and freed its channel:
 * the command it would start if that is the only one it starts and it starts on done's channel, else
 * NULL.
 */
struct sim_cmd *sim_domain_next_on(struct sim_domain *d, struct sim_chan *ch, const struct sim_cmd *done);
/* sim/vram.c: VRAM hooks (docs/vram.md) */
enum sim_vram_verdict {
	SIM_VRAM_RUN = 0,          /* run the command (its pages are there) */
	SIM_VRAM_KILL,             /* a fault: drop the command */
	SIM_VRAM_RESET,            /* a fault: reset the vGPU's context on the engine */
};
int sim_vram_init(struct sim *sim, struct vgs_error *err);
void sim_vram_submit(struct sim_tenant *t, struct sim_cmd *cmd);
enum sim_vram_verdict sim_vram_before_run(struct sim_chan *ch, struct sim_cmd *cmd);
void sim_vram_complete(struct sim_tenant *t, struct sim_cmd *cmd, uint64_t now);
/* Would cmd's accesses need no fault and no migration (pages resident, or new ones backed without
 * evicting)? */
bool sim_vram_resident(const struct sim_cmd *cmd);
/* sim_vram_before_run() at now for a command that sim_vram_resident() accepts: no simulated time. */
void sim_vram_run_resident(struct sim_cmd *cmd, uint64_t now);
void sim_vram_finish(struct sim *sim);
void sim_vram_free(struct sim *sim);
/* sim/run.c */
struct sim_run_args {
	const struct vgs_scenario *scn;
	const char *outdir;        /* final results directory */
	bool quiet;
	bool commands;             /* also write commands.csv */
	bool slices;               /* also write slices.csv */
	bool timeline;             /* also write timeline.json */
	bool no_coalesce;          /* one exec per command (--no-coalesce) */
};
int sim_run(const struct sim_run_args *args, struct vgs_error *err);
/* SimGrid with vgpusim's settings (models, precision, stack size, energy plugin). */
void sim_simgrid_start(void);
/* sim/bench_floor.c: `vgpusim bench-floor [N]` */
int sim_bench_floor(int argc, char **argv);
/* Redraw the progress line if enough wall time has passed (called every few commands). */
void sim_progress(struct sim *sim, bool last);

#endif
