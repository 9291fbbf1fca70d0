/*
 * The executor's real-time event loop: a binary heap of timers on CLOCK_MONOTONIC, and run lists of
 * tenants and domains that were notified.  The loop fires every due timer, runs the notified tenants
 * (their submissions at an instant come before the decisions made at it), then the notified domains,
 * and sleeps with clock_nanosleep(TIMER_ABSTIME) until the next timer.  Timer slack is set to 1 ns so
 * the kernel does not batch our wake-ups; the remaining lateness is measured on every timer.
 */
#include <errno.h>
#include <sys/prctl.h>
#include <time.h>

#include "hw-trace/exec/exec.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t ex_now(const struct exec *x)
{
	return mono_ns() - x->t0_mono_ns;
}

uint64_t ex_sleep_until(const struct exec *x, uint64_t at_ns)
{
	uint64_t abs_ns = x->t0_mono_ns + at_ns, now;
	struct timespec ts = { .tv_sec = (time_t)(abs_ns / 1000000000ull), .tv_nsec = (long)(abs_ns % 1000000000ull) };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !x->stop)
		;
	now = ex_now(x);
	return now > at_ns ? now - at_ns : 0;
}

void ex_timer_add(struct exec *x, uint64_t at_ns, int kind, void *obj, uint64_t gen)
{
	vgs_timerheap_push(&x->timers, at_ns, kind, obj, gen);
}

/* Run lists: tenants are tagged with the low pointer bit clear, domains with it set. */
void ex_run_domain(struct exec *x, struct ex_domain *d)
{
	if (!d->queued) {
		d->queued = true;
		g_queue_push_tail(&x->runq, (gpointer)((uintptr_t)d | 1u));
	}
}

void ex_run_tenant(struct exec *x, struct ex_tenant *t)
{
	if (!t->queued) {
		t->queued = true;
		g_queue_push_head(&x->runq, t);
	}
}

static void fire(struct exec *x, const struct vgs_timer *tm, uint64_t now)
{
	switch (tm->kind) {
	case EV_TENANT: {
		struct ex_tenant *t = tm->obj;

		if (t->gen == tm->gen)
			ex_tenant_step(x, t, now);
		break;
	}
	case EV_DOMAIN: {
		struct ex_domain *d = tm->obj;

		if (d->gen == tm->gen)
			ex_domain_step(x, d, now);
		break;
	}
	case EV_CHAN_END:
	case EV_CHAN_PREEMPT:
	case EV_CHAN_TDR: {
		struct ex_chan *ch = tm->obj;

		if (ch->gen != tm->gen || !ch->cmd)
			break;
		if (tm->kind == EV_CHAN_END)
			ex_chan_finished(x, ch, now);
		else if (tm->kind == EV_CHAN_PREEMPT)
			ex_chan_preempt_now(x, ch, now);
		else
			ex_chan_tdr(x, ch, now);
		break;
	}
	case EV_WARMUP:
		for (uint32_t i = 0; i < x->scn->ntenants; i++)
			x->tenants[i].dropped_at_warmup = vgs_workload_dropped_units(x->tenants[i].wl);
		x->warmed_up = true;
		break;
	default:
		break;
	}
}

uint64_t ex_loop(struct exec *x)
{
	uint64_t now;

	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	for (;;) {
		now = ex_now(x);
		if (x->stop || ex_interrupted() || now >= x->end_ns)
			break;
		while (vgs_timerheap_next(&x->timers) <= now) {
			struct vgs_timer tm = vgs_timerheap_pop(&x->timers);

			if (tm.kind != EV_POLL)
				vgs_hist_add(&x->timer_slack, now - tm.at_ns);
			fire(x, &tm, now);
		}
		while (!g_queue_is_empty(&x->runq)) {
			uintptr_t p = (uintptr_t)g_queue_pop_head(&x->runq);

			now = ex_now(x);
			if (p & 1u) {
				struct ex_domain *d = (struct ex_domain *)(p & ~(uintptr_t)1u);

				d->queued = false;
				ex_domain_step(x, d, now);
			} else {
				struct ex_tenant *t = (struct ex_tenant *)p;

				t->queued = false;
				ex_tenant_step(x, t, now);
			}
		}
		uint64_t next = x->end_ns;

		if (vgs_timerheap_next(&x->timers) < next)
			next = vgs_timerheap_next(&x->timers);
		if (x->be->poll) {
			uint64_t p = x->be->poll(x, ex_now(x));

			if (p < next)
				next = p;
		}
		if (!g_queue_is_empty(&x->runq))
			continue;
		if (next > ex_now(x))
			ex_sleep_until(x, next);
	}
	return now < x->end_ns ? now : x->end_ns;
}
