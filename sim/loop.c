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
 * The transfers themselves are sim/transfer.c's.
 *
 * SIGINT or SIGTERM (models/base/interrupt.h) stops the loop at the current instant, once the timers due
 * then have fired: the run ends there (d->end_ns), and sim/run.c writes it as a partial run.
 */
#include <simgrid/actor.h>

#include "models/base/interrupt.h"
#include "sim/sim.h"

void sim_loop(struct sim *sim)
{
	struct drv *d = &sim->drv;
	uint64_t end = d->end_ns;

	sim_transfers_init(sim);
	sim->clock_ns = 0;
	drv_start(d);
	for (;;) {
		uint64_t now = sim->clock_ns, next;

		while (vgs_timerheap_next(&d->timers) <= now) {
			struct vgs_timer tm = vgs_timerheap_pop(&d->timers);

			drv_fire(d, &tm, now);
		}
		if (vgs_interrupted() && now < end) {
			sim->interrupted = true;
			d->end_ns = end = now;
			break;
		}
		if (sim->part_stop)
			break; /* a shard that moved bytes over PCIe: the run is redone as one shard */
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
			if (sim_transfers_wait(sim, next < end ? next : end)) {
				/* Every transfer that ended at this instant, then what they notified. */
				struct drv_chan *ch;
				struct sim_mig *mig;

				sg_actor_yield();
				while (sim_transfers_next_done(sim, &ch, &mig)) {
					if (ch)
						sim_chan_transfer_done(ch, sim->clock_ns);
					else
						sim_mig_transfer_done(sim, mig, sim->clock_ns); /* sim/migrate.c */
				}
				continue;
			}
		}
		if (next > end)
			break;
		sim->clock_ns = next;
	}
	sim->clock_ns = end;
}
