/*
 * Sweeps and capacity searches without running anything (models/results/sweep.c, capacity.c, sla.c):
 * grid parsing, the plan and its file, the bisection against every monotone feasibility on [0, max],
 * the non-monotone report, SLA terms.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/results/capacity.h"
#include "models/results/sla.h"
#include "models/results/sweep.h"
#include "tests/unit/cunit_main.h"

static void test_axis_parse(void)
{
	static const struct { const char *text; int nvalues; const char *last; } good[] = {
		{ "vgpus.[0].count=4,8,12", 3, "12" },
		{ "scheduler.nvidia-es={slice_us=1000;},{slice_us=4000;}", 2, "{slice_us=4000;}" },
		{ "simulation.name=\"a,b\",\"c\"", 2, "\"c\"" },
		{ "gpus.[0].engines.gfx.preempt=\"fine\"", 1, "\"fine\"" },
		{ "scheduler.domain=((\"gfx\",\"venc\")),\"gpu\"", 2, "\"gpu\"" },
	};
	static const char *const bad[] = { "count", "=1,2", "a.b=", "a.b=1,,2", "a.b=1,1" };
	struct vgs_sweep_axis ax;
	struct vgs_error err = { { 0 } };

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		CU_ASSERT_EQUAL_FATAL(vgs_sweep_axis_parse(good[i].text, &ax, &err), 0);
		CU_ASSERT_EQUAL(ax.nvalues, (size_t)good[i].nvalues);
		CU_ASSERT_STRING_EQUAL(ax.values[ax.nvalues - 1], good[i].last);
		vgs_sweep_axis_fini(&ax);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		if (vgs_sweep_axis_parse(bad[i], &ax, &err) == 0) {
			fprintf(stderr, "\n    --grid %s accepted", bad[i]);
			CU_FAIL("bad grid accepted");
			vgs_sweep_axis_fini(&ax);
		} else {
			CU_ASSERT(strstr(err.msg, "--grid") != NULL);
		}
	}
}

static void test_plan(void)
{
	struct vgs_sweep_axis ax[2];
	struct vgs_sweep_plan p, q;
	struct vgs_error err = { { 0 } };
	const char *items[] = { "nvidia-es", "drm-fair" };
	uint64_t seeds[] = { 7, 8 };
	char *dir = g_dir_make_tmp("vgs-sweep-XXXXXX", NULL);

	CU_ASSERT_EQUAL_FATAL(vgs_sweep_axis_parse("vgpus.[0].count=4,8,12", &ax[0], &err), 0);
	CU_ASSERT_EQUAL_FATAL(vgs_sweep_axis_parse("simulation.name=\"x,y\",z", &ax[1], &err), 0);
	vgs_sweep_plan_build(&p, ax, 2, items, 2, seeds, 2);
	CU_ASSERT_EQUAL(p.nrows, 3 * 2 * 2 * 2);
	CU_ASSERT_STRING_EQUAL(p.rows[0].name, "0000-nvidia-es-count=4-name=_x_y_-s7");
	CU_ASSERT_STRING_EQUAL(p.rows[1].seed, "8");			/* seeds innermost */
	CU_ASSERT_STRING_EQUAL(p.rows[2].policy, "drm-fair");		/* then policies */
	CU_ASSERT_STRING_EQUAL(p.rows[4].values[1], "z");		/* then the last axis */
	CU_ASSERT_STRING_EQUAL(p.rows[8].values[0], "8");		/* first axis outermost */
	CU_ASSERT_EQUAL(p.rows[8].value_index[0], 1);
	/* the plan file: written, read back, equal */
	CU_ASSERT_EQUAL_FATAL(vgs_sweep_plan_write(&p, dir, &err), 0);
	CU_ASSERT_EQUAL_FATAL(vgs_sweep_plan_read(&q, dir, &err), 0);
	CU_ASSERT(vgs_sweep_plan_equal(&p, &q));
	CU_ASSERT_STRING_EQUAL(q.rows[23].values[1], "z");
	CU_ASSERT_EQUAL(q.rows[23].value_index[0], 2);
	CU_ASSERT_STRING_EQUAL(q.axis_values[1][0], "\"x,y\"");
	CU_ASSERT_FALSE(vgs_sweep_row_done(&q, 0, dir));
	vgs_sweep_plan_fini(&q);
	vgs_sweep_plan_fini(&p);
	vgs_sweep_plan_build(&p, ax, 1, items, 1, seeds, 1);	/* another grid: not equal */
	CU_ASSERT_EQUAL_FATAL(vgs_sweep_plan_read(&q, dir, &err), 0);
	CU_ASSERT_FALSE(vgs_sweep_plan_equal(&p, &q));
	vgs_sweep_plan_fini(&q);
	vgs_sweep_plan_fini(&p);
	vgs_sweep_axis_fini(&ax[0]);
	vgs_sweep_axis_fini(&ax[1]);
	{
		char *plan = g_build_filename(dir, VGS_SWEEP_PLAN, NULL);

		g_unlink(plan);
		g_free(plan);
	}
	g_rmdir(dir);
	g_free(dir);
}

/* A point of a synthetic search: feasible when n <= nstar (monotone) or when n is in `odd`. */
static void record(struct vgs_capacity_search *s, uint32_t n, bool feasible, size_t misses)
{
	struct vgs_capacity_point pt = { .nseeds = 1, .total = 10, .met = 10 - misses, .feasible = feasible };

	pt.seed_ok = g_new0(bool, 1);
	pt.seed_ok[0] = feasible;
	pt.attainment = pt.met / 10.0;
	vgs_capacity_record(s, n, &pt);
}

static void test_search(void)
{
	/* Every monotone feasibility on [0, max], for several max: the answer is N*, and both N* and N*+1
	 * were run whenever they are in [1, max]; about log2(max) + 1 steps. */
	for (uint32_t max = 1; max <= 40; max++) {
		for (uint32_t nstar = 0; nstar <= max; nstar++) {
			struct vgs_capacity_search s;
			uint32_t n, steps = 0;

			vgs_capacity_init(&s, "p", max, false);
			while ((n = vgs_capacity_next(&s)) != 0) {
				record(&s, n, n <= nstar, n <= nstar ? 0 : n - nstar);
				steps++;
			}
			CU_ASSERT_EQUAL(vgs_capacity_answer(&s), nstar);
			if (nstar >= 1)
				CU_ASSERT(s.pts[nstar].evaluated && s.pts[nstar].feasible);
			if (nstar < max)
				CU_ASSERT(s.pts[nstar + 1].evaluated && !s.pts[nstar + 1].feasible);
			CU_ASSERT(steps <= (uint32_t)ceil(log2(max + 2.0)));
			CU_ASSERT_PTR_NULL(vgs_capacity_nonmonotone(&s));
			vgs_capacity_fini(&s);
		}
	}
}

static void test_nonmonotone(void)
{
	struct vgs_capacity_search s;
	char *note;
	uint32_t n;

	/* --scan over 1..6: feasible at 1, 2, 4; the answer is 2 (before the first infeasible N) and the
	 * feasible 4 above the infeasible 3 is reported, as is the drop in misses from 3 to 4. */
	vgs_capacity_init(&s, "p", 6, true);
	while ((n = vgs_capacity_next(&s)) != 0)
		record(&s, n, n <= 2 || n == 4, n <= 2 || n == 4 ? 0 : n);
	CU_ASSERT_EQUAL(vgs_capacity_answer(&s), 2);
	note = vgs_capacity_nonmonotone(&s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(note);
	CU_ASSERT(strstr(note, "meets every SLA at N = 4 but not at N = 3") != NULL);
	CU_ASSERT(strstr(note, "fewer SLA misses at N = 4 (0) than at N = 3 (3)") != NULL);
	g_free(note);
	vgs_capacity_fini(&s);
}

static void test_sla(void)
{
	struct vgs_sla_spec spec;
	struct vgs_error err = { { 0 } };
	struct vgs_table t = { 0 };
	char *path = g_build_filename(g_get_tmp_dir(), "vgs-sla-tenants.csv", NULL);

	g_file_set_contents(path,
			    "tenant,group,units,unit_rate_per_s,sla_rate_met,lat_p99_ms,sla_latency_met,deadline_misses,dropped_units\n"
			    "a,g,600,60,1,10,1,0,0\n"
			    "b,g,590,59,0,20,0,6,10\n"
			    "c,g,0,0,,,,0,0\n", -1, NULL);
	CU_ASSERT_EQUAL_FATAL(vgs_table_read(&t, path, &err), 0);
	CU_ASSERT(vgs_sla_met(&t, 0, NULL));
	CU_ASSERT_FALSE(vgs_sla_met(&t, 1, NULL));
	CU_ASSERT(vgs_sla_met(&t, 2, NULL));	/* no SLA: met */
	CU_ASSERT_EQUAL_FATAL(vgs_sla_parse("fps=59.5,p99_ms=25", &spec, &err), 0);
	CU_ASSERT(vgs_sla_met(&t, 0, &spec));
	CU_ASSERT(vgs_sla_met(&t, 1, &spec));	/* 59 >= 0.99 x 59.5, 20 <= 25 */
	CU_ASSERT_FALSE(vgs_sla_met(&t, 2, &spec));	/* no unit: no p99 */
	vgs_sla_fini(&spec);
	CU_ASSERT_EQUAL_FATAL(vgs_sla_parse("miss_pct=2", &spec, &err), 0);
	CU_ASSERT(vgs_sla_met(&t, 0, &spec));
	CU_ASSERT_FALSE(vgs_sla_met(&t, 1, &spec));	/* 16 of 600 = 2.7 % */
	vgs_sla_fini(&spec);
	CU_ASSERT_EQUAL(vgs_sla_parse("fps=x", &spec, &err), -1);
	CU_ASSERT_EQUAL(vgs_sla_parse("p90_ms=3", &spec, &err), -1);
	CU_ASSERT(strstr(err.msg, "--sla p90_ms=3") != NULL);
	vgs_table_fini(&t);
	g_unlink(path);
	g_free(path);
}

static CU_TestInfo tests_sweep[] = {
	{ "--grid: values split outside quotes, groups and lists; bad grids refused", test_axis_parse },
	{ "plan: order, names, the plan file round trip, equality", test_plan },
	{ "capacity: bisection finds N* of every monotone feasibility, with N* and N*+1 run", test_search },
	{ "capacity: --scan and the non-monotone report", test_nonmonotone },
	{ "SLA: the configs' flags, --sla terms", test_sla },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "sweeps and capacity searches", .pTests = tests_sweep })
