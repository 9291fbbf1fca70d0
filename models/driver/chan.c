/*
 * Engine channels' bookkeeping (models/driver/driver.h): a channel holds one command from its dispatch until it
 * completes, is preempted (its rest goes back to the head of its ring), is dropped or hits TDR.  How the
 * command runs meanwhile is the platform's (struct drv_ops).
 */
#include <math.h>

#include "models/driver/driver.h"

void drv_chan_assign(struct drv_chan *ch, struct drv_cmd *cmd, uint64_t now)
{
	struct drv_engine *e = ch->engine;

	ch->cmd = cmd;
	cmd->tenant->running++;
	ch->state = DRV_CHAN_ASSIGNED;
	ch->decided_ns = now;
	ch->preempt_at_ns = VGS_NO_TIME;
	if (e->busy++ == 0)
		e->busy_since_ns = now;
	e->used = true;
	if (cmd->start_ns == VGS_NO_TIME)
		cmd->start_ns = now;
	cmd->engine = e->idx;
	drv_run_chan(ch);
}

void drv_chan_preempt(struct drv_chan *ch, uint64_t now)
{
	struct drv *d = ch->engine->domain->drv;
	uint64_t at = now + ch->engine->cls->preempt_latency_ns;

	if (ch->state == DRV_CHAN_IDLE || ch->preempt_at_ns <= at)
		return;
	ch->preempt_at_ns = at;
	if (ch->state == DRV_CHAN_BUSY)
		d->ops->chan_preempt(d, ch, now); /* an assigned command sees it when it starts */
}

/* The channel stops running its command at now: account the piece and free the channel. */
static void release(struct drv_chan *ch, uint64_t now)
{
	struct drv_engine *e = ch->engine;
	struct drv *d = e->domain->drv;
	struct drv_cmd *cmd = ch->cmd;
	/* The executor may learn of an end (a device timestamp) from before the start it recorded. */
	uint64_t start = ch->run_start_ns < now ? ch->run_start_ns : now;

	if (e->shared) {
		if (e->pool)
			drv_pool_leave(ch, now);
		if (e->domain->spatial) /* a vGPU's share of a spatial domain: its commands' busy time there */
			vgs_metrics_slice(d->metrics, e->domain->idx, cmd->tenant->idx, start, now, -1);
	}
	vgs_metrics_busy(d->metrics, cmd->tenant->idx, e->idx, start, now);
	if (d->tl)
		vgs_timeline_busy(d->tl, e->idx, ch->index, cmd->tenant->idx, cmd->c.seq, cmd->c.cls, start, now);
	if (--e->busy == 0)
		vgs_metrics_engine_busy(d->metrics, e->idx, e->busy_since_ns, now);
	cmd->tenant->running--;
	ch->state = DRV_CHAN_IDLE;
	ch->cmd = NULL;
	ch->preempt_at_ns = VGS_NO_TIME;
	ch->gen++;
	drv_run_domain(e->domain);
}

void drv_chan_done(struct drv_chan *ch, uint64_t now)
{
	struct drv_cmd *cmd = ch->cmd;

	release(ch, now);
	drv_tenant_complete(cmd->tenant, cmd, now, false);
}

void drv_chan_drop(struct drv_chan *ch, uint64_t now)
{
	struct drv_cmd *cmd = ch->cmd;

	release(ch, now);
	drv_tenant_complete(cmd->tenant, cmd, now, true);
}

void drv_chan_requeue(struct drv_chan *ch, uint64_t now)
{
	struct drv_engine *e = ch->engine;
	struct drv_cmd *cmd = ch->cmd;
	struct drv_tenant *t = cmd->tenant;

	vgs_metrics_preempt(e->domain->drv->metrics, t->idx, e->idx);
	release(ch, now);
	drv_ring_push_head(&t->ring[cmd->eng_cls], cmd);
	drv_tenant_update_ready(t, now);
}

/*
 * Only the vGPU's context on this engine is reset: the command and the vGPU's queued commands for this
 * engine class are discarded; other vGPUs go on.
 */
void drv_chan_reset(struct drv_chan *ch, uint64_t now)
{
	struct drv_engine *e = ch->engine;
	struct drv_cmd *cmd = ch->cmd;
	struct drv_tenant *t = cmd->tenant;
	struct drv_ring *q = &t->ring[e->cfg->cls];
	uint64_t dropped = 1;

	release(ch, now);
	while (q->head) {
		struct drv_cmd *c = q->head;

		drv_ring_remove(q, c);
		drv_tenant_complete(t, c, now, true);
		dropped++;
	}
	vgs_metrics_reset(e->domain->drv->metrics, t->idx, e->idx, now, dropped);
	if (e->domain->owner == t)
		e->domain->reset_req = true;
	if (t->waiting_space)
		drv_run_tenant(t);
	drv_tenant_complete(t, cmd, now, true);
}

uint64_t drv_cmd_time_ns(const struct vgs_gpu *gpu, const struct drv_cmd *cmd)
{
	const struct vgs_cmd *c = &cmd->c;

	if (drv_cmd_is_transfer(c))
		return gpu->pcie_latency_ns + (uint64_t)ceil((double)c->bytes / gpu->pcie_bw_Bps * 1e9);
	return (uint64_t)ceil((double)cmd->remaining_ns / drv_cmd_speed(gpu, cmd));
}

uint64_t drv_remaining_after(const struct drv_engine *e, const struct drv_cmd *cmd, double speed,
			     uint64_t launch_ns, uint64_t ran_ns)
{
	double ran = (double)ran_ns;

	if (launch_ns == 0)
		return (uint64_t)llround(fmax(0.0, (double)cmd->remaining_ns - ran * speed)) + e->cls->resume_ns;
	/* Stopped during the launch: none of the work was done. */
	double left_ns = fmin((double)(launch_ns + cmd->remaining_ns / speed) - ran, (double)cmd->remaining_ns / speed);

	return (uint64_t)llround(fmax(0.0, left_ns) * speed) + e->cls->resume_ns;
}
