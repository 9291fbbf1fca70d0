/*
 * myspatial - a template for a *spatial* policy (docs/policies.md, "Spatial policies"; docs/spatial.md):
 * one that shares a domain's engines between its vGPUs at once, as MPS does, by filling the ops
 * table's `admit` hook.  This one is "fair residency": each vGPU may have at most `per_vgpu` kernels on
 * an engine at once, and among the ready kernels the vGPUs with the fewest running go first (ties: the
 * oldest kernel).  Like every policy it includes libc and policies/vgs_policy.h only, never reads a
 * clock, keeps its state in s->priv, and is deterministic.
 *
 *   make examples     # builds build/examples/libmyspatial.so
 *   ./vgpusim run tests/e2e/scenarios/spatial.cfg -p ./build/examples/libmyspatial.so
 *   (parameters: scheduler.myspatial = { per_vgpu = 2; };)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "policies/vgs_policy.h"

struct ms {
	unsigned long per_vgpu;
	uint32_t *count;          /* per vGPU id: kernels running or admitted in this call */
	uint32_t cap;
};

static const struct vgs_policy_param ms_params[] = {
	{ "per_vgpu", "1", "kernels one vGPU may run at once on an engine, 1..128" },
	{ NULL, NULL, NULL },
};

static int ms_init(struct vgs_sched *s)
{
	struct ms *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->per_vgpu = 1;
	s->priv = m;
	return 0;
}

static void ms_fini(struct vgs_sched *s)
{
	struct ms *m = s->priv;

	free(m->count);
	free(m);
}

static int ms_set_param(struct vgs_sched *s, const char *key, const char *value)
{
	struct ms *m = s->priv;
	char *end;
	unsigned long v;

	if (strcmp(key, "per_vgpu") != 0)
		return -ENOENT;
	if (*value < '0' || *value > '9')
		return -EINVAL;
	v = strtoul(value, &end, 10);
	if (*end || v < 1 || v > 128)
		return -EINVAL;
	m->per_vgpu = v;
	return 0;
}

static int ms_add_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	struct ms *m = s->priv;
	uint32_t *c;

	if (v->id < m->cap)
		return 0;
	c = realloc(m->count, (v->id + 1) * sizeof(*c));
	if (!c)
		return -ENOMEM;
	m->count = c;
	m->cap = v->id + 1;
	return 0;
}

/* Never called for a spatial policy (nothing owns the domain), but the table needs them. */
static struct vgs_vgpu *ms_pick_next(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns)
{
	*slice_ns = 0;
	return NULL;
}

static void ms_charge(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
		      enum vgs_charge_reason reason)
{
}

static uint32_t ms_admit(struct vgs_sched *s, const struct vgs_engine_view *view, uint64_t now_ns, uint8_t *start)
{
	struct ms *m = s->priv;
	uint32_t n = 0;

	memset(m->count, 0, m->cap * sizeof(*m->count));
	for (uint32_t i = 0; i < view->nrunning; i++)
		m->count[view->running[i].vgpu->id]++;
	/* Repeatedly take the oldest ready kernel of a vGPU with the fewest kernels, while there is room. */
	while (n < view->slots) {
		int best = -1;

		for (uint32_t i = 0; i < view->nready; i++) {
			uint32_t c = m->count[view->ready[i].vgpu->id];

			if (start[i] || c >= m->per_vgpu)
				continue;
			if (best < 0 || c < m->count[view->ready[best].vgpu->id])
				best = (int)i;
		}
		if (best < 0)
			break;
		start[best] = 1;
		m->count[view->ready[best].vgpu->id]++;
		n++;
	}
	return n;
}

const struct vgs_policy_ops vgs_policy_ops = {
	.name = "myspatial",
	.summary = "spatial template: at most per_vgpu kernels per vGPU at once, fewest running first",
	.params = ms_params,
	.init = ms_init,
	.fini = ms_fini,
	.set_param = ms_set_param,
	.add_vgpu = ms_add_vgpu,
	.pick_next = ms_pick_next,
	.charge = ms_charge,
	.admit = ms_admit,
};
