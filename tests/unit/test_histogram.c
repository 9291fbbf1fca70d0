/*
 * The quantile sketch (models/base/histogram.c): every quantile of random data lies within the stated
 * relative error of the exact nearest-rank quantile of the sorted samples; count, min, max and mean
 * are exact; memory stays bounded over the whole uint64_t range; the bucket found by table is the one
 * the log() formula gives.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "models/base/histogram.h"
#include "tests/unit/cunit_main.h"

/* splitmix64: the test's own deterministic generator. */
static uint64_t next_u64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double next_unit(uint64_t *x)
{
	return (double)(next_u64(x) >> 11) * 0x1.0p-53;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Exact nearest-rank quantile of sorted v[0..n): the k-th smallest, k = max(1, ceil(q n)). */
static uint64_t exact_quantile(const uint64_t *v, size_t n, double q)
{
	uint64_t k = (uint64_t)ceil(q * (double)n);
	if (q <= 0.0 || k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

enum dist { D_UNIFORM, D_LOGUNIFORM, D_EXP, D_SMALL, D_CONST };

struct qcase {
	const char *desc;
	enum dist dist;
	size_t n;
	double a, b;   /* distribution parameters */
};

static const struct qcase qcases[] = {
	{ "uniform 1 us .. 20 ms", D_UNIFORM, 100000, 1e3, 2e7 },
	{ "log-uniform 1 ns .. 1e12 ns", D_LOGUNIFORM, 100000, 0, 12 },
	{ "exponential mean 5 ms", D_EXP, 50000, 5e6, 0 },
	{ "small integers 0 .. 40 (zeros included)", D_SMALL, 20000, 41, 0 },
	{ "constant 16.6 ms", D_CONST, 1000, 16666667, 0 },
	{ "single sample", D_UNIFORM, 1, 1e3, 1e9 },
	{ "three samples", D_LOGUNIFORM, 3, 0, 9 },
};

static uint64_t draw(const struct qcase *c, uint64_t *x)
{
	switch (c->dist) {
	case D_UNIFORM: return (uint64_t)(c->a + (c->b - c->a) * next_unit(x));
	case D_LOGUNIFORM: return (uint64_t)pow(10.0, c->a + (c->b - c->a) * next_unit(x));
	case D_EXP: return (uint64_t)(-c->a * log(1.0 - next_unit(x)));
	case D_SMALL: return next_u64(x) % (uint64_t)c->a;
	case D_CONST: return (uint64_t)c->a;
	}
	return 0;
}

static void test_quantiles_vs_exact(void)
{
	static const double qs[] = { 0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0 };

	for (size_t ci = 0; ci < sizeof(qcases) / sizeof(qcases[0]); ci++) {
		const struct qcase *c = &qcases[ci];
		uint64_t *v = malloc(c->n * sizeof(*v)), x = 42 + ci, sum = 0;
		struct vgs_hist h;

		CU_ASSERT_FATAL(v != NULL);
		vgs_hist_init(&h, VGS_HIST_GAMMA);
		for (size_t i = 0; i < c->n; i++) {
			v[i] = draw(c, &x);
			sum += v[i];
			vgs_hist_add(&h, v[i]);
		}
		qsort(v, c->n, sizeof(*v), cmp_u64);
		double alpha = vgs_hist_rel_error(&h);
		CU_ASSERT(alpha <= 0.005);
		for (size_t k = 0; k < sizeof(qs) / sizeof(qs[0]); k++) {
			double exact = (double)exact_quantile(v, c->n, qs[k]);
			double est = vgs_hist_quantile(&h, qs[k]);
			double tol = alpha * exact * (1 + 1e-9) + 1e-9;
			if (!(fabs(est - exact) <= tol))
				fprintf(stderr, "\n  %s: q=%g exact=%.0f est=%.3f (rel %.5f > %.5f)\n", c->desc,
					qs[k], exact, est, fabs(est - exact) / exact, alpha);
			CU_ASSERT(fabs(est - exact) <= tol);
		}
		/* exact summaries */
		CU_ASSERT_EQUAL(h.count, c->n);
		CU_ASSERT_EQUAL(h.min, v[0]);
		CU_ASSERT_EQUAL(h.max, v[c->n - 1]);
		CU_ASSERT_EQUAL(h.sum, sum);
		CU_ASSERT_DOUBLE_EQUAL(vgs_hist_mean(&h), (double)sum / (double)c->n, 1e-9 * (double)sum / c->n);
		CU_ASSERT_EQUAL(vgs_hist_quantile(&h, 0.0), (double)v[0]);
		CU_ASSERT_EQUAL(vgs_hist_quantile(&h, 1.0), (double)v[c->n - 1]);
		vgs_hist_fini(&h);
		free(v);
	}
}

static void test_error_bound_value(void)
{
	struct vgs_hist h;

	vgs_hist_init(&h, 1.01);
	CU_ASSERT_DOUBLE_EQUAL(vgs_hist_rel_error(&h), 0.01 / 2.01, 1e-15);
	vgs_hist_fini(&h);
	vgs_hist_init(&h, 0.5); /* invalid: falls back to the default */
	CU_ASSERT_DOUBLE_EQUAL(h.gamma, VGS_HIST_GAMMA, 0);
	vgs_hist_fini(&h);
}

static void test_empty(void)
{
	struct vgs_hist h;

	vgs_hist_init(&h, VGS_HIST_GAMMA);
	CU_ASSERT(isnan(vgs_hist_quantile(&h, 0.5)));
	CU_ASSERT(isnan(vgs_hist_mean(&h)));
	CU_ASSERT_EQUAL(h.count, 0);
	vgs_hist_fini(&h);
}

static void test_zeros_exact(void)
{
	struct vgs_hist h;

	vgs_hist_init(&h, VGS_HIST_GAMMA);
	for (int i = 0; i < 90; i++)
		vgs_hist_add(&h, 0);
	for (int i = 0; i < 10; i++)
		vgs_hist_add(&h, 1000000);
	CU_ASSERT_EQUAL(vgs_hist_quantile(&h, 0.5), 0.0);
	CU_ASSERT_EQUAL(vgs_hist_quantile(&h, 0.9), 0.0);
	/* rank 91: the first non-zero sample; clamped to max, so exact here */
	CU_ASSERT_EQUAL(vgs_hist_quantile(&h, 0.91), 1000000.0);
	vgs_hist_fini(&h);
}

/* Memory does not grow with the number of samples, and covers the whole uint64_t range. */
static void test_bounded_memory(void)
{
	struct vgs_hist h;
	uint64_t x = 7;

	vgs_hist_init(&h, VGS_HIST_GAMMA);
	for (int i = 0; i < 1000000; i++)
		vgs_hist_add(&h, 1000000 + next_u64(&x) % 1000000); /* 1..2 ms */
	uint32_t narrow = h.nbuckets;
	CU_ASSERT(narrow <= 256); /* ln 2 / ln 1.01 = 70 buckets of data, plus growth slack */
	vgs_hist_add(&h, 1);
	vgs_hist_add(&h, UINT64_MAX);
	CU_ASSERT(h.nbuckets <= 4500);
	CU_ASSERT(!h.oom);
	CU_ASSERT_EQUAL(h.max, UINT64_MAX);
	double p = vgs_hist_quantile(&h, 0.5);
	CU_ASSERT(p >= 1000000 * (1 - 0.005) && p <= 2000000 * 1.005);
	CU_ASSERT_EQUAL(vgs_hist_quantile(&h, 1.0), (double)UINT64_MAX);
	vgs_hist_fini(&h);
}

/* Growing downwards and upwards keeps earlier counts in place. */
static void test_growth_keeps_counts(void)
{
	struct vgs_hist h;
	static const uint64_t vals[] = { 1000000, 10, 1000000000000ull, 3, 5000, 77777777 };
	uint64_t sorted[6];

	vgs_hist_init(&h, VGS_HIST_GAMMA);
	for (int i = 0; i < 6; i++) {
		vgs_hist_add(&h, vals[i]);
		sorted[i] = vals[i];
	}
	qsort(sorted, 6, sizeof(sorted[0]), cmp_u64);
	for (int k = 1; k <= 6; k++) {
		double q = (double)k / 6.0;
		double est = vgs_hist_quantile(&h, q);
		double ex = (double)exact_quantile(sorted, 6, q);
		CU_ASSERT(fabs(est - ex) <= vgs_hist_rel_error(&h) * ex * (1 + 1e-9));
	}
	vgs_hist_fini(&h);
}

/* The bucket by the formula of histogram.h, as histogram.c computed it with a log() per sample. */
static int32_t index_by_log(const struct vgs_hist *h, uint64_t v)
{
	int32_t i = (int32_t)ceil(log((double)v) * h->inv_log_gamma);

	return i < 0 ? 0 : i;
}

/* vgs_hist_index (a table, no log()) gives the formula's bucket for every value: all values up to
 * 2^20, both sides of every bucket boundary over the uint64_t range (each found by a binary search on
 * the formula), both sides of every power of two, the top of the range, and random values of every
 * magnitude; under the metrics' gamma (the table) and another (the formula itself). */
static void test_index_matches_log(void)
{
	static const double gammas[] = { VGS_HIST_GAMMA, 1.5 };
	uint64_t x = 99;

	for (size_t g = 0; g < sizeof(gammas) / sizeof(gammas[0]); g++) {
		struct vgs_hist h;
		uint64_t bad = 0, checked = 0;
		int32_t top;

		vgs_hist_init(&h, gammas[g]);
		top = index_by_log(&h, UINT64_MAX);
		for (uint64_t v = 1; v <= (1u << 20); v++, checked++)
			bad += vgs_hist_index(&h, v) != index_by_log(&h, v);
		for (int32_t i = 1; i <= top; i++) {
			/* the smallest v with index >= i */
			uint64_t lo = 1, hi = UINT64_MAX;

			if (index_by_log(&h, hi) < i)
				break;
			while (lo < hi) {
				uint64_t mid = lo + (hi - lo) / 2;

				if (index_by_log(&h, mid) >= i)
					hi = mid;
				else
					lo = mid + 1;
			}
			for (uint64_t d = 0; d < 3; d++) {
				if (lo > d + 1) {
					bad += vgs_hist_index(&h, lo - d - 1) != index_by_log(&h, lo - d - 1);
					checked++;
				}
				if (lo + d >= lo) {
					bad += vgs_hist_index(&h, lo + d) != index_by_log(&h, lo + d);
					checked++;
				}
			}
		}
		for (int e = 2; e < 64; e++)
			for (int64_t d = -2; d <= 2; d++, checked++) {
				uint64_t v = (1ull << e) + (uint64_t)d;

				bad += vgs_hist_index(&h, v) != index_by_log(&h, v);
			}
		for (uint64_t d = 0; d < 4096; d++, checked++)
			bad += vgs_hist_index(&h, UINT64_MAX - d) != index_by_log(&h, UINT64_MAX - d);
		for (int k = 0; k < 200000; k++, checked++) {
			uint64_t v = next_u64(&x) >> (next_u64(&x) % 64);

			if (v == 0)
				v = 1;
			bad += vgs_hist_index(&h, v) != index_by_log(&h, v);
		}
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT(checked > (1u << 20));
		vgs_hist_fini(&h);
	}
}

static CU_TestInfo tests_histogram[] = {
	{ "the bucket by table equals the bucket by log() everywhere", test_index_matches_log },
	{ "quantiles of random data within the relative error bound", test_quantiles_vs_exact },
	{ "error bound is (gamma-1)/(gamma+1)", test_error_bound_value },
	{ "empty histogram answers NaN", test_empty },
	{ "zero samples are exact", test_zeros_exact },
	{ "memory bounded over the uint64 range", test_bounded_memory },
	{ "growth in both directions keeps counts", test_growth_keeps_counts },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "histogram", .pTests = tests_histogram })
