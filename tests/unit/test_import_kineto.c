/*
 * hw-trace/kineto*.c: hand-written fixtures in tests/traces/kineto (current NVIDIA layout, legacy 2021
 * layout plain and gzip, roctracer layout) with their exact expected ops; malformed ones in
 * tests/traces/kineto/bad with the exact one-line error; and every real capture under
 * ../shared/traces/kineto (skipped when absent), checked against the figures of its SOURCE.txt.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>

#include "hw-trace/import.h"
#include "tests/unit/cunit_main.h"

#define FIX "tests/traces/kineto/"
#define BAD FIX "bad/"
#define SHARED "../shared/traces/kineto/"
#define NONE VGS_NO_TIME
#define B VGS_OP_UNIT_BEGIN
#define C VGS_OP_COLLECTIVE

struct exp_op {
	int cls, dir;
	uint32_t stream;
	uint64_t bytes, submit_ns, start_ns, end_ns;
	uint8_t flags;
};

struct fixture {
	const char *desc;
	const char *file;
	const char *ctx, *gpu, *unit, *source;
	const struct exp_op *ops;
	size_t nops;
};

static const struct exp_op good_ops[] = {
	{ VGS_COMPUTE, 0, 7, 0, 1001500, 1004250, 1014750, B },
	/* ts 1015.0004 rounds down, dur 3.0006 rounds up */
	{ VGS_COPY, VGS_DIR_H2D, 7, 4096, 1002123, 1015000, 1018001, 0 },
	{ VGS_COMPUTE, 0, 7, 0, 1003000, 1020000, 1021000, 0 },
	{ VGS_COMPUTE, 0, 40, 0, 1004000, 1010000, 1040000, C },
	{ VGS_COMPUTE, 0, 7, 0, 1051000, 1052000, 1056000, B },
	{ VGS_COPY, VGS_DIR_D2H, 7, 4, NONE, 1060000, 1062000, 0 },
	{ VGS_COPY, VGS_DIR_D2D, 7, 8, NONE, 1070000, 1071000, 0 },
	{ VGS_COPY, VGS_DIR_NONE, 7, 16, NONE, 1075000, 1076000, 0 },
};

#define LEG 1600000000000000000ull
static const struct exp_op legacy_ops[] = {
	{ VGS_COPY, VGS_DIR_H2D, 5, 1000000, LEG + 1100000, LEG + 1200000, LEG + 1500000, B },
	{ VGS_COMPUTE, 0, 5, 0, LEG + 1150000, LEG + 1600000, LEG + 1607000, 0 }, /* stream from tid */
	{ VGS_COMPUTE, 0, 5, 0, NONE, LEG + 1700000, LEG + 1701000, 0 },
};

static const struct exp_op amd_ops[] = {
	{ VGS_COMPUTE, 0, 0, 0, 500500, 510250, 513750, 0 },
	{ VGS_COMPUTE, 0, 1, 0, 520000, 530000, 550000, C }, /* args.queue; one graph launch ... */
	{ VGS_COMPUTE, 0, 0, 0, 520000, 531000, 536000, 0 }, /* ... for two kernels */
	{ VGS_COPY, VGS_DIR_D2D, 0, 1, NONE, 540000, 542404, 0 },
	{ VGS_COPY, VGS_DIR_H2D, 0, 2500, NONE, 545000, 555000, 0 }, /* direction from args.kind */
	{ VGS_COPY, VGS_DIR_D2H, 0, 256, NONE, 560000, 561000, 0 },  /* a copy the kernel cat carries */
};

static const struct fixture fixtures[] = {
	{ "current NVIDIA layout, plain JSON", FIX "good.json", "trainer", "Test GPU 1", "iteration",
	  "kineto: good.json", good_ops, G_N_ELEMENTS(good_ops) },
	{ "legacy 2021 layout, plain", FIX "good_legacy.json", "python", "Legacy GPU", "iteration",
	  "kineto: good_legacy.json", legacy_ops, G_N_ELEMENTS(legacy_ops) },
	{ "legacy 2021 layout, gzip", FIX "good_legacy.json.gz", "python", "Legacy GPU", "iteration",
	  "kineto: good_legacy.json.gz", legacy_ops, G_N_ELEMENTS(legacy_ops) },
	{ "roctracer layout, no steps", FIX "good_amd.json", "python3", "AMD Test VF", NULL,
	  "kineto: good_amd.json", amd_ops, G_N_ELEMENTS(amd_ops) },
};

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void test_fixtures(void)
{
	for (size_t f = 0; f < G_N_ELEMENTS(fixtures); f++) {
		const struct fixture *fx = &fixtures[f];
		struct vgs_import im;
		struct vgs_error err = { { 0 } };

		vgs_import_init(&im, "kineto");
		CU_ASSERT_EQUAL_FATAL(vgs_import_kineto(&im, fx->file, &err), 0);
		if (err.msg[0])
			printf("\n  %s: %s\n", fx->desc, err.msg);
		CU_ASSERT_EQUAL(im.ops->len, fx->nops);
		CU_ASSERT_EQUAL(im.ctx_names->len, 1);
		CU_ASSERT_STRING_EQUAL(im.ctx_names->pdata[0], fx->ctx);
		CU_ASSERT(str_eq(im.gpu, fx->gpu));
		CU_ASSERT(str_eq(im.unit, fx->unit));
		CU_ASSERT(str_eq(im.source, fx->source));
		CU_ASSERT_EQUAL(GPOINTER_TO_UINT(g_hash_table_lookup(im.units, "us")), fx->nops);
		for (guint i = 0; i < im.ops->len && i < fx->nops; i++) {
			const struct vgs_op *o = &g_array_index(im.ops, struct vgs_op, i);
			const struct exp_op *x = &fx->ops[i];
			bool ok = o->cls == x->cls && o->dir == x->dir && o->stream == x->stream &&
				  o->bytes == x->bytes && o->submit_ns == x->submit_ns &&
				  o->start_ns == x->start_ns && o->end_ns == x->end_ns && o->flags == x->flags &&
				  o->ctx == 0 && o->arrival_ns == NONE;

			if (!ok)
				printf("\n  %s op %u: cls %d dir %d stream %u bytes %" PRIu64 " submit %" PRIu64
				       " start %" PRIu64 " end %" PRIu64 " flags %u\n", fx->desc, i, o->cls,
				       o->dir, o->stream, o->bytes, o->submit_ns, o->start_ns, o->end_ns,
				       o->flags);
			CU_ASSERT(ok);
		}
		vgs_import_fini(&im);
	}
}

/* Errors: exactly one line, and nothing left in im. */
static const struct {
	const char *file, *msg;
} bad[] = {
	{ BAD "malformed.json", "byte 33: parse error: after key and value, inside map, I expect ',' or '}'" },
	{ BAD "no_dur.json", "byte 107: kernel event without 'dur'" },
	{ BAD "no_bytes.json", "byte 20: gpu_memcpy event without 'args.bytes'" },
	{ BAD "no_stream.json", "byte 20: Kernel event without 'args.stream'" },
	{ BAD "string_ts.json", "byte 20: gpu_memset event with a 'ts' that is not a number" },
	{ BAD "negative_dur.json", "byte 20: kernel event with a negative 'dur'" },
	{ BAD "events_not_array.json", "no traceEvents array (not a Kineto/Chrome trace?)" },
	{ BAD "top_array.json", "no traceEvents array (not a Kineto/Chrome trace?)" },
	{ BAD "cpu_only.json", "no GPU operations (no kernel, gpu_memcpy or gpu_memset events)" },
	{ BAD "unterminated.json", "byte 104: parse error: premature EOF" },
	{ BAD "trailing.json", "byte 21: parse error: trailing garbage" },
	{ BAD "empty.json", "empty file" },
	{ BAD "truncated.json.gz", "truncated gzip stream at byte 600" },
	{ BAD "does-not-exist.json", "cannot open: No such file or directory" },
};

static void test_errors(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		struct vgs_import im;
		struct vgs_error err = { { 0 } };
		char *want = g_strdup_printf("%s: %s", bad[i].file, bad[i].msg);

		vgs_import_init(&im, "kineto");
		CU_ASSERT_EQUAL(vgs_import_kineto(&im, bad[i].file, &err), -1);
		if (strcmp(err.msg, want) != 0)
			printf("\n  got  '%s'\n  want '%s'\n", err.msg, want);
		CU_ASSERT_STRING_EQUAL(err.msg, want);
		CU_ASSERT_PTR_NULL(strchr(err.msg, '\n'));
		CU_ASSERT_EQUAL(im.ops->len, 0);
		vgs_import_fini(&im);
		g_free(want);
	}
}

/* ---- real captures ---- */

#define MAXS 4
struct real {
	const char *file;
	const char *gpu;
	uint32_t ops;
	int copies;                /* memcpy count, -1 when SOURCE.txt does not give it */
	uint32_t collectives;
	uint32_t streams[MAXS];    /* the streams, all of them */
	int stream_ops[MAXS];      /* ops per stream, -1 when SOURCE.txt does not give it */
	double span_ms, busy_ms;   /* SOURCE.txt, with its precision as tolerance; busy = sum of durations */
	double tol_ms;
};

static const struct real reals[] = {
	{ "hta-a100-ddp-nccl/nccl_data.json.gz", "NVIDIA A100-PG509-200", 3774, 960, 21,
	  { 7, 40 }, { 3753, 21 }, 660.6, 165.2, 0.05 },
	{ "kineto-resnet50-v100/worker0.1623143089861.pt.trace.json.gz", "Tesla V100-DGXS-32GB", 9096, -1, 0,
	  { 7 }, { 9096 }, 996, 604, 0.5 },
	{ "kineto-resnet50-v100/worker0.1623212756351.pt.trace.json.gz", "Tesla V100-DGXS-32GB", 9258, -1, 0,
	  { 7 }, { 9258 }, 802, 614, 0.5 },
	{ "tracelens-h100-vs-mi300/h100/gaunernst_bert-small-uncased__1016001.json.gz", "NVIDIA H100 80GB HBM3",
	  61, -1, 0, { 7 }, { 61 }, 3.9, 0.3, 0.05 },
	{ "tracelens-h100-vs-mi300/h100/Falconsai_nsfw_image_detection__1016002.json.gz",
	  "NVIDIA H100 80GB HBM3", 156, -1, 0, { 7 }, { 156 }, 7.6, 1.2, 0.05 },
	{ "tracelens-h100-vs-mi300/h100/Qwen_Qwen1.5-0.5B-Chat__1016005.json.gz", "NVIDIA H100 80GB HBM3",
	  1707, -1, 0, { 7 }, { 1707 }, 49.7, 45.6, 0.05 },
	{ "tracelens-h100-vs-mi300/mi300/gaunernst_bert-small-uncased__1016001.json.gz", "AMD Instinct MI300X VF",
	  61, -1, 0, { 0 }, { 61 }, 3.5, 0.4, 0.05 },
	{ "tracelens-h100-vs-mi300/mi300/Falconsai_nsfw_image_detection__1016002.json.gz",
	  "AMD Instinct MI300X VF", 155, -1, 0, { 0 }, { 155 }, 6.9, 1.7, 0.05 },
	{ "tracelens-h100-vs-mi300/mi300/Qwen_Qwen1.5-0.5B-Chat__1016005.json.gz", "AMD Instinct MI300X VF",
	  1517, -1, 0, { 0 }, { 1517 }, 47.1, 43.1, 0.05 },
	{ "tracelens-sglang-mi300x/sglang_Qwen3-8B_decode.json.gz", "AMD Instinct MI300X", 558, -1, 0,
	  { 3, 2 }, { -1, -1 }, 473.7, 9.8, 0.05 },
	{ "tracelens-sglang-mi300x/sglang_Qwen3-8B_prefilldecode.json.gz", "AMD Instinct MI300X", 534, -1, 0,
	  { 3, 2 }, { -1, -1 }, 987.3, 492.8, 0.05 },
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_real(void)
{
	if (!g_file_test(SHARED, G_FILE_TEST_IS_DIR)) {
		printf("\n  skipped: ../shared/traces not found\n");
		return;
	}
	printf("\n");
	for (size_t r = 0; r < G_N_ELEMENTS(reals); r++) {
		const struct real *x = &reals[r];
		char *path = g_strconcat(SHARED, x->file, NULL);
		struct vgs_import im;
		struct vgs_error err = { { 0 } };
		uint64_t first = UINT64_MAX, last = 0, bad_order = 0, late_submit = 0, no_submit = 0, busy = 0;
		uint32_t copies = 0, coll = 0, steps = 0, per_stream[MAXS] = { 0 }, other_stream = 0;
		double t0, dt;
		int rc;

		vgs_import_init(&im, "kineto");
		t0 = now_s();
		rc = vgs_import_kineto(&im, path, &err);
		dt = now_s() - t0;
		if (rc)
			printf("  %s: %s\n", x->file, err.msg);
		CU_ASSERT_EQUAL(rc, 0);
		if (rc) {
			vgs_import_fini(&im);
			g_free(path);
			continue;
		}
		for (guint i = 0; i < im.ops->len; i++) {
			const struct vgs_op *o = &g_array_index(im.ops, struct vgs_op, i);
			int s;

			bad_order += o->start_ns > o->end_ns;
			if (o->submit_ns == NONE)
				no_submit++;
			else
				late_submit += o->submit_ns > o->start_ns;
			first = MIN(first, o->start_ns);
			last = MAX(last, o->end_ns);
			busy += o->end_ns - o->start_ns;
			copies += o->cls == VGS_COPY;
			coll += !!(o->flags & VGS_OP_COLLECTIVE);
			steps += !!(o->flags & VGS_OP_UNIT_BEGIN);
			for (s = 0; s < MAXS && x->stream_ops[s]; s++)
				if (o->stream == x->streams[s])
					break;
			if (s < MAXS && x->stream_ops[s])
				per_stream[s]++;
			else
				other_stream++;
			/* collectives run on their own stream in the A100 capture */
			if (o->flags & VGS_OP_COLLECTIVE) {
				CU_ASSERT_EQUAL(o->stream, 40);
			}
		}
		double span_ms = (last - first) / 1e6, busy_ms = busy / 1e6;

		printf("  %-78s %5u ops (%u copies, %u collectives, %u steps) span %.1f ms busy %.1f ms; "
		       "submit>start %" PRIu64 ", no submit %" PRIu64 "; %.3f s, %.0f ops/s\n",
		       x->file, im.ops->len, copies, coll, steps, span_ms, busy_ms, late_submit, no_submit,
		       dt, im.ops->len / (dt > 0 ? dt : 1e-9));
		CU_ASSERT_EQUAL(im.ops->len, x->ops);
		if (x->copies >= 0) {
			CU_ASSERT_EQUAL(copies, (uint32_t)x->copies);
		}
		CU_ASSERT_EQUAL(coll, x->collectives);
		CU_ASSERT_EQUAL(other_stream, 0);
		for (int s = 0; s < MAXS; s++) {
			if (x->stream_ops[s] > 0) {
				CU_ASSERT_EQUAL(per_stream[s], (uint32_t)x->stream_ops[s]);
			} else if (x->stream_ops[s] < 0) {
				CU_ASSERT(per_stream[s] > 0);
			}
		}
		CU_ASSERT_EQUAL(bad_order, 0);
		CU_ASSERT(span_ms > x->span_ms - x->tol_ms && span_ms < x->span_ms + x->tol_ms);
		CU_ASSERT(busy_ms > x->busy_ms - x->tol_ms && busy_ms < x->busy_ms + x->tol_ms);
		CU_ASSERT(str_eq(im.gpu, x->gpu));
		CU_ASSERT_EQUAL(im.ctx_names->len, 1);
		CU_ASSERT(str_eq(im.unit, steps ? "iteration" : NULL));
		vgs_import_fini(&im);
		g_free(path);
	}
}

/* A100: the figures of SOURCE.txt by event category. */
static void test_a100_categories(void)
{
	const char *path = SHARED "hta-a100-ddp-nccl/nccl_data.json.gz";
	struct vgs_import im;
	struct vgs_error err = { { 0 } };
	uint32_t copy = 0, compute = 0, d2d = 0;

	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		printf("\n  skipped: ../shared/traces not found\n");
		return;
	}
	vgs_import_init(&im, "kineto");
	CU_ASSERT_EQUAL_FATAL(vgs_import_kineto(&im, path, &err), 0);
	for (guint i = 0; i < im.ops->len; i++) {
		const struct vgs_op *o = &g_array_index(im.ops, struct vgs_op, i);

		compute += o->cls == VGS_COMPUTE;
		copy += o->cls == VGS_COPY;
		d2d += o->cls == VGS_COPY && o->dir == VGS_DIR_D2D && o->bytes > 0;
	}
	/* 2,700 kernels + 114 memsets run on the compute class; the 960 memcpys are all DtoD */
	CU_ASSERT_EQUAL(compute, 2700 + 114);
	CU_ASSERT_EQUAL(copy, 960);
	CU_ASSERT_EQUAL(d2d, 960);
	CU_ASSERT_STRING_EQUAL(im.ctx_names->pdata[0], "python3.10");
	CU_ASSERT_STRING_EQUAL(im.unit, "iteration");
	vgs_import_fini(&im);
}

/* The native trace vgs_import_write makes of a capture, as text. */
static char *written(struct vgs_import *im)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct vgs_error err = { { 0 } };

	CU_ASSERT_EQUAL(vgs_import_write(im, -1 + (int)(im->ctx_names->len == 1), f, &err), 0);
	fclose(f);
	return buf;
}

/*
 * [memory] events (good_mem.json): the 1 MiB allocated before the capture (Total Allocated - Bytes of
 * the first event) is allocation 0; the two allocations before k0's launch are its own; a free of
 * memory the capture never saw allocated, CPU memory (Device Type 0) and another device's memory are
 * left out; events after the last kernel go before it, after its touches.  k1's launch is recorded:
 * its gap counts from k0's submission (anchor=prev), k0 a barrier.
 */
static void test_memory_events(void)
{
	static const char expect[] =
		"seq\tclass\tstream\twork_ns\tbytes\tdir\tdeps\tgap_ns\tunit\tflags\tstart_ns\tend_ns\n"
		"m alloc 0 1048576\nm alloc 1 4096\nm alloc 2 4096\nm touch 0\nm touch 1\nm touch 2\n"
		"0\tcompute\t7\t5000\t0\t-\t-\t1000\t0\tB\t1000\t6000\tkc=other\n"
		"m free 2\nm alloc 3 12288\nm free 1\n"
		"1\tcompute\t7\t5000\t0\t-\t0\t9000\t0\tE\t10000\t15000\tanchor=prev\tkc=other\n";
	struct vgs_import im;
	struct vgs_error err = { { 0 } };
	char *text;

	vgs_import_init(&im, "kineto");
	CU_ASSERT_EQUAL_FATAL(vgs_import_kineto(&im, FIX "good_mem.json", &err), 0);
	CU_ASSERT_EQUAL(im.mem->len, 6); /* 8 [memory] events: one of the CPU, one of device 1 */
	text = written(&im);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	if (!strstr(text, expect))
		printf("\n  got:\n%s\n", text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, expect));
	free(text);
	vgs_import_fini(&im);
}

/* The H100 ViT capture: 286 allocations and frees, 214,877,184 bytes allocated before it. */
static void test_memory_real(void)
{
	const char *path = SHARED "tracelens-h100-vs-mi300/h100/Falconsai_nsfw_image_detection__1016002.json.gz";
	struct vgs_import im;
	struct vgs_error err = { { 0 } };
	char *text, *p;
	unsigned allocs = 0, frees = 0;

	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		printf("\n  skipped: ../shared/traces not found\n");
		return;
	}
	vgs_import_init(&im, "kineto");
	CU_ASSERT_EQUAL_FATAL(vgs_import_kineto(&im, path, &err), 0);
	CU_ASSERT_EQUAL(im.mem->len, 572);
	text = written(&im);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nm alloc 0 214877184\n"));
	for (p = text; (p = strstr(p, "\nm ")); p++) {
		allocs += strncmp(p, "\nm alloc ", 9) == 0;
		frees += strncmp(p, "\nm free ", 8) == 0;
	}
	CU_ASSERT_EQUAL(allocs, 1 + 286);
	CU_ASSERT_EQUAL(frees, 286);
	free(text);
	vgs_import_fini(&im);

	/* The same model on MI300X: HIP device type, roctracer device 2 vs. PyTorch device 0. */
	vgs_import_init(&im, "kineto");
	CU_ASSERT_EQUAL_FATAL(vgs_import_kineto(&im, SHARED "tracelens-h100-vs-mi300/mi300/"
						"Falconsai_nsfw_image_detection__1016002.json.gz", &err), 0);
	CU_ASSERT_EQUAL(im.mem->len, 620);
	text = written(&im);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nm alloc 0 181322752\n"));
	free(text);
	vgs_import_fini(&im);
}

/*
 * Kernel figures and host waits: copy_overlap.json's softmax kernel (grid 512, block 128, 40
 * registers, no shared memory, 88 % occupancy) and its one cudaStreamSynchronize (1014 .. 1029 us);
 * good.json's gemm has a grid of 1x2x3 blocks of 4 threads and no figures besides.
 */
static void test_kernel_figures_and_waits(void)
{
	struct vgs_import im;
	struct vgs_error err = { { 0 } };
	const struct vgs_op *k = NULL;

	vgs_import_init(&im, "kineto");
	CU_ASSERT_EQUAL_FATAL(vgs_import_kineto(&im, FIX "copy_overlap.json", &err), 0);
	for (guint i = 0; i < im.ops->len && !k; i++)
		if (g_array_index(im.ops, struct vgs_op, i).start_ns == 1005000)
			k = &g_array_index(im.ops, struct vgs_op, i);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(k->attr.have, VGS_ATTR_SM | VGS_ATTR_THREADS | VGS_ATTR_REGS | VGS_ATTR_SMEM | VGS_ATTR_OCCUPANCY |
				      VGS_ATTR_KC);
	CU_ASSERT_EQUAL(k->attr.kc, VGS_KC_NORM); /* softmax_warp_forward */
	CU_ASSERT(k->attr.sm == 512 && k->attr.threads == 128 && k->attr.regs == 40 && k->attr.smem == 0 &&
		  k->attr.occupancy == 88);
	CU_ASSERT_EQUAL_FATAL(im.waits->len, 1);
	CU_ASSERT_EQUAL(g_array_index(im.waits, struct vgs_host_wait, 0).start_ns, 1014000);
	CU_ASSERT_EQUAL(g_array_index(im.waits, struct vgs_host_wait, 0).end_ns, 1029000);
	/* memcpys carry no kernel figures, only their class by direction */
	for (guint i = 0; i < im.ops->len; i++) {
		const struct vgs_op *op = &g_array_index(im.ops, struct vgs_op, i);

		if (op->cls != VGS_COPY)
			continue;
		CU_ASSERT_EQUAL(op->attr.have, VGS_ATTR_KC);
		CU_ASSERT_EQUAL(op->attr.kc, op->dir == VGS_DIR_H2D ? VGS_KC_H2D : VGS_KC_D2H);
	}
	vgs_import_fini(&im);

	vgs_import_init(&im, "kineto");
	CU_ASSERT_EQUAL_FATAL(vgs_import_kineto(&im, FIX "good.json", &err), 0);
	k = &g_array_index(im.ops, struct vgs_op, 0);
	CU_ASSERT_EQUAL(k->attr.have, VGS_ATTR_SM | VGS_ATTR_THREADS | VGS_ATTR_KC);
	CU_ASSERT(k->attr.sm == 6 && k->attr.threads == 4);
	CU_ASSERT_EQUAL(im.waits->len, 0);
	vgs_import_fini(&im);
}

static CU_TestInfo tests_fixtures[] = {
	{ "kernel figures and host waits", test_kernel_figures_and_waits },
	{ "[memory] events become memory lines", test_memory_events },
	{ "fixtures: exact ops (NVIDIA, legacy plain+gzip, AMD)", test_fixtures },
	{ "malformed files: one-line errors", test_errors },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_real[] = {
	{ "../shared/traces/kineto: figures of SOURCE.txt", test_real },
	{ "A100 DDP: categories", test_a100_categories },
	{ "H100 ViT: [memory] events (baseline, allocations, frees)", test_memory_real },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "kineto fixtures", .pTests = tests_fixtures },
	       { .pName = "kineto real captures", .pTests = tests_real })
