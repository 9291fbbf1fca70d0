/*
 * The host backend: every engine channel is a real-time timer on the executor's loop.  A command
 * occupies its channel from the moment it is dispatched for its duration on the scenario's GPU --
 * work_ns / speed, or for a host<->device copy the PCIe latency + bytes / bandwidth (drv_cmd_time_ns,
 * shared with the simulator) -- and ends when the
 * loop observes the timer (the lateness is measured: summary.json executor.timer_slack).  No CPU spins:
 * the whole replay runs on one thread, so any number of engines fits a 2-core machine.
 * The profile's launch_us is not added: it is what `vgpusim calibrate` measures of this backend.
 * On an engine with an SM pool (a MIG instance, a spatial policy: docs/spatial.md) kernels that run at
 * once share the pool's SMs and DRAM bandwidth by the simulator's contention model
 * (models/driver/smpool.c), so a kernel's end moves as others start and end (ex_chan_retime).
 */
#include "hw-trace/exec/exec.h"

static int host_init(struct exec *x, struct vgs_error *err)
{
	return 0;
}

static void host_fini(struct exec *x)
{
}

static int host_start(struct exec *x, struct drv_chan *ch, uint64_t now)
{
	if (ch->engine->pool && !drv_cmd_is_transfer(&ch->cmd->c)) {
		/* Concurrent kernels share the engine's modelled SM pool, as in the simulator. */
		drv_pool_join(ch, now);
		ex_chan_of(ch)->due_ns = ch->pool_end_ns;
		return 0;
	}
	ex_chan_of(ch)->due_ns = now + drv_cmd_time_ns(&x->drv.scn->gpus[ch->engine->cfg->gpu], ch->cmd);
	return 0;
}

const struct ex_backend ex_backend_host = {
	.name = "host",
	.init = host_init,
	.fini = host_fini,
	.start = host_start,
	.poll = NULL,
};
