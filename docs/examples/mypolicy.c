/*
 * mypolicy - a template for a scheduling policy built as a shared object (docs/policies.md).
 *
 * "Least charged first": the runnable vGPU that has owned the domain least, per unit of weight,
 * runs next, for one slice.  Ties go to the lower id.  It is a complete, usable policy: over time
 * each busy vGPU's charged_ns / weight evens out (a simple weighted fair share without carry bound:
 * a vGPU back from a long idle period runs until it has caught up).
 *
 * Build:   cc -shared -fPIC -I. docs/examples/mypolicy.c -o libmypolicy.so   (or `make examples`)
 * Use:     scheduler = { policy = "./build/examples/libmypolicy.so"; };
 *          mypolicy = { slice_us = 1000; };          # parameters: a group named after .name
 *
 * Rules the simulator and the hardware executor rely on (policies/vgs_policy.h):
 *   - libc and policies/vgs_policy.h only; no clock (time arrives as now_ns), no I/O;
 *   - no global mutable state: keep everything in s->priv (and v->priv if per vGPU);
 *   - return 0 or a negative errno, never abort;
 *   - export the table under the name vgs_policy_ops (VGS_POLICY_SYMBOL).
 * The vgpusim binary is linked with -rdynamic, so a policy may also call vgs_sched_* and
 * vgs_charge_reason_name(); this one needs none of them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/vgs_policy.h"

struct my_sched {
	uint64_t slice_ns;
};

static const struct vgs_policy_param my_params[] = {
	{ "slice_us", "1000", "time slice in us, 1..1000000" },
	{ NULL, NULL, NULL },
};

static int my_init(struct vgs_sched *s)
{
	struct my_sched *my = calloc(1, sizeof(*my));

	if (!my)
		return -ENOMEM;
	my->slice_ns = 1000 * 1000ull;
	s->priv = my;
	return 0;
}

static void my_fini(struct vgs_sched *s)
{
	free(s->priv);
	s->priv = NULL;
}

static int my_set_param(struct vgs_sched *s, const char *key, const char *value)
{
	struct my_sched *my = s->priv;
	unsigned long long x;
	char *end;

	if (strcmp(key, "slice_us") != 0)
		return -ENOENT;
	if (*value < '0' || *value > '9')	/* strtoull would accept " -1" */
		return -EINVAL;
	errno = 0;
	x = strtoull(value, &end, 10);
	if (errno || *end || x < 1 || x > 1000000)
		return -EINVAL;
	my->slice_ns = x * 1000;
	return 0;
}

static int my_add_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	return 0;	/* no per-vGPU state: the loop keeps v->charged_ns for us */
}

/* O(N) scan; the loop has already added the last slice to charged_ns when this runs. */
static struct vgs_vgpu *my_pick_next(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns)
{
	struct my_sched *my = s->priv;
	struct vgs_vgpu *best = NULL;
	uint64_t best_norm = 0;

	for (uint32_t i = 0; i < s->nvgpus; i++) {
		struct vgs_vgpu *v = s->vgpus[i];
		uint64_t norm = v->charged_ns / (v->weight ? v->weight : 1);

		if (v->runnable && (!best || norm < best_norm)) {
			best = v;
			best_norm = norm;
		}
	}
	*slice_ns = best ? my->slice_ns : 0;	/* 0 with NULL: idle until a vGPU is runnable */
	return best;
}

static void my_charge(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
		      enum vgs_charge_reason reason)
{
	/* nothing to do: v->charged_ns already includes ran_ns */
}

const struct vgs_policy_ops vgs_policy_ops = {
	.name = "mypolicy",
	.summary = "least charged (per weight) first: a template for user policies",
	.params = my_params,
	.init = my_init,
	.fini = my_fini,
	.set_param = my_set_param,
	.add_vgpu = my_add_vgpu,
	.pick_next = my_pick_next,
	.charge = my_charge,
};
