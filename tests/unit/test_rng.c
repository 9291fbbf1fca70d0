/* models/base/rng.c: reproducibility, independence of derived streams, distribution moments. */
#include <math.h>
#include <string.h>

#include "models/base/rng.h"
#include "tests/unit/cunit_main.h"

#define N 200000

static void test_same_seed_same_sequence(void)
{
	struct vgs_rng a, b;

	vgs_rng_seed(&a, 42);
	vgs_rng_seed(&b, 42);
	for (int i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL(vgs_rng_u64(&a), vgs_rng_u64(&b));
	vgs_rng_seed(&b, 43);
	vgs_rng_seed(&a, 42);
	int same = 0;

	for (int i = 0; i < 1000; i++)
		same += vgs_rng_u64(&a) == vgs_rng_u64(&b);
	CU_ASSERT(same < 2);
}

/* Golden values: a change here changes every simulation result (and every golden file). */
static void test_golden(void)
{
	static const uint64_t want[] = { 0xb3f2af6d0fc710c5ull, 0x853b559647364ceaull, 0x92f89756082a4514ull };
	struct vgs_rng r;

	vgs_rng_seed(&r, 1);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL(vgs_rng_u64(&r), want[i]);
	CU_ASSERT_EQUAL(vgs_rng_derive(1, 2), 0x2d826501f134ef03ull);
	/* The state is never all zero, whatever the seed. */
	vgs_rng_seed(&r, 0);
	CU_ASSERT(r.s[0] | r.s[1] | r.s[2] | r.s[3]);
}

static void test_derive(void)
{
	CU_ASSERT_EQUAL(vgs_rng_derive(7, 3), vgs_rng_derive(7, 3));
	CU_ASSERT_NOT_EQUAL(vgs_rng_derive(7, 3), vgs_rng_derive(7, 4));
	CU_ASSERT_NOT_EQUAL(vgs_rng_derive(7, 3), vgs_rng_derive(8, 3));
	CU_ASSERT_NOT_EQUAL(vgs_rng_derive(0, 0), 0);
	/* Streams of derived seeds are not correlated: compare first uniforms of 1000 pairs. */
	double sum = 0;

	for (uint64_t i = 0; i < 1000; i++) {
		struct vgs_rng a, b;

		vgs_rng_seed(&a, vgs_rng_derive(99, i));
		vgs_rng_seed(&b, vgs_rng_derive(99, i + 1));
		sum += (vgs_rng_uniform(&a) - 0.5) * (vgs_rng_uniform(&b) - 0.5);
	}
	CU_ASSERT(fabs(sum / 1000) < 0.01);
}

struct moments {
	double mean, sd, min, max;
};

static struct moments sample(double (*draw)(struct vgs_rng *, double, double), double p1, double p2)
{
	struct vgs_rng r;
	double s = 0, s2 = 0;
	struct moments m = { .min = INFINITY, .max = -INFINITY };

	vgs_rng_seed(&r, 2024);
	for (int i = 0; i < N; i++) {
		double x = draw(&r, p1, p2);

		s += x;
		s2 += x * x;
		m.min = fmin(m.min, x);
		m.max = fmax(m.max, x);
	}
	m.mean = s / N;
	m.sd = sqrt(s2 / N - m.mean * m.mean);
	return m;
}

static double draw_uniform(struct vgs_rng *r, double a, double b)
{
	return vgs_rng_uniform(r);
}

static double draw_exp(struct vgs_rng *r, double mean, double unused)
{
	return vgs_rng_exp(r, mean);
}

static void test_uniform(void)
{
	struct moments m = sample(draw_uniform, 0, 0);

	CU_ASSERT(m.min >= 0 && m.max < 1);
	CU_ASSERT(fabs(m.mean - 0.5) < 0.005);
	CU_ASSERT(fabs(m.sd - sqrt(1.0 / 12)) < 0.005);
}

static void test_exp(void)
{
	struct moments m = sample(draw_exp, 3.0, 0);

	CU_ASSERT(m.min >= 0);
	CU_ASSERT(fabs(m.mean / 3.0 - 1) < 0.01);
	CU_ASSERT(fabs(m.sd / m.mean - 1) < 0.02); /* cv of an exponential is 1 */
}

static void test_normal(void)
{
	struct moments m = sample(vgs_rng_normal, 10.0, 2.0);

	CU_ASSERT(fabs(m.mean - 10.0) < 0.02);
	CU_ASSERT(fabs(m.sd - 2.0) < 0.02);
}

static void test_lognormal(void)
{
	static const struct { double mean, cv, tol_mean, tol_cv; } cases[] = {
		{ 0.912, 0.193, 0.005, 0.01 },
		{ 43.1, 1.55, 0.03, 0.15 }, /* heavy tail: sample cv converges slowly */
		{ 5.0, 0.0, 1e-12, 1e-12 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct moments m = sample(vgs_rng_lognormal, cases[i].mean, cases[i].cv);

		CU_ASSERT(m.min > 0);
		CU_ASSERT(fabs(m.mean / cases[i].mean - 1) < cases[i].tol_mean);
		CU_ASSERT(fabs(m.sd / m.mean - cases[i].cv) < cases[i].tol_cv + 1e-9);
	}
}

static CU_TestInfo rng_tests[] = {
	{ "same seed, same sequence", test_same_seed_same_sequence },
	{ "golden values and non-zero state", test_golden },
	{ "derive gives independent streams", test_derive },
	{ "uniform [0,1) mean and sd", test_uniform },
	{ "exp mean and cv", test_exp },
	{ "normal mean and sd", test_normal },
	{ "lognormal mean and cv of the result", test_lognormal },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "rng", .pTests = rng_tests })
