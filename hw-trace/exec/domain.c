/*
 * Executor scheduling domains: the loop of policies/vgs_policy.h as a state machine on the real-time
 * loop, with the simulator's rules (sim/domain.c, docs/simulator.md):
 *
 *   D_PICK   pick(now) -> NULL: D_IDLE until notified or the policy's wait ends; another vGPU than the
 *            one whose context is loaded: D_SWITCH for the switch cost; then D_RUN
 *   D_RUN    dispatch the owner's ready commands on idle channels until the slice expires, the owner
 *            runs dry or blocks, the policy asks for preemption, or a TDR reset hits the owner
 *   D_STOP   `fine` engines are preempted preempt_latency later; `command` engines finish what runs;
 *            `none` engines keep taking the owner's ready work; then charge and D_PICK again.
 *
 * The decisions are made by the same vgs_sched_* calls on the same policy objects as in the simulator.
 */
#include "hw-trace/exec/exec.h"

static uint32_t running(const struct ex_domain *d)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < d->nengines; i++)
		n += d->engines[i]->busy;
	return n;
}

static bool has_queued(const struct ex_domain *d, const struct ex_tenant *t)
{
	for (int c = 0; c < VGS_NCLASS; c++)
		if ((d->class_mask & (1u << c)) && t->ring[c].length)
			return true;
	return false;
}

static bool has_ready(const struct ex_domain *d, const struct ex_tenant *t)
{
	for (int c = 0; c < VGS_NCLASS; c++) {
		if (!(d->class_mask & (1u << c)))
			continue;
		for (GList *l = t->ring[c].head; l; l = l->next)
			if (ex_cmd_startable(l->data))
				return true;
	}
	return false;
}

static void dispatch(struct exec *x, struct ex_domain *d, struct ex_tenant *t, bool only_none, uint64_t decided)
{
	bool moved = false;

	for (uint32_t i = 0; i < d->nengines; i++) {
		struct ex_engine *e = d->engines[i];
		GQueue *q = &t->ring[e->cfg->cls];

		if (only_none && e->cls->preempt != VGS_PREEMPT_NONE)
			continue;
		for (uint32_t k = 0; k < e->nchan && !g_queue_is_empty(q); k++) {
			struct ex_chan *ch = &e->chans[k];
			GList *l;

			if (ch->cmd)
				continue;
			for (l = q->head; l && !ex_cmd_startable(l->data); l = l->next)
				;
			if (!l)
				break;
			struct ex_cmd *cmd = l->data;

			g_queue_delete_link(q, l);
			ex_chan_assign(x, ch, cmd, decided);
			moved = true;
		}
	}
	if (moved) {
		if (t->waiting_space)
			ex_run_tenant(x, t);
		ex_tenant_update_ready(t, ex_now(x));
	}
}

static bool all_none(const struct ex_domain *d)
{
	for (uint32_t i = 0; i < d->nengines; i++)
		if (d->engines[i]->cls->preempt != VGS_PREEMPT_NONE)
			return false;
	return true;
}

static uint64_t switch_cost(struct ex_domain *d)
{
	uint64_t cost = 0;

	for (uint32_t i = 0; i < d->nengines; i++) {
		struct ex_engine *e = d->engines[i];
		uint64_t c = e->used ? e->cls->switch_ns : e->cls->switch_idle_ns;

		if (c > cost)
			cost = c;
		e->used = false;
	}
	return cost;
}

static void wake_at(struct exec *x, struct ex_domain *d, uint64_t at)
{
	ex_timer_add(x, at, EV_DOMAIN, d, ++d->gen);
}

static void begin_slice(struct exec *x, struct ex_domain *d, uint64_t now)
{
	struct ex_tenant *t = d->next->owner;
	uint64_t slice = d->next_slice_ns;

	d->owner = t;
	d->slice_start_ns = now;
	d->slice_end_ns = slice >= VGS_NO_TIME - now ? VGS_NO_TIME : now + slice;
	d->preempt_req = false;
	d->state = D_RUN;
	if (x->tl)
		vgs_timeline_slice_begin(x->tl, d->idx, t->idx, now);
}

static void charge(struct exec *x, struct ex_domain *d, uint64_t now)
{
	struct ex_tenant *t = d->owner;
	struct vgs_vgpu *v = d->next;

	vgs_metrics_slice(x->metrics, d->idx, t->idx, d->slice_start_ns, now, d->reason);
	if (x->tl)
		vgs_timeline_slice_end(x->tl, d->idx, t->idx, d->slice_start_ns, now, d->reason);
	if (now == d->slice_start_ns && d->reason != VGS_CHARGE_EXPIRED)
		d->zero_slices++;
	else
		d->zero_slices = 0;
	d->owner = NULL;
	d->last = t;
	d->reset_req = false;
	d->preempt_req = false;
	d->state = D_PICK;
	vgs_sched_charge(&d->sched, v, now - d->slice_start_ns, now, d->reason);
}

void ex_domain_step(struct exec *x, struct ex_domain *d, uint64_t now)
{
	for (;;) {
		switch (d->state) {
		case D_IDLE:
			d->state = D_PICK;
			/* fall through */
		case D_PICK: {
			uint64_t slice = 0;
			struct vgs_vgpu *v;

			/* A policy with a stale view could pick a vGPU with nothing to run at one instant over and
			 * over; let the others move first (as the simulator yields). */
			if (d->zero_slices > 2) {
				d->zero_slices = 0;
				d->state = D_IDLE;
				wake_at(x, d, now + 1000);
				return;
			}
			v = vgs_sched_pick(&d->sched, now, &slice);
			if (!v) {
				d->preempt_req = false;
				d->state = D_IDLE;
				if (slice)
					wake_at(x, d, now + slice);
				else
					d->gen++; /* only a notification wakes us */
				return;
			}
			d->next = v;
			d->next_slice_ns = slice;
			if (d->last && d->last != v->owner) {
				uint64_t cost = switch_cost(d);

				d->switch_start_ns = now;
				d->switch_end_ns = now + cost;
				d->state = D_SWITCH;
				wake_at(x, d, now + cost);
				return;
			}
			begin_slice(x, d, now);
			break;
		}
		case D_SWITCH:
		{
			const struct ex_tenant *to = d->next->owner;

			/* Notifications during a switch change nothing: only its end moves us on. */
			if (now < d->switch_end_ns)
				return;
			vgs_metrics_switch(x->metrics, d->idx, to->idx, d->switch_start_ns, now);
			if (x->tl)
				vgs_timeline_switch(x->tl, d->idx, to->idx, d->switch_start_ns, now);
		}
			begin_slice(x, d, now);
			break;
		case D_RUN: {
			struct ex_tenant *t = d->owner;
			bool no_preempt = all_none(d);
			bool expired = now >= d->slice_end_ns && !no_preempt;

			if (!d->preempt_req && !d->reset_req && !expired)
				dispatch(x, d, t, false, now);
			if (d->reset_req) {
				d->reason = VGS_CHARGE_RESET;
			} else if (running(d) == 0 && !has_ready(d, t)) {
				d->reason = has_queued(d, t) ? VGS_CHARGE_BLOCKED : VGS_CHARGE_EMPTY;
				charge(x, d, now);
				break;
			} else if (d->preempt_req && !no_preempt) {
				d->reason = VGS_CHARGE_PREEMPTED;
			} else if (expired) {
				d->reason = VGS_CHARGE_EXPIRED;
			} else {
				if (!no_preempt && d->slice_end_ns != VGS_NO_TIME)
					wake_at(x, d, d->slice_end_ns);
				return;
			}
			for (uint32_t i = 0; i < d->nengines; i++) {
				struct ex_engine *e = d->engines[i];

				if (e->cls->preempt != VGS_PREEMPT_FINE)
					continue;
				for (uint32_t k = 0; k < e->nchan; k++)
					ex_chan_preempt(x, &e->chans[k], now);
			}
			d->state = D_STOP;
			break;
		}
		case D_STOP:
			if (!d->reset_req)
				dispatch(x, d, d->owner, true, now);
			if (running(d) != 0)
				return;
			charge(x, d, now);
			break;
		}
	}
}
