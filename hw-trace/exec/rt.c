/*
 * The executor's real-time event loop over the driver model's timers and run lists (models/driver/driver.h),
 * on CLOCK_MONOTONIC: it fires every due timer, runs what they notified, then the domains that yielded,
 * polls the backend, and sleeps with clock_nanosleep(TIMER_ABSTIME) until the next timer.  Timer slack is set to 1 ns so
 * the kernel does not batch our wake-ups; the remaining lateness is measured on every timer.
 */
#include <errno.h>
#include <sys/prctl.h>
#include <time.h>

#include "hw-trace/exec/exec.h"
#include "models/base/interrupt.h"

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

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !x->stop && !vgs_interrupted())
		;
	now = ex_now(x);
	return now > at_ns ? now - at_ns : 0;
}

uint64_t ex_loop(struct exec *x)
{
	struct drv *d = &x->drv;
	uint64_t now;

	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	drv_start(d);
	for (;;) {
		now = ex_now(x);
		if (x->stop || vgs_interrupted() || now >= d->end_ns)
			break;
		while (vgs_timerheap_next(&d->timers) <= now) {
			struct vgs_timer tm = vgs_timerheap_pop(&d->timers);

			vgs_hist_add(&x->timer_slack, now - tm.at_ns);
			drv_fire(d, &tm, now);
		}
		drv_run_pending(d);
		if (vgs_timerheap_next(&d->timers) <= ex_now(x) || drv_resume_yielded(d))
			continue;
		uint64_t next = d->end_ns;

		if (vgs_timerheap_next(&d->timers) < next)
			next = vgs_timerheap_next(&d->timers);
		if (x->be->poll) {
			uint64_t p = x->be->poll(x, ex_now(x));

			if (p < next)
				next = p;
		}
		if (d->runq_len)
			continue;
		if (next > ex_now(x))
			ex_sleep_until(x, next);
	}
	return now < d->end_ns ? now : d->end_ns;
}
