/*
 * timeslice - round robin with a fixed time slice: NVIDIA's three time-sliced vGPU schedulers.
 *
 *   best-effort  work-conserving round robin: the runnable vGPUs take turns in id order, starting
 *                after the previous owner; the domain idles only when nobody is runnable.
 *   equal-share  a cycle of N slots, N = vGPUs added to the domain; slot k belongs to vGPU k mod N.
 *                A slot whose owner has no work stays idle (not work-conserving): each vGPU gets 1/N
 *                of the time whatever the others do.  An owner that becomes runnable mid-slot gets
 *                the rest of its slot (the driver asks again when a vGPU becomes runnable during an
 *                idle wait).
 *   fixed-share  the same with M = max(s->max_vgpus, N) slots (the profile's maximum vGPUs per GPU):
 *                slots of vGPUs that do not exist stay idle, so each vGPU gets 1/M however many
 *                share the GPU.
 *
 * Slots of the share variants are cut on a time grid that starts at the first pick: slot k is
 * [t0 + k*L, t0 + (k+1)*L).  An owner that overruns its slot (command-granularity preemption) eats
 * into the next slot, which then ends on time, so overruns never shift the grid; the owner of the
 * next slot pays for the overrun.
 *
 * Pay-back (`payback = 1`): NVIDIA charges a vGPU that overran its slice by shortening its later
 * slices.  The overrun is recorded as debt; each later slice (slot) of that vGPU is L - d, with
 * d = min(debt, L - L/8) taken off the debt, so a slice never drops below L/8 and a vGPU's debt is
 * repaid at up to 7L/8 per slice.  Best effort: the overrun is ran - given.  Share variants: the slots
 * then follow one another instead of a fixed grid: a slot ends at its start + its length, where its
 * length is L (an absent vGPU's slot, fixed-share) or L - d (its owner's repayment, taken whether or
 * not the owner has work); an owner that overruns the end of its slot moves the start of the next
 * slot to when it stopped, and the overrun (stop - slot end) becomes its debt.  Every vGPU thus gets
 * L per cycle on average, the overruns included, and the owner of the next slot keeps its whole
 * slot: long-run shares are exactly 1/N (1/M) less the debt still outstanding.
 *
 * Averaging factor (`avg_factor = A`, 1..60, with payback): NVIDIA's adaptive round robin (ARR)
 * "averages" the compensation over later slices (NVML nvmlVgpuSchedulerSetParams_t.avgFactor,
 * "Average factor in compensating the timeslice"; 1..60, default 33 in the vGPU user guide).  The
 * exact formula is not published; vgpusim spreads the repayment over about A slices: when the debt
 * grows, the instalment becomes ceil(debt / A), and each later slice repays
 * d = min(debt, instalment, L - L/8).  A = 0 (the default here) keeps the plain rule above.
 *
 * Round-robin frequency (`freq_hz = F`, 34..1000): ARR's other knob (NVML `frequency`, "Frequency
 * for Adaptive Round Robin mode"): F turns per second, i.e. a slice of 1 s / F, which replaces
 * slice_us; 34..1000 Hz keeps the slice inside NVIDIA's 1-30 ms.  0 (the default): slice_us applies.
 *
 * Defaults from the NVIDIA Virtual GPU Software User Guide, "Changing vGPU Scheduling Behavior"
 * (RmPVMRL registry key): the default scheduler is best effort; the default time slice is 2 ms when
 * the vGPU type allows at most 8 vGPUs per physical GPU and 1 ms when it allows more (we read that
 * maximum from s->max_vgpus, the profile's limit); a time slice of 1-30 ms may be configured.
 *
 * Every pick is O(N) in the number of vGPUs (a scan in id order); N is small (<= 32 per GPU).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policies/vgs_policy.h"

#define TS_SLICE_SMALL_NS 2000000ull	/* 2 ms: default for <= TS_SMALL_MAX vGPUs per GPU (NVIDIA) */
#define TS_SLICE_LARGE_NS 1000000ull	/* 1 ms: default above (NVIDIA) */
#define TS_SMALL_MAX 8u
#define TS_SLICE_MAX_US 30000ull	/* 30 ms: NVIDIA's largest configurable slice */
#define TS_PAYBACK_FLOOR_DIV 8u		/* a paid-back slice keeps at least L/8 */
#define TS_AVG_FACTOR_MAX 60ull		/* NVIDIA's averaging factor: 1..60 */
#define TS_FREQ_MIN_HZ 34ull		/* 1 s / 34 = 29.4 ms: within the 30 ms slice limit */
#define TS_FREQ_MAX_HZ 1000ull		/* 1 ms: NVIDIA's smallest slice */
#define TS_NS_PER_S 1000000000ull
#define TS_NONE UINT32_MAX

enum ts_variant { TS_BEST_EFFORT, TS_EQUAL_SHARE, TS_FIXED_SHARE };

struct ts_sched {
	enum ts_variant variant;
	uint64_t slice_us;	/* 0: auto */
	uint64_t freq_hz;	/* 0: slice_us applies */
	uint64_t avg_factor;	/* 0: repay as fast as the floor allows */
	bool payback;
	uint32_t last;		/* id of the previous owner, TS_NONE before the first pick */
	uint64_t grid_start_ns;	/* t0 of the slot grid, VGS_SCHED_NO_TIME before the first pick */
	uint64_t seq_slot;	/* share variants with payback: index of the slot in progress ... */
	uint64_t seq_end_ns;	/* ... and its end */
};

struct ts_vgpu {
	uint64_t debt_ns;	/* overrun not yet paid back */
	uint64_t instalment_ns;	/* avg_factor: the most one slice repays */
	uint64_t given_ns;	/* slice handed out at the last pick */
};

static const struct vgs_policy_param ts_params[] = {
	{ "variant", "best-effort",
	  "best-effort (work-conserving RR), equal-share (1/N each), fixed-share (1/max_vgpus each); NVIDIA" },
	{ "slice_us", "0",
	  "time slice in us, 1..30000; 0 = auto: 2000 if the profile allows <= 8 vGPUs, else 1000 (NVIDIA RmPVMRL)" },
	{ "payback", "0",
	  "1 = an overrun is deducted from the vGPU's next slices (each >= slice/8); share variants: slots "
	  "follow one another, so the next owner keeps its whole slot" },
	{ "avg_factor", "0",
	  "with payback: repay an overrun over about this many slices, 1..60 (NVIDIA ARR averaging factor, "
	  "default 33 there); 0 = as fast as the slice/8 floor allows" },
	{ "freq_hz", "0",
	  "round-robin frequency: slices of 1 s / freq_hz, 34..1000, replacing slice_us (NVIDIA ARR frequency); "
	  "0 = slice_us applies" },
	{ NULL, NULL, NULL },
};

static uint64_t ts_slice_ns(const struct vgs_sched *s)
{
	const struct ts_sched *ts = s->priv;

	if (ts->freq_hz)
		return TS_NS_PER_S / ts->freq_hz;
	if (ts->slice_us)
		return ts->slice_us * 1000;
	return s->max_vgpus <= TS_SMALL_MAX ? TS_SLICE_SMALL_NS : TS_SLICE_LARGE_NS;
}

static int ts_init(struct vgs_sched *s)
{
	struct ts_sched *ts = calloc(1, sizeof(*ts));

	if (!ts)
		return -ENOMEM;
	ts->variant = TS_BEST_EFFORT;
	ts->last = TS_NONE;
	ts->grid_start_ns = VGS_SCHED_NO_TIME;
	s->priv = ts;
	return 0;
}

static int ts_set_param(struct vgs_sched *s, const char *key, const char *value)
{
	struct ts_sched *ts = s->priv;
	uint64_t x;
	int ret;

	if (strcmp(key, "variant") == 0) {
		if (strcmp(value, "best-effort") == 0)
			ts->variant = TS_BEST_EFFORT;
		else if (strcmp(value, "equal-share") == 0)
			ts->variant = TS_EQUAL_SHARE;
		else if (strcmp(value, "fixed-share") == 0)
			ts->variant = TS_FIXED_SHARE;
		else
			return -EINVAL;
		return 0;
	}
	if (strcmp(key, "slice_us") == 0) {
		ret = vgs_param_u64(value, 0, TS_SLICE_MAX_US, &x);
		if (!ret)
			ts->slice_us = x;
		return ret;
	}
	if (strcmp(key, "payback") == 0) {
		ret = vgs_param_u64(value, 0, 1, &x);
		if (!ret)
			ts->payback = x;
		return ret;
	}
	if (strcmp(key, "avg_factor") == 0)
		return vgs_param_u64(value, 0, TS_AVG_FACTOR_MAX, &ts->avg_factor);
	if (strcmp(key, "freq_hz") == 0) {
		ret = vgs_param_u64(value, 0, TS_FREQ_MAX_HZ, &x);
		if (!ret && x && x < TS_FREQ_MIN_HZ)
			ret = -EINVAL;
		if (!ret)
			ts->freq_hz = x;
		return ret;
	}
	return -ENOENT;
}

static int ts_add_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	struct ts_vgpu *tv = calloc(1, sizeof(*tv));

	if (!tv)
		return -ENOMEM;
	v->priv = tv;
	return 0;
}

static void ts_remove_vgpu(struct vgs_sched *s, struct vgs_vgpu *v)
{
	free(v->priv);
	v->priv = NULL;
}

/* Pay-back: what the next slice (slot) of L ns repays of tv's debt, taken off the debt. */
static uint64_t ts_repay(const struct ts_sched *ts, struct ts_vgpu *tv, uint64_t len)
{
	uint64_t d = len - len / TS_PAYBACK_FLOOR_DIV;

	if (ts->avg_factor && d > tv->instalment_ns)
		d = tv->instalment_ns;
	if (d > tv->debt_ns)
		d = tv->debt_ns;
	tv->debt_ns -= d;
	return d;
}

/* Record an overrun of overrun_ns as debt (and the instalment that repays it). */
static void ts_add_debt(const struct ts_sched *ts, struct ts_vgpu *tv, uint64_t overrun_ns)
{
	tv->debt_ns += overrun_ns;
	if (ts->avg_factor)
		tv->instalment_ns = (tv->debt_ns + ts->avg_factor - 1) / ts->avg_factor;
}

/* Best effort: the first runnable vGPU in id order after the previous owner (wrapping). */
static struct vgs_vgpu *ts_pick_rr(struct vgs_sched *s, uint64_t *slice_ns)
{
	struct ts_sched *ts = s->priv;
	uint32_t n = s->nvgpus, start = ts->last == TS_NONE ? 0 : ts->last + 1;
	uint64_t slice = ts_slice_ns(s);

	for (uint32_t k = 0; k < n; k++) {
		struct vgs_vgpu *v = s->vgpus[(start + k) % n];
		struct ts_vgpu *tv = v->priv;

		if (!v->runnable)
			continue;
		if (ts->payback)
			slice -= ts_repay(ts, tv, slice);
		tv->given_ns = slice;
		ts->last = v->id;
		*slice_ns = slice;
		return v;
	}
	*slice_ns = 0;	/* nobody runnable: wait for the next one */
	return NULL;
}

/*
 * Equal/fixed share: the slot containing now_ns is k = (now - t0) / L and ends at t0 + (k+1)*L; its
 * owner is vGPU k mod nslots (none if that id does not exist).  Either the owner runs until the
 * slot ends or the domain idles until then.
 */
static struct vgs_vgpu *ts_pick_slot(struct vgs_sched *s, uint64_t now_ns, uint32_t nslots,
				     uint64_t *slice_ns)
{
	struct ts_sched *ts = s->priv;
	uint64_t len = ts_slice_ns(s), k, end;
	uint32_t owner;

	if (ts->grid_start_ns == VGS_SCHED_NO_TIME || now_ns < ts->grid_start_ns)
		ts->grid_start_ns = now_ns;
	k = (now_ns - ts->grid_start_ns) / len;
	end = ts->grid_start_ns + (k + 1) * len;
	owner = (uint32_t)(k % nslots);
	*slice_ns = end - now_ns;
	if (owner < s->nvgpus && s->vgpus[owner]->runnable) {
		struct ts_vgpu *tv = s->vgpus[owner]->priv;

		tv->given_ns = *slice_ns;
		ts->last = owner;
		return s->vgpus[owner];
	}
	return NULL;
}

/* Share variants with pay-back: the length of slot k, its owner's repayment taken (see the top). */
static uint64_t ts_seq_len(struct vgs_sched *s, uint64_t k, uint32_t nslots)
{
	uint64_t len = ts_slice_ns(s);
	uint32_t owner = (uint32_t)(k % nslots);

	if (owner < s->nvgpus)
		len -= ts_repay(s->priv, s->vgpus[owner]->priv, len);
	return len;
}

/* Share variants with pay-back: slots one after the other (see the top comment). */
static struct vgs_vgpu *ts_pick_seq(struct vgs_sched *s, uint64_t now_ns, uint32_t nslots, uint64_t *slice_ns)
{
	struct ts_sched *ts = s->priv;
	uint32_t owner;

	if (ts->grid_start_ns == VGS_SCHED_NO_TIME) {
		ts->grid_start_ns = now_ns;
		ts->seq_slot = 0;
		ts->seq_end_ns = now_ns + ts_seq_len(s, 0, nslots);
	}
	/* Slots that passed while the domain idled, one by one: each may repay its owner's debt. */
	while (now_ns >= ts->seq_end_ns) {
		ts->seq_slot++;
		ts->seq_end_ns += ts_seq_len(s, ts->seq_slot, nslots);
	}
	owner = (uint32_t)(ts->seq_slot % nslots);
	*slice_ns = ts->seq_end_ns - now_ns;
	if (owner < s->nvgpus && s->vgpus[owner]->runnable) {
		((struct ts_vgpu *)s->vgpus[owner]->priv)->given_ns = *slice_ns;
		ts->last = owner;
		return s->vgpus[owner];
	}
	return NULL;
}

static struct vgs_vgpu *ts_pick_next(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns)
{
	struct ts_sched *ts = s->priv;
	uint32_t nslots = s->nvgpus;

	if (s->nvgpus == 0) {
		*slice_ns = 0;
		return NULL;
	}
	switch (ts->variant) {
	case TS_EQUAL_SHARE:
		break;
	case TS_FIXED_SHARE:
		if (s->max_vgpus > nslots)
			nslots = s->max_vgpus;
		break;
	default:
		return ts_pick_rr(s, slice_ns);
	}
	if (ts->payback)
		return ts_pick_seq(s, now_ns, nslots, slice_ns);
	return ts_pick_slot(s, now_ns, nslots, slice_ns);
}

static void ts_charge(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
		      enum vgs_charge_reason reason)
{
	struct ts_sched *ts = s->priv;
	struct ts_vgpu *tv = v->priv;

	if (!ts->payback)
		return;
	if (ts->variant == TS_BEST_EFFORT) {
		if (ran_ns > tv->given_ns)
			ts_add_debt(ts, tv, ran_ns - tv->given_ns);
	} else if (now_ns > ts->seq_end_ns) {
		/* It overran its slot: the next slot starts now, the overrun is its debt. */
		ts_add_debt(ts, tv, now_ns - ts->seq_end_ns);
		ts->seq_end_ns = now_ns;
	}
}

const struct vgs_policy_ops vgs_policy_timeslice = {
	.name = "timeslice",
	.summary = "round robin with a fixed slice: NVIDIA best-effort, equal-share, fixed-share",
	.params = ts_params,
	.init = ts_init,
	.fini = vgs_sched_free_priv,
	.set_param = ts_set_param,
	.add_vgpu = ts_add_vgpu,
	.remove_vgpu = ts_remove_vgpu,
	.pick_next = ts_pick_next,
	.charge = ts_charge,
};
