/*
 * The simulator's internal objects (sim/ is the only code that includes the SimGrid headers).
 *
 *   sim_tenant   the host side of one vGPU instance: draws commands from its workload and submits them
 *                into bounded rings, one per (vGPU, engine class), waiting while a ring is full.
 *   sim_domain   one scheduling domain: runs the shared loop of policies/vgs_policy.h, dispatching the
 *                owner's ready commands to the domain's engine channels.
 *   sim_chan     an engine channel: runs one command at a time, for remaining_ns / speed, or as a
 *                transfer over the GPU's PCIe link for host<->device copies.
 *
 * They are state machines driven by one discrete-event loop (sim/loop.c) in simulated ns: timers, and
 * run lists of tenants and domains notified at the current instant.  SimGrid is the clock and the
 * network: the loop runs inside one SimGrid actor, and enters SimGrid only where SimGrid decides --
 * PCIe transfers, whose ends depend on the link sharing between them -- or, with --no-coalesce
 * (lockstep), at every event, with one SimGrid exec per command (docs/simulator.md, "Event loop").
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
#include "models/timerheap.h"
#include "models/types.h"
#include "models/workload.h"
#include "policies/vgs_policy.h"

struct sim;
struct sim_domain;
struct sim_engine;
struct sim_tenant;

/* A submitted command, alive until it completes (or is dropped by a reset). */
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

enum sim_chan_state {
	CHAN_IDLE,
	CHAN_ASSIGNED,             /* dispatched; it starts once the dispatching domain has run */
	CHAN_MIGRATE,              /* stalled: its pages cross the PCIe link (sim/vram.c) */
	CHAN_FAULT,                /* a faulting command holds the channel until it is dropped or reset */
	CHAN_LAUNCH,               /* a copy's launch overhead, before its transfer */
	CHAN_TRANSFER,             /* a host<->device copy on the PCIe link */
	CHAN_RUNNING,              /* an exec: remaining_ns / speed */
};

/* A PCIe transfer on behalf of a channel, run by a SimGrid actor on the engine's host (sim/loop.c). */
struct sim_xfer;

struct sim_chan {
	struct sim_engine *engine;
	uint32_t index;
	enum sim_chan_state state;
	struct sim_cmd *cmd;
	uint64_t run_start_ns;     /* start of the current piece (dispatch) */
	uint64_t exec_start_ns;    /* start of the exec (after any stall) */
	uint64_t end_ns;           /* end of the exec, of the launch or of the fault stall */
	uint64_t tdr_at_ns;        /* TDR deadline of the exec, VGS_NO_TIME if none */
	uint64_t preempt_at_ns;    /* fine preemption requested for this time, VGS_NO_TIME if none */
	uint64_t stall_start_ns;   /* start of the migration stall */
	uint64_t mig_h2d_bytes;    /* migration still to move in, after the outgoing one */
	int verdict;               /* enum sim_vram_verdict of the command's translation */
	uint64_t gen;              /* invalidates stale timers */
	sg_exec_t exec;            /* lockstep: the command's SimGrid exec, else NULL */
	struct sim_xfer *xfer;     /* created at its first transfer */
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
	double exec_ns;            /* channel-ns of execs in the measured window (energy) */
	double energy_at_warmup_j; /* lockstep: the SimGrid energy plugin's reading at the warm-up */
};

enum sim_domain_state {
	D_PICK,                    /* ask the policy */
	D_IDLE,                    /* nothing to run: until notified or the policy's wait ends */
	D_SWITCH,                  /* the context switch to `next` */
	D_RUN,                     /* the owner's slice: dispatch its ready commands */
	D_STOP,                    /* the slice is over: wait until the engines stopped the owner's work */
	D_CHARGE,                  /* yielded before charging an empty slice (see domain.c) */
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
	enum sim_domain_state state;
	struct vgs_vgpu *next;     /* picked: the slice being run or switched to */
	uint64_t next_slice_ns;
	uint64_t switch_start_ns;
	uint64_t switch_end_ns;
	struct sim_tenant *owner;  /* current owner, NULL between slices */
	struct sim_tenant *last;   /* previous owner (context loaded on the engines) */
	uint64_t slice_start_ns;
	uint64_t slice_end_ns;     /* start + the policy's slice (VGS_NO_TIME when unbounded) */
	enum vgs_charge_reason reason;
	unsigned idle_spins;       /* consecutive empty slices at one instant */
	bool preempt_req;
	bool reset_req;
	bool queued;               /* on the loop's run list */
	bool yielded;              /* on the loop's yield list */
	uint64_t gen;              /* invalidates stale timers */
	uint64_t timer_at;         /* the valid timer's time, VGS_NO_TIME if none */
};

enum sim_tenant_state {
	T_NEXT,                    /* draw the next command */
	T_DEPS,                    /* wait for its fences */
	T_WINDOW,                  /* until the open batch's window closes, then submit the batch */
	T_WHEN,                    /* its submission time is known: add the host's wake-up lateness */
	T_SLEEP,                   /* until its submission time */
	T_FLUSH,                   /* submit the staged batch: the trap ... */
	T_TRAP,
	T_PUSH,                    /* ... then each command into its ring, waiting while it is full */
	T_DONE,
};

struct sim_tenant {
	struct sim *sim;
	uint32_t idx;
	const struct vgs_tenant *cfg;
	const struct vgs_gpu *gpu;
	struct vgs_workload *wl;
	GQueue ring[VGS_NCLASS];   /* submitted, not started, per engine class; struct sim_cmd * */
	struct sim_domain **domains; /* all domains of its GPU */
	uint32_t ndomains;
	uint32_t *vgpu_index;      /* its index in each domain's vgpus[] */
	struct vgs_hostq hq;       /* completions, stream order, open units (models/hostq.h) */
	uint64_t in_flight;
	uint64_t dropped_at_warmup; /* units the workload had skipped when the warm-up ended */
	enum sim_tenant_state state;
	enum sim_tenant_state after_flush; /* where a flush returns to */
	struct sim_cmd *cmd;       /* the command being submitted */
	unsigned dep_i;
	uint64_t base_ns, when_ns, last_submit_ns, window_ns, trap_end_ns;
	struct sim_cmd **staged;   /* the batch being merged (submit.batch_max) */
	uint32_t nstaged, pushed;
	uint64_t staged_first_ns;
	uint64_t space_since_ns;   /* waiting for ring space since */
	bool waiting_space;
	bool waiting_deps;
	uint64_t waiting_seq;      /* while waiting_deps: the fence it waits for */
	bool queued;               /* on the loop's run list */
	uint64_t gen;              /* invalidates stale timers */
};

enum sim_event { SIM_EV_TENANT, SIM_EV_DOMAIN, SIM_EV_CHAN, SIM_EV_WARMUP };

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
	/* the event loop (sim/loop.c) */
	struct vgs_timerheap timers; /* kinds: enum sim_event */
	uintptr_t *runq;           /* tenants, domains and channels to run now: a ring of tagged pointers */
	size_t runq_cap, runq_head, runq_len;
	GQueue yielded;            /* domains that let the rest of this instant go first */
	GQueue xfer_done;          /* struct sim_xfer * whose transfer ended, in order */
	sg_sem_t xfer_sem;         /* released by a transfer's end */
	uint32_t xfers;            /* transfers in flight */
	bool lockstep;             /* --no-coalesce: SimGrid's clock at every event, an exec per command */
	bool warmed_up;
	uint64_t activities;       /* SimGrid activities: execs, transfers, the loop's waits and sleeps */
	uint64_t execs_without_activity;      /* commands run without a SimGrid exec (not lockstep) */
	FILE *commands_csv;        /* --commands: one row per completed command, else NULL */
	struct vgs_timeline *tl;   /* --slices / --timeline, else NULL */
	bool progress;             /* a progress line on stderr (a terminal, not --quiet) */
	uint64_t completed;        /* commands completed so far (progress line) */
	double wall_start_s;
	double progress_at_s;      /* wall time of the last progress line */
	int error;                 /* set when a policy or workload failed during the run */
	struct vgs_error err;
};

/* The loop's current time (ns since the start of the run); one simulation per process. */
extern uint64_t sim_clock_ns;

static inline uint64_t sim_now(void)
{
	return sim_clock_ns;
}

/* sim/loop.c */
void sim_timer_add(struct sim *sim, uint64_t at_ns, enum sim_event kind, void *obj, uint64_t gen);
/* Run t (tenants before domains) / d at the current instant, once however often notified. */
void sim_run_tenant(struct sim_tenant *t);
void sim_run_domain(struct sim_domain *d);
void sim_run_chan(struct sim_chan *ch);
/* Run d again once everything else due at the current instant has run. */
void sim_yield_domain(struct sim_domain *d);
/* Move bytes over the GPU's PCIe link (d2h: device to host) for ch; sim_chan_transfer_done() at the end. */
void sim_transfer_start(struct sim_chan *ch, bool d2h, uint64_t bytes);
/* Process events until the end of the run. */
void sim_loop(struct sim *sim);
void sim_loop_free(struct sim *sim);
/* SimGrid's clock, in ns, rounded. */
uint64_t sim_simgrid_ns(void);

/* sim/platform.c */
int sim_platform_load(struct sim *sim, struct vgs_error *err);
int sim_platform_load_xml(GString *xml, struct vgs_error *err);
/* sim/tenant.c */
void sim_tenant_init(struct sim_tenant *t);
/* Advance t's state machine at now (a timer of t fired, or it was notified). */
void sim_tenant_step(struct sim_tenant *t, uint64_t now);
bool sim_tenant_is_done(const struct sim_tenant *t, uint64_t seq, uint64_t *end_ns);
void sim_tenant_update_ready(struct sim_tenant *t, uint64_t now);
void sim_tenant_complete(struct sim_tenant *t, struct sim_cmd *cmd, uint64_t now, bool dropped);
bool sim_cmd_startable(const struct sim_cmd *cmd);
/* sim/engine.c */
void sim_chan_assign(struct sim_chan *ch, struct sim_cmd *cmd, uint64_t now);
/* Start the assigned command (from the loop's run list). */
void sim_chan_start(struct sim_chan *ch, uint64_t now);
void sim_chan_preempt(struct sim_chan *ch, uint64_t now);
/* A timer of ch fired (the end of its exec, launch or fault stall, or a preemption or TDR time). */
void sim_chan_timer(struct sim_chan *ch, uint64_t now);
void sim_chan_transfer_done(struct sim_chan *ch, uint64_t now);
/* The end of the run: account what is still running (busy time, exec time for energy). */
void sim_chan_close(struct sim_chan *ch, uint64_t end);
void sim_pcie_receiver_actor(int argc, char **argv);
/* sim/domain.c */
/* Advance d's state machine at now. */
void sim_domain_step(struct sim_domain *d, uint64_t now);
void sim_domain_notify(struct sim_domain *d);
/* sim/vram.c: VRAM hooks (docs/vram.md) */
enum sim_vram_verdict {
	SIM_VRAM_RUN = 0,          /* run the command (its pages are there) */
	SIM_VRAM_KILL,             /* a fault: drop the command */
	SIM_VRAM_RESET,            /* a fault: reset the vGPU's context on the engine */
};
int sim_vram_init(struct sim *sim, struct vgs_error *err);
void sim_vram_submit(struct sim_tenant *t, struct sim_cmd *cmd);
/* Translate cmd's accesses at its start: the verdict, and the bytes to migrate out and in first. */
enum sim_vram_verdict sim_vram_translate(struct sim_cmd *cmd, uint64_t now, uint64_t *d2h_bytes,
					 uint64_t *h2d_bytes);
/* How long a faulting command holds its channel before it is dropped or reset. */
uint64_t sim_vram_fault_time_ns(const struct sim_chan *ch, const struct sim_cmd *cmd);
void sim_vram_complete(struct sim_tenant *t, struct sim_cmd *cmd, uint64_t now);
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
	bool no_coalesce;          /* lockstep: SimGrid at every event, one exec per command (--no-coalesce) */
};
int sim_run(const struct sim_run_args *args, struct vgs_error *err);
/* SimGrid with vgpusim's settings (models, precision, stack size, energy plugin). */
void sim_simgrid_start(void);
/* sim/bench_floor.c: `vgpusim bench-floor [N]` */
int sim_bench_floor(int argc, char **argv);
/* Redraw the progress line if enough wall time has passed (called every few commands). */
void sim_progress(struct sim *sim, bool last);

#endif
