/*
 * Native-trace attributes and frames in flight (models/workload/trace_attr.c, trace_load.c, trace.c;
 * docs/trace-format.md "Attributes"): what the loader keeps of tests/traces/attrs.vgt per context,
 * what the `trace` kind hands the driver (VGS_CMD_AFTER, VGS_CMD_ANCHOR_PREV, the frame fence), that
 * every attribute written reads back the same, and that each malformed attribute fails naming its
 * FILE:LINE.  Run from the repository root.
 */
#include <stdio.h>
#include <string.h>

#include "models/workload/kclass.h"
#include "models/workload/trace.h"
#include "models/workload/workload.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/wl_spec.h"

#define ATTRS "tests/traces/attrs.vgt"

static void test_load(void)
{
	struct vgs_trace *t;
	struct vgs_error err = { { 0 } };

	CU_ASSERT_EQUAL_FATAL(vgs_trace_load(ATTRS, "ml", &t, &err), 0);
	CU_ASSERT_EQUAL(t->frames_in_flight, 2);
	CU_ASSERT_EQUAL_FATAL(t->ncmds, 3);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t->attr);
	/* kernel figures of seq 1, now command 0 of context ml */
	CU_ASSERT_EQUAL(t->attr[0].have, VGS_ATTR_KERNEL);
	CU_ASSERT(t->attr[0].sm == 80 && t->attr[0].threads == 256 && t->attr[0].regs == 32 &&
		  t->attr[0].smem == 4096 && t->attr[0].occupancy == 50 && t->attr[0].profile == VGS_BOUND_MEMORY);
	CU_ASSERT_EQUAL(t->attr[1].profile, VGS_BOUND_UNKNOWN);
	/* after=1 of seq 3: renumbered, command 2 starts after command 0 */
	CU_ASSERT(t->attr[2].have & VGS_ATTR_AFTER);
	CU_ASSERT_EQUAL(t->attr[2].after_back, 2);
	CU_ASSERT_EQUAL(t->attr[2].profile, VGS_BOUND_COMPUTE);
	vgs_trace_free(t);

	CU_ASSERT_EQUAL_FATAL(vgs_trace_load(ATTRS, "game", &t, &err), 0);
	CU_ASSERT_EQUAL_FATAL(t->ncmds, 3);
	CU_ASSERT(t->attr[0].gen == 1 && (t->attr[0].have & VGS_ATTR_GEN));
	CU_ASSERT_EQUAL(t->attr[1].after_back, VGS_AFTER_NONE);
	CU_ASSERT(t->cmds[2].flags & VGS_CMD_ANCHOR_PREV);
	CU_ASSERT(!(t->cmds[1].flags & VGS_CMD_ANCHOR_PREV));
	vgs_trace_free(t);

	/* a file without attributes keeps none */
	CU_ASSERT_EQUAL_FATAL(vgs_trace_load("tests/traces/frames.vgt", NULL, &t, &err), 0);
	CU_ASSERT_PTR_NULL(t->attr);
	CU_ASSERT_EQUAL(t->frames_in_flight, 0);
	vgs_trace_free(t);
}

/*
 * The game context replayed in a loop with @frames_in_flight 2: unit u's first command also waits for
 * the command that ended unit u - 2.  Pass 0: seq 0, 1 (after=-), 2 (anchor=prev, dep 1, fence 0);
 * pass 1: seq 3 (loop dep 2, fence 1), 4 (fence 2), 5 (dep 4, fence 3).
 */
static void test_emit(void)
{
	static const struct {
		uint8_t flags;            /* beside B/E and RECORDED_TIME */
		uint64_t after;
		int ndeps;
		uint64_t deps[2];
	} want[] = {
		{ 0, 0, 0, { 0 } },
		{ VGS_CMD_AFTER, VGS_NO_TIME, 0, { 0 } },
		{ VGS_CMD_ANCHOR_PREV, 0, 2, { 1, 0 } },
		{ 0, 0, 2, { 2, 1 } },
		{ VGS_CMD_AFTER | VGS_CMD_ANCHOR_PREV, VGS_NO_TIME, 1, { 2 } },
		{ VGS_CMD_ANCHOR_PREV, 0, 2, { 4, 3 } },
	};
	struct vgs_workload_spec *spec = must_spec("workload = { trace = \"" ATTRS "\"; context = \"game\"; };");
	struct vgs_workload *w = vgs_workload_new(spec, 1);
	struct vgs_cmd c;

	for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
		CU_ASSERT_EQUAL_FATAL(vgs_workload_next(w, 0, &c), 1);
		CU_ASSERT_EQUAL(c.seq, i);
		CU_ASSERT_EQUAL(c.flags & (VGS_CMD_AFTER | VGS_CMD_ANCHOR_PREV), want[i].flags);
		if (want[i].flags & VGS_CMD_AFTER)
			CU_ASSERT_EQUAL(c.after, want[i].after);
		CU_ASSERT_EQUAL(c.ndeps, want[i].ndeps);
		CU_ASSERT_EQUAL(c.gen, i % 3 < 2 ? 1u : 0u); /* gen=1 on the first two frames of each pass */
		for (int d = 0; d < want[i].ndeps; d++)
			CU_ASSERT(has_dep(&c, want[i].deps[d]));
		if (c.seq != i || c.ndeps != want[i].ndeps)
			printf("\n  command %zu: seq %llu, %d deps, flags %#x\n", i, (unsigned long long)c.seq, c.ndeps,
			       c.flags);
	}
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);

	/* frames_in_flight = 0 in the config: no fence; = 1: unit u waits for unit u - 1 */
	spec = must_spec("workload = { trace = \"" ATTRS "\"; context = \"game\"; frames_in_flight = 0; };");
	w = vgs_workload_new(spec, 1);
	for (int i = 0; i < 3; i++)
		vgs_workload_next(w, 0, &c);
	CU_ASSERT(c.ndeps == 1 && has_dep(&c, 1));
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);
	spec = must_spec("workload = { trace = \"" ATTRS "\"; context = \"game\"; frames_in_flight = 1; };");
	w = vgs_workload_new(spec, 1);
	vgs_workload_next(w, 0, &c);
	vgs_workload_next(w, 0, &c);
	CU_ASSERT(c.ndeps == 1 && has_dep(&c, 0) && (c.flags & VGS_CMD_ANCHOR_PREV));
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);
}

/* Every attribute written by vgs_trace_attr_format reads back the same. */
static void test_round_trip(void)
{
	struct vgs_trace_attr a = {
		.after_back = 3, .gen = 2, .sm = 4096, .threads = 1024, .regs = 255, .smem = 49152, .occupancy = 0,
		.profile = VGS_BOUND_COMPUTE, .kc = VGS_KC_ATTENTION, .have = 0x1ff,
	}, b = { 0 };
	GString *s = g_string_new(NULL);
	uint8_t flags = 0;
	char msg[256];

	vgs_trace_attr_format(&a, VGS_CMD_ANCHOR_PREV, 10, s);
	CU_ASSERT_STRING_EQUAL(s->str, "\tafter=7\tanchor=prev\tgen=2\tsm=4096\tthreads=1024\tregs=255\tsmem=49152"
				       "\toccupancy=0\tprofile=compute\tkc=attention");
	char **f = g_strsplit(s->str + 1, "\t", -1);

	for (char **p = f; *p; p++)
		CU_ASSERT_EQUAL(vgs_trace_attr_parse(*p, 10, &b, &flags, msg, sizeof(msg)), 0);
	CU_ASSERT(a.after_back == b.after_back && a.gen == b.gen && a.sm == b.sm && a.threads == b.threads &&
		  a.regs == b.regs && a.smem == b.smem && a.occupancy == b.occupancy && a.profile == b.profile &&
		  a.kc == b.kc && a.have == b.have);
	CU_ASSERT_EQUAL(flags, VGS_CMD_ANCHOR_PREV);
	g_strfreev(f);
	g_string_free(s, TRUE);
}

static void test_malformed(void)
{
	static const struct bad_trace cases[] = {
		{ "attr_unknown", 4, "unknown attribute 'blocks'" },
		{ "attr_after_stream", 5, "attribute 'after': command 1 is not of this command's stream" },
		{ "attr_after_late", 4, "attribute 'after': expected '-' or the seq of an earlier command" },
		{ "attr_kernel_gfx", 3, "on compute commands only" },
		{ "attr_gen_no_begin", 4, "attribute 'gen': expected it on the command that begins its unit" },
		{ "attr_twice", 3, "attribute 'sm' given twice" },
		{ "attr_kc", 4, "attribute 'kc': expected a kernel class (gemm, conv, attention, elementwise" },
		{ "attr_kc_twice", 3, "attribute 'kc' given twice" },
		{ "frames_in_flight", 2, "'@frames_in_flight 17': expected an integer in [0, 16]" },
	};

	check_bad_traces(cases, G_N_ELEMENTS(cases));
}

static CU_TestInfo attr_tests[] = {
	{ "the loader keeps attributes per context, renumbered", test_load },
	{ "trace replay: after, anchor=prev and the frame fence", test_emit },
	{ "attributes written read back the same", test_round_trip },
	{ "malformed attributes name FILE:LINE", test_malformed },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "trace attributes", .pTests = attr_tests })
