/*
 * gvtg - Intel GVT-g's time-based scheduler (TBS), as in Linux drivers/gpu/drm/i915/gvt/sched_policy.c
 * (tbs_schedule_ops).  The kernel's names are kept in the comments; its constants are the defaults.
 *
 * Budget.  Every balance period (GVT_TS_BALANCE_PERIOD_MS = 100 ms) gvt_balance_timeslice() hands
 * each vGPU of the domain its share of the period by weight:
 *
 *     allocated_v = period * weight_v / sum(weight)                                        (1)
 *
 * The balance runs in stages, stage = k mod GVT_TS_BALANCE_STAGE_NUM (10) for the k-th balance.  At
 * stage 0 the budget is reset, "allocated again without adding previous debt": left_v = allocated_v.
 * At the other stages it is carried over, "the left/debt slice of previous stages": left_v +=
 * allocated_v.  So unused time and overspending are carried for at most 10 periods (1 s), then
 * forgotten.  Every ns a vGPU owns the domain is taken off left_v (vgpu_update_timeslice).
 *
 * Pick (find_busy_vgpu, tbs_sched_func).  The vGPUs are kept in an LRU list.  The first vGPU in it
 * that has work and either is still boosted (below) or has budget left (left_v > 0) is picked, and
 * moved to the tail of the list unless boosted.  If none qualifies the domain idles (the kernel
 * schedules its idle vGPU), even when vGPUs with work but no budget wait: GVT-g caps each vGPU at
 * its weighted share of every period (plus carried time), it is not work-conserving.
 *
 * Tick.  The kernel decides on a 1 ms timer (GVT_DEFAULT_TIME_SLICE), so a pick owns the domain up to
 * the next tick of a 1 ms grid that starts at the first pick; an owner that overspends its budget
 * before the tick goes into debt, repaid by (1) at the next stages.  An owner that runs dry before
 * the tick gives the domain back at once (the kernel's workload-completion kick).
 *
 * Switch.  try_to_schedule_next_vgpu() switches only when no engine still runs a workload of the
 * current vGPU.  That is the mechanism of a "gpu" scheduling domain with command-granularity
 * engines (the gvtg preset sets domain = "gpu"): the policy only decides.
 *
 * Boost.  A vGPU that starts being scheduled gets GVT_SCHED_VGPU_PRI_TIME = 2 s of priority
 * (pri_sched): while boosted it is picked whenever it has work, ahead of the budget check, and it is
 * not moved to the tail.  New vGPUs enter the LRU list at its head (list_add), so when several start
 * at once the last one added is first.  Here every vGPU starts at the domain's first pick.
 *
 * Weights: GVT-g's vGPU types carry weights 1..16 (VGPU_MAX_WEIGHT = 16, gvt/vgpu.c); larger integer
 * weights work the same way by (1).  Picks are O(N), balances O(N).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/vgs_policy.h"

#define GT_TICK_US 1000ull		/* GVT_DEFAULT_TIME_SLICE: 1 ms timer */
#define GT_PERIOD_MS 100ull		/* GVT_TS_BALANCE_PERIOD_MS */
#define GT_STAGES 10ull			/* GVT_TS_BALANCE_STAGE_NUM */
#define GT_BOOST_MS 2000ull		/* GVT_SCHED_VGPU_PRI_TIME: 2 s */
#define GT_TICK_MAX_US 1000000ull	/* 1 s */
#define GT_PERIOD_MAX_MS 60000ull	/* 60 s */
#define GT_STAGES_MAX 1000ull
#define GT_BOOST_MAX_MS 3600000ull	/* 1 h */

struct gt_sched {
	uint64_t tick_ns;
	uint64_t period_ns;
	uint64_t stages;
	uint64_t boost_ns;
	uint64_t t0;			/* first pick, VGS_SCHED_NO_TIME before */
	uint64_t next_balance_ns;
	uint64_t nbalances;		/* stage = nbalances % stages */
	uint32_t *lru;			/* vGPU ids, head first */
	uint32_t nlru;
};

struct gt_vgpu {
	int64_t left_ns;		/* budget left; negative: debt */
	uint64_t boost_until_ns;
};

static const struct vgs_policy_param gt_params[] = {
	{ "tick_us", "1000", "scheduler timer period in us, 1..1000000 (GVT_DEFAULT_TIME_SLICE, 1 ms)" },
	{ "balance_ms", "100", "balance period in ms, 1..60000 (GVT_TS_BALANCE_PERIOD_MS)" },
	{ "stages", "10",
	  "balances per budget reset, 1..1000 (GVT_TS_BALANCE_STAGE_NUM): left/debt is carried for stages-1 periods" },
	{ "boost_ms", "2000", "priority of a newly started vGPU, in ms, 0..3600000 (GVT_SCHED_VGPU_PRI_TIME, 2 s)" },
	{ NULL, NULL, NULL },
};

static int gt_init(struct vgs_sched *s)
{
	struct gt_sched *gt = calloc(1, sizeof(*gt));

	if (!gt)
		return -ENOMEM;
	gt->tick_ns = GT_TICK_US * 1000;
	gt->period_ns = GT_PERIOD_MS * 1000000;
	gt->stages = GT_STAGES;
	gt->boost_ns = GT_BOOST_MS * 1000000;
	gt->t0 = VGS_SCHED_NO_TIME;
	s->priv = gt;
	return 0;
}

static void gt_fini(struct vgs_sched *s)
{
	struct gt_sched *gt = s->priv;

	if (gt)
		free(gt->lru);
	vgs_sched_free_priv(s);
}

static int gt_set_param(struct vgs_sched *s, const char *key, const char *value)
{
	struct gt_sched *gt = s->priv;
	uint64_t x;
	int ret;

	if (strcmp(key, "tick_us") == 0) {
		ret = vgs_param_u64(value, 1, GT_TICK_MAX_US, &x);
		if (!ret)
			gt->tick_ns = x * 1000;
		return ret;
	}
	if (strcmp(key, "balance_ms") == 0) {
		ret = vgs_param_u64(value, 1, GT_PERIOD_MAX_MS, &x);
		if (!ret)
			gt->period_ns = x * 1000000;
		return ret;
	}
	if (strcmp(key, "stages") == 0)
		return vgs_param_u64(value, 1, GT_STAGES_MAX, &gt->stages);
	if (strcmp(key, "boost_ms") == 0) {
		ret = vgs_param_u64(value, 0, GT_BOOST_MAX_MS, &x);
		if (!ret)
			gt->boost_ns = x * 1000000;
		return ret;
	}
	return -ENOENT;
}

/* list_add(): a vGPU that starts enters the LRU list at its head. */
static int gt_add_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	struct gt_sched *gt = s->priv;
	struct gt_vgpu *gv = calloc(1, sizeof(*gv));
	uint32_t *lru = realloc(gt->lru, (gt->nlru + 1) * sizeof(*lru));

	if (!gv || !lru) {
		free(gv);
		if (lru)
			gt->lru = lru;
		return -ENOMEM;
	}
	gt->lru = lru;
	memmove(lru + 1, lru, gt->nlru * sizeof(*lru));
	lru[0] = v->id;
	gt->nlru++;
	v->priv = gv;
	return 0;
}

static void gt_remove_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	struct gt_sched *gt = s->priv;

	for (uint32_t i = 0; i < gt->nlru; i++) {
		if (gt->lru[i] != v->id)
			continue;
		memmove(gt->lru + i, gt->lru + i + 1, (gt->nlru - i - 1) * sizeof(*gt->lru));
		gt->nlru--;
		break;
	}
	free(v->priv);
	v->priv = NULL;
}

/* gvt_balance_timeslice(): (1), reset at stage 0, carried over at the others. */
static void gt_balance(struct vgs_sched *s)
{
	struct gt_sched *gt = s->priv;
	uint64_t total = 0;
	bool reset = gt->nbalances++ % gt->stages == 0;

	for (uint32_t i = 0; i < s->nvgpus; i++)
		total += s->vgpus[i]->weight ? s->vgpus[i]->weight : 1;
	for (uint32_t i = 0; i < s->nvgpus; i++) {
		struct gt_vgpu *gv = s->vgpus[i]->priv;
		uint64_t w = s->vgpus[i]->weight ? s->vgpus[i]->weight : 1;
		/* period * w / total without overflow: period < 2^46, w < 2^32 -> split the product. */
		int64_t alloc = (int64_t)((gt->period_ns / total) * w + (gt->period_ns % total) * w / total);

		gv->left_ns = reset ? alloc : gv->left_ns + alloc;
	}
}

/* Move lru[i] to the tail. */
static void gt_to_tail(struct gt_sched *gt, uint32_t i)
{
	uint32_t id = gt->lru[i];

	memmove(gt->lru + i, gt->lru + i + 1, (gt->nlru - i - 1) * sizeof(*gt->lru));
	gt->lru[gt->nlru - 1] = id;
}

static struct vgs_vgpu *gt_pick_next(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns)
{
	struct gt_sched *gt = s->priv;

	if (gt->t0 == VGS_SCHED_NO_TIME || now_ns < gt->t0) {
		gt->t0 = now_ns;
		gt->next_balance_ns = now_ns;
		for (uint32_t i = 0; i < s->nvgpus; i++)
			((struct gt_vgpu *)s->vgpus[i]->priv)->boost_until_ns = now_ns + gt->boost_ns;
	}
	/* The kernel's timer keeps running while the GPU idles: every period due by now balances. */
	while (now_ns >= gt->next_balance_ns) {
		gt_balance(s);
		gt->next_balance_ns += gt->period_ns;
	}
	for (uint32_t i = 0; i < gt->nlru; i++) {
		struct vgs_vgpu *v = s->vgpus[gt->lru[i]];
		struct gt_vgpu *gv = v->priv;
		bool boosted = now_ns < gv->boost_until_ns;

		if (!v->runnable || (!boosted && gv->left_ns <= 0))
			continue;
		if (!boosted)
			gt_to_tail(gt, i);
		*slice_ns = gt->tick_ns - (now_ns - gt->t0) % gt->tick_ns;
		return v;
	}
	/* Nobody may run: the budgets change at the next balance, or a boosted vGPU gets work. */
	*slice_ns = s->nrunnable ? gt->next_balance_ns - now_ns : 0;
	return NULL;
}

static void gt_charge(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
		      enum vgs_charge_reason reason)
{
	struct gt_vgpu *gv = v->priv;

	gv->left_ns -= (int64_t)ran_ns;
}

const struct vgs_policy_ops vgs_policy_gvtg = {
	.name = "gvtg",
	.summary = "Intel GVT-g time-based scheduler: weighted budget per 100 ms, carried 10 stages, 2 s start boost",
	.params = gt_params,
	.init = gt_init,
	.fini = gt_fini,
	.set_param = gt_set_param,
	.add_vgpu = gt_add_vgpu,
	.remove_vgpu = gt_remove_vgpu,
	.pick_next = gt_pick_next,
	.charge = gt_charge,
};
