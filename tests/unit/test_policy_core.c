/*
 * The scheduling core (policies/sched.c) and each policy's decisions, called directly: parameters,
 * slice lengths, pick order, preemption requests, and the loop's defences against a broken policy.
 * Behaviour over time is in test_policies.c (mock driver).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tests/unit/cunit_main.h"
#include "policies/vgs_policy.h"

#define US 1000ull
#define MS 1000000ull

/* A domain with n vGPUs (weight 1, no work), ready for direct calls. */
struct dom {
	struct vgs_sched s;
	struct vgs_vgpu v[40];
	uint32_t n;
};

static int dom_init(struct dom *d, const struct vgs_policy_ops *ops, uint32_t max_vgpus, uint32_t n,
		    const struct vgs_sched_param *params, size_t nparams)
{
	struct vgs_sched_args args = { .ops = ops, .max_vgpus = max_vgpus, .params = params, .nparams = nparams };
	int ret;

	memset(d, 0, sizeof(*d));
	ret = vgs_sched_init(&d->s, &args);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < n; i++) {
		d->v[i].weight = 1;
		d->v[i].deadline_ns = VGS_SCHED_NO_TIME;
		d->v[i].oldest_submit_ns = VGS_SCHED_NO_TIME;
		ret = vgs_sched_add(&d->s, &d->v[i]);
		if (ret)
			return ret;
	}
	d->n = n;
	return 0;
}

/* ---- core ------------------------------------------------------------------------------------- */

static void test_reason_names(void)
{
	static const char *const want[] = { "expired", "empty", "blocked", "preempted", "reset" };

	for (int r = 0; r < VGS_CHARGE_NREASONS; r++)
		CU_ASSERT_STRING_EQUAL(vgs_charge_reason_name(r), want[r]);
	CU_ASSERT_STRING_EQUAL(vgs_charge_reason_name(VGS_CHARGE_NREASONS), "unknown");
}

static void test_builtins(void)
{
	static const char *const names[] = { "timeslice", "weighted", "dynprio", "fifo", "gvtg", "drm", "xe", "mps",
					     "orion" };
	const size_t nnames = sizeof(names) / sizeof(names[0]);
	size_t n = 0;

	for (; vgs_policy_builtins[n]; n++)
		;
	CU_ASSERT_EQUAL(n, nnames);
	for (size_t i = 0; i < nnames; i++) {
		const struct vgs_policy_ops *ops = vgs_policy_find(names[i]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
		CU_ASSERT_STRING_EQUAL(ops->name, names[i]);
		CU_ASSERT_PTR_NOT_NULL(ops->summary);
		/* every documented default is accepted by set_param */
		for (const struct vgs_policy_param *p = ops->params; p && p->name; p++) {
			struct dom d;
			struct vgs_sched_param sp = { p->name, p->def };

			CU_ASSERT_PTR_NOT_NULL(p->help);
			if (dom_init(&d, ops, 4, 0, &sp, 1)) {
				fprintf(stderr, "\n    %s.%s default \"%s\" rejected", ops->name, p->name, p->def);
				CU_FAIL("default");
				continue;
			}
			vgs_sched_fini(&d.s);
		}
	}
	CU_ASSERT_PTR_NULL(vgs_policy_find("nope"));
	CU_ASSERT_PTR_NULL(vgs_policy_find(NULL));
}

struct param_case {
	const char *desc;
	const struct vgs_policy_ops *ops;
	const char *key, *value;
	int want;
};

static const struct param_case param_cases[] = {
	{ "unknown key", &vgs_policy_timeslice, "slice", "1000", -ENOENT },
	{ "unknown key, weighted", &vgs_policy_weighted, "variant", "equal-share", -ENOENT },
	{ "unknown key, fifo", &vgs_policy_fifo, "preempt", "1", -ENOENT },
	{ "variant equal-share", &vgs_policy_timeslice, "variant", "equal-share", 0 },
	{ "variant fixed-share", &vgs_policy_timeslice, "variant", "fixed-share", 0 },
	{ "variant misspelt", &vgs_policy_timeslice, "variant", "equal_share", -EINVAL },
	{ "slice 30 ms is NVIDIA's max", &vgs_policy_timeslice, "slice_us", "30000", 0 },
	{ "slice above 30 ms", &vgs_policy_timeslice, "slice_us", "30001", -EINVAL },
	{ "slice 0 = auto", &vgs_policy_timeslice, "slice_us", "0", 0 },
	{ "trailing garbage", &vgs_policy_timeslice, "slice_us", "2000us", -EINVAL },
	{ "float", &vgs_policy_timeslice, "slice_us", "1.5", -EINVAL },
	{ "negative", &vgs_policy_timeslice, "slice_us", "-1", -EINVAL },
	{ "leading space", &vgs_policy_timeslice, "slice_us", " 1000", -EINVAL },
	{ "empty", &vgs_policy_timeslice, "slice_us", "", -EINVAL },
	{ "overflow", &vgs_policy_timeslice, "slice_us", "99999999999999999999999", -EINVAL },
	{ "payback 2", &vgs_policy_timeslice, "payback", "2", -EINVAL },
	{ "payback 1", &vgs_policy_timeslice, "payback", "1", 0 },
	{ "weighted slice 0", &vgs_policy_weighted, "slice_us", "0", -EINVAL },
	{ "weighted carry 0", &vgs_policy_weighted, "carry_us", "0", 0 },
	{ "weighted carry hex", &vgs_policy_weighted, "carry_us", "0x10", -EINVAL },
	{ "dynprio max_wait 0", &vgs_policy_dynprio, "max_wait_us", "0", -EINVAL },
	{ "dynprio boost", &vgs_policy_dynprio, "boost", "8", 0 },
	{ "dynprio boost too big", &vgs_policy_dynprio, "boost", "1001", -EINVAL },
	{ "dynprio decay_max", &vgs_policy_dynprio, "decay_max", "0", 0 },
	{ "dynprio margin", &vgs_policy_dynprio, "deadline_margin_us", "16667", 0 },
	{ "dynprio preempt yes", &vgs_policy_dynprio, "preempt", "yes", -EINVAL },
	{ "fifo slice", &vgs_policy_fifo, "slice_us", "500", 0 },
	{ "fifo slice float", &vgs_policy_fifo, "slice_us", "0.5", -EINVAL },
};

static void test_set_param(void)
{
	for (size_t i = 0; i < sizeof(param_cases) / sizeof(param_cases[0]); i++) {
		const struct param_case *c = &param_cases[i];
		struct vgs_sched_param p[] = { { "slice_us", "0" }, { c->key, c->value } };
		struct vgs_sched_args args = { .ops = c->ops, .max_vgpus = 4, .params = p + 1, .nparams = 1 };
		struct vgs_sched s;
		int bad = 7, ret;

		/* second of two params, to check bad_param's index (fifo/timeslice accept slice_us 0) */
		if (c->ops == &vgs_policy_fifo || c->ops == &vgs_policy_timeslice) {
			args.params = p;
			args.nparams = 2;
		}
		args.bad_param = &bad;
		ret = vgs_sched_init(&s, &args);
		if (ret != c->want) {
			fprintf(stderr, "\n    case \"%s\": %s=%s gave %d, want %d", c->desc, c->key, c->value, ret,
				c->want);
			CU_FAIL("set_param");
		}
		if (ret == 0) {
			CU_ASSERT_EQUAL(bad, -1);
			vgs_sched_fini(&s);
		} else {
			CU_ASSERT_EQUAL(bad, (int)args.nparams - 1);
		}
	}
}

static void test_init_errors(void)
{
	struct vgs_sched s;
	struct vgs_sched_args args = { .ops = NULL, .max_vgpus = 4 };
	struct vgs_vgpu v = { .weight = 0 };
	struct dom d;

	CU_ASSERT_EQUAL(vgs_sched_init(&s, &args), -EINVAL);
	args.ops = &vgs_policy_fifo;
	args.max_vgpus = 0;
	CU_ASSERT_EQUAL(vgs_sched_init(&s, &args), -EINVAL);
	CU_ASSERT_EQUAL(dom_init(&d, &vgs_policy_weighted, 4, 1, NULL, 0), 0);
	CU_ASSERT_EQUAL(vgs_sched_add(&d.s, &v), -EINVAL);	/* weight 0 */
	vgs_sched_fini(&d.s);
}

/* runnable bookkeeping; runnable() never for current; charge clears current and sums charged_ns */
static void test_loop_bookkeeping(void)
{
	struct dom d;
	uint64_t slice;

	CU_ASSERT_EQUAL_FATAL(dom_init(&d, &vgs_policy_fifo, 4, 3, NULL, 0), 0);
	d.v[0].oldest_submit_ns = 50;
	CU_ASSERT_FALSE(vgs_sched_set_runnable(&d.s, &d.v[0], true, 100));
	CU_ASSERT_EQUAL(d.s.nrunnable, 1);
	CU_ASSERT_EQUAL(d.v[0].runnable_since_ns, 100);
	CU_ASSERT_FALSE(vgs_sched_set_runnable(&d.s, &d.v[0], true, 200));	/* unchanged: no-op */
	CU_ASSERT_EQUAL(d.v[0].runnable_since_ns, 100);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 300, &slice), &d.v[0]);
	CU_ASSERT_PTR_EQUAL(d.s.current, &d.v[0]);
	/* fifo would preempt for an older submission, but never on behalf of the current owner */
	d.v[1].oldest_submit_ns = 10;
	CU_ASSERT_TRUE(vgs_sched_set_runnable(&d.s, &d.v[1], true, 400));
	d.v[2].oldest_submit_ns = 60;
	CU_ASSERT_FALSE(vgs_sched_set_runnable(&d.s, &d.v[2], true, 400));
	CU_ASSERT_EQUAL(d.s.nrunnable, 3);
	vgs_sched_charge(&d.s, &d.v[0], 250, 550, VGS_CHARGE_PREEMPTED);
	CU_ASSERT_PTR_NULL(d.s.current);
	CU_ASSERT_EQUAL(d.v[0].charged_ns, 250);
	CU_ASSERT_FALSE(vgs_sched_set_runnable(&d.s, &d.v[0], false, 550));
	CU_ASSERT_EQUAL(d.s.nrunnable, 2);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 550, &slice), &d.v[1]);
	vgs_sched_fini(&d.s);
}

/* A policy that breaks the pick_next contract, and counts ticks. */
struct bad_state {
	int mode;
	unsigned ticks;
	uint64_t last_tick;
};

static int bad_init(struct vgs_sched *s)
{
	static struct bad_state st;	/* test only: policies/ itself has no global state */

	memset(&st, 0, sizeof(st));
	s->priv = &st;
	s->tick_ns = 1 * MS;
	return 0;
}

static void bad_fini(struct vgs_sched *s)
{
}

static int bad_add(struct vgs_sched *s, struct vgs_vgpu *v)
{
	return 0;
}

static struct vgs_vgpu *bad_pick(struct vgs_sched *s, uint64_t now_ns, uint64_t *slice_ns)
{
	struct bad_state *st = s->priv;

	switch (st->mode) {
	case 0:	/* not runnable */
		*slice_ns = 5 * MS;
		return s->vgpus[0];
	case 1:	/* NULL, "until runnable", while someone is runnable */
		*slice_ns = 0;
		return NULL;
	default: /* runnable, zero slice */
		*slice_ns = 0;
		return s->vgpus[1];
	}
}

static void bad_charge(struct vgs_sched *s, struct vgs_vgpu *v, uint64_t ran_ns, uint64_t now_ns,
		       enum vgs_charge_reason reason)
{
}

static void bad_tick(struct vgs_sched *s, uint64_t now_ns)
{
	struct bad_state *st = s->priv;

	st->ticks++;
	st->last_tick = now_ns;
}

static const struct vgs_policy_ops bad_ops = {
	.name = "bad", .summary = "breaks the contract", .init = bad_init, .fini = bad_fini,
	.add_vgpu = bad_add, .pick_next = bad_pick, .charge = bad_charge, .tick = bad_tick,
};

static void test_defensive_pick_and_ticks(void)
{
	struct dom d;
	struct bad_state *st;
	uint64_t slice;

	CU_ASSERT_EQUAL_FATAL(dom_init(&d, &bad_ops, 4, 2, NULL, 0), 0);
	st = d.s.priv;
	vgs_sched_set_runnable(&d.s, &d.v[1], true, 0);
	st->mode = 0;
	CU_ASSERT_PTR_NULL(vgs_sched_pick(&d.s, 0, &slice));	/* v0 is not runnable */
	CU_ASSERT(slice > 0);
	CU_ASSERT_PTR_NULL(d.s.current);
	st->mode = 1;
	CU_ASSERT_PTR_NULL(vgs_sched_pick(&d.s, 3500 * US, &slice));
	CU_ASSERT(slice > 0);	/* not 0: v1 is runnable and nobody would wake the driver */
	CU_ASSERT_EQUAL(st->ticks, 3);	/* grid anchored at the first pick: 1, 2, 3 ms */
	CU_ASSERT_EQUAL(st->last_tick, 3 * MS);
	st->mode = 2;
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 3600 * US, &slice), &d.v[1]);
	CU_ASSERT(slice > 0);
	vgs_sched_charge(&d.s, &d.v[1], 0, 3600 * US, VGS_CHARGE_EXPIRED);
	/* a long idle gap: bounded catch-up, the grid stays on whole ms */
	st->ticks = 0;
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 10 * 1000 * MS, &slice), &d.v[1]);
	CU_ASSERT(st->ticks > 0 && st->ticks <= 64);
	CU_ASSERT_EQUAL(st->last_tick, 10 * 1000 * MS);
	CU_ASSERT_EQUAL(d.s.next_tick_ns, 10 * 1000 * MS + 1 * MS);
	vgs_sched_fini(&d.s);
}

/* ---- timeslice --------------------------------------------------------------------------------- */

struct auto_slice_case {
	const char *desc;
	uint32_t max_vgpus;
	const char *slice_us;	/* NULL: auto */
	uint64_t want_ns;
};

static const struct auto_slice_case auto_slice_cases[] = {
	{ "1 vGPU per GPU", 1, NULL, 2 * MS },
	{ "8 vGPUs per GPU: 2 ms", 8, NULL, 2 * MS },
	{ "9 vGPUs per GPU: 1 ms", 9, NULL, 1 * MS },
	{ "32 vGPUs per GPU: 1 ms", 32, NULL, 1 * MS },
	{ "explicit 5 ms", 32, "5000", 5 * MS },
	{ "explicit 0 = auto", 4, "0", 2 * MS },
};

static void test_timeslice_auto_slice(void)
{
	for (size_t i = 0; i < sizeof(auto_slice_cases) / sizeof(auto_slice_cases[0]); i++) {
		const struct auto_slice_case *c = &auto_slice_cases[i];
		struct vgs_sched_param p = { "slice_us", c->slice_us };
		uint32_t n = c->max_vgpus < 10 ? c->max_vgpus : 10;
		struct dom d;
		uint64_t slice = 0;

		CU_ASSERT_EQUAL_FATAL(dom_init(&d, &vgs_policy_timeslice, c->max_vgpus, n, &p, c->slice_us ? 1 : 0), 0);
		vgs_sched_set_runnable(&d.s, &d.v[0], true, 0);
		CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 0, &slice), &d.v[0]);
		if (slice != c->want_ns) {
			fprintf(stderr, "\n    case \"%s\": slice %llu, want %llu", c->desc,
				(unsigned long long)slice, (unsigned long long)c->want_ns);
			CU_FAIL("auto slice");
		}
		vgs_sched_fini(&d.s);
	}
}

static void test_timeslice_round_robin(void)
{
	struct dom d;
	uint64_t slice, now = 0;
	const uint32_t want[] = { 0, 2, 3, 0, 2, 3 };

	CU_ASSERT_EQUAL_FATAL(dom_init(&d, &vgs_policy_timeslice, 4, 4, NULL, 0), 0);
	vgs_sched_set_runnable(&d.s, &d.v[0], true, 0);
	vgs_sched_set_runnable(&d.s, &d.v[2], true, 0);
	vgs_sched_set_runnable(&d.s, &d.v[3], true, 0);
	for (size_t k = 0; k < 6; k++) {
		struct vgs_vgpu *v = vgs_sched_pick(&d.s, now, &slice);

		CU_ASSERT_PTR_EQUAL(v, &d.v[want[k]]);
		if (!v)
			break;
		now += slice;
		vgs_sched_charge(&d.s, v, slice, now, VGS_CHARGE_EXPIRED);
	}
	vgs_sched_fini(&d.s);
}

static void test_timeslice_payback(void)
{
	struct vgs_sched_param p[] = { { "payback", "1" }, { "slice_us", "2000" } };
	struct dom d;
	uint64_t slice;

	CU_ASSERT_EQUAL_FATAL(dom_init(&d, &vgs_policy_timeslice, 4, 1, p, 2), 0);
	vgs_sched_set_runnable(&d.s, &d.v[0], true, 0);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 0, &slice), &d.v[0]);
	CU_ASSERT_EQUAL(slice, 2 * MS);
	vgs_sched_charge(&d.s, &d.v[0], 2500 * US, 2500 * US, VGS_CHARGE_EXPIRED);	/* 500 us over */
	vgs_sched_pick(&d.s, 2500 * US, &slice);
	CU_ASSERT_EQUAL(slice, 1500 * US);
	vgs_sched_charge(&d.s, &d.v[0], 1500 * US, 4 * MS, VGS_CHARGE_EXPIRED);
	vgs_sched_pick(&d.s, 4 * MS, &slice);
	CU_ASSERT_EQUAL(slice, 2 * MS);		/* repaid */
	/* a huge overrun: slices floor at L/8 until repaid */
	vgs_sched_charge(&d.s, &d.v[0], 2 * MS + 4 * MS, 10 * MS, VGS_CHARGE_EXPIRED);
	vgs_sched_pick(&d.s, 10 * MS, &slice);
	CU_ASSERT_EQUAL(slice, 250 * US);	/* 1750 us of the 4 ms debt repaid */
	vgs_sched_charge(&d.s, &d.v[0], 250 * US, 11 * MS, VGS_CHARGE_EXPIRED);
	vgs_sched_pick(&d.s, 11 * MS, &slice);
	CU_ASSERT_EQUAL(slice, 250 * US);	/* 3500 repaid */
	vgs_sched_charge(&d.s, &d.v[0], 250 * US, 12 * MS, VGS_CHARGE_EXPIRED);
	vgs_sched_pick(&d.s, 12 * MS, &slice);
	CU_ASSERT_EQUAL(slice, 1500 * US);	/* last 500 us */
	vgs_sched_fini(&d.s);
}

/* avg_factor: an overrun is repaid in instalments of ceil(debt / A); freq_hz sets the slice */
static void test_timeslice_arr(void)
{
	struct vgs_sched_param p[] = { { "payback", "1" }, { "slice_us", "2000" }, { "avg_factor", "4" } };
	struct vgs_sched_param f[] = { { "freq_hz", "500" } };
	struct vgs_sched_param bad[] = { { "freq_hz", "20" } };
	struct dom d;
	uint64_t slice;

	CU_ASSERT_EQUAL_FATAL(dom_init(&d, &vgs_policy_timeslice, 4, 1, p, 3), 0);
	vgs_sched_set_runnable(&d.s, &d.v[0], true, 0);
	vgs_sched_pick(&d.s, 0, &slice);
	vgs_sched_charge(&d.s, &d.v[0], 3 * MS, 3 * MS, VGS_CHARGE_EXPIRED);	/* 1 ms over: 4 x 250 us */
	for (int k = 0; k < 4; k++) {
		vgs_sched_pick(&d.s, (4 + 2 * k) * MS, &slice);
		CU_ASSERT_EQUAL(slice, 1750 * US);
		vgs_sched_charge(&d.s, &d.v[0], slice, (4 + 2 * k) * MS + slice, VGS_CHARGE_EXPIRED);
	}
	vgs_sched_pick(&d.s, 20 * MS, &slice);
	CU_ASSERT_EQUAL(slice, 2 * MS);		/* repaid */
	vgs_sched_fini(&d.s);

	CU_ASSERT_EQUAL_FATAL(dom_init(&d, &vgs_policy_timeslice, 4, 1, f, 1), 0);
	vgs_sched_set_runnable(&d.s, &d.v[0], true, 0);
	vgs_sched_pick(&d.s, 0, &slice);
	CU_ASSERT_EQUAL(slice, 2 * MS);		/* 500 Hz */
	vgs_sched_fini(&d.s);
	CU_ASSERT_EQUAL(dom_init(&d, &vgs_policy_timeslice, 4, 1, bad, 1), -EINVAL);	/* 50 ms > 30 ms */
}

/* equal-share with payback: slots follow one another; an overrun moves the next slot, the overrunner
 * repays it from its own next slot */
static void test_timeslice_seq(void)
{
	struct vgs_sched_param p[] = { { "variant", "equal-share" }, { "slice_us", "2000" }, { "payback", "1" } };
	struct dom d;
	uint64_t slice;

	CU_ASSERT_EQUAL_FATAL(dom_init(&d, &vgs_policy_timeslice, 4, 2, p, 3), 0);
	vgs_sched_set_runnable(&d.s, &d.v[0], true, 0);
	vgs_sched_set_runnable(&d.s, &d.v[1], true, 0);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 0, &slice), &d.v[0]);
	CU_ASSERT_EQUAL(slice, 2 * MS);
	vgs_sched_charge(&d.s, &d.v[0], 2500 * US, 2500 * US, VGS_CHARGE_EXPIRED);	/* 500 us over */
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 2500 * US, &slice), &d.v[1]);
	CU_ASSERT_EQUAL(slice, 2 * MS);		/* v1's whole slot, from when v0 stopped */
	vgs_sched_charge(&d.s, &d.v[1], 2 * MS, 4500 * US, VGS_CHARGE_EXPIRED);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 4500 * US, &slice), &d.v[0]);
	CU_ASSERT_EQUAL(slice, 1500 * US);	/* v0 repays its 500 us */
	vgs_sched_fini(&d.s);
}

/* equal-share: an idle slot is idle; an owner arriving mid-slot gets the rest of it */
static void test_timeslice_slots(void)
{
	struct vgs_sched_param p[] = { { "variant", "equal-share" }, { "slice_us", "2000" } };
	struct vgs_sched_param f[] = { { "variant", "fixed-share" }, { "slice_us", "2000" } };
	struct dom d;
	uint64_t slice;

	CU_ASSERT_EQUAL_FATAL(dom_init(&d, &vgs_policy_timeslice, 4, 2, p, 2), 0);
	vgs_sched_set_runnable(&d.s, &d.v[1], true, 1000);
	CU_ASSERT_PTR_NULL(vgs_sched_pick(&d.s, 1000, &slice));	/* slot 0 is v0's: idle */
	CU_ASSERT_EQUAL(slice, 2 * MS);
	vgs_sched_set_runnable(&d.s, &d.v[0], true, 1000 + 500 * US);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 1000 + 500 * US, &slice), &d.v[0]);
	CU_ASSERT_EQUAL(slice, 1500 * US);
	/* overrun 300 us into slot 1: v1 gets what is left of it, the grid does not move */
	vgs_sched_charge(&d.s, &d.v[0], 1800 * US, 1000 + 2300 * US, VGS_CHARGE_EXPIRED);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 1000 + 2300 * US, &slice), &d.v[1]);
	CU_ASSERT_EQUAL(slice, 1700 * US);
	vgs_sched_fini(&d.s);

	CU_ASSERT_EQUAL_FATAL(dom_init(&d, &vgs_policy_timeslice, 4, 2, f, 2), 0);
	vgs_sched_set_runnable(&d.s, &d.v[0], true, 0);
	vgs_sched_set_runnable(&d.s, &d.v[1], true, 0);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 0, &slice), &d.v[0]);
	vgs_sched_charge(&d.s, &d.v[0], 2 * MS, 2 * MS, VGS_CHARGE_EXPIRED);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 2 * MS, &slice), &d.v[1]);
	vgs_sched_charge(&d.s, &d.v[1], 2 * MS, 4 * MS, VGS_CHARGE_EXPIRED);
	CU_ASSERT_PTR_NULL(vgs_sched_pick(&d.s, 4 * MS, &slice));	/* slots 2, 3: nobody's */
	CU_ASSERT_EQUAL(slice, 2 * MS);
	CU_ASSERT_PTR_NULL(vgs_sched_pick(&d.s, 6 * MS, &slice));
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 8 * MS, &slice), &d.v[0]);
	vgs_sched_fini(&d.s);
}

/* ---- weighted, dynprio, fifo ------------------------------------------------------------------- */

static void test_weighted_pick(void)
{
	struct dom d;
	uint64_t slice;

	CU_ASSERT_EQUAL_FATAL(dom_init(&d, &vgs_policy_weighted, 4, 2, NULL, 0), 0);
	d.v[1].weight = 3;
	vgs_sched_set_runnable(&d.s, &d.v[0], true, 0);
	vgs_sched_set_runnable(&d.s, &d.v[1], true, 0);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 0, &slice), &d.v[0]);	/* tie: lower id */
	CU_ASSERT_EQUAL(slice, 1 * MS);
	vgs_sched_charge(&d.s, &d.v[0], 1 * MS, 1 * MS, VGS_CHARGE_EXPIRED);
	/* v0 is 1 ms ahead in real time; v1 (weight 3) needs 3 ms to catch up */
	for (int k = 0; k < 3; k++) {
		CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, (1 + k) * MS, &slice), &d.v[1]);
		vgs_sched_charge(&d.s, &d.v[1], 1 * MS, (2 + k) * MS, VGS_CHARGE_EXPIRED);
	}
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 4 * MS, &slice), &d.v[0]);	/* level again: tie */
	vgs_sched_fini(&d.s);
}

static void test_dynprio_decisions(void)
{
	struct dom d;
	uint64_t slice;

	CU_ASSERT_EQUAL_FATAL(dom_init(&d, &vgs_policy_dynprio, 4, 3, NULL, 0), 0);
	/* v0 priority 3; v1 priority 0 but latency-sensitive with work: 0 + 4 > 3 */
	d.v[0].priority = 3;
	d.v[1].flags = VGS_VGPU_LATENCY_SENSITIVE;
	d.v[1].queued = 2;
	vgs_sched_set_runnable(&d.s, &d.v[0], true, 0);
	vgs_sched_set_runnable(&d.s, &d.v[1], true, 0);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 0, &slice), &d.v[1]);
	CU_ASSERT_EQUAL(slice, 2 * MS);
	/* decay: after using a whole slice v1 is at 0 + 4 - 1 = 3, level with v0, which waited longer */
	vgs_sched_charge(&d.s, &d.v[1], 2 * MS, 2 * MS, VGS_CHARGE_EXPIRED);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 2 * MS, &slice), &d.v[0]);
	/* preemption: v2's deadline is within the 4 ms margin and 0 + 4 > 3 (v0's) */
	d.v[2].deadline_ns = 7 * MS;
	CU_ASSERT_TRUE(vgs_sched_set_runnable(&d.s, &d.v[2], true, 5 * MS));
	vgs_sched_set_runnable(&d.s, &d.v[2], false, 5 * MS);
	d.v[2].deadline_ns = 20 * MS;	/* far: no preemption */
	CU_ASSERT_FALSE(vgs_sched_set_runnable(&d.s, &d.v[2], true, 5 * MS));
	vgs_sched_fini(&d.s);

	struct vgs_sched_param np = { "preempt", "0" };

	CU_ASSERT_EQUAL_FATAL(dom_init(&d, &vgs_policy_dynprio, 4, 2, &np, 1), 0);
	vgs_sched_set_runnable(&d.s, &d.v[0], true, 0);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 0, &slice), &d.v[0]);
	d.v[1].deadline_ns = 1 * MS;
	CU_ASSERT_FALSE(vgs_sched_set_runnable(&d.s, &d.v[1], true, 0));
	vgs_sched_fini(&d.s);
}

static void test_fifo_decisions(void)
{
	struct vgs_sched_param p = { "slice_us", "500" };
	struct dom d;
	uint64_t slice;

	CU_ASSERT_EQUAL_FATAL(dom_init(&d, &vgs_policy_fifo, 4, 4, NULL, 0), 0);
	d.v[0].oldest_submit_ns = VGS_SCHED_NO_TIME;
	d.v[1].oldest_submit_ns = 300;
	d.v[2].oldest_submit_ns = 200;
	d.v[3].oldest_submit_ns = 200;
	for (int i = 0; i < 4; i++)
		vgs_sched_set_runnable(&d.s, &d.v[i], true, 400);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 400, &slice), &d.v[2]);	/* tie 200: lower id */
	CU_ASSERT_EQUAL(slice, UINT64_MAX / 4);
	vgs_sched_fini(&d.s);

	CU_ASSERT_EQUAL_FATAL(dom_init(&d, &vgs_policy_fifo, 4, 1, &p, 1), 0);
	vgs_sched_set_runnable(&d.s, &d.v[0], true, 0);
	CU_ASSERT_PTR_EQUAL(vgs_sched_pick(&d.s, 0, &slice), &d.v[0]);
	CU_ASSERT_EQUAL(slice, 500 * US);
	vgs_sched_fini(&d.s);
}

static CU_TestInfo tests_core[] = {
	{ "charge reason names", test_reason_names },
	{ "built-ins: lookup, and every default parses", test_builtins },
	{ "set_param: -ENOENT, -EINVAL, bad_param index", test_set_param },
	{ "init/add argument errors", test_init_errors },
	{ "runnable/current/charged bookkeeping", test_loop_bookkeeping },
	{ "a contract-breaking policy cannot livelock the loop; ticks", test_defensive_pick_and_ticks },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_decisions[] = {
	{ "timeslice: auto slice 2 ms <= 8 vGPUs, 1 ms above", test_timeslice_auto_slice },
	{ "timeslice: best-effort round robin after the previous owner", test_timeslice_round_robin },
	{ "timeslice: payback shortens later slices, floor L/8", test_timeslice_payback },
	{ "timeslice: equal/fixed-share slot grid", test_timeslice_slots },
	{ "timeslice: ARR averaging factor instalments, round-robin frequency", test_timeslice_arr },
	{ "timeslice: share variants with payback, slots in sequence", test_timeslice_seq },
	{ "weighted: least vruntime, weight scales it", test_weighted_pick },
	{ "dynprio: boost, decay, preemption", test_dynprio_decisions },
	{ "fifo: oldest submission first, slice", test_fifo_decisions },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "scheduling core", .pTests = tests_core },
	       { .pName = "policy decisions", .pTests = tests_decisions })
