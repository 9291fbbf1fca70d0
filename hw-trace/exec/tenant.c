/*
 * Executor tenants: the host side of each vGPU, as a state machine on the real-time loop.  The rules
 * are the simulator's (sim/tenant.c, docs/simulator.md): a command is submitted at
 *     max(previous submission, latest fence completion + gap, unit arrival)
 * on the real clock, pays the submission trap on the host, then enters the bounded ring of its
 * (vGPU, engine class), waiting while the ring is full.  Submission batching (submit.batch_max > 1)
 * is not replayed: the replay refuses such scenarios (replay.c).
 */
#include "hw-trace/exec/exec.h"

bool ex_tenant_is_done(const struct ex_tenant *t, uint64_t seq, uint64_t *end_ns)
{
	return vgs_hostq_done(&t->hq, seq, end_ns);
}

bool ex_cmd_startable(const struct ex_cmd *cmd)
{
	uint64_t end;

	return cmd->stream_prev == VGS_NO_TIME || ex_tenant_is_done(cmd->tenant, cmd->stream_prev, &end);
}

void ex_tenant_update_ready(struct ex_tenant *t, uint64_t now)
{
	uint64_t deadline = vgs_hostq_deadline(&t->hq);

	if (t->x->tl) {
		uint64_t depth = 0;

		for (int c = 0; c < VGS_NCLASS; c++)
			depth += t->ring[c].length;
		vgs_timeline_queue(t->x->tl, t->idx, now, depth);
	}
	for (uint32_t k = 0; k < t->ndomains; k++) {
		struct ex_domain *d = t->domains[k];
		struct vgs_vgpu *v = &d->vgpus[t->vgpu_index[k]];
		uint64_t queued = 0, oldest = VGS_SCHED_NO_TIME;
		bool ready = false;

		for (int c = 0; c < VGS_NCLASS; c++) {
			if (!(d->class_mask & (1u << c)))
				continue;
			for (GList *l = t->ring[c].head; l; l = l->next) {
				const struct ex_cmd *cmd = l->data;

				if (!ex_cmd_startable(cmd))
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
		if (vgs_sched_set_runnable(&d->sched, v, ready, now) && d->owner && d->owner != t)
			d->preempt_req = true;
		if (changed && (d->owner == t || d->owner == NULL || d->preempt_req))
			ex_run_domain(t->x, d);
	}
}

void ex_tenant_complete(struct ex_tenant *t, struct ex_cmd *cmd, uint64_t now, bool dropped)
{
	struct exec *x = t->x;

	x->completed++;
	if (!dropped)
		vgs_metrics_cmd_done(x->metrics, t->idx, cmd->c.cls, cmd->submit_ns, cmd->start_ns, now);
	vgs_hostq_complete(&t->hq, &cmd->c, now, dropped, x->metrics, t->idx);
	g_free(cmd);
	if (t->waiting_deps)
		ex_run_tenant(x, t);
	ex_tenant_update_ready(t, now);
}

/* Enter t->cmd into its ring; false while the ring is full (the tenant waits for a dispatch). */
static bool ring_push(struct ex_tenant *t, uint64_t now)
{
	struct ex_cmd *cmd = t->cmd;
	GQueue *q = &t->ring[cmd->eng_cls];

	if (q->length >= t->cfg->queue_depth) {
		if (!t->waiting_space) {
			t->waiting_space = true;
			t->space_since_ns = now;
			ex_tenant_update_ready(t, now);
		}
		return false;
	}
	if (t->waiting_space) {
		t->waiting_space = false;
		vgs_metrics_backpressure(t->x->metrics, t->idx, now - t->space_since_ns);
	}
	cmd->submit_ns = now;
	cmd->stream_prev = vgs_hostq_stream_link(&t->hq, &cmd->c);
	g_queue_push_tail(q, cmd);
	t->cmd = NULL;
	ex_tenant_update_ready(t, now);
	return true;
}

static void wait_until(struct exec *x, struct ex_tenant *t, uint64_t at)
{
	ex_timer_add(x, at, EV_TENANT, t, ++t->gen);
}

void ex_tenant_step(struct exec *x, struct ex_tenant *t, uint64_t now)
{
	for (;;) {
		switch (t->state) {
		case T_NEXT: {
			struct ex_cmd *cmd = g_new0(struct ex_cmd, 1);

			if (vgs_workload_next(t->wl, now, &cmd->c) != 1) {
				g_free(cmd);
				t->state = T_DONE;
				return;
			}
			cmd->tenant = t;
			cmd->start_ns = VGS_NO_TIME;
			cmd->remaining_ns = cmd->c.work_ns;
			cmd->eng_cls = t->gpu->route[cmd->c.cls];
			t->cmd = cmd;
			t->base_ns = cmd->c.ndeps ? 0 : t->last_submit_ns;
			t->dep_i = 0;
			t->state = T_DEPS;
			break;
		}
		case T_DEPS: {
			struct ex_cmd *cmd = t->cmd;
			uint64_t end;

			for (; t->dep_i < cmd->c.ndeps; t->dep_i++) {
				if (!ex_tenant_is_done(t, cmd->c.deps[t->dep_i], &end)) {
					t->waiting_deps = true;
					return;
				}
				if (end > t->base_ns)
					t->base_ns = end;
			}
			t->waiting_deps = false;
			t->when_ns = t->base_ns + cmd->c.gap_ns;
			if (t->when_ns < t->last_submit_ns)
				t->when_ns = t->last_submit_ns;
			if (cmd->c.arrival_ns != VGS_NO_TIME && cmd->c.arrival_ns > t->when_ns)
				t->when_ns = cmd->c.arrival_ns;
			t->state = T_SLEEP;
			if (t->when_ns > now) {
				wait_until(x, t, t->when_ns);
				return;
			}
			break;
		}
		case T_SLEEP: {
			struct ex_cmd *cmd = t->cmd;

			if (now < t->when_ns) {
				wait_until(x, t, t->when_ns);
				return;
			}
			t->last_submit_ns = now;
			if (cmd->c.flags & VGS_CMD_UNIT_BEGIN)
				vgs_hostq_unit_open(&t->hq, &cmd->c, now);
			t->state = T_TRAP;
			if (t->cfg->submit.trap_ns) {
				t->when_ns = now + t->cfg->submit.trap_ns;
				wait_until(x, t, t->when_ns);
				return;
			}
			t->when_ns = now;
			break;
		}
		case T_TRAP:
			if (now < t->when_ns) {
				wait_until(x, t, t->when_ns);
				return;
			}
			t->state = T_SPACE;
			break;
		case T_SPACE:
			if (!ring_push(t, now))
				return; /* a dispatch from this ring runs us again */
			t->last_submit_ns = now;
			t->state = T_NEXT;
			break;
		case T_DONE:
			return;
		}
	}
}
