/*
 * weighted - proportional share by integer weight, with CFS-style virtual runtime.
 *
 * Each vGPU v keeps a virtual runtime: the time it owned the domain, scaled by the reference weight
 * over its own weight (WT_WEIGHT_REF = 1024, CFS's NICE_0_LOAD):
 *
 *     vruntime_v += ran_ns * 1024 / weight_v                                            (1)
 *
 * and the runnable vGPU with the least vruntime owns the domain next (ties: lower id), for one slice.
 * While vGPUs i and j are both runnable, picking the least vruntime keeps |vruntime_i - vruntime_j|
 * below one slice (plus overrun) of virtual time, so by (1) their real times satisfy
 * ran_i / w_i - ran_j / w_j = O(slice): each vGPU's share converges to w_v / sum(w) of the time
 * they are all runnable, with an absolute error of O(slice / interval).
 *
 * Debt.  A slice that overran (command-granularity preemption) is charged in full by (1): the vGPU's
 * vruntime moves ahead of the others' and it waits until they have caught up, so overrun is paid back.
 *
 * Bounded carry of unused time.  A vGPU that had no work for a while kept its old, small vruntime;
 * taken as is, it would then own the domain until it caught up with everyone, however long it slept.
 * CFS bounds this by placing a waking entity at min_vruntime minus a bounded credit; so do we.  When v
 * becomes runnable:
 *
 *     vruntime_v = max(vruntime_v, min_vruntime - carry_ns * 1024 / weight_v)           (2)
 *
 * where min_vruntime is a monotonic floor that follows the least vruntime of the vGPUs that are
 * runnable (or were just charged).  The credit is carry_ns of *real* time: by (1), v must run
 * carry_ns before its vruntime rises by carry_ns * 1024 / weight_v.
 *
 * Bound.  Say B wakes while A (alone so far) owns the domain.  The floor is A's vruntime at its
 * previous charge (a policy sees no time pass inside a slice), so after A's current slice of at most
 * S + O (slice plus overrun) A is ahead of B by carry_ns * 1024 / w_B + (S + O) * 1024 / w_A.  B runs
 * until it is no longer behind, i.e. for carry_ns + (S + O) * w_B / w_A of real time, plus at most
 * one more slice of its own (S + O): A waits at most
 *
 *     carry_ns + (S + O) * (1 + w_B / w_A)                                               (3)
 *
 * however long B slept; the (S + O) * w_B / w_A term is what plain proportional share gives B anyway,
 * so the carried-over unused time is exactly carry_ns.  tests/unit/test_policies.c asserts (3).
 * The default carry is
 * GVT-g's balance period (GVT_TS_BALANCE_PERIOD_MS = 100 ms, i915 gvt/sched_policy.c), the horizon
 * over which GVT-g carries unused time slice and debt.
 *
 * Wrap safety.  vruntimes are compared by signed difference, (int64_t)(a - b) < 0, as CFS does, so
 * the order stays right when the counters wrap.  (1) is computed exactly without 128-bit arithmetic:
 * with ran = q*w + r (r < w < 2^32), ran*1024/w = q*1024 + (r*1024 + rem)/w, where rem < w is the
 * remainder kept from the previous charge, so rounding never accumulates and r*1024 + rem < 2^43.
 *
 * Defaults: slice 1 ms = GVT-g's time slice (GVT_DEFAULT_TIME_SLICE / its 1 ms scheduler timer,
 * i915 gvt/sched_policy.c).  Picks and charges are O(N) in the number of vGPUs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/vgs_policy.h"

#define WT_WEIGHT_REF 1024ull		/* CFS NICE_0_LOAD: the weight whose vruntime is real time */
#define WT_SLICE_MAX_US 1000000ull	/* 1 s */
#define WT_CARRY_MAX_US 60000000ull	/* 60 s */

struct wt_sched {
	uint64_t slice_ns;
	uint64_t carry_ns;
	uint64_t min_vruntime;
};

struct wt_vgpu {
	uint64_t vruntime;
	uint64_t rem;	/* remainder of (1), < weight */
};

static const struct vgs_policy_param wt_params[] = {
	{ "slice_us", "1000", "time slice in us, 1..1000000; default 1 ms = GVT-g's time slice" },
	{ "carry_us", "100000",
	  "unused time a vGPU back from idle may reclaim, in us, 0..60000000; default 100 ms = GVT-g's "
	  "balance period (GVT_TS_BALANCE_PERIOD_MS)" },
	{ NULL, NULL, NULL },
};

/* a before b in virtual time, wrap-safe */
static bool wt_before(uint64_t a, uint64_t b)
{
	return (int64_t)(a - b) < 0;
}

/* Virtual time for ran_ns of real time at weight w, see (1); updates the remainder. */
static uint64_t wt_vdelta(uint64_t ran_ns, uint32_t w, uint64_t *rem)
{
	uint64_t q = ran_ns / w, r = ran_ns % w;
	uint64_t t = r * WT_WEIGHT_REF + *rem;

	*rem = t % w;
	return q * WT_WEIGHT_REF + t / w;
}

/* carry_ns of real time in v's virtual time, see (2); saturates instead of wrapping. */
static uint64_t wt_vcarry(uint64_t carry_ns, uint32_t w)
{
	uint64_t q = carry_ns / w, r = carry_ns % w;

	if (q > (UINT64_MAX >> 12))
		return UINT64_MAX >> 2;
	return q * WT_WEIGHT_REF + r * WT_WEIGHT_REF / w;
}

static int wt_init(struct vgs_sched *s)
{
	struct wt_sched *wt = calloc(1, sizeof(*wt));

	if (!wt)
		return -ENOMEM;
	wt->slice_ns = 1000 * 1000ull;
	wt->carry_ns = 100000 * 1000ull;
	s->priv = wt;
	return 0;
}

static int wt_set_param(struct vgs_sched *s, const char *key, const char *value)
{
	struct wt_sched *wt = s->priv;
	uint64_t x;
	int ret;

	if (strcmp(key, "slice_us") == 0) {
		ret = vgs_param_u64(value, 1, WT_SLICE_MAX_US, &x);
		if (!ret)
			wt->slice_ns = x * 1000;
		return ret;
	}
	if (strcmp(key, "carry_us") == 0) {
		ret = vgs_param_u64(value, 0, WT_CARRY_MAX_US, &x);
		if (!ret)
			wt->carry_ns = x * 1000;
		return ret;
	}
	return -ENOENT;
}

/* A new vGPU starts level with the floor, like a new CFS task (place_entity). */
static int wt_add_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	struct wt_sched *wt = s->priv;
	struct wt_vgpu *wv;

	if (v->weight < 1)
		return -EINVAL;
	wv = calloc(1, sizeof(*wv));
	if (!wv)
		return -ENOMEM;
	wv->vruntime = wt->min_vruntime;
	v->priv = wv;
	return 0;
}

static void wt_remove_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	free(v->priv);
	v->priv = NULL;
}

/* Raise the floor to the least vruntime among the runnable vGPUs and `also` (may be NULL). */
static void wt_update_min(struct vgs_sched *s, const struct vgs_vgpu *also)
{
	struct wt_sched *wt = s->priv;
	const struct wt_vgpu *least = also ? also->priv : NULL;

	for (uint32_t i = 0; i < s->nvgpus; i++) {
		const struct wt_vgpu *wv = s->vgpus[i]->priv;

		if (s->vgpus[i]->runnable && (!least || wt_before(wv->vruntime, least->vruntime)))
			least = wv;
	}
	if (least && wt_before(wt->min_vruntime, least->vruntime))
		wt->min_vruntime = least->vruntime;
}

/* (2): bounded carry-over for a vGPU back from idle.  Never preempts: the slice is short. */
static bool wt_runnable(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t now_ns)
{
	struct wt_sched *wt = s->priv;
	struct wt_vgpu *wv = v->priv;
	uint64_t floor = wt->min_vruntime - wt_vcarry(wt->carry_ns, v->weight);

	if (wt_before(wv->vruntime, floor))
		wv->vruntime = floor;
	return false;
}

static struct vgs_vgpu *wt_pick_next(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns)
{
	struct wt_sched *wt = s->priv;
	struct vgs_vgpu *best = NULL;

	for (uint32_t i = 0; i < s->nvgpus; i++) {
		struct vgs_vgpu *v = s->vgpus[i];

		if (!v->runnable)
			continue;
		if (!best || wt_before(((struct wt_vgpu *)v->priv)->vruntime,
				       ((struct wt_vgpu *)best->priv)->vruntime))
			best = v;
	}
	*slice_ns = best ? wt->slice_ns : 0;
	return best;
}

static void wt_charge(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
		      enum vgs_charge_reason reason)
{
	struct wt_vgpu *wv = v->priv;

	wv->vruntime += wt_vdelta(ran_ns, v->weight ? v->weight : 1, &wv->rem);
	wt_update_min(s, v);
}

const struct vgs_policy_ops vgs_policy_weighted = {
	.name = "weighted",
	.summary = "proportional share by weight (CFS virtual runtime, GVT-g 1 ms slice, 100 ms carry)",
	.params = wt_params,
	.init = wt_init,
	.fini = vgs_sched_free_priv,
	.set_param = wt_set_param,
	.add_vgpu = wt_add_vgpu,
	.remove_vgpu = wt_remove_vgpu,
	.runnable = wt_runnable,
	.pick_next = wt_pick_next,
	.charge = wt_charge,
};
