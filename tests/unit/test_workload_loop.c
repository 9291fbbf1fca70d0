/*
 * The closed-loop generators (models/workload/gen_game.c cadences vsync and uncapped, gen_infer.c's
 * batching server, gen_train.c's host step): what each asks of the host (VGS_WL_WAIT), when frames are
 * presented (CPU time, refresh ticks, the frame-rate limiter, the vGPU switching it off), the
 * device-side wait of the encode, command buffers, batches and their units, and config errors.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <libconfig.h>

#include "models/workload/workload.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/wl_spec.h"

#define MS 1000000ull

/* A stream of the workload `text` (which must parse), seeded with `seed`; *spec to free after it. */
static struct vgs_workload *stream(const char *text, uint64_t seed, struct vgs_workload_spec **spec)
{
	*spec = must_spec(text);
	return vgs_workload_new(*spec, seed);
}

/*
 * Uncapped, two frames in flight, no limiter: frames 0 and 1 are presented cpu_ms after the host is
 * free; frame 2 first waits for frame 0's gfx, and is presented cpu_ms after that wait ended.  The
 * venc waits for its gfx on the device; the gfx work is split into gfx_commands buffers.
 */
static void test_uncapped(void)
{
	struct vgs_workload_spec *spec = must_spec("workload = { type = \"game\"; cadence = \"uncapped\"; cpu_ms = 3.0; "
					      "gfx_ms = 8.0; gfx_commands = 3; frames_in_flight = 2; frl_fps = 0; };");
	struct vgs_workload *w = vgs_workload_new(spec, 1);
	struct vgs_cmd c;
	uint64_t now = 0, gfx0 = 0;

	for (int f = 0; f < 2; f++) {
		uint64_t work = 0, first = 0;

		for (int k = 0; k < 3; k++) {
			CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, now, &c), VGS_WL_CMD);
			CU_ASSERT_EQUAL(c.cls, VGS_GFX);
			CU_ASSERT_EQUAL(c.unit, (uint64_t)f);
			CU_ASSERT_EQUAL(c.flags, k == 0 ? VGS_CMD_UNIT_BEGIN : 0);
			if (k == 0) {
				CU_ASSERT_EQUAL(c.arrival_ns, now + 3 * MS);
				CU_ASSERT_EQUAL(c.deadline_ns, c.arrival_ns + 16666667);
				first = c.seq;
				now = c.arrival_ns; /* submitted at its present */
			}
			work += c.work_ns;
		}
		CU_ASSERT_EQUAL(work, 8 * MS);
		if (f == 0)
			gfx0 = c.seq; /* the frame's last command buffer */
		CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, now, &c), VGS_WL_CMD);
		CU_ASSERT_EQUAL(c.cls, VGS_VENC);
		CU_ASSERT_EQUAL(c.flags, VGS_CMD_DEVICE_DEPS | VGS_CMD_UNIT_END);
		CU_ASSERT(c.ndeps == 1 && c.deps[0] == first + 2);
	}
	CU_ASSERT_EQUAL(vgs_workload_next(w, now, &c), VGS_WL_WAIT);
	CU_ASSERT_EQUAL(c.deps[0], gfx0);
	/* asked again when frame 0's gfx completed, at 30 ms */
	CU_ASSERT_EQUAL(vgs_workload_next(w, 30 * MS, &c), VGS_WL_CMD);
	CU_ASSERT_EQUAL(c.arrival_ns, 33 * MS);
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);
}

/* Presents: on the refresh ticks with vsync (phase 0 when aligned); 1 / frl_fps apart at least. */
static void test_vsync_and_limiter(void)
{
	struct vgs_workload_spec *vs = must_spec("workload = { type = \"game\"; cadence = \"vsync\"; refresh_hz = 100; "
					    "cpu_ms = 12.0; start = \"aligned\"; encode = false; frames_in_flight = 8; "
					    "frl_fps = 0; };");
	struct vgs_workload_spec *fl = must_spec("workload = { type = \"game\"; cadence = \"uncapped\"; cpu_ms = 1.0; "
					    "encode = false; frames_in_flight = 8; frl_fps = 50; };");
	struct vgs_workload *w = vgs_workload_new(vs, 1);
	struct vgs_cmd c;
	uint64_t now = 0;

	for (int f = 0; f < 4; f++) { /* 12 ms of CPU: the present waits for the 20 ms tick */
		CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, now, &c), VGS_WL_CMD);
		CU_ASSERT_EQUAL(c.arrival_ns, (uint64_t)(f + 1) * 20 * MS);
		now = c.arrival_ns;
	}
	vgs_workload_free(w);
	w = vgs_workload_new(fl, 1);
	now = 0;
	for (int f = 0; f < 4; f++) { /* 1 ms of CPU, but presents 20 ms apart */
		CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, now, &c), VGS_WL_CMD);
		CU_ASSERT_EQUAL(c.arrival_ns, 1 * MS + (uint64_t)f * 20 * MS);
		now = c.arrival_ns;
	}
	vgs_workload_free(w);
	vgs_workload_spec_free(vs);
	vgs_workload_spec_free(fl);
}

/*
 * The vGPU's limiter (struct vgs_wl_vgpu): its default replaces an absent frl_fps; the equal- and
 * fixed-share schedulers switch it off, a frl_fps in the workload included; fixed cadence ignores it.
 */
static void test_vgpu_limiter(void)
{
	static const struct {
		const char *desc, *text;
		struct vgs_wl_vgpu v;
		uint64_t gap_ns; /* between the first two presents; 1 ms of CPU */
	} cases[] = {
		{ "Q default 60", "", { true, 60 }, 16666667 },
		{ "B default 45", "", { true, 45 }, 22222222 },
		{ "workload's 100 wins", "frl_fps = 100;", { true, 45 }, 10 * MS },
		{ "0 in the workload: none", "frl_fps = 0;", { true, 60 }, 1 * MS },
		{ "equal share: off", "frl_fps = 100;", { false, 60 }, 1 * MS },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = g_strdup_printf("workload = { type = \"game\"; cadence = \"uncapped\"; cpu_ms = 1.0; "
					     "encode = false; frames_in_flight = 8; %s };", cases[i].text);
		struct vgs_workload_spec *spec = must_spec(text);
		struct vgs_workload *w;
		struct vgs_cmd a, b;

		vgs_workload_spec_vgpu(spec, &cases[i].v);
		w = vgs_workload_new(spec, 1);
		CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, 0, &a), VGS_WL_CMD);
		CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, a.arrival_ns, &b), VGS_WL_CMD);
		if (b.arrival_ns - a.arrival_ns != cases[i].gap_ns)
			fprintf(stderr, "\n%s: %llu ns\n", cases[i].desc, (unsigned long long)(b.arrival_ns - a.arrival_ns));
		CU_ASSERT_EQUAL(b.arrival_ns - a.arrival_ns, cases[i].gap_ns);
		vgs_workload_free(w);
		vgs_workload_spec_free(spec);
		g_free(text);
	}
}

/* text is refused with a message holding `want`. */
static void refused(const char *text, const char *want)
{
	struct vgs_error err = { { 0 } };

	CU_ASSERT_PTR_NULL(spec_from(text, &err));
	if (!strstr(err.msg, want))
		fprintf(stderr, "\n'%s' lacks '%s'\n", err.msg, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
}

static void test_errors(void)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "workload = { type = \"game\"; cpu_ms = 2.0; };", "'cpu_ms': applies to cadence \"vsync\" or \"uncapped\"" },
		{ "workload = { type = \"game\"; frl_fps = 60; };", "'frl_fps': applies to cadence" },
		{ "workload = { type = \"game\"; cadence = \"vsync\"; encode_gap_us = 5.0; };",
		  "'encode_gap_us': applies to cadence \"fixed\"" },
		{ "workload = { type = \"game\"; cadence = \"sometimes\"; };",
		  "'cadence': expected \"fixed\", \"vsync\" or \"uncapped\"" },
		{ "workload = { type = \"game\"; cadence = \"vsync\"; refresh_hz = 0; };", "'refresh_hz': expected a number in (0" },
		{ "workload = { type = \"infer\"; max_batch = 0; };", "'max_batch': expected an integer in [1, 1024]" },
		{ "workload = { type = \"infer\"; batch_fixed = 1.5; };", "'batch_fixed': expected a number in [0, 1]" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		refused(cases[i].text, cases[i].want);
}

/*
 * A batching server: requests arrive faster than it serves them; asked when free, it takes the queued
 * ones (at most max_batch): an h2d copy per request opening its unit at its own arrival, the kernels
 * scaled by batch_fixed + (1 - batch_fixed) b, a d2h copy per request closing it, then a wait.
 */
static void test_infer_batches(void)
{
	struct vgs_workload_spec *spec;
	struct vgs_workload *w = stream("workload = { type = \"infer\"; rate = 10000; kernels = 2; kernel_us = 100.0; "
					"launch_gap_us = 0.0; max_batch = 4; batch_fixed = 0.5; memory = false; };", 7, &spec);
	struct vgs_cmd c;
	uint64_t units = 0, arrivals[8], last = 0;
	int begins = 0;

	/* at 100 ms every one of the first requests has arrived: a full batch of 4; each command is
	 * (class, direction, flags) of this table, the per-request ones with their unit */
	static const struct { uint8_t cls, dir, flags; } batch[] = {
		{ VGS_COPY, VGS_DIR_H2D, VGS_CMD_UNIT_BEGIN }, { VGS_COPY, VGS_DIR_H2D, VGS_CMD_UNIT_BEGIN },
		{ VGS_COPY, VGS_DIR_H2D, VGS_CMD_UNIT_BEGIN }, { VGS_COPY, VGS_DIR_H2D, VGS_CMD_UNIT_BEGIN },
		{ VGS_COMPUTE, VGS_DIR_NONE, 0 },              { VGS_COMPUTE, VGS_DIR_NONE, 0 },
		{ VGS_COPY, VGS_DIR_D2H, VGS_CMD_UNIT_END },   { VGS_COPY, VGS_DIR_D2H, VGS_CMD_UNIT_END },
		{ VGS_COPY, VGS_DIR_D2H, VGS_CMD_UNIT_END },   { VGS_COPY, VGS_DIR_D2H, VGS_CMD_UNIT_END },
	};
	for (size_t k = 0; k < sizeof(batch) / sizeof(batch[0]); k++) {
		CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, 100 * MS, &c), VGS_WL_CMD);
		CU_ASSERT(c.cls == batch[k].cls && c.dir == batch[k].dir && c.flags == batch[k].flags);
		if (c.flags == VGS_CMD_UNIT_BEGIN) {
			CU_ASSERT_EQUAL(c.unit, (uint64_t)begins);
			arrivals[begins++] = c.arrival_ns;
			CU_ASSERT(c.arrival_ns < 100 * MS && (k == 0 || c.arrival_ns > arrivals[k - 1]));
		} else if (c.flags == VGS_CMD_UNIT_END) {
			CU_ASSERT_EQUAL(c.unit, units);
			units++;
			last = c.seq;
		} else {
			CU_ASSERT_EQUAL(c.work_ns, 250000); /* 100 us x (0.5 + 0.5 x 4) */
		}
	}
	CU_ASSERT_EQUAL(vgs_workload_next(w, 100 * MS, &c), VGS_WL_WAIT);
	CU_ASSERT_EQUAL(c.deps[0], last);
	CU_ASSERT_EQUAL(vgs_workload_next(w, 101 * MS, &c), VGS_WL_CMD);
	CU_ASSERT_EQUAL(c.unit, units); /* the next batch opens request 4 */
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);
}

/* train's host step: cpu_ms adds to the gap before each iteration after the first. */
static void test_train_cpu(void)
{
	struct vgs_workload_spec *spec;
	struct vgs_workload *w = stream("workload = { type = \"train\"; kernels = 2; allreduce_count = 0; kernel_us = 10.0; "
					"launch_gap_us = 0.0; iter_gap_us = 100.0; cpu_ms = 2.0; memory = false; };", 1, &spec);
	struct vgs_cmd c;

	for (int k = 0; k < 2; k++)
		CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, 0, &c), VGS_WL_CMD);
	CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, 0, &c), VGS_WL_CMD);
	CU_ASSERT(c.flags & VGS_CMD_UNIT_BEGIN);
	CU_ASSERT_EQUAL(c.gap_ns, 100000 + 2 * MS);
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);
}

static CU_TestInfo loop_tests[] = {
	{ "uncapped: CPU, swap-chain wait, device-side encode, command buffers", test_uncapped },
	{ "vsync ticks and the frame-rate limiter", test_vsync_and_limiter },
	{ "the vGPU's limiter: defaults, the workload's, off under equal share", test_vgpu_limiter },
	{ "config errors of the new keys", test_errors },
	{ "infer: batches of queued requests, one unit each", test_infer_batches },
	{ "train: cpu_ms host step between iterations", test_train_cpu },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "closed loop", .pTests = loop_tests })
