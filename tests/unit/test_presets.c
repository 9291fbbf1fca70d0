/*
 * The production scheduler presets (models/scenario/preset.c, docs/presets.md): each reproduces one
 * statement of its scheduler's documentation or code.  The preset table gives the policy and its
 * parameters; tests/unit/mock_driver.c runs them on a virtual clock.  One case per statement, with the
 * statement as its description, as docs/presets.md quotes it.
 */
#include <stdio.h>
#include <string.h>

#include "models/scenario/preset.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/mock_driver.h"

#define US 1000ull
#define MS 1000000ull
#define SEC 1000000000ull

#define SAT(cmd) { .demand = MOCK_SATURATING, .cmd_ns = (cmd) }
#define SATW(w, cmd) { .demand = MOCK_SATURATING, .weight = (w), .cmd_ns = (cmd) }
#define SATP(p, cmd) { .demand = MOCK_SATURATING, .priority = (p), .cmd_ns = (cmd) }
#define IDLE { .demand = MOCK_ONOFF, .phase_ns = 1000 * SEC }	/* never has work in these runs */

struct preset_case {
	const char *statement;
	const char *preset;
	uint32_t max_vgpus;          /* the GPU profile's limit (0: the number of tenants) */
	uint64_t duration_ns;
	uint32_t ntenants;
	struct mock_tenant_cfg tenants[8];
	uint32_t log_cap;
};

/* Run a case under its preset's policy and parameters. */
static int run_preset(const struct preset_case *c, struct mock_result *r)
{
	const struct vgs_preset *p = vgs_preset_find(c->preset);
	const struct vgs_policy_ops *ops = p ? vgs_policy_find(p->policy) : NULL;
	struct mock_cfg cfg = {
		.ops = ops,
		.max_vgpus = c->max_vgpus,
		.params = p ? p->params : NULL,
		.nparams = p ? p->nparams : 0,
		.tenants = c->tenants,
		.ntenants = c->ntenants,
		.duration_ns = c->duration_ns,
		.log_cap = c->log_cap,
	};

	memset(r, 0, sizeof(*r));
	if (!ops || mock_run(&cfg, r)) {
		fprintf(stderr, "\n    \"%s\" (%s): cannot run", c->statement, c->preset);
		return -1;
	}
	return 0;
}

static double frac(const struct mock_result *r, uint32_t i)
{
	return (double)r->t[i].charged_ns / (double)r->elapsed_ns;
}

/* |got - want| <= tol, printing the statement when not. */
static void expect(const struct preset_case *c, const char *what, double got, double want, double tol)
{
	if (got < want - tol || got > want + tol) {
		fprintf(stderr, "\n    \"%s\" (%s): %s = %.4f, expected %.4f +- %.4f", c->statement, c->preset, what,
			got, want, tol);
		CU_FAIL("documented statement");
	}
}

/* ---- NVIDIA time-sliced vGPU ------------------------------------------------------------------- */

static void test_nvidia(void)
{
	static const struct preset_case es = {
		.statement = "equal share: each of 4 vGPUs gets 25 %", .preset = "nvidia-es", .max_vgpus = 24,
		.duration_ns = 1 * SEC, .ntenants = 4,
		.tenants = { SAT(100 * US), SAT(300 * US), SAT(50 * US), SAT(700 * US) },
	};
	static const struct preset_case es_idle = {
		.statement = "equal share: a vGPU's share does not grow when the others have no work",
		.preset = "nvidia-es", .max_vgpus = 24, .duration_ns = 1 * SEC, .ntenants = 4,
		.tenants = { SAT(100 * US), IDLE, IDLE, IDLE },
	};
	static const struct preset_case fs = {
		.statement = "fixed share: an idle vGPU's slot stays idle", .preset = "nvidia-fs", .max_vgpus = 4,
		.duration_ns = 1 * SEC, .ntenants = 2, .tenants = { SAT(100 * US), IDLE },
	};
	static const struct preset_case be = {
		.statement = "best effort: idle VMs cede their slots to active ones", .preset = "nvidia-be",
		.max_vgpus = 24, .duration_ns = 1 * SEC, .ntenants = 4, .tenants = { SAT(100 * US), IDLE, IDLE, IDLE },
	};
	struct mock_result r;

	if (run_preset(&es, &r) == 0) {
		for (uint32_t i = 0; i < 4; i++)
			expect(&es, "share of the GPU", frac(&r, i), 0.25, 0.005);
		mock_result_fini(&r);
	}
	if (run_preset(&es_idle, &r) == 0) {
		expect(&es_idle, "share of the busy vGPU", frac(&r, 0), 0.25, 0.005);
		expect(&es_idle, "idle fraction", (double)r.idle_ns / r.elapsed_ns, 0.75, 0.005);
		mock_result_fini(&r);
	}
	if (run_preset(&fs, &r) == 0) {
		expect(&fs, "share of the busy vGPU (1/max_vgpus)", frac(&r, 0), 0.25, 0.005);
		expect(&fs, "idle fraction", (double)r.idle_ns / r.elapsed_ns, 0.75, 0.005);
		mock_result_fini(&r);
	}
	if (run_preset(&be, &r) == 0) {
		expect(&be, "share of the busy vGPU", frac(&r, 0), 1.0, 0.001);
		mock_result_fini(&r);
	}
}

/* ---- Intel GVT-g ------------------------------------------------------------------------------- */

/* Time charged to tenant `id` by slices picked in [from, to). */
static uint64_t charged_in(const struct mock_result *r, uint32_t id, uint64_t from, uint64_t to)
{
	uint64_t sum = 0;

	for (uint32_t k = 0; k < r->nlog; k++)
		if (r->log[k].id == id && r->log[k].pick_ns >= from && r->log[k].pick_ns < to)
			sum += r->log[k].ran_ns;
	return sum;
}

static void test_gvtg(void)
{
	/* The boost (2 s) and the first budget reset after it (stage 0 at t0 + 2 s) come first. */
	static const struct preset_case w24 = {
		.statement = "GVT-g weight 2:4 -> 1:2 over each 100 ms", .preset = "gvtg",
		.duration_ns = 3 * SEC, .ntenants = 2, .tenants = { SATW(2, 100 * US), SATW(4, 100 * US) },
		.log_cap = 10000,
	};
	static const struct preset_case cap = {
		.statement = "GVT-g: a vGPU out of budget waits even when the GPU is idle", .preset = "gvtg",
		.duration_ns = 4 * SEC, .ntenants = 2, .tenants = { SATW(1, 100 * US), { .demand = MOCK_ONOFF,
		.weight = 1, .cmd_ns = 100 * US, .phase_ns = 0, .on_ns = 1 * SEC, .off_ns = 100 * SEC } },
		.log_cap = 10000,
	};
	static const struct preset_case boost = {
		.statement = "GVT-g: a newly started vGPU has priority for 2 s", .preset = "gvtg",
		.duration_ns = 3 * SEC, .ntenants = 2, .tenants = { SATW(1, 100 * US), SATW(1, 100 * US) },
		.log_cap = 10000,
	};
	struct mock_result r;

	if (run_preset(&w24, &r) == 0) {
		for (uint64_t k = 20; k < 30; k++) {
			uint64_t a = charged_in(&r, 0, k * 100 * MS, (k + 1) * 100 * MS);
			uint64_t b = charged_in(&r, 1, k * 100 * MS, (k + 1) * 100 * MS);

			expect(&w24, "weight-2 vGPU's ms in a 100 ms period", a / 1e6, 100.0 / 3, 1.5);
			expect(&w24, "weight-4 vGPU's ms in a 100 ms period", b / 1e6, 200.0 / 3, 1.5);
		}
		mock_result_fini(&r);
	}
	/* After the boost the second vGPU has gone quiet: the first keeps its 50 ms of every 100 ms. */
	if (run_preset(&cap, &r) == 0) {
		for (uint64_t k = 30; k < 40; k++)
			expect(&cap, "busy vGPU's ms in a 100 ms period", charged_in(&r, 0, k * 100 * MS, (k + 1) * 100 * MS) / 1e6,
			       50.0, 1.5);
		mock_result_fini(&r);
	}
	/* Both start at once; the one added last is first in the LRU list and, boosted, keeps the GPU. */
	if (run_preset(&boost, &r) == 0) {
		expect(&boost, "first 2 s: the boosted vGPU's share", charged_in(&r, 1, 0, 2 * SEC) / 2e9, 1.0, 0.01);
		expect(&boost, "third second: equal weights share", charged_in(&r, 0, 2 * SEC, 3 * SEC) / 1e9, 0.5, 0.02);
		mock_result_fini(&r);
	}
}

/* ---- AMD MxGPU GIM ----------------------------------------------------------------------------- */

static void test_gim(void)
{
	static const struct preset_case rr = {
		.statement = "GIM round robin: active VFs get a time slice in turn (an idle VF's turn goes to the others)",
		.preset = "gim-rr", .duration_ns = 1 * SEC, .ntenants = 3, .tenants = { SAT(100 * US), SAT(100 * US), IDLE },
	};
	static const struct preset_case pred = {
		.statement = "GIM predictable keeps an idle VF's slot", .preset = "gim-predictable",
		.duration_ns = 1 * SEC, .ntenants = 3, .tenants = { SAT(100 * US), SAT(100 * US), IDLE },
	};
	struct mock_result r;

	if (run_preset(&rr, &r) == 0) {
		expect(&rr, "share of VF 0", frac(&r, 0), 0.5, 0.01);
		expect(&rr, "share of VF 1", frac(&r, 1), 0.5, 0.01);
		expect(&rr, "longest slice (ms)", r.t[0].max_slice_ns / 1e6, 6.0, 0.1);
		mock_result_fini(&r);
	}
	if (run_preset(&pred, &r) == 0) {
		expect(&pred, "share of VF 0", frac(&r, 0), 1.0 / 3, 0.01);
		expect(&pred, "share of VF 1", frac(&r, 1), 1.0 / 3, 0.01);
		expect(&pred, "idle fraction (the idle VF's slots)", (double)r.idle_ns / r.elapsed_ns, 1.0 / 3, 0.01);
		mock_result_fini(&r);
	}
}

/* ---- Linux drm_sched --------------------------------------------------------------------------- */

static void test_drm(void)
{
	static const struct preset_case fair = {
		.statement = "drm_sched fair: vruntime grows by GPU time << 4 at NORMAL and << 2 at HIGH: HIGH gets 4x the time",
		.preset = "drm-fair", .duration_ns = 1 * SEC, .ntenants = 2, .tenants = { SATP(1, 100 * US), SATP(0, 100 * US) },
	};
	static const struct preset_case fair_eq = {
		.statement = "drm_sched fair: entities of one priority share the ring equally",
		.preset = "drm-fair", .duration_ns = 1 * SEC, .ntenants = 3,
		.tenants = { SAT(100 * US), SAT(300 * US), SAT(50 * US) },
	};
	static const struct preset_case rr = {
		.statement = "drm_sched round robin: one job per entity in turn", .preset = "drm-rr",
		.duration_ns = 1 * SEC, .ntenants = 3, .tenants = { SAT(100 * US), SAT(100 * US), SAT(100 * US) },
	};
	static const struct preset_case fifo = {
		.statement = "drm_sched FIFO: run queues in strict priority order (a busy HIGH entity starves NORMAL)",
		.preset = "drm-fifo", .duration_ns = 1 * SEC, .ntenants = 2, .tenants = { SATP(0, 100 * US), SATP(1, 100 * US) },
	};
	struct mock_result r;

	if (run_preset(&fair, &r) == 0) {
		expect(&fair, "HIGH's share", frac(&r, 0), 0.8, 0.01);
		expect(&fair, "NORMAL's share", frac(&r, 1), 0.2, 0.01);
		mock_result_fini(&r);
	}
	if (run_preset(&fair_eq, &r) == 0) {
		for (uint32_t i = 0; i < 3; i++)
			expect(&fair_eq, "share", frac(&r, i), 1.0 / 3, 0.01);
		mock_result_fini(&r);
	}
	if (run_preset(&rr, &r) == 0) {
		for (uint32_t i = 0; i < 3; i++) {
			expect(&rr, "share", frac(&r, i), 1.0 / 3, 0.005);
			expect(&rr, "longest turn (us): one 100 us job", r.t[i].max_slice_ns / 1e3, 100.0, 0.5);
		}
		mock_result_fini(&r);
	}
	if (run_preset(&fifo, &r) == 0) {
		expect(&fifo, "HIGH's share", frac(&r, 1), 1.0, 0.001);
		mock_result_fini(&r);
	}
}

/* ---- Intel Xe GuC ------------------------------------------------------------------------------ */

static void test_xe(void)
{
	static const struct preset_case quantum = {
		.statement = "Xe GuC: contexts of equal priority are time-sliced with the 1 ms exec quantum",
		.preset = "xe-guc", .duration_ns = 1 * SEC, .ntenants = 2, .tenants = { SAT(100 * US), SAT(100 * US) },
	};
	static const struct preset_case prio = {
		.statement = "Xe GuC: a higher-priority context preempts a lower one as soon as it has work",
		.preset = "xe-guc", .duration_ns = 1 * SEC, .ntenants = 2,
		.tenants = { SATP(0, 100 * US), { .demand = MOCK_PERIODIC, .priority = 1, .cmd_ns = 100 * US,
			     .phase_ns = 3 * MS, .period_ns = 10 * MS, .job_ns = 2 * MS, .deadline_ns = 3 * MS } },
	};
	struct mock_result r;

	if (run_preset(&quantum, &r) == 0) {
		expect(&quantum, "share of context 0", frac(&r, 0), 0.5, 0.005);
		expect(&quantum, "longest turn (ms)", r.t[0].max_slice_ns / 1e6, 1.0, 0.001);
		mock_result_fini(&r);
	}
	if (run_preset(&prio, &r) == 0) {
		/* It waits at most for the low-priority context's running 100 us command. */
		expect(&prio, "high-priority context's longest wait (us)", r.t[1].max_wait_ns / 1e3, 50.0, 50.0);
		expect(&prio, "high-priority deadline misses", (double)r.t[1].deadline_misses, 0, 0);
		mock_result_fini(&r);
	}
}

/* ---- the table itself -------------------------------------------------------------------------- */

static void test_table(void)
{
	size_t n = 0;

	for (const struct vgs_preset *p = vgs_presets; p->name; p++, n++) {
		const struct vgs_policy_ops *ops = vgs_policy_find(p->policy);
		struct vgs_sched s;
		int bad = -1;
		struct vgs_sched_args a = { .ops = ops, .max_vgpus = 8, .params = p->params, .nparams = p->nparams,
					    .bad_param = &bad };

		CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
		CU_ASSERT_PTR_NOT_NULL(p->summary);
		CU_ASSERT_PTR_NOT_NULL(p->source);
		CU_ASSERT_PTR_NOT_NULL(p->domain);
		if (vgs_sched_init(&s, &a) != 0) {
			fprintf(stderr, "\n    preset %s: parameter %d rejected", p->name, bad);
			CU_FAIL("preset parameters");
			continue;
		}
		vgs_sched_fini(&s);
		CU_ASSERT_PTR_EQUAL(vgs_preset_find(p->name), p);
	}
	CU_ASSERT(n >= 8);
	CU_ASSERT_PTR_NULL(vgs_preset_find("timeslice"));
	CU_ASSERT_PTR_NULL(vgs_preset_find(NULL));
}

static CU_TestInfo tests_presets[] = {
	{ "table: every preset names a built-in that accepts its parameters", test_table },
	{ "NVIDIA: equal share 4 x 25 %, fixed share keeps idle slots, best effort cedes them", test_nvidia },
	{ "GVT-g: weight 2:4 -> 1:2 per 100 ms, budget cap, 2 s boost", test_gvtg },
	{ "GIM: round robin over active VFs, predictable keeps an idle VF's slot", test_gim },
	{ "drm_sched: fair by priority shift, round robin per job, FIFO strict priority", test_drm },
	{ "Xe GuC: exec quantum among equals, preemption by priority", test_xe },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "production scheduler presets", .pTests = tests_presets })
