/*
 * The scheduling loop's bookkeeping, shared by every driver and every policy.
 *
 * A driver owns the `struct vgs_sched` and the `struct vgs_vgpu`s; this file keeps the loop fields
 * (runnable, runnable_since_ns, nrunnable, current, charged_ns, the tick clock) consistent and calls
 * the policy's ops at the points vgs_policy.h documents.  It is the one place where a policy's answer
 * is checked before a driver acts on it: a policy is user code (docs/examples/mypolicy.c), and a bad
 * answer must cost simulated time, never a crash or a livelock.
 *
 * Libc only, no global mutable state.  The table of built-in policies is in builtins.c, so that the
 * policies call this file and nothing here calls a policy by name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/vgs_policy.h"

/*
 * When pick_next breaks its contract (returns a vGPU that is not runnable or not in this domain, or
 * NULL with "idle until runnable" while some vGPU is runnable), the loop idles for this long and asks
 * again.  Running a vGPU with no work would charge 0 ns and pick again at the same instant forever;
 * idling a bounded time keeps simulated time moving and makes the fault visible as lost throughput.
 * 1 ms: the order of one time slice (NVIDIA's default slice is 1-2 ms).
 */
#define VGS_SCHED_BAD_PICK_IDLE_NS 1000000ull

/*
 * At most this many missed ticks are delivered one by one at a pick; beyond that (a long idle
 * stretch with a short tick) the tick grid skips ahead, delivering the last VGS_SCHED_MAX_CATCHUP.
 * Keeps a pick O(1) in the idle time while every tick hook still sees a regular grid.
 */
#define VGS_SCHED_MAX_CATCHUP 64u

static const char *const sched_reason_names[VGS_CHARGE_NREASONS] = {
	[VGS_CHARGE_EXPIRED] = "expired",
	[VGS_CHARGE_EMPTY] = "empty",
	[VGS_CHARGE_BLOCKED] = "blocked",
	[VGS_CHARGE_PREEMPTED] = "preempted",
	[VGS_CHARGE_RESET] = "reset",
};

const char *vgs_charge_reason_name(enum vgs_charge_reason r)
{
	if ((unsigned)r >= VGS_CHARGE_NREASONS)
		return "unknown";
	return sched_reason_names[r];
}

int vgs_sched_init(struct vgs_sched *s, const struct vgs_sched_args *args)
{
	const struct vgs_policy_ops *ops;
	int ret;

	if (args && args->bad_param)
		*args->bad_param = -1;
	if (!s || !args || !args->ops || args->max_vgpus < 1)
		return -EINVAL;
	ops = args->ops;
	if (!ops->name || !ops->init || !ops->fini || !ops->add_vgpu || !ops->pick_next || !ops->charge)
		return -EINVAL;
	if (args->nparams && !args->params)
		return -EINVAL;

	memset(s, 0, sizeof(*s));
	s->ops = ops;
	s->max_vgpus = args->max_vgpus;
	s->next_tick_ns = VGS_SCHED_NO_TIME;	/* the tick grid starts at the first pick */

	ret = ops->init(s);
	if (ret)
		goto err_clear;
	for (size_t i = 0; i < args->nparams; i++) {
		const struct vgs_sched_param *p = &args->params[i];

		ret = (ops->set_param && p->key && p->value) ? ops->set_param(s, p->key, p->value) : -ENOENT;
		if (ret) {
			if (args->bad_param)
				*args->bad_param = (int)i;
			goto err_fini;
		}
	}
	return 0;

err_fini:
	ops->fini(s);
err_clear:
	memset(s, 0, sizeof(*s));
	return ret < 0 ? ret : -EINVAL;
}

void vgs_sched_fini(struct vgs_sched *s)
{
	if (!s || !s->ops)
		return;
	s->ops->fini(s);
	free(s->vgpus);
	memset(s, 0, sizeof(*s));
}

int vgs_sched_add(struct vgs_sched *s, struct vgs_vgpu *v)
{
	int ret;

	if (!s || !s->ops || !v || v->weight < 1)
		return -EINVAL;
	if (s->nvgpus == UINT32_MAX)
		return -ENOSPC;
	if (s->nvgpus == s->cap) {
		uint32_t cap = s->cap ? s->cap * 2 : 8;
		struct vgs_vgpu **a;

		if (cap < s->cap)
			cap = UINT32_MAX;
		a = realloc(s->vgpus, (size_t)cap * sizeof(*a));
		if (!a)
			return -ENOMEM;
		s->vgpus = a;
		s->cap = cap;
	}
	v->id = s->nvgpus;
	v->runnable = false;
	v->runnable_since_ns = 0;
	v->charged_ns = 0;
	v->priv = NULL;
	ret = s->ops->add_vgpu(s, v);
	if (ret)
		return ret < 0 ? ret : -EINVAL;
	s->vgpus[s->nvgpus++] = v;
	return 0;
}

static bool sched_owns(const struct vgs_sched *s, const struct vgs_vgpu *v)
{
	return v->id < s->nvgpus && s->vgpus[v->id] == v;
}

bool vgs_sched_set_runnable(struct vgs_sched *s, struct vgs_vgpu *v, bool runnable, uint64_t now_ns)
{
	if (!s || !v || !sched_owns(s, v) || v->runnable == runnable)
		return false;
	v->runnable = runnable;
	if (runnable) {
		v->runnable_since_ns = now_ns;
		s->nrunnable++;
		if (v != s->current && s->ops->runnable)
			return s->ops->runnable(s, v, now_ns);
		return false;
	}
	s->nrunnable--;
	if (s->ops->idle)
		s->ops->idle(s, v, now_ns);
	return false;
}

/*
 * Deliver the ticks due at or before now_ns, each with its own due time.  The grid is anchored at the
 * first pick (next_tick_ns == VGS_SCHED_NO_TIME until then) so it does not depend on when the driver
 * happened to start its clock.
 */
static void sched_run_ticks(struct vgs_sched *s, uint64_t now_ns)
{
	uint64_t due;

	if (!s->tick_ns || !s->ops->tick)
		return;
	if (s->next_tick_ns == VGS_SCHED_NO_TIME) {
		s->next_tick_ns = now_ns + s->tick_ns;
		return;
	}
	if (s->next_tick_ns > now_ns)
		return;
	due = (now_ns - s->next_tick_ns) / s->tick_ns + 1;
	if (due > VGS_SCHED_MAX_CATCHUP)
		s->next_tick_ns += (due - VGS_SCHED_MAX_CATCHUP) * s->tick_ns;
	while (s->next_tick_ns <= now_ns) {
		s->ops->tick(s, s->next_tick_ns);
		s->next_tick_ns += s->tick_ns;
	}
}

struct vgs_vgpu *vgs_sched_pick(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns)
{
	struct vgs_vgpu *v;
	uint64_t slice = 0;

	if (!s || !s->ops || !slice_ns)
		return NULL;
	*slice_ns = 0;
	sched_run_ticks(s, now_ns);
	s->current = NULL;
	v = s->ops->pick_next(s, now_ns, &slice);
	if (v && (!sched_owns(s, v) || !v->runnable)) {
		/* contract broken: see VGS_SCHED_BAD_PICK_IDLE_NS */
		*slice_ns = VGS_SCHED_BAD_PICK_IDLE_NS;
		return NULL;
	}
	if (!v) {
		if (slice == 0 && s->nrunnable > 0)
			slice = VGS_SCHED_BAD_PICK_IDLE_NS;	/* nobody would wake the driver */
		*slice_ns = slice;
		return NULL;
	}
	*slice_ns = slice ? slice : 1;	/* > 0 by contract; 1 ns still moves time forward */
	s->current = v;
	return v;
}

/*
 * charged_ns is updated before ops->charge() so that a policy reading it there (least-charged-first,
 * docs/examples/mypolicy.c) sees the total including this slice.
 */
void vgs_sched_charge(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
		      enum vgs_charge_reason reason)
{
	if (!s || !s->ops || !v || !sched_owns(s, v))
		return;
	if ((unsigned)reason >= VGS_CHARGE_NREASONS)
		reason = VGS_CHARGE_EXPIRED;
	v->charged_ns += ran_ns;
	s->current = NULL;
	s->ops->charge(s, v, ran_ns, now_ns, reason);
}

struct vgs_vgpu *vgs_sched_no_pick(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns)
{
	*slice_ns = 0;
	return NULL;
}

void vgs_sched_no_charge(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
			 enum vgs_charge_reason reason)
{
}

bool vgs_sched_is_spatial(const struct vgs_sched *s)
{
	return s && s->ops && s->ops->admit;
}

uint32_t vgs_sched_admit(struct vgs_sched *s, const struct vgs_engine_view *view, uint64_t now_ns, uint8_t *start)
{
	uint32_t n = 0;

	if (!s || !s->ops || !s->ops->admit || !view || !start)
		return 0;
	memset(start, 0, view->nready);
	if (!view->nready || !view->slots)
		return 0;
	s->ops->admit(s, view, now_ns, start);
	for (uint32_t i = 0; i < view->nready; i++) {
		if (!start[i])
			continue;
		if (n == view->slots)
			start[i] = 0;	/* more than fit: the first ones in ready order start */
		else
			n++;
	}
	return n;
}

int vgs_param_u64(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long x;
	char *end;

	if (!text || *text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(text, &end, 10);
	if (errno || *end || x < min || x > max)
		return -EINVAL;
	*out = x;
	return 0;
}

void vgs_sched_free_priv(struct vgs_sched *s)
{
	for (uint32_t i = 0; i < s->nvgpus; i++) {
		free(s->vgpus[i]->priv);
		s->vgpus[i]->priv = NULL;
	}
	free(s->priv);
	s->priv = NULL;
}
