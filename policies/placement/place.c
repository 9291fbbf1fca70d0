/*
 * The placement core: initialising a policy, what fits where, and the fragmentation measure of Weng et
 * al. (ATC '23) that the fgd policy descends and the pool reports.  Libc only, no global mutable state.
 * The built-ins are named in builtins.c (calls go one way: the policies call this file).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/placement/vgs_place.h"
#include "policies/vgs_policy.h"

#define GIB 1073741824.0

int vgs_place_init(struct vgs_place *p, const struct vgs_place_ops *ops, const struct vgs_place_kv *kv, size_t n,
		   int *bad)
{
	int ret = 0;

	if (bad)
		*bad = -1;
	if (!p || !ops || !ops->name || !ops->place)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->ops = ops;
	if (ops->init && (ret = ops->init(p)) != 0)
		goto err;
	for (size_t i = 0; i < n; i++) {
		ret = ops->set_param && kv[i].key && kv[i].value ? ops->set_param(p, kv[i].key, kv[i].value) : -ENOENT;
		if (ret) {
			if (bad)
				*bad = (int)i;
			if (ops->fini)
				ops->fini(p);
			goto err;
		}
	}
	return 0;
err:
	memset(p, 0, sizeof(*p));
	return ret < 0 ? ret : -EINVAL;
}

void vgs_place_fini(struct vgs_place *p)
{
	if (!p || !p->ops)
		return;
	if (p->ops->fini)
		p->ops->fini(p);
	memset(p, 0, sizeof(*p));
}

/* Memory slices [s, s + n) as a mask (n <= VGS_PLACE_MAX_SLICES). */
static uint32_t slice_mask(uint32_t s, uint32_t n)
{
	uint32_t m = n >= 32 ? UINT32_MAX : (1u << n) - 1;

	return s >= 32 ? 0 : m << s;
}

bool vgs_place_fits(const struct vgs_place_view *v, const struct vgs_place_gpu *g, const struct vgs_place_req *r,
		    uint32_t *start)
{
	if (start)
		*start = 0;
	if (!g || !r || g->draining || (r->class_mask & ~g->class_mask))
		return false;
	if (r->mig < 0)
		return !g->mig && g->slots_free > 0 && g->fb_free_bytes >= r->fb_bytes;
	if (!g->mig || !v || (uint32_t)r->mig >= v->nmig)
		return false;
	const struct vgs_place_mig *m = &v->mig[r->mig];

	if (m->cslices > g->mig_cfree)
		return false;
	for (uint32_t s = 0; s + m->mslices <= g->mig_mslices && s < VGS_PLACE_MAX_SLICES; s++) {
		uint32_t need = slice_mask(s, m->mslices);

		if ((m->placements & (1u << s)) && (g->mig_mfree & need) == need) {
			if (start)
				*start = s;
			return true;
		}
	}
	return false;
}

void vgs_place_take(const struct vgs_place_view *v, struct vgs_place_gpu *g, const struct vgs_place_req *r,
		    uint32_t start)
{
	g->ntenants++;
	if (r->mig < 0) {
		g->slots_free--;
		g->fb_free_bytes -= r->fb_bytes;
		return;
	}
	g->mig_cfree -= v->mig[r->mig].cslices;
	g->mig_mfree &= ~slice_mask(start, v->mig[r->mig].mslices);
}

double vgs_place_free_units(const struct vgs_place_gpu *g)
{
	if (g->mig)
		return g->mig_cfree;
	return g->slots_free ? (double)g->fb_free_bytes / GIB : 0.0;
}

/*
 * F_g(M) = sum_m p_m F_g(m), F_g(m) = the free capacity of g when m cannot be placed on it, else 0
 * (Weng et al., ATC '23, Sec. 4.2, at the granularity of one GPU).  O(classes).  A time-sliced GPU
 * whose slots are all taken strands all of its free framebuffer: no class fits there any more.
 */
double vgs_place_frag(const struct vgs_place_view *v, const struct vgs_place_gpu *g)
{
	double free_units = g->mig ? (double)g->mig_cfree : (double)g->fb_free_bytes / GIB, f = 0;
	struct vgs_place_gpu probe = *g;

	if (free_units <= 0 || !v || !v->nclasses)
		return 0;
	probe.draining = false;
	for (uint32_t m = 0; m < v->nclasses; m++) {
		const struct vgs_place_req *c = &v->classes[m];

		/* A class of the other kind (MIG vs time-sliced) never lands here: it does not strand this
		 * GPU's capacity, it is simply someone else's demand. */
		if ((c->mig >= 0) != g->mig)
			continue;
		if (!vgs_place_fits(v, &probe, c, NULL))
			f += v->class_share[m] * free_units;
	}
	return f;
}

int vgs_place_param_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	return vgs_param_u64(text, min, max, out); /* one parser for both plug-in interfaces */
}
