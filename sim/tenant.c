/*
 * Tenants: one actor per vGPU instance, the host side of a GPU program.  It draws commands from its
 * workload in program order and submits each one at
 *     max(previous submission, base + gap, unit arrival)
 * where base is the latest completion among the command's fences (or the previous submission when it
 * has none): closed-loop replay, so a smaller share slows the tenant down as it would a real program.
 * A submission costs the configured trap/doorbell time on the host; commands may be merged into one
 * submission (up to batch_max, or within batch_window_ns of the first), paying one trap per batch.  Each
 * command then enters the bounded ring of its (vGPU, engine class); a full ring blocks the submitter.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sim/sim.h"

bool sim_tenant_is_done(const struct sim_tenant *t, uint64_t seq, uint64_t *end_ns)
{
	return vgs_hostq_done(&t->hq, seq, end_ns);
}

bool sim_cmd_startable(const struct sim_cmd *cmd)
{
	uint64_t end;

	return cmd->stream_prev == VGS_NO_TIME || sim_tenant_is_done(cmd->tenant, cmd->stream_prev, &end);
}

/*
 * Recompute what every domain of t's GPU sees of t (ready work, oldest submission, deadline) and tell
 * the policies; wake the domains that may act on it.  O(ring length) per engine class.
 */
void sim_tenant_update_ready(struct sim_tenant *t, uint64_t now)
{
	uint64_t deadline = vgs_hostq_deadline(&t->hq);

	if (t->sim->tl) {
		uint64_t depth = 0;

		for (int c = 0; c < VGS_NCLASS; c++)
			depth += t->ring[c].length;
		vgs_timeline_queue(t->sim->tl, t->idx, now, depth);
	}

	for (uint32_t k = 0; k < t->ndomains; k++) {
		struct sim_domain *d = t->domains[k];
		struct vgs_vgpu *v = &d->vgpus[t->vgpu_index[k]];
		uint64_t queued = 0, oldest = VGS_SCHED_NO_TIME;
		bool ready = false;

		for (int c = 0; c < VGS_NCLASS; c++) {
			if (!(d->class_mask & (1u << c)))
				continue;
			for (GList *l = t->ring[c].head; l; l = l->next) {
				const struct sim_cmd *cmd = l->data;

				if (!sim_cmd_startable(cmd))
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
			sim_domain_notify(d);
	}
}

void sim_tenant_complete(struct sim_tenant *t, struct sim_cmd *cmd, uint64_t now, bool dropped)
{
	struct sim *sim = t->sim;
	uint64_t seq = cmd->c.seq;

	t->in_flight--;
	if (!dropped)
		vgs_metrics_cmd_done(sim->metrics, t->idx, cmd->c.cls, cmd->submit_ns, cmd->start_ns, now);
	if (!dropped && sim->commands_csv)
		fprintf(sim->commands_csv, "%s,%" PRIu64 ",%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", t->cfg->name,
			cmd->c.seq, vgs_class_name(cmd->c.cls), sim->scn->engines[cmd->engine].name, cmd->submit_ns,
			cmd->start_ns, now);
	vgs_hostq_complete(&t->hq, &cmd->c, now, dropped, sim->metrics, t->idx);
	sim_vram_complete(t, cmd, now); /* VRAM hook: unpin its allocations (sim/vram.c) */
	g_free(cmd);
	if ((++sim->completed & 1023) == 0 && sim->progress)
		sim_progress(sim, false);
	if (t->waiting_deps && seq == t->waiting_seq)
		sim_post(&t->wake);
	sim_tenant_update_ready(t, now);
}

/* Enter one command into its ring, blocking while the ring is full. */
static void ring_push(struct sim_tenant *t, struct sim_cmd *cmd)
{
	struct sim *sim = t->sim;
	GQueue *q = &t->ring[cmd->eng_cls];

	if (q->length >= t->cfg->queue_depth) {
		uint64_t t0 = sim_now();

		sim_tenant_update_ready(t, t0);
		while (q->length >= t->cfg->queue_depth) {
			t->waiting_space = true;
			sim_wait(&t->wake, VGS_NO_TIME);
		}
		t->waiting_space = false;
		vgs_metrics_backpressure(sim->metrics, t->idx, sim_now() - t0);
	}
	cmd->submit_ns = sim_now();
	cmd->stream_prev = vgs_hostq_stream_link(&t->hq, &cmd->c);
	g_queue_push_tail(q, cmd);
	t->in_flight++;
}

static void flush(struct sim_tenant *t, struct sim_cmd **staged, uint32_t *nstaged)
{
	if (*nstaged == 0)
		return;
	if (t->cfg->submit.trap_ns)
		sim_sleep_until(sim_now() + t->cfg->submit.trap_ns);
	for (uint32_t i = 0; i < *nstaged; i++)
		ring_push(t, staged[i]);
	*nstaged = 0;
	sim_tenant_update_ready(t, sim_now());
}

void sim_tenant_actor(int argc, char **argv)
{
	struct sim_tenant *t = sg_actor_self_get_data();
	const struct vgs_submit_cfg *sub = &t->cfg->submit;
	uint32_t bmax = sub->batch_max ? sub->batch_max : 1;
	struct sim_cmd **staged = g_new0(struct sim_cmd *, bmax);
	uint32_t nstaged = 0;
	uint64_t staged_first = 0, last_submit = 0;

	for (;;) {
		struct sim_cmd *cmd = g_new0(struct sim_cmd, 1);
		uint64_t base = last_submit, when, end;

		if (vgs_workload_next(t->wl, sim_now(), &cmd->c) != 1) {
			g_free(cmd);
			break;
		}
		cmd->tenant = t;
		cmd->start_ns = VGS_NO_TIME;
		cmd->remaining_ns = cmd->c.work_ns;
		cmd->eng_cls = t->gpu->route[cmd->c.cls];
		if (cmd->c.ndeps)
			base = 0;
		for (unsigned i = 0; i < cmd->c.ndeps; i++) {
			uint64_t dep = cmd->c.deps[i];

			while (!sim_tenant_is_done(t, dep, &end)) {
				/* A fence on a command still in the batch: submit the batch first. */
				if (nstaged) {
					flush(t, staged, &nstaged);
					last_submit = sim_now();
				}
				t->waiting_deps = true;
				t->waiting_seq = dep;
				sim_wait(&t->wake, VGS_NO_TIME);
				t->waiting_deps = false;
			}
			if (end > base)
				base = end;
		}
		when = base + cmd->c.gap_ns;
		if (when < last_submit)
			when = last_submit;
		if (cmd->c.arrival_ns != VGS_NO_TIME && cmd->c.arrival_ns > when)
			when = cmd->c.arrival_ns;

		/* Merging: the batch closes when full or when its window would expire before `when`. */
		if (nstaged && sub->batch_window_ns && when > staged_first + sub->batch_window_ns) {
			sim_sleep_until(staged_first + sub->batch_window_ns);
			flush(t, staged, &nstaged);
			last_submit = sim_now();
		}
		/* A host thread that sleeps wakes late (submit.wake_us, the executor's measured timer lateness). */
		if (t->cfg->submit.wake_ns && when > sim_now())
			when += t->cfg->submit.wake_ns;
		sim_sleep_until(when);
		last_submit = sim_now();
		sim_vram_submit(t, cmd); /* VRAM hook: host-side allocations and frees (sim/vram.c) */
		if (cmd->c.flags & VGS_CMD_UNIT_BEGIN)
			vgs_hostq_unit_open(&t->hq, &cmd->c, last_submit);
		if (nstaged == 0)
			staged_first = last_submit;
		staged[nstaged++] = cmd;
		if (nstaged >= bmax) {
			flush(t, staged, &nstaged);
			/* The trap is host time: the next command's gap starts after it. */
			last_submit = sim_now();
		}
	}
	flush(t, staged, &nstaged);
	g_free(staged);
	sim_flush_posts();
	sim_block_begin(); /* the actor ends */
}
