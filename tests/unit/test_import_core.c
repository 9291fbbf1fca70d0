/*
 * The import core (hw-trace/import.c): dependency and gap reconstruction, launch latency, stream
 * order, units and contexts, on hand-built op lists whose times do not start at 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw-trace/import.h"
#include "tests/unit/cunit_main.h"

#define T0 1000000000ull /* captures rarely start at 0 */

struct row {
	char cls[16];
	unsigned stream;
	unsigned long long work, gap, unit, start, end;
	char deps[32], flags[4], ctx[32];
};

/* Write im and parse the rows back (ctx column when ctx < 0). */
static int write_rows(const struct vgs_import *im, int ctx, struct row *rows, int max)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct vgs_error err = { { 0 } };
	int n = 0;

	CU_ASSERT_EQUAL_FATAL(vgs_import_write(im, ctx, f, &err), 0);
	fclose(f);
	for (char *line = strtok(buf, "\n"); line && n < max; line = strtok(NULL, "\n")) {
		struct row *r = &rows[n];
		unsigned long long seq, bytes;
		char dir[8];
		int got;

		if (line[0] == '#' || line[0] == '@' || !strncmp(line, "seq", 3))
			continue;
		if (ctx < 0)
			got = sscanf(line, "%llu %15s %u %llu %llu %7s %31s %llu %llu %3s %31s %llu %llu", &seq, r->cls,
				     &r->stream, &r->work, &bytes, dir, r->deps, &r->gap, &r->unit, r->flags, r->ctx,
				     &r->start, &r->end);
		else
			got = sscanf(line, "%llu %15s %u %llu %llu %7s %31s %llu %llu %3s %llu %llu", &seq, r->cls,
				     &r->stream, &r->work, &bytes, dir, r->deps, &r->gap, &r->unit, r->flags, &r->start,
				     &r->end);
		CU_ASSERT_EQUAL(got, ctx < 0 ? 13 : 12);
		CU_ASSERT_EQUAL(seq, (unsigned long long)n);
		n++;
	}
	free(buf);
	return n;
}

static struct vgs_op op(uint32_t ctx, uint8_t cls, uint32_t stream, uint64_t submit, uint64_t start, uint64_t end)
{
	return (struct vgs_op){ .start_ns = T0 + start, .end_ns = T0 + end,
				.submit_ns = submit == VGS_NO_TIME ? VGS_NO_TIME : T0 + submit,
				.arrival_ns = VGS_NO_TIME, .stream = stream, .ctx = ctx, .cls = cls };
}

/*
 * A: submitted at 0, runs 10..100 (10 ns launch latency: raised to 10).  B: same stream, submitted at
 * 20, waits for A: runs 100..150.  C: other stream, submitted at 160 after A and B completed: depends on
 * B (latest completed) with gap 10.  D: submitted at 170, nothing new completed: gap from C.
 */
static void test_deps_and_gaps(void)
{
	struct vgs_import im;
	struct row r[8];
	struct vgs_op ops[] = {
		op(0, VGS_COMPUTE, 7, 0, 10, 100),
		op(0, VGS_COMPUTE, 7, 20, 100, 150),
		op(0, VGS_COPY, 9, 160, 160, 170),
		op(0, VGS_COMPUTE, 7, 170, 175, 180),
	};

	vgs_import_init(&im, "test");
	vgs_import_ctx(&im, "app");
	for (size_t i = 0; i < 4; i++)
		vgs_import_add(&im, &ops[3 - i]); /* capture order does not matter */
	CU_ASSERT_EQUAL_FATAL(write_rows(&im, 0, r, 8), 4);
	/* A: first op, raised to its start (10), gap from the origin (A's submit) */
	CU_ASSERT_STRING_EQUAL(r[0].deps, "-");
	CU_ASSERT_EQUAL(r[0].gap, 10);
	CU_ASSERT_EQUAL(r[0].start, 10);
	CU_ASSERT_EQUAL(r[0].work, 90);
	/* B: queued behind A on stream 7: keeps its submit 20, no completion yet: gap 10 after A's submit */
	CU_ASSERT_STRING_EQUAL(r[1].deps, "-");
	CU_ASSERT_EQUAL(r[1].gap, 10);
	/* C: depends on B (ended 150, the latest completion by 160), gap 10 */
	CU_ASSERT_STRING_EQUAL(r[2].cls, "copy");
	CU_ASSERT_STRING_EQUAL(r[2].deps, "1");
	CU_ASSERT_EQUAL(r[2].gap, 10);
	/* D: submitted 170, started 175 (> ready 170): raised to 175; C ended at 170: dep 2, gap 5 */
	CU_ASSERT_STRING_EQUAL(r[3].deps, "2");
	CU_ASSERT_EQUAL(r[3].gap, 5);
	/* one unit: B on the first, E on the last */
	CU_ASSERT_STRING_EQUAL(r[0].flags, "B");
	CU_ASSERT_STRING_EQUAL(r[3].flags, "E");
	vgs_import_fini(&im);
}

/* Unit marks and contexts: each context numbers its units from 0; ops without marks join the open unit. */
static void test_units_and_contexts(void)
{
	struct vgs_import im;
	struct row r[8];
	struct vgs_op a0 = op(0, VGS_GFX, 0, VGS_NO_TIME, 0, 10), a1 = op(0, VGS_VENC, 1, VGS_NO_TIME, 10, 12),
		      a2 = op(0, VGS_GFX, 0, VGS_NO_TIME, 20, 30), b0 = op(1, VGS_GFX, 0, VGS_NO_TIME, 5, 8);

	a0.flags = a2.flags = b0.flags = VGS_OP_UNIT_BEGIN;
	vgs_import_init(&im, "test");
	vgs_import_ctx(&im, "app");
	vgs_import_ctx(&im, "compositor two");
	vgs_import_add(&im, &a0);
	vgs_import_add(&im, &a1);
	vgs_import_add(&im, &a2);
	vgs_import_add(&im, &b0);
	CU_ASSERT_EQUAL_FATAL(write_rows(&im, -1, r, 8), 4);
	CU_ASSERT_STRING_EQUAL(r[0].ctx, "app");
	CU_ASSERT_STRING_EQUAL(r[1].ctx, "compositor_two"); /* blanks cannot appear in a word column */
	CU_ASSERT_EQUAL(r[1].unit, 0);
	CU_ASSERT_STRING_EQUAL(r[1].flags, "BE");
	CU_ASSERT_STRING_EQUAL(r[0].flags, "B");
	CU_ASSERT_STRING_EQUAL(r[2].flags, "E"); /* a1 closes unit 0 of app */
	CU_ASSERT_EQUAL(r[3].unit, 1);
	CU_ASSERT_STRING_EQUAL(r[3].flags, "BE");
	/* context 1 alone: its one op, gap counted from the capture's origin (5 ns after a0) */
	CU_ASSERT_EQUAL_FATAL(write_rows(&im, 1, r, 8), 1);
	CU_ASSERT_EQUAL(r[0].gap, 5);
	CU_ASSERT_EQUAL(r[0].start, 5);
	vgs_import_fini(&im);
}

/* Open-loop ops (an arrival time) never wait for a completion: their gap follows the capture's cadence. */
static void test_open_loop(void)
{
	struct vgs_import im;
	struct row r[4];
	struct vgs_op f0 = op(0, VGS_GFX, 0, VGS_NO_TIME, 0, 5), f1 = op(0, VGS_GFX, 0, VGS_NO_TIME, 16, 21);

	f0.arrival_ns = f0.start_ns;
	f1.arrival_ns = f1.start_ns;
	vgs_import_init(&im, "test");
	vgs_import_ctx(&im, "game");
	vgs_import_add(&im, &f0);
	vgs_import_add(&im, &f1);
	CU_ASSERT_EQUAL_FATAL(write_rows(&im, 0, r, 4), 2);
	CU_ASSERT_STRING_EQUAL(r[1].deps, "-");
	CU_ASSERT_EQUAL(r[1].gap, 16);
	vgs_import_fini(&im);
}

static void test_bad_op(void)
{
	struct vgs_import im;
	struct vgs_op bad = op(0, VGS_GFX, 0, VGS_NO_TIME, 10, 5);
	struct vgs_error err = { { 0 } };
	FILE *f = fopen("/dev/null", "w");

	vgs_import_init(&im, "test");
	vgs_import_ctx(&im, "x");
	vgs_import_add(&im, &bad);
	CU_ASSERT_EQUAL(vgs_import_write(&im, 0, f, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "ends before it starts"));
	fclose(f);
	vgs_import_fini(&im);
}

static CU_TestInfo core_tests[] = {
	{ "deps: latest completion before submit; gaps; launch latency", test_deps_and_gaps },
	{ "units and contexts", test_units_and_contexts },
	{ "open-loop ops keep the capture's cadence", test_open_loop },
	{ "an op ending before it starts is refused", test_bad_op },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "import core", .pTests = core_tests })
