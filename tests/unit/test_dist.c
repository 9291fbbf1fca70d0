/*
 * models/workload/dist*.c and fit.c: the distributions frame and kernel times need beyond lognormal
 * (pareto, empirical tables and histograms, inline or in a file, mixtures): sampled moments and
 * quantiles, CDFs, every malformed form refused with its FILE:LINE, config text that reads back the
 * same; and the fits of `vgpusim fit` (KS distance, the table's quantiles, the mixture of a bimodal
 * sample, the choice between them).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include "models/workload/dist.h"
#include "models/workload/fit.h"
#include "tests/unit/cunit_main.h"

/* Parse `x_ms = ...;` from text: 0 and *d, or -1 with err. */
static int parse(const char *text, struct vgs_dist *d, struct vgs_error *err)
{
	config_t cfg;
	int rc;

	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		snprintf(err->msg, sizeof(err->msg), "syntax: %s", config_error_text(&cfg));
		config_destroy(&cfg);
		return -1;
	}
	rc = vgs_dist_parse(config_lookup(&cfg, "x_ms"), 1e6, d, err);
	config_destroy(&cfg);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* n samples of d, sorted (ns). */
static double *draw(const struct vgs_dist *d, size_t n, uint64_t seed)
{
	double *x = malloc(n * sizeof(*x));
	struct vgs_rng r;

	vgs_rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++)
		x[i] = vgs_dist_sample(d, &r);
	qsort(x, n, sizeof(*x), cmp_double);
	return x;
}

static double mean_of(const double *x, size_t n)
{
	double s = 0;

	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

/* Table-driven: each form's sample mean, median and CDF against what it was given. */
static void test_kinds(void)
{
	/* Not static: the expected values call pow(), which is no constant expression in C. */
	const struct {
		const char *desc, *text;
		double mean_ms, p50_ms; /* -1: not checked */
	} cases[] = {
		{ "pareto by mean", "x_ms = { dist = \"pareto\"; mean = 10.0; alpha = 3.0; };", 10, 10 * 2.0 / 3 * pow(2, 1.0 / 3) },
		{ "pareto by scale", "x_ms = { dist = \"pareto\"; scale = 4; alpha = 2.5; };", 4 * 2.5 / 1.5, 4 * pow(2, 1 / 2.5) },
		{ "table, equally spaced", "x_ms = { dist = \"empirical\"; values = [ 10.0, 20.0, 40.0 ]; };", 22.5, 20 },
		{ "table with p", "x_ms = { dist = \"empirical\"; p = [ 0.0, 0.9, 1.0 ]; values = [ 1.0, 2.0, 12.0 ]; };",
		  0.9 * 1.5 + 0.1 * 7, 1 + 0.5 / 0.9 },
		{ "histogram", "x_ms = { dist = \"empirical\"; bins = [ 0, 10, 20 ]; counts = [ 3, 1 ]; };", 0.75 * 5 + 0.25 * 15,
		  20.0 / 3 },
		{ "bimodal mixture", "x_ms = { dist = \"mixture\"; of = ( { weight = 3; dist = \"lognormal\"; mean = 2.0; cv = 0.1; },"
				     " { weight = 1; dist = \"const\"; mean = 20.0; } ); };", 0.75 * 2 + 0.25 * 20, -1 },
		{ "lognormal with cv 2 (a heavy tail)", "x_ms = { dist = \"lognormal\"; mean = 5.0; cv = 2.0; };", 5, -1 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vgs_dist d;
		struct vgs_error err = { { 0 } };
		const size_t n = 200000;
		double *x;

		int rc = parse(cases[i].text, &d, &err);

		if (rc != 0)
			fprintf(stderr, "\n%s: %s\n", cases[i].desc, err.msg);
		CU_ASSERT_EQUAL_FATAL(rc, 0);
		CU_ASSERT_DOUBLE_EQUAL(vgs_dist_mean_ns(&d) / 1e6, cases[i].mean_ms, 1e-9 * cases[i].mean_ms);
		x = draw(&d, n, i + 1);
		/* the sample mean within 3 %: a Pareto of alpha 2.5 has a heavy tail */
		CU_ASSERT(fabs(mean_of(x, n) / 1e6 / cases[i].mean_ms - 1) < 0.03);
		if (cases[i].p50_ms >= 0) {
			CU_ASSERT(fabs(vgs_fit_quantile(x, n, 0.5) / 1e6 / cases[i].p50_ms - 1) < 0.01);
			CU_ASSERT(fabs(vgs_dist_cdf(&d, cases[i].p50_ms * 1e6) - 0.5) < 1e-9);
		}
		/* the CDF agrees with the sample everywhere: a KS distance of a few 1/sqrt(n) */
		CU_ASSERT(vgs_fit_ks(x, n, &d) < 0.01);
		free(x);
		vgs_dist_fini(&d);
	}
}

/* Each malformed form is refused, naming the line and what was expected. */
static void test_errors(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "x_ms = { dist = \"pareto\"; mean = 5.0; alpha = 1.0; };", "<config>:1: 'x_ms': expected alpha" },
		{ "x_ms = { dist = \"pareto\"; alpha = 2.0; };", "expected either mean or scale" },
		{ "x_ms = { dist = \"pareto\"; mean = 2.0; scale = 1.0; alpha = 2.0; };", "expected either mean or scale" },
		{ "x_ms = { dist = \"empirical\"; values = [ 3.0, 2.0 ]; };", "point 1: expected p ascending from 0 to 1" },
		{ "x_ms = { dist = \"empirical\"; p = [ 0.0, 0.5 ]; values = [ 1.0, 2.0 ]; };", "point 1: expected p" },
		{ "x_ms = { dist = \"empirical\"; p = [ 0.0, 1.0 ]; values = [ 1.0 ]; };", "as many p as values" },
		{ "x_ms = { dist = \"empirical\"; bins = [ 0, 1 ]; counts = [ 1, 2 ]; };", "one more bin edge than counts" },
		{ "x_ms = { dist = \"empirical\"; values = [ 1.0 ]; file = \"t\"; };", "expected one of: values" },
		{ "x_ms = { dist = \"empirical\"; file = \"/nonexistent/t.txt\"; };", "cannot read /nonexistent/t.txt" },
		{ "x_ms = { dist = \"empirical\"; values = [ 1.0 ]; cv = 1.0; };", "unknown key 'cv' in 'x_ms' (dist \"empirical\")" },
		{ "x_ms = { dist = \"mixture\"; of = ( { dist = \"const\"; mean = 1.0; } ); };", "'x_ms.of.[0]': expected a group with weight" },
		{ "x_ms = { dist = \"mixture\"; of = ( { weight = 1; dist = \"const\"; mean = 1.0; cv = 2.0; } ); };",
		  "'cv' does not apply" },
		{ "x_ms = { dist = \"mixture\"; };", "expected of = (" },
		{ "x_ms = { dist = \"zipf\"; mean = 1.0; };", "expected one of \"const\"" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vgs_dist d;
		struct vgs_error err = { { 0 } };

		CU_ASSERT_EQUAL(parse(cases[i].text, &d, &err), -1);
		if (!strstr(err.msg, cases[i].want))
			fprintf(stderr, "\ncase %zu: '%s' lacks '%s'\n", i, err.msg, cases[i].want);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].want));
	}
}

/* A table file: "p value" lines and comments, its errors at its own FILE:LINE. */
static void test_file(void)
{
	char path[] = "/tmp/vgs-dist-XXXXXX";
	int fd = mkstemp(path);
	char *text;
	struct vgs_dist d;
	struct vgs_error err = { { 0 } };

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, "# frame times\n0 10\n0.5 12   # median\n1 30\n", 41) == 41);
	close(fd);
	text = g_strdup_printf("x_ms = { dist = \"empirical\"; file = \"%s\"; };", path);
	CU_ASSERT_EQUAL_FATAL(parse(text, &d, &err), 0);
	CU_ASSERT_DOUBLE_EQUAL(vgs_dist_cdf(&d, 12e6), 0.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(vgs_dist_mean_ns(&d), (0.5 * 11 + 0.5 * 21) * 1e6, 1);
	vgs_dist_fini(&d);
	g_free(text);
	CU_ASSERT_FATAL(g_file_set_contents(path, "0 10\n1 x\n", -1, NULL));
	text = g_strdup_printf("x_ms = { dist = \"empirical\"; file = \"%s\"; };", path);
	CU_ASSERT_EQUAL(parse(text, &d, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ":2: expected \"VALUE\" or \"P VALUE\""));
	g_free(text);
	unlink(path);
}

/* What vgs_dist_print_config writes reads back as the same distribution. */
static void test_print_round_trip(void)
{
	static const char *const texts[] = {
		"x_ms = { dist = \"empirical\"; p = [ 0.0, 0.5, 1.0 ]; values = [ 1.0, 2.5, 30.0 ]; min = 0.5; };",
		("x_ms = { dist = \"mixture\"; of = ( { weight = 0.25; dist = \"lognormal\"; mean = 2.0; cv = 0.1; }, "
		 "{ weight = 0.75; dist = \"pareto\"; mean = 9.0; alpha = 2.0; } ); max = 100.0; };"),
		"x_ms = 7;",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct vgs_dist a, b;
		struct vgs_error err = { { 0 } };
		GString *s = g_string_new("x_ms = ");

		CU_ASSERT_EQUAL_FATAL(parse(texts[i], &a, &err), 0);
		vgs_dist_print_config(&a, 1e6, s);
		g_string_append(s, ";");
		CU_ASSERT_EQUAL_FATAL(parse(s->str, &b, &err), 0);
		CU_ASSERT_DOUBLE_EQUAL(vgs_dist_mean_ns(&a), vgs_dist_mean_ns(&b), 1e-6 * vgs_dist_mean_ns(&a));
		for (double x = 0.5e6; x < 100e6; x *= 1.7)
			CU_ASSERT_DOUBLE_EQUAL(vgs_dist_cdf(&a, x), vgs_dist_cdf(&b, x), 1e-6);
		vgs_dist_fini(&a);
		vgs_dist_fini(&b);
		g_string_free(s, TRUE);
	}
}

/*
 * Fits: a lognormal sample is fitted by a lognormal; a bimodal one fails the lognormal's KS test and
 * is fitted by the mixture; the table reproduces the sample's p50, p90 and p99 exactly.
 */
static void test_fit(void)
{
	struct vgs_dist src = vgs_dist_make(VGS_DIST_LOGNORMAL, 7e6, 0.3), m;
	struct vgs_fit f;
	double w[2] = { 0.7, 0.3 }, *x;
	const size_t n = 2000;

	x = draw(&src, n, 3);
	vgs_fit_best(x, n, false, &f);
	CU_ASSERT_EQUAL(f.d.kind, VGS_DIST_LOGNORMAL);
	CU_ASSERT(fabs(f.d.mean_ns / 7e6 - 1) < 0.03 && fabs(f.d.cv - 0.3) < 0.03);
	CU_ASSERT(f.ks < vgs_fit_ks_critical(n));
	vgs_dist_fini(&f.d);
	free(x);

	struct vgs_dist comp[2] = { vgs_dist_make(VGS_DIST_LOGNORMAL, 4e6, 0.1), vgs_dist_make(VGS_DIST_LOGNORMAL, 14e6, 0.1) };

	m = vgs_dist_make_mixture(comp, w, 2);
	x = draw(&m, n, 4);
	vgs_fit_best(x, n, false, &f);
	CU_ASSERT_EQUAL(f.d.kind, VGS_DIST_MIXTURE);
	CU_ASSERT(f.ks < vgs_fit_ks_critical(n));
	CU_ASSERT(fabs(vgs_dist_mean_ns(&f.d) / vgs_dist_mean_ns(&m) - 1) < 0.03);
	vgs_dist_fini(&f.d);
	vgs_fit_best(x, n, true, &f);
	CU_ASSERT_EQUAL(f.d.kind, VGS_DIST_EMPIRICAL);
	for (double q = 0.5; q < 1; q += 0.49 - (q > 0.8) * 0.4) /* 0.5, 0.99 and 0.9 */
		CU_ASSERT_DOUBLE_EQUAL(vgs_fit_dist_quantile(&f.d, q), vgs_fit_quantile(x, n, q), 1e-5 * x[n - 1]);
	CU_ASSERT_DOUBLE_EQUAL(vgs_fit_dist_quantile(&f.d, 0.9), vgs_fit_quantile(x, n, 0.9), 1e-5 * x[n - 1]);
	vgs_dist_fini(&f.d);
	vgs_dist_fini(&m);
	free(x);
}

static CU_TestInfo dist_tests[] = {
	{ "pareto, tables, histograms, mixtures, cv 2: samples and CDFs", test_kinds },
	{ "malformed forms name their line and what was expected", test_errors },
	{ "table file: p value lines, comments, FILE:LINE errors", test_file },
	{ "printed config text reads back the same", test_print_round_trip },
	{ "fits: lognormal, bimodal mixture, quantile table", test_fit },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "distributions", .pTests = dist_tests })
