/*
 * mps - NVIDIA Multi-Process Service: the kernels of every client run at once on the shared GPU.
 *
 * The MPS server funnels the work of all its clients into one GPU context, and the hardware runs
 * their kernels concurrently as they arrive: no time slices, no context switches between clients
 * (NVIDIA Multi-Process Service documentation, "Introduction").  So admit() starts every ready kernel,
 * oldest submission first, while the engine has room.  How kernels that run together slow each other
 * is not the policy's: the driver's SM pool shares the SMs and the DRAM bandwidth among them
 * (docs/spatial.md), with each client's kernels capped to its active thread percentage
 * (vgpus.[i].mps.active_thread_pct, CUDA_MPS_ACTIVE_THREAD_PERCENTAGE) and higher-priority clients'
 * kernels served first (the vGPU's priority: MPS client priority, CUDA_MPS_CLIENT_PRIORITY).
 *
 * max_clients: an MPS server accepts up to 48 clients per device (NVIDIA MIG User Guide, "CUDA
 * concurrency mechanisms": "the maximum number of clients (48) is lowered proportionally to the
 * Compute Instance size" under MIG).  A vGPU beyond it is refused (add_vgpu -ENOSPC: a config error).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/vgs_policy.h"

#define MPS_DEFAULT_CLIENTS 48

struct mps_sched {
	uint64_t max_clients;
};

static const struct vgs_policy_param mps_params[] = {
	{ "max_clients", "48",
	  "MPS clients (vGPUs) one domain accepts, 1..4096; 48 per device (NVIDIA MPS/MIG documentation)" },
	{ NULL, NULL, NULL },
};

static int mps_init(struct vgs_sched *s)
{
	struct mps_sched *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->max_clients = MPS_DEFAULT_CLIENTS;
	s->priv = m;
	return 0;
}

static int mps_set_param(struct vgs_sched *s, const char *key, const char *value)
{
	struct mps_sched *m = s->priv;

	if (strcmp(key, "max_clients") != 0)
		return -ENOENT;
	return vgs_param_u64(value, 1, 4096, &m->max_clients);
}

static int mps_add_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	const struct mps_sched *m = s->priv;

	return s->nvgpus >= m->max_clients ? -ENOSPC : 0;
}

/* First come, first served: every ready kernel, in the order the driver lists them (oldest first). */
static uint32_t mps_admit(struct vgs_sched *s, const struct vgs_engine_view *view, uint64_t now_ns, uint8_t *start)
{
	uint32_t n = view->nready < view->slots ? view->nready : view->slots;

	memset(start, 1, n);
	return n;
}

const struct vgs_policy_ops vgs_policy_mps = {
	.name = "mps",
	.summary = "spatial: NVIDIA MPS, every client's kernels run at once, first come first served",
	.params = mps_params,
	.init = mps_init,
	.fini = vgs_sched_free_priv,
	.set_param = mps_set_param,
	.add_vgpu = mps_add_vgpu,
	.pick_next = vgs_sched_no_pick,
	.charge = vgs_sched_no_charge,
	.admit = mps_admit,
};
