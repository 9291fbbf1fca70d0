/*
 * Engine channels.  Each channel of an engine is a worker actor on the engine's host that runs one
 * command at a time.  A compute-like command is an exec of remaining_ns flops on that host; since a
 * channel owns one core, the exec ends exactly remaining_ns / speed later, so the worker waits on its
 * condition variable until that end, its fine-preemption time, or its TDR deadline, whichever comes
 * first.  (The worker owns its exec: SimGrid 3.32's C API frees an exec cancelled by another actor
 * while its owner waits on it, so the domain never touches execs, it only posts preempt_at_ns.)
 * A host<->device copy with a byte count is a transfer over the GPU's PCIe link instead, sharing the
 * link's bandwidth with concurrent copies; transfers are neither preempted nor subject to TDR.
 */
#include <math.h>

#include "sim/sim.h"

static bool is_transfer(const struct sim_cmd *cmd)
{
	return cmd->c.bytes > 0 && (cmd->c.dir == VGS_DIR_H2D || cmd->c.dir == VGS_DIR_D2H) &&
	       !(cmd->c.flags & VGS_CMD_RECORDED_TIME);
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
	sim_post(&ch->wake);
}

void sim_chan_preempt(struct sim_chan *ch, uint64_t now)
{
	uint64_t at = now + ch->engine->cls->preempt_latency_ns;

	if (ch->state == CHAN_IDLE || ch->preempt_at_ns <= at)
		return;
	ch->preempt_at_ns = at;
	sim_post(&ch->wake);
}

/* The channel stops running cmd at now: account the piece and free the channel. */
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
		sim_post(&t->wake);
	sim_tenant_complete(t, cmd, now, true);
}

static void run_exec(struct sim_chan *ch, struct sim_cmd *cmd)
{
	struct sim_engine *e = ch->engine;
	struct sim *sim = e->domain->sim;
	const struct vgs_gpu *gpu = &sim->scn->gpus[e->cfg->gpu];
	uint64_t start = sim_now(), tdr = gpu->tdr_timeout_ns;
	/* A routed class keeps its own speed factor (CUDA work on an A10's graphics engine). */
	double speed = gpu->cls[cmd->c.cls].speed;
	/* The launch overhead occupies the channel first (docs/config.md launch_us). */
	uint64_t launch = e->cls->launch_ns;
	uint64_t end = start + launch + (uint64_t)ceil((double)cmd->remaining_ns / speed);
	uint64_t tdr_at = tdr ? start + tdr : VGS_NO_TIME;
	sg_exec_t ex = sg_actor_exec_init((double)cmd->remaining_ns * e->cls->speed / speed +
					  (double)launch * e->cls->speed);
	uint64_t now;

	sg_exec_start(ex);
	sim->activities++;
	for (;;) {
		uint64_t until = end;

		now = sim_now();
		if (tdr_at < until)
			until = tdr_at;
		if (ch->preempt_at_ns < until)
			until = ch->preempt_at_ns;
		if (now >= until)
			break;
		sim_wait(&ch->wake, until - now);
	}
	if (now >= end) {
		sim_flush_posts();
		sg_exec_wait(ex); /* already done, or within the clock's rounding of done */
		now = sim_now();
		chan_release(ch, now);
		sim_tenant_complete(cmd->tenant, cmd, now, false);
	} else if (now >= ch->preempt_at_ns) {
		struct sim_tenant *t = cmd->tenant;
		double rem = sg_exec_get_remaining(ex);

		if (launch == 0) {
			cmd->remaining_ns = (uint64_t)llround(rem * speed / e->cls->speed) + e->cls->resume_ns;
		} else {
			/* Stopped during the launch: none of the work was done. */
			double left_ns = fmin(rem / e->cls->speed, (double)cmd->remaining_ns / speed);

			cmd->remaining_ns = (uint64_t)llround(left_ns * speed) + e->cls->resume_ns;
		}
		vgs_metrics_preempt(sim->metrics, t->idx, e->idx);
		chan_release(ch, now);
		g_queue_push_head(&t->ring[cmd->eng_cls], cmd);
		sim_tenant_update_ready(t, now);
		sim_flush_posts();
		sg_exec_cancel(ex);
	} else {
		chan_reset(ch, now);
		sim_flush_posts();
		sg_exec_cancel(ex);
	}
}

static void run_transfer(struct sim_chan *ch, struct sim_cmd *cmd)
{
	struct sim_engine *e = ch->engine;
	struct sim *sim = e->domain->sim;
	sg_mailbox_t mb = sim->pcie_mb[2 * e->cfg->gpu + (cmd->c.dir == VGS_DIR_D2H)];
	sg_comm_t comm;
	uint64_t now;

	if (e->cls->launch_ns)
		sim_sleep_until(sim_now() + e->cls->launch_ns);
	comm = sg_mailbox_put_async(mb, cmd, (long)cmd->c.bytes);
	sim->activities++;
	sim_flush_posts();
	sg_comm_wait(comm);
	now = sim_now();
	chan_release(ch, now);
	sim_tenant_complete(cmd->tenant, cmd, now, false);
}

void sim_chan_actor(int argc, char **argv)
{
	struct sim_chan *ch = sg_actor_self_get_data();
	for (;;) {
		while (ch->state != CHAN_ASSIGNED)
			sim_wait(&ch->wake, VGS_NO_TIME);
		ch->state = CHAN_RUNNING;
		ch->run_start_ns = sim_now();
		/* VRAM hook (sim/vram.c): translate the command's accesses, stall for migrations, faults. */
		enum sim_vram_verdict vr = sim_vram_before_run(ch, ch->cmd);

		if (vr != SIM_VRAM_RUN) {
			struct sim_cmd *cmd = ch->cmd;

			if (vr == SIM_VRAM_RESET) {
				chan_reset(ch, sim_now());
			} else {
				chan_release(ch, sim_now());
				sim_tenant_complete(cmd->tenant, cmd, sim_now(), true);
			}
			sim_flush_posts();
			continue;
		}
		if (is_transfer(ch->cmd))
			run_transfer(ch, ch->cmd);
		else
			run_exec(ch, ch->cmd);
	}
}

/* Host-memory end of a PCIe direction: accepts every transfer as it arrives. */
void sim_pcie_receiver_actor(int argc, char **argv)
{
	sg_mailbox_t mb = sg_actor_self_get_data();

	sg_mailbox_set_receiver(sg_mailbox_get_name(mb));
	for (;;)
		(void)sg_mailbox_get(mb);
}
