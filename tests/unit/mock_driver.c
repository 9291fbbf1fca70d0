/*
 * Mock driver: the loop of policies/vgs_policy.h on a virtual ns clock (see mock_driver.h).
 *
 * Time only moves in three places, each accounted exactly once: an idle wait (idle_ns), a context
 * switch (switch_ns), and a command of the owner (charged to it).  Demand events (job arrivals,
 * on/off edges) are processed at their own timestamps, in time order, ties by tenant index, while
 * the clock moves through them, so set_runnable() sees the exact instant.  Everything is integer
 * and deterministic: the same config gives the same result, bit for bit.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/mock_driver.h"

struct mock_job {
	uint64_t arrival_ns;
	uint64_t deadline_ns;	/* absolute, VGS_SCHED_NO_TIME if none */
	uint64_t left_ns;
};

struct mock_tenant {
	const struct mock_tenant_cfg *cfg;
	struct mock_tenant_stats *st;
	struct vgs_vgpu v;
	uint64_t next_event_ns;	/* next arrival or on/off edge, VGS_SCHED_NO_TIME if none */
	bool on;
	uint64_t submit_ns;	/* saturating, on/off: submission of the command at the head */
	struct mock_job jobs[MOCK_MAX_JOBS];
	uint32_t head, njobs;
	bool waiting;
	uint64_t wait_start_ns;
};

struct mock {
	const struct mock_cfg *cfg;
	struct mock_result *res;
	struct vgs_sched s;
	struct mock_tenant *t;
	uint32_t n;
	struct mock_tenant *owner;	/* between pick and charge */
	bool preempt;
	uint64_t now;
};

static uint64_t mock_add(uint64_t a, uint64_t b)
{
	return a + b < a ? VGS_SCHED_NO_TIME : a + b;
}

static bool mock_has_work(const struct mock_tenant *t)
{
	switch (t->cfg->demand) {
	case MOCK_PERIODIC:
		return t->njobs > 0;
	case MOCK_ONOFF:
		return t->on;
	default:
		return true;
	}
}

/* Keep the driver fields of vgs_vgpu current. */
static void mock_sync_fields(struct mock_tenant *t)
{
	struct vgs_vgpu *v = &t->v;

	v->deadline_ns = VGS_SCHED_NO_TIME;
	switch (t->cfg->demand) {
	case MOCK_PERIODIC:
		v->queued = t->njobs;
		v->oldest_submit_ns = t->njobs ? t->jobs[t->head].arrival_ns : VGS_SCHED_NO_TIME;
		if (t->njobs)
			v->deadline_ns = t->jobs[t->head].deadline_ns;
		break;
	case MOCK_ONOFF:
		v->queued = t->on;
		v->oldest_submit_ns = t->on ? t->submit_ns : VGS_SCHED_NO_TIME;
		break;
	default:
		v->queued = 1;
		v->oldest_submit_ns = t->submit_ns;
		break;
	}
}

static void mock_wait_begin(struct mock_tenant *t, uint64_t now)
{
	if (t->waiting)
		return;
	t->waiting = true;
	t->wait_start_ns = now;
}

static void mock_wait_end(struct mock_tenant *t, uint64_t now)
{
	uint64_t w;

	if (!t->waiting)
		return;
	w = now - t->wait_start_ns;
	t->st->total_wait_ns += w;
	if (w > t->st->max_wait_ns)
		t->st->max_wait_ns = w;
	t->waiting = false;
}

/* Report a readiness change of a tenant that does not own the domain. */
static void mock_set_ready(struct mock *m, struct mock_tenant *t, bool ready, uint64_t now)
{
	if (ready == t->v.runnable)
		return;
	if (ready) {
		mock_wait_begin(t, now);
		if (vgs_sched_set_runnable(&m->s, &t->v, true, now) && m->owner) {
			m->preempt = true;
			m->res->npreempt_requests++;
		}
	} else {
		mock_wait_end(t, now);
		vgs_sched_set_runnable(&m->s, &t->v, false, now);
	}
}

static void mock_fire(struct mock *m, struct mock_tenant *t)
{
	const struct mock_tenant_cfg *c = t->cfg;
	uint64_t te = t->next_event_ns;

	if (c->demand == MOCK_PERIODIC) {
		if (t->njobs == MOCK_MAX_JOBS) {
			t->st->deadline_misses++;
		} else {
			struct mock_job *j = &t->jobs[(t->head + t->njobs++) % MOCK_MAX_JOBS];

			j->arrival_ns = te;
			j->deadline_ns = c->deadline_ns ? mock_add(te, c->deadline_ns) : VGS_SCHED_NO_TIME;
			j->left_ns = c->job_ns ? c->job_ns : 1;
		}
		t->next_event_ns = c->period_ns ? mock_add(te, c->period_ns) : VGS_SCHED_NO_TIME;
	} else {
		t->on = !t->on;
		if (t->on) {
			t->submit_ns = te;
			t->next_event_ns = c->off_ns ? mock_add(te, c->on_ns) : VGS_SCHED_NO_TIME;
		} else {
			t->next_event_ns = mock_add(te, c->off_ns);
		}
	}
	mock_sync_fields(t);
	if (t != m->owner)
		mock_set_ready(m, t, mock_has_work(t), te);
}

static struct mock_tenant *mock_next_event(struct mock *m)
{
	struct mock_tenant *best = NULL;

	for (uint32_t i = 0; i < m->n; i++)
		if (m->t[i].next_event_ns != VGS_SCHED_NO_TIME &&
		    (!best || m->t[i].next_event_ns < best->next_event_ns))
			best = &m->t[i];
	return best;
}

/* Move the clock to target, firing every demand event at or before it at its own time. */
static void mock_advance(struct mock *m, uint64_t target)
{
	struct mock_tenant *t;

	while ((t = mock_next_event(m)) && t->next_event_ns <= target) {
		m->now = t->next_event_ns;
		mock_fire(m, t);
	}
	m->now = target;
}

static int mock_setup(struct mock *m)
{
	const struct mock_cfg *cfg = m->cfg;
	struct vgs_sched_args args = {
		.ops = cfg->ops,
		.max_vgpus = cfg->max_vgpus ? cfg->max_vgpus : cfg->ntenants,
		.params = cfg->params,
		.nparams = cfg->nparams,
	};
	int ret;

	ret = vgs_sched_init(&m->s, &args);
	if (ret)
		return ret;
	m->t = calloc(cfg->ntenants, sizeof(*m->t));
	if (!m->t) {
		vgs_sched_fini(&m->s);
		return -ENOMEM;
	}
	m->n = cfg->ntenants;
	m->now = cfg->start_ns;
	for (uint32_t i = 0; i < m->n; i++) {
		struct mock_tenant *t = &m->t[i];
		const struct mock_tenant_cfg *c = &cfg->tenants[i];

		t->cfg = c;
		t->st = &m->res->t[i];
		t->v.weight = c->weight ? c->weight : 1;
		t->v.priority = c->priority;
		t->v.flags = c->flags;
		t->v.owner = t;
		t->submit_ns = m->now;
		t->next_event_ns = c->demand == MOCK_SATURATING ? VGS_SCHED_NO_TIME : mock_add(m->now, c->phase_ns);
		mock_sync_fields(t);
		ret = vgs_sched_add(&m->s, &t->v);
		if (ret) {
			vgs_sched_fini(&m->s);
			free(m->t);
			return ret;
		}
	}
	for (uint32_t i = 0; i < m->n; i++)
		mock_set_ready(m, &m->t[i], mock_has_work(&m->t[i]), m->now);
	mock_advance(m, m->now);
	return 0;
}

/* Idle: until the policy's idle slice ends (0: forever), the next demand event, or the end. */
static void mock_idle(struct mock *m, uint64_t slice, uint64_t end)
{
	struct mock_tenant *ev = mock_next_event(m);
	uint64_t t = slice ? mock_add(m->now, slice) : VGS_SCHED_NO_TIME;

	if (ev && ev->next_event_ns < t)
		t = ev->next_event_ns;
	if (t > end)
		t = end;
	m->res->idle_ns += t - m->now;
	if (m->s.nrunnable)
		m->res->idle_runnable_ns += t - m->now;
	mock_advance(m, t);
}

/* Length of the owner's next command (or fluid step), > 0. */
static uint64_t mock_cmd_len(struct mock *m, const struct mock_tenant *t, uint64_t slice_end)
{
	uint64_t avail = VGS_SCHED_NO_TIME, len;
	struct mock_tenant *ev;

	if (t->cfg->demand == MOCK_PERIODIC)
		avail = t->jobs[t->head].left_ns;
	if (t->cfg->cmd_ns)
		return t->cfg->cmd_ns < avail ? t->cfg->cmd_ns : avail;
	/* fluid: stop at the slice end and at the next event (it may preempt or end the on phase) */
	len = slice_end - m->now;
	if (avail < len)
		len = avail;
	ev = mock_next_event(m);
	if (ev && ev->next_event_ns - m->now < len)
		len = ev->next_event_ns - m->now;
	return len;
}

static void mock_run_cmd(struct mock *m, struct mock_tenant *t, uint64_t slice_end)
{
	uint64_t len = mock_cmd_len(m, t, slice_end);

	mock_advance(m, m->now + len);
	if (t->cfg->demand == MOCK_PERIODIC) {
		struct mock_job *j = &t->jobs[t->head];

		j->left_ns -= len;
		if (!j->left_ns) {
			t->st->units_done++;
			if (j->deadline_ns != VGS_SCHED_NO_TIME && m->now > j->deadline_ns)
				t->st->deadline_misses++;
			t->head = (t->head + 1) % MOCK_MAX_JOBS;
			t->njobs--;
		}
	} else {
		t->submit_ns = m->now;	/* the next command is submitted as this one completes */
	}
	t->st->commands++;
	mock_sync_fields(t);
}

static void mock_slice(struct mock *m, struct vgs_vgpu *v, uint64_t slice, uint64_t end,
		       struct mock_tenant **prev)
{
	struct mock_tenant *t = v->owner;
	struct mock_result *res = m->res;
	struct mock_slice *rec = NULL;
	enum vgs_charge_reason reason;
	uint64_t start, slice_end, ran;

	res->npicks++;
	if (res->log && res->nlog < m->cfg->log_cap) {
		rec = &res->log[res->nlog++];
		rec->pick_ns = m->now;
		rec->slice_ns = slice;
		rec->id = v->id;
	}
	mock_wait_end(t, m->now);
	m->owner = t;
	m->preempt = false;
	if (t != *prev) {
		res->switch_ns += m->cfg->switch_ns;
		res->nswitches++;
		mock_advance(m, m->now + m->cfg->switch_ns);
		*prev = t;
	}
	start = m->now;
	slice_end = mock_add(start, slice);
	if (slice_end > end)
		slice_end = end > start ? end : start;
	for (;;) {
		if (!mock_has_work(t)) {
			reason = VGS_CHARGE_EMPTY;
			break;
		}
		if (m->preempt) {
			reason = VGS_CHARGE_PREEMPTED;
			break;
		}
		if (m->now >= slice_end) {
			reason = VGS_CHARGE_EXPIRED;
			break;
		}
		mock_run_cmd(m, t, slice_end);
	}
	ran = m->now - start;
	if (reason == VGS_CHARGE_EMPTY)
		vgs_sched_set_runnable(&m->s, v, false, m->now);
	vgs_sched_charge(&m->s, v, ran, m->now, reason);
	m->owner = NULL;
	t->st->charged_ns += ran;
	t->st->slices++;
	if (ran > t->st->max_slice_ns)
		t->st->max_slice_ns = ran;
	if (rec) {
		rec->ran_ns = ran;
		rec->reason = reason;
	}
	if (mock_has_work(t))
		mock_wait_begin(t, m->now);
}

int mock_run(const struct mock_cfg *cfg, struct mock_result *res)
{
	struct mock m = { .cfg = cfg, .res = res };
	struct mock_tenant *prev = NULL;
	uint64_t end;
	int ret;

	memset(res, 0, sizeof(*res));
	if (!cfg || !cfg->ops || !cfg->ntenants || cfg->ntenants > MOCK_MAX_TENANTS || !cfg->tenants)
		return -EINVAL;
	if (cfg->log_cap) {
		res->log = calloc(cfg->log_cap, sizeof(*res->log));
		if (!res->log)
			return -ENOMEM;
	}
	ret = mock_setup(&m);
	if (ret) {
		mock_result_fini(res);
		return ret;
	}
	end = mock_add(cfg->start_ns, cfg->duration_ns);
	while (m.now < end) {
		uint64_t slice = 0;
		struct vgs_vgpu *v = vgs_sched_pick(&m.s, m.now, &slice);

		if (v)
			mock_slice(&m, v, slice, end, &prev);
		else
			mock_idle(&m, slice, end);
	}
	for (uint32_t i = 0; i < m.n; i++) {
		struct mock_tenant *t = &m.t[i];

		mock_wait_end(t, m.now);
		for (uint32_t k = 0; k < t->njobs; k++) {
			const struct mock_job *j = &t->jobs[(t->head + k) % MOCK_MAX_JOBS];

			if (j->deadline_ns != VGS_SCHED_NO_TIME && j->deadline_ns < m.now)
				t->st->deadline_misses++;
		}
		t->st->sched_charged_ns = t->v.charged_ns;
	}
	res->elapsed_ns = m.now - cfg->start_ns;
	vgs_sched_fini(&m.s);
	free(m.t);
	return 0;
}

void mock_result_fini(struct mock_result *res)
{
	free(res->log);
	res->log = NULL;
	res->nlog = 0;
}
