/*
 * best-fit - bin packing: the GPU that the request leaves with the least free capacity (free
 * framebuffer for a time-sliced vGPU, then fewer free slots; free compute slices for a MIG instance),
 * ties to the lower index.  It keeps empty GPUs empty for large requests -- the classic heuristic the
 * Kubernetes scheduler's MostAllocated scoring and GPU "binpack" plug-ins (HAMi, Volcano) implement.
 * O(GPUs).
 */
#include "policies/placement/vgs_place.h"

static uint32_t bf_place(struct vgs_place *p, const struct vgs_place_view *v, const struct vgs_place_req *r)
{
	uint32_t best = VGS_PLACE_QUEUE, start;
	double best_left = 0;
	uint32_t best_slots = 0;

	for (uint32_t g = 0; g < v->ngpus; g++) {
		struct vgs_place_gpu after = v->gpus[g];
		double left;

		if (!vgs_place_fits(v, &after, r, &start))
			continue;
		vgs_place_take(v, &after, r, start);
		left = after.mig ? (double)after.mig_cfree : (double)after.fb_free_bytes;
		if (best == VGS_PLACE_QUEUE || left < best_left || (left == best_left && after.slots_free < best_slots)) {
			best = g;
			best_left = left;
			best_slots = after.slots_free;
		}
	}
	return best;
}

const struct vgs_place_ops vgs_place_best_fit = {
	.name = "best-fit",
	.summary = "bin packing: the GPU left with the least free capacity",
	.place = bf_place,
};
