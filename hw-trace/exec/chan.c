/*
 * Executor engine channels: the bookkeeping around a backend running one command (piece) per channel,
 * with the simulator's rules (sim/engine.c): a finished command completes its tenant's command; a
 * `fine` preemption puts the rest of the command back at the head of its ring (plus resume_ns); a
 * command running past tdr_timeout resets only its vGPU's context on that engine.  A channel is busy
 * from its start until the loop observes the end, which is what a real driver sees.
 */
#include <math.h>

#include "hw-trace/exec/exec.h"

void ex_chan_assign(struct exec *x, struct ex_chan *ch, struct ex_cmd *cmd, uint64_t decided_ns)
{
	struct ex_engine *e = ch->engine;
	uint64_t now = ex_now(x), tdr = x->scn->gpus[e->cfg->gpu].tdr_timeout_ns;

	ch->cmd = cmd;
	ch->preempt_at_ns = VGS_NO_TIME;
	ch->due_ns = VGS_NO_TIME;
	ch->gen++;
	if (e->busy++ == 0)
		e->busy_since_ns = now;
	e->used = true;
	if (cmd->start_ns == VGS_NO_TIME)
		cmd->start_ns = now;
	cmd->engine = e->idx;
	ch->run_start_ns = now;
	if (x->be->start(x, ch, now)) {
		x->stop = true;
		x->error = -1;
		return;
	}
	vgs_hist_add(&x->dispatch_lat, ex_now(x) - decided_ns);
	if (ch->due_ns != VGS_NO_TIME)
		ex_timer_add(x, ch->due_ns, EV_CHAN_END, ch, ch->gen);
	if (tdr && (ch->due_ns == VGS_NO_TIME || ch->due_ns - ch->run_start_ns > tdr))
		ex_timer_add(x, ch->run_start_ns + tdr, EV_CHAN_TDR, ch, ch->gen);
}

/* The channel stops running its command at now: account the piece and free the channel. */
static void chan_release(struct exec *x, struct ex_chan *ch, uint64_t now)
{
	struct ex_engine *e = ch->engine;
	struct ex_cmd *cmd = ch->cmd;
	uint64_t start = ch->run_start_ns < now ? ch->run_start_ns : now;

	vgs_metrics_busy(x->metrics, cmd->tenant->idx, e->idx, start, now);
	if (x->tl)
		vgs_timeline_busy(x->tl, e->idx, ch->index, cmd->tenant->idx, cmd->c.seq, cmd->c.cls, start, now);
	if (--e->busy == 0)
		vgs_metrics_engine_busy(x->metrics, e->idx, e->busy_since_ns, now);
	ch->cmd = NULL;
	ch->preempt_at_ns = VGS_NO_TIME;
	ch->gen++;
	ex_run_domain(x, e->domain);
}

void ex_chan_finished(struct exec *x, struct ex_chan *ch, uint64_t now)
{
	struct ex_cmd *cmd = ch->cmd;

	chan_release(x, ch, now);
	ex_tenant_complete(cmd->tenant, cmd, now, false);
}

void ex_chan_preempt(struct exec *x, struct ex_chan *ch, uint64_t now)
{
	uint64_t at = now + ch->engine->cls->preempt_latency_ns;

	if (!ch->cmd || ch->preempt_at_ns <= at)
		return;
	ch->preempt_at_ns = at;
	ex_timer_add(x, at, EV_CHAN_PREEMPT, ch, ch->gen);
}

void ex_chan_preempt_now(struct exec *x, struct ex_chan *ch, uint64_t now)
{
	struct ex_engine *e = ch->engine;
	struct ex_cmd *cmd = ch->cmd;
	struct ex_tenant *t = cmd->tenant;
	double speed = x->scn->gpus[e->cfg->gpu].cls[cmd->c.cls].speed;
	uint64_t done;

	if (ch->due_ns != VGS_NO_TIME && now >= ch->due_ns) {
		ex_chan_finished(x, ch, now);
		return;
	}
	done = (uint64_t)llround((double)(now - ch->run_start_ns) * speed);
	cmd->remaining_ns = (done < cmd->remaining_ns ? cmd->remaining_ns - done : 0) + e->cls->resume_ns;
	vgs_metrics_preempt(x->metrics, t->idx, e->idx);
	chan_release(x, ch, now);
	g_queue_push_head(&t->ring[cmd->eng_cls], cmd);
	ex_tenant_update_ready(t, now);
}

/* TDR: discard the command and the vGPU's queued commands of that class; others go on. */
void ex_chan_tdr(struct exec *x, struct ex_chan *ch, uint64_t now)
{
	struct ex_engine *e = ch->engine;
	struct ex_cmd *cmd = ch->cmd;
	struct ex_tenant *t = cmd->tenant;
	GQueue *q = &t->ring[e->cfg->cls];
	uint64_t dropped = 1;

	chan_release(x, ch, now);
	while (!g_queue_is_empty(q)) {
		ex_tenant_complete(t, g_queue_pop_head(q), now, true);
		dropped++;
	}
	vgs_metrics_reset(x->metrics, t->idx, e->idx, now, dropped);
	if (e->domain->owner == t)
		e->domain->reset_req = true;
	if (t->waiting_space)
		ex_run_tenant(x, t);
	ex_tenant_complete(t, cmd, now, true);
}
