/*
 * Wake-ups between actors, and what the coalescing fast path needs to know about them.
 *
 * In SimGrid every simcall is a scheduling point, not only the blocking ones: an actor that releases a
 * semaphore yields, and other actors may run before it resumes.  An actor that posted a wake-up in the
 * middle of updating shared state would let others see that state half-updated.  So sim_post() only
 * records the wake-up, and the releases happen in sim_flush_posts(), which every actor calls just before
 * it blocks (sim_wait, sleeps, waits on an exec or a transfer): between two blocking points an actor's
 * updates are atomic.
 *
 * Coalescing (sim/engine.c) may settle a channel's next commands ahead of simulated time only while no
 * other actor can run before they start.  So every timed block registers its wake-up time in a heap
 * (sim_next_wake(): the earliest), and the actors that are awake -- running, runnable at this instant
 * (created, released by a post, inside a simcall that yields), or waiting on a transfer whose end is
 * not known in advance -- are counted (sim_quiet()).  An actor is asleep only inside sim_wait(),
 * sim_sleep_until() or sim_block_begin()/sim_block_end().
 */
#include "sim/sim.h"

static GPtrArray *pending; /* struct sim_waiter * to release; one simulation per process */

/* A registered timed block: lives on the blocked actor's stack. */
struct wake_slot {
	uint64_t at;
	guint pos;                 /* index in `wakes` */
};

static GPtrArray *wakes;       /* binary min-heap of struct wake_slot * on `at` */
static uint64_t awake;         /* actors not asleep in one of this file's blocking calls */
static struct sim_waiter *muted; /* sim_mute(): its posts are dropped */

static void heap_swap(guint a, guint b)
{
	struct wake_slot *x = wakes->pdata[a], *y = wakes->pdata[b];

	wakes->pdata[a] = y;
	wakes->pdata[b] = x;
	y->pos = a;
	x->pos = b;
}

static void heap_up(guint i)
{
	while (i > 0) {
		guint p = (i - 1) / 2;

		if (((struct wake_slot *)wakes->pdata[p])->at <= ((struct wake_slot *)wakes->pdata[i])->at)
			break;
		heap_swap(i, p);
		i = p;
	}
}

static void heap_down(guint i)
{
	for (;;) {
		guint l = 2 * i + 1, r = l + 1, m = i;

		if (l < wakes->len &&
		    ((struct wake_slot *)wakes->pdata[l])->at < ((struct wake_slot *)wakes->pdata[m])->at)
			m = l;
		if (r < wakes->len &&
		    ((struct wake_slot *)wakes->pdata[r])->at < ((struct wake_slot *)wakes->pdata[m])->at)
			m = r;
		if (m == i)
			break;
		heap_swap(i, m);
		i = m;
	}
}

static void wake_add(struct wake_slot *s, uint64_t at)
{
	if (!wakes)
		wakes = g_ptr_array_new();
	s->at = at;
	s->pos = wakes->len;
	g_ptr_array_add(wakes, s);
	heap_up(s->pos);
}

static void wake_del(struct wake_slot *s)
{
	guint last = wakes->len - 1, i = s->pos;

	if (i != last) {
		heap_swap(i, last);
		g_ptr_array_set_size(wakes, last);
		heap_down(i);
		heap_up(i);
	} else {
		g_ptr_array_set_size(wakes, last);
	}
}

uint64_t sim_next_wake(void)
{
	return wakes && wakes->len ? ((struct wake_slot *)wakes->pdata[0])->at : VGS_NO_TIME;
}

bool sim_quiet(void)
{
	return awake == 1 && (!pending || pending->len == 0);
}

void sim_actor_created(void)
{
	awake++;
}

void sim_block_begin(void)
{
	awake--;
}

void sim_block_end(void)
{
	awake++;
}

void sim_mute(struct sim_waiter *w)
{
	muted = w;
}

void sim_waiter_init(struct sim_waiter *w)
{
	w->sem = sg_sem_init(0);
	w->waiting = false;
	w->posted = false;
	w->released = false;
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
	for (guint i = 0; i < batch->len; i++) {
		struct sim_waiter *w = batch->pdata[i];

		if (w->waiting && !w->released) {
			w->released = true; /* awake from now on */
			awake++;
		}
		sg_sem_release(w->sem);
	}
	g_ptr_array_free(batch, TRUE);
}

void sim_wait(struct sim_waiter *w, uint64_t timeout_ns)
{
	struct wake_slot slot;

	/*
	 * Declare the wait before anything can yield: the caller checked its condition just now, and a post
	 * arriving while the flush below yields must not be lost.  A post that raced an earlier timeout may
	 * have left a token, which ends this wait early: callers re-check their condition in a loop.
	 */
	w->posted = false;
	w->waiting = true;
	/* Registered before the flush, which may let others run (and plan) first. */
	if (timeout_ns != VGS_NO_TIME)
		wake_add(&slot, sim_now() + timeout_ns);
	sim_flush_posts();
	awake--;
	if (timeout_ns == VGS_NO_TIME) {
		sg_sem_acquire(w->sem);
	} else {
		(void)sg_sem_acquire_timeout(w->sem, (double)timeout_ns * 1e-9);
		wake_del(&slot);
	}
	w->waiting = false;
	if (w->released)
		w->released = false; /* counted awake by the flush that released it */
	else
		awake++;
}

void sim_post(struct sim_waiter *w)
{
	if (w->waiting && !w->posted && w != muted) {
		w->posted = true;
		if (!pending)
			pending = g_ptr_array_new();
		g_ptr_array_add(pending, w);
	}
}

void sim_sleep_until(uint64_t t_ns)
{
	struct wake_slot slot;
	bool sleep = t_ns > sim_now();

	if (sleep)
		wake_add(&slot, t_ns); /* before the flush, as in sim_wait */
	sim_flush_posts();
	if (sleep) {
		awake--;
		sg_actor_sleep_until((double)t_ns * 1e-9);
		awake++;
		wake_del(&slot);
	}
}

void sim_yield(void)
{
	sim_flush_posts();
	sg_actor_yield();
}

void sim_transfer(sg_mailbox_t mb, void *payload, uint64_t bytes)
{
	/* The sender stays awake: the transfer's end is not known in advance. */
	sg_comm_t comm = sg_mailbox_put_async(mb, payload, (long)bytes);

	sim_flush_posts();
	sg_comm_wait(comm);
}
