/*
 * fifo - first come, first served by submission time across vGPUs.
 *
 * The runnable vGPU whose oldest ready command was submitted first owns the domain (ties: lower id;
 * a vGPU that reports no submission time, VGS_SCHED_NO_TIME, comes last).  This is Linux drm_sched's
 * default entity selection (DRM_SCHED_POLICY_FIFO, drm_sched_rq_select_entity_fifo(): the entity
 * whose oldest job was submitted first), which replaying a capture of several contexts sharing one
 * ring needs: the ring ran their jobs in that order.
 *
 * By default a vGPU keeps the domain until it runs dry or blocks (slice_us = 0: unlimited, as a
 * drm_sched ring runs a job to completion).  runnable(v) asks to end the
 * current slice when v's oldest command was submitted before the current owner's (possible when the
 * owner's queue was refilled with later work while v's older work became ready).  Picks are O(N).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/vgs_policy.h"

#define FF_UNLIMITED_NS (UINT64_MAX / 4)	/* "no slice": far beyond any run, no overflow when added to now */
#define FF_SLICE_MAX_US 60000000ull		/* 60 s */

struct ff_sched {
	uint64_t slice_ns;	/* 0: unlimited */
};

static const struct vgs_policy_param ff_params[] = {
	{ "slice_us", "0",
	  "longest a vGPU keeps the domain, in us, 0..60000000; 0 = until it runs dry (drm_sched runs jobs to completion)" },
	{ NULL, NULL, NULL },
};

static int ff_init(struct vgs_sched *s)
{
	struct ff_sched *ff = calloc(1, sizeof(*ff));

	if (!ff)
		return -ENOMEM;
	s->priv = ff;
	return 0;
}

static int ff_set_param(struct vgs_sched *s, const char *key, const char *value)
{
	struct ff_sched *ff = s->priv;
	uint64_t x;
	int ret;

	if (strcmp(key, "slice_us") != 0)
		return -ENOENT;
	ret = vgs_param_u64(value, 0, FF_SLICE_MAX_US, &x);
	if (!ret)
		ff->slice_ns = x * 1000;
	return ret;
}

static int ff_add_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	return 0;
}

static bool ff_runnable(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t now_ns)
{
	return s->current && v->oldest_submit_ns < s->current->oldest_submit_ns;
}

static struct vgs_vgpu *ff_pick_next(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns)
{
	struct ff_sched *ff = s->priv;
	struct vgs_vgpu *best = NULL;

	for (uint32_t i = 0; i < s->nvgpus; i++) {
		struct vgs_vgpu *v = s->vgpus[i];

		if (v->runnable && (!best || v->oldest_submit_ns < best->oldest_submit_ns))
			best = v;
	}
	*slice_ns = !best ? 0 : ff->slice_ns ? ff->slice_ns : FF_UNLIMITED_NS;
	return best;
}

static void ff_charge(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
		      enum vgs_charge_reason reason)
{
}

const struct vgs_policy_ops vgs_policy_fifo = {
	.name = "fifo",
	.summary = "first come first served by submission time across vGPUs (drm_sched's default FIFO)",
	.params = ff_params,
	.init = ff_init,
	.fini = vgs_sched_free_priv,
	.set_param = ff_set_param,
	.add_vgpu = ff_add_vgpu,
	.runnable = ff_runnable,
	.pick_next = ff_pick_next,
	.charge = ff_charge,
};
