/*
 * Kernel classes: names, rooflines, and THE classification table (models/workload/kclass.h).  Every
 * importer and `trace stats` classify through vgs_kclass_of; docs/translate.md prints the same table.
 *
 * Rules are tried in order and the first that matches decides.  A kernel rule matches when one of its
 * tokens occurs in the lower-cased name ("=conv": the whole name is "conv").  The order carries the
 * precedence the names need: collectives and attention before GEMM (FlashAttention and paged
 * attention use MFMA / tensor cores; "ncclKernel_AllReduce" is not a reduction), convolution before
 * GEMM (implicit-GEMM convolutions, MIOpen's igemm_fwd, cutlass_cudnn ImplicitGemmConvolution),
 * GEMM before normalisation (epilogues), normalisation before reduction, and the broad elementwise
 * tokens (ATen's at::native catch-all) last.
 */
#include <string.h>

#include <glib.h>

#include "models/base/types.h"
#include "models/workload/kclass.h"
#include "models/workload/trace_attr.h"

/* Name and roofline of each class. */
static const struct {
	const char *name;
	unsigned char roof;
} classes[VGS_NKCLASS] = {
	[VGS_KC_NONE] = { NULL, VGS_ROOF_NONE },
	[VGS_KC_GEMM] = { "gemm", VGS_ROOF_TENSOR },
	[VGS_KC_CONV] = { "conv", VGS_ROOF_TENSOR },
	[VGS_KC_ATTENTION] = { "attention", VGS_ROOF_TENSOR },
	[VGS_KC_ELEMENTWISE] = { "elementwise", VGS_ROOF_MEMORY },
	[VGS_KC_REDUCE] = { "reduce", VGS_ROOF_MEMORY },
	[VGS_KC_NORM] = { "norm", VGS_ROOF_MEMORY },
	[VGS_KC_H2D] = { "h2d", VGS_ROOF_LINK },
	[VGS_KC_D2H] = { "d2h", VGS_ROOF_LINK },
	[VGS_KC_D2D] = { "d2d", VGS_ROOF_MEMORY },
	[VGS_KC_P2P] = { "p2p", VGS_ROOF_NONE },
	[VGS_KC_COPY] = { "copy", VGS_ROOF_NONE },
	[VGS_KC_MEMSET] = { "memset", VGS_ROOF_MEMORY },
	[VGS_KC_COLLECTIVE] = { "collective", VGS_ROOF_NONE },
	[VGS_KC_GRAPHICS] = { "graphics", VGS_ROOF_NONE },
	[VGS_KC_OTHER] = { "other", VGS_ROOF_NONE },
};

/* The classification table.  Kind rules first (an op's kind decides before its name), then the
 * kernel rules by name; VGS_KC_NONE in a copy rule: the class comes from the direction. */
static const struct rule {
	unsigned char kc;
	unsigned char kind;
	const char *tokens;
} rules[] = {
	{ VGS_KC_MEMSET, VGS_KIND_MEMSET, NULL },
	{ VGS_KC_P2P, VGS_KIND_COPY, "ptop|peer" }, /* Kineto "Memcpy PtoP (Device -> Device)" */
	{ VGS_KC_NONE, VGS_KIND_COPY, NULL },
	{ VGS_KC_GRAPHICS, VGS_KIND_GRAPHICS, NULL },
	{ VGS_KC_OTHER, VGS_KIND_OTHER, NULL },
	/* ROCm runtime blit kernels: __amd_rocclr_fillBuffer*, __amd_rocclr_copyBuffer* */
	{ VGS_KC_MEMSET, VGS_KIND_KERNEL, "fillbuffer|memset" },
	{ VGS_KC_D2D, VGS_KIND_KERNEL, "copybuffer|copy_buffer" },
	/* NCCL / RCCL (RCCL keeps the ncclKernel_ names), MSCCL, vLLM/sglang custom all-reduce */
	{ VGS_KC_COLLECTIVE, VGS_KIND_KERNEL,
	  "nccl|rccl|msccl|all_reduce|allreduce|allgather|all_gather|reduce_scatter|reducescatter|alltoall|"
	  "cross_device_reduce" },
	/* FlashAttention (pytorch_flash::flash_fwd_kernel), Triton/aiter attn_fwd, CK fmha and
	 * FmhaBatchPrefill, vLLM paged_attention, flashinfer */
	{ VGS_KC_ATTENTION, VGS_KIND_KERNEL, "attn|attention|flash|fmha|mha_fwd|mha_bwd|sdpa" },
	/* cuDNN (scudnn, fprop/dgrad/wgrad, winograd, im2col, cask_cudnn offsets), cutlass_cudnn
	 * ImplicitGemmConvolution, xmma implicit_gemm, MIOpen igemm_fwd/bwd/wrw and asm conv, ATen
	 * conv_depthwise2d, Orion's "Conv" */
	{ VGS_KC_CONV, VGS_KIND_KERNEL,
	  "conv_|conv1d|conv2d|conv3d|convolution|convolve|fprop|dgrad|wgrad|winograd|scudnn|im2col|igemm_|"
	  "implicit_gemm|implicitgemm|cask_cudnn|=conv" },
	/* cuBLAS/cuBLASLt (sm90_xmma_gemm, ampere/volta_sgemm, splitKreduce), CUTLASS, Tensile kernels
	 * of rocBLAS/hipBLASLt (Cijk_...), CK device_gemm, WMMA/MFMA, Triton templates (triton_tem) */
	{ VGS_KC_GEMM, VGS_KIND_KERNEL,
	  "gemm|gemv|cutlass|cublas|xmma|cijk_|tensile|hipblaslt|rocblas|wmma|mfma|matmul|splitkreduce|bmm_|"
	  "triton_tem" },
	/* ATen layer_norm / batch_norm / group_norm / softmax, cuDNN bn_fw/bn_bw, MIOpen BatchNorm,
	 * aiter/sglang rmsnorm, Orion's "BatchNorm" */
	{ VGS_KC_NORM, VGS_KIND_KERNEL,
	  "layer_norm|layernorm|rms_norm|rmsnorm|batch_norm|batchnorm|bn_fw|bn_bw|group_norm|groupnorm|"
	  "instance_norm|instancenorm|softmax|gammabeta" },
	/* ATen reduce_kernel, CUB / rocPRIM, pooling, losses, Triton reductions */
	{ VGS_KC_REDUCE, VGS_KIND_KERNEL,
	  "reduce|reduction|argmax|argmin|topk|sort|cub::|rocprim|scan|cumsum|pool|nll_loss|criterion|"
	  "triton_red|triton_per" },
	/* ATen elementwise/vectorized/unrolled kernels, copies and layout changes by kernels (cat,
	 * index, gather, transpose, nchwToNhwc), activations, rotary embedding, KV-cache stores, MIOpen
	 * tensor ops, Triton pointwise; at::native last, as the catch-all for ATen */
	{ VGS_KC_ELEMENTWISE, VGS_KIND_KERNEL,
	  "elementwise|vectorized|unrolled|copy|concat|catarray|fill|index|gather|scatter|transpose|permute|"
	  "nchwtonhwc|nhwctonchw|dropout|embedding|rotary|kvcache|tensorop|act_and_mul|triu|tril|"
	  "multi_tensor_apply|scale|clamp|position|arange|triton_poi|at::native" },
	{ VGS_KC_OTHER, VGS_KIND_KERNEL, NULL },
};

const char *vgs_kclass_name(int kc)
{
	return kc > VGS_KC_NONE && kc < VGS_NKCLASS ? classes[kc].name : NULL;
}

int vgs_kclass_parse(const char *name)
{
	for (int kc = VGS_KC_NONE + 1; kc < VGS_NKCLASS; kc++)
		if (strcmp(classes[kc].name, name) == 0)
			return kc;
	return -1;
}

int vgs_kclass_roof(int kc, int profile)
{
	int roof = kc > VGS_KC_NONE && kc < VGS_NKCLASS ? classes[kc].roof : VGS_ROOF_NONE;

	/* Only kernels carry a verdict; a copy stays on its link. */
	if (roof == VGS_ROOF_LINK || kc == VGS_KC_NONE)
		return roof;
	if (profile == VGS_BOUND_MEMORY)
		return VGS_ROOF_MEMORY;
	if (profile == VGS_BOUND_COMPUTE && roof != VGS_ROOF_TENSOR)
		return VGS_ROOF_VECTOR;
	return roof;
}

/* Whether one of the '|'-separated tokens occurs in the lower-cased name (or, "=tok", is it). */
static bool any_token(const char *tokens, const char *name)
{
	while (*tokens) {
		const char *end = strchr(tokens, '|');
		size_t n = end ? (size_t)(end - tokens) : strlen(tokens);
		char tok[64];

		if (n < sizeof(tok)) {
			memcpy(tok, tokens, n);
			tok[n] = '\0';
			if (tok[0] == '=' ? strcmp(name, tok + 1) == 0 : strstr(name, tok) != NULL)
				return true;
		}
		tokens += n + (end != NULL);
	}
	return false;
}

static int copy_class(int dir)
{
	switch (dir) {
	case VGS_DIR_H2D:
		return VGS_KC_H2D;
	case VGS_DIR_D2H:
		return VGS_KC_D2H;
	case VGS_DIR_D2D:
		return VGS_KC_D2D;
	default:
		return VGS_KC_COPY;
	}
}

int vgs_kclass_of(int kind, const char *name, size_t len, int dir)
{
	char low[1025];
	size_t n = name ? MIN(len, sizeof(low) - 1) : 0;

	for (size_t i = 0; i < n; i++)
		low[i] = g_ascii_tolower(name[i]);
	low[n] = '\0';
	for (size_t i = 0; i < G_N_ELEMENTS(rules); i++) {
		const struct rule *r = &rules[i];

		if (r->kind != kind || (r->tokens && !any_token(r->tokens, low)))
			continue;
		return r->kc == VGS_KC_NONE ? copy_class(dir) : r->kc;
	}
	return VGS_KC_OTHER;
}

bool vgs_kclass_rule(size_t i, int *kc, int *kind, const char **tokens)
{
	if (i >= G_N_ELEMENTS(rules))
		return false;
	*kc = rules[i].kc;
	*kind = rules[i].kind;
	*tokens = rules[i].tokens;
	return true;
}
