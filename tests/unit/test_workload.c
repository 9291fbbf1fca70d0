/*
 * models/workload/workload.c, gen_*.c, trace.c, trace_load.c, dist.c: structure of each generator's
 * units, arrivals and deadlines, skipped frame ticks, determinism, the native trace loader (good
 * fixtures replay and loop with offsets; each malformed fixture fails naming its exact FILE:LINE)
 * and config errors.
 * Run from the repository root (fixtures are read from tests/traces/).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include "models/workload/dist.h"
#include "models/workload/trace.h"
#include "models/workload/workload.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/wl_spec.h"

/* ---------------------------------------------------------------------------------------------- */

static void test_game_structure(void)
{
	struct vgs_workload_spec *spec =
		must_spec("workload = { type = \"game\"; fps = 50; copy_bytes = 1000; units = 3; start = \"aligned\"; };");
	struct vgs_workload *w = vgs_workload_new(spec, 1);
	struct vgs_cmd c;
	const uint64_t period = 20000000;

	CU_ASSERT_STRING_EQUAL(vgs_workload_unit_name(spec), "frame");
	CU_ASSERT(vgs_workload_latency_sensitive(spec));
	CU_ASSERT_EQUAL(vgs_workload_class_mask(spec), (1u << VGS_GFX) | (1u << VGS_VENC) | (1u << VGS_COPY));
	CU_ASSERT_STRING_EQUAL(vgs_workload_where(spec), "<config>:1");
	for (uint64_t f = 0; f < 3; f++) {
		CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, f * period, &c), 1);
		CU_ASSERT_EQUAL(c.seq, 3 * f);
		CU_ASSERT_EQUAL(c.cls, VGS_GFX);
		CU_ASSERT_EQUAL(c.stream, 0);
		CU_ASSERT_EQUAL(c.flags, VGS_CMD_UNIT_BEGIN);
		CU_ASSERT_EQUAL(c.unit, f);
		CU_ASSERT_EQUAL(c.arrival_ns, f * period);
		CU_ASSERT_EQUAL(c.deadline_ns, f * period + period);
		CU_ASSERT(c.work_ns > 0);
		if (f == 0) {
			CU_ASSERT_EQUAL(c.ndeps, 0);
		} else {
			CU_ASSERT(c.ndeps == 1 && has_dep(&c, 3 * f - 1)); /* previous frame's copy */
		}

		CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, f * period, &c), 1);
		CU_ASSERT_EQUAL(c.cls, VGS_VENC);
		CU_ASSERT_EQUAL(c.stream, 1);
		CU_ASSERT(c.ndeps == 1 && has_dep(&c, 3 * f));
		CU_ASSERT_EQUAL(c.flags, 0);
		CU_ASSERT_EQUAL(c.arrival_ns, VGS_NO_TIME);
		CU_ASSERT(c.work_ns == 1152000); /* default venc_ms 1.152 constant */

		CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, f * period, &c), 1);
		CU_ASSERT_EQUAL(c.cls, VGS_COPY);
		CU_ASSERT_EQUAL(c.dir, VGS_DIR_D2H);
		CU_ASSERT_EQUAL(c.bytes, 1000);
		CU_ASSERT(c.ndeps == 1 && has_dep(&c, 3 * f + 1));
		CU_ASSERT_EQUAL(c.flags, VGS_CMD_UNIT_END);
		CU_ASSERT_EQUAL(c.unit, f);
	}
	CU_ASSERT_EQUAL(vgs_workload_next(w, 3 * period, &c), 0);
	CU_ASSERT_EQUAL(vgs_workload_dropped_units(w), 0);
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);
}

static void test_game_no_encode(void)
{
	struct vgs_workload_spec *spec = must_spec("workload = { type = \"game\"; encode = false; start = \"aligned\"; };");
	struct vgs_workload *w = vgs_workload_new(spec, 1);
	struct vgs_cmd c;

	CU_ASSERT_EQUAL(vgs_workload_class_mask(spec), 1u << VGS_GFX);
	vgs_workload_next(w, 0, &c);
	CU_ASSERT_EQUAL(c.flags, VGS_CMD_UNIT_BEGIN | VGS_CMD_UNIT_END);
	vgs_workload_next(w, 0, &c);
	CU_ASSERT_EQUAL(c.cls, VGS_GFX);
	CU_ASSERT_EQUAL(c.arrival_ns, 16666667);
	CU_ASSERT(has_dep(&c, 0));
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);
}

static void test_game_skips_missed_ticks(void)
{
	struct vgs_workload_spec *spec = must_spec("workload = { type = \"game\"; fps = 100; start = \"aligned\"; };");
	struct vgs_workload *w = vgs_workload_new(spec, 5);
	struct vgs_cmd c;
	static const struct { uint64_t now_ms, arrival_ms, dropped; } steps[] = {
		{ 0, 0, 0 },   /* tick 0 */
		{ 20, 10, 0 }, /* tick 1 is late by exactly one period: still taken */
		{ 45, 40, 2 }, /* ticks 2, 3 missed: 45 > 20 + 10 and > 30 + 10 */
		{ 46, 50, 2 }, /* early: next tick */
		{ 95, 90, 5 }, /* 60, 70, 80 skipped */
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		vgs_workload_next(w, steps[i].now_ms * 1000000, &c); /* gfx */
		CU_ASSERT_EQUAL(c.cls, VGS_GFX);
		CU_ASSERT_EQUAL(c.arrival_ns, steps[i].arrival_ms * 1000000);
		CU_ASSERT_EQUAL(c.unit, i); /* unit indexes stay consecutive */
		CU_ASSERT_EQUAL(vgs_workload_dropped_units(w), steps[i].dropped);
		vgs_workload_next(w, steps[i].now_ms * 1000000, &c); /* venc */
	}
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);
}

/* By default each session's tick 0 falls at a seed-dependent phase in [0, period), then every period. */
static void test_game_random_phase(void)
{
	struct vgs_workload_spec *spec = must_spec("workload = { type = \"game\"; fps = 100; encode = false; };");
	uint64_t phase[8];
	int distinct = 0;

	for (int seed = 0; seed < 8; seed++) {
		struct vgs_workload *w = vgs_workload_new(spec, (uint64_t)seed + 1);
		struct vgs_cmd c;

		vgs_workload_next(w, 0, &c);
		phase[seed] = c.arrival_ns;
		CU_ASSERT(phase[seed] < 10000000);
		for (int k = 1; k < 5; k++) {
			vgs_workload_next(w, 0, &c);
			CU_ASSERT_EQUAL(c.arrival_ns, phase[seed] + (uint64_t)k * 10000000);
		}
		for (int j = 0; j < seed; j++)
			if (phase[j] == phase[seed])
				goto same;
		distinct++;
same:
		vgs_workload_free(w);
	}
	CU_ASSERT(distinct >= 7);
	vgs_workload_spec_free(spec);
}

static void same_stream(const char *text, int n)
{
	struct vgs_workload_spec *spec = must_spec(text);
	struct vgs_workload *a = vgs_workload_new(spec, 77), *b = vgs_workload_new(spec, 77);
	struct vgs_workload *c = vgs_workload_new(spec, 78);
	struct vgs_cmd ca, cb, cc;
	int differ = 0;

	for (int i = 0; i < n; i++) {
		CU_ASSERT_EQUAL_FATAL(vgs_workload_next(a, 0, &ca), 1);
		CU_ASSERT_EQUAL_FATAL(vgs_workload_next(b, 0, &cb), 1);
		CU_ASSERT_EQUAL_FATAL(vgs_workload_next(c, 0, &cc), 1);
		CU_ASSERT(memcmp(&ca, &cb, sizeof(ca)) == 0);
		differ += ca.work_ns != cc.work_ns || ca.arrival_ns != cc.arrival_ns;
	}
	CU_ASSERT(differ > n / 4);
	vgs_workload_free(a);
	vgs_workload_free(b);
	vgs_workload_free(c);
	vgs_workload_spec_free(spec);
}

static void test_determinism(void)
{
	same_stream("workload = { type = \"game\"; venc_ms = { dist = \"normal\"; mean = 1.0; cv = 0.1; }; };", 3000);
	same_stream("workload = { type = \"train\"; kernels = 50; };", 3000);
	same_stream("workload = { type = \"infer\"; };", 3000);
	same_stream("workload = { trace = \"tests/traces/frames.vgt\"; arrival = \"poisson\"; rate = 100.0; };",
		    3000);
}

static void test_game_default_gfx_mean(void)
{
	struct vgs_workload_spec *spec = must_spec("workload = { type = \"game\"; encode = false; };");
	struct vgs_workload *w = vgs_workload_new(spec, 3);
	struct vgs_cmd c;
	double s = 0, s2 = 0;
	const int n = 50000;

	for (int i = 0; i < n; i++) {
		vgs_workload_next(w, 0, &c);
		s += (double)c.work_ns;
		s2 += (double)c.work_ns * (double)c.work_ns;
	}
	double mean = s / n, cv = sqrt(s2 / n - mean * mean) / mean;

	CU_ASSERT(fabs(mean / 0.912e6 - 1) < 0.01);
	CU_ASSERT(fabs(cv - 0.193) < 0.01);
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);
}

/* ---------------------------------------------------------------------------------------------- */

static void test_train_structure(void)
{
	struct vgs_workload_spec *spec = must_spec(
		"workload = { type = \"train\"; kernels = 10; allreduce_count = 2; input_bytes = 4096;\n"
		"  iter_gap_us = 500; launch_gap_us = 20; units = 2; };");
	struct vgs_workload *w = vgs_workload_new(spec, 9);
	struct vgs_cmd c;
	/* p_j = floor((n-2)(c+2j)/(3c)) = 2, 5: A0 after K2, A1 after K5, K6 waits for A1. */
	static const struct { uint8_t cls, dir, stream, flags; int dep; } it[] = {
		{ VGS_COPY, VGS_DIR_H2D, 0, VGS_CMD_UNIT_BEGIN, -2 },
		{ VGS_COMPUTE, 0, 0, 0, -1 }, { VGS_COMPUTE, 0, 0, 0, -1 }, { VGS_COMPUTE, 0, 0, 0, -1 },
		{ VGS_COMPUTE, 0, 1, 0, 3 },  /* A0 deps K2 (seq 3) */
		{ VGS_COMPUTE, 0, 0, 0, -1 }, { VGS_COMPUTE, 0, 0, 0, -1 }, { VGS_COMPUTE, 0, 0, 0, -1 },
		{ VGS_COMPUTE, 0, 1, 0, 7 },  /* A1 deps K5 (seq 7) */
		{ VGS_COMPUTE, 0, 0, 0, 8 },  /* K6 deps A1 */
		{ VGS_COMPUTE, 0, 0, 0, -1 }, { VGS_COMPUTE, 0, 0, 0, -1 },
		{ VGS_COMPUTE, 0, 0, VGS_CMD_UNIT_END, -1 },
	};
	const uint64_t n = sizeof(it) / sizeof(it[0]);

	CU_ASSERT_STRING_EQUAL(vgs_workload_unit_name(spec), "iteration");
	CU_ASSERT(!vgs_workload_latency_sensitive(spec));
	CU_ASSERT_EQUAL(vgs_workload_class_mask(spec), (1u << VGS_COMPUTE) | (1u << VGS_COPY));
	for (uint64_t i = 0; i < 2; i++) {
		for (uint64_t k = 0; k < n; k++) {
			CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, 0, &c), 1);
			CU_ASSERT_EQUAL(c.seq, i * n + k);
			CU_ASSERT_EQUAL(c.unit, i);
			CU_ASSERT_EQUAL(c.cls, it[k].cls);
			CU_ASSERT_EQUAL(c.dir, it[k].dir);
			CU_ASSERT_EQUAL(c.stream, it[k].stream);
			CU_ASSERT_EQUAL(c.flags, it[k].flags);
			CU_ASSERT_EQUAL(c.arrival_ns, VGS_NO_TIME);
			if (it[k].dep >= 0) {
				CU_ASSERT(c.ndeps == 1 && has_dep(&c, i * n + (uint64_t)it[k].dep));
			} else if (it[k].dep == -2 && i > 0) {
				CU_ASSERT(c.ndeps == 1 && has_dep(&c, i * n - 1)); /* host sync on the last kernel */
				CU_ASSERT_EQUAL(c.gap_ns, 500000);
			} else {
				CU_ASSERT_EQUAL(c.ndeps, 0);
			}
			if (c.cls == VGS_COMPUTE && c.stream == 0 && k > 1 && it[k].dep < 0) {
				CU_ASSERT_EQUAL(c.gap_ns, 20000);
			}
		}
	}
	CU_ASSERT_EQUAL(vgs_workload_next(w, 0, &c), 0);
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);
}

static void test_train_defaults(void)
{
	struct vgs_workload_spec *spec = must_spec("workload = { type = \"train\"; units = 1; };");
	struct vgs_workload *w = vgs_workload_new(spec, 9);
	struct vgs_cmd c;
	int kernels = 0, allreduce = 0, n = 0;

	while (vgs_workload_next(w, 0, &c) == 1) {
		n++;
		if (c.stream == 1)
			allreduce++;
		else
			kernels++;
	}
	CU_ASSERT_EQUAL(kernels, 893);
	CU_ASSERT_EQUAL(allreduce, 5);
	CU_ASSERT_EQUAL(c.flags, VGS_CMD_UNIT_END);
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);
}

/* ---------------------------------------------------------------------------------------------- */

static void test_infer_structure(void)
{
	struct vgs_workload_spec *spec = must_spec(
		"workload = { type = \"infer\"; rate = 1000; kernels = 3; deadline_ms = 5; output_bytes = 64; };");
	struct vgs_workload *w = vgs_workload_new(spec, 11);
	struct vgs_cmd c;
	uint64_t prev_arrival = 0;

	CU_ASSERT_STRING_EQUAL(vgs_workload_unit_name(spec), "request");
	CU_ASSERT(vgs_workload_latency_sensitive(spec));
	for (uint64_t r = 0; r < 5; r++) {
		vgs_workload_next(w, 0, &c);
		CU_ASSERT_EQUAL(c.seq, 4 * r);
		CU_ASSERT_EQUAL(c.flags, VGS_CMD_UNIT_BEGIN);
		CU_ASSERT_EQUAL(c.cls, VGS_COMPUTE);
		CU_ASSERT(c.arrival_ns != VGS_NO_TIME && c.arrival_ns >= prev_arrival);
		CU_ASSERT_EQUAL(c.deadline_ns, c.arrival_ns + 5000000);
		if (r > 0) {
			CU_ASSERT(c.ndeps == 1 && has_dep(&c, 4 * r - 1));
		}
		prev_arrival = c.arrival_ns;
		for (int k = 0; k < 2; k++) {
			vgs_workload_next(w, 0, &c);
			CU_ASSERT_EQUAL(c.flags, 0);
			CU_ASSERT_EQUAL(c.arrival_ns, VGS_NO_TIME);
			CU_ASSERT_EQUAL(c.unit, r);
		}
		vgs_workload_next(w, 0, &c);
		CU_ASSERT_EQUAL(c.cls, VGS_COPY);
		CU_ASSERT_EQUAL(c.dir, VGS_DIR_D2H);
		CU_ASSERT_EQUAL(c.bytes, 64);
		CU_ASSERT_EQUAL(c.flags, VGS_CMD_UNIT_END);
	}
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);
}

/* Poisson arrivals: right mean rate, cv 1, and independent of the service parameters. */
static void test_infer_poisson(void)
{
	struct vgs_workload_spec *a = must_spec("workload = { type = \"infer\"; rate = 1000; kernels = 1; };");
	struct vgs_workload_spec *b = must_spec("workload = { type = \"infer\"; rate = 1000; kernels = 2; };");
	struct vgs_workload *wa = vgs_workload_new(a, 5), *wb = vgs_workload_new(b, 5);
	struct vgs_cmd c;
	const int n = 50000;
	double s = 0, s2 = 0, prev = 0;
	int same = 1;

	for (int r = 0; r < n; r++) {
		vgs_workload_next(wa, 0, &c);
		double gap = (double)c.arrival_ns - prev;

		prev = (double)c.arrival_ns;
		s += gap;
		s2 += gap * gap;
		uint64_t arr = c.arrival_ns;

		vgs_workload_next(wb, 0, &c);
		same &= c.arrival_ns == arr;
		vgs_workload_next(wb, 0, &c);
	}
	double mean = s / n, cv = sqrt(s2 / n - mean * mean) / mean;

	CU_ASSERT(fabs(mean / 1e6 - 1) < 0.02);
	CU_ASSERT(fabs(cv - 1) < 0.03);
	CU_ASSERT(same);
	vgs_workload_free(wa);
	vgs_workload_free(wb);
	vgs_workload_spec_free(a);
	vgs_workload_spec_free(b);
}

/* ---------------------------------------------------------------------------------------------- */

static void test_trace_frames_loop(void)
{
	struct vgs_workload_spec *spec = must_spec("workload = { trace = \"tests/traces/frames.vgt\"; };");
	struct vgs_workload *w = vgs_workload_new(spec, 1);
	struct vgs_cmd c;
	static const struct { uint8_t cls, flags; uint64_t unit; int dep; } f[] = {
		{ VGS_GFX, VGS_CMD_UNIT_BEGIN, 0, -1 }, { VGS_VENC, 0, 0, 0 }, { VGS_GFX, VGS_CMD_UNIT_BEGIN, 1, -1 },
		{ VGS_COPY, VGS_CMD_UNIT_END, 0, 1 },   { VGS_VENC, 0, 1, 2 }, { VGS_COPY, VGS_CMD_UNIT_END, 1, 4 },
	};
	const uint64_t period = 16666667;

	CU_ASSERT_STRING_EQUAL(vgs_workload_unit_name(spec), "frame");
	CU_ASSERT(vgs_workload_latency_sensitive(spec));
	CU_ASSERT_EQUAL(vgs_workload_class_mask(spec), (1u << VGS_GFX) | (1u << VGS_VENC) | (1u << VGS_COPY));
	for (uint64_t L = 0; L < 3; L++) {
		for (uint64_t i = 0; i < 6; i++) {
			CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, 0, &c), 1);
			CU_ASSERT_EQUAL(c.seq, 6 * L + i);
			CU_ASSERT_EQUAL(c.cls, f[i].cls);
			CU_ASSERT_EQUAL(c.flags, f[i].flags | VGS_CMD_RECORDED_TIME); /* copies = "recorded" by default */
			CU_ASSERT_EQUAL(c.unit, 2 * L + f[i].unit);
			if (f[i].dep >= 0) {
				CU_ASSERT(c.ndeps == 1 && has_dep(&c, 6 * L + (uint64_t)f[i].dep));
			} else if (i == 0 && L > 0) {
				CU_ASSERT(c.ndeps == 1 && has_dep(&c, 6 * L - 1)); /* loops do not overlap */
			} else {
				CU_ASSERT_EQUAL(c.ndeps, 0);
			}
			if (c.flags & VGS_CMD_UNIT_BEGIN) {
				CU_ASSERT_EQUAL(c.arrival_ns, c.unit * period);
				CU_ASSERT_EQUAL(c.deadline_ns, c.unit * period + 33333333);
			} else {
				CU_ASSERT_EQUAL(c.arrival_ns, VGS_NO_TIME);
			}
		}
	}
	CU_ASSERT_EQUAL(c.bytes, 41666);
	CU_ASSERT_EQUAL(c.dir, VGS_DIR_D2H);
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);

	spec = must_spec("workload = { trace = \"tests/traces/frames.vgt\"; loop = false; arrival = \"closed\"; };");
	w = vgs_workload_new(spec, 1);
	CU_ASSERT(!vgs_workload_latency_sensitive(spec));
	for (int i = 0; i < 6; i++) {
		CU_ASSERT_EQUAL(vgs_workload_next(w, 0, &c), 1);
		CU_ASSERT_EQUAL(c.arrival_ns, VGS_NO_TIME);
	}
	CU_ASSERT_EQUAL(vgs_workload_next(w, 0, &c), 0);
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);
}

static void test_trace_load_times(void)
{
	struct vgs_trace *t;
	struct vgs_error err = { { 0 } };

	CU_ASSERT_EQUAL_FATAL(vgs_trace_load("tests/traces/frames.vgt", NULL, &t, &err), 0);
	CU_ASSERT_EQUAL(t->ncmds, 6);
	CU_ASSERT_EQUAL(t->nunits, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->start_ns);
	CU_ASSERT_EQUAL(t->start_ns[2], 16666667);
	CU_ASSERT_EQUAL(t->end_ns[5], 24356667);
	CU_ASSERT_EQUAL(t->line[0], 10);
	CU_ASSERT_EQUAL(t->arrival, VGS_ARRIVAL_PERIODIC);
	CU_ASSERT_STRING_EQUAL(t->gpu, "reference");
	vgs_trace_free(t);
}

static void test_trace_contexts(void)
{
	struct vgs_error err = { { 0 } };
	struct vgs_workload_spec *spec = must_spec(
		"workload = { trace = \"tests/traces/multictx.vgt\"; context = \"compositor\"; loop = false; };");
	struct vgs_workload *w = vgs_workload_new(spec, 1);
	struct vgs_cmd c;

	CU_ASSERT_EQUAL(vgs_workload_class_mask(spec), 1u << VGS_GFX);
	vgs_workload_next(w, 0, &c);
	CU_ASSERT(c.seq == 0 && c.work_ns == 500 && c.unit == 0 && c.ndeps == 0);
	vgs_workload_next(w, 0, &c);
	CU_ASSERT(c.seq == 1 && c.work_ns == 700 && c.unit == 1 && c.ndeps == 1 && c.deps[0] == 0);
	CU_ASSERT_EQUAL(vgs_workload_next(w, 0, &c), 0);
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);

	spec = must_spec("workload = { trace = \"tests/traces/multictx.vgt\"; context = \"app\"; };");
	CU_ASSERT_EQUAL(vgs_workload_class_mask(spec), (1u << VGS_GFX) | (1u << VGS_COPY) | (1u << VGS_COMPUTE));
	vgs_workload_spec_free(spec);

	CU_ASSERT_PTR_NULL(spec_from("workload = {\n trace = \"tests/traces/multictx.vgt\"; };", &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "<config>:2: workload key 'trace'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "app, compositor"));
	CU_ASSERT_PTR_NULL(spec_from("workload = { trace = \"tests/traces/multictx.vgt\";\n context = \"x\"; };",
				     &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "<config>:2: workload key 'context'"));
}

static void test_trace_malformed(void)
{
	static const struct bad_trace cases[] = {
		{ "magic", 1, "#vgpusim-trace 1" },
		{ "seq_gap", 4, "expected 1" },
		{ "dep_self", 4, "not an earlier command" },
		{ "too_many_deps", 8, "at most 4" },
		{ "dup_dep", 4, "listed twice" },
		{ "bad_class", 5, "column 'class'" },
		{ "bad_dir", 3, "column 'dir'" },
		{ "dir_on_gfx", 3, "only copy commands" },
		{ "end_before_begin", 3, "has not begun" },
		{ "end_twice", 4, "already ended" },
		{ "never_ends", 4, "never ends" },
		{ "unit_order", 3, "expected unit 0" },
		{ "bad_flags", 3, "column 'flags'" },
		{ "bad_header", 3, "column header" },
		{ "meta_after_header", 3, "before it" },
		{ "unknown_meta", 2, "unknown metadata" },
		{ "few_columns", 4, "expected 10 columns" },
		{ "negative_work", 3, "column 'work_ns'" },
		{ "cross_ctx_dep", 4, "context 'a'" },
		{ "end_before_start", 3, "end_ns >= start_ns" },
		{ "no_commands", 4, "at least one command" },
	};
	check_bad_traces(cases, G_N_ELEMENTS(cases));
}

/* ---------------------------------------------------------------------------------------------- */

static void test_config_errors(void)
{
	static const struct { const char *text, *want; } cases[] = {
		{ "workload = {\n type = \"game\";\n fsp = 60; };", "<config>:3: unknown key 'fsp' in workload (game); "
								      "expected one of: type, fps," },
		{ "workload = { type = \"game\";\n fps = \"sixty\"; };", "<config>:2: workload key 'fps': expected a number" },
		{ "workload = { type = \"game\";\n fps = -1; };", "<config>:2: workload key 'fps': expected a number in [0.001, 1e+06], got -1" },
		{ "workload = { type = \"tetris\"; };", "<config>:1: workload type 'tetris'" },
		{ "workload = { fps = 60; };", "<config>:1: workload: expected a 'type'" },
		{ "workload = { type = \"train\";\n kernels = 0; };", "<config>:2: workload key 'kernels': expected an "
								    "integer in [1," },
		{ "workload = { type = \"infer\";\n kernel_us = { dist = \"exp\"; mean = 3;\n cv = 2; }; };",
		  "<config>:2: 'kernel_us': 'cv' does not apply" },
		{ "workload = { type = \"infer\"; kernel_us = {\n dist = \"gamma\"; mean = 3; }; };",
		  "<config>:2: 'kernel_us.dist': expected one of" },
		{ "workload = { type = \"infer\"; kernel_us = { dist = \"lognormal\";\n mu = 3; }; };",
		  "<config>:2: unknown key 'mu' in 'kernel_us'" },
		{ "workload = { type = \"infer\";\n kernel_us = { dist = \"lognormal\"; mean = 3; }; };",
		  "<config>:2: 'kernel_us': expected a 'cv'" },
		{ "workload = {\n trace = \"tests/traces/nope.vgt\"; };", "<config>:2: workload key 'trace': "
									   "tests/traces/nope.vgt: cannot open" },
		{ "workload = { trace = \"tests/traces/frames.vgt\";\n period_ms = 5; arrival = \"poisson\"; rate = 9; };",
		  "<config>:2: workload key 'period_ms': applies to arrival = \"periodic\" only" },
		{ "workload = { type = \"game\"; encode = false;\n copy_bytes = 10; };",
		  "<config>:2: workload key 'copy_bytes'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vgs_error err = { { 0 } };
		struct vgs_workload_spec *spec = spec_from(cases[i].text, &err);

		CU_ASSERT_PTR_NULL(spec);
		vgs_workload_spec_free(spec);
		bool ok = strncmp(err.msg, cases[i].want, strlen(cases[i].want)) == 0;

		if (!ok)
			fprintf(stderr, "\ncase %zu: expected '%s...', got '%s'\n", i, cases[i].want, err.msg);
		CU_ASSERT(ok);
	}
}

/* A config read from a file: the error names that file and line. */
static void test_config_error_names_file(void)
{
	char path[] = "/tmp/vgs_test_workload_XXXXXX";
	int fd = mkstemp(path);
	config_t cfg;
	struct vgs_error err = { { 0 } };
	struct vgs_workload_spec *spec = NULL;
	char want[128];

	CU_ASSERT_FATAL(fd >= 0);
	FILE *f = fdopen(fd, "w");

	fputs("# comment\nworkload = {\n  type = \"infer\";\n  rate = 10;\n  burst = 3;\n};\n", f);
	fclose(f);
	config_init(&cfg);
	CU_ASSERT_FATAL(config_read_file(&cfg, path) == CONFIG_TRUE);
	CU_ASSERT_NOT_EQUAL(vgs_workload_spec_parse(config_lookup(&cfg, "workload"), "/tmp", &spec, &err), 0);
	snprintf(want, sizeof(want), "%s:5: unknown key 'burst' in workload (infer); expected one of: ", path);
	CU_ASSERT_EQUAL(strncmp(err.msg, want, strlen(want)), 0);
	config_destroy(&cfg);
	unlink(path);
}

static void test_dist(void)
{
	/* Not static: an expected value calls sqrt(), which is no constant expression in C. */
	const struct { const char *text; double mean, cv, min, max; } cases[] = {
		{ "x_us = 5;", 5000, 0, 5000, 5000 },
		{ "x_us = { dist = \"uniform\"; min = 2; max = 4; };", 3000, 1 / sqrt(3) / 3, 2000, 4000 },
		{ "x_us = { dist = \"normal\"; mean = 10; cv = 0.1; };", 10000, 0.1, 0, INFINITY },
		{ "x_us = { dist = \"lognormal\"; mean = 10; cv = 0.5; max = 30; };", -1, -1, 1, 30000 },
		{ "x_us = { dist = \"exp\"; mean = 10; };", 10000, 1, 1, INFINITY },
		{ "x_us = { dist = \"normal\"; mean = 0.0001; cv = 3; };", -1, -1, 1, INFINITY }, /* clamp >= 1 ns */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config_t cfg;
		struct vgs_dist d;
		struct vgs_error err = { { 0 } };
		struct vgs_rng r;
		double s = 0, s2 = 0, lo = INFINITY, hi = 0;
		const int n = 100000;

		config_init(&cfg);
		CU_ASSERT_FATAL(config_read_string(&cfg, cases[i].text) == CONFIG_TRUE);
		CU_ASSERT_EQUAL_FATAL(vgs_dist_parse(config_lookup(&cfg, "x_us"), 1e3, &d, &err), 0);
		vgs_rng_seed(&r, i);
		for (int k = 0; k < n; k++) {
			double v = (double)vgs_dist_sample_ns(&d, &r);

			s += v;
			s2 += v * v;
			lo = fmin(lo, v);
			hi = fmax(hi, v);
		}
		double mean = s / n, cv = sqrt(fmax(0, s2 / n - mean * mean)) / mean;

		if (cases[i].mean >= 0) {
			/* 4 standard errors of the sample mean, plus rounding to integer ns. */
			double tol = 0.002 + 4 * cases[i].cv / sqrt(n);

			CU_ASSERT(fabs(mean / cases[i].mean - 1) < tol);
		}
		if (cases[i].cv >= 0) {
			CU_ASSERT(fabs(cv - cases[i].cv) < 0.02);
		}
		CU_ASSERT(lo >= cases[i].min && hi <= cases[i].max);
		config_destroy(&cfg);
	}
}

static void test_describe(void)
{
	struct vgs_workload_spec *spec = must_spec("workload = { type = \"game\"; };");

	CU_ASSERT_STRING_EQUAL(vgs_workload_describe(spec),
			       "game 60 fps, gfx lognormal(0.912 ms, cv 0.193) + venc 1.152 ms, deadline 1 frame");
	vgs_workload_spec_free(spec);
}

static CU_TestInfo game_tests[] = {
	{ "frame: gfx B + venc + d2h copy E, periodic arrivals, deadlines", test_game_structure },
	{ "encode = false: one gfx command per frame", test_game_no_encode },
	{ "missed ticks are skipped and counted, not burst", test_game_skips_missed_ticks },
	{ "sessions start at independent random phases", test_game_random_phase },
	{ "default gfx_ms mean and cv (PresentMon)", test_game_default_gfx_mean },
	{ "describe", test_describe },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo gen_tests[] = {
	{ "train iteration: copy, kernels, all-reduces, host sync", test_train_structure },
	{ "train defaults: 893 kernels + 5 all-reduces (A100 DDP)", test_train_defaults },
	{ "infer request: kernels + d2h copy, deadline, serial host", test_infer_structure },
	{ "infer arrivals: poisson rate, independent of service", test_infer_poisson },
	{ "same spec + seed gives the same stream", test_determinism },
	{ "distribution specs: means, cv, clamps", test_dist },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo trace_tests[] = {
	{ "frames.vgt replays and loops with offsets", test_trace_frames_loop },
	{ "recorded start_ns/end_ns and lines are kept", test_trace_load_times },
	{ "multi-context trace: context selects and renumbers", test_trace_contexts },
	{ "each malformed fixture fails with its FILE:LINE", test_trace_malformed },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo config_tests[] = {
	{ "config errors name <config>:LINE", test_config_errors },
	{ "config errors name FILE:LINE", test_config_error_names_file },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "game", .pTests = game_tests }, { .pName = "generators", .pTests = gen_tests },
	       { .pName = "trace", .pTests = trace_tests }, { .pName = "config", .pTests = config_tests })
