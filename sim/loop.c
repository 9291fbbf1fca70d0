/*
 * The simulator's discrete-event loop.  Tenants, domains and channels are state machines; the loop
 * keeps a binary heap of their timers (FIFO among timers due at the same ns) and run lists of tenants
 * and domains notified at the current instant.  At each instant it fires every due timer, then runs the
 * notified tenants (their submissions at an instant come before the decisions made at it), then the
 * notified domains, then the domains that yielded; then it moves to the next timer.  This is the
 * executor's loop (hw-trace/exec/rt.c) on a simulated clock, so both make the same same-instant choices.
 *
 * SimGrid is entered only where it decides.  A PCIe transfer is a SimGrid communication on the GPU's
 * link, so its end depends on the transfers sharing the link: while one is in flight, the loop waits
 * in SimGrid until the next timer or a transfer's end, whichever comes first, and SimGrid's clock
 * follows the loop's.  With no transfer in flight nothing in SimGrid can act, so the loop runs ahead
 * of SimGrid's clock and catches it up before the next transfer starts.  Lockstep mode
 * (--no-coalesce) waits in SimGrid at every event time and runs every command as a SimGrid exec
 * (sim/engine.c): the reference the default mode is checked against (tests/e2e/coalesce.py).
 *
 * Transfers are run by one SimGrid actor per channel that needs them, on the engine's host (the link
 * is routed from there): it takes a job, sends the bytes to the GPU's host-memory mailbox and waits
 * until they arrived, then queues itself on xfer_done and releases the loop's semaphore.
 */
#include <simgrid/engine.h>
#include <simgrid/plugins/energy.h>

#include "sim/sim.h"

uint64_t sim_clock_ns;

static struct sim *the_sim; /* one simulation per process */

struct sim_xfer {
	struct sim_chan *ch;
	sg_sem_t job;              /* released by the loop when a job is set */
	sg_mailbox_t mb;
	uint64_t bytes;
	uint64_t done_ns;          /* SimGrid's clock when the bytes arrived */
};

uint64_t sim_simgrid_ns(void)
{
	return (uint64_t)(simgrid_get_clock() * 1e9 + 0.5);
}

void sim_timer_add(struct sim *sim, uint64_t at_ns, enum sim_event kind, void *obj, uint64_t gen)
{
	vgs_timerheap_push(&sim->timers, at_ns, kind, obj, gen);
}

/* Run lists: pointers tagged in their low bits, 0 tenant, 1 domain, 2 channel. */
enum { TAG_TENANT, TAG_DOMAIN, TAG_CHAN, TAG_MASK = 3 };

static void runq_push(struct sim *sim, uintptr_t p)
{
	if (sim->runq_len == sim->runq_cap) {
		size_t cap = sim->runq_cap ? 2 * sim->runq_cap : 64;
		uintptr_t *q = g_new(uintptr_t, cap);

		for (size_t i = 0; i < sim->runq_len; i++)
			q[i] = sim->runq[(sim->runq_head + i) % sim->runq_cap];
		g_free(sim->runq);
		sim->runq = q;
		sim->runq_cap = cap;
		sim->runq_head = 0;
	}
	sim->runq[(sim->runq_head + sim->runq_len++) % sim->runq_cap] = p;
}

static uintptr_t runq_pop(struct sim *sim)
{
	uintptr_t p = sim->runq[sim->runq_head];

	sim->runq_head = (sim->runq_head + 1) % sim->runq_cap;
	sim->runq_len--;
	return p;
}

void sim_run_domain(struct sim_domain *d)
{
	if (!d->queued) {
		d->queued = true;
		runq_push(d->sim, (uintptr_t)d | TAG_DOMAIN);
	}
}

/* A dispatched channel starts after the domain that dispatched it has run (and set its own timer). */
void sim_run_chan(struct sim_chan *ch)
{
	runq_push(ch->engine->domain->sim, (uintptr_t)ch | TAG_CHAN);
}

void sim_run_tenant(struct sim_tenant *t)
{
	if (!t->queued) {
		t->queued = true;
		runq_push(t->sim, (uintptr_t)t | TAG_TENANT);
	}
}

void sim_yield_domain(struct sim_domain *d)
{
	d->yielded = true;
	g_queue_push_tail(&d->sim->yielded, d);
}

static void fire(struct sim *sim, const struct vgs_timer *tm, uint64_t now)
{
	switch (tm->kind) {
	case SIM_EV_TENANT: {
		struct sim_tenant *t = tm->obj;

		if (t->gen == tm->gen)
			sim_tenant_step(t, now);
		break;
	}
	case SIM_EV_DOMAIN: {
		struct sim_domain *d = tm->obj;

		if (d->gen == tm->gen) {
			d->timer_at = VGS_NO_TIME;
			sim_domain_step(d, now);
		}
		break;
	}
	case SIM_EV_CHAN: {
		struct sim_chan *ch = tm->obj;

		if (ch->gen == tm->gen)
			sim_chan_timer(ch, now);
		break;
	}
	case SIM_EV_WARMUP:
		for (uint32_t i = 0; i < sim->scn->ntenants; i++)
			sim->tenants[i].dropped_at_warmup = vgs_workload_dropped_units(sim->tenants[i].wl);
		if (sim->lockstep) {
			sg_host_energy_update_all();
			for (uint32_t i = 0; i < sim->scn->nengines; i++)
				sim->engines[i].energy_at_warmup_j = sg_host_get_consumed_energy(sim->engines[i].host);
		}
		sim->warmed_up = true;
		break;
	default:
		break;
	}
}

static void xfer_actor(int argc, char **argv)
{
	struct sim_xfer *x = sg_actor_self_get_data();

	for (;;) {
		sg_sem_acquire(x->job);
		sg_comm_t comm = sg_mailbox_put_async(x->mb, x, (long)x->bytes);

		sg_comm_wait(comm);
		x->done_ns = sim_simgrid_ns();
		g_queue_push_tail(&the_sim->xfer_done, x);
		sg_sem_release(the_sim->xfer_sem);
	}
}

void sim_transfer_start(struct sim_chan *ch, bool d2h, uint64_t bytes)
{
	struct sim_engine *e = ch->engine;
	struct sim *sim = e->domain->sim;
	struct sim_xfer *x = ch->xfer;

	if (!x) {
		char *name = g_strdup_printf("%s/%u.pcie", e->cfg->name, ch->index);
		sg_actor_t a = sg_actor_init(name, e->host);

		x = ch->xfer = g_new0(struct sim_xfer, 1);
		x->ch = ch;
		x->job = sg_sem_init(0);
		sg_actor_set_data(a, x);
		sg_actor_start(a, xfer_actor, 0, NULL);
		sg_actor_daemonize(a);
		g_free(name);
	}
	/* SimGrid's clock may lag behind the loop's: nothing in SimGrid could act meanwhile. */
	if (sim_simgrid_ns() < sim_clock_ns) {
		sim->activities++;
		sg_actor_sleep_until((double)sim_clock_ns * 1e-9);
	}
	x->mb = sim->pcie_mb[2 * e->cfg->gpu + d2h];
	x->bytes = bytes;
	sim->xfers++;
	sim->activities++;
	sg_sem_release(x->job);
}

/*
 * Let SimGrid run until `until` (ns) or until a transfer ends, whichever is first; true when one
 * ended (on xfer_done).  SimGrid's clock is then at the end of that transfer, or at `until`.
 */
static bool simgrid_until(struct sim *sim, uint64_t until)
{
	double deadline = (double)until * 1e-9;

	while (g_queue_is_empty(&sim->xfer_done)) {
		double now = simgrid_get_clock();

		if (until != VGS_NO_TIME && sim_simgrid_ns() >= until)
			return false;
		sim->activities++;
		if (until == VGS_NO_TIME)
			sg_sem_acquire(sim->xfer_sem);
		else if (sg_sem_acquire_timeout(sim->xfer_sem, deadline - now) != 0) {
			/* A transfer ending at this very instant comes before the timers due at it. */
			sg_actor_yield();
			return !g_queue_is_empty(&sim->xfer_done);
		}
	}
	return true;
}

void sim_loop(struct sim *sim)
{
	uint64_t end = sim->end_ns;

	the_sim = sim;
	sim->xfer_sem = sg_sem_init(0);
	sim_clock_ns = 0;
	if (sim->scn->warmup_ns <= end)
		sim_timer_add(sim, sim->scn->warmup_ns, SIM_EV_WARMUP, NULL, 0);
	for (uint32_t i = 0; i < sim->scn->ntenants; i++)
		sim_run_tenant(&sim->tenants[i]);
	for (uint32_t i = 0; i < sim->scn->ndomains; i++)
		sim_run_domain(&sim->domains[i]);

	for (;;) {
		uint64_t now = sim_clock_ns, next;

		while (vgs_timerheap_next(&sim->timers) <= now) {
			struct vgs_timer tm = vgs_timerheap_pop(&sim->timers);

			fire(sim, &tm, now);
		}
		/* At the end itself only the timers due then fire: what they notify comes too late. */
		if (now == end)
			break;
		while (sim->runq_len) {
			uintptr_t p = runq_pop(sim);
			void *obj = (void *)(p & ~(uintptr_t)TAG_MASK);

			switch (p & TAG_MASK) {
			case TAG_DOMAIN:
				((struct sim_domain *)obj)->queued = false;
				sim_domain_step(obj, now);
				break;
			case TAG_CHAN:
				sim_chan_start(obj, now);
				break;
			default:
				((struct sim_tenant *)obj)->queued = false;
				sim_tenant_step(obj, now);
				break;
			}
		}
		if (vgs_timerheap_next(&sim->timers) <= now)
			continue;
		if (!g_queue_is_empty(&sim->yielded)) {
			while (!g_queue_is_empty(&sim->yielded)) {
				struct sim_domain *d = g_queue_pop_head(&sim->yielded);

				d->yielded = false;
				sim_run_domain(d);
			}
			continue;
		}

		/* Timers due at the end itself still fire: the run closes after them. */
		next = vgs_timerheap_next(&sim->timers);
		if (next > end)
			next = end + 1;
		if (sim->xfers || sim->lockstep) {
			if (simgrid_until(sim, next > end ? end : next)) {
				/* Every transfer that ended at this instant, then what they notified. */
				sg_actor_yield();
				while (!g_queue_is_empty(&sim->xfer_done)) {
					struct sim_xfer *x = g_queue_pop_head(&sim->xfer_done);

					sim->xfers--;
					if (x->done_ns > sim_clock_ns)
						sim_clock_ns = x->done_ns;
					sim_chan_transfer_done(x->ch, sim_clock_ns);
				}
				continue;
			}
		}
		if (next > end)
			break;
		sim_clock_ns = next;
	}
	sim_clock_ns = end;
}

void sim_loop_free(struct sim *sim)
{
	for (uint32_t i = 0; i < sim->scn->nengines; i++) {
		struct sim_engine *e = &sim->engines[i];

		for (uint32_t k = 0; k < e->nchan; k++) {
			struct sim_xfer *x = e->chans[k].xfer;

			if (!x)
				continue;
			sg_sem_destroy(x->job);
			g_free(x);
		}
	}
	if (sim->xfer_sem)
		sg_sem_destroy(sim->xfer_sem);
	vgs_timerheap_fini(&sim->timers);
	g_free(sim->runq);
	g_queue_clear(&sim->yielded);
	g_queue_clear(&sim->xfer_done);
}
