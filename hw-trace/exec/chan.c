/*
 * How a channel runs a command in the executor (the driver model's bookkeeping is models/driver/chan.c):
 * the backend starts it; it ends when the backend's timer fires (host) or the backend reports it
 * (cuda, polled); a `fine` preemption stops it at its time and puts the rest back at the head of its
 * ring (plus resume_ns); a command running past tdr_timeout resets only its vGPU's context on that
 * engine.  A channel is busy from its start until the loop observes the end, which is what a real
 * driver sees.  On an engine with an SM pool the host backend's end is the pool's, moved by
 * ex_chan_retime() whenever another kernel starts or ends there.
 */
#include "hw-trace/exec/exec.h"

static void timer_at(struct drv *d, struct drv_chan *ch, uint64_t at, int kind)
{
	drv_timer_add(d, at, kind, ch, ch->gen);
}

void ex_chan_start(struct drv *d, struct drv_chan *ch, uint64_t now)
{
	struct exec *x = exec_of(d);
	struct ex_chan *xc = ex_chan_of(ch);
	uint64_t tdr = d->scn->gpus[ch->engine->cfg->gpu].tdr_timeout_ns;

	xc->due_ns = VGS_NO_TIME;
	if (x->be->start(x, ch, now)) {
		x->stop = true;
		x->error = -1;
		return;
	}
	vgs_hist_add(&x->dispatch_lat, ex_now(x) - ch->decided_ns);
	if (xc->due_ns != VGS_NO_TIME)
		timer_at(d, ch, xc->due_ns, EV_CHAN_END);
	if (tdr && (xc->due_ns == VGS_NO_TIME || xc->due_ns - ch->run_start_ns > tdr))
		timer_at(d, ch, ch->run_start_ns + tdr, EV_CHAN_TDR);
	/* A preemption asked for while it waited to start. */
	if (ch->preempt_at_ns != VGS_NO_TIME)
		timer_at(d, ch, ch->preempt_at_ns, EV_CHAN_PREEMPT);
}

void ex_chan_preempt(struct drv *d, struct drv_chan *ch, uint64_t now)
{
	timer_at(d, ch, ch->preempt_at_ns, EV_CHAN_PREEMPT);
}

static void preempt_now(struct exec *x, struct drv_chan *ch, uint64_t now)
{
	struct ex_chan *xc = ex_chan_of(ch);
	struct drv_engine *e = ch->engine;
	double speed = drv_cmd_speed(&x->drv.scn->gpus[e->cfg->gpu], ch->cmd);

	if (xc->due_ns != VGS_NO_TIME && now >= xc->due_ns) {
		drv_chan_done(ch, now);
		return;
	}
	/* The host backend does not add the launch (backend_host.c): all the time ran was work. */
	if (ch->pool_slot != DRV_POOL_NONE)
		ch->cmd->remaining_ns = drv_pool_left_ns(ch, now) + e->cls->resume_ns;
	else
		ch->cmd->remaining_ns = drv_remaining_after(e, ch->cmd, speed, 0, now - ch->run_start_ns);
	drv_chan_requeue(ch, now);
}

void ex_chan_retime(struct drv *d, struct drv_chan *ch, uint64_t now)
{
	struct ex_chan *xc = ex_chan_of(ch);

	xc->due_ns = ch->pool_end_ns;
	if (xc->due_ns != VGS_NO_TIME)
		timer_at(d, ch, xc->due_ns, EV_CHAN_END);
}

void ex_chan_timer(struct drv *d, const struct vgs_timer *tm, uint64_t now)
{
	struct drv_chan *ch = tm->obj;

	if (ch->gen != tm->gen || ch->state != DRV_CHAN_BUSY)
		return;
	if (tm->kind == EV_CHAN_END) {
		/* A pool kernel's end moves as others start and end (ex_chan_retime): only the latest counts. */
		if (ch->pool_slot == DRV_POOL_NONE || now >= ex_chan_of(ch)->due_ns)
			drv_chan_done(ch, now);
	}
	else if (tm->kind == EV_CHAN_PREEMPT)
		preempt_now(exec_of(d), ch, now);
	else
		drv_chan_reset(ch, now);
}
