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
 * The coalescing fast path (docs/simulator.md, "Coalescing").  cmd runs on ch until end.  If, at end,
 * the domain would start its owner's next command on this same channel and nothing else would happen,
 * settle cmd's completion and that start now, with their own timestamps, and return the next command:
 * it joins cmd's exec.  That is exact only while no other actor can observe the state before `end`:
 *   - no actor is runnable now (sim_quiet) and none is due to wake before end (sim_next_wake): so no
 *     tenant submits, no slice expires, no other channel completes, no transfer is in flight;
 *   - the domain is waiting in its dispatch loop for this owner, with no preemption or reset pending,
 *     and would start exactly one command, on ch (sim_domain_next_on);
 *   - the completion wakes nobody: the owner does not wait for this fence nor for ring space, and no
 *     other domain of its GPU shares the domain's classes or sees a command become ready;
 *   - the next command is an exec, not a transfer, and all its memory accesses hit resident pages
 *     (a fault or a migration is a decision: sim_vram_resident).
 * Otherwise NULL: the command completes at end as usual.
 */
static struct sim_cmd *chain_next(struct sim_chan *ch, struct sim_cmd *cmd, uint64_t end)
{
	struct sim_engine *e = ch->engine;
	struct sim_domain *d = e->domain;
	struct sim *sim = d->sim;
	struct sim_tenant *t = cmd->tenant;
	struct sim_cmd *next;

	if (!sim->coalesce || sim_now() == 0 || !sim_quiet() || end >= sim_next_wake())
		return NULL;
	if (d->owner != t || !d->dispatching || d->preempt_req || d->reset_req || end >= d->slice_end_ns)
		return NULL;
	if (t->waiting_space || (t->waiting_deps && t->waiting_seq == cmd->c.seq))
		return NULL;
	for (uint32_t k = 0; k < t->ndomains; k++) {
		const struct sim_domain *o = t->domains[k];

		if (o == d)
			continue;
		if (o->class_mask & d->class_mask)
			return NULL;
		for (int c = 0; c < VGS_NCLASS; c++) {
			if (!(o->class_mask & (1u << c)))
				continue;
			for (GList *l = t->ring[c].head; l; l = l->next)
				if (((const struct sim_cmd *)l->data)->stream_prev == cmd->c.seq)
					return NULL;
		}
	}
	next = sim_domain_next_on(d, ch, cmd);
	if (!next || is_transfer(next) || !sim_vram_resident(next))
		return NULL;

	/* What the channel, then the domain, would do at end; the domain's wake-ups are ours to do. */
	sim_mute(&d->wake);
	chan_release(ch, end);
	sim_tenant_complete(t, cmd, end, false);
	sim_domain_dispatch(d, t, false, end);
	sim_mute(NULL);
	ch->state = CHAN_RUNNING;
	ch->run_start_ns = end;
	sim_vram_run_resident(next, end);
	sim->coalesced++;
	return next;
}

static void run_exec(struct sim_chan *ch, struct sim_cmd *cmd)
{
	struct sim_engine *e = ch->engine;
	struct sim *sim = e->domain->sim;
	const struct vgs_gpu *gpu = &sim->scn->gpus[e->cfg->gpu];
	uint64_t start = sim_now(), tdr = gpu->tdr_timeout_ns;
	/* A routed class keeps its own speed factor (CUDA work on an A10's graphics engine). */
	double speed = gpu->cls[cmd->c.cls].speed;
	uint64_t launch = e->cls->launch_ns;
	uint64_t end = exec_end(e, cmd, speed, start);
	double flops = exec_flops(e, cmd, speed);
	uint64_t now, tdr_at;

	/* Coalesce the owner's following commands into this exec while nothing else can intervene. */
	while (!(tdr && start + tdr < end)) {
		struct sim_cmd *next = chain_next(ch, cmd, end);

		if (!next)
			break;
		cmd = next;
		start = end;
		speed = gpu->cls[cmd->c.cls].speed;
		end = exec_end(e, cmd, speed, start);
		flops += exec_flops(e, cmd, speed);
	}
	tdr_at = tdr ? start + tdr : VGS_NO_TIME;

	sg_exec_t ex = sg_actor_exec_init(flops);

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
		/*
		 * The work left, from the command's own start rather than from the exec (which may have begun
		 * with earlier, coalesced commands): the same figure with or without coalescing.
		 */
		double ran_ns = (double)(now - start);

		if (launch == 0) {
			cmd->remaining_ns = (uint64_t)llround(fmax(0.0, (double)cmd->remaining_ns - ran_ns * speed)) +
					    e->cls->resume_ns;
		} else {
			/* Stopped during the launch: none of the work was done. */
			double left_ns = fmin((double)(launch + cmd->remaining_ns / speed) - ran_ns,
					      (double)cmd->remaining_ns / speed);

			cmd->remaining_ns = (uint64_t)llround(fmax(0.0, left_ns) * speed) + e->cls->resume_ns;
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
	uint64_t now;

	if (e->cls->launch_ns)
		sim_sleep_until(sim_now() + e->cls->launch_ns);
	sim->activities++;
	sim_transfer(mb, cmd, cmd->c.bytes);
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
	for (;;) {
		sim_block_begin();
		(void)sg_mailbox_get(mb);
		sim_block_end();
	}
}
