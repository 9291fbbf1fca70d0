/*
 * PCIe transfers (copies and VRAM migrations) as SimGrid communications on the GPU's link, so that
 * transfers sharing the link share its bandwidth as SimGrid's network model decides.
 *
 * Transfers are run by one SimGrid actor per channel that needs them, on the engine's host (the link
 * is routed from there): it takes a job, sends the bytes to the GPU's host-memory mailbox and waits
 * until they arrived, then queues itself on xfer_done and releases the loop's semaphore.  The loop
 * (sim/loop.c) waits on that semaphore and hands each ended transfer to its channel (sim/engine.c).
 */
#include <simgrid/engine.h>

#include "sim/sim.h"

struct sim_xfer {
	struct sim *sim;
	struct drv_chan *ch;       /* a channel's transfer, or NULL: a live migration's (mig) */
	struct sim_mig *mig;
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

/* A sender actor named `name` on `host`, for a channel's transfers or a migration's. */
static struct sim_xfer *xfer_new(struct sim *sim, sg_host_t host, const char *name, struct drv_chan *ch,
				 struct sim_mig *mig)
{
	sg_actor_t a = sg_actor_init(name, host);
	struct sim_xfer *x = g_new0(struct sim_xfer, 1);

	x->sim = sim;
	x->ch = ch;
	x->mig = mig;
	x->job = sg_sem_init(0);
	sg_actor_set_data(a, x);
	sg_actor_start(a, xfer_actor, 0, NULL);
	sg_actor_daemonize(a);
	return x;
}

static void xfer_send(struct sim_xfer *x, sg_mailbox_t mb, uint64_t bytes)
{
	struct sim *sim = x->sim;

	/* SimGrid's clock may lag behind the loop's: nothing in SimGrid could act meanwhile. */
	if (sim_simgrid_ns() < sim->clock_ns) {
		sim->activities++;
		sg_actor_sleep_until((double)sim->clock_ns * 1e-9);
	}
	x->mb = mb;
	x->bytes = bytes;
	sim->xfers++;
	sim->activities++;
	sg_sem_release(x->job);
}

void sim_transfer_start(struct drv_chan *ch, bool d2h, uint64_t bytes)
{
	struct drv_engine *e = ch->engine;
	struct sim *sim = sim_of(e->domain->drv);
	struct sim_xfer *x = sim_chan(ch)->xfer;

	/* A shard (sim/shard.c) cannot reproduce a one-shard run's SimGrid activities: it stops, and the
	 * run is done as one shard (the loop ends at this instant). */
	if (sim->part)
		sim->part_stop = true;
	if (!x) {
		char *name = g_strdup_printf("%s/%u.pcie", e->cfg->name, ch->index);

		x = sim_chan(ch)->xfer = xfer_new(sim, sim_engine(e)->host, name, ch, NULL);
		g_free(name);
	}
	xfer_send(x, sim->pcie_mb[2 * sim->drv.scn->gpus[e->cfg->gpu].phys + d2h], bytes);
}

struct sim_xfer *sim_mig_xfer_new(struct sim *sim, sg_host_t host, const char *name, struct sim_mig *mig)
{
	return xfer_new(sim, host, name, NULL, mig);
}

void sim_mig_xfer_send(struct sim_xfer *x, sg_mailbox_t mb, uint64_t bytes)
{
	xfer_send(x, mb, bytes);
}

void sim_mig_xfer_free(struct sim_xfer *x)
{
	if (!x)
		return;
	sg_sem_destroy(x->job);
	g_free(x);
}

bool sim_transfers_wait(struct sim *sim, uint64_t until)
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

void sim_transfers_init(struct sim *sim)
{
	sim->xfer_sem = sg_sem_init(0);
}

bool sim_transfers_next_done(struct sim *sim, struct drv_chan **ch, struct sim_mig **mig)
{
	struct sim_xfer *x = g_queue_pop_head(&sim->xfer_done);

	if (!x)
		return false;
	sim->xfers--;
	if (x->done_ns > sim->clock_ns)
		sim->clock_ns = x->done_ns;
	*ch = x->ch;
	*mig = x->mig;
	return true;
}

void sim_transfers_free(struct sim *sim)
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
