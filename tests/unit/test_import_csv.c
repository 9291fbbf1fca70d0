/*
 * hw-trace/orion.c and hw-trace/presentmon.c (and their CSV reader, hw-trace/csv.c): hand-written
 * fixtures in tests/traces/{orion,presentmon} with exact expected ops, malformed ones with the expected
 * FILE:LINE, and the real captures in ../shared/traces (skipped when absent), whose figures are
 * recomputed here by a separate, naive reading of the CSV.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/base/csv.h"
#include "hw-trace/import.h"
#include "tests/unit/cunit_main.h"

#define FIX_ORION "tests/traces/orion/"
#define FIX_PM "tests/traces/presentmon/"
#define SHARED_ORION "../shared/traces/orion/model_kernels"
#define SHARED_PM "../shared/traces/presentmon/"

typedef int (*import_fn)(struct vgs_import *, const char *, struct vgs_error *);

static const struct vgs_op *op_at(const struct vgs_import *im, guint i)
{
	return &g_array_index(im->ops, struct vgs_op, i);
}

static bool shared_present(const char *dir)
{
	if (g_file_test(dir, G_FILE_TEST_IS_DIR))
		return true;
	printf("skipped: ../shared/traces not found ");
	return false;
}

/* --- the CSV reader --- */

static void test_decimal_ns(void)
{
	static const struct {
		const char *s;
		uint64_t unit;
		int rc;
		int64_t ns;
	} cases[] = {
		{ "50.14450000000000", 1000000, 0, 50144500 },
		{ "0.0339", 1000000, 0, 33900 },
		{ "16", 1000000, 0, 16000000 },
		{ ".5", 1000000, 0, 500000 },
		{ "-33.4906", 1000000, 0, -33490600 },
		{ "0.0000005", 1000000, 0, 1 },      /* half rounds away from zero */
		{ "0.0000004999", 1000000, 0, 0 },
		{ "0.116667", 1000000000, 0, 116667000 },
		{ "1e3", 1000000, -1, 0 },
		{ "9.5ms", 1000000, -1, 0 },
		{ "", 1000000, -1, 0 },
		{ "-", 1000000, -1, 0 },
		{ ".", 1000000, -1, 0 },
		{ "NA", 1000000, -1, 0 },
		{ "99999999999999999999", 1000000, -1, 0 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		int64_t ns = 0;
		int rc = vgs_csv_decimal_ns(cases[i].s, cases[i].unit, &ns);

		CU_ASSERT_EQUAL(rc, cases[i].rc);
		if (rc == 0 && cases[i].rc == 0)
			CU_ASSERT_EQUAL(ns, cases[i].ns);
		if (rc != cases[i].rc || (rc == 0 && ns != cases[i].ns))
			printf("\n  '%s': rc %d ns %" G_GINT64_FORMAT "\n", cases[i].s, rc, ns);
	}
}

static void test_csv_quotes(void)
{
	struct vgs_csv c;
	struct vgs_error err = { "" };

	CU_ASSERT_FATAL(vgs_csv_open(&c, FIX_ORION "good.csv", &err) == 0);
	CU_ASSERT_EQUAL(vgs_csv_header(&c, &err), 0);
	CU_ASSERT_EQUAL(vgs_csv_col(&c, "Duration"), 4);
	CU_ASSERT_EQUAL(vgs_csv_col(&c, "duration"), -1);
	CU_ASSERT_EQUAL(vgs_csv_next(&c, &err), 1);
	CU_ASSERT_EQUAL(vgs_csv_next(&c, &err), 1);
	CU_ASSERT_EQUAL(c.line, 3);
	CU_ASSERT_EQUAL(c.fields->len, 5);
	CU_ASSERT_STRING_EQUAL(vgs_csv_field(&c, 0), "void gemm<float, 128>(\"tn\")");
	CU_ASSERT_PTR_NULL(vgs_csv_field(&c, 5));
	vgs_csv_close(&c);
}

/* --- Orion --- */

static void test_orion_good(void)
{
	struct vgs_import im;
	struct vgs_error err = { "" };
	static const uint64_t dur[] = { 100000, 25000, 40000, 3000 };
	static const uint16_t sms[] = { 98, 80, 64, 1 };
	static const uint8_t bounds[] = { VGS_BOUND_COMPUTE, VGS_BOUND_COMPUTE, VGS_BOUND_MEMORY, VGS_BOUND_UNKNOWN };
	uint64_t t = 0;

	vgs_import_init(&im, "orion");
	CU_ASSERT_FATAL(vgs_import_orion(&im, FIX_ORION "good.csv", &err) == 0);
	CU_ASSERT_EQUAL_FATAL(im.ops->len, 4);
	CU_ASSERT_EQUAL(im.ctx_names->len, 1);
	CU_ASSERT_STRING_EQUAL(im.ctx_names->pdata[0], "good");
	CU_ASSERT_STRING_EQUAL(im.unit, "iteration");
	for (guint i = 0; i < 4; i++) {
		const struct vgs_op *op = op_at(&im, i);

		CU_ASSERT_EQUAL(op->start_ns, t);
		CU_ASSERT_EQUAL(op->end_ns, t + dur[i]);
		CU_ASSERT_EQUAL(op->submit_ns, VGS_NO_TIME);
		CU_ASSERT_EQUAL(op->arrival_ns, VGS_NO_TIME);
		CU_ASSERT_EQUAL(op->cls, VGS_COMPUTE);
		CU_ASSERT_EQUAL(op->stream, 0);
		CU_ASSERT_EQUAL(op->flags, i == 0 ? VGS_OP_UNIT_BEGIN : 0);
		CU_ASSERT_EQUAL(op->attr.sm, sms[i]);
		CU_ASSERT_EQUAL(op->attr.profile, bounds[i]);
		t = op->end_ns;
	}
	vgs_import_fini(&im);

	vgs_import_init(&im, "orion");
	CU_ASSERT_FATAL(vgs_import_orion(&im, FIX_ORION "crlf.csv", &err) == 0);
	CU_ASSERT_EQUAL(im.ops->len, 2);
	CU_ASSERT_EQUAL(op_at(&im, 1)->end_ns, 3000);
	vgs_import_fini(&im);
}

/* The native trace the core writes from a profile: one unit, each kernel depending on the previous with
 * gap 0, so a solo replay runs them back to back as recorded; SM_usage and Profile as the kernel keys
 * sm= and profile= (docs/trace-format.md). */
static void test_orion_write(void)
{
	struct vgs_import im;
	struct vgs_error err = { "" };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vgs_import_init(&im, "orion");
	CU_ASSERT_FATAL(vgs_import_orion(&im, FIX_ORION "good.csv", &err) == 0);
	CU_ASSERT_EQUAL(vgs_import_write(&im, 0, f, &err), 0);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "@unit iteration\n"));
	/* back to back, each kernel with its SM_usage and Profile, and its kernel class from its Name */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\n0\tcompute\t0\t100000\t0\t-\t-\t0\t0\tB\t0\t100000\tsm=98\tprofile=compute\tkc=conv\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\n1\tcompute\t0\t25000\t0\t-\t0\t0\t0\t-\t100000\t125000\tsm=80\tprofile=compute\tkc=gemm\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\n2\tcompute\t0\t40000\t0\t-\t1\t0\t0\t-\t125000\t165000\tsm=64\tprofile=memory\tkc=norm\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\n3\tcompute\t0\t3000\t0\t-\t2\t0\t0\tE\t165000\t168000\tsm=1\tprofile=unknown\tkc=elementwise\n"));
	free(buf);
	vgs_import_fini(&im);
}

struct bad_case {
	const char *file;
	const char *want; /* a substring of the message, starting with the FILE:LINE */
};

static void check_bad(import_fn fn, const char *format, const struct bad_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vgs_import im;
		struct vgs_error err = { "" };
		int rc;

		vgs_import_init(&im, format);
		rc = fn(&im, cases[i].file, &err);
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].want));
		CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
		if (rc != -1 || !strstr(err.msg, cases[i].want))
			printf("\n  %s: got \"%s\", want \"%s\"\n", cases[i].file, err.msg, cases[i].want);
		vgs_import_fini(&im);
	}
}

static void test_orion_bad(void)
{
	static const struct bad_case cases[] = {
		{ FIX_ORION "bad_header.csv", FIX_ORION "bad_header.csv:1: the Orion header" },
		{ FIX_ORION "bad_duration.csv",
		  FIX_ORION "bad_duration.csv:3: Duration: an integer number of ns, found '4.5e4'" },
		{ FIX_ORION "bad_fields.csv", FIX_ORION "bad_fields.csv:4: 5 fields" },
		{ FIX_ORION "bad_quote.csv", FIX_ORION "bad_quote.csv:3: a closing '\"'" },
		{ FIX_ORION "placeholder_fb0.csv",
		  FIX_ORION "placeholder_fb0.csv: durations are placeholders (<= 100 ns in 3 of 4 kernels): this is an "
			    "Orion *_fb0 profile; use the matching _fb1 file" },
		{ FIX_ORION "empty.csv", FIX_ORION "empty.csv:2: at least one kernel" },
		{ FIX_ORION "missing.csv", FIX_ORION "missing.csv: cannot open" },
	};

	check_bad(vgs_import_orion, "orion", cases, G_N_ELEMENTS(cases));
}

/* Rows and the sum of the last field, read naively (no field of these files is quoted). */
static bool naive_sum(const char *path, uint64_t *rows, uint64_t *sum)
{
	FILE *f = fopen(path, "r");
	char line[4096];

	if (!f)
		return false;
	*rows = *sum = 0;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		char *comma = strrchr(line, ',');

		if (!comma)
			continue;
		(*rows)++;
		*sum += strtoull(comma + 1, NULL, 10);
	}
	fclose(f);
	return true;
}

static void test_orion_shared(void)
{
	GDir *dir;
	const char *name;
	int good = 0, fb0 = 0;

	if (!shared_present(SHARED_ORION))
		return;
	dir = g_dir_open(SHARED_ORION, 0, NULL);
	CU_ASSERT_FATAL(dir != NULL);
	while ((name = g_dir_read_name(dir))) {
		char *path = g_build_filename(SHARED_ORION, name, NULL);
		struct vgs_import im;
		struct vgs_error err = { "" };
		uint64_t rows, sum, got = 0, t = 0;
		int rc;

		CU_ASSERT_FATAL(naive_sum(path, &rows, &sum));
		vgs_import_init(&im, "orion");
		rc = vgs_import_orion(&im, path, &err);
		if (g_str_has_suffix(name, "_fb0")) {
			CU_ASSERT_EQUAL(rc, -1);
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "durations are placeholders"));
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "use the matching _fb1 file"));
			fb0++;
		} else {
			CU_ASSERT_EQUAL(rc, 0);
			if (rc)
				printf("\n  %s: %s\n", name, err.msg);
			CU_ASSERT_EQUAL(im.ops->len, rows);
			for (guint i = 0; i < im.ops->len; i++) {
				CU_ASSERT_EQUAL(op_at(&im, i)->start_ns, t);
				t = op_at(&im, i)->end_ns;
				got += t - op_at(&im, i)->start_ns;
			}
			CU_ASSERT_EQUAL(got, sum);
			/* plausible for a V100 iteration: 100 .. 10,000 kernels, 1 ms .. 1 s */
			CU_ASSERT(rows >= 100 && rows <= 10000);
			CU_ASSERT(sum >= 1000000 && sum <= 1000000000);
			good++;
		}
		vgs_import_fini(&im);
		g_free(path);
	}
	g_dir_close(dir);
	CU_ASSERT_EQUAL(good, 12);
	CU_ASSERT_EQUAL(fb0, 7);

	/* figures SOURCE.txt gives */
	static const struct {
		const char *file;
		guint kernels;
		uint64_t sum_ns;
	} figs[] = {
		{ "resnet50_32_fb1", 946, 95277683 },
		{ "bert_8_fb1", 4777, 190766381 },
		{ "mobilenetv2_4_fwd", 152, 2262977 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(figs); i++) {
		char *path = g_build_filename(SHARED_ORION, figs[i].file, NULL);
		struct vgs_import im;
		struct vgs_error err = { "" };

		vgs_import_init(&im, "orion");
		CU_ASSERT_FATAL(vgs_import_orion(&im, path, &err) == 0);
		CU_ASSERT_EQUAL(im.ops->len, figs[i].kernels);
		CU_ASSERT_EQUAL(op_at(&im, im.ops->len - 1)->end_ns, figs[i].sum_ns);
		vgs_import_fini(&im);
		g_free(path);
	}
}

/* --- PresentMon --- */

static int ctx_of(const struct vgs_import *im, const char *name)
{
	for (guint i = 0; i < im->ctx_names->len; i++)
		if (strcmp(im->ctx_names->pdata[i], name) == 0)
			return (int)i;
	return -1;
}

static void test_pm_fixture(const char *path)
{
	static const struct {
		const char *ctx;
		uint64_t start, end, arrival;
		uint8_t cls;
		uint32_t stream;
		uint8_t flags;
	} want[] = {
		{ "game.exe-100", 102000000, 111500000, 100000000, VGS_GFX, 0, VGS_OP_UNIT_BEGIN },
		{ "dwm.exe-20", 105250000, 106000000, 105000000, VGS_GFX, 0, VGS_OP_UNIT_BEGIN },
		{ "game.exe-100", 118166700, 129416700, 116666700, VGS_GFX, 0, VGS_OP_UNIT_BEGIN },
		{ "game.exe-100", 129416700, 131916700, VGS_NO_TIME, VGS_VENC, 1, 0 },
		/* dwm.exe's second row is NA: skipped */
		{ "game.exe-100", 135333400, 143333800, 133333300, VGS_GFX, 0, VGS_OP_UNIT_BEGIN },
		{ "dwm.exe-20", 138633400, 139233400, 138333400, VGS_GFX, 0, VGS_OP_UNIT_BEGIN },
	};
	struct vgs_import im;
	struct vgs_error err = { "" };

	vgs_import_init(&im, "presentmon");
	CU_ASSERT_FATAL(vgs_import_presentmon(&im, path, &err) == 0);
	CU_ASSERT_STRING_EQUAL(im.unit, "frame");
	CU_ASSERT_EQUAL(im.ctx_names->len, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(im.source, "1 rows without GPU busy skipped"));
	CU_ASSERT_EQUAL_FATAL(im.ops->len, G_N_ELEMENTS(want));
	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		const struct vgs_op *op = op_at(&im, i);

		CU_ASSERT_EQUAL(op->ctx, (uint32_t)ctx_of(&im, want[i].ctx));
		CU_ASSERT_EQUAL(op->start_ns, want[i].start);
		CU_ASSERT_EQUAL(op->end_ns, want[i].end);
		CU_ASSERT_EQUAL(op->arrival_ns, want[i].arrival);
		CU_ASSERT_EQUAL(op->submit_ns, VGS_NO_TIME);
		CU_ASSERT_EQUAL(op->cls, want[i].cls);
		CU_ASSERT_EQUAL(op->stream, want[i].stream);
		CU_ASSERT_EQUAL(op->flags, want[i].flags);
	}
	vgs_import_fini(&im);
}

static void test_pm_v2(void)
{
	test_pm_fixture(FIX_PM "v2.csv");
}

static void test_pm_old(void)
{
	test_pm_fixture(FIX_PM "old.csv");
}

/* Import FIX_PM file into im (fatal when it fails); 0 ops: any number. */
static void pm_import(struct vgs_import *im, const char *file, guint ops)
{
	char *path = g_strconcat(FIX_PM, file, NULL);
	struct vgs_error err = { "" };

	vgs_import_init(im, "presentmon");
	if (vgs_import_presentmon(im, path, &err))
		printf("\n  %s: %s\n", file, err.msg);
	g_free(path);
	CU_ASSERT_FATAL(err.msg[0] == '\0');
	if (ops)
		CU_ASSERT_EQUAL_FATAL(im->ops->len, ops);
}

static void test_pm_v1x(void)
{
	struct vgs_import im;

	pm_import(&im, "v1x.csv", 3);
	/* start = present + MsUntilRenderComplete - busy */
	CU_ASSERT_EQUAL(op_at(&im, 0)->start_ns, 99000000);
	CU_ASSERT_EQUAL(op_at(&im, 0)->end_ns, 103000000);
	CU_ASSERT_EQUAL(op_at(&im, 0)->arrival_ns, 99000000);
	CU_ASSERT_EQUAL(op_at(&im, 1)->start_ns, 113667000);
	CU_ASSERT_EQUAL(op_at(&im, 1)->end_ns, 119167000);
	CU_ASSERT_EQUAL(op_at(&im, 2)->cls, VGS_VENC);
	CU_ASSERT_EQUAL(op_at(&im, 2)->start_ns, 119167000);
	CU_ASSERT_EQUAL(op_at(&im, 2)->end_ns, 120417000);
	vgs_import_fini(&im);
}

/* The unit of a time stamp is taken from the data (presentmon_time.c). */
static void test_pm_time_units(void)
{
	struct vgs_import im;

	/* the capture application writes CPUStartTime in ms: 120 frames span 2 s, not 33 minutes */
	pm_import(&im, "capture_app_ms.csv", 120);
	CU_ASSERT_EQUAL(op_at(&im, 0)->arrival_ns, 13042187500);
	CU_ASSERT_EQUAL(op_at(&im, 0)->start_ns, 13042187500 + 1550000);
	CU_ASSERT(op_at(&im, 119)->end_ns - op_at(&im, 0)->start_ns < 2000000000ull);
	CU_ASSERT_EQUAL(im.frames_in_flight, 3);
	CU_ASSERT_PTR_NULL(g_hash_table_lookup(im.units, "s"));
	vgs_import_fini(&im);
	/* the console application writes it in seconds */
	pm_import(&im, "console_s.csv", 3);
	CU_ASSERT_EQUAL(op_at(&im, 1)->arrival_ns, 2516666700);
	CU_ASSERT_PTR_NOT_NULL(g_hash_table_lookup(im.units, "s"));
	vgs_import_fini(&im);
}

/* PresentMon 1.x without a GPU busy column: the render-complete interval after the previous frame's. */
static void test_pm_v1x_no_busy(void)
{
	static const struct {
		uint64_t start, end;
	} game[] = {
		{ 10250000000, 10252500000 }, { 10266667000, 10269667000 }, { 10283334000, 10286134000 },
		{ 10300001000, 10321001000 }, { 10321001000, 10340668000 }, /* the GPU behind: from the previous end */
		{ 10340668000, 10355835000 }, { 10355835000, 10359002000 }, { 10366669000, 10369569000 },
	};
	struct vgs_import im;
	int ctx;
	guint k = 0;

	pm_import(&im, "v1x_no_busy.csv", 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(im.source, "GPU work from the render-complete interval"));
	ctx = ctx_of(&im, "game.exe-100");
	CU_ASSERT_FATAL(ctx >= 0);
	for (guint i = 0; i < im.ops->len; i++) {
		const struct vgs_op *op = op_at(&im, i);

		if (op->ctx != (uint32_t)ctx)
			continue;
		CU_ASSERT_FATAL(k < G_N_ELEMENTS(game));
		CU_ASSERT_EQUAL(op->start_ns, game[k].start);
		CU_ASSERT_EQUAL(op->end_ns, game[k].end);
		k++;
	}
	CU_ASSERT_EQUAL(k, G_N_ELEMENTS(game));
	vgs_import_fini(&im);
}

/*
 * Frame generation: 12 application frames are the units; the 11 generated ones (XeSS-FG, AFMF) are
 * counted on the application frame listed after them (gen=1) and, where their GPU busy is > 0, run as
 * a small gfx op after that frame's.
 */
static void test_pm_framegen(void)
{
	struct vgs_import im;
	unsigned frames = 0, small = 0, gen = 0;

	pm_import(&im, "framegen.csv", 20);
	CU_ASSERT_EQUAL(im.generated_frames, 11);
	CU_ASSERT_PTR_NOT_NULL(strstr(im.source, "12 frames + 11 generated"));
	for (guint i = 0; i < im.ops->len; i++) {
		const struct vgs_op *op = op_at(&im, i);

		if (op->flags & VGS_OP_UNIT_BEGIN) {
			frames++;
			gen += op->attr.gen;
			CU_ASSERT_EQUAL(op->end_ns - op->start_ns, 17000000);
		} else {
			small++;
			CU_ASSERT_EQUAL(op->end_ns - op->start_ns, 350000);
			CU_ASSERT_EQUAL(op->start_ns, op_at(&im, i - 1)->end_ns); /* after its frame's op */
		}
	}
	CU_ASSERT_EQUAL(frames, 12);
	CU_ASSERT_EQUAL(gen, 11);
	CU_ASSERT_EQUAL(small, 8);
	CU_ASSERT_EQUAL(op_at(&im, 0)->attr.gen, 0);
	CU_ASSERT_EQUAL(op_at(&im, 1)->attr.gen, 1);
	vgs_import_fini(&im);
}

static void test_pm_bad(void)
{
	static const struct bad_case cases[] = {
		{ FIX_PM "bad_number.csv", FIX_PM "bad_number.csv:3: GPUBusy: a number of ms, found '9.5ms'" },
		{ FIX_PM "bad_fields.csv", FIX_PM "bad_fields.csv:4: 6 fields as in the header, found 5" },
		{ FIX_PM "bad_qpc.csv", FIX_PM "bad_qpc.csv:3: CPUStartQPC: a step of 16.6667 ms since this swap "
					 "chain's previous frame (its FrameTime) at 10 MHz, found 5.9659 ms" },
		{ FIX_PM "bad_header.csv", FIX_PM "bad_header.csv:1: a PresentMon header with" },
		{ FIX_PM "bad_units.csv", FIX_PM "bad_units.csv:3: CPUStartTime disagrees with MsBetweenAppStart: a step "
					   "since this swap chain's previous frame is 166.7000 ms read as seconds and "
					   "0.1667 ms read as ms" },
		{ FIX_PM "no_time.csv", FIX_PM "no_time.csv:1: columns that place the GPU work in time" },
		{ FIX_PM "all_na.csv", FIX_PM "all_na.csv:3: at least one frame" },
		{ FIX_ORION "good.csv", FIX_ORION "good.csv:1: a PresentMon header" },
	};

	check_bad(vgs_import_presentmon, "presentmon", cases, G_N_ELEMENTS(cases));
}

/* The native trace of every context, without its @source line. */
static char *written(const struct vgs_import *im)
{
	struct vgs_error err = { "" };
	char *buf = NULL, *p;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	GString *out = g_string_new(NULL);

	CU_ASSERT_EQUAL(vgs_import_write(im, -1, f, &err), 0);
	fclose(f);
	for (p = buf; *p;) {
		char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p + 1) : strlen(p);

		if (strncmp(p, "@source ", 8) != 0)
			g_string_append_len(out, p, (gssize)n);
		p += n;
	}
	free(buf);
	return g_string_free(out, FALSE);
}

/* Frames and GPU busy per "Application-PID", read naively: columns found by name, no quoting. */
static GHashTable *naive_frames(const char *path, const char *busy_col, GHashTable **busy_ns)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	int busy_idx = -1;
	GHashTable *frames = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	*busy_ns = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	CU_ASSERT_FATAL(f && fgets(line, sizeof(line), f));
	char **h = g_strsplit(g_strchomp(line), ",", -1);

	for (int i = 0; h[i]; i++)
		if (strcmp(h[i], busy_col) == 0)
			busy_idx = i;
	g_strfreev(h);
	CU_ASSERT_FATAL(busy_idx >= 0);
	while (fgets(line, sizeof(line), f)) {
		char **v = g_strsplit(g_strchomp(line), ",", -1);
		char *key = g_strdup_printf("%s-%s", v[0], v[1]);
		uint64_t *b = g_hash_table_lookup(*busy_ns, key);

		guint seen = GPOINTER_TO_UINT(g_hash_table_lookup(frames, key));

		g_hash_table_replace(frames, g_strdup(key), GUINT_TO_POINTER(seen + 1));
		if (!b) {
			b = g_new0(uint64_t, 1);
			g_hash_table_insert(*busy_ns, g_strdup(key), b);
		}
		*b += (uint64_t)llround(strtod(v[busy_idx], NULL) * 1e6);
		g_free(key);
		g_strfreev(v);
	}
	fclose(f);
	return frames;
}

static void check_pm_shared(const char *file, const char *busy_col, struct vgs_import *im)
{
	char *path = g_strconcat(SHARED_PM, file, NULL);
	struct vgs_error err = { "" };
	GHashTable *busy, *frames = naive_frames(path, busy_col, &busy);
	GHashTableIter it;
	gpointer key, val;
	guint total = 0;

	vgs_import_init(im, "presentmon");
	CU_ASSERT_FATAL(vgs_import_presentmon(im, path, &err) == 0);
	CU_ASSERT_EQUAL(g_hash_table_size(frames), im->ctx_names->len);
	g_hash_table_iter_init(&it, frames);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		int ctx = ctx_of(im, key);
		guint n = 0;
		uint64_t b = 0;

		CU_ASSERT_FATAL(ctx >= 0);
		for (guint i = 0; i < im->ops->len; i++) {
			const struct vgs_op *op = op_at(im, i);

			if (op->ctx != (uint32_t)ctx || op->cls != VGS_GFX)
				continue;
			n++;
			b += op->end_ns - op->start_ns;
			CU_ASSERT(op->flags & VGS_OP_UNIT_BEGIN);
			CU_ASSERT(op->arrival_ns <= op->start_ns);
		}
		CU_ASSERT_EQUAL(n, GPOINTER_TO_UINT(val));
		CU_ASSERT_EQUAL(b, *(uint64_t *)g_hash_table_lookup(busy, key));
		total += n;
	}
	CU_ASSERT_EQUAL(total, 186);
	g_hash_table_destroy(frames);
	g_hash_table_destroy(busy);
	g_free(path);
}

static void test_pm_shared(void)
{
	struct vgs_import old, v2;
	char *a, *b;
	static const struct {
		const char *ctx;
		guint frames;
	} want[] = {
		{ "dwm.exe-10376", 114 },      { "Presenter.exe-9620", 18 }, { "Presenter.exe-8536", 18 },
		{ "Presenter.exe-5236", 18 }, { "Presenter.exe-5192", 18 },
	};

	if (!shared_present(SHARED_PM))
		return;
	check_pm_shared("test_case_4.csv", "MsGPUBusy", &old);
	check_pm_shared("test_case_4_v2.csv", "GPUBusy", &v2);
	for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
		int ctx = ctx_of(&v2, want[i].ctx);
		guint n = 0;

		CU_ASSERT_FATAL(ctx >= 0);
		for (guint k = 0; k < v2.ops->len; k++)
			n += op_at(&v2, k)->ctx == (uint32_t)ctx;
		CU_ASSERT_EQUAL(n, want[i].frames);
	}
	/* both column sets of one capture: the same ops, the same native trace */
	CU_ASSERT_EQUAL_FATAL(old.ops->len, v2.ops->len);
	CU_ASSERT(memcmp(old.ops->data, v2.ops->data, old.ops->len * sizeof(struct vgs_op)) == 0);
	a = written(&old);
	b = written(&v2);
	CU_ASSERT_STRING_EQUAL(a, b);
	g_free(a);
	g_free(b);
	vgs_import_fini(&old);
	vgs_import_fini(&v2);
}

static CU_TestInfo csv_tests[] = {
	{ "decimal ms/s to exact ns", test_decimal_ns },
	{ "quoted fields, header lookup", test_csv_quotes },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo orion_tests[] = {
	{ "kernels laid back to back", test_orion_good },
	{ "native trace: one iteration, gap 0", test_orion_write },
	{ "malformed profiles: FILE:LINE", test_orion_bad },
	{ "shared profiles: counts, sums, *_fb0 refused", test_orion_shared },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo pm_tests[] = {
	{ "v2 columns: frames, NA skipped, venc", test_pm_v2 },
	{ "old columns, BOM, CRLF: same ops", test_pm_old },
	{ "1.x columns: present-based start", test_pm_v1x },
	{ "1.x columns without GPU busy: the render-complete interval", test_pm_v1x_no_busy },
	{ "time stamps in s or ms, from the data", test_pm_time_units },
	{ "frame generation: application frames are the units", test_pm_framegen },
	{ "malformed captures: FILE:LINE", test_pm_bad },
	{ "shared capture: both column sets agree", test_pm_shared },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "csv", .pTests = csv_tests }, { .pName = "orion", .pTests = orion_tests },
	       { .pName = "presentmon", .pTests = pm_tests })
