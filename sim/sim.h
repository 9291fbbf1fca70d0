/*
 * The simulator's internal objects (sim/ is the only code that includes the SimGrid headers).
 *
 * Tenants, domains and channels are the host driver model of models/driver/driver.h, shared with the
 * executor, stepped by one discrete-event loop (sim/loop.c) in simulated ns.  What is the simulator's
 * own: how a channel runs a command (sim/engine.c: VRAM translation and migrations, execs timed by the
 * loop, PCIe transfers), the VRAM model's hooks (sim/vram.c), energy, and SimGrid.  SimGrid is the clock
 * and the network: the loop runs inside one SimGrid actor, and enters SimGrid only where SimGrid
 * decides -- PCIe transfers, whose ends depend on the link sharing between them -- or, with
 * --no-coalesce (lockstep), at every event, with one SimGrid exec per command (docs/simulator.md,
 * "Event loop").
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

#include "models/driver/driver.h"
#include "models/driver/hostq.h"
#include "models/results/metrics.h"
#include "models/results/outdir.h"
#include "models/scenario/scenario.h"
#include "models/results/timeline.h"
#include "models/driver/timerheap.h"
#include "models/base/types.h"
#include "models/workload/workload.h"
#include "policies/vgs_policy.h"

struct sim;

/* A PCIe transfer on behalf of a channel, run by a SimGrid actor on the engine's host (sim/transfer.c). */
struct sim_xfer;

/* What a busy channel is doing (sim/engine.c). */
enum sim_phase {
	PH_MIGRATE,                /* stalled: its pages cross the PCIe link (sim/vram.c) */
	PH_FAULT,                  /* a faulting command holds the channel until it is dropped or reset */
	PH_LAUNCH,                 /* a copy's launch overhead, before its transfer */
	PH_TRANSFER,               /* a host<->device copy on the PCIe link */
	PH_RUNNING,                /* an exec: remaining_ns / speed */
	PH_POOL_LAUNCH,            /* a kernel's launch overhead, before it joins its engine's SM pool */
	PH_POOL,                   /* a kernel in its engine's SM pool: the pool says when it ends */
	PH_TRACK,                  /* stalled: a live migration's dirty tracking took write faults */
};

/* The simulator's side of a channel (drv_chan.plat). */
struct sim_chan {
	enum sim_phase phase;
	uint64_t exec_start_ns;    /* start of the exec (after any stall) */
	uint64_t end_ns;           /* end of the exec, of the launch or of the fault stall */
	uint64_t tdr_at_ns;        /* TDR deadline of the exec, VGS_NO_TIME if none */
	uint64_t stall_start_ns;   /* start of the migration stall */
	uint64_t mig_h2d_bytes;    /* migration still to move in, after the outgoing one */
	int verdict;               /* enum sim_vram_verdict of the command's translation */
	uint64_t track_ns;         /* dirty-tracking stall still to take before it runs */
	sg_exec_t exec;            /* lockstep: the command's SimGrid exec, else NULL */
	struct sim_xfer *xfer;     /* created at its first transfer */
};

/* The simulator's side of an engine (drv_engine.plat). */
struct sim_engine {
	sg_host_t host;
	double exec_ns;            /* channel-ns of execs in the measured window (energy) */
	double energy_at_warmup_j; /* lockstep: the SimGrid energy plugin's reading at the warm-up */
};

enum sim_event { SIM_EV_CHAN = DRV_EV_PLATFORM, SIM_EV_MIGRATE };

struct sim_mig;                /* sim/migrate.c */
struct sim_migs;

struct sim {
	struct drv drv;            /* first: a struct drv * of the simulator is its struct sim * */
	uint64_t clock_ns;         /* the loop's current time (ns since the start of the run) */
	sg_host_t ctl_host;
	sg_host_t *pcie_host;      /* per GPU: [2g] host-to-device endpoint, [2g+1] device-to-host (physical GPUs) */
	sg_mailbox_t *pcie_mb;     /* per GPU: [2g] host-to-device, [2g+1] device-to-host */
	struct sim_vram *vram;     /* sim/vram.c; NULL when no workload touches memory */
	GQueue xfer_done;          /* struct sim_xfer * whose transfer ended, in order */
	sg_sem_t xfer_sem;         /* released by a transfer's end */
	uint32_t xfers;            /* transfers in flight */
	bool lockstep;             /* --no-coalesce: SimGrid's clock at every event, an exec per command */
	uint64_t activities;       /* SimGrid activities: execs, transfers, the loop's waits and sleeps */
	uint64_t execs_without_activity; /* execs run without a SimGrid exec (not lockstep) */
	FILE *commands_csv;        /* --commands: one row per completed command, else NULL */
	bool progress;             /* a progress line on stderr (a terminal, not --quiet) */
	double wall_start_s;
	double progress_at_s;      /* wall time of the last progress line */
	bool interrupted;          /* SIGINT/SIGTERM stopped the loop at drv.end_ns, before the planned end */
	const struct sim_part *part; /* one shard of a run (sim/shard.c), else NULL */
	bool part_stop;            /* that shard started a PCIe transfer: it stops (sim/transfer.c) */
	struct sim_migs *migs;     /* live migrations (sim/migrate.c), NULL when the scenario has none */
};

static inline struct sim *sim_of(struct drv *d)
{
	return (struct sim *)d;
}

static inline struct sim_chan *sim_chan(const struct drv_chan *ch)
{
	return ch->plat;
}

static inline struct sim_engine *sim_engine(const struct drv_engine *e)
{
	return e->plat;
}

/* sim/loop.c: process events until the end of the run. */
void sim_loop(struct sim *sim);

/* sim/transfer.c: PCIe transfers */
void sim_transfers_init(struct sim *sim);
/* Move bytes over the GPU's PCIe link (d2h: device to host) for ch; sim_chan_transfer_done() at the end. */
void sim_transfer_start(struct drv_chan *ch, bool d2h, uint64_t bytes);
/* Let SimGrid run until `until` (ns) or until a transfer ends, whichever is first; true when one
 * ended.  SimGrid's clock is then at the end of that transfer, or at `until`. */
bool sim_transfers_wait(struct sim *sim, uint64_t until);
/* The next transfer that ended (in order; the loop's clock moved to its end): a channel's (*ch) or a live
 * migration's (*mig, *ch NULL); false when none. */
bool sim_transfers_next_done(struct sim *sim, struct drv_chan **ch, struct sim_mig **mig);
void sim_transfers_free(struct sim *sim);
/* SimGrid's clock, in ns, rounded. */
uint64_t sim_simgrid_ns(void);

/* sim/platform.c */
int sim_platform_load(struct sim *sim, struct vgs_error *err);
/* The route from GPU a to GPU b (docs/pools.md, "The interconnect"): its links' names appended to links
 * (may be NULL), its latency (the sum) and bandwidth (the narrowest link). */
void sim_route(const struct vgs_scenario *scn, uint32_t a, uint32_t b, GPtrArray *links, double *lat_s,
	       double *bw_Bps);
/* sim/migrate.c: live migration (docs/pools.md, "Migration"). */
void sim_mig_init(struct sim *sim);
void sim_mig_timer(struct sim *sim, struct sim_mig *m, uint64_t now);
void sim_mig_transfer_done(struct sim *sim, struct sim_mig *m, uint64_t now);
void sim_mig_completed(struct sim *sim, struct drv_tenant *t, uint64_t now, bool dropped);
void sim_mig_track_stall(struct sim *sim, struct drv_tenant *t, uint64_t ns);
int sim_mig_write(struct sim *sim, const char *dir, struct vgs_error *err);
void sim_mig_free(struct sim *sim);
/* sim/transfer.c: a migration's sender (an actor on `host`) and its transfers. */
struct sim_xfer *sim_mig_xfer_new(struct sim *sim, sg_host_t host, const char *name, struct sim_mig *mig);
void sim_mig_xfer_send(struct sim_xfer *x, sg_mailbox_t mb, uint64_t bytes);
void sim_mig_xfer_free(struct sim_xfer *x);
int sim_platform_load_xml(GString *xml, struct vgs_error *err);
/* sim/engine.c: how a channel runs a command (struct drv_ops) */
void sim_chan_start(struct drv *d, struct drv_chan *ch, uint64_t now);
void sim_chan_preempt(struct drv *d, struct drv_chan *ch, uint64_t now);
void sim_chan_timer(struct drv *d, const struct vgs_timer *tm, uint64_t now);
void sim_chan_transfer_done(struct drv_chan *ch, uint64_t now);
/* ch's end in its engine's SM pool moved (struct drv_ops chan_retime). */
void sim_chan_retime(struct drv *d, struct drv_chan *ch, uint64_t now);
/* The end of the run: the exec time of what is still running (energy). */
void sim_chan_close(struct drv_chan *ch, uint64_t end);
void sim_pcie_receiver_actor(int argc, char **argv);
/* sim/vram.c: VRAM hooks (docs/vram.md) */
enum sim_vram_verdict {
	SIM_VRAM_RUN = 0,          /* run the command (its pages are there) */
	SIM_VRAM_KILL,             /* a fault: drop the command */
	SIM_VRAM_RESET,            /* a fault: reset the vGPU's context on the engine */
};
int sim_vram_init(struct sim *sim, struct vgs_error *err);
void sim_vram_submit(struct drv_tenant *t, struct drv_cmd *cmd);
/* Translate cmd's accesses at its start: the verdict, and the bytes to migrate out and in first. */
enum sim_vram_verdict sim_vram_translate(struct drv_cmd *cmd, uint64_t now, uint64_t *d2h_bytes,
					 uint64_t *h2d_bytes, uint64_t *track_ns);
/* Lifetimes and live migration (docs/pools.md): dirty tracking on or off; the dirty bytes (take: and
 * clean them, a pre-copy round copies them); resident bytes; the vGPU's pages to another GPU's VRAM;
 * its memory given back at the end of its lifetime (struct drv_ops gone). */
void sim_vram_track(struct sim *sim, struct drv_tenant *t, bool on);
uint64_t sim_vram_dirty(struct sim *sim, struct drv_tenant *t, bool take);
uint64_t sim_vram_resident(struct sim *sim, struct drv_tenant *t);
void sim_vram_rehome(struct sim *sim, struct drv_tenant *t, uint32_t gpu);
void sim_vram_release(struct drv_tenant *t, uint64_t now);
/* How long a faulting command holds its channel before it is dropped or reset. */
uint64_t sim_vram_fault_time_ns(const struct drv_chan *ch, const struct drv_cmd *cmd);
void sim_vram_complete(struct drv_tenant *t, struct drv_cmd *cmd, uint64_t now);
void sim_vram_finish(struct sim *sim);
void sim_vram_free(struct sim *sim);
/* sim/run.c */
/* One shard of a run (sim/shard.c): this process simulates some of the scenario's GPUs. */
struct sim_part {
	const bool *gpu_active;    /* [gpu]: simulated here */
	const char *dir;           /* its private directory: its units.csv and its state (SIM_PART_STATE) */
	bool progress;             /* it draws the progress line */
};
#define SIM_PART_STATE "state.bin"
/* sim_run's status for a shard that stopped because its GPUs moved bytes over PCIe: SimGrid then
 * counts activities (summary.json) that depend on every GPU's timeline, so the run is done as one. */
#define SIM_PART_TRANSFERS 3

struct sim_run_args {
	const struct vgs_scenario *scn;
	const char *outdir;        /* final results directory */
	bool quiet;
	bool commands;             /* also write commands.csv */
	bool slices;               /* also write slices.csv */
	bool timeline;             /* also write timeline.json */
	bool no_coalesce;          /* lockstep: SimGrid at every event, one exec per command (--no-coalesce) */
	uint64_t window_ns;        /* also write windows.csv with windows of this length; 0: not */
	double start_s;            /* when the command started (summary.json wall_command_s); 0: unknown */
	unsigned jobs;             /* processes it may use: the shards of sim/shard.c (0: 1) */
	const char *shards_why;    /* why the run is one shard although jobs > 1 (summary.json) */
	const struct sim_part *part; /* this process is one shard (sim/shard.c); NULL: the whole run */
};
/*
 * Simulate args->scn and write its results directory.  0; -1 with err set; or, when SIGINT or SIGTERM
 * stopped the run, the exit status 128 + signal after saying on stderr what was written: a complete
 * directory marked "partial": true when the measured window had begun, nothing otherwise.
 */
int sim_run(const struct sim_run_args *args, struct vgs_error *err);
/*
 * The end of a run, whole or merged from shards: finish m with info (the wall-clock time of finishing
 * counts from finish_t0_s), write the results into out's temporary directory (windows.csv too when
 * asked), commit it and print the table unless quiet.  0 or -1 with err set.
 */
int sim_results_write(const struct sim_run_args *args, struct sim *sim, struct vgs_metrics *m,
		      const struct vgs_run_info *info, struct vgs_outdir *out, double finish_t0_s, struct vgs_error *err);
/* Wall-clock seconds (CLOCK_MONOTONIC). */
double sim_wall_now(void);
/* sim/shard.c: run args->scn split into shards over args->jobs processes when its GPUs do not
 * interact (docs/simulator.md, "Shards"), else (or when the shards cannot reproduce a one-shard run)
 * as one, with sim_run; the same status as sim_run. */
int sim_shard_run(const struct sim_run_args *args, struct vgs_error *err);
/* SimGrid with vgpusim's settings (models, precision, stack size, energy plugin). */
void sim_simgrid_start(void);
/* sim/bench_floor.c: `vgpusim bench-floor [N]` */
int sim_bench_floor(int argc, char **argv);
/* Redraw the progress line if enough wall time has passed (called every few commands). */
void sim_progress(struct sim *sim, bool last);

#endif
