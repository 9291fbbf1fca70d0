/*
 * How a channel runs a command in the simulator (the driver model's bookkeeping is models/driver/chan.c).
 * At its start the command's memory accesses are translated (sim/vram.c): pages that must
 * move first cross the PCIe link while the command stalls on its channel, and a faulting command holds
 * the channel for the time it would have run before it is dropped or its context reset.  Then a
 * compute-like command is an exec of remaining_ns of reference work: since a channel owns one core of
 * its engine, it ends exactly launch_ns + remaining_ns / speed later, unless a fine preemption or its
 * TDR deadline comes first.  A host<->device copy with a byte count is a transfer over the GPU's PCIe
 * link instead, sharing the link's bandwidth with concurrent copies and migrations; transfers are
 * neither preempted nor subject to TDR.
 *
 * An exec's end is known when it starts, so it needs nothing from SimGrid; in lockstep mode
 * (--no-coalesce) each one also runs as a SimGrid exec on the engine's host, the reference the default
 * mode is checked against.
 *
 * On an engine with an SM pool (a MIG instance, a spatial policy: models/driver/smpool.c) a kernel's
 * end depends on the kernels running with it: after its launch it joins the pool (PH_POOL), its end is
 * the pool's, and it moves (sim_chan_retime) whenever another kernel starts or ends there.  In
 * lockstep mode its SimGrid exec then runs until the loop stops it (it is cancelled at its end), so
 * the energy plugin sees the channel busy exactly as long as the default mode counts it.  Engines
 * without a pool never take these paths.
 */

#include "sim/sim.h"

static struct sim *sim_of_chan(const struct drv_chan *ch)
{
	return sim_of(ch->engine->domain->drv);
}

static void timer_at(struct drv_chan *ch, uint64_t at)
{
	drv_timer_add(ch->engine->domain->drv, at, SIM_EV_CHAN, ch, ++ch->gen);
}

/* Reference flops of cmd (and its launch) on e's host, whose speed is 1e9 x e's class speed. */
static double exec_flops(const struct drv_engine *e, const struct drv_cmd *cmd, double speed)
{
	return (double)cmd->remaining_ns * e->cls->speed / speed + (double)e->cls->launch_ns * e->cls->speed;
}

static double cmd_speed(const struct sim *sim, const struct drv_engine *e, const struct drv_cmd *cmd)
{
	/* A routed class keeps its own speed factor (CUDA work on an A10's graphics engine), a kernel
	 * class its own where the profile has one (drv_cmd_speed). */
	return drv_cmd_speed(&sim->drv.scn->gpus[e->cfg->gpu], cmd);
}

/* The channel-time [from, to) of an exec, clipped to the measured window, feeds the engine's energy. */
static void count_exec(const struct sim *sim, const struct drv_engine *e, double from, double to)
{
	if (from < (double)sim->drv.scn->warmup_ns)
		from = (double)sim->drv.scn->warmup_ns;
	if (to > (double)sim->drv.end_ns)
		to = (double)sim->drv.end_ns;
	if (to > from)
		sim_engine(e)->exec_ns += to - from;
}

/*
 * The exec stops at now (done: it ran to its end): its channel-time in the measured window feeds the
 * engine's energy.  A completed exec counts its exact length, launch + remaining / speed, as SimGrid's
 * exec does, not the ns its end is rounded up to.
 */
static void exec_stop(struct drv_chan *ch, uint64_t now, bool done)
{
	struct drv_engine *e = ch->engine;
	struct sim *sim = sim_of_chan(ch);
	struct sim_chan *sc = sim_chan(ch);
	struct drv_cmd *cmd = ch->cmd;
	double from = (double)sc->exec_start_ns, to = (double)now;

	if (done)
		to = from + (double)e->cls->launch_ns + (double)cmd->remaining_ns / cmd_speed(sim, e, cmd);
	count_exec(sim, e, from, to);
	if (sc->exec) {
		if (done)
			sg_exec_wait(sc->exec); /* already done, or within the clock's rounding of done */
		else
			sg_exec_cancel(sc->exec);
		sc->exec = NULL;
	}
}

/* Wake the running exec at its end, its preemption time or its TDR deadline, whichever is first. */
static void exec_wait(struct drv_chan *ch)
{
	struct sim_chan *sc = sim_chan(ch);
	uint64_t at = sc->end_ns;

	if (ch->preempt_at_ns < at)
		at = ch->preempt_at_ns;
	if (sc->tdr_at_ns < at)
		at = sc->tdr_at_ns;
	timer_at(ch, at);
}

/* At now: complete the exec, preempt it or reset it if its time has come, else wait for the first. */
static void exec_settle(struct drv_chan *ch, uint64_t now)
{
	struct sim_chan *sc = sim_chan(ch);

	if (now >= sc->end_ns) {
		exec_stop(ch, now, true);
		drv_chan_done(ch, now);
	} else if (now >= ch->preempt_at_ns) {
		struct drv_engine *e = ch->engine;

		ch->cmd->remaining_ns = drv_remaining_after(e, ch->cmd, cmd_speed(sim_of_chan(ch), e, ch->cmd),
							    e->cls->launch_ns, now - sc->exec_start_ns);
		exec_stop(ch, now, false);
		drv_chan_requeue(ch, now);
	} else if (now >= sc->tdr_at_ns) {
		exec_stop(ch, now, false);
		drv_chan_reset(ch, now);
	} else {
		exec_wait(ch);
	}
}

static void start_exec(struct drv_chan *ch, uint64_t now)
{
	struct drv_engine *e = ch->engine;
	struct sim *sim = sim_of_chan(ch);
	struct sim_chan *sc = sim_chan(ch);
	const struct vgs_gpu *gpu = &sim->drv.scn->gpus[e->cfg->gpu];
	struct drv_cmd *cmd = ch->cmd;
	double speed = cmd_speed(sim, e, cmd);

	sc->phase = PH_RUNNING;
	sc->exec_start_ns = now;
	/* The launch overhead first (docs/config.md launch_us), then the work. */
	sc->end_ns = now + e->cls->launch_ns + drv_cmd_time_ns(gpu, cmd);
	sc->tdr_at_ns = gpu->tdr_timeout_ns ? now + gpu->tdr_timeout_ns : VGS_NO_TIME;
	if (sim->lockstep) {
		sc->exec = sg_actor_exec_init(exec_flops(e, cmd, speed));
		sg_exec_set_host(sc->exec, sim_engine(e)->host);
		sg_exec_start(sc->exec);
		sim->activities++;
	} else {
		sim->execs_without_activity++;
	}
	exec_settle(ch, now);
}

/* ---- kernels in an SM pool -------------------------------------------------------------------- */

/* The pool kernel stops at now: its channel-time since its start (launch included) feeds the energy;
 * a lockstep exec, which had no end of its own, is cancelled. */
static void pool_stop(struct drv_chan *ch, uint64_t now)
{
	struct sim_chan *sc = sim_chan(ch);

	count_exec(sim_of_chan(ch), ch->engine, (double)sc->exec_start_ns, (double)now);
	if (sc->exec) {
		sg_exec_cancel(sc->exec);
		sc->exec = NULL;
	}
}

/* At now: complete, preempt or reset the pool kernel if its time has come, else wait for the first. */
static void pool_settle(struct drv_chan *ch, uint64_t now)
{
	struct sim_chan *sc = sim_chan(ch);

	if (now >= sc->end_ns) {
		pool_stop(ch, now);
		drv_chan_done(ch, now);
	} else if (now >= ch->preempt_at_ns) {
		ch->cmd->remaining_ns = drv_pool_left_ns(ch, now) + ch->engine->cls->resume_ns;
		pool_stop(ch, now);
		drv_chan_requeue(ch, now);
	} else if (now >= sc->tdr_at_ns) {
		pool_stop(ch, now);
		drv_chan_reset(ch, now);
	} else {
		exec_wait(ch);
	}
}

/* Its launch is over: its work shares the engine's SMs from now on. */
static void pool_work(struct drv_chan *ch, uint64_t now)
{
	struct sim_chan *sc = sim_chan(ch);

	sc->phase = PH_POOL;
	drv_pool_join(ch, now);
	sc->end_ns = ch->pool_end_ns;
	pool_settle(ch, now);
}

static void start_pool(struct drv_chan *ch, uint64_t now)
{
	struct sim *sim = sim_of_chan(ch);
	struct sim_chan *sc = sim_chan(ch);
	const struct vgs_gpu *gpu = &sim->drv.scn->gpus[ch->engine->cfg->gpu];
	uint64_t launch = ch->engine->cls->launch_ns;

	sc->exec_start_ns = now;
	sc->tdr_at_ns = gpu->tdr_timeout_ns ? now + gpu->tdr_timeout_ns : VGS_NO_TIME;
	if (sim->lockstep) { /* an exec that runs until the loop stops it: its end is not known yet */
		sc->exec = sg_actor_exec_init(1e30);
		sg_exec_set_host(sc->exec, sim_engine(ch->engine)->host);
		sg_exec_start(sc->exec);
		sim->activities++;
	} else {
		sim->execs_without_activity++;
	}
	if (!launch) {
		pool_work(ch, now);
		return;
	}
	sc->phase = PH_POOL_LAUNCH;
	sc->end_ns = now + launch;
	timer_at(ch, sc->end_ns);
}

void sim_chan_retime(struct drv *d, struct drv_chan *ch, uint64_t now)
{
	struct sim_chan *sc = sim_chan(ch);

	if (sc->phase != PH_POOL)
		return;
	sc->end_ns = ch->pool_end_ns;
	exec_wait(ch);
}

/* ---- copies ----------------------------------------------------------------------------------- */

static void start_copy(struct drv_chan *ch)
{
	sim_chan(ch)->phase = PH_TRANSFER;
	sim_transfer_start(ch, ch->cmd->c.dir == VGS_DIR_D2H, ch->cmd->c.bytes);
}

/* The command's pages are there (or it faulted): run it. */
static void begin(struct drv_chan *ch, uint64_t now)
{
	struct drv_engine *e = ch->engine;
	struct sim_chan *sc = sim_chan(ch);

	if (sc->verdict != SIM_VRAM_RUN) {
		/* The faulting access happens while the command runs; it is dropped (or its context reset)
		 * when it would have completed.  This is also what keeps a workload that faults on every
		 * command from looping at one instant. */
		sc->phase = PH_FAULT;
		sc->end_ns = now + sim_vram_fault_time_ns(ch, ch->cmd);
		timer_at(ch, sc->end_ns);
	} else if (!drv_cmd_is_transfer(&ch->cmd->c)) {
		if (e->pool)
			start_pool(ch, now);
		else
			start_exec(ch, now);
	} else if (e->cls->launch_ns) {
		sc->phase = PH_LAUNCH;
		sc->end_ns = now + e->cls->launch_ns;
		timer_at(ch, sc->end_ns);
	} else {
		start_copy(ch);
	}
}

/* A live migration's dirty tracking stalls the command first (sim/migrate.c), then it begins. */
static void begin_tracked(struct drv_chan *ch, uint64_t now)
{
	struct sim_chan *sc = sim_chan(ch);

	if (sc->track_ns) {
		sim_mig_track_stall(sim_of_chan(ch), ch->cmd->tenant, sc->track_ns);
		sc->phase = PH_TRACK;
		sc->end_ns = now + sc->track_ns;
		sc->track_ns = 0;
		timer_at(ch, sc->end_ns);
		return;
	}
	begin(ch, now);
}

void sim_chan_start(struct drv *d, struct drv_chan *ch, uint64_t now)
{
	struct sim_chan *sc = sim_chan(ch);
	uint64_t d2h = 0, h2d = 0;

	/* VRAM hook (sim/vram.c): translate the command's accesses; the pages it reached before any fault
	 * move first, while it stalls on its channel. */
	sc->verdict = sim_vram_translate(ch->cmd, now, &d2h, &h2d, &sc->track_ns);
	if (d2h || h2d) {
		sc->phase = PH_MIGRATE;
		sc->stall_start_ns = now;
		sc->mig_h2d_bytes = d2h ? h2d : 0;
		sim_transfer_start(ch, d2h != 0, d2h ? d2h : h2d);
		return;
	}
	begin_tracked(ch, now);
}

void sim_chan_transfer_done(struct drv_chan *ch, uint64_t now)
{
	struct sim_chan *sc = sim_chan(ch);

	if (sc->phase == PH_TRANSFER) {
		drv_chan_done(ch, now);
		return;
	}
	/* PH_MIGRATE */
	if (sc->mig_h2d_bytes) {
		uint64_t b = sc->mig_h2d_bytes;

		sc->mig_h2d_bytes = 0;
		sim_transfer_start(ch, false, b);
		return;
	}
	vgs_metrics_vram_stall(sim_of_chan(ch)->drv.metrics, ch->cmd->tenant->idx, sc->stall_start_ns, now);
	begin_tracked(ch, now);
}

void sim_chan_timer(struct drv *d, const struct vgs_timer *tm, uint64_t now)
{
	struct drv_chan *ch = tm->obj;
	struct sim_chan *sc = sim_chan(ch);

	if (ch->gen != tm->gen || ch->state != DRV_CHAN_BUSY)
		return;
	switch (sc->phase) {
	case PH_RUNNING:
		exec_settle(ch, now);
		break;
	case PH_LAUNCH:
		start_copy(ch);
		break;
	case PH_POOL:
		pool_settle(ch, now);
		break;
	case PH_POOL_LAUNCH:
		pool_work(ch, now);
		break;
	case PH_TRACK:
		begin(ch, now);
		break;
	case PH_FAULT:
		if (sc->verdict == SIM_VRAM_RESET) {
			drv_chan_reset(ch, now);
		} else {
			vgs_metrics_vram_kill(d->metrics, ch->cmd->tenant->idx, now);
			drv_chan_drop(ch, now);
		}
		break;
	default:
		break;
	}
}

/* A stalled command or a copy is not preempted: an exec starting later stops at once. */
void sim_chan_preempt(struct drv *d, struct drv_chan *ch, uint64_t now)
{
	if (sim_chan(ch)->phase == PH_RUNNING || sim_chan(ch)->phase == PH_POOL)
		exec_wait(ch);
}

void sim_chan_close(struct drv_chan *ch, uint64_t end)
{
	if (ch->state == DRV_CHAN_BUSY && sim_chan(ch)->phase == PH_RUNNING)
		exec_stop(ch, end, false);
	else if (ch->state == DRV_CHAN_BUSY && (sim_chan(ch)->phase == PH_POOL || sim_chan(ch)->phase == PH_POOL_LAUNCH))
		pool_stop(ch, end);
}

/* Host-memory end of a PCIe direction: accepts every transfer as it arrives. */
void sim_pcie_receiver_actor(int argc, char **argv)
{
	sg_mailbox_t mb = sg_actor_self_get_data();

	sg_mailbox_set_receiver(sg_mailbox_get_name(mb));
	for (;;)
		(void)sg_mailbox_get(mb);
}
