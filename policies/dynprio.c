/*
 * dynprio - dynamic priority: boost latency-sensitive and deadline-threatened vGPUs, decay vGPUs
 * that use their whole slice, and never starve anyone.
 *
 * Effective priority of a runnable vGPU v at time t:
 *
 *     eff(v) = priority_v + (boosted(v, t) ? boost : 0) - decay_v
 *     boosted(v, t) = (v is VGS_VGPU_LATENCY_SENSITIVE and has queued work)
 *                     or deadline_v <= t + deadline_margin            (a deadline about to be missed,
 *                                                                       or already missed)
 *
 * decay_v rises by one each time v is charged with reason "expired" (it used its whole slice), up to
 * decay_max, and drops to 0 when v is charged "empty" or "blocked" (it gave the domain back by
 * itself); "preempted" and "reset" leave it as is.  This is the classic multilevel-feedback rule:
 * vGPUs that give the domain back early keep their priority, vGPUs that hog it sink.
 *
 * Pick order.  Let wait_start(v) = max(runnable_since_ns, end of v's last slice): the instant v last
 * began waiting.  v is *starving* at t when t - wait_start(v) >= max_wait.
 *   1. If any runnable vGPU is starving, the starving one with the earliest wait_start (ties: lower
 *      id) owns the domain next.
 *   2. Otherwise the highest eff(v); ties: the earliest wait_start (the one runnable longest without
 *      service: round robin among equals), then the lower id.
 * The owner gets one slice of `slice_us`.  The policy is work-conserving (never idles while a vGPU
 * is runnable).  With preempt = 1, runnable(v) asks to end the current slice when v's deadline is
 * threatened (boosted by its deadline) and eff(v) > eff(current).
 *
 * Starvation bound.  Let N be the vGPUs in the domain, S the slice, O the largest overrun of a slice
 * beyond S (below one command under command-granularity preemption), C the switch cost.  Claim: a
 * vGPU that is continuously runnable waits at most
 *
 *     W = max_wait + (N - 1) * (C + S + O)
 *
 * from wait_start(v) until it is picked.  Proof: let T = wait_start(v) + max_wait; from T on, v is
 * starving.  The slice in progress at T (if any; the domain cannot be idle while v is runnable) was
 * picked at or before T, so it ends by T + C + S + O, and its owner u0 != v then has
 * wait_start(u0) = that end > wait_start(v).  Every later pick chooses, by rule 1, a starving vGPU
 * whose wait_start is earlier than v's (or v itself).  Once such a vGPU u has been picked its
 * wait_start moves past T > wait_start(v), so it cannot be chosen ahead of v again; there are at
 * most N - 2 of them besides v and u0, each owning the domain at most C + S + O.  So v is picked by
 * T + (1 + (N - 2)) * (C + S + O) = wait_start(v) + W.  Preemption only shortens slices.  (A vGPU
 * whose wait is interrupted by running dry starts a new wait when it becomes runnable again.)
 * tests/unit/test_policy_dynprio.c asserts W against adversarial high-priority saturating tenants.
 *
 * Defaults: slice 2 ms (NVIDIA's default vGPU time slice for <= 8 vGPUs per GPU, see timeslice.c);
 * boost 4 and decay_max 3 keep a boosted, fully decayed vGPU (+4 - 3) above an undecayed peer of the
 * same static priority; deadline margin 4 ms = a quarter of a 60 FPS frame (16.7 ms), about two slices;
 * max_wait 50 ms = three 60 FPS frames, the longest stall a cloud-gaming tenant tolerates before a
 * visible hitch.  Picks are O(N).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/vgs_policy.h"

#define DP_SLICE_MAX_US 1000000ull	/* 1 s */
#define DP_WAIT_MAX_US 60000000ull	/* 60 s */
#define DP_LEVEL_MAX 1000ull		/* boost and decay_max: far beyond any sane priority range */

struct dp_sched {
	uint64_t slice_ns;
	uint64_t margin_ns;
	uint64_t max_wait_ns;
	uint32_t boost;
	uint32_t decay_max;
	bool preempt;
};

struct dp_vgpu {
	uint32_t decay;
	uint64_t last_end_ns;	/* end of its last slice, 0 before the first */
};

static const struct vgs_policy_param dp_params[] = {
	{ "slice_us", "2000", "time slice in us, 1..1000000; default 2 ms = NVIDIA's vGPU default slice" },
	{ "boost", "4", "priority added to a latency-sensitive vGPU with work or a threatened deadline, 0..1000" },
	{ "deadline_margin_us", "4000",
	  "a deadline within this many us of now is threatened, 0..60000000; default 1/4 of a 60 FPS frame" },
	{ "decay_max", "3", "most priority levels lost by using whole slices, 0..1000" },
	{ "max_wait_us", "50000",
	  "a vGPU waiting this long (us) is served next, oldest first, 1..60000000; default 3 frames at 60 FPS" },
	{ "preempt", "1", "1 = a newly runnable vGPU with a threatened deadline and higher priority preempts" },
	{ NULL, NULL, NULL },
};

static int dp_init(struct vgs_sched *s)
{
	struct dp_sched *dp = calloc(1, sizeof(*dp));

	if (!dp)
		return -ENOMEM;
	dp->slice_ns = 2000 * 1000ull;
	dp->boost = 4;
	dp->margin_ns = 4000 * 1000ull;
	dp->decay_max = 3;
	dp->max_wait_ns = 50000 * 1000ull;
	dp->preempt = true;
	s->priv = dp;
	return 0;
}

static int dp_set_param(struct vgs_sched *s, const char *key, const char *value)
{
	struct dp_sched *dp = s->priv;
	uint64_t x;
	int ret;

	if (strcmp(key, "slice_us") == 0) {
		ret = vgs_param_u64(value, 1, DP_SLICE_MAX_US, &x);
		if (!ret)
			dp->slice_ns = x * 1000;
	} else if (strcmp(key, "boost") == 0) {
		ret = vgs_param_u64(value, 0, DP_LEVEL_MAX, &x);
		if (!ret)
			dp->boost = (uint32_t)x;
	} else if (strcmp(key, "deadline_margin_us") == 0) {
		ret = vgs_param_u64(value, 0, DP_WAIT_MAX_US, &x);
		if (!ret)
			dp->margin_ns = x * 1000;
	} else if (strcmp(key, "decay_max") == 0) {
		ret = vgs_param_u64(value, 0, DP_LEVEL_MAX, &x);
		if (!ret)
			dp->decay_max = (uint32_t)x;
	} else if (strcmp(key, "max_wait_us") == 0) {
		ret = vgs_param_u64(value, 1, DP_WAIT_MAX_US, &x);
		if (!ret)
			dp->max_wait_ns = x * 1000;
	} else if (strcmp(key, "preempt") == 0) {
		ret = vgs_param_u64(value, 0, 1, &x);
		if (!ret)
			dp->preempt = x;
	} else {
		ret = -ENOENT;
	}
	return ret;
}

static int dp_add_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	struct dp_vgpu *dv = calloc(1, sizeof(*dv));

	if (!dv)
		return -ENOMEM;
	v->priv = dv;
	return 0;
}

static void dp_remove_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	free(v->priv);
	v->priv = NULL;
}

static bool dp_threatened(const struct dp_sched *dp, const struct vgs_vgpu *v, uint64_t now_ns)
{
	if (v->deadline_ns == VGS_SCHED_NO_TIME)
		return false;
	return v->deadline_ns <= now_ns || v->deadline_ns - now_ns <= dp->margin_ns;
}

static int64_t dp_eff(const struct dp_sched *dp, const struct vgs_vgpu *v, uint64_t now_ns)
{
	const struct dp_vgpu *dv = v->priv;
	int64_t e = (int64_t)v->priority - dv->decay;

	if (((v->flags & VGS_VGPU_LATENCY_SENSITIVE) && v->queued > 0) || dp_threatened(dp, v, now_ns))
		e += dp->boost;
	return e;
}

static uint64_t dp_wait_start(const struct vgs_vgpu *v)
{
	const struct dp_vgpu *dv = v->priv;

	return dv->last_end_ns > v->runnable_since_ns ? dv->last_end_ns : v->runnable_since_ns;
}

static bool dp_runnable(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t now_ns)
{
	struct dp_sched *dp = s->priv;

	if (!dp->preempt || !s->current || !dp_threatened(dp, v, now_ns))
		return false;
	return dp_eff(dp, v, now_ns) > dp_eff(dp, s->current, now_ns);
}

static struct vgs_vgpu *dp_pick_next(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns)
{
	struct dp_sched *dp = s->priv;
	struct vgs_vgpu *starving = NULL, *best = NULL;
	uint64_t starving_ws = 0, best_ws = 0;
	int64_t best_eff = 0;

	for (uint32_t i = 0; i < s->nvgpus; i++) {
		struct vgs_vgpu *v = s->vgpus[i];
		uint64_t ws;
		int64_t e;

		if (!v->runnable)
			continue;
		ws = dp_wait_start(v);
		if (now_ns >= ws && now_ns - ws >= dp->max_wait_ns) {
			if (!starving || ws < starving_ws) {
				starving = v;
				starving_ws = ws;
			}
			continue;
		}
		if (starving)
			continue;
		e = dp_eff(dp, v, now_ns);
		if (!best || e > best_eff || (e == best_eff && ws < best_ws)) {
			best = v;
			best_eff = e;
			best_ws = ws;
		}
	}
	if (starving)
		best = starving;
	*slice_ns = best ? dp->slice_ns : 0;
	return best;
}

static void dp_charge(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
		      enum vgs_charge_reason reason)
{
	struct dp_sched *dp = s->priv;
	struct dp_vgpu *dv = v->priv;

	dv->last_end_ns = now_ns;
	switch (reason) {
	case VGS_CHARGE_EXPIRED:
		if (dv->decay < dp->decay_max)
			dv->decay++;
		break;
	case VGS_CHARGE_EMPTY:
	case VGS_CHARGE_BLOCKED:
		dv->decay = 0;
		break;
	default:
		break;
	}
}

const struct vgs_policy_ops vgs_policy_dynprio = {
	.name = "dynprio",
	.summary = "dynamic priority: boost latency-sensitive/deadline-threatened vGPUs, decay hogs, no starvation",
	.params = dp_params,
	.init = dp_init,
	.fini = vgs_sched_free_priv,
	.set_param = dp_set_param,
	.add_vgpu = dp_add_vgpu,
	.remove_vgpu = dp_remove_vgpu,
	.runnable = dp_runnable,
	.pick_next = dp_pick_next,
	.charge = dp_charge,
};
