/*
 * orion - interference-aware spatial sharing in the spirit of Orion (F. Strati, X. Ma, A. Klimovic,
 * "Orion: Interference-aware, Fine-grained GPU Sharing for ML Applications", EuroSys 2024; its
 * scheduler is src/scheduler/scheduler_eval.cpp of github.com/eth-easl/orion).
 *
 * vGPUs with priority > 0 are high-priority (HP: a latency-critical inference job), the others
 * best-effort (BE: training, batch inference).  On each admit():
 *
 *   - every ready HP kernel starts at once (Orion launches it on a high-priority stream; the SM pool
 *     serves higher-priority vGPUs first, docs/spatial.md);
 *   - while no HP kernel is ready or running on the engine (the HP job is between requests), BE
 *     kernels start freely, oldest first;
 *   - while the HP job is active, a BE kernel starts only when
 *       (a) its SMs fit: the SMs of the BE kernels started in this call plus its own stay within
 *           sm_threshold (0, the default: the SMs the running and just-admitted kernels leave free;
 *           Orion uses the GPU's SM count when the HP job is inference),
 *       (b) its profile is complementary to the HP kernel's (compute- next to memory-bound), or
 *           either profile is unknown (Orion's rule: profile == -1 always passes), and
 *       (c) the BE work started while the HP job is active stays within the duration budget
 *           (Orion's DUR_THRESHOLD): dur_threshold_pct of the HP job's request latency, which is
 *           hp_latency_us when set, else learned as the mean length of the HP job's busy periods
 *           seen so far.  Once over budget, BE waits until the BE kernels it started have completed
 *           (Orion waits on their CUDA events), then the budget starts again.
 *
 * Decisions look only at the view of one engine; the HP job's busy periods are measured at admit
 * calls.  Libc only; state in s->priv; O(ready + running) per call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/vgs_policy.h"

struct or_sched {
	uint64_t sm_threshold;      /* 0: the free SMs */
	uint64_t dur_pct_x10;       /* budget, per mille of the HP request latency */
	uint64_t hp_latency_ns;     /* 0: learned */
	/* state */
	uint64_t be_used_ns;        /* BE work started while the HP job was active */
	int be_blocked;             /* over budget: wait for the BE kernels in flight */
	int hp_was_active;
	uint64_t hp_since_ns;       /* start of the HP job's current busy period */
	uint64_t hp_mean_ns;        /* mean busy period (running mean over hp_periods) */
	uint64_t hp_periods;
};

static const struct vgs_policy_param or_params[] = {
	{ "sm_threshold", "0",
	  "SMs the best-effort kernels started at once may want while the high-priority job is active, 0..65535; 0 = the free SMs (Orion: the GPU's SMs for an inference HP job)" },
	{ "dur_threshold_pct", "25",
	  "budget of best-effort work while the high-priority job is active, in tenths of a percent of its request latency, 0..1000000 (25 = 2.5 %; engineering estimate of Orion's DUR_THRESHOLD)" },
	{ "hp_latency_us", "0",
	  "the high-priority job's request latency, in us, 0..60000000; 0 = learned from its busy periods" },
	{ NULL, NULL, NULL },
};

static int or_init(struct vgs_sched *s)
{
	struct or_sched *o = calloc(1, sizeof(*o));

	if (!o)
		return -ENOMEM;
	o->dur_pct_x10 = 25;
	s->priv = o;
	return 0;
}

static int or_set_param(struct vgs_sched *s, const char *key, const char *value)
{
	struct or_sched *o = s->priv;
	uint64_t x;
	int ret;

	if (strcmp(key, "sm_threshold") == 0)
		return vgs_param_u64(value, 0, 65535, &o->sm_threshold);
	if (strcmp(key, "dur_threshold_pct") == 0)
		return vgs_param_u64(value, 0, 1000000, &o->dur_pct_x10);
	if (strcmp(key, "hp_latency_us") != 0)
		return -ENOENT;
	ret = vgs_param_u64(value, 0, 60000000, &x);
	if (!ret)
		o->hp_latency_ns = x * 1000;
	return ret;
}

static int or_add_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	return 0;
}

static int is_hp(const struct vgs_kernel *k)
{
	return k->vgpu->priority > 0;
}

/* Track the HP job's busy periods (a request, as admit calls see it); returns whether it is active. */
static int hp_activity(struct or_sched *o, const struct vgs_engine_view *view, uint64_t now_ns)
{
	int active = 0;

	for (uint32_t i = 0; i < view->nrunning && !active; i++)
		active = is_hp(&view->running[i]);
	for (uint32_t i = 0; i < view->nready && !active; i++)
		active = is_hp(&view->ready[i]);
	if (active && !o->hp_was_active) {
		o->hp_since_ns = now_ns;
	} else if (!active && o->hp_was_active) {
		/* running mean, exact in integers: m_n = m_{n-1} + (x - m_{n-1}) / n */
		uint64_t len = now_ns - o->hp_since_ns;

		o->hp_periods++;
		if (len >= o->hp_mean_ns)
			o->hp_mean_ns += (len - o->hp_mean_ns) / o->hp_periods;
		else
			o->hp_mean_ns -= (o->hp_mean_ns - len) / o->hp_periods;
	}
	o->hp_was_active = active;
	return active;
}

/* The profile of the HP kernel BE kernels must complement: the latest submitted one running or
 * starting now; unknown when there is none. */
static uint8_t hp_profile(const struct vgs_engine_view *view, const uint8_t *start)
{
	const struct vgs_kernel *best = NULL;

	for (uint32_t i = 0; i < view->nrunning; i++)
		if (is_hp(&view->running[i]) && (!best || view->running[i].submit_ns >= best->submit_ns))
			best = &view->running[i];
	for (uint32_t i = 0; i < view->nready; i++)
		if (start[i] && is_hp(&view->ready[i]) && (!best || view->ready[i].submit_ns >= best->submit_ns))
			best = &view->ready[i];
	return best ? best->profile : VGS_KERNEL_UNKNOWN;
}

static uint32_t or_admit(struct vgs_sched *s, const struct vgs_engine_view *view, uint64_t now_ns, uint8_t *start)
{
	struct or_sched *o = s->priv;
	uint64_t budget, hp_sms = 0, be_sms = 0, avail, lat;
	uint32_t n = 0;
	uint8_t hprof;
	int be_running = 0, active = hp_activity(o, view, now_ns);

	for (uint32_t i = 0; i < view->nready; i++)
		if (is_hp(&view->ready[i])) {
			start[i] = 1;
			hp_sms += view->ready[i].sms;
			n++;
		}
	if (!active) {
		o->be_used_ns = 0;
		o->be_blocked = 0;
		for (uint32_t i = 0; i < view->nready; i++)
			if (!start[i]) {
				start[i] = 1;
				n++;
			}
		return n;
	}
	for (uint32_t i = 0; i < view->nrunning; i++)
		be_running |= !is_hp(&view->running[i]);
	if (o->be_blocked && !be_running) {
		o->be_blocked = 0;
		o->be_used_ns = 0;
	}
	if (o->be_blocked)
		return n;
	lat = o->hp_latency_ns ? o->hp_latency_ns : o->hp_mean_ns;
	budget = lat ? lat / 1000 * o->dur_pct_x10 + lat % 1000 * o->dur_pct_x10 / 1000 : UINT64_MAX;
	avail = o->sm_threshold ? o->sm_threshold : (view->free_sms > hp_sms ? view->free_sms - hp_sms : 0);
	hprof = hp_profile(view, start);
	for (uint32_t i = 0; i < view->nready; i++) {
		const struct vgs_kernel *k = &view->ready[i];

		if (start[i])
			continue;
		if (be_sms + k->sms > avail)
			continue;
		if (k->profile != VGS_KERNEL_UNKNOWN && hprof != VGS_KERNEL_UNKNOWN && k->profile == hprof)
			continue;
		start[i] = 1;
		n++;
		be_sms += k->sms;
		o->be_used_ns += k->work_ns;
		if (o->be_used_ns > budget) {
			o->be_blocked = 1;
			break;
		}
	}
	return n;
}

const struct vgs_policy_ops vgs_policy_orion = {
	.name = "orion",
	.summary = "spatial: Orion-style, high-priority kernels always go, best-effort ones when they fit and complement",
	.params = or_params,
	.init = or_init,
	.fini = vgs_sched_free_priv,
	.set_param = or_set_param,
	.add_vgpu = or_add_vgpu,
	.pick_next = vgs_sched_no_pick,
	.charge = vgs_sched_no_charge,
	.admit = or_admit,
};
