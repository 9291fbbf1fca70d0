/*
 * Engine channels, as state machines on the event loop (sim/loop.c).  A channel runs one command at a
 * time.  At its dispatch the command's memory accesses are translated (sim/vram.c): pages that must
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
 */
#include <math.h>

#include <simgrid/plugins/energy.h>

#include "sim/sim.h"

static bool is_transfer(const struct sim_cmd *cmd)
{
	return cmd->c.bytes > 0 && (cmd->c.dir == VGS_DIR_H2D || cmd->c.dir == VGS_DIR_D2H) &&
	       !(cmd->c.flags & VGS_CMD_RECORDED_TIME);
}

static void timer_at(struct sim_chan *ch, uint64_t at)
{
	sim_timer_add(ch->engine->domain->sim, at, SIM_EV_CHAN, ch, ++ch->gen);
}

/* The channel stops running its command at now: account the piece and free the channel. */
static void chan_release(struct sim_chan *ch, uint64_t now)
{
	struct sim_engine *e = ch->engine;
	struct sim *sim = e->domain->sim;
	struct sim_cmd *cmd = ch->cmd;

	vgs_metrics_busy(sim->metrics, cmd->tenant->idx, e->idx, ch->run_start_ns, now);
	if (sim->tl)
		vgs_timeline_busy(sim->tl, e->idx, ch->index, cmd->tenant->idx, cmd->c.seq, cmd->c.cls, ch->run_start_ns,
				  now);
	if (--e->busy == 0)
		vgs_metrics_engine_busy(sim->metrics, e->idx, e->busy_since_ns, now);
	ch->state = CHAN_IDLE;
	ch->cmd = NULL;
	ch->preempt_at_ns = VGS_NO_TIME;
	ch->gen++;
	sim_domain_notify(e->domain);
}

/*
 * TDR: the command hung past tdr_timeout.  Only its vGPU's context on this engine is reset: the command
 * and the vGPU's queued commands for this engine class are discarded; other vGPUs go on.
 */
static void chan_reset(struct sim_chan *ch, uint64_t now)
{
	struct sim_engine *e = ch->engine;
	struct sim *sim = e->domain->sim;
	struct sim_cmd *cmd = ch->cmd;
	struct sim_tenant *t = cmd->tenant;
	GQueue *q = &t->ring[e->cfg->cls];
	uint64_t dropped = 1;

	chan_release(ch, now);
	while (!g_queue_is_empty(q)) {
		sim_tenant_complete(t, g_queue_pop_head(q), now, true);
		dropped++;
	}
	vgs_metrics_reset(sim->metrics, t->idx, e->idx, now, dropped);
	if (e->domain->owner == t)
		e->domain->reset_req = true;
	if (t->waiting_space)
		sim_run_tenant(t);
	sim_tenant_complete(t, cmd, now, true);
}

/* The end of cmd started at start on e: the launch overhead first (docs/config.md launch_us), then the work. */
static uint64_t exec_end(const struct sim_engine *e, const struct sim_cmd *cmd, double speed, uint64_t start)
{
	return start + e->cls->launch_ns + (uint64_t)ceil((double)cmd->remaining_ns / speed);
}

/* Reference flops of cmd (and its launch) on e's host, whose speed is 1e9 x e's class speed. */
static double exec_flops(const struct sim_engine *e, const struct sim_cmd *cmd, double speed)
{
	return (double)cmd->remaining_ns * e->cls->speed / speed + (double)e->cls->launch_ns * e->cls->speed;
}

/*
 * The exec stops at now (done: it ran to its end): its channel-time in the measured window feeds the
 * engine's energy.  A completed exec counts its exact length, launch + remaining / speed, as SimGrid's
 * exec does, not the ns its end is rounded up to.
 */
static void exec_stop(struct sim_chan *ch, uint64_t now, bool done)
{
	struct sim_engine *e = ch->engine;
	struct sim *sim = e->domain->sim;
	struct sim_cmd *cmd = ch->cmd;
	double from = (double)ch->exec_start_ns, to = (double)now;

	if (done)
		to = from + (double)e->cls->launch_ns +
		     (double)cmd->remaining_ns / sim->scn->gpus[e->cfg->gpu].cls[cmd->c.cls].speed;
	if (from < (double)sim->scn->warmup_ns)
		from = (double)sim->scn->warmup_ns;
	if (to > (double)sim->end_ns)
		to = (double)sim->end_ns;
	if (to > from)
		e->exec_ns += to - from;
	if (ch->exec) {
		if (done)
			sg_exec_wait(ch->exec); /* already done, or within the clock's rounding of done */
		else
			sg_exec_cancel(ch->exec);
		ch->exec = NULL;
	}
}

static void exec_preempt(struct sim_chan *ch, uint64_t now)
{
	struct sim_engine *e = ch->engine;
	struct sim *sim = e->domain->sim;
	struct sim_cmd *cmd = ch->cmd;
	struct sim_tenant *t = cmd->tenant;
	double speed = sim->scn->gpus[e->cfg->gpu].cls[cmd->c.cls].speed;
	uint64_t launch = e->cls->launch_ns;
	double ran_ns = (double)(now - ch->exec_start_ns);

	if (launch == 0) {
		cmd->remaining_ns = (uint64_t)llround(fmax(0.0, (double)cmd->remaining_ns - ran_ns * speed)) +
				    e->cls->resume_ns;
	} else {
		/* Stopped during the launch: none of the work was done. */
		double left_ns = fmin((double)(launch + cmd->remaining_ns / speed) - ran_ns,
				      (double)cmd->remaining_ns / speed);

		cmd->remaining_ns = (uint64_t)llround(fmax(0.0, left_ns) * speed) + e->cls->resume_ns;
	}
	exec_stop(ch, now, false);
	vgs_metrics_preempt(sim->metrics, t->idx, e->idx);
	chan_release(ch, now);
	g_queue_push_head(&t->ring[cmd->eng_cls], cmd);
	sim_tenant_update_ready(t, now);
}

/* At now: complete the exec, preempt it or reset it if its time has come, else wait for the first. */
static void exec_settle(struct sim_chan *ch, uint64_t now)
{
	uint64_t at = ch->end_ns;

	if (now >= ch->end_ns) {
		struct sim_cmd *cmd = ch->cmd;

		exec_stop(ch, now, true);
		chan_release(ch, now);
		sim_tenant_complete(cmd->tenant, cmd, now, false);
	} else if (now >= ch->preempt_at_ns) {
		exec_preempt(ch, now);
	} else if (now >= ch->tdr_at_ns) {
		exec_stop(ch, now, false);
		chan_reset(ch, now);
	} else {
		if (ch->preempt_at_ns < at)
			at = ch->preempt_at_ns;
		if (ch->tdr_at_ns < at)
			at = ch->tdr_at_ns;
		timer_at(ch, at);
	}
}

static void start_exec(struct sim_chan *ch, uint64_t now)
{
	struct sim_engine *e = ch->engine;
	struct sim *sim = e->domain->sim;
	const struct vgs_gpu *gpu = &sim->scn->gpus[e->cfg->gpu];
	struct sim_cmd *cmd = ch->cmd;
	/* A routed class keeps its own speed factor (CUDA work on an A10's graphics engine). */
	double speed = gpu->cls[cmd->c.cls].speed;

	ch->state = CHAN_RUNNING;
	ch->exec_start_ns = now;
	ch->end_ns = exec_end(e, cmd, speed, now);
	ch->tdr_at_ns = gpu->tdr_timeout_ns ? now + gpu->tdr_timeout_ns : VGS_NO_TIME;
	if (sim->lockstep) {
		ch->exec = sg_actor_exec_init(exec_flops(e, cmd, speed));
		sg_exec_set_host(ch->exec, e->host);
		sg_exec_start(ch->exec);
		sim->activities++;
	} else {
		sim->execs_without_activity++;
	}
	exec_settle(ch, now);
}

static void start_copy(struct sim_chan *ch)
{
	ch->state = CHAN_TRANSFER;
	sim_transfer_start(ch, ch->cmd->c.dir == VGS_DIR_D2H, ch->cmd->c.bytes);
}

/* The command's pages are there (or it faulted): run it. */
static void begin(struct sim_chan *ch, uint64_t now)
{
	struct sim_engine *e = ch->engine;

	if (ch->verdict != SIM_VRAM_RUN) {
		/* The faulting access happens while the command runs; it is dropped (or its context reset)
		 * when it would have completed.  This is also what keeps a workload that faults on every
		 * command from looping at one instant. */
		ch->state = CHAN_FAULT;
		ch->end_ns = now + sim_vram_fault_time_ns(ch, ch->cmd);
		timer_at(ch, ch->end_ns);
	} else if (!is_transfer(ch->cmd)) {
		start_exec(ch, now);
	} else if (e->cls->launch_ns) {
		ch->state = CHAN_LAUNCH;
		ch->end_ns = now + e->cls->launch_ns;
		timer_at(ch, ch->end_ns);
	} else {
		start_copy(ch);
	}
}

void sim_chan_assign(struct sim_chan *ch, struct sim_cmd *cmd, uint64_t now)
{
	struct sim_engine *e = ch->engine;

	ch->cmd = cmd;
	ch->state = CHAN_ASSIGNED;
	ch->preempt_at_ns = VGS_NO_TIME;
	if (e->busy++ == 0)
		e->busy_since_ns = now;
	e->used = true;
	if (cmd->start_ns == VGS_NO_TIME)
		cmd->start_ns = now;
	cmd->engine = e->idx;
	sim_run_chan(ch);
}

void sim_chan_start(struct sim_chan *ch, uint64_t now)
{
	uint64_t d2h = 0, h2d = 0;

	ch->run_start_ns = now;
	/* VRAM hook (sim/vram.c): translate the command's accesses; the pages it reached before any fault
	 * move first, while it stalls on its channel. */
	ch->verdict = sim_vram_translate(ch->cmd, now, &d2h, &h2d);
	if (d2h || h2d) {
		ch->state = CHAN_MIGRATE;
		ch->stall_start_ns = now;
		ch->mig_h2d_bytes = d2h ? h2d : 0;
		sim_transfer_start(ch, d2h != 0, d2h ? d2h : h2d);
		return;
	}
	begin(ch, now);
}

void sim_chan_transfer_done(struct sim_chan *ch, uint64_t now)
{
	struct sim_cmd *cmd = ch->cmd;

	if (ch->state == CHAN_TRANSFER) {
		chan_release(ch, now);
		sim_tenant_complete(cmd->tenant, cmd, now, false);
		return;
	}
	/* CHAN_MIGRATE */
	if (ch->mig_h2d_bytes) {
		uint64_t b = ch->mig_h2d_bytes;

		ch->mig_h2d_bytes = 0;
		sim_transfer_start(ch, false, b);
		return;
	}
	vgs_metrics_vram_stall(ch->engine->domain->sim->metrics, cmd->tenant->idx, ch->stall_start_ns, now);
	begin(ch, now);
}

void sim_chan_timer(struct sim_chan *ch, uint64_t now)
{
	struct sim_cmd *cmd = ch->cmd;

	switch (ch->state) {
	case CHAN_RUNNING:
		exec_settle(ch, now);
		break;
	case CHAN_LAUNCH:
		start_copy(ch);
		break;
	case CHAN_FAULT:
		if (ch->verdict == SIM_VRAM_RESET) {
			chan_reset(ch, now);
		} else {
			vgs_metrics_vram_kill(ch->engine->domain->sim->metrics, cmd->tenant->idx, now);
			chan_release(ch, now);
			sim_tenant_complete(cmd->tenant, cmd, now, true);
		}
		break;
	default:
		break;
	}
}

void sim_chan_preempt(struct sim_chan *ch, uint64_t now)
{
	uint64_t at = now + ch->engine->cls->preempt_latency_ns;

	if (ch->state == CHAN_IDLE || ch->preempt_at_ns <= at)
		return;
	ch->preempt_at_ns = at;
	/* A stalled command or a copy is not preempted: an exec starting later stops at once. */
	if (ch->state == CHAN_RUNNING) {
		uint64_t t = ch->end_ns;

		if (at < t)
			t = at;
		if (ch->tdr_at_ns < t)
			t = ch->tdr_at_ns;
		timer_at(ch, t);
	}
}

void sim_chan_close(struct sim_chan *ch, uint64_t end)
{
	struct sim_engine *e = ch->engine;
	struct sim *sim = e->domain->sim;

	if (ch->state == CHAN_IDLE)
		return;
	vgs_metrics_busy(sim->metrics, ch->cmd->tenant->idx, e->idx, ch->run_start_ns, end);
	if (sim->tl)
		vgs_timeline_busy(sim->tl, e->idx, ch->index, ch->cmd->tenant->idx, ch->cmd->c.seq, ch->cmd->c.cls,
				  ch->run_start_ns, end);
	if (ch->state == CHAN_RUNNING)
		exec_stop(ch, end, false);
}

/* Host-memory end of a PCIe direction: accepts every transfer as it arrives. */
void sim_pcie_receiver_actor(int argc, char **argv)
{
	sg_mailbox_t mb = sg_actor_self_get_data();

	sg_mailbox_set_receiver(sg_mailbox_get_name(mb));
	for (;;)
		(void)sg_mailbox_get(mb);
}
