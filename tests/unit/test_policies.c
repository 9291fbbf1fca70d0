/*
 * Policy behaviour over time: the real policies driven by tests/unit/mock_driver.c on a virtual clock.
 * Each suite is a table of cases with a description, as in drm_sched's KUnit tests; a failing case
 * prints its description.
 */
#include <stdio.h>
#include <string.h>

#include "tests/unit/cunit_main.h"
#include "tests/unit/mock_driver.h"

#define US 1000ull
#define MS 1000000ull
#define SEC 1000000000ull

#define SAT(w, cmd) { .demand = MOCK_SATURATING, .weight = (w), .cmd_ns = (cmd) }
#define CASE_MSG(c, what) fprintf(stderr, "\n    case \"%s\": %s\n", (c)->desc, (what))

#define NP(...) .params = (const struct vgs_sched_param[]){ __VA_ARGS__ }, \
	.nparams = sizeof((const struct vgs_sched_param[]){ __VA_ARGS__ }) / sizeof(struct vgs_sched_param)

struct scenario {
	const char *desc;
	const struct vgs_policy_ops *ops;
	const struct vgs_sched_param *params;
	size_t nparams;
	uint32_t max_vgpus;
	uint64_t switch_ns;
	uint64_t duration_ns;
	uint32_t ntenants;
	struct mock_tenant_cfg tenants[8];
};

static int run_scenario(const struct scenario *sc, uint64_t start_ns, uint32_t log_cap, struct mock_result *r)
{
	struct mock_cfg cfg = {
		.ops = sc->ops,
		.max_vgpus = sc->max_vgpus,
		.params = sc->params,
		.nparams = sc->nparams,
		.tenants = sc->tenants,
		.ntenants = sc->ntenants,
		.switch_ns = sc->switch_ns,
		.start_ns = start_ns,
		.duration_ns = sc->duration_ns,
		.log_cap = log_cap,
	};
	int ret = mock_run(&cfg, r);

	if (ret)
		CASE_MSG(sc, "mock_run failed");
	return ret;
}

/* ---- shares ------------------------------------------------------------------------------------ */

struct share_case {
	struct scenario sc;
	double share[8];	/* expected charged / elapsed per tenant */
	double tol;		/* absolute */
	double idle;		/* expected idle / elapsed */
};

static const struct share_case share_cases[] = {
	{ .sc = { .desc = "weighted 1:2:4 saturating, 100 us commands",
		  .ops = &vgs_policy_weighted, .duration_ns = 1 * SEC, .ntenants = 3,
		  .tenants = { SAT(1, 100 * US), SAT(2, 100 * US), SAT(4, 100 * US) } },
	  .share = { 1.0 / 7, 2.0 / 7, 4.0 / 7 }, .tol = 0.02 },
	{ .sc = { .desc = "weighted 1:2:4 saturating, 700 us commands (overrun debt paid back)",
		  .ops = &vgs_policy_weighted, .duration_ns = 1 * SEC, .ntenants = 3,
		  .tenants = { SAT(1, 700 * US), SAT(2, 700 * US), SAT(4, 700 * US) } },
	  .share = { 1.0 / 7, 2.0 / 7, 4.0 / 7 }, .tol = 0.02 },
	{ .sc = { .desc = "weighted 3:1 fluid (fine-grained preemption)",
		  .ops = &vgs_policy_weighted, .duration_ns = 1 * SEC, .ntenants = 2,
		  .tenants = { SAT(3, 0), SAT(1, 0) } },
	  .share = { 0.75, 0.25 }, .tol = 0.005 },
	{ .sc = { .desc = "timeslice equal-share, 3 saturating",
		  .ops = &vgs_policy_timeslice, NP({ "variant", "equal-share" }),
		  .duration_ns = 1 * SEC, .ntenants = 3,
		  .tenants = { SAT(1, 100 * US), SAT(1, 100 * US), SAT(1, 100 * US) } },
	  .share = { 1.0 / 3, 1.0 / 3, 1.0 / 3 }, .tol = 0.01 },
	{ .sc = { .desc = "timeslice equal-share, 4 saturating, 300 us commands overrun the slots",
		  .ops = &vgs_policy_timeslice, NP({ "variant", "equal-share" }),
		  .duration_ns = 1 * SEC, .ntenants = 4,
		  .tenants = { SAT(1, 300 * US), SAT(1, 300 * US), SAT(1, 300 * US), SAT(1, 300 * US) } },
	  .share = { 0.25, 0.25, 0.25, 0.25 }, .tol = 0.01 },
	{ .sc = { .desc = "timeslice fixed-share, 2 saturating of max 4",
		  .ops = &vgs_policy_timeslice, NP({ "variant", "fixed-share" }), .max_vgpus = 4,
		  .duration_ns = 1 * SEC, .ntenants = 2,
		  .tenants = { SAT(1, 100 * US), SAT(1, 100 * US) } },
	  .share = { 0.25, 0.25 }, .tol = 0.01, .idle = 0.5 },
	{ .sc = { .desc = "timeslice best-effort, 3 saturating",
		  .ops = &vgs_policy_timeslice, .duration_ns = 1 * SEC, .ntenants = 3,
		  .tenants = { SAT(1, 100 * US), SAT(1, 100 * US), SAT(1, 100 * US) } },
	  .share = { 1.0 / 3, 1.0 / 3, 1.0 / 3 }, .tol = 0.01 },
	{ .sc = { .desc = "timeslice best-effort + payback, 700 us vs 100 us commands",
		  .ops = &vgs_policy_timeslice, NP({ "payback", "1" }),
		  .duration_ns = 1 * SEC, .ntenants = 2,
		  .tenants = { SAT(1, 700 * US), SAT(1, 100 * US) } },
	  .share = { 0.5, 0.5 }, .tol = 0.01 },
	{ .sc = { .desc = "dynprio, 2 equal saturating: round robin",
		  .ops = &vgs_policy_dynprio, .duration_ns = 1 * SEC, .ntenants = 2,
		  .tenants = { SAT(1, 100 * US), SAT(1, 100 * US) } },
	  .share = { 0.5, 0.5 }, .tol = 0.01 },
};

static void test_shares(void)
{
	for (size_t i = 0; i < sizeof(share_cases) / sizeof(share_cases[0]); i++) {
		const struct share_case *c = &share_cases[i];
		struct mock_result r;
		bool ok = true;

		if (run_scenario(&c->sc, 0, 0, &r)) {
			CU_FAIL("mock_run");
			continue;
		}
		for (uint32_t k = 0; k < c->sc.ntenants; k++) {
			double got = (double)r.t[k].charged_ns / r.elapsed_ns;

			if (got < c->share[k] - c->tol || got > c->share[k] + c->tol) {
				fprintf(stderr, "\n    case \"%s\": tenant %u share %.4f, expected %.4f +- %.3f",
					c->sc.desc, k, got, c->share[k], c->tol);
				ok = false;
			}
		}
		double idle = (double)r.idle_ns / r.elapsed_ns;

		if (idle < c->idle - 0.01 || idle > c->idle + 0.01) {
			fprintf(stderr, "\n    case \"%s\": idle %.4f, expected %.4f", c->sc.desc, idle, c->idle);
			ok = false;
		}
		CU_ASSERT(ok);
		mock_result_fini(&r);
	}
}

/* ---- work conservation ------------------------------------------------------------------------- */

#define ONOFF(on, off, ph, cmd) { .demand = MOCK_ONOFF, .on_ns = (on), .off_ns = (off), .phase_ns = (ph), .cmd_ns = (cmd) }
#define PERIODIC(per, job, dl, ph, cmd) { .demand = MOCK_PERIODIC, .period_ns = (per), .job_ns = (job), \
	.deadline_ns = (dl), .phase_ns = (ph), .cmd_ns = (cmd) }

/* Bursty tenants with gaps where nobody has work. */
#define BURSTY_TENANTS .ntenants = 3, .tenants = { ONOFF(3 * MS, 7 * MS, 0, 100 * US), \
	ONOFF(2 * MS, 9 * MS, 1 * MS, 150 * US), PERIODIC(8 * MS, 1 * MS, 8 * MS, 500 * US, 100 * US) }

struct conserve_case {
	struct scenario sc;
	bool conserving;
};

static const struct conserve_case conserve_cases[] = {
	{ { .desc = "timeslice best-effort", .ops = &vgs_policy_timeslice, .duration_ns = 500 * MS,
	    BURSTY_TENANTS }, true },
	{ { .desc = "timeslice best-effort + payback", .ops = &vgs_policy_timeslice, NP({ "payback", "1" }),
	    .duration_ns = 500 * MS, BURSTY_TENANTS }, true },
	{ { .desc = "weighted", .ops = &vgs_policy_weighted, .duration_ns = 500 * MS, BURSTY_TENANTS }, true },
	{ { .desc = "dynprio", .ops = &vgs_policy_dynprio, .duration_ns = 500 * MS, BURSTY_TENANTS }, true },
	{ { .desc = "fifo", .ops = &vgs_policy_fifo, .duration_ns = 500 * MS, BURSTY_TENANTS }, true },
	{ { .desc = "timeslice equal-share idles its slot", .ops = &vgs_policy_timeslice,
	    NP({ "variant", "equal-share" }), .duration_ns = 500 * MS, BURSTY_TENANTS }, false },
	{ { .desc = "timeslice fixed-share idles its slot", .ops = &vgs_policy_timeslice,
	    NP({ "variant", "fixed-share" }), .max_vgpus = 4, .duration_ns = 500 * MS, BURSTY_TENANTS }, false },
};

static void test_work_conserving(void)
{
	for (size_t i = 0; i < sizeof(conserve_cases) / sizeof(conserve_cases[0]); i++) {
		const struct conserve_case *c = &conserve_cases[i];
		struct mock_result r;

		if (run_scenario(&c->sc, 0, 0, &r)) {
			CU_FAIL("mock_run");
			continue;
		}
		if (c->conserving ? r.idle_runnable_ns != 0 : r.idle_runnable_ns == 0) {
			CASE_MSG(&c->sc, "idle while runnable");
			fprintf(stderr, "    idle_runnable_ns = %llu\n", (unsigned long long)r.idle_runnable_ns);
			CU_FAIL("work conservation");
		}
		/* the scenario has gaps where nobody has work: idle must exist for every policy */
		CU_ASSERT(r.idle_ns > 0);
		mock_result_fini(&r);
	}
}

/* ---- invariants and determinism, every policy ------------------------------------------------ */

/* Everything at once: saturating, periodic with deadlines, on/off, fluid, switch cost, weights. */
#define MIXED_TENANTS .switch_ns = 30 * US, .ntenants = 5, .tenants = { \
	{ .demand = MOCK_SATURATING, .weight = 2, .cmd_ns = 250 * US }, \
	{ .demand = MOCK_PERIODIC, .weight = 1, .priority = 2, .flags = VGS_VGPU_LATENCY_SENSITIVE, \
	  .period_ns = 16666667, .job_ns = 3 * MS, .deadline_ns = 16666667, .cmd_ns = 200 * US }, \
	ONOFF(20 * MS, 13 * MS, 5 * MS, 400 * US), \
	{ .demand = MOCK_SATURATING, .weight = 1, .cmd_ns = 0 }, \
	PERIODIC(5 * MS, 700 * US, 3 * MS, 1 * MS, 0) }

static const struct scenario invariant_cases[] = {
	{ .desc = "timeslice best-effort", .ops = &vgs_policy_timeslice, .duration_ns = 300 * MS, MIXED_TENANTS },
	{ .desc = "timeslice best-effort payback", .ops = &vgs_policy_timeslice, NP({ "payback", "1" }),
	  .duration_ns = 300 * MS, MIXED_TENANTS },
	{ .desc = "timeslice equal-share", .ops = &vgs_policy_timeslice, NP({ "variant", "equal-share" }),
	  .duration_ns = 300 * MS, MIXED_TENANTS },
	{ .desc = "timeslice fixed-share", .ops = &vgs_policy_timeslice, NP({ "variant", "fixed-share" }),
	  .max_vgpus = 8, .duration_ns = 300 * MS, MIXED_TENANTS },
	{ .desc = "weighted", .ops = &vgs_policy_weighted, .duration_ns = 300 * MS, MIXED_TENANTS },
	{ .desc = "weighted carry 0", .ops = &vgs_policy_weighted, NP({ "carry_us", "0" }),
	  .duration_ns = 300 * MS, MIXED_TENANTS },
	{ .desc = "dynprio", .ops = &vgs_policy_dynprio, .duration_ns = 300 * MS, MIXED_TENANTS },
	{ .desc = "dynprio no preempt", .ops = &vgs_policy_dynprio, NP({ "preempt", "0" }),
	  .duration_ns = 300 * MS, MIXED_TENANTS },
	{ .desc = "fifo", .ops = &vgs_policy_fifo, .duration_ns = 300 * MS, MIXED_TENANTS },
	{ .desc = "fifo 1 ms slice", .ops = &vgs_policy_fifo, NP({ "slice_us", "1000" }),
	  .duration_ns = 300 * MS, MIXED_TENANTS },
};

#define NINV (sizeof(invariant_cases) / sizeof(invariant_cases[0]))

static void test_accounting(void)
{
	for (size_t i = 0; i < NINV; i++) {
		const struct scenario *sc = &invariant_cases[i];
		struct mock_result r;
		uint64_t charged = 0;

		if (run_scenario(sc, 0, 0, &r)) {
			CU_FAIL("mock_run");
			continue;
		}
		for (uint32_t k = 0; k < sc->ntenants; k++) {
			charged += r.t[k].charged_ns;
			if (r.t[k].charged_ns != r.t[k].sched_charged_ns) {
				CASE_MSG(sc, "vgs_vgpu.charged_ns differs from the charges made");
				CU_FAIL("charged_ns");
			}
		}
		if (charged + r.switch_ns + r.idle_ns != r.elapsed_ns) {
			CASE_MSG(sc, "charged + switch + idle != elapsed");
			CU_FAIL("accounting");
		}
		CU_ASSERT(r.elapsed_ns >= sc->duration_ns);
		CU_ASSERT(r.npicks > 0);
		mock_result_fini(&r);
	}
}

/* Same run twice: identical; and the clock origin does not matter (policies never read a clock). */
static void test_deterministic(void)
{
	const uint64_t shift = 123456789012345ull;

	for (size_t i = 0; i < NINV; i++) {
		const struct scenario *sc = &invariant_cases[i];
		struct mock_result a, b, c;

		if (run_scenario(sc, 0, 4096, &a) || run_scenario(sc, 0, 4096, &b) ||
		    run_scenario(sc, shift, 4096, &c)) {
			CU_FAIL("mock_run");
			continue;
		}
		if (memcmp(a.t, b.t, sizeof(a.t)) || a.nlog != b.nlog ||
		    memcmp(a.log, b.log, a.nlog * sizeof(*a.log)) || a.idle_ns != b.idle_ns ||
		    a.switch_ns != b.switch_ns || a.elapsed_ns != b.elapsed_ns) {
			CASE_MSG(sc, "two identical runs differ");
			CU_FAIL("determinism");
		}
		for (uint32_t k = 0; k < c.nlog; k++)
			c.log[k].pick_ns -= shift;
		if (memcmp(a.t, c.t, sizeof(a.t)) || a.nlog != c.nlog ||
		    memcmp(a.log, c.log, a.nlog * sizeof(*a.log)) || a.idle_ns != c.idle_ns) {
			CASE_MSG(sc, "shifting the clock origin changed the decisions");
			CU_FAIL("clock origin");
		}
		mock_result_fini(&a);
		mock_result_fini(&b);
		mock_result_fini(&c);
	}
}

/* ---- dynprio starvation bound ---------------------------------------------------------------- */

struct bound_case {
	struct scenario sc;
	uint64_t slice_ns, cmd_ns, max_wait_ns;	/* as configured, for the bound */
	uint32_t low;				/* the tenant that would starve */
};

#define HI_SAT(cmd) { .demand = MOCK_SATURATING, .priority = 10, .flags = VGS_VGPU_LATENCY_SENSITIVE, .cmd_ns = (cmd) }
#define LO_SAT(cmd) { .demand = MOCK_SATURATING, .priority = 0, .cmd_ns = (cmd) }

static const struct bound_case bound_cases[] = {
	{ { .desc = "3 boosted high-priority hogs + 1 low, defaults, 300 us commands, 50 us switch",
	    .ops = &vgs_policy_dynprio, .switch_ns = 50 * US, .duration_ns = 1 * SEC, .ntenants = 4,
	    .tenants = { HI_SAT(300 * US), HI_SAT(300 * US), HI_SAT(300 * US), LO_SAT(300 * US) } },
	  2 * MS, 300 * US, 50 * MS, 3 },
	{ { .desc = "low tenant first in id order, 7 hogs, 1 ms commands, short max_wait",
	    .ops = &vgs_policy_dynprio, NP({ "max_wait_us", "10000" }, { "slice_us", "1000" }),
	    .switch_ns = 20 * US, .duration_ns = 1 * SEC, .ntenants = 8,
	    .tenants = { LO_SAT(1 * MS), HI_SAT(1 * MS), HI_SAT(1 * MS), HI_SAT(1 * MS), HI_SAT(1 * MS),
			 HI_SAT(1 * MS), HI_SAT(1 * MS), HI_SAT(1 * MS) } },
	  1 * MS, 1 * MS, 10 * MS, 0 },
	{ { .desc = "hogs with tight deadlines + low-priority periodic",
	    .ops = &vgs_policy_dynprio, NP({ "max_wait_us", "20000" }), .switch_ns = 10 * US,
	    .duration_ns = 1 * SEC, .ntenants = 4,
	    .tenants = { { .demand = MOCK_PERIODIC, .priority = 5, .period_ns = 4 * MS, .job_ns = 3 * MS,
			   .deadline_ns = 4 * MS, .cmd_ns = 250 * US },
			 { .demand = MOCK_PERIODIC, .priority = 5, .period_ns = 4 * MS, .job_ns = 3 * MS,
			   .deadline_ns = 4 * MS, .phase_ns = 1 * MS, .cmd_ns = 250 * US },
			 HI_SAT(250 * US),
			 { .demand = MOCK_PERIODIC, .priority = -5, .period_ns = 30 * MS, .job_ns = 5 * MS,
			   .cmd_ns = 250 * US } } },
	  2 * MS, 250 * US, 20 * MS, 3 },
};

static void test_dynprio_bound(void)
{
	for (size_t i = 0; i < sizeof(bound_cases) / sizeof(bound_cases[0]); i++) {
		const struct bound_case *c = &bound_cases[i];
		uint64_t n = c->sc.ntenants;
		/* W = max_wait + (N - 1) * (C + S + O), O < one command (dynprio.c) */
		uint64_t bound = c->max_wait_ns + (n - 1) * (c->sc.switch_ns + c->slice_ns + c->cmd_ns);
		struct mock_result r;

		if (run_scenario(&c->sc, 0, 0, &r)) {
			CU_FAIL("mock_run");
			continue;
		}
		for (uint32_t k = 0; k < n; k++) {
			if (r.t[k].max_wait_ns > bound) {
				fprintf(stderr, "\n    case \"%s\": tenant %u waited %llu ns > bound %llu",
					c->sc.desc, k, (unsigned long long)r.t[k].max_wait_ns,
					(unsigned long long)bound);
				CU_FAIL("starvation bound");
			}
		}
		/* the low tenant is served, and only by the guard */
		CU_ASSERT(r.t[c->low].charged_ns > 0);
		CU_ASSERT(r.t[c->low].max_wait_ns >= c->max_wait_ns);
		mock_result_fini(&r);
	}
}

/* Control: without the guard (max_wait 60 s) the same adversary starves the low tenant. */
static void test_dynprio_adversary_starves_without_guard(void)
{
	struct scenario sc = bound_cases[0].sc;
	struct mock_result r;

	sc.params = (const struct vgs_sched_param[]){ { "max_wait_us", "60000000" } };
	sc.nparams = 1;
	if (run_scenario(&sc, 0, 0, &r)) {
		CU_FAIL("mock_run");
		return;
	}
	CU_ASSERT_EQUAL(r.t[3].charged_ns, 0);
	mock_result_fini(&r);
}

/* ---- weighted carry bound -------------------------------------------------------------------- */

struct carry_case {
	struct scenario sc;
	uint64_t carry_ns, slice_ns, cmd_ns;
	uint32_t wb;	/* B's weight (A's is 1) */
};

/* A saturating from 0; B has no work for 1 s, then saturates. */
#define CARRY_TENANTS(wb, cmd) .ntenants = 2, .tenants = { SAT(1, cmd), \
	{ .demand = MOCK_ONOFF, .weight = (wb), .phase_ns = 1 * SEC, .on_ns = 1, .off_ns = 0, .cmd_ns = (cmd) } }

static const struct carry_case carry_cases[] = {
	{ { .desc = "default carry (100 ms), equal weights", .ops = &vgs_policy_weighted,
	    .duration_ns = 2 * SEC, CARRY_TENANTS(1, 100 * US) }, 100 * MS, 1 * MS, 100 * US, 1 },
	{ { .desc = "carry 20 ms, B weight 4", .ops = &vgs_policy_weighted, NP({ "carry_us", "20000" }),
	    .duration_ns = 2 * SEC, CARRY_TENANTS(4, 100 * US) }, 20 * MS, 1 * MS, 100 * US, 4 },
	{ { .desc = "carry 50 ms, slice 2 ms, 600 us commands", .ops = &vgs_policy_weighted,
	    NP({ "carry_us", "50000" }, { "slice_us", "2000" }), .duration_ns = 2 * SEC,
	    CARRY_TENANTS(1, 600 * US) }, 50 * MS, 2 * MS, 600 * US, 1 },
};

static void test_weighted_carry(void)
{
	for (size_t i = 0; i < sizeof(carry_cases) / sizeof(carry_cases[0]); i++) {
		const struct carry_case *c = &carry_cases[i];
		/* weighted.c: carry + (S + O) * (1 + w_B / w_A) */
		uint64_t bound = c->carry_ns + (c->slice_ns + c->cmd_ns) * (1 + c->wb);
		struct mock_result r;

		if (run_scenario(&c->sc, 0, 0, &r)) {
			CU_FAIL("mock_run");
			continue;
		}
		/* B, back after 1 s, runs ahead of A by at most the carry plus its fair share of A's last slice ... */
		if (r.t[0].max_wait_ns > bound) {
			fprintf(stderr, "\n    case \"%s\": A waited %llu ns > carry bound %llu", c->sc.desc,
				(unsigned long long)r.t[0].max_wait_ns, (unsigned long long)bound);
			CU_FAIL("carry bound");
		}
		/* ... and does get its carried-over time (B's vruntime starts carry behind) */
		CU_ASSERT(r.t[0].max_wait_ns >= c->carry_ns - c->slice_ns);
		mock_result_fini(&r);
	}
}

/* ---- fifo order -------------------------------------------------------------------------------- */

static void test_fifo_order(void)
{
	/* arrivals: tenant 2 at 0, tenant 0 at 100 us, tenant 1 at 200 us, every 10 ms; 1 ms jobs */
	const uint64_t cmds[] = { 100 * US, 0 };

	for (size_t i = 0; i < 2; i++) {
		struct scenario sc = {
			.desc = cmds[i] ? "fifo, 100 us commands" : "fifo, fluid",
			.ops = &vgs_policy_fifo, .duration_ns = 50 * MS, .switch_ns = 5 * US, .ntenants = 3,
			.tenants = { PERIODIC(10 * MS, 1 * MS, 0, 100 * US, cmds[i]),
				     PERIODIC(10 * MS, 1 * MS, 0, 200 * US, cmds[i]),
				     PERIODIC(10 * MS, 1 * MS, 0, 0, cmds[i]) },
		};
		const uint32_t order[] = { 2, 0, 1 };
		struct mock_result r;

		if (run_scenario(&sc, 0, 64, &r)) {
			CU_FAIL("mock_run");
			continue;
		}
		CU_ASSERT_EQUAL(r.nlog, 15);
		for (uint32_t k = 0; k < r.nlog; k++) {
			CU_ASSERT_EQUAL(r.log[k].id, order[k % 3]);
			CU_ASSERT_EQUAL(r.log[k].ran_ns, 1 * MS);
			CU_ASSERT_EQUAL(r.log[k].reason, VGS_CHARGE_EMPTY);
		}
		for (uint32_t k = 0; k < 3; k++)
			CU_ASSERT_EQUAL(r.t[k].units_done, 5);
		mock_result_fini(&r);
	}
}

static CU_TestInfo tests_shares[] = {
	{ "shares match the policy (weights, 1/N, 1/max)", test_shares },
	{ "work-conserving policies never idle while runnable", test_work_conserving },
	{ "weighted: carry-over after idle is bounded", test_weighted_carry },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_invariants[] = {
	{ "charged + switch + idle == elapsed, every policy", test_accounting },
	{ "same run twice and shifted clock give identical results", test_deterministic },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_latency[] = {
	{ "dynprio: every wait within max_wait + (N-1)(C+S+O)", test_dynprio_bound },
	{ "dynprio: the adversary starves the low tenant without the guard",
	  test_dynprio_adversary_starves_without_guard },
	{ "fifo: slices in submission order", test_fifo_order },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "policy shares", .pTests = tests_shares },
	       { .pName = "policy invariants", .pTests = tests_invariants },
	       { .pName = "policy latency and order", .pTests = tests_latency })
