/*
 * Kernel classes (docs/translate.md): what kind of work a GPU operation does -- a GEMM, a convolution,
 * an attention kernel, an elementwise kernel, a copy in some direction, ... -- because GPUs differ per
 * kind: one MI300X VF runs a capture's GEMMs 1.3x slower than an H100 and its normalisations faster.
 *
 * One table (kclass.c) classifies an op from its kind (kernel, memset, copy, graphics job) and its
 * name, written for the CUDA and ROCm libraries alike (cuBLAS/cuBLASLt/CUTLASS and
 * hipBLASLt/rocBLAS/Tensile, cuDNN and MIOpen, FlashAttention and CK/aiter, NCCL and RCCL, ATen).
 * The importers (hw-trace/) classify every op with it and write the class as the `kc=` attribute of
 * the native trace (docs/trace-format.md); `trace stats` counts busy time per class from it.
 *
 * Each class has the roofline it scales with when a GPU profile has no measured factor for it (the
 * roofline prior, models/workload/kspeed.h): the tensor-core peak (GEMM, convolution, attention), the
 * memory bandwidth (elementwise, reduction, normalisation, memset, device copies), the host link
 * (host<->device copies), or none (the engine's own speed).
 */
#ifndef VGS_KCLASS_H
#define VGS_KCLASS_H

#include <stdbool.h>
#include <stddef.h>

/* Written in traces by name (vgs_kclass_name); the numbers are not stored anywhere. */
enum vgs_kclass {
	VGS_KC_NONE = 0,          /* not classified: a trace without `kc=` */
	VGS_KC_GEMM,              /* matrix multiply, tensor cores / matrix cores */
	VGS_KC_CONV,              /* convolution (implicit GEMM, Winograd, direct) */
	VGS_KC_ATTENTION,         /* fused attention (FlashAttention, FMHA, paged attention) */
	VGS_KC_ELEMENTWISE,       /* pointwise ops, casts, copies and layout changes done by kernels */
	VGS_KC_REDUCE,            /* reductions, scans, sorts, pooling, losses */
	VGS_KC_NORM,              /* layer / RMS / batch / group normalisation, softmax */
	VGS_KC_H2D,               /* copy engine: host to device */
	VGS_KC_D2H,               /* copy engine: device to host */
	VGS_KC_D2D,               /* copy engine: within the device */
	VGS_KC_P2P,               /* copy engine: peer to peer */
	VGS_KC_COPY,              /* copy engine, direction unknown */
	VGS_KC_MEMSET,            /* memset (the runtime's, or ROCm's fill-buffer kernel) */
	VGS_KC_COLLECTIVE,        /* NCCL / RCCL collectives */
	VGS_KC_GRAPHICS,          /* a graphics (3D) job: ftrace gfx ring, PresentMon frame */
	VGS_KC_OTHER,             /* a kernel no rule matched */
	VGS_NKCLASS
};

/* The roofline a class scales with when nothing was measured (struct vgs_kspeed.roof). */
enum vgs_roof {
	VGS_ROOF_NONE = 0,        /* the engine's speed */
	VGS_ROOF_TENSOR,          /* dense FP16/BF16 tensor-core (matrix-core) peak */
	VGS_ROOF_VECTOR,          /* FP32 vector peak: compute-bound kernels off the tensor cores */
	VGS_ROOF_MEMORY,          /* device memory bandwidth */
	VGS_ROOF_LINK,            /* the host link (PCIe) bandwidth */
	VGS_NROOF
};

/* What an importer knows of an op besides its name. */
enum vgs_kc_kind {
	VGS_KIND_KERNEL = 0,      /* a kernel: classified by name */
	VGS_KIND_MEMSET,
	VGS_KIND_COPY,            /* a copy-engine transfer: classified by direction */
	VGS_KIND_GRAPHICS,        /* a graphics job */
	VGS_KIND_OTHER,           /* anything else (video): other */
};

/* "gemm", "conv", ...; NULL for VGS_KC_NONE or out of range. */
const char *vgs_kclass_name(int kc);
/* The class of a name, or -1. */
int vgs_kclass_parse(const char *name);
/* The roofline an op of class kc scales with; `profile` (enum vgs_kernel_profile, 0 for none) is the
 * op's own roofline verdict (Orion's Profile column): memory-bound moves it to the memory roof,
 * compute-bound a class that is not tensor-bound to the FP32 vector roof. */
int vgs_kclass_roof(int kc, int profile);
/* The class of an op: `name` (len bytes, not NUL-terminated; NULL when unknown) for a kernel, `dir`
 * (enum vgs_copy_dir) for a copy.  Names are matched case-insensitively on their first 1,024 bytes. */
int vgs_kclass_of(int kind, const char *name, size_t len, int dir);
/* Rule by rule, for docs and tests: the class of rule i, its kind and its '|'-separated name tokens
 * (NULL when the rule matches on kind alone); false past the last rule. */
bool vgs_kclass_rule(size_t i, int *kc, int *kind, const char **tokens);

#endif
