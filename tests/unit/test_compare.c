/*
 * The comparison logic of `vgpusim compare` (models/results/compare.c, models/results/report.c, models/results/results.c):
 * policy items and their directory names, the --set overrides they become, slowdown maths, winner
 * selection at printed precision, and the whole collect -> compare.csv / report.md path on small
 * results directories written here (two policies, one of them failed, solo baselines).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/results/compare.h"
#include "models/results/results.h"
#include "tests/unit/cunit_main.h"

/* ---- items and names ------------------------------------------------------------------------- */

static void test_item_names(void)
{
	static const struct {
		const char *list;
		const char *names[4];
		const char *groups[4];
		size_t nparams[4];
	} cases[] = {
		{ "timeslice,weighted,dynprio", { "timeslice", "weighted", "dynprio" },
		  { "timeslice", "weighted", "dynprio" }, { 0, 0, 0 } },
		{ "weighted,weighted:slice_us=500", { "weighted", "weighted-slice_us=500" },
		  { "weighted", "weighted" }, { 0, 1 } },
		{ "dynprio:boost=4:max_wait_us=20000", { "dynprio-boost=4-max_wait_us=20000" }, { "dynprio" }, { 2 } },
		{ "build/examples/libmypolicy.so:quantum_us=300", { "mypolicy-quantum_us=300" }, { "mypolicy" }, { 1 } },
		{ "timeslice:variant=equal share/x", { "timeslice-variant=equal_share_x" }, { "timeslice" }, { 1 } },
	};

	for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
		struct vgs_compare_item *items;
		struct vgs_error err;
		size_t n, want = 0;

		while (want < 4 && cases[c].names[want])
			want++;
		CU_ASSERT_EQUAL_FATAL(vgs_compare_items_parse(cases[c].list, &items, &n, &err), 0);
		CU_ASSERT_EQUAL_FATAL(n, want);
		for (size_t i = 0; i < n; i++) {
			CU_ASSERT_STRING_EQUAL(items[i].name, cases[c].names[i]);
			CU_ASSERT_STRING_EQUAL(items[i].group, cases[c].groups[i]);
			CU_ASSERT_EQUAL(items[i].nparams, cases[c].nparams[i]);
		}
		vgs_compare_items_free(items, n);
	}
}

static void test_item_errors(void)
{
	static const struct {
		const char *list;
		const char *msg;
	} cases[] = {
		{ "timeslice,,weighted", "empty policy" },
		{ "weighted:slice_us", "expected KEY=VALUE" },
		{ "weighted:=5", "expected KEY=VALUE" },
		{ "weighted:slice_us=", "expected KEY=VALUE" },
		{ "weighted:9x=1", "not an identifier" },
		{ "weighted:slice_us=1:slice_us=2", "given twice" },
		{ "weighted,weighted", "would both write their results to 'weighted'" },
		{ "a/b.so:k=1,c/libb.so:k=1", "would both write their results to 'b-k=1'" },
		{ "./solo.so", "'solo'" },
		{ "plots", "'plots'" },
	};

	for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
		struct vgs_compare_item *items = (void *)1;
		struct vgs_error err = { { 0 } };
		size_t n = 99;

		CU_ASSERT_EQUAL(vgs_compare_items_parse(cases[c].list, &items, &n, &err), -1);
		CU_ASSERT_PTR_NULL(items);
		CU_ASSERT_EQUAL(n, 0);
		if (!strstr(err.msg, cases[c].msg))
			fprintf(stderr, "\n%s: got '%s', want '...%s...'\n", cases[c].list, err.msg, cases[c].msg);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[c].msg));
	}
}

static char *joined(GPtrArray *a)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < a->len; i++)
		g_string_append_printf(s, "%s%s", i ? " | " : "", (char *)a->pdata[i]);
	return g_string_free(s, FALSE);
}

static void test_item_overrides(void)
{
	struct vgs_compare_item *items;
	struct vgs_error err;
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	size_t n;
	char *s;

	CU_ASSERT_EQUAL_FATAL(vgs_compare_items_parse("timeslice:variant=equal-share:slice_us=500:payback=true,"
						      "weighted:x=\"q\"", &items, &n, &err), 0);
	/* the group exists: one override per parameter; words become strings, numbers stay numbers */
	vgs_compare_item_overrides(&items[0], true, a);
	s = joined(a);
	CU_ASSERT_STRING_EQUAL(s, "--set | scheduler.timeslice.variant=\"equal-share\" | --set | "
				  "scheduler.timeslice.slice_us=500 | --set | scheduler.timeslice.payback=true");
	g_free(s);
	/* no such group: one override creates it with every parameter */
	g_ptr_array_set_size(a, 0);
	vgs_compare_item_overrides(&items[0], false, a);
	s = joined(a);
	CU_ASSERT_STRING_EQUAL(s, "--set | scheduler.timeslice={ variant = \"equal-share\"; slice_us = 500; payback = "
				  "true; }");
	g_free(s);
	/* an already quoted string is kept */
	g_ptr_array_set_size(a, 0);
	vgs_compare_item_overrides(&items[1], true, a);
	s = joined(a);
	CU_ASSERT_STRING_EQUAL(s, "--set | scheduler.weighted.x=\"q\"");
	g_free(s);
	g_ptr_array_free(a, TRUE);
	vgs_compare_items_free(items, n);
}

/* ---- slowdown and winners -------------------------------------------------------------------- */

static void test_slowdown(void)
{
	static const struct {
		const char *desc;
		double solo_rate, rate, solo_p50, p50;
		bool demand;
		double want, by_rate, by_lat;
	} cases[] = {
		{ "throughput-bound: half the rate is 2x", 10, 5, 100, 200, false, 2, 2, 2 },
		{ "throughput-bound: faster than solo is < 1", 10, 20, 100, 50, false, 0.5, 0.5, 0.5 },
		{ "demand-bound: rate met, latency 3x", 60, 60, 2, 6, true, 3, 1, 3 },
		{ "demand-bound ignores the rate", 60, 30, 2, 3, true, 1.5, 2, 1.5 },
		{ "starved: rate 0 is infinite", 10, 0, 100, NAN, false, INFINITY, INFINITY, NAN },
		{ "no solo baseline", NAN, 5, NAN, 200, false, NAN, NAN, NAN },
		{ "solo did nothing", 0, 5, 0, 200, true, NAN, NAN, NAN },
		{ "demand-bound without latencies", 60, 60, NAN, NAN, true, NAN, 1, NAN },
	};

	for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
		double br = -1, bl = -1;
		double got = vgs_compare_slowdown(cases[c].solo_rate, cases[c].rate, cases[c].solo_p50, cases[c].p50,
						  cases[c].demand, &br, &bl);
		bool ok = (isnan(got) ? isnan(cases[c].want) : got == cases[c].want) &&
			  (isnan(br) ? isnan(cases[c].by_rate) : br == cases[c].by_rate) &&
			  (isnan(bl) ? isnan(cases[c].by_lat) : bl == cases[c].by_lat);

		if (!ok)
			fprintf(stderr, "\n%s: got %g (rate %g, lat %g)\n", cases[c].desc, got, br, bl);
		CU_ASSERT(ok);
	}
}

static void test_best(void)
{
	static const struct {
		const char *desc;
		double v[4];
		bool higher;
		int dec;
		bool win[4];
		size_t nwin;
	} cases[] = {
		{ "highest wins", { 0.5, 0.9, 0.7, NAN }, true, 4, { 0, 1, 0, 0 }, 1 },
		{ "lowest wins", { 0.5, 0.9, 0.7, NAN }, false, 4, { 1, 0, 0, 0 }, 1 },
		{ "equal at the printed precision is a tie", { 0.99991, 0.99994, 0.9, NAN }, true, 4, { 1, 1, 0, 0 }, 2 },
		{ "a visible difference is not a tie", { 0.99994, 0.99996, 0.9, NAN }, true, 4, { 0, 1, 0, 0 }, 1 },
		{ "NaN never wins", { NAN, 3, NAN, 3 }, false, 0, { 0, 1, 0, 1 }, 2 },
		{ "all NaN: no winner", { NAN, NAN, NAN, NAN }, true, 2, { 0, 0, 0, 0 }, 0 },
		{ "infinity loses when lower is better", { INFINITY, 2.5, 7, NAN }, false, 2, { 0, 1, 0, 0 }, 1 },
	};

	for (size_t c = 0; c < G_N_ELEMENTS(cases); c++) {
		bool win[4];
		size_t n = vgs_compare_best(cases[c].v, 4, cases[c].higher, cases[c].dec, win);
		bool ok = n == cases[c].nwin;

		for (int i = 0; i < 4; i++)
			ok &= win[i] == cases[c].win[i];
		if (!ok)
			fprintf(stderr, "\n%s: %zu winners\n", cases[c].desc, n);
		CU_ASSERT(ok);
	}
}

/* ---- collect, compare.csv, report.md --------------------------------------------------------- */

static const char *const TENANT_HDR =
	"tenant,group,unit,unit_rate_per_s,sla_rate_per_s,sla_rate_met,lat_p50_ms,lat_p99_ms,sla_latency_ms,"
	"sla_latency_met,share,share_target,deadline_misses\n";

static void write_file(const char *dir, const char *name, const char *text)
{
	char *p = g_build_filename(dir, name, NULL);
	char *d = g_path_get_dirname(p);

	g_mkdir_with_parents(d, 0755);
	CU_ASSERT_FATAL(g_file_set_contents(p, text, -1, NULL));
	g_free(d);
	g_free(p);
}

/* A results directory: summary.json with the given globals, tenants.csv rows, one gfx engine. */
static void write_run(const char *dir, const char *policy, double jain, const char *rows,
		      double gfx_util, double overhead)
{
	char *summary = g_strdup_printf(
		"{ \"format\": 1, \"version\": \"test\", \"policy\": \"%s\", \"scenario\": \"t\", \"config_path\": "
		"\"t.cfg\", \"seed\": 3, \"duration_s\": 2, \"warmup_s\": 0.5, \"global\": { \"jain_index\": %.17g, "
		"\"utilisation\": %.17g, \"switch_overhead_pct\": %.17g, \"energy_j\": 12.5, \"units\": 300, "
		"\"deadline_misses\": 4, \"commands\": 600 } }\n",
		policy, jain, gfx_util / 2, overhead);
	char *tenants = g_strconcat(TENANT_HDR, rows, NULL);
	char *engines = g_strdup_printf("engine,gpu,class,index,utilisation\ng0.gfx0,g0,gfx,0,%.6f\n"
					"g0.copy0,g0,copy,0,0.000000\n", gfx_util);

	g_mkdir_with_parents(dir, 0755);
	write_file(dir, "summary.json", summary);
	write_file(dir, "tenants.csv", tenants);
	write_file(dir, "engines.csv", engines);
	g_free(summary);
	g_free(tenants);
	g_free(engines);
}

static void setup_comparison(const char *dir, struct vgs_compare *c)
{
	static char *tenants[] = { "game-0", "game-1", "train" };
	static char *groups[] = { "game", "game", "train" };
	struct vgs_compare_item *items;
	struct vgs_error err;
	size_t n;
	char *p;

	/* fast: games on time (p99 8 and 12 ms), train at 4 it/s; fair: games slower, train at 5 it/s */
	p = g_build_filename(dir, "fast", NULL);
	write_run(p, "fast", 0.95,
		  "game-0,game,frame,60.000000,60.000000,1,4.000000,8.000000,16.700000,1,0.250000,0.250000,0\n"
		  "game-1,game,frame,60.000000,60.000000,1,5.000000,12.000000,16.700000,1,0.250000,0.250000,1\n"
		  "train,train,iteration,4.000000,,,250.000000,260.000000,,,0.500000,0.500000,0\n",
		  0.9, 0.5);
	/* game-0 completes units at 100, 120 and 150 ms, all measured: intervals 20 and 30 ms */
	write_file(p, "units.csv", "tenant,unit,arrival_ns,end_ns,latency_ns,deadline_ns,deadline_missed,measured\n"
				   "game-0,0,90000000,100000000,10000000,,,1\n"
				   "game-1,0,90000000,110000000,20000000,,,1\n"
				   "game-0,1,110000000,120000000,10000000,,,1\n"
				   "game-0,2,140000000,150000000,10000000,,,1\n");
	g_free(p);
	p = g_build_filename(dir, "fair-slice_us=500", NULL);
	write_run(p, "fair", 0.999,
		  "game-0,game,frame,59.500000,60.000000,1,6.000000,20.000000,16.700000,0,0.250000,0.250000,3\n"
		  "game-1,game,frame,60.000000,60.000000,1,6.000000,14.000000,16.700000,1,0.250000,0.250000,2\n"
		  "train,train,iteration,5.000000,,,200.000000,210.000000,,,0.500000,0.500000,0\n",
		  0.95, 1.25);
	g_free(p);
	p = g_build_filename(dir, "solo/game", NULL);
	write_run(p, "fast", 1,
		  "game-0,game,frame,60.000000,60.000000,1,2.000000,3.000000,16.700000,1,1.000000,1.000000,0\n",
		  0.3, 0);
	g_free(p);
	p = g_build_filename(dir, "solo/train", NULL);
	write_run(p, "fast", 1, "train,train,iteration,8.000000,,,125.000000,130.000000,,,1.000000,1.000000,0\n",
		  0.6, 0);
	g_free(p);
	write_file(dir, "broken.log", "vgpusim: -p broken.so: cannot load policy 'broken.so': invalid ELF header\n");

	CU_ASSERT_EQUAL_FATAL(vgs_compare_items_parse("fast,fair:slice_us=500,broken.so", &items, &n, &err), 0);
	vgs_compare_init(c, items, n, tenants, groups, 3);
	vgs_compare_items_free(items, n);
	c->config = g_strdup("t.cfg");
	c->scenario = g_strdup("t");
	c->seed = 3;
	c->duration_s = 2;
	c->warmup_s = 0.5;
	c->solo_policy = g_strdup("fast");
	c->runs[2].status_text = g_strdup("exit 2"); /* as the CLI records a failed sub-run */
	vgs_compare_collect(c, dir);
}

static char *slurp(const char *dir, const char *name)
{
	char *p = g_build_filename(dir, name, NULL), *text = NULL;

	CU_ASSERT_FATAL(g_file_get_contents(p, &text, NULL, NULL));
	g_free(p);
	return text;
}

static void test_collect(void)
{
	char *dir = g_dir_make_tmp("vgs-compare-XXXXXX", NULL);
	struct vgs_compare c;
	const struct vgs_compare_cell *cell;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	setup_comparison(dir, &c);
	CU_ASSERT_EQUAL(c.ngroups, 2);
	CU_ASSERT_STRING_EQUAL(c.solos[0].name, "solo/game");
	CU_ASSERT(c.runs[0].complete && c.runs[1].complete && !c.runs[2].complete);
	CU_ASSERT(c.solos[0].complete && c.solos[1].complete);

	/* game-1 under fast: demand-bound, slowdown by p50 = 5 / 2 */
	cell = &c.cells[0 * 3 + 1];
	CU_ASSERT_DOUBLE_EQUAL(cell->slowdown, 2.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(cell->slowdown_rate, 1.0, 1e-12);
	CU_ASSERT_EQUAL(cell->slas, 2);
	CU_ASSERT_EQUAL(cell->slas_met, 2);
	/* train under fair: throughput-bound, slowdown by rate = 8 / 5 */
	cell = &c.cells[1 * 3 + 2];
	CU_ASSERT_DOUBLE_EQUAL(cell->slowdown, 1.6, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(cell->slowdown_lat, 1.6, 1e-12);
	CU_ASSERT_EQUAL(cell->slas, 0);
	/* the failed run has no numbers */
	CU_ASSERT(isnan(c.cells[2 * 3 + 0].rate));
	CU_ASSERT(isnan(c.sums[2].jain_index));

	/* per policy: worst p99 over the latency-SLA tenants only (train's 260 ms does not count) */
	CU_ASSERT_DOUBLE_EQUAL(c.sums[0].worst_p99_ms, 12.0, 1e-12);
	CU_ASSERT_EQUAL(c.sums[0].worst_p99_tenant, 1);
	CU_ASSERT_DOUBLE_EQUAL(c.sums[1].worst_p99_ms, 20.0, 1e-12);
	CU_ASSERT_EQUAL(c.sums[1].worst_p99_tenant, 0);
	CU_ASSERT_EQUAL(c.sums[0].slas, 4);
	CU_ASSERT_EQUAL(c.sums[0].slas_met, 4);
	CU_ASSERT_EQUAL(c.sums[1].slas_met, 3);
	/* worst slowdown: fast -> game-1 p50 5/2 = 2.5 (train 8/4 = 2); fair -> game-0 p50 6/2 = 3 */
	CU_ASSERT_DOUBLE_EQUAL(c.sums[0].worst_slowdown, 2.5, 1e-12);
	CU_ASSERT_EQUAL(c.sums[0].worst_slowdown_tenant, 1);
	CU_ASSERT_DOUBLE_EQUAL(c.sums[1].worst_slowdown, 3.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(c.sums[1].class_util[0], 0.95, 1e-12);
	CU_ASSERT(isnan(c.sums[1].class_util[1])); /* no compute engine */

	/* unit intervals from fast's units.csv (the other runs have none): 20 and 30 ms */
	CU_ASSERT_DOUBLE_EQUAL(c.cells[0].interval_p50_ms, 20.0, 0.2);
	CU_ASSERT_DOUBLE_EQUAL(c.cells[0].interval_p99_ms, 30.0, 0.2);
	CU_ASSERT(isnan(c.cells[1].interval_p99_ms)); /* one unit: no interval */
	CU_ASSERT(isnan(c.cells[1 * 3 + 0].interval_p99_ms));
	/* loss vs. solo and saturation: train at 4 of its solo 8 it/s is saturated, 50 % rate loss; the games,
	 * at or within 1 % + one unit (0.5 /s over 2 s) of their solo 60 fps, are not */
	CU_ASSERT_DOUBLE_EQUAL(c.cells[0 * 3 + 2].loss_rate_pct, 50.0, 1e-9);
	CU_ASSERT_TRUE(c.cells[0 * 3 + 2].saturated);
	CU_ASSERT_FALSE(c.cells[1 * 3 + 0].saturated); /* 59.5 of 60 */
	CU_ASSERT_EQUAL(c.sums[0].nsaturated, 1);
	CU_ASSERT_DOUBLE_EQUAL(c.sums[0].jain_saturated, 1.0, 1e-12);
	CU_ASSERT(isnan(c.cells[0].loss_encode_pct)); /* no busy_venc_ms column */

	vgs_compare_fini(&c);
	{
		char *cmd = g_strdup_printf("rm -rf '%s'", dir);

		CU_ASSERT_EQUAL(system(cmd), 0);
		g_free(cmd);
	}
	g_free(dir);
}

static void test_outputs(void)
{
	char *dir = g_dir_make_tmp("vgs-compare-XXXXXX", NULL);
	struct vgs_compare c;
	struct vgs_error err;
	struct vgs_table t;
	char *text, *path;
	int row;

	setup_comparison(dir, &c);
	CU_ASSERT_EQUAL_FATAL(vgs_compare_write_csv(&c, dir, &err), 0);
	CU_ASSERT_EQUAL_FATAL(vgs_report_write(&c, dir, true, &err), 0);

	/* compare.csv: 3 policies x 3 tenants, tenants.csv columns passed through, solo columns added */
	path = g_build_filename(dir, "compare.csv", NULL);
	CU_ASSERT_EQUAL_FATAL(vgs_table_read(&t, path, &err), 0);
	g_free(path);
	CU_ASSERT_EQUAL(vgs_table_nrows(&t), 9);
	CU_ASSERT_EQUAL(vgs_table_col(&t, "policy"), 0);
	CU_ASSERT_EQUAL(vgs_table_col(&t, "complete"), 1);
	CU_ASSERT_EQUAL(vgs_table_col(&t, "tenant"), 2);
	CU_ASSERT(vgs_table_col(&t, "deadline_misses") > 0 && vgs_table_col(&t, "slowdown") > 0);
	row = 1 * 3 + 2; /* fair-slice_us=500, train */
	CU_ASSERT_STRING_EQUAL(vgs_table_get(&t, row, "policy"), "fair-slice_us=500");
	CU_ASSERT_STRING_EQUAL(vgs_table_get(&t, row, "unit_rate_per_s"), "5.000000");
	CU_ASSERT_STRING_EQUAL(vgs_table_get(&t, row, "solo_unit_rate_per_s"), "8.000000");
	CU_ASSERT_STRING_EQUAL(vgs_table_get(&t, row, "slowdown"), "1.600000");
	row = 2 * 3 + 0; /* the failed run keeps its rows, marked */
	CU_ASSERT_STRING_EQUAL(vgs_table_get(&t, row, "policy"), "broken");
	CU_ASSERT_STRING_EQUAL(vgs_table_get(&t, row, "complete"), "0");
	CU_ASSERT_STRING_EQUAL(vgs_table_get(&t, row, "tenant"), "game-0");
	CU_ASSERT_STRING_EQUAL(vgs_table_get(&t, row, "group"), "game");
	CU_ASSERT_STRING_EQUAL(vgs_table_get(&t, row, "unit_rate_per_s"), "");
	vgs_table_fini(&t);

	/* report.md: the failure is listed with its log's last line and marked in the tables */
	text = slurp(dir, "report.md");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "# Policy comparison: t\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "## Incomplete runs\n\n- broken (incomplete: exit 2, see [broken.log](broken.log)): "
					    "`vgpusim: -p broken.so: cannot load policy 'broken.so': invalid ELF header`"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "| game-0 | broken (incomplete: exit 2, see [broken.log](broken.log)) | - |"));
	/* Jain over the saturated tenants (train alone) and the worst unit-interval p99 (fast's units.csv) */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "| fast | 0.9500 | 1.0000 (1) | 45.00 | 90.00 | 0.500 | 12.50 | 300 | 4 | 4/4 | "
					    "12.000 (game-1) | 30.000 (game-0) | 2.50 (game-1) |"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "| train | fair-slice_us=500 | iteration | 5.00 | - | 200.000 | 210.000 | - | - | - | "
					    "50.00 | 50.00 | 0 | 1.60 | 1.60 | 1.60 |"));
	/* the loss per class: train at 4 and 5 of its solo 8 it/s */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "| train | 1 | fast | 50.00 | - | - | 1/1 |\n| train | 1 | fair-slice_us=500 | 37.50 |"));
	/* who wins, on the numbers above; the failed run is in no claim */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "- **Fairest (Jain's index on share/weight over the saturated tenants, higher is "
					    "better)**: fast (1.0000, 1 saturated) and fair-slice_us=500 (1.0000, 1 saturated), tie\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "- **Best worst-tenant p99 latency**: fast (12.000 ms, game-1); then "
					    "fair-slice_us=500 20.000 ms (game-0)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "- **Most SLAs met**: fast (100.0 %, 4/4 SLAs); then fair-slice_us=500 75.0 %"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "- **Fewest deadline misses**: fast (4) and fair-slice_us=500 (4), tie\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "- **Highest mean unit rate of train**: fair-slice_us=500 (5.00 /s); then fast 4.00 /s\n"));
	CU_ASSERT_PTR_NULL(strstr(strstr(text, "## Who wins"), "broken"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "![Gantt chart, fast](plots/gantt-fast.png)"));
	CU_ASSERT_PTR_NULL(strstr(text, "gantt-broken"));
	/* no date: two reports of the same results are identical */
	{
		char *again;

		CU_ASSERT_EQUAL(vgs_report_write(&c, dir, true, &err), 0);
		again = slurp(dir, "report.md");
		CU_ASSERT_STRING_EQUAL(text, again);
		g_free(again);
	}
	g_free(text);
	vgs_compare_fini(&c);
	{
		char *cmd = g_strdup_printf("rm -rf '%s'", dir);

		CU_ASSERT_EQUAL(system(cmd), 0);
		g_free(cmd);
	}
	g_free(dir);
}

static void test_results_errors(void)
{
	char *dir = g_dir_make_tmp("vgs-results-XXXXXX", NULL);
	struct vgs_results r;
	struct vgs_error err;

	write_file(dir, "summary.json", "{ \"policy\": ");
	CU_ASSERT_EQUAL(vgs_results_read(&r, dir, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "summary.json: not valid JSON"));
	write_file(dir, "summary.json", "{ \"version\": \"v\", \"policy\": \"p\", \"scenario\": \"s\", \"config_path\": \"c\", "
					"\"seed\": 1, \"duration_s\": 1, \"warmup_s\": 0, \"global\": { \"jain_index\": null } }");
	CU_ASSERT_EQUAL(vgs_results_read(&r, dir, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "summary.json: expected a number at global.utilisation"));
	write_run(dir, "p", 1, "a,g,frame,1.000000\n", 0.5, 0);
	CU_ASSERT_EQUAL(vgs_results_read(&r, dir, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "tenants.csv:2: expected 13 fields as in the header, got 4"));
	{
		char *cmd = g_strdup_printf("rm -rf '%s'", dir);

		CU_ASSERT_EQUAL(system(cmd), 0);
		g_free(cmd);
	}
	g_free(dir);
}

static CU_TestInfo tests_compare[] = {
	{ "items: directory names, parameter groups", test_item_names },
	{ "items: bad syntax and name clashes are refused", test_item_errors },
	{ "items: parameters become --set overrides", test_item_overrides },
	{ "slowdown: by rate, by latency, undefined cases", test_slowdown },
	{ "winner selection at printed precision, ties, NaN", test_best },
	{ "collect: cells, per-policy summaries, failed run", test_collect },
	{ "compare.csv and report.md from collected runs", test_outputs },
	{ "results: malformed summary.json and tenants.csv", test_results_errors },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "compare", .pTests = tests_compare })
