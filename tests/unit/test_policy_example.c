/*
 * The policy template docs/examples/mypolicy.c, compiled in, driven by the mock driver: the template
 * documented in docs/policies.md must be a working policy, not just code that compiles.
 */
#include "docs/examples/mypolicy.c"

#include "tests/unit/cunit_main.h"
#include "tests/unit/mock_driver.h"

static void test_example_shares(void)
{
	const struct mock_tenant_cfg tenants[] = {
		{ .demand = MOCK_SATURATING, .weight = 1, .cmd_ns = 100000 },
		{ .demand = MOCK_SATURATING, .weight = 3, .cmd_ns = 100000 },
		{ .demand = MOCK_ONOFF, .weight = 1, .on_ns = 5000000, .off_ns = 20000000, .cmd_ns = 50000 },
	};
	const struct vgs_sched_param params[] = { { "slice_us", "500" } };
	struct mock_cfg cfg = {
		.ops = &vgs_policy_ops, .params = params, .nparams = 1, .tenants = tenants, .ntenants = 2,
		.switch_ns = 10000, .duration_ns = 1000000000ull,
	};
	struct mock_result r;
	uint64_t charged = 0;

	CU_ASSERT_EQUAL_FATAL(mock_run(&cfg, &r), 0);
	double s0 = (double)r.t[0].charged_ns / (r.t[0].charged_ns + r.t[1].charged_ns);

	CU_ASSERT(s0 > 0.24 && s0 < 0.26);	/* 1:3 */
	mock_result_fini(&r);

	cfg.ntenants = 3;
	CU_ASSERT_EQUAL_FATAL(mock_run(&cfg, &r), 0);
	for (int k = 0; k < 3; k++)
		charged += r.t[k].charged_ns;
	CU_ASSERT_EQUAL(charged + r.switch_ns + r.idle_ns, r.elapsed_ns);
	CU_ASSERT_EQUAL(r.idle_runnable_ns, 0);
	mock_result_fini(&r);
}

static void test_example_params(void)
{
	struct vgs_sched s;
	struct vgs_sched_param bad[] = { { "slice_us", "0" } }, unknown[] = { { "quantum", "1" } };
	struct vgs_sched_args args = { .ops = &vgs_policy_ops, .max_vgpus = 4, .params = bad, .nparams = 1 };

	CU_ASSERT_STRING_EQUAL(vgs_policy_ops.name, "mypolicy");
	CU_ASSERT_EQUAL(vgs_sched_init(&s, &args), -EINVAL);
	args.params = unknown;
	CU_ASSERT_EQUAL(vgs_sched_init(&s, &args), -ENOENT);
}

static CU_TestInfo tests_example[] = {
	{ "template policy: weighted shares, accounting", test_example_shares },
	{ "template policy: parameters", test_example_params },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "docs/examples/mypolicy.c", .pTests = tests_example })
