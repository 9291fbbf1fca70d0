/*
 * fgd - Fragmentation Gradient Descent (Q. Weng, L. Yang, Y. Yu, W. Wang, X. Tang, G. Yang, L. Zhang,
 * "Beware of Fragmentation: Scheduling GPU-Sharing Workloads with Fragmentation Gradient Descent",
 * USENIX ATC '23; the scheduler plug-in of github.com/hkust-adsl/kubernetes-scheduler-simulator).
 *
 * The fragmentation of a GPU under the workload M is F_g(M) = sum_m p_m F_g(m): the free capacity a
 * request of class m could not use there, weighted by m's popularity p_m (vgs_place_frag; the pool
 * hands the policy the classes and their shares of the arrivals so far).  FGD places a request where
 * it makes the fragmentation grow least -- the steepest descent of sum_g F_g(M):
 *
 *     g* = argmin_g  F_g'(M) - F_g(M)          g' = g after taking the request
 *
 * over the GPUs it fits, ties to the GPU left with the least free capacity (best fit), then the lower
 * index.  The paper scores nodes of several GPUs; here each GPU is scored on its own (a pool's GPU is
 * the unit a vGPU is placed on), and the capacity is the GPU's free framebuffer (time-sliced vGPUs,
 * the paper's gpu_milli) or its free MIG compute slices.  O(GPUs x classes).
 */
#include "policies/placement/vgs_place.h"

static uint32_t fgd_place(struct vgs_place *p, const struct vgs_place_view *v, const struct vgs_place_req *r)
{
	uint32_t best = VGS_PLACE_QUEUE, start;
	double best_delta = 0, best_left = 0;

	for (uint32_t g = 0; g < v->ngpus; g++) {
		struct vgs_place_gpu after = v->gpus[g];
		double delta, left;

		if (!vgs_place_fits(v, &after, r, &start))
			continue;
		vgs_place_take(v, &after, r, start);
		delta = vgs_place_frag(v, &after) - vgs_place_frag(v, &v->gpus[g]);
		left = vgs_place_free_units(&after);
		if (best == VGS_PLACE_QUEUE || delta < best_delta - 1e-12 ||
		    (delta <= best_delta + 1e-12 && left < best_left)) {
			best = g;
			best_delta = delta;
			best_left = left;
		}
	}
	return best;
}

const struct vgs_place_ops vgs_place_fgd = {
	.name = "fgd",
	.summary = "fragmentation gradient descent (Weng et al., ATC '23)",
	.place = fgd_place,
};
