/*
 * spread - the GPU that will be least busy: the lowest measured load (busy fraction of its busiest
 * engine class under its current tenants) plus the request's own solo demand, then the fewest tenants,
 * then the most free capacity, then the lower index.  Interference-averse placement, the opposite of
 * bin packing (the Kubernetes scheduler's LeastAllocated scoring; load-aware GPU schedulers such as
 * Gandiva's).  O(GPUs).
 */
#include "policies/placement/vgs_place.h"

static uint32_t sp_place(struct vgs_place *p, const struct vgs_place_view *v, const struct vgs_place_req *r)
{
	uint32_t best = VGS_PLACE_QUEUE;
	double best_load = 0, best_free = 0;
	uint32_t best_n = 0;

	for (uint32_t g = 0; g < v->ngpus; g++) {
		const struct vgs_place_gpu *gp = &v->gpus[g];
		double load, free_units;

		if (!vgs_place_fits(v, gp, r, NULL))
			continue;
		load = gp->load + r->demand;
		free_units = vgs_place_free_units(gp);
		if (best == VGS_PLACE_QUEUE || load < best_load ||
		    (load == best_load && (gp->ntenants < best_n || (gp->ntenants == best_n && free_units > best_free)))) {
			best = g;
			best_load = load;
			best_n = gp->ntenants;
			best_free = free_units;
		}
	}
	return best;
}

const struct vgs_place_ops vgs_place_spread = {
	.name = "spread",
	.summary = "the GPU with the lowest measured load, then the fewest tenants",
	.place = sp_place,
};
