/*
 * Tenants (models/driver/driver.h): the host side of a GPU program, one per vGPU instance.  It draws commands
 * from its workload in program order and submits each one at
 *     max(previous submission, base + gap, unit arrival)
 * where base is the latest completion among the command's fences (or the previous submission when it
 * has none): closed-loop replay, so a smaller share slows the tenant down as it would a real program.
 * A command anchored on the previous submission (VGS_CMD_ANCHOR_PREV, models/base/types.h) is submitted
 * at max(previous submission + gap, latest fence completion, arrival) instead: its fences are barriers.
 * Device-side waits (VGS_CMD_DEVICE_DEPS) do not hold the host: such a command is submitted as if it
 * had no fences and starts once they completed.  A workload may also make the host wait for a command
 * without submitting anything (VGS_WL_WAIT): it is asked again when that command completes.
 * A submission costs the configured trap/doorbell time on the host; commands may be merged into one
 * submission (up to batch_max, or within batch_window_ns of the first), paying one trap per batch.  Each
 * command then enters the bounded ring of its (vGPU, engine class); a full ring blocks the submitter.
 */
#include "models/driver/driver.h"

bool drv_tenant_is_done(const struct drv_tenant *t, uint64_t seq, uint64_t *end_ns)
{
	return vgs_hostq_done(&t->hq, seq, end_ns);
}

/* Its stream predecessor has completed, and so have its deps when they are device-side. */
bool drv_cmd_startable(const struct drv_cmd *cmd)
{
	uint64_t end;

	if (cmd->stream_prev != VGS_NO_TIME && !drv_tenant_is_done(cmd->tenant, cmd->stream_prev, &end))
		return false;
	if (cmd->c.flags & VGS_CMD_DEVICE_DEPS)
		for (unsigned i = 0; i < cmd->c.ndeps; i++)
			if (!drv_tenant_is_done(cmd->tenant, cmd->c.deps[i], &end))
				return false;
	return true;
}

/*
 * Recompute what every domain of t's GPU sees of t (ready work, oldest submission, deadline) and tell
 * the policies; wake the domains that may act on it.  O(ring length) per engine class of each domain;
 * a domain whose rings are empty costs a few instructions (it runs after every submission, dispatch
 * and completion).
 */
void drv_tenant_update_ready(struct drv_tenant *t, uint64_t now)
{
	uint64_t deadline = vgs_hostq_deadline(&t->hq);
	bool new_deadline = deadline != t->deadline_seen;
	uint32_t nonempty = 0;

	/* A suspended tenant (a live migration's stop) shows nothing ready or queued anywhere. */
	for (int c = 0; c < VGS_NCLASS && !t->suspended; c++)
		if (t->ring[c].length)
			nonempty |= 1u << c;
	if (t->drv->tl) {
		uint64_t depth = 0;

		for (int c = 0; c < VGS_NCLASS; c++)
			depth += t->ring[c].length;
		vgs_timeline_queue(t->drv->tl, t->idx, now, depth);
	}

	for (uint32_t k = 0; k < t->ndomains; k++) {
		struct drv_domain *d = t->dom[k].d;
		struct vgs_vgpu *v = t->dom[k].v;
		uint64_t queued = 0, oldest = VGS_SCHED_NO_TIME;
		bool ready = false;
		uint32_t mask = t->dom[k].class_mask & nonempty;

		/* Nothing queued here, as before: only the deadline may have moved. */
		if (!mask && !t->dom[k].busy) {
			if (new_deadline)
				v->deadline_ns = deadline;
			continue;
		}
		for (uint32_t m = mask; m; m &= m - 1) {
			for (const struct drv_cmd *cmd = t->ring[__builtin_ctz(m)].head; cmd; cmd = cmd->next) {
				if (!drv_cmd_startable(cmd))
					continue;
				ready = true;
				queued++;
				if (cmd->submit_ns < oldest)
					oldest = cmd->submit_ns;
			}
		}
		bool changed = v->queued != queued || v->runnable != ready;

		v->queued = queued;
		v->oldest_submit_ns = oldest;
		v->deadline_ns = deadline;
		t->dom[k].busy = queued || ready || oldest != VGS_SCHED_NO_TIME;
		/* vgs_sched_set_runnable does nothing when runnable does not change: skip the call. */
		if (v->runnable != ready && vgs_sched_set_runnable(&d->sched, v, ready, now) && d->owner &&
		    d->owner != t)
			d->preempt_req = true;
		if (changed && (d->owner == t || d->owner == NULL || d->preempt_req))
			drv_run_domain(d);
	}
	t->deadline_seen = deadline;
}

void drv_tenant_complete(struct drv_tenant *t, struct drv_cmd *cmd, uint64_t now, bool dropped)
{
	struct drv *d = t->drv;
	uint64_t seq = cmd->c.seq;

	t->in_flight--;
	d->completed++;
	if (!dropped)
		vgs_metrics_cmd_done(d->metrics, t->idx, cmd->c.cls, cmd->submit_ns, cmd->start_ns, now);
	vgs_hostq_complete(&t->hq, &cmd->c, now, dropped, d->metrics, t->idx);
	if (d->ops->completed)
		d->ops->completed(t, cmd, now, dropped);
	drv_cmd_free(d, cmd);
	if (t->waiting_deps && seq == t->waiting_seq)
		drv_run_tenant(t);
	drv_tenant_update_ready(t, now);
	if (t->stopped && t->in_flight == 0 && d->ops->gone)
		d->ops->gone(t, now);
}

void drv_tenant_stop(struct drv_tenant *t, uint64_t now)
{
	struct drv *d = t->drv;

	if (t->stopped)
		return;
	t->stopped = true;
	t->state = T_DONE;
	t->gen++; /* its pending wake-ups */
	t->waiting_deps = false;
	t->waiting_space = false;
	if (t->cmd)
		drv_cmd_free(d, t->cmd); /* drawn, not submitted: nothing ran for it */
	t->cmd = NULL;
	/* Submitted but not yet in a ring: dropped like the queued ones (their units never complete). */
	for (uint32_t k = 0; k < t->nstaged; k++) {
		t->in_flight++;
		drv_tenant_complete(t, t->staged[k], now, true);
	}
	t->nstaged = 0;
	for (int c = 0; c < VGS_NCLASS; c++)
		while (t->ring[c].head) {
			struct drv_cmd *cmd = t->ring[c].head;

			drv_ring_remove(&t->ring[c], cmd);
			drv_tenant_complete(t, cmd, now, true);
		}
	drv_tenant_update_ready(t, now);
	if (t->in_flight == 0 && d->ops->gone)
		d->ops->gone(t, now);
}

void drv_tenant_suspend(struct drv_tenant *t, uint64_t now)
{
	t->suspended = true;
	drv_tenant_update_ready(t, now);
}

void drv_tenant_move(struct drv_tenant *t, uint32_t gpu)
{
	for (uint32_t k = 0; k < t->nmembers; k++) {
		const struct drv_member *m = &t->members[k];

		if (m->gpu != gpu)
			continue;
		t->member = k;
		t->gpu = &t->drv->scn->gpus[gpu];
		t->dom = m->dom;
		t->ndomains = m->ndomains;
		/* Its vGPUs there show no work (busy false) and learn the deadline the others were last told,
		 * so that drv_tenant_update_ready's shortcut holds for them too. */
		for (uint32_t j = 0; j < m->ndomains; j++)
			m->dom[j].v->deadline_ns = t->deadline_seen;
		if (t->drv->metrics)
			vgs_metrics_tenant_moved(t->drv->metrics, t->idx, gpu);
		return;
	}
}

void drv_tenant_resume(struct drv_tenant *t, uint64_t now)
{
	t->suspended = false;
	drv_tenant_update_ready(t, now);
	drv_run_tenant(t);
}

/*
 * Enter cmd into its ring at now; false while the ring is full (the tenant waits for a dispatch from
 * it, or a reset that empties it).
 */
static bool ring_push(struct drv_tenant *t, struct drv_cmd *cmd, uint64_t now)
{
	struct drv_ring *q = &t->ring[cmd->eng_cls];

	if (q->length >= t->cfg->queue_depth) {
		if (!t->waiting_space) {
			t->waiting_space = true;
			t->space_since_ns = now;
			drv_tenant_update_ready(t, now);
		}
		return false;
	}
	if (t->waiting_space) {
		t->waiting_space = false;
		vgs_metrics_backpressure(t->drv->metrics, t->idx, now - t->space_since_ns);
	}
	cmd->submit_ns = now;
	cmd->stream_prev = vgs_hostq_stream_link(&t->hq, &cmd->c);
	if (cmd->c.flags & VGS_CMD_AFTER)
		cmd->stream_prev = cmd->c.after; /* a recorded overlap: it waits for an earlier one */
	drv_ring_push_tail(q, cmd);
	t->in_flight++;
	return true;
}

static void wait_until(struct drv_tenant *t, uint64_t at)
{
	drv_timer_add(t->drv, at, DRV_EV_TENANT, t, ++t->gen);
}

/* Submit the staged batch, then go on in state `then`. */
static void flush(struct drv_tenant *t, enum drv_tenant_state then)
{
	t->after_flush = then;
	t->state = T_FLUSH;
}

void drv_tenant_step(struct drv_tenant *t, uint64_t now)
{
	const struct vgs_submit_cfg *sub = &t->cfg->submit;
	uint32_t bmax = sub->batch_max ? sub->batch_max : 1;
	uint64_t t0 = t->cfg->start_ns; /* its workload's time 0 */

	if (t->suspended || t->stopped)
		return; /* drv_tenant_resume() runs it again */
	for (;;) {
		switch (t->state) {
		case T_NEXT: {
			struct drv_cmd *cmd = drv_cmd_new(t->drv);
			int r = vgs_workload_next(t->wl, now - t0, &cmd->c);

			if (t0 && cmd->c.arrival_ns != VGS_NO_TIME)
				cmd->c.arrival_ns += t0;
			if (t0 && cmd->c.deadline_ns != VGS_NO_TIME)
				cmd->c.deadline_ns += t0;
			if (r == VGS_WL_WAIT) {
				t->waiting_seq = cmd->c.deps[0];
				drv_cmd_free(t->drv, cmd);
				t->state = T_WAIT;
				break;
			}
			if (r != VGS_WL_CMD) {
				drv_cmd_free(t->drv, cmd);
				if (t->nstaged)
					flush(t, T_DONE);
				else
					t->state = T_DONE;
				break;
			}
			cmd->tenant = t;
			cmd->start_ns = VGS_NO_TIME;
			cmd->remaining_ns = drv_cmd_work_ns(t->gpu, cmd);
			cmd->eng_cls = t->gpu->route[cmd->c.cls];
			t->cmd = cmd;
			/* base + gap is when the host is ready; host-side deps raise base (anchored: the result) */
			t->base_ns = cmd->c.ndeps && !(cmd->c.flags & (VGS_CMD_ANCHOR_PREV | VGS_CMD_DEVICE_DEPS)) ? 0
												     : t->last_submit_ns;
			t->barrier_ns = 0;
			t->dep_i = 0;
			t->state = T_DEPS;
			break;
		}
		case T_WAIT: {
			uint64_t end;

			if (drv_tenant_is_done(t, t->waiting_seq, &end)) {
				t->waiting_deps = false;
				t->state = T_NEXT;
				break;
			}
			/* What it waits for may still be in the batch: submit the batch first. */
			if (t->nstaged) {
				flush(t, T_WAIT);
				break;
			}
			t->waiting_deps = true;
			return; /* its completion runs us again */
		}
		case T_DEPS: {
			struct drv_cmd *cmd = t->cmd;
			uint64_t end;

			for (; !(cmd->c.flags & VGS_CMD_DEVICE_DEPS) && t->dep_i < cmd->c.ndeps; t->dep_i++) {
				uint64_t dep = cmd->c.deps[t->dep_i];

				if (drv_tenant_is_done(t, dep, &end)) {
					uint64_t *b = (cmd->c.flags & VGS_CMD_ANCHOR_PREV) ? &t->barrier_ns : &t->base_ns;

					if (end > *b)
						*b = end;
					continue;
				}
				/* A fence on a command still in the batch: submit the batch first. */
				if (t->nstaged) {
					flush(t, T_DEPS);
					break;
				}
				t->waiting_deps = true;
				t->waiting_seq = dep;
				return; /* its completion runs us again */
			}
			if (t->state != T_DEPS)
				break;
			t->waiting_deps = false;
			t->when_ns = t->base_ns + drv_cmd_gap_ns(t->gpu, &cmd->c);
			if (t->when_ns < t->last_submit_ns)
				t->when_ns = t->last_submit_ns;
			if (t->when_ns < t->barrier_ns)
				t->when_ns = t->barrier_ns;
			if (cmd->c.arrival_ns != VGS_NO_TIME && cmd->c.arrival_ns > t->when_ns)
				t->when_ns = cmd->c.arrival_ns;
			/* Merging: the batch closes when full or when its window would expire before `when`. */
			if (t->nstaged && sub->batch_window_ns && t->when_ns > t->staged_first_ns + sub->batch_window_ns) {
				t->window_ns = t->staged_first_ns + sub->batch_window_ns;
				t->state = T_WINDOW;
			} else {
				t->state = T_WHEN;
			}
			break;
		}
		case T_WINDOW:
			if (now < t->window_ns) {
				wait_until(t, t->window_ns);
				return;
			}
			flush(t, T_WHEN);
			break;
		case T_WHEN:
			/* A host thread that sleeps wakes late (submit.wake_us, the executor's measured timer lateness). */
			if (t->drv->host_wake && sub->wake_ns && t->when_ns > now)
				t->when_ns += sub->wake_ns;
			t->state = T_SLEEP;
			break;
		case T_SLEEP: {
			struct drv_cmd *cmd = t->cmd;

			if (now < t->when_ns) {
				wait_until(t, t->when_ns);
				return;
			}
			t->last_submit_ns = now;
			if (t->drv->ops->submitted)
				t->drv->ops->submitted(t, cmd);
			if (cmd->c.flags & VGS_CMD_UNIT_BEGIN)
				vgs_hostq_unit_open(&t->hq, &cmd->c, now);
			if (t->nstaged == 0)
				t->staged_first_ns = now;
			t->staged[t->nstaged++] = cmd;
			t->cmd = NULL;
			if (t->nstaged >= bmax)
				flush(t, T_NEXT);
			else
				t->state = T_NEXT;
			break;
		}
		case T_FLUSH:
			t->pushed = 0;
			t->state = T_PUSH;
			if (sub->trap_ns) {
				t->trap_end_ns = now + sub->trap_ns;
				t->state = T_TRAP;
			}
			break;
		case T_TRAP:
			if (now < t->trap_end_ns) {
				wait_until(t, t->trap_end_ns);
				return;
			}
			t->state = T_PUSH;
			break;
		case T_PUSH:
			for (; t->pushed < t->nstaged; t->pushed++)
				if (!ring_push(t, t->staged[t->pushed], now))
					return; /* a dispatch from that ring runs us again */
			t->nstaged = 0;
			drv_tenant_update_ready(t, now);
			/* The trap is host time: the next command's gap starts after it. */
			t->last_submit_ns = now;
			t->state = t->after_flush;
			break;
		case T_DONE:
			return;
		}
	}
}
