/*
 * The simulator's discrete-event loop over the driver model's timers and run lists (models/driver/driver.h,
 * shared with the executor's real-time loop, hw-trace/exec/rt.c).  At each instant it fires every due
 * timer, then runs what they notified, then the domains that yielded; then it moves to the next timer.
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

#include "sim/sim.h"

uint64_t sim_clock_ns;

struct sim_xfer {
	struct sim *sim;
	struct drv_chan *ch;
	sg_sem_t job;              /* released by the loop when a job is set */
	sg_mailbox_t mb;
	uint64_t bytes;
	uint64_t done_ns;          /* SimGrid's clock when the bytes arrived */
};

uint64_t sim_simgrid_ns(void)
{
	return (uint64_t)(simgrid_get_clock() * 1e9 + 0.5);
}

static void xfer_actor(int argc, char **argv)
{
	struct sim_xfer *x = sg_actor_self_get_data();

	for (;;) {
		sg_sem_acquire(x->job);
		sg_comm_t comm = sg_mailbox_put_async(x->mb, x, (long)x->bytes);

		sg_comm_wait(comm);
		x->done_ns = sim_simgrid_ns();
		g_queue_push_tail(&x->sim->xfer_done, x);
		sg_sem_release(x->sim->xfer_sem);
	}
}

void sim_transfer_start(struct drv_chan *ch, bool d2h, uint64_t bytes)
{
	struct drv_engine *e = ch->engine;
	struct sim *sim = sim_of(e->domain->drv);
	struct sim_xfer *x = sim_chan(ch)->xfer;

	if (!x) {
		char *name = g_strdup_printf("%s/%u.pcie", e->cfg->name, ch->index);
		sg_actor_t a = sg_actor_init(name, sim_engine(e)->host);

		x = sim_chan(ch)->xfer = g_new0(struct sim_xfer, 1);
		x->sim = sim;
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
	while (g_queue_is_empty(&sim->xfer_done)) {
		double now = simgrid_get_clock();

		if (sim_simgrid_ns() >= until)
			return false;
		sim->activities++;
		if (sg_sem_acquire_timeout(sim->xfer_sem, (double)until * 1e-9 - now) != 0) {
			/* A transfer ending at this very instant comes before the timers due at it. */
			sg_actor_yield();
			return !g_queue_is_empty(&sim->xfer_done);
		}
	}
	return true;
}

void sim_loop(struct sim *sim)
{
	struct drv *d = &sim->drv;
	uint64_t end = d->end_ns;

	sim->xfer_sem = sg_sem_init(0);
	sim_clock_ns = 0;
	drv_start(d);
	for (;;) {
		uint64_t now = sim_clock_ns, next;

		while (vgs_timerheap_next(&d->timers) <= now) {
			struct vgs_timer tm = vgs_timerheap_pop(&d->timers);

			drv_fire(d, &tm, now);
		}
		/* At the end itself only the timers due then fire: what they notify comes too late. */
		if (now == end)
			break;
		drv_run_pending(d);
		if (vgs_timerheap_next(&d->timers) <= now)
			continue;
		if (drv_resume_yielded(d))
			continue;

		/* Timers due at the end itself still fire: the run closes after them. */
		next = vgs_timerheap_next(&d->timers);
		if (sim->xfers || sim->lockstep) {
			if (simgrid_until(sim, next < end ? next : end)) {
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
	for (uint32_t i = 0; sim->drv.engines && i < sim->drv.scn->nengines; i++) {
		for (uint32_t k = 0; k < sim->drv.engines[i].nchan; k++) {
			struct sim_xfer *x = sim_chan(&sim->drv.engines[i].chans[k])->xfer;

			if (!x)
				continue;
			sg_sem_destroy(x->job);
			g_free(x);
		}
	}
	if (sim->xfer_sem)
		sg_sem_destroy(sim->xfer_sem);
	g_queue_clear(&sim->xfer_done);
}
