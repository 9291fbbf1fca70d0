/*
 * Scheduling domains: one actor per domain runs the shared loop of policies/vgs_policy.h.
 *
 *   pick -> (switch cost if the owner changes) -> run the owner's ready commands on the domain's
 *   engines until the slice expires, the owner runs dry or blocks, the policy asks for preemption, or a
 *   TDR reset hits the owner -> stop the engines at their preemption granularity -> charge.
 *
 * Stopping: on `command` engines running commands finish (the overrun is charged to the owner); on
 * `fine` engines running commands are preempted preempt_latency_ns later and resume later from where
 * they stopped (plus resume_ns); on `none` engines the owner keeps dispatching until it has nothing
 * ready there.  The switch cost is the slowest engine's save/restore, switch_ns for engines the outgoing
 * owner used during its slice and switch_idle_ns for the others; it is charged to nobody.
 */
#include "sim/sim.h"

void sim_domain_notify(struct sim_domain *d)
{
	sim_post(&d->wake);
}

static void wait_ns(struct sim_domain *d, uint64_t timeout_ns)
{
	sim_wait(&d->wake, timeout_ns);
}

static uint32_t running(const struct sim_domain *d)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < d->nengines; i++)
		n += d->engines[i]->busy;
	return n;
}

static bool has_queued(const struct sim_domain *d, const struct sim_tenant *t)
{
	for (int c = 0; c < VGS_NCLASS; c++)
		if ((d->class_mask & (1u << c)) && t->ring[c].length)
			return true;
	return false;
}

static bool has_ready(const struct sim_domain *d, const struct sim_tenant *t)
{
	for (int c = 0; c < VGS_NCLASS; c++) {
		if (!(d->class_mask & (1u << c)))
			continue;
		for (GList *l = t->ring[c].head; l; l = l->next)
			if (sim_cmd_startable(l->data))
				return true;
	}
	return false;
}

void sim_domain_dispatch(struct sim_domain *d, struct sim_tenant *t, bool only_none, uint64_t now)
{
	bool moved = false;

	for (uint32_t i = 0; i < d->nengines; i++) {
		struct sim_engine *e = d->engines[i];
		GQueue *q = &t->ring[e->cfg->cls];

		if (only_none && e->cls->preempt != VGS_PREEMPT_NONE)
			continue;
		for (uint32_t k = 0; k < e->nchan && !g_queue_is_empty(q); k++) {
			struct sim_chan *ch = &e->chans[k];
			GList *l;

			if (ch->state != CHAN_IDLE)
				continue;
			for (l = q->head; l && !sim_cmd_startable(l->data); l = l->next)
				;
			if (!l)
				break;
			struct sim_cmd *cmd = l->data;

			g_queue_delete_link(q, l);
			sim_chan_assign(ch, cmd, now);
			moved = true;
		}
	}
	if (moved) {
		if (t->waiting_space)
			sim_post(&t->wake);
		sim_tenant_update_ready(t, now);
	}
}

/* Would cmd be startable once `done` has completed? */
static bool startable_after(const struct sim_cmd *cmd, const struct sim_cmd *done)
{
	return cmd->stream_prev == done->c.seq || sim_cmd_startable(cmd);
}

/*
 * sim_domain_dispatch()'s choices, replayed without acting: each engine's idle channels in order take
 * the first startable commands of the engine's class ring.  `ch` counts as idle (its command is done).
 */
struct sim_cmd *sim_domain_next_on(struct sim_domain *d, struct sim_chan *ch, const struct sim_cmd *done)
{
	struct sim_tenant *t = done->tenant;
	struct sim_cmd *found = NULL;

	for (uint32_t i = 0; i < d->nengines; i++) {
		struct sim_engine *e = d->engines[i];
		GList *l = t->ring[e->cfg->cls].head;

		for (uint32_t k = 0; k < e->nchan && l; k++) {
			struct sim_chan *c = &e->chans[k];

			if (c != ch && c->state != CHAN_IDLE)
				continue;
			while (l && !startable_after(l->data, done))
				l = l->next;
			if (!l)
				break;
			if (c != ch || found)
				return NULL; /* another channel would start something too */
			found = l->data;
			l = l->next;
		}
	}
	return found;
}

static bool all_none(const struct sim_domain *d)
{
	for (uint32_t i = 0; i < d->nengines; i++)
		if (d->engines[i]->cls->preempt != VGS_PREEMPT_NONE)
			return false;
	return true;
}

static enum vgs_charge_reason run_slice(struct sim_domain *d, struct sim_tenant *t, uint64_t slice_end)
{
	bool no_preempt = all_none(d);
	enum vgs_charge_reason reason;

	for (;;) {
		uint64_t now = sim_now();
		bool expired = now >= slice_end && !no_preempt;

		if (!d->preempt_req && !d->reset_req && !expired)
			sim_domain_dispatch(d, t, false, now);
		if (d->reset_req) {
			reason = VGS_CHARGE_RESET;
			break;
		}
		if (running(d) == 0 && !has_ready(d, t))
			return has_queued(d, t) ? VGS_CHARGE_BLOCKED : VGS_CHARGE_EMPTY;
		if (d->preempt_req && !no_preempt) {
			reason = VGS_CHARGE_PREEMPTED;
			break;
		}
		if (expired) {
			reason = VGS_CHARGE_EXPIRED;
			break;
		}
		d->dispatching = true;
		wait_ns(d, no_preempt || slice_end == VGS_NO_TIME ? VGS_NO_TIME : slice_end - now);
		d->dispatching = false;
	}

	/* Stop the engines at their granularity and wait until none runs the owner's work. */
	uint64_t now = sim_now();

	for (uint32_t i = 0; i < d->nengines; i++) {
		struct sim_engine *e = d->engines[i];

		if (e->cls->preempt != VGS_PREEMPT_FINE)
			continue;
		for (uint32_t k = 0; k < e->nchan; k++)
			sim_chan_preempt(&e->chans[k], now);
	}
	for (;;) {
		if (!d->reset_req)
			sim_domain_dispatch(d, t, true, sim_now());
		if (running(d) == 0)
			break;
		wait_ns(d, VGS_NO_TIME);
	}
	return reason;
}

static uint64_t switch_cost(struct sim_domain *d)
{
	uint64_t cost = 0;

	for (uint32_t i = 0; i < d->nengines; i++) {
		struct sim_engine *e = d->engines[i];
		uint64_t c = e->used ? e->cls->switch_ns : e->cls->switch_idle_ns;

		if (c > cost)
			cost = c;
		e->used = false;
	}
	return cost;
}

void sim_domain_actor(int argc, char **argv)
{
	struct sim_domain *d = sg_actor_self_get_data();
	struct sim *sim = d->sim;
	unsigned idle_spins = 0;

	for (;;) {
		uint64_t now = sim_now(), slice = 0;
		struct vgs_vgpu *v = vgs_sched_pick(&d->sched, now, &slice);

		if (!v) {
			d->preempt_req = false;
			wait_ns(d, slice ? slice : VGS_NO_TIME);
			continue;
		}
		struct sim_tenant *t = v->owner;

		if (d->last && d->last != t) {
			uint64_t cost = switch_cost(d);

			sim_sleep_until(now + cost);
			vgs_metrics_switch(sim->metrics, d->idx, t->idx, now, now + cost);
			if (sim->tl)
				vgs_timeline_switch(sim->tl, d->idx, t->idx, now, now + cost);
		}
		uint64_t start = sim_now();
		uint64_t end_at = slice >= VGS_NO_TIME - start ? VGS_NO_TIME : start + slice;

		d->owner = t;
		d->slice_start_ns = start;
		d->slice_end_ns = all_none(d) ? VGS_NO_TIME : end_at;
		d->preempt_req = false;
		if (sim->tl)
			vgs_timeline_slice_begin(sim->tl, d->idx, t->idx, start);
		enum vgs_charge_reason reason = run_slice(d, t, end_at);
		uint64_t end = sim_now();

		/*
		 * A slice that ended at once means the policy picked a vGPU that had nothing to run here; let
		 * the others run before asking again, so a stale view can never spin at one instant.
		 */
		if (end == start && reason != VGS_CHARGE_EXPIRED && ++idle_spins > 2) {
			sim_yield();
		} else if (end != start) {
			idle_spins = 0;
		}
		vgs_metrics_slice(sim->metrics, d->idx, t->idx, start, end, reason);
		if (sim->tl)
			vgs_timeline_slice_end(sim->tl, d->idx, t->idx, start, end, reason);
		d->owner = NULL;
		d->last = t;
		d->reset_req = false;
		d->preempt_req = false;
		vgs_sched_charge(&d->sched, v, end - start, end, reason);
	}
}
