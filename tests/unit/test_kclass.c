/*
 * Kernel classes and the speed model per class (models/workload/kclass.c, kspeed.c, trace_translate.c,
 * models/scenario/kernels.c, hw-trace/fitspeed.c; docs/translate.md): the classification table on
 * CUDA and ROCm names, the speed lookup's precedence, profile keys and their errors, a translation to
 * the capture's own GPU giving the recording back exactly, A -> B -> A within 1 us per op, and a fit
 * recovering a known affine map.  Run from the repository root.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "hw-trace/fitspeed.h"
#include "hw-trace/stats.h"
#include "models/scenario/scenario.h"
#include "models/workload/kclass.h"
#include "models/workload/kspeed.h"
#include "models/workload/trace.h"
#include "tests/unit/cunit_main.h"

#define H100_QWEN "../shared/traces/kineto/tracelens-h100-vs-mi300/h100/Qwen_Qwen1.5-0.5B-Chat__1016005.json.gz"

static void test_classify(void)
{
	static const struct {
		const char *what;
		int kind;
		const char *name;
		int dir;
		int kc;
	} cases[] = {
		{ "cuBLAS Hopper GEMM", VGS_KIND_KERNEL, "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x128x64", 0, VGS_KC_GEMM },
		{ "CUTLASS GEMM", VGS_KIND_KERNEL, "void cutlass::Kernel2<cutlass_80_tensorop_bf16_s16816gemm_relu>", 0, VGS_KC_GEMM },
		{ "hipBLASLt / Tensile GEMM", VGS_KIND_KERNEL, "Cijk_Alik_Bljk_B_BS_BH_Bias_HA_S_SAV_UserArgs_MT256x128x64", 0, VGS_KC_GEMM },
		{ "Volta SGEMM (Orion)", VGS_KIND_KERNEL, "volta_sgemm_128x64_nn", 0, VGS_KC_GEMM },
		{ "cuBLASLt split-K reduce", VGS_KIND_KERNEL, "void cublasLt::splitKreduce_kernel<float>", 0, VGS_KC_GEMM },
		{ "cuDNN fprop through CUTLASS", VGS_KIND_KERNEL, "void cutlass__5x_cudnn::Kernel<cutlass_tensorop_bf16_s16816fprop_optimized>", 0, VGS_KC_CONV },
		{ "MIOpen implicit GEMM conv", VGS_KIND_KERNEL, "igemm_fwd_gtcx3_nhwc_bf16_bx0_ex1", 0, VGS_KC_CONV },
		{ "cuDNN Volta conv", VGS_KIND_KERNEL, "volta_scudnn_128x64_relu_interior_nn_v1", 0, VGS_KC_CONV },
		{ "Orion's Conv", VGS_KIND_KERNEL, "Conv", 0, VGS_KC_CONV },
		{ "FlashAttention", VGS_KIND_KERNEL, "void pytorch_flash::flash_fwd_kernel<Flash_fwd_kernel_traits<64>>", 0, VGS_KC_ATTENTION },
		{ "Triton attention on ROCm", VGS_KIND_KERNEL, "attn_fwd", 0, VGS_KC_ATTENTION },
		{ "CK paged prefill", VGS_KIND_KERNEL, "_ZN7ck_tile6kentryILi2ENS_38FmhaBatchPrefillWithPagedKVCacheKernel", 0, VGS_KC_ATTENTION },
		{ "vLLM paged attention (MFMA)", VGS_KIND_KERNEL, "void paged_attention_ll4mi_QKV_mfma16_kernel<>", 0, VGS_KC_ATTENTION },
		{ "ATen layer norm", VGS_KIND_KERNEL, "void at::native::(anonymous namespace)::vectorized_layer_norm_kernel<>", 0, VGS_KC_NORM },
		{ "aiter RMSNorm", VGS_KIND_KERNEL, "_ZN5aiter24add_rmsnorm_quant_kernelIDF16b", 0, VGS_KC_NORM },
		{ "cuDNN batch norm", VGS_KIND_KERNEL, "void cudnn::bn_fw_tr_1C11_kernel_NCHW<float>", 0, VGS_KC_NORM },
		{ "softmax", VGS_KIND_KERNEL, "void (anonymous namespace)::softmax_warp_forward<float>", 0, VGS_KC_NORM },
		{ "ATen reduce", VGS_KIND_KERNEL, "void at::native::reduce_kernel<512, 1, ReduceOp<float, MeanOps>>", 0, VGS_KC_REDUCE },
		{ "rocPRIM", VGS_KIND_KERNEL, "void rocprim::ROCPRIM_400200_NS::detail::trampoline_kernel<>", 0, VGS_KC_REDUCE },
		{ "max pooling", VGS_KIND_KERNEL, "void at::native::(anonymous namespace)::max_pool_forward_nchw<>", 0, VGS_KC_REDUCE },
		{ "ATen elementwise", VGS_KIND_KERNEL, "void at::native::vectorized_elementwise_kernel<4, CUDAFunctor_add>", 0, VGS_KC_ELEMENTWISE },
		{ "ATen cat", VGS_KIND_KERNEL, "void at::native::(anonymous namespace)::CatArrayBatchedCopy<>", 0, VGS_KC_ELEMENTWISE },
		{ "MIOpen transpose", VGS_KIND_KERNEL, "batched_transpose_256x4_half", 0, VGS_KC_ELEMENTWISE },
		{ "NCCL all-reduce", VGS_KIND_KERNEL, "ncclKernel_AllReduce_RING_LL_Sum_float(ncclDevComm*)", 0, VGS_KC_COLLECTIVE },
		{ "ROCm fill-buffer blit", VGS_KIND_KERNEL, "__amd_rocclr_fillBufferAligned", 0, VGS_KC_MEMSET },
		{ "ROCm copy-buffer blit", VGS_KIND_KERNEL, "__amd_rocclr_copyBuffer", 0, VGS_KC_D2D },
		{ "no rule", VGS_KIND_KERNEL, "my_custom_kernel", 0, VGS_KC_OTHER },
		{ "no name", VGS_KIND_KERNEL, NULL, 0, VGS_KC_OTHER },
		{ "memset", VGS_KIND_MEMSET, "Memset (Device)", 0, VGS_KC_MEMSET },
		{ "copy HtoD", VGS_KIND_COPY, "Memcpy HtoD (Pageable -> Device)", VGS_DIR_H2D, VGS_KC_H2D },
		{ "copy DtoH", VGS_KIND_COPY, NULL, VGS_DIR_D2H, VGS_KC_D2H },
		{ "copy DtoD", VGS_KIND_COPY, NULL, VGS_DIR_D2D, VGS_KC_D2D },
		{ "copy PtoP", VGS_KIND_COPY, "Memcpy PtoP (Device -> Device)", VGS_DIR_D2D, VGS_KC_P2P },
		{ "copy, direction unknown", VGS_KIND_COPY, NULL, VGS_DIR_NONE, VGS_KC_COPY },
		{ "graphics job", VGS_KIND_GRAPHICS, NULL, 0, VGS_KC_GRAPHICS },
		{ "video", VGS_KIND_OTHER, NULL, 0, VGS_KC_OTHER },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		const char *n = cases[i].name;
		int kc = vgs_kclass_of(cases[i].kind, n, n ? strlen(n) : 0, cases[i].dir);

		if (kc != cases[i].kc)
			fprintf(stderr, "\n%s: %s, expected %s\n", cases[i].what, vgs_kclass_name(kc),
				vgs_kclass_name(cases[i].kc));
		CU_ASSERT_EQUAL(kc, cases[i].kc);
	}
	for (int kc = VGS_KC_NONE + 1; kc < VGS_NKCLASS; kc++)
		CU_ASSERT_EQUAL(vgs_kclass_parse(vgs_kclass_name(kc)), kc);
	CU_ASSERT_EQUAL(vgs_kclass_parse("tensor"), -1);
	/* rooflines: by class, moved by a kernel's own verdict, never for copies */
	CU_ASSERT_EQUAL(vgs_kclass_roof(VGS_KC_GEMM, 0), VGS_ROOF_TENSOR);
	CU_ASSERT_EQUAL(vgs_kclass_roof(VGS_KC_GEMM, VGS_BOUND_MEMORY), VGS_ROOF_MEMORY);
	CU_ASSERT_EQUAL(vgs_kclass_roof(VGS_KC_ELEMENTWISE, VGS_BOUND_COMPUTE), VGS_ROOF_VECTOR);
	CU_ASSERT_EQUAL(vgs_kclass_roof(VGS_KC_H2D, VGS_BOUND_MEMORY), VGS_ROOF_LINK);
	CU_ASSERT_EQUAL(vgs_kclass_roof(VGS_KC_NONE, VGS_BOUND_MEMORY), VGS_ROOF_NONE);
}

/* measured > roofline prior > engine; fixed time signed, times never below 0 */
static void test_speed_lookup(void)
{
	struct vgs_kspeed k = { 0 };

	CU_ASSERT_EQUAL(vgs_kspeed_of(&k, 2.5, VGS_KC_GEMM, VGS_ROOF_TENSOR), 2.5);
	CU_ASSERT_EQUAL(vgs_kspeed_host(&k), 1.0);
	k.roof[VGS_ROOF_TENSOR] = 3.0;
	CU_ASSERT_EQUAL(vgs_kspeed_of(&k, 2.5, VGS_KC_GEMM, VGS_ROOF_TENSOR), 3.0);
	CU_ASSERT_EQUAL(vgs_kspeed_of(&k, 2.5, VGS_KC_NONE, VGS_ROOF_TENSOR), 2.5); /* unclassified: engine */
	k.speed[VGS_KC_GEMM] = 4.0;
	k.fixed_ns[VGS_KC_GEMM] = -1000;
	CU_ASSERT_EQUAL(vgs_kspeed_of(&k, 2.5, VGS_KC_GEMM, VGS_ROOF_TENSOR), 4.0);
	CU_ASSERT_DOUBLE_EQUAL(vgs_kspeed_from_ref(&k, 1, VGS_KC_GEMM, VGS_ROOF_TENSOR, 40000), 9000, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(vgs_kspeed_from_ref(&k, 1, VGS_KC_GEMM, VGS_ROOF_TENSOR, 2000), 0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(vgs_kspeed_to_ref(&k, 1, VGS_KC_GEMM, VGS_ROOF_TENSOR, 9000), 40000, 1e-9);
	k.omit = 1u << VGS_KC_GEMM;
	CU_ASSERT_EQUAL(vgs_kspeed_fixed_ns(&k, VGS_KC_GEMM), 0);
}

/* Shipped profiles and the profile keys' errors, each one line naming FILE:LINE. */
static void test_profiles(void)
{
	static const struct {
		const char *text;
		const char *what;
	} bad[] = {
		{ "kernels = { gemm = { speed = 0.0; }; };", ":6: profile.kernels.gemm.speed must be > 0" },
		{ "kernels = { tensor = { speed = 1.0; }; };", ":6: unknown key 'tensor'" },
		{ "kernels = { gemm = { speed = 1.0; launch_us = 1.0; }; };", ":6: unknown key 'launch_us'" },
		{ "kernels = { gemm = 2.0; };", ":6: expected a group { speed = ...; fixed_us = ...; }" },
		{ "kernels = { omit = [ \"memsets\" ]; };", ":6: profile.kernels.omit.[0]: expected a kernel class" },
		{ "roofline = { tensor_tflops = -1.0; };", ":6: profile.roofline.tensor_tflops must be > 0" },
		{ "host_speed = 0.0;", ":6: profile.host_speed must be > 0" },
	};
	struct vgs_error err = { { 0 } };
	struct vgs_gpu g;

	CU_ASSERT_EQUAL_FATAL(vgs_gpu_profile_load("configs/gpus/h100-sxm.cfg", &g, &err), 0);
	CU_ASSERT_STRING_EQUAL(g.model, "NVIDIA H100 80GB HBM3");
	CU_ASSERT_DOUBLE_EQUAL(g.kspeed.roof[VGS_ROOF_TENSOR], 989.5 / 312.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(g.kspeed.roof[VGS_ROOF_LINK], 2.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(g.kspeed.speed[VGS_KC_GEMM], 3.1715, 1e-12);
	vgs_gpu_profile_free(&g);
	CU_ASSERT_EQUAL_FATAL(vgs_gpu_profile_load("configs/gpus/mi300x-vf.cfg", &g, &err), 0);
	CU_ASSERT(g.kspeed.omit == 1u << VGS_KC_MEMSET && g.kspeed.host_speed > 1 && g.kspeed.speed[VGS_KC_GEMM] > 0);
	vgs_gpu_profile_free(&g);
	/* every shipped profile loads on its own */
	{
		GDir *d = g_dir_open("configs/gpus", 0, NULL);
		const char *f;

		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		while ((f = g_dir_read_name(d))) {
			char *path = g_build_filename("configs/gpus", f, NULL);

			if (g_str_has_suffix(f, ".cfg")) {
				int rc = vgs_gpu_profile_load(path, &g, &err);

				if (rc)
					fprintf(stderr, "\n%s\n", err.msg);
				CU_ASSERT_EQUAL(rc, 0);
				if (rc == 0)
					vgs_gpu_profile_free(&g);
			}
			g_free(path);
		}
		g_dir_close(d);
	}
	/* a profile without kernel keys: all zero, every op at its engine's speed */
	CU_ASSERT_EQUAL_FATAL(vgs_gpu_profile_load("configs/gpus/a10.cfg", &g, &err), 0);
	CU_ASSERT(g.kspeed.omit == 0 && g.kspeed.host_speed == 1.0 && g.kspeed.roof[VGS_ROOF_TENSOR] == 0 &&
		  g.kspeed.speed[VGS_KC_GEMM] == 0);
	vgs_gpu_profile_free(&g);

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		char *path = g_strdup_printf("%s/vgs-kclass-%zu.cfg", g_get_tmp_dir(), i);
		/* a minimal profile, the bad key on line 6 */
		char *text = g_strdup_printf("name = \"t\";\nvram_gb = 1.0;\nmax_vgpus = 1;\n"
					     "pcie = { bandwidth_gbps = 25.0; };\nengines = { compute = { count = 1; }; };\n"
					     "%s\n", bad[i].text);

		CU_ASSERT_FATAL(g_file_set_contents(path, text, -1, NULL));
		CU_ASSERT_EQUAL(vgs_gpu_profile_load(path, &g, &err), -1);
		if (!strstr(err.msg, bad[i].what) || strchr(err.msg, '\n') || strncmp(err.msg, path, strlen(path)))
			fprintf(stderr, "\nexpected '%s%s', got '%s'\n", path, bad[i].what, err.msg);
		CU_ASSERT(strstr(err.msg, bad[i].what) && !strncmp(err.msg, path, strlen(path)));
		remove(path);
		g_free(path);
		g_free(text);
	}
}

/* A capture as a loaded native trace (imported into a temporary file first). */
static struct vgs_trace *load_capture(const char *path)
{
	struct vgs_error err = { { 0 } };
	struct vgs_trace *t = NULL;
	bool temporary;
	char *native = vgs_import_to_tempfile(path, "auto", &temporary, &err);

	if (!native)
		fprintf(stderr, "\n%s: %s\n", path, err.msg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(native);
	CU_ASSERT_EQUAL(vgs_trace_load(native, NULL, &t, &err), 0);
	remove(native);
	g_free(native);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	return t;
}

struct gpu_speeds {
	struct vgs_kspeed k;
	double engine[VGS_NCLASS];
};

static void speeds_of(const char *profile, struct gpu_speeds *s)
{
	struct vgs_error err = { { 0 } };

	CU_ASSERT_EQUAL_FATAL(vgs_gpu_profile_kspeed(profile, &s->k, s->engine, NULL, &err), 0);
}

/*
 * A capture translated to its own GPU is the recording: every work and gap unchanged, and the solo
 * timeline of the result is each op's recorded start and end, to the ns (captures of each shape:
 * recorded overlaps with after=, anchored gaps, host waits; the shared H100 capture).
 */
static void test_identity(void)
{
	static const char *const captures[] = {
		"tests/traces/kineto/overlap_half_us.json", "tests/traces/kineto/overlap_2_5_us.json",
		"tests/traces/kineto/copy_overlap.json", "tests/traces/kineto/good_amd.json", H100_QWEN,
	};
	struct gpu_speeds h;

	speeds_of("configs/gpus/h100-sxm.cfg", &h);
	for (size_t c = 0; c < G_N_ELEMENTS(captures); c++) {
		struct vgs_trace *t = load_capture(captures[c]), *orig = load_capture(captures[c]);
		uint64_t *start = g_new(uint64_t, t->ncmds), *end = g_new(uint64_t, t->ncmds);
		size_t bad = 0;

		vgs_trace_translate(t, &h.k, h.engine, &h.k, h.engine);
		CU_ASSERT_FATAL(vgs_trace_solo_times(t, start, end));
		for (size_t i = 0; i < t->ncmds; i++)
			bad += t->cmds[i].work_ns != orig->cmds[i].work_ns || t->cmds[i].gap_ns != orig->cmds[i].gap_ns ||
			       start[i] != orig->start_ns[i] || end[i] != orig->end_ns[i];
		if (bad)
			fprintf(stderr, "\n%s: %zu of %zu ops differ\n", captures[c], bad, t->ncmds);
		CU_ASSERT_EQUAL(bad, 0);
		g_free(start);
		g_free(end);
		vgs_trace_free(t);
		vgs_trace_free(orig);
	}
}

/*
 * H100 -> MI300X VF -> H100 within 1 us per op: durations and gaps of every op of a class both keep
 * (the memsets the VF omits do not come back), and the whole timeline of a capture without them.
 */
static void test_round_trip(void)
{
	static const char *const captures[] = {
		H100_QWEN, "../shared/traces/kineto/tracelens-h100-vs-mi300/h100/gaunernst_bert-small-uncased__1016001.json.gz",
	};
	struct gpu_speeds h, m;

	speeds_of("configs/gpus/h100-sxm.cfg", &h);
	speeds_of("configs/gpus/mi300x-vf.cfg", &m);
	for (size_t c = 0; c < G_N_ELEMENTS(captures); c++) {
		struct vgs_trace *t = load_capture(captures[c]), *orig = load_capture(captures[c]);
		uint64_t *start = g_new(uint64_t, t->ncmds), *end = g_new(uint64_t, t->ncmds);
		size_t bad = 0, kept = 0, times = 0;
		uint64_t moved = 0;

		vgs_trace_translate(t, &h.k, h.engine, &m.k, m.engine);
		for (size_t i = 0; i < t->ncmds; i++)
			moved += t->cmds[i].work_ns != orig->cmds[i].work_ns;
		CU_ASSERT(moved > t->ncmds / 2); /* it did move */
		vgs_trace_translate(t, &m.k, m.engine, &h.k, h.engine);
		CU_ASSERT_FATAL(vgs_trace_solo_times(t, start, end));
		for (size_t i = 0; i < t->ncmds; i++) {
			const struct vgs_trace_cmd *a = &t->cmds[i], *b = &orig->cmds[i];

			if (t->attr[i].kc == VGS_KC_MEMSET)
				continue;
			kept++;
			bad += llabs((long long)a->work_ns - (long long)b->work_ns) > 1000 ||
			       llabs((long long)a->gap_ns - (long long)b->gap_ns) > 1000;
			times += llabs((long long)start[i] - (long long)orig->start_ns[i]) > 1000 ||
				 llabs((long long)end[i] - (long long)orig->end_ns[i]) > 1000;
		}
		CU_ASSERT(kept > 0);
		CU_ASSERT_EQUAL(bad, 0);
		if (kept == t->ncmds)
			CU_ASSERT_EQUAL(times, 0);
		g_free(start);
		g_free(end);
		vgs_trace_free(t);
		vgs_trace_free(orig);
	}
}

static void test_align(void)
{
	static const uint8_t a[] = { VGS_KC_MEMSET, VGS_KC_GEMM, VGS_KC_ELEMENTWISE, VGS_KC_MEMSET, VGS_KC_GEMM },
			     b[] = { VGS_KC_GEMM, VGS_KC_ELEMENTWISE, VGS_KC_ELEMENTWISE, VGS_KC_GEMM };
	uint32_t ia[4], ib[4];

	CU_ASSERT_EQUAL_FATAL(vgs_align_classes(a, 5, b, 4, ia, ib), 3);
	CU_ASSERT(ia[0] == 1 && ib[0] == 0 && ia[1] == 2 && ia[2] == 4 && ib[2] == 3);
	CU_ASSERT_EQUAL(vgs_align_classes(a, 0, b, 4, ia, ib), 0);
}

/* Two synthetic captures: B's GEMMs take 2 t_A + 3 us, its elementwise kernels 0.5 t_A + 2 us, it has
 * no memsets, and its host is twice as fast. */
static struct vgs_trace *synthetic(bool b, struct vgs_error *err)
{
	char *path = g_strdup_printf("%s/vgs-fit-%c.vgt", g_get_tmp_dir(), b ? 'b' : 'a');
	GString *s = g_string_new("#vgpusim-trace 1\nseq\tclass\tstream\twork_ns\tbytes\tdir\tdeps\tgap_ns\tunit\tflags\n");
	struct vgs_trace *t = NULL;
	int seq = 0;

	for (int i = 0; i < 40; i++) {
		bool gemm = i % 2 == 0;
		uint64_t x = 4000 + 2500 * (uint64_t)i, y = gemm ? 2 * x + 3000 : x / 2 + 2000;

		if (i % 4 == 0 && !b) {
			g_string_append_printf(s, "%d\tcompute\t0\t900\t0\t-\t-\t500\t0\t%s\tkc=memset\n", seq,
					       seq ? "-" : "B");
			seq++;
		}
		g_string_append_printf(s, "%d\tcompute\t0\t%" G_GUINT64_FORMAT "\t0\t-\t-\t%d\t0\t%s\tkc=%s\n", seq, b ? y : x,
				       b ? 1000 : 2000, i == 39 ? "E" : seq ? "-" : "B", gemm ? "gemm" : "elementwise");
		seq++;
	}
	g_file_set_contents(path, s->str, -1, NULL);
	if (vgs_trace_load(path, NULL, &t, err))
		t = NULL;
	remove(path);
	g_free(path);
	g_string_free(s, TRUE);
	return t;
}

static void test_fit(void)
{
	struct vgs_error err = { { 0 } };
	struct vgs_trace *a = synthetic(false, &err), *b = synthetic(true, &err);
	struct vgs_fit f;
	const struct vgs_fit_class *g, *e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL_FATAL(vgs_fit_speed(&a, &b, 1, NULL, NULL, NULL, NULL, &f, &err), 0);
	g = &f.cls[VGS_KC_GEMM];
	e = &f.cls[VGS_KC_ELEMENTWISE];
	CU_ASSERT_EQUAL(f.matched, 40);
	CU_ASSERT(g->n == 20 && e->n == 20);
	CU_ASSERT_DOUBLE_EQUAL(g->slope, 2.0, 0.05);
	CU_ASSERT_DOUBLE_EQUAL(g->intercept, 3000, 600);
	CU_ASSERT_DOUBLE_EQUAL(e->slope, 0.5, 0.02);
	CU_ASSERT_DOUBLE_EQUAL(e->intercept, 2000, 300);
	CU_ASSERT_DOUBLE_EQUAL(g->speed, 1 / g->slope, 1e-12); /* relative to A */
	CU_ASSERT(fabs(g->resid) < 0.02 && fabs(e->resid) < 0.02);
	CU_ASSERT(f.cls[VGS_KC_MEMSET].omit && f.cls[VGS_KC_MEMSET].ops_a == 10 && f.cls[VGS_KC_MEMSET].n == 0);
	/* host: A's gaps, the memsets' with them, over B's */
	CU_ASSERT_DOUBLE_EQUAL(f.host_speed, (40 * 2000.0 + 10 * 500.0) / (40 * 1000.0), 1e-9);
	vgs_trace_free(a);
	vgs_trace_free(b);
}

static CU_TestInfo kclass_tests[] = {
	{ "the classification table on CUDA and ROCm names", test_classify },
	{ "speed lookup: measured, roofline prior, engine", test_speed_lookup },
	{ "profiles: shipped ones load, bad keys name FILE:LINE", test_profiles },
	{ "translate to the capture's own GPU: the recording", test_identity },
	{ "H100 -> MI300X VF -> H100 within 1 us per op", test_round_trip },
	{ "ops matched by order and class", test_align },
	{ "fit-speed recovers a known affine map and host", test_fit },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "kernel classes", .pTests = kclass_tests })
