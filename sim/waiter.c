/*
 * Wake-ups between actors.
 *
 * In SimGrid every simcall is a scheduling point, not only the blocking ones: an actor that releases a
 * semaphore yields, and other actors may run before it resumes.  An actor that posted a wake-up in the
 * middle of updating shared state would let others see that state half-updated.  So sim_post() only
 * records the wake-up, and the releases happen in sim_flush_posts(), which every actor calls just before
 * it blocks (sim_wait, sleeps, waits on an exec or a transfer): between two blocking points an actor's
 * updates are atomic.
 */
#include "sim/sim.h"

static GPtrArray *pending; /* struct sim_waiter * to release; one simulation per process */

void sim_waiter_init(struct sim_waiter *w)
{
	w->sem = sg_sem_init(0);
	w->waiting = false;
	w->posted = false;
}

void sim_waiter_fini(struct sim_waiter *w)
{
	if (w->sem)
		sg_sem_destroy(w->sem);
	w->sem = NULL;
}

void sim_flush_posts(void)
{
	GPtrArray *batch = pending;

	if (!batch || batch->len == 0)
		return;
	/* Releasing yields: posts made meanwhile by others go to a fresh list that they flush. */
	pending = NULL;
	for (guint i = 0; i < batch->len; i++)
		sg_sem_release(((struct sim_waiter *)batch->pdata[i])->sem);
	g_ptr_array_free(batch, TRUE);
}

void sim_wait(struct sim_waiter *w, uint64_t timeout_ns)
{
	/*
	 * Declare the wait before anything can yield: the caller checked its condition just now, and a post
	 * arriving while the flush below yields must not be lost.  A post that raced an earlier timeout may
	 * have left a token, which ends this wait early: callers re-check their condition in a loop.
	 */
	w->posted = false;
	w->waiting = true;
	sim_flush_posts();
	if (timeout_ns == VGS_NO_TIME)
		sg_sem_acquire(w->sem);
	else
		(void)sg_sem_acquire_timeout(w->sem, (double)timeout_ns * 1e-9);
	w->waiting = false;
}

void sim_post(struct sim_waiter *w)
{
	if (w->waiting && !w->posted) {
		w->posted = true;
		if (!pending)
			pending = g_ptr_array_new();
		g_ptr_array_add(pending, w);
	}
}

void sim_sleep_until(uint64_t t_ns)
{
	sim_flush_posts();
	if (t_ns > sim_now())
		sg_actor_sleep_until((double)t_ns * 1e-9);
}
