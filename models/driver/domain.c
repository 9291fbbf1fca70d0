/*
 * Scheduling domains (models/driver/driver.h): the shared loop of policies/vgs_policy.h, one per domain:
 *
 *   D_PICK   pick(now) -> NULL: D_IDLE until notified or the policy's wait ends; another vGPU than the
 *            one whose context is loaded: D_SWITCH for the switch cost; then D_RUN
 *   D_RUN    run the owner's ready commands on the domain's engines until the slice expires, the owner
 *            runs dry or blocks, the policy asks for preemption, or a TDR reset hits the owner
 *   D_STOP   stop the engines at their granularity, wait until none runs the owner's work; charge.
 *
 * Stopping: on `command` engines running commands finish (the overrun is charged to the owner); on
 * `fine` engines running commands are preempted preempt_latency_ns later and resume later from where
 * they stopped (plus resume_ns); on `none` engines the owner keeps dispatching until it has nothing
 * ready there.  The switch cost is the slowest engine's save/restore, switch_ns for engines the outgoing
 * owner used during its slice and switch_idle_ns for the others; it is charged to nobody.
 */
#include "models/driver/driver.h"

/* Be stepped at `at` (a notification steps the domain earlier; a later wake_at replaces this one). */
static void wake_at(struct drv_domain *d, uint64_t at)
{
	if (d->timer_at == at)
		return;
	d->timer_at = at;
	drv_timer_add(d->drv, at, DRV_EV_DOMAIN, d, ++d->gen);
}

static void no_timer(struct drv_domain *d)
{
	d->gen++;
	d->timer_at = VGS_NO_TIME;
}

static uint32_t running(const struct drv_domain *d)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < d->nengines; i++)
		n += d->engines[i]->busy;
	return n;
}

static bool has_queued(const struct drv_domain *d, const struct drv_tenant *t)
{
	for (int c = 0; c < VGS_NCLASS; c++)
		if ((d->class_mask & (1u << c)) && t->ring[c].length)
			return true;
	return false;
}

static bool has_ready(const struct drv_domain *d, const struct drv_tenant *t)
{
	if (t->suspended)
		return false;
	for (int c = 0; c < VGS_NCLASS; c++) {
		if (!(d->class_mask & (1u << c)))
			continue;
		for (const struct drv_cmd *cmd = t->ring[c].head; cmd; cmd = cmd->next)
			if (drv_cmd_startable(cmd))
				return true;
	}
	return false;
}

/* Start t's ready commands on d's idle channels at now; `only_none`: engines without preemption only. */
static void dispatch(struct drv_domain *d, struct drv_tenant *t, bool only_none, uint64_t now)
{
	bool moved = false;

	for (uint32_t i = 0; i < d->nengines && !t->suspended; i++) {
		struct drv_engine *e = d->engines[i];
		struct drv_ring *q = &t->ring[e->cfg->cls];

		if (only_none && e->cls->preempt != VGS_PREEMPT_NONE)
			continue;
		for (uint32_t k = 0; k < e->nchan && q->head; k++) {
			struct drv_chan *ch = &e->chans[k];
			struct drv_cmd *cmd;

			if (ch->state != DRV_CHAN_IDLE)
				continue;
			for (cmd = q->head; cmd && !drv_cmd_startable(cmd); cmd = cmd->next)
				;
			if (!cmd)
				break;
			drv_ring_remove(q, cmd);
			drv_chan_assign(ch, cmd, now);
			moved = true;
		}
	}
	if (moved) {
		if (t->waiting_space)
			drv_run_tenant(t);
		drv_tenant_update_ready(t, now);
	}
}

static bool all_none(const struct drv_domain *d)
{
	for (uint32_t i = 0; i < d->nengines; i++)
		if (d->engines[i]->cls->preempt != VGS_PREEMPT_NONE)
			return false;
	return true;
}

static uint64_t switch_cost(struct drv_domain *d)
{
	uint64_t cost = 0;

	for (uint32_t i = 0; i < d->nengines; i++) {
		struct drv_engine *e = d->engines[i];
		uint64_t c = e->used ? e->cls->switch_ns : e->cls->switch_idle_ns;

		if (c > cost)
			cost = c;
		e->used = false;
	}
	return cost;
}

static void begin_slice(struct drv_domain *d, uint64_t now)
{
	struct drv *drv = d->drv;
	struct drv_tenant *t = d->next->owner;
	uint64_t slice = d->next_slice_ns;

	d->owner = t;
	d->slice_start_ns = now;
	d->slice_end_ns = slice >= VGS_NO_TIME - now ? VGS_NO_TIME : now + slice;
	d->preempt_req = false;
	d->state = D_RUN;
	if (drv->tl)
		vgs_timeline_slice_begin(drv->tl, d->idx, t->idx, now);
}

static void charge(struct drv_domain *d, uint64_t now)
{
	struct drv *drv = d->drv;
	struct drv_tenant *t = d->owner;

	vgs_metrics_slice(drv->metrics, d->idx, t->idx, d->slice_start_ns, now, d->reason);
	if (drv->tl)
		vgs_timeline_slice_end(drv->tl, d->idx, t->idx, d->slice_start_ns, now, d->reason);
	d->owner = NULL;
	d->last = t;
	d->reset_req = false;
	d->preempt_req = false;
	d->state = D_PICK;
	vgs_sched_charge(&d->sched, d->next, now - d->slice_start_ns, now, d->reason);
}

/*
 * The slice is over.  One that ended at once means the policy picked a vGPU that had nothing to run
 * here; after a few at one instant, let the rest of the instant run before charging and asking again,
 * so a stale view can never spin at one instant.
 */
static void end_slice(struct drv_domain *d, uint64_t now)
{
	no_timer(d);
	if (now == d->slice_start_ns && d->reason != VGS_CHARGE_EXPIRED && ++d->idle_spins > 2) {
		d->state = D_CHARGE;
		drv_yield_domain(d);
		return;
	}
	if (now != d->slice_start_ns)
		d->idle_spins = 0;
	charge(d, now);
}

void drv_domain_step(struct drv_domain *d, uint64_t now)
{
	struct drv *drv = d->drv;

	for (;;) {
		switch (d->state) {
		case D_IDLE:
			d->state = D_PICK;
			/* fall through */
		case D_PICK: {
			uint64_t slice = 0;
			struct vgs_vgpu *v = vgs_sched_pick(&d->sched, now, &slice);

			if (!v) {
				d->preempt_req = false;
				d->state = D_IDLE;
				if (slice)
					wake_at(d, now + slice);
				else
					no_timer(d);
				return;
			}
			d->next = v;
			d->next_slice_ns = slice;
			if (d->last && d->last != v->owner) {
				d->switch_start_ns = now;
				d->switch_end_ns = now + switch_cost(d);
				d->state = D_SWITCH;
				break;
			}
			begin_slice(d, now);
			break;
		}
		case D_SWITCH: {
			const struct drv_tenant *to = d->next->owner;

			/* Notifications during a switch change nothing: only its end moves us on. */
			if (now < d->switch_end_ns) {
				wake_at(d, d->switch_end_ns);
				return;
			}
			vgs_metrics_switch(drv->metrics, d->idx, to->idx, d->switch_start_ns, now);
			if (drv->tl)
				vgs_timeline_switch(drv->tl, d->idx, to->idx, d->switch_start_ns, now);
			begin_slice(d, now);
			break;
		}
		case D_RUN: {
			struct drv_tenant *t = d->owner;
			bool no_preempt = all_none(d);
			bool expired = now >= d->slice_end_ns && !no_preempt;

			if (!d->preempt_req && !d->reset_req && !expired)
				dispatch(d, t, false, now);
			if (d->reset_req) {
				d->reason = VGS_CHARGE_RESET;
			} else if (running(d) == 0 && !has_ready(d, t)) {
				d->reason = has_queued(d, t) ? VGS_CHARGE_BLOCKED : VGS_CHARGE_EMPTY;
				end_slice(d, now);
				break;
			} else if (d->preempt_req && !no_preempt) {
				d->reason = VGS_CHARGE_PREEMPTED;
			} else if (expired) {
				d->reason = VGS_CHARGE_EXPIRED;
			} else {
				if (!no_preempt && d->slice_end_ns != VGS_NO_TIME)
					wake_at(d, d->slice_end_ns);
				return;
			}
			/* Stop the engines at their granularity and wait until none runs the owner's work. */
			no_timer(d);
			for (uint32_t i = 0; i < d->nengines; i++) {
				struct drv_engine *e = d->engines[i];

				if (e->cls->preempt != VGS_PREEMPT_FINE)
					continue;
				for (uint32_t k = 0; k < e->nchan; k++)
					drv_chan_preempt(&e->chans[k], now);
			}
			d->state = D_STOP;
			break;
		}
		case D_STOP:
			if (!d->reset_req)
				dispatch(d, d->owner, true, now);
			if (running(d) != 0)
				return;
			end_slice(d, now);
			break;
		case D_CHARGE:
			if (d->yielded)
				return; /* only the end of the yield moves us on */
			charge(d, now);
			break;
		case D_SPATIAL:
			drv_spatial_step(d, now);
			return;
		}
	}
}
