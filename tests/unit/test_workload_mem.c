/*
 * Memory behaviour of workloads (docs/vram.md): what each generator allocates, touches and frees on
 * which command, the adversary's faulting accesses, memory lines of native traces (lists per command,
 * allocations made once across loop passes, each malformed fixture failing at its FILE:LINE), and
 * `memory = false`.  A command's list is compared as text: "A<id>:<bytes>[:<page KiB>]" alloc,
 * "F<id>" free, "T<id>[:<off>+<len>]" touch, "V<addr>+<len>" address, "W" wild, "X" foreign.
 * Run from the repository root (fixtures are read from tests/traces/).
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <libconfig.h>

#include "models/workload/workload.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/wl_spec.h"

/* The memory list of a command as text. */
static char *mem_text(const struct vgs_workload *w, const struct vgs_cmd *c)
{
	uint32_t n;
	const struct vgs_mem_op *ops = vgs_workload_mem(w, c->mem, &n);
	GString *s = g_string_new(NULL);

	for (uint32_t i = 0; i < n; i++) {
		const struct vgs_mem_op *o = &ops[i];

		if (s->len)
			g_string_append_c(s, ' ');
		switch (o->kind) {
		case VGS_MEM_ALLOC:
			g_string_append_printf(s, "A%u:%llu", o->id, (unsigned long long)o->arg);
			if (o->shift)
				g_string_append_printf(s, ":%u", 1u << (o->shift - 10));
			break;
		case VGS_MEM_FREE: g_string_append_printf(s, "F%u", o->id); break;
		case VGS_MEM_TOUCH:
			g_string_append_printf(s, "T%u", o->id);
			if (o->len)
				g_string_append_printf(s, ":%llu+%llu", (unsigned long long)o->arg, (unsigned long long)o->len);
			break;
		case VGS_MEM_VA:
			g_string_append_printf(s, "V%llu+%llu", (unsigned long long)o->arg, (unsigned long long)o->len);
			break;
		case VGS_MEM_WILD: g_string_append(s, "W"); break;
		case VGS_MEM_FOREIGN: g_string_append(s, "X"); break;
		}
	}
	return g_string_free(s, FALSE);
}

/* Draw commands from a workload and compare the lists of those a table names (by seq). */
struct expect {
	uint64_t seq;
	const char *mem;
};

static void check_lists(const char *config, const struct expect *ex, size_t n)
{
	struct vgs_error err = { { 0 } };
	struct vgs_workload_spec *spec = spec_from(config, &err);
	struct vgs_workload *w;
	struct vgs_cmd c;
	size_t k = 0;

	if (!spec)
		fprintf(stderr, "\n%s\n", err.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
	CU_ASSERT(vgs_workload_has_memory(spec));
	w = vgs_workload_new(spec, 5);
	for (uint64_t seq = 0; k < n && vgs_workload_next(w, seq * 1000000, &c) == 1; seq++) {
		char *got;

		CU_ASSERT_EQUAL_FATAL(c.seq, seq);
		if (ex[k].seq != seq)
			continue;
		got = mem_text(w, &c);
		if (strcmp(got, ex[k].mem) != 0)
			fprintf(stderr, "\n  %s\n  seq %llu: got '%s', expected '%s'\n", config,
				(unsigned long long)seq, got, ex[k].mem);
		CU_ASSERT_STRING_EQUAL(got, ex[k].mem);
		g_free(got);
		k++;
	}
	CU_ASSERT_EQUAL(k, n);
	vgs_workload_free(w);
	vgs_workload_spec_free(spec);
}

static void test_game_memory(void)
{
	/* 1080p RGBA8 / D24S8: 1920 x 1080 x 4 = 8,294,400 bytes; textures 256 MiB. */
	static const struct expect plain[] = {
		{ 0, "A1:268435456 A2:8294400 A8:8294400 A9:8294400 A10:8294400 T1 T2 T8" },
		{ 1, "T8" },                    /* venc reads the frame it encodes */
		{ 2, "T1 T2 T9" },             /* frame 1 renders into swap-chain image 1 */
		{ 3, "T9" },
		{ 6, "T1 T2 T8" },             /* frame 3: image 0 again */
	};
	static const struct expect copied[] = {
		{ 0, "A2:3686400 A8:3686400 A9:3686400 A3:5000 T2 T8" },
		{ 1, "T8 T3" },
		{ 2, "T3" },                   /* the copy reads the bitstream */
		{ 3, "T2 T9" },
	};
	check_lists("workload = { type = \"game\"; };", plain, G_N_ELEMENTS(plain));
	check_lists("workload = { type = \"game\"; width = 1280; height = 720; swapchain = 2; textures_mb = 0; "
		    "copy_bytes = 5000; };", copied, G_N_ELEMENTS(copied));
}

static void test_train_memory(void)
{
	/*
	 * 4 kernels (2 forward, 2 backward), 1 all-reduce after K0, 16 slices.  Weights 1 MiB: slice
	 * 65,536 B; activations 2 MiB: slice 131,072 B.  K0 slice 0, K1 slice 8; K2 (backward) slice
	 * 15, K3 slice 7 + the optimizer step (all of W, G, Adam state) and the free of the activations.
	 */
	static const struct expect ex[] = {
		{ 0, "A1:1048576 A2:1048576 A3:2097152 A4:2097152 T1:0+65536 T4:0+131072" },
		{ 1, "T2:0+1048576" },
		{ 2, "T1:524288+65536 T4:1048576+131072" },
		{ 3, "T1:983040+65536 T4:1966080+131072 T2:983040+65536" },
		{ 4, "T1:458752+65536 T4:917504+131072 T2:458752+65536 T1 T2 T3 F4" },
		{ 5, "A4:2097152 T1:0+65536 T4:0+131072" },  /* iteration 1: new activations only */
	};
	static const struct expect sgd_input[] = {
		{ 0, "A1:1048576 A2:1048576 A3:1048576 A5:4096 A4:2097152 T5" },
		{ 1, "T1:0+65536 T4:0+131072" },
		{ 6, "A4:2097152 T5" },
	};
	check_lists("workload = { type = \"train\"; kernels = 4; allreduce_count = 1; weights_mb = 1.0; "
		    "optimizer = \"adam\"; activations_mb = 2.0; };", ex, G_N_ELEMENTS(ex));
	check_lists("workload = { type = \"train\"; kernels = 4; allreduce_count = 1; weights_mb = 1.0; "
		    "activations_mb = 2.0; input_bytes = 4096; };", sgd_input, G_N_ELEMENTS(sgd_input));
}

static void test_infer_memory(void)
{
	static const struct expect ex[] = {
		{ 0, "A1:1048576 A2:1048576 T1:0+65536 T2:0+65536" },
		{ 1, "T1:524288+65536 T2:524288+65536 F2" },
		{ 2, "A2:1048576 T1:0+65536 T2:0+65536" },
	};
	static const struct expect copies[] = {
		{ 0, "A1:1048576 A3:100 A4:200 A2:1048576 T3" },
		{ 1, "T1:0+65536 T2:0+65536" },
		{ 3, "T4 F2" },
	};
	check_lists("workload = { type = \"infer\"; kernels = 2; weights_mb = 1.0; activations_mb = 1.0; };", ex,
		    G_N_ELEMENTS(ex));
	check_lists("workload = { type = \"infer\"; kernels = 2; weights_mb = 1.0; activations_mb = 1.0; "
		    "input_bytes = 100; output_bytes = 200; };", copies, G_N_ELEMENTS(copies));
}

static void test_adversary_memory(void)
{
	/* every = 3: commands 2, 5, 8, 11 fault, kinds in turn: wild, past the quota, foreign, beyond. */
	static const struct expect ex[] = {
		{ 0, "A1:4194304 T1" },
		{ 1, "T1" },
		{ 2, "T1 W" },
		{ 3, "T1" },
		{ 5, "T1 A2:1125899906842624 T2:0+4096" },
		{ 8, "T1 X" },
		{ 11, "T1 V140738562097152+64" },
		{ 14, "T1 W" },
	};
	static const struct expect none[] = { { 2, "T1" }, { 5, "T1" } };

	check_lists("workload = { type = \"adversary\"; kernels = 4; buffer_mb = 4; every = 3; };", ex,
		    G_N_ELEMENTS(ex));
	check_lists("workload = { type = \"adversary\"; every = 0; };", none, G_N_ELEMENTS(none));
}

static void test_memory_off(void)
{
	static const char *const configs[] = {
		"workload = { type = \"game\"; memory = false; };",
		"workload = { type = \"train\"; memory = false; };",
		"workload = { type = \"infer\"; memory = false; };",
		"workload = { trace = \"tests/traces/frames.vgt\"; };",
	};
	for (size_t i = 0; i < G_N_ELEMENTS(configs); i++) {
		struct vgs_error err = { { 0 } };
		struct vgs_workload_spec *spec = spec_from(configs[i], &err);
		struct vgs_workload *w;
		struct vgs_cmd c;

		CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
		CU_ASSERT(!vgs_workload_has_memory(spec));
		w = vgs_workload_new(spec, 1);
		for (int k = 0; k < 20 && vgs_workload_next(w, 0, &c) == 1; k++)
			CU_ASSERT_EQUAL(c.mem, 0);
		vgs_workload_free(w);
		vgs_workload_spec_free(spec);
	}
}

static void test_trace_memory_loop(void)
{
	/* Pass 0: allocation 1 (never freed) and 2; pass 1 makes only 2 again, touches 1 as before. */
	static const struct expect ex[] = {
		{ 0, "A1:1048576 A2:4096:4 T1 T2" },
		{ 1, "T1:4096+8192" },
		{ 2, "V4294967296+64 F2" },
		{ 3, "A2:4096:4 T1 T2" },
		{ 4, "T1:4096+8192" },
		{ 5, "V4294967296+64 F2" },
		{ 6, "A2:4096:4 T1 T2" },
	};
	check_lists("workload = { trace = \"tests/traces/memory.vgt\"; };", ex, G_N_ELEMENTS(ex));
}

static void test_trace_memory_malformed(void)
{
	static const struct bad_trace cases[] = {
		{ "mem_live", 5, "allocation 1 is live" },
		{ "mem_not_live", 5, "allocation 1 is not live" },
		{ "mem_past_end", 4, "past the end of allocation 1 (4096 bytes)" },
		{ "mem_trailing", 4, "memory lines at the end of the file" },
		{ "mem_syntax", 3, "expected 'm alloc ID BYTES [PAGE_KB]'" },
		{ "mem_page", 3, "page size of 4, 64 or 2048" },
		{ "mem_id", 3, "expected an allocation id" },
	};
	check_bad_traces(cases, G_N_ELEMENTS(cases));
}

static void test_memory_key_errors(void)
{
	static const struct { const char *config, *what; } cases[] = {
		{ "workload = { type = \"train\";\n optimizer = \"lamb\"; };",
		  "<config>:2: workload key 'optimizer': expected \"none\", \"sgd\" or \"adam\"" },
		{ "workload = { type = \"train\";\n weights_mb = 0; };", "<config>:2: workload key 'weights_mb': expected > 0" },
		{ "workload = { type = \"game\";\n textures_mb = -1.0; };", "<config>:2: workload key 'textures_mb'" },
		{ "workload = { type = \"game\";\n swapchain = 9; };", "<config>:2: workload key 'swapchain'" },
		{ "workload = { type = \"infer\";\n memory = 1; };", "<config>:2: workload key 'memory': expected true or false" },
		{ "workload = { type = \"adversary\";\n buffer_mb = 0; };", "<config>:2: workload key 'buffer_mb': expected > 0" },
		{ "workload = { type = \"adversary\";\n evry = 3; };", "<config>:2: unknown key 'evry'" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		struct vgs_error err = { { 0 } };
		struct vgs_workload_spec *spec = spec_from(cases[i].config, &err);

		CU_ASSERT_PTR_NULL(spec);
		vgs_workload_spec_free(spec);
		if (!strstr(err.msg, cases[i].what))
			fprintf(stderr, "\nexpected '%s', got '%s'\n", cases[i].what, err.msg);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, cases[i].what));
	}
}

static CU_TestInfo mem_tests[] = {
	{ "game: textures, depth, swap chain, bitstream", test_game_memory },
	{ "train: weights, gradients, optimizer state, activations per iteration", test_train_memory },
	{ "infer: weights, activations per request, copy buffers", test_infer_memory },
	{ "adversary: faulting accesses every N kernels, kinds in turn", test_adversary_memory },
	{ "memory = false (and traces without memory lines): no lists", test_memory_off },
	{ "trace memory lines; never-freed allocations made once across loops", test_trace_memory_loop },
	{ "each malformed memory fixture fails with its FILE:LINE", test_trace_memory_malformed },
	{ "memory keys: bad values name <config>:LINE", test_memory_key_errors },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "workload memory", .pTests = mem_tests })
