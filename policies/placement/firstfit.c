/*
 * first-fit - the lowest-numbered GPU that can take the request (Kubernetes' device plugins and
 * Slurm's GRES walk devices in order and take the first that has room).  O(GPUs).
 */
#include "policies/placement/vgs_place.h"

static uint32_t ff_place(struct vgs_place *p, const struct vgs_place_view *v, const struct vgs_place_req *r)
{
	for (uint32_t g = 0; g < v->ngpus; g++)
		if (vgs_place_fits(v, &v->gpus[g], r, NULL))
			return g;
	return VGS_PLACE_QUEUE;
}

const struct vgs_place_ops vgs_place_first_fit = {
	.name = "first-fit",
	.summary = "the lowest-numbered GPU with room",
	.place = ff_place,
};
