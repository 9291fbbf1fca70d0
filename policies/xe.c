/*
 * xe - Intel Xe's GuC submission: the GuC firmware schedules the contexts (exec queues) of each engine
 * by priority, and time-slices contexts of equal priority with the exec quantum.  One vGPU is one exec
 * queue; one scheduling domain one engine (the xe-guc preset uses domain = "engine").
 *
 *   priority   strict between levels: the runnable vGPU of the highest priority runs.  Xe's exec queue
 *              priorities LOW / NORMAL / HIGH (DRM_XE_EXEC_QUEUE_SET_PROPERTY_PRIORITY, xe_exec_queue.c)
 *              are vgs_vgpu.priority -1 / 0 / 1 here; any integer works, larger first.
 *   quantum    within a level, round robin in id order after the previous owner; each turn lasts at most
 *              exec_quantum_us (the engine class's timeslice_us, default 1 * 1000 us in xe_hw_engine.c,
 *              handed to the GuC as the context's execution quantum).  When the quantum ends and no other
 *              vGPU of that level is runnable, the owner simply goes on (a new quantum, no switch).
 *   preemption a vGPU of a higher priority that becomes runnable preempts the owner at once: the GuC asks
 *              the running context to yield, and the engines stop at their preemption granularity (the
 *              GPU profile's `preempt`).
 *
 * Not modelled: the preemption timeout (preempt_timeout_us, 640 ms by default, DRM_XE_PREEMPT_TIMEOUT in
 * Kconfig.profile), after which the GuC resets a context that did not yield.  A policy only decides and
 * cannot reset an engine; the GPU profile's per-command watchdog (tdr_timeout_ms) is the nearest
 * mechanism (docs/presets.md).  Picks are O(N).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/vgs_policy.h"

#define XE_QUANTUM_US 1000ull		/* xe_hw_engine.c: sched_props.timeslice_us = 1 * 1000 */
#define XE_QUANTUM_MAX_US 10000000ull	/* DRM_XE_TIMESLICE_MAX (Kconfig.profile): 10 s */
#define XE_NONE UINT32_MAX

struct xe_sched {
	uint64_t quantum_ns;
	uint32_t last;			/* id of the previous owner */
};

static const struct vgs_policy_param xe_params[] = {
	{ "exec_quantum_us", "1000",
	  "longest turn among contexts of one priority, in us, 1..10000000 (Xe timeslice_us default, 1 ms; "
	  "DRM_XE_TIMESLICE_MIN..MAX)" },
	{ NULL, NULL, NULL },
};

static int xe_init(struct vgs_sched *s)
{
	struct xe_sched *xs = calloc(1, sizeof(*xs));

	if (!xs)
		return -ENOMEM;
	xs->quantum_ns = XE_QUANTUM_US * 1000;
	xs->last = XE_NONE;
	s->priv = xs;
	return 0;
}

static int xe_set_param(struct vgs_sched *s, const char *key, const char *value)
{
	struct xe_sched *xs = s->priv;
	uint64_t x;
	int ret;

	if (strcmp(key, "exec_quantum_us") != 0)
		return -ENOENT;
	ret = vgs_param_u64(value, 1, XE_QUANTUM_MAX_US, &x);
	if (!ret)
		xs->quantum_ns = x * 1000;
	return ret;
}

static int xe_add_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	return 0;
}

/* Nothing to account: the GuC keeps no history beyond the previous owner (xs->last). */
static void xe_charge(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
		      enum vgs_charge_reason reason)
{
}

/* A higher priority than the owner's preempts it. */
static bool xe_runnable(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t now_ns)
{
	return s->current && v->priority > s->current->priority;
}

/* The highest priority runnable vGPU; among equals the first in id order after the previous owner. */
static struct vgs_vgpu *xe_pick_next(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns)
{
	struct xe_sched *xs = s->priv;
	uint32_t n = s->nvgpus, start = xs->last == XE_NONE ? 0 : xs->last + 1;
	struct vgs_vgpu *best = NULL;

	for (uint32_t k = 0; k < n; k++) {
		struct vgs_vgpu *v = s->vgpus[(start + k) % n];

		if (v->runnable && (!best || v->priority > best->priority))
			best = v;
	}
	*slice_ns = best ? xs->quantum_ns : 0;
	if (best)
		xs->last = best->id;
	return best;
}

const struct vgs_policy_ops vgs_policy_xe = {
	.name = "xe",
	.summary = "Intel Xe GuC: strict priority, round robin with an exec quantum among equals, preempt for higher priority",
	.params = xe_params,
	.init = xe_init,
	.fini = vgs_sched_free_priv,
	.set_param = xe_set_param,
	.add_vgpu = xe_add_vgpu,
	.runnable = xe_runnable,
	.pick_next = xe_pick_next,
	.charge = xe_charge,
};
