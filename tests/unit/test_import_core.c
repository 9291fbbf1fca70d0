/*
 * The import core (hw-trace/import.c, import_rec.c): the reconstruction rule, case by case (stream
 * order with recorded overlaps, launch latency, the three anchors of a host gap, open-loop frames,
 * units and contexts, frames in flight), on hand-built op lists whose times do not start at 0; then
 * its two promises on random captures, checked by replaying the written trace with the native
 * semantics (models/base/types.h) on an ideal GPU: every op starts and ends when recorded, and an op
 * made late delays a host-anchored op only by what its gap does not absorb.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw-trace/import.h"
#include "models/base/rng.h"
#include "tests/unit/cunit_main.h"

#define T0 1000000000ull /* captures rarely start at 0 */

struct row {
	char cls[16];
	unsigned stream;
	unsigned long long work, gap, unit, start, end;
	char deps[32], flags[4], ctx[32];
	char attrs[160];            /* the attributes after the columns, "" if none */
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
		int used = 0;

		if (line[0] == 'm')
			continue;
		r->attrs[0] = '\0';
		if (ctx < 0)
			got = sscanf(line, "%llu %15s %u %llu %llu %7s %31s %llu %llu %3s %31s %llu %llu%n", &seq, r->cls,
				     &r->stream, &r->work, &bytes, dir, r->deps, &r->gap, &r->unit, r->flags, r->ctx,
				     &r->start, &r->end, &used);
		else
			got = sscanf(line, "%llu %15s %u %llu %llu %7s %31s %llu %llu %3s %llu %llu%n", &seq, r->cls,
				     &r->stream, &r->work, &bytes, dir, r->deps, &r->gap, &r->unit, r->flags, &r->start,
				     &r->end, &used);
		CU_ASSERT_EQUAL(got, ctx < 0 ? 13 : 12);
		snprintf(r->attrs, sizeof(r->attrs), "%s", line + used + (line[used] == '\t'));
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
 * 20, waits for A: runs 100..150.  C: other stream, launched at 160 after A and B completed: B (the
 * latest completion) is its barrier, its gap counts from B's submission (anchor=prev).  D: launched at
 * 170, started 175 (> ready 170): raised to 175; C (ended 170) its barrier, gap from C's submission.
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
	CU_ASSERT_STRING_EQUAL(r[1].attrs, "");
	/* C: barrier B, gap 160 - 20 from B's submission */
	CU_ASSERT_STRING_EQUAL(r[2].cls, "copy");
	CU_ASSERT_STRING_EQUAL(r[2].deps, "1");
	CU_ASSERT_EQUAL(r[2].gap, 140);
	CU_ASSERT_STRING_EQUAL(r[2].attrs, "anchor=prev");
	/* D: barrier C, gap 175 - 160 */
	CU_ASSERT_STRING_EQUAL(r[3].deps, "2");
	CU_ASSERT_EQUAL(r[3].gap, 15);
	CU_ASSERT_STRING_EQUAL(r[3].attrs, "anchor=prev");
	/* one unit: B on the first, E on the last */
	CU_ASSERT_STRING_EQUAL(r[0].flags, "B");
	CU_ASSERT_STRING_EQUAL(r[3].flags, "E");
	vgs_import_fini(&im);
}

/*
 * The rule case by case (import_rec.c, docs/trace-format.md): one table row per shape, its ops, and
 * what the core must write for each.  Times in ns from T0; submit VGS_NO_TIME: not recorded.
 */
struct rule_op {
	uint8_t cls;
	uint32_t stream;
	uint64_t submit, start, end;
	bool frame;                 /* opens an open-loop frame (an arrival) */
};

struct rule_row {
	const char *deps;
	unsigned long long gap;
	const char *attrs;
};

struct rule_case {
	const char *what;
	struct rule_op ops[6];
	size_t nops;
	struct vgs_host_wait waits[2];
	size_t nwaits;
	struct rule_row want[6];    /* in seq order */
};

static const struct rule_case rule_cases[] = {
	{ "overlap by 0.5 us on one stream (a GEMM before the elementwise kernel ahead of it ends)",
	  { { VGS_COMPUTE, 7, 0, 5000, 11000, false }, { VGS_COMPUTE, 7, 20000, 25000, 33000, false },
	    { VGS_COMPUTE, 7, 28000, 32500, 42500, false }, { VGS_COMPUTE, 7, 50000, 55000, 59000, false } }, 4, { { 0 } }, 0,
	  { { "-", 5000, "" }, { "0", 20000, "anchor=prev" }, { "0", 7500, "after=0\tanchor=prev" },
	    { "2", 22500, "anchor=prev" } } },
	{ "overlap by 2.5 us of the first two ops: after=- (nothing of its stream ended by its start)",
	  { { VGS_COMPUTE, 0, 0, 1000, 9000, false }, { VGS_COMPUTE, 0, 2000, 6500, 16500, false } }, 2, { { 0 } }, 0,
	  { { "-", 1000, "" }, { "-", 5500, "after=-" } } },
	{ "a copy inside the kernel ahead of it; the kernel after both waits for the later end, the first's",
	  { { VGS_COMPUTE, 7, 0, 5000, 30000, false }, { VGS_COPY, 7, 10000, 22000, 26000, false },
	    { VGS_COMPUTE, 7, 12000, 31000, 35000, false } }, 3, { { 0 } }, 0,
	  { { "-", 5000, "" }, { "-", 17000, "after=-" }, { "0", 9000, "after=0\tanchor=prev" } } },
	{ "the host waited (a synchronising call ended between the submissions): gap from the completion",
	  { { VGS_COPY, 7, 0, 1000, 5000, false }, { VGS_COMPUTE, 7, 9000, 9000, 12000, false } }, 2,
	  { { 1500, 5600, 0 } }, 1,
	  { { "-", 1000, "" }, { "0", 4000, "" } } },
	{ "no submit recorded (Orion, back to back): gap from the completion",
	  { { VGS_COMPUTE, 0, VGS_NO_TIME, 0, 100, false }, { VGS_COMPUTE, 0, VGS_NO_TIME, 100, 300, false },
	    { VGS_COMPUTE, 0, VGS_NO_TIME, 350, 400, false } }, 3, { { 0 } }, 0,
	  { { "-", 0, "" }, { "0", 0, "" }, { "1", 50, "" } } },
	{ "open-loop frames: no dependency, the capture's cadence",
	  { { VGS_GFX, 0, VGS_NO_TIME, 0, 5000, true }, { VGS_GFX, 0, VGS_NO_TIME, 16000, 21000, true } }, 2,
	  { { 0 } }, 0,
	  { { "-", 0, "" }, { "-", 16000, "" } } },
};

/* im: one context holding the ops and host waits of case k. */
static void import_case(struct vgs_import *im, const struct rule_case *k)
{
	vgs_import_init(im, "test");
	vgs_import_ctx(im, "app");
	for (size_t i = 0; i < k->nops; i++) {
		struct vgs_op o = op(0, k->ops[i].cls, k->ops[i].stream, k->ops[i].submit, k->ops[i].start,
				     k->ops[i].end);

		if (k->ops[i].frame) {
			o.arrival_ns = o.start_ns;
			o.flags = VGS_OP_UNIT_BEGIN;
		}
		vgs_import_add(im, &o);
	}
	for (size_t i = 0; i < k->nwaits; i++) {
		struct vgs_host_wait w = { T0 + k->waits[i].start_ns, T0 + k->waits[i].end_ns, 0 };

		vgs_import_add_wait(im, &w);
	}
}

static void test_rule_cases(void)
{
	for (size_t c = 0; c < G_N_ELEMENTS(rule_cases); c++) {
		const struct rule_case *k = &rule_cases[c];
		struct vgs_import im;
		struct row r[8];

		import_case(&im, k);
		CU_ASSERT_EQUAL_FATAL(write_rows(&im, 0, r, 8), (int)k->nops);
		for (size_t i = 0; i < k->nops; i++) {
			bool ok = strcmp(r[i].deps, k->want[i].deps) == 0 && r[i].gap == k->want[i].gap &&
				  strcmp(r[i].attrs, k->want[i].attrs) == 0;

			if (!ok)
				printf("\n  %s: seq %zu: deps %s gap %llu '%s', want %s %llu '%s'\n", k->what, i, r[i].deps,
				       r[i].gap, r[i].attrs, k->want[i].deps, k->want[i].gap, k->want[i].attrs);
			CU_ASSERT(ok);
		}
		vgs_import_fini(&im);
	}
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

/* ---- replaying what the core wrote, with the native semantics, on an ideal GPU ---- */

struct replayed {
	uint64_t start, end;
};

/*
 * Rows of one context in seq order, submitted as models/base/types.h says (gap from the previous
 * submission, or from the deps' completion; anchor=prev: deps as barriers) and started when their
 * stream predecessor (after=, else the previous command of the stream) has ended; command `late`
 * runs `delay` ns longer than its work.
 */
static void replay_rows(const struct row *r, int n, int late, uint64_t delay, struct replayed *out)
{
	uint64_t s_prev = 0;

	for (int i = 0; i < n; i++) {
		const char *after = strstr(r[i].attrs, "after=");
		bool anchored = strstr(r[i].attrs, "anchor=prev") != NULL;
		int dep = strcmp(r[i].deps, "-") ? atoi(r[i].deps) : -1, pred = -1;
		uint64_t s;

		if (dep < 0)
			s = s_prev + r[i].gap;
		else if (anchored)
			s = s_prev + r[i].gap > out[dep].end ? s_prev + r[i].gap : out[dep].end;
		else
			s = out[dep].end + r[i].gap > s_prev ? out[dep].end + r[i].gap : s_prev;
		if (after)
			pred = after[6] == '-' ? -1 : atoi(after + 6);
		else
			for (int k = i - 1; k >= 0 && pred < 0; k--)
				if (r[k].stream == r[i].stream)
					pred = k;
		out[i].start = pred >= 0 && out[pred].end > s ? out[pred].end : s;
		out[i].end = out[i].start + r[i].work + (i == late ? delay : 0);
		s_prev = s;
	}
}

/*
 * Random captures on three streams: a host launching on its own clock (some launches not recorded),
 * launch latency, ops overlapping the one ahead of them on their stream by up to 3 us one time in
 * five, and now and then a synchronising call that waits for everything.  Replayed, every op starts
 * and ends when recorded.
 */
static void test_solo_exact_random(void)
{
	struct vgs_rng rng;

	vgs_rng_seed(&rng, 15);
	for (int trial = 0; trial < 40; trial++) {
		enum { N = 300 };
		struct vgs_import im;
		static struct row r[N];
		static struct replayed got[N];
		uint64_t host = 0, last_end[3] = { 0 }, all_end = 0;
		int bad = 0;

		vgs_import_init(&im, "test");
		vgs_import_ctx(&im, "app");
		for (int i = 0; i < N; i++) {
			uint32_t st = (uint32_t)(vgs_rng_u64(&rng) % 3);
			uint64_t submit, start, overlap = 0;

			host += 1 + (uint64_t)vgs_rng_exp(&rng, 5000);
			submit = vgs_rng_uniform(&rng) < 0.1 ? VGS_NO_TIME : host;
			if (vgs_rng_uniform(&rng) < 0.2)
				overlap = vgs_rng_u64(&rng) % 3000;
			start = host + (uint64_t)vgs_rng_exp(&rng, 2000);
			if (last_end[st] > overlap && last_end[st] - overlap > start)
				start = last_end[st] - overlap;
			struct vgs_op o = op(0, st == 2 ? VGS_COPY : VGS_COMPUTE, st, submit, start,
					     start + 1 + (uint64_t)vgs_rng_exp(&rng, 6000));

			vgs_import_add(&im, &o);
			last_end[st] = o.end_ns - T0 > last_end[st] ? o.end_ns - T0 : last_end[st];
			all_end = last_end[st] > all_end ? last_end[st] : all_end;
			if (vgs_rng_uniform(&rng) < 0.05) {
				struct vgs_host_wait w = { T0 + host, T0 + all_end + 500, 0 };

				vgs_import_add_wait(&im, &w);
				host = all_end + 500 > host ? all_end + 500 : host;
			}
		}
		CU_ASSERT_EQUAL_FATAL(write_rows(&im, 0, r, N), N);
		replay_rows(r, N, -1, 0, got);
		for (int i = 0; i < N; i++)
			bad += got[i].start != r[i].start || got[i].end != r[i].end;
		if (bad)
			printf("\n  trial %d: %d of %d ops not replayed exactly\n", trial, bad, N);
		CU_ASSERT_EQUAL(bad, 0);
		vgs_import_fini(&im);
	}
}

/*
 * The overlap of the first rule case, made late: the GEMM runs 0.5 us longer (as when the overlap is
 * serialised).  The ops after it are host-anchored with 12.5 us of slack: they start on time.
 */
static void test_late_op_absorbed(void)
{
	const struct rule_case *k = &rule_cases[0];
	struct vgs_import im;
	struct row r[8];
	struct replayed got[8];

	import_case(&im, k);
	CU_ASSERT_EQUAL_FATAL(write_rows(&im, 0, r, 8), 4);
	replay_rows(r, 4, 2, 500, got);
	CU_ASSERT_EQUAL(got[2].end, r[2].end + 500);
	CU_ASSERT_EQUAL(got[3].start, r[3].start);
	CU_ASSERT_EQUAL(got[3].end, r[3].end);
	vgs_import_fini(&im);
}

/*
 * Frames in flight: frames every 16 us whose GPU work (30 us each) overlaps the previous frame's: a
 * fence of 1 frame would hold back what the capture ran at once, so @frames_in_flight is raised from
 * the default 1 to 2, the smallest fence that leaves every frame where it was (unit u waits for the
 * end of unit u - 2).  A default above what the capture needs stands.
 */
static void test_frames_in_flight(void)
{
	struct vgs_import im;
	struct vgs_recon rc;
	struct vgs_error err = { { 0 } };

	vgs_import_init(&im, "test");
	vgs_import_ctx(&im, "game");
	im.frames_in_flight = 1;
	for (uint64_t f = 0; f < 8; f++) {
		struct vgs_op o = op(0, VGS_GFX, 0, VGS_NO_TIME, 16000 * f + 30000, 16000 * f + 60000);

		o.arrival_ns = T0 + 16000 * f;
		o.flags = VGS_OP_UNIT_BEGIN;
		vgs_import_add(&im, &o);
	}
	CU_ASSERT_EQUAL_FATAL(vgs_import_reconstruct(&im, 0, &rc, &err), 0);
	CU_ASSERT_EQUAL(rc.units, 8);
	CU_ASSERT_EQUAL(rc.overlaps, 7);
	CU_ASSERT_EQUAL(rc.frames_needed, 2);
	CU_ASSERT_EQUAL(rc.frames_in_flight, 2);
	vgs_recon_fini(&rc);
	im.frames_in_flight = 3;
	CU_ASSERT_EQUAL_FATAL(vgs_import_reconstruct(&im, 0, &rc, &err), 0);
	CU_ASSERT_EQUAL(rc.frames_in_flight, 3);
	vgs_recon_fini(&rc);
	vgs_import_fini(&im);
}

static CU_TestInfo core_tests[] = {
	{ "deps: latest completion before submit; gaps; launch latency", test_deps_and_gaps },
	{ "the rule, case by case", test_rule_cases },
	{ "solo replay is exact on random captures with overlaps and waits", test_solo_exact_random },
	{ "a late op does not shift the host-anchored ops after it", test_late_op_absorbed },
	{ "frames in flight", test_frames_in_flight },
	{ "units and contexts", test_units_and_contexts },
	{ "open-loop ops keep the capture's cadence", test_open_loop },
	{ "an op ending before it starts is refused", test_bad_op },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "import core", .pTests = core_tests })
