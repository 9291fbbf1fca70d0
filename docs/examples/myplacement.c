/*
 * myplacement - a template for a placement policy built as a shared object (docs/pools.md).
 *
 * "Load-capped packing": a request goes to the fullest GPU (least free capacity left after it, as
 * best-fit) among those whose measured load stays below `max_load_pct` with it; when none does, to
 * the least loaded GPU that fits; when nothing fits, it queues.  Every `pool.rebalance_s` it also
 * consolidates: a GPU that holds a single tenant hands it to the fullest other GPU of the same host
 * that can take it (at most `moves` migrations per call), so that whole GPUs free up.
 *
 * Build:   cc -shared -fPIC -I. docs/examples/myplacement.c -o libmyplacement.so   (or `make examples`)
 * Use:     pool = { placement = "./build/examples/libmyplacement.so";
 *                   myplacement = { max_load_pct = 80; moves = 2; };   # a group named after the file
 *                   rebalance_s = 600.0; ... };
 *          or:  vgpusim pool CONFIG --placement ./build/examples/libmyplacement.so
 *
 * Rules the pool relies on (policies/placement/vgs_place.h):
 *   - libc and policies/placement/vgs_place.h only; no clock (time arrives in view->now_ns), no I/O;
 *   - no global mutable state: keep everything in p->priv;
 *   - return 0 or a negative errno, never abort; a GPU that cannot take a request is treated as a
 *     "queue" answer, so check with vgs_place_fits();
 *   - export the table under the name vgs_place_ops (VGS_PLACE_SYMBOL).
 * The vgpusim binary is linked with -rdynamic, so the policy may call the vgs_place_* helpers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/placement/vgs_place.h"

struct my_place {
	double max_load;     /* 0..1 */
	uint32_t moves;      /* migrations per rebalance */
};

static const struct vgs_place_param my_params[] = {
	{ "max_load_pct", "80", "pack onto a GPU only while its measured load stays below this %, 1..100" },
	{ "moves", "1", "consolidating migrations per rebalance, 0..64 (0: never migrate)" },
	{ NULL, NULL, NULL },
};

static int my_init(struct vgs_place *p)
{
	struct my_place *my = calloc(1, sizeof(*my));

	if (!my)
		return -ENOMEM;
	my->max_load = 0.8;
	my->moves = 1;
	p->priv = my;
	return 0;
}

static void my_fini(struct vgs_place *p)
{
	free(p->priv);
	p->priv = NULL;
}

static int my_set_param(struct vgs_place *p, const char *key, const char *value)
{
	struct my_place *my = p->priv;
	uint64_t x;

	if (strcmp(key, "max_load_pct") == 0) {
		if (vgs_place_param_u64(value, 1, 100, &x))
			return -EINVAL;
		my->max_load = x / 100.0;
		return 0;
	}
	if (strcmp(key, "moves") == 0) {
		if (vgs_place_param_u64(value, 0, 64, &x))
			return -EINVAL;
		my->moves = (uint32_t)x;
		return 0;
	}
	return -ENOENT;
}

/* Free capacity g would have left after taking r (vgs_place_free_units of the GPU after). */
static double left_after(const struct vgs_place_view *v, const struct vgs_place_gpu *g, const struct vgs_place_req *r,
			 uint32_t start)
{
	struct vgs_place_gpu after = *g;

	vgs_place_take(v, &after, r, start);
	return after.mig ? after.mig_cfree : (double)after.fb_free_bytes;
}

static uint32_t my_place(struct vgs_place *p, const struct vgs_place_view *v, const struct vgs_place_req *r)
{
	const struct my_place *my = p->priv;
	uint32_t packed = VGS_PLACE_QUEUE, calm = VGS_PLACE_QUEUE, start;
	double packed_left = 0, calm_load = 0;

	for (uint32_t g = 0; g < v->ngpus; g++) {
		const struct vgs_place_gpu *gp = &v->gpus[g];
		double load = gp->load + r->demand, left;

		if (!vgs_place_fits(v, gp, r, &start))
			continue;
		left = left_after(v, gp, r, start);
		if (load < my->max_load && (packed == VGS_PLACE_QUEUE || left < packed_left)) {
			packed = g;
			packed_left = left;
		}
		if (calm == VGS_PLACE_QUEUE || load < calm_load) {
			calm = g;
			calm_load = load;
		}
	}
	return packed != VGS_PLACE_QUEUE ? packed : calm;
}

static uint32_t my_rebalance(struct vgs_place *p, const struct vgs_place_view *v, const struct vgs_place_tenant *t,
			     uint32_t nt, struct vgs_place_move *moves, uint32_t max)
{
	const struct my_place *my = p->priv;
	uint32_t n = 0;

	for (uint32_t i = 0; i < nt && n < max && n < my->moves; i++) {
		const struct vgs_place_gpu *from = &v->gpus[t[i].gpu];
		uint32_t best = VGS_PLACE_QUEUE, start;
		double best_left = 0;

		if (t[i].migrating || from->ntenants != 1)
			continue;
		for (uint32_t g = 0; g < v->ngpus; g++) {
			const struct vgs_place_gpu *gp = &v->gpus[g];
			double left;

			/* only onto a GPU that already works: consolidating onto an empty one frees nothing */
			if (g == t[i].gpu || gp->host != from->host || gp->ntenants == 0 ||
			    !vgs_place_fits(v, gp, &t[i].req, &start))
				continue;
			left = left_after(v, gp, &t[i].req, start);
			if (best == VGS_PLACE_QUEUE || left < best_left) {
				best = g;
				best_left = left;
			}
		}
		if (best != VGS_PLACE_QUEUE) {
			moves[n].tenant = i;
			moves[n].gpu = best;
			n++;
		}
	}
	return n;
}

const struct vgs_place_ops vgs_place_ops = {
	.name = "myplacement",
	.summary = "template: load-capped packing, consolidates single tenants",
	.params = my_params,
	.init = my_init,
	.fini = my_fini,
	.set_param = my_set_param,
	.place = my_place,
	.rebalance = my_rebalance,
};
