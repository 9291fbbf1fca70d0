/*
 * hw-trace/ftrace*.c: hand-written fixtures in tests/traces/ftrace (trace-cmd report text of each event
 * family: legacy amdgpu, drm_sched before and from 6.16, i915, with their exact expected ops), malformed
 * ones in tests/traces/ftrace/bad with the expected FILE:LINE, and the real SteamVR capture in
 * ../shared/traces (skipped when absent), checked against the figures of its SOURCE.txt.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>
#include <zlib.h>

#include "hw-trace/ftrace.h"
#include "hw-trace/import.h"
#include "tests/unit/cunit_main.h"

#define FIX "tests/traces/ftrace/"
#define STEAMVR "../shared/traces/ftrace/gpuvis-amdgpu-steamvr/DERIVED_trace-cmd-report.txt.gz"
#define NONE VGS_NO_TIME
#define B VGS_OP_UNIT_BEGIN

struct exp_op {
	const char *ctx;
	uint32_t stream;
	int cls;
	uint64_t submit_ns, start_ns, end_ns; /* relative to the fixture's base */
	uint8_t flags;
};

struct fixture {
	const char *desc;
	const char *file;
	uint64_t base_ns;
	const struct exp_op *ops;
	size_t nops;
	struct vgs_ftrace_stats st; /* jobs, reordered, unmatched, incomplete, preempted, vblanks checked */
	const char *unit;
};

static const struct exp_op amdgpu_ops[] = {
	{ "RenderThread-4929", 0, VGS_GFX, 100000, 200000, 400000, B },
	{ "amdgpu_cs:0-105", 0, VGS_GFX, 150000, 400000, 700000, B },
	{ "amdgpu_cs:0-105", 0, VGS_GFX, 850000, 900000, 1100000, 0 },
	{ "RenderThread-4929", 0, VGS_GFX, 800000, 1100000, 1300000, 0 },
	{ "kernel-73", 1, VGS_COPY, NONE, 1600000, 1650000, B },
	{ "RenderThread-4929", 0, VGS_GFX, 1500000, 1550000, 1800000, B },
};

static const struct exp_op sched_old_ops[] = {
	{ "gnome-shell-00000000a1b2c3d4", 0, VGS_GFX, 100000, 200000, 900000, 0 },
	{ "gnome-shell-00000000a1b2c3d4", 0, VGS_GFX, 400000, 900000, 1200000, 0 },
	{ "python3-00000000b2c3d4e5", 1, VGS_COMPUTE, 300000, 350000, 1350000, 0 },
	{ "gnome-shell-00000000a1b2c3d4", 0, VGS_GFX, 1300000, 1310000, 1500000, 0 },
};

static const struct exp_op sched_new_ops[] = {
	{ "ffmpeg-1240", 1, VGS_VENC, 200000, 210000, 400000, 0 },
	{ "Xwayland-1234", 0, VGS_GFX, 100000, 120000, 500000, 0 },
	{ "Xwayland-1234", 0, VGS_GFX, 300000, 500000, 700000, 0 },
	{ "ffmpeg-1250", 2, VGS_VDEC, 600000, 610000, 800000, 0 },
};

static const struct exp_op i915_ops[] = {
	{ "kwin_wayland-21", 1, VGS_COPY, 200, 250, 600, 0 },
	{ "gst-launch-1.0-30", 2, VGS_VENC, 400, 500, 900, 0 },
	{ "gst-launch-1.0-31", 3, VGS_VDEC, 410, 510, 950, 0 },
	{ "chrome-17", 0, VGS_GFX, 100, 300, 1000, 0 },
	{ "kwin_wayland-40", 0, VGS_GFX, 1250, 1310, 1500, 0 },
	{ "chrome-17", 0, VGS_GFX, 1100, 1510, 1800, 0 }, /* preempted at 1300, back in at 1510 */
	{ "chrome-50", 4, VGS_COMPUTE, 1900, 1950, 2000, 0 },
};

static const struct exp_op i915_legacy_ops[] = {
	{ "glxgears-3", 0, VGS_COPY, 10000, 20000, 70000, 0 },
};

#define OPS(a) a, G_N_ELEMENTS(a)

static const struct fixture fixtures[] = {
	{ "amdgpu legacy: 2 contexts share gfx, a kernel sdma job, vblanks, one run out of order", "amdgpu.txt",
	  100000000000ull, OPS(amdgpu_ops),
	  { .jobs = 6, .reordered = 1, .unmatched = 0, .incomplete = 1, .vblanks = 3 }, "frame" },
	{ "drm_sched before 6.16: entity/fence pointers, a reused fence, an unknown done", "drm_sched_old.txt",
	  2000000000000ull, OPS(sched_old_ops), { .jobs = 4, .unmatched = 1 }, NULL },
	{ "drm_sched 6.16+: fence=CTX:SEQ, dev=, latency-format lines", "drm_sched_new.txt", 500000000000ull,
	  OPS(sched_new_ops), { .jobs = 4 }, NULL },
	{ "i915: engine=CLASS:INST on all five classes, a preemption, an unknown out", "i915.txt",
	  300000000000ull, OPS(i915_ops), { .jobs = 7, .unmatched = 1, .preempted = 1 }, NULL },
	{ "i915 before engine=: ring=ID", "i915_legacy.txt", 40000000000ull, OPS(i915_legacy_ops),
	  { .jobs = 1 }, NULL },
	{ "a lone done: counted, skipped", "done_only.txt", 0, NULL, 0, { .unmatched = 1 }, NULL },
};

static const struct vgs_op *op_at(const struct vgs_import *im, guint i)
{
	return &g_array_index(im->ops, struct vgs_op, i);
}

static const char *ctx_name(const struct vgs_import *im, uint32_t ctx)
{
	return ctx < im->ctx_names->len ? im->ctx_names->pdata[ctx] : "?";
}

static void check_fixture(const struct fixture *f, const char *path)
{
	struct vgs_import im;
	struct vgs_error err = { "" };
	struct vgs_ftrace_stats st;

	vgs_import_init(&im, "ftrace");
	CU_ASSERT_EQUAL_FATAL(vgs_import_ftrace_stats(&im, path, &st, &err), 0);
	if (err.msg[0])
		printf("\n  %s: %s\n", f->desc, err.msg);
	CU_ASSERT_EQUAL(im.ops->len, f->nops);
	CU_ASSERT_EQUAL(st.jobs, f->st.jobs);
	CU_ASSERT_EQUAL(st.reordered, f->st.reordered);
	CU_ASSERT_EQUAL(st.unmatched, f->st.unmatched);
	CU_ASSERT_EQUAL(st.incomplete, f->st.incomplete);
	CU_ASSERT_EQUAL(st.preempted, f->st.preempted);
	CU_ASSERT_EQUAL(st.vblanks, f->st.vblanks);
	if (f->unit) {
		CU_ASSERT(im.unit && strcmp(im.unit, f->unit) == 0);
	} else {
		CU_ASSERT_PTR_NULL(im.unit);
	}
	for (guint i = 0; i < im.ops->len && i < f->nops; i++) {
		const struct vgs_op *op = op_at(&im, i);
		const struct exp_op *e = &f->ops[i];
		uint64_t submit = e->submit_ns == NONE ? NONE : f->base_ns + e->submit_ns;
		bool ok = strcmp(ctx_name(&im, op->ctx), e->ctx) == 0 && op->stream == e->stream &&
			  op->cls == e->cls && op->submit_ns == submit && op->start_ns == f->base_ns + e->start_ns &&
			  op->end_ns == f->base_ns + e->end_ns && op->flags == e->flags &&
			  op->arrival_ns == VGS_NO_TIME && op->bytes == 0 && op->dir == VGS_DIR_NONE;

		CU_ASSERT(ok);
		if (!ok)
			printf("\n  %s op %u: %s stream %u %s submit %" PRIu64 " start %" PRIu64 " end %" PRIu64
			       " flags %u\n", f->file, i, ctx_name(&im, op->ctx), op->stream, vgs_class_name(op->cls),
			       op->submit_ns == NONE ? 0 : op->submit_ns - f->base_ns, op->start_ns - f->base_ns,
			       op->end_ns - f->base_ns, op->flags);
	}
	vgs_import_fini(&im);
}

static void test_fixtures(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(fixtures); i++) {
		char *path = g_strconcat(FIX, fixtures[i].file, NULL);

		check_fixture(&fixtures[i], path);
		g_free(path);
	}
}

/* The same fixture, gzip-compressed (detected by its magic, not its name). */
static void test_gzip(void)
{
	char *text = NULL, *tmp = NULL;
	gsize len;
	int fd = g_file_open_tmp("vgs-ftrace-XXXXXX.txt", &tmp, NULL);
	gzFile gz;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(g_file_get_contents(FIX "amdgpu.txt", &text, &len, NULL));
	gz = gzdopen(fd, "wb");
	CU_ASSERT_FATAL(gz != NULL);
	CU_ASSERT_EQUAL(gzwrite(gz, text, (unsigned)len), (int)len);
	gzclose(gz);
	check_fixture(&fixtures[0], tmp);
	g_unlink(tmp);
	g_free(tmp);
	g_free(text);
}

/* The one-argument entry points agree with the stats one. */
static void test_entry_points(void)
{
	struct vgs_import im;
	struct vgs_error err = { "" };
	uint64_t reordered = 99;

	vgs_import_init(&im, "ftrace");
	CU_ASSERT_EQUAL(vgs_import_ftrace_ex(&im, FIX "amdgpu.txt", &reordered, &err), 0);
	CU_ASSERT_EQUAL(reordered, 1);
	CU_ASSERT_EQUAL(im.ops->len, 6);
	CU_ASSERT(im.source && strstr(im.source, "amdgpu.txt"));
	CU_ASSERT_EQUAL(GPOINTER_TO_UINT(g_hash_table_lookup(im.units, "us")), 28);
	vgs_import_fini(&im);

	vgs_import_init(&im, "ftrace");
	CU_ASSERT_EQUAL(vgs_import_ftrace(&im, FIX "i915.txt", &err), 0);
	CU_ASSERT_EQUAL(im.ops->len, 7);
	CU_ASSERT(g_hash_table_lookup(im.units, "ns") != NULL);
	vgs_import_fini(&im);
}

static void test_malformed(void)
{
	static const struct {
		const char *file;
		const char *msg; /* after "PATH:" */
	} cases[] = {
		{ "cs_no_seqno.txt", "3: amdgpu_cs_ioctl without 'seqno='" },
		{ "garbage.txt", "4: a trace-cmd report line 'COMM-PID [CPU] SECONDS.FRACTION: EVENT: FIELDS'" },
		{ "bad_timestamp.txt", "1: a trace-cmd report line" },
		{ "unknown_ring.txt", "1: a ring of a known engine class" },
		{ "i915_engine.txt", "3: i915_request_add: 'engine=CLASS:INSTANCE' with CLASS 0-4, found '9:0'" },
		{ "sched_no_entity.txt", "1: drm_sched_job without 'entity=' or a 'fence=CONTEXT:SEQNO'" },
		{ "seqno_value.txt", "1: dma_fence_signaled: 'seqno=' an unsigned integer, found 'x12'" },
		{ "vblank_no_crtc.txt", "1: drm_vblank_event without 'crtc='" },
		{ "missing.txt", " cannot open:" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct vgs_import im;
		struct vgs_error err = { "" };
		char *path = g_strconcat(FIX "bad/", cases[i].file, NULL);
		char *want = g_strconcat(path, ":", cases[i].msg, NULL);
		int rc;

		vgs_import_init(&im, "ftrace");
		rc = vgs_import_ftrace(&im, path, &err);
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT(strncmp(err.msg, want, strlen(want)) == 0);
		if (rc != -1 || strncmp(err.msg, want, strlen(want)) != 0)
			printf("\n  %s: rc %d, '%s'\n  expected '%s...'\n", cases[i].file, rc, err.msg, want);
		vgs_import_fini(&im);
		g_free(want);
		g_free(path);
	}
}

/* --- the SteamVR capture (SOURCE.txt) --- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_steamvr(void)
{
	struct vgs_import im;
	struct vgs_error err = { "" };
	struct vgs_ftrace_stats st;
	struct timespec t0, t1;
	uint64_t first = UINT64_MAX, last = 0, n4929 = 0, n105 = 0, nsdma = 0, ngfx = 0, frames = 0;
	int32_t gfx_stream = -1;
	GArray *exec;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	if (!g_file_test(STEAMVR, G_FILE_TEST_EXISTS)) {
		printf("skipped: ../shared/traces not found ");
		return;
	}
	vgs_import_init(&im, "ftrace");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CU_ASSERT_EQUAL_FATAL(vgs_import_ftrace_stats(&im, STEAMVR, &st, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	/* SOURCE.txt: 641 jobs matched submit -> run -> fence; gfx 639 from contexts 4929 (426) and
	 * 105 (213); sdma1 2 (kernel jobs: run + fence, no cs_ioctl); ~2.4 s; gfx exec p50 0.36 ms,
	 * p90 5.1 ms; vblanks 213 (crtc1) + 34 (crtc0). */
	CU_ASSERT_EQUAL(im.ops->len, 641);
	CU_ASSERT_EQUAL(st.jobs, 641);
	CU_ASSERT_EQUAL(st.vblanks, 247);
	CU_ASSERT(im.unit && strcmp(im.unit, "frame") == 0);
	exec = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	for (guint i = 0; i < im.ops->len; i++) {
		const struct vgs_op *op = op_at(&im, i);
		const char *name = ctx_name(&im, op->ctx);
		uint64_t t = op->submit_ns != NONE ? op->submit_ns : op->start_ns;

		CU_ASSERT(op->start_ns <= op->end_ns);
		CU_ASSERT(op->submit_ns == NONE || op->submit_ns <= op->start_ns);
		if (t < first)
			first = t;
		if (op->end_ns > last)
			last = op->end_ns;
		frames += (op->flags & B) != 0;
		if (op->cls == VGS_GFX) {
			uint64_t d = op->end_ns - op->start_ns;

			ngfx++;
			g_array_append_val(exec, d);
			if (gfx_stream < 0)
				gfx_stream = (int32_t)op->stream;
			CU_ASSERT_EQUAL(op->stream, (uint32_t)gfx_stream); /* one ring, shared */
			n4929 += strcmp(name, "RenderThread-4929") == 0;
			n105 += strcmp(name, "amdgpu_cs:0-105") == 0;
		} else {
			CU_ASSERT_EQUAL(op->cls, VGS_COPY);
			CU_ASSERT_EQUAL(op->submit_ns, NONE);
			nsdma += strcmp(name, "kernel-73") == 0;
		}
	}
	CU_ASSERT_EQUAL(ngfx, 639);
	CU_ASSERT_EQUAL(n4929, 426);
	CU_ASSERT_EQUAL(n105, 213);
	CU_ASSERT_EQUAL(nsdma, 2);
	CU_ASSERT_EQUAL(im.ctx_names->len, 3);
	/* gfx ops do not overlap on their ring */
	for (guint i = 1; i < im.ops->len; i++)
		if (op_at(&im, i)->stream == (uint32_t)gfx_stream)
			for (guint k = i; k-- > 0;)
				if (op_at(&im, k)->stream == (uint32_t)gfx_stream) {
					CU_ASSERT(op_at(&im, k)->end_ns <= op_at(&im, i)->start_ns);
					break;
				}
	CU_ASSERT(last - first > 2300000000ull && last - first < 2500000000ull);
	g_array_sort(exec, cmp_u64);
	uint64_t p50 = g_array_index(exec, uint64_t, exec->len / 2);
	uint64_t p90 = g_array_index(exec, uint64_t, exec->len * 9 / 10);

	CU_ASSERT(p50 >= 340000 && p50 <= 380000);
	CU_ASSERT(p90 >= 4900000 && p90 <= 5300000);
	CU_ASSERT(frames > 100);

	/* the core accepts it */
	out = open_memstream(&buf, &len);
	CU_ASSERT_EQUAL(vgs_import_write(&im, -1, out, &err), 0);
	fclose(out);
	CU_ASSERT(len > 0);
	free(buf);

	printf("\n  SteamVR: %u ops, span %.3f s, gfx exec p50 %.3f ms p90 %.3f ms, %" PRIu64 " frame marks, "
	       "reordered %" PRIu64 ", unmatched %" PRIu64 ", incomplete %" PRIu64 ", %" PRIu64
	       " events, import %.1f ms\n",
	       im.ops->len, (double)(last - first) / 1e9, (double)p50 / 1e6, (double)p90 / 1e6, frames,
	       st.reordered, st.unmatched, st.incomplete, st.events,
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	g_array_free(exec, TRUE);
	vgs_import_fini(&im);
}

static CU_TestInfo tests_ftrace[] = {
	{ "fixtures: amdgpu, drm_sched old/new, i915", test_fixtures },
	{ "gzip input", test_gzip },
	{ "vgs_import_ftrace / _ex", test_entry_points },
	{ "malformed input names FILE:LINE", test_malformed },
	{ "SteamVR capture matches SOURCE.txt", test_steamvr },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "import_ftrace", .pTests = tests_ftrace })
