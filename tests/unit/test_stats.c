/*
 * models/results/stats.c: Student's t quantiles against tabulated values, the CDF's symmetry and
 * round trip, confidence intervals of a mean, and the paired test (common random numbers).
 */
#include <math.h>

#include "models/results/stats.h"
#include "tests/unit/cunit_main.h"

/* Two-sided 95 % (p = 0.975) and one-sided 95 % (p = 0.95) quantiles, from any t table (e.g. NIST/
 * SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.2), more digits from R's qt(). */
static const struct {
	const char *desc;
	double p, df, t;
} t_table[] = {
	{ "df 1, 0.975", 0.975, 1, 12.7062047 },
	{ "df 2, 0.975", 0.975, 2, 4.3026527 },
	{ "df 3, 0.975", 0.975, 3, 3.1824463 },
	{ "df 5, 0.975", 0.975, 5, 2.5705818 },
	{ "df 9, 0.975 (10 seeds)", 0.975, 9, 2.2621572 },
	{ "df 19, 0.975", 0.975, 19, 2.0930241 },
	{ "df 29, 0.975", 0.975, 29, 2.0452296 },
	{ "df 100, 0.975", 0.975, 100, 1.9839715 },
	{ "df 1e6, 0.975: the normal's 1.959964", 0.975, 1e6, 1.9599659 },
	{ "df 10, 0.95", 0.95, 10, 1.8124611 },
	{ "df 4, 0.995", 0.995, 4, 4.6040949 },
};

static void test_t_quantiles(void)
{
	for (size_t i = 0; i < sizeof(t_table) / sizeof(t_table[0]); i++) {
		double t = vgs_t_quantile(t_table[i].p, t_table[i].df);
		double tol = 1e-6;

		if (fabs(t - t_table[i].t) > tol * t_table[i].t)
			fprintf(stderr, "\n%s: %.9f, expected %.9f\n", t_table[i].desc, t, t_table[i].t);
		CU_ASSERT(fabs(t - t_table[i].t) <= tol * t_table[i].t);
		/* the lower tail is the mirror image */
		CU_ASSERT(fabs(vgs_t_quantile(1 - t_table[i].p, t_table[i].df) + t) < 1e-9 * t);
	}
}

static void test_t_cdf(void)
{
	CU_ASSERT_DOUBLE_EQUAL(vgs_t_cdf(0, 7), 0.5, 1e-15);
	CU_ASSERT_DOUBLE_EQUAL(vgs_t_cdf(1, 1), 0.75, 1e-12); /* Cauchy: 1/2 + atan(1)/pi */
	CU_ASSERT_DOUBLE_EQUAL(vgs_t_cdf(-1, 1), 0.25, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(vgs_t_cdf(2, 2), 0.5 + 1 / sqrt(6.0), 1e-12); /* df 2: 1/2 + t / (2 sqrt(2 + t^2)) */
	for (double df = 1; df < 60; df *= 1.7)
		for (double p = 0.55; p < 1; p += 0.1)
			CU_ASSERT_DOUBLE_EQUAL(vgs_t_cdf(vgs_t_quantile(p, df), df), p, 1e-10);
	CU_ASSERT(isnan(vgs_t_quantile(0, 3)) && isnan(vgs_t_quantile(1, 3)) && isnan(vgs_t_quantile(0.9, 0)));
	CU_ASSERT_EQUAL(vgs_t_cdf(INFINITY, 3), 1);
}

static void test_ci_mean(void)
{
	/* 10 values, mean 5.5, sd sqrt(55/6) = 3.0277, half = 2.2622 * 3.0277 / sqrt(10) = 2.1659 */
	double x[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, NAN };
	struct vgs_ci ci;

	vgs_ci_mean(x, 11, 0.95, &ci);
	CU_ASSERT_EQUAL(ci.n, 10);
	CU_ASSERT_DOUBLE_EQUAL(ci.mean, 5.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(ci.sd, sqrt(55.0 / 6.0), 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(ci.half, 2.2621572 * sqrt(55.0 / 6.0) / sqrt(10.0), 1e-6);
	vgs_ci_mean(x, 1, 0.95, &ci); /* one value: a mean, no interval */
	CU_ASSERT_EQUAL(ci.n, 1);
	CU_ASSERT(isnan(ci.half) && ci.mean == 1);
	vgs_ci_mean(x + 10, 1, 0.95, &ci); /* nothing finite */
	CU_ASSERT(ci.n == 0 && isnan(ci.mean));
}

/*
 * The paired test sees through seed-to-seed variation that hides a difference from two separate
 * intervals: b is a everywhere plus 0.1, a varies from 1 to 10.
 */
static void test_paired(void)
{
	double a[10], b[10], c[10];
	struct vgs_ci d, ia, ib;

	for (int i = 0; i < 10; i++) {
		a[i] = 1 + i;
		b[i] = a[i] + 0.1 + (i % 2 ? 0.01 : -0.01);
		c[i] = a[i] + (i % 2 ? 0.5 : -0.5);
	}
	vgs_ci_mean(a, 10, 0.95, &ia);
	vgs_ci_mean(b, 10, 0.95, &ib);
	CU_ASSERT(fabs(ia.mean - ib.mean) < ia.half); /* the two intervals overlap widely */
	CU_ASSERT_TRUE(vgs_ci_paired(b, a, 10, 0.95, &d));
	CU_ASSERT_DOUBLE_EQUAL(d.mean, 0.1, 1e-12);
	CU_ASSERT(d.half < 0.01);
	CU_ASSERT_FALSE(vgs_ci_paired(c, a, 10, 0.95, &d)); /* +-0.5 around 0: no difference */
	CU_ASSERT_FALSE(vgs_ci_paired(a, a, 10, 0.95, &d)); /* identical runs */
	CU_ASSERT_EQUAL(d.mean, 0);
	for (int i = 0; i < 10; i++)
		c[i] = a[i] + 2;
	CU_ASSERT_TRUE(vgs_ci_paired(c, a, 10, 0.95, &d)); /* a constant difference is significant */
	CU_ASSERT_FALSE(vgs_ci_paired(c, a, 1, 0.95, &d)); /* one seed: no test */
}

static CU_TestInfo tests_stats[] = {
	{ "t quantiles match the tables", test_t_quantiles },
	{ "t CDF: closed forms, symmetry, round trip", test_t_cdf },
	{ "mean and 95 % interval", test_ci_mean },
	{ "paired test on common random numbers", test_paired },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "stats", .pTests = tests_stats })
