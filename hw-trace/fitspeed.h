/*
 * `vgpusim fit-speed` (docs/translate.md): per-kernel-class speed factors, per-op fixed costs and the
 * host factor of a GPU B, fitted from captures of the same programs on a GPU A and on B.
 *
 * Ops are matched by order and class: the longest common subsequence of the two captures' class
 * sequences (what the two platforms both ran, in the order they ran it).  What one side emits and
 * the other does not stays unmatched and is reported per class: the cuBLASLt workspace memsets of a
 * CUDA capture that ROCm has no op for (a class B never emits becomes `omit`), the fill kernels
 * ROCm's attention adds.  An unmatched op's host gap is added to the next matched op's, so that the
 * host time between matched ops is compared whole.
 *
 * Per class k, over its matched ops (t_A, t_B), the affine map t_B = s t_A + c (a throughput ratio and
 * a per-op fixed cost, models/workload/kspeed.c) is fitted by least squares weighted by 1 / t_A, so
 * that every op counts by its relative error and, without the prior, each class keeps its measured
 * busy time exactly (sum t_B = s sum t_A + n c); the slope is drawn toward the prior s0 (the speed
 * ratio the profiles' rooflines give, else sum t_B / sum t_A) with the weight of one average op, so a
 * class seen only at one op size gets the prior's slope; one of fewer than 3 matched ops gets no
 * intercept (c = 0).  Then
 *     speed_B = speed_A / s,  fixed_B = c + s fixed_A,  host_speed_B = host_speed_A x gaps_A / gaps_B.
 */
#ifndef VGS_FITSPEED_H
#define VGS_FITSPEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/base/error.h"
#include "models/workload/kspeed.h"
#include "models/workload/trace.h"

struct vgs_fit_class {
	uint64_t ops_a, ops_b;         /* ops of the class on each side */
	uint64_t n;                    /* matched */
	double busy_a, busy_b;         /* matched ops' durations, ns */
	double slope, intercept;       /* t_B = slope t_A + intercept (ns) */
	double speed;                  /* B's speed factor (speed_A / slope) */
	double fixed_ns;               /* B's fixed time per op (signed) */
	double resid;                  /* (predicted - measured) / measured busy of the matched ops */
	double rms;                    /* root mean square of the per-op relative errors */
	bool omit;                     /* A has ops of it, B none (never a copy class) */
};

struct vgs_fit {
	struct vgs_fit_class cls[VGS_NKCLASS];
	size_t pairs;
	uint64_t matched, ops_a, ops_b;
	double gap_a, gap_b;           /* host gaps of the matched ops (with the unmatched ops' before them) */
	double host_speed;             /* B's */
};

/*
 * Fit B against A from npairs pairs of loaded traces (a[i] on A, b[i] on B).  `from`/`from_engine`:
 * A's profile (NULL: A is the reference, speed 1); `prior`/`prior_engine`: B's profile whose
 * roofline the slopes are drawn toward (NULL: none).  0, or -1 with err set (traces too long to align).
 */
int vgs_fit_speed(struct vgs_trace *const *a, struct vgs_trace *const *b, size_t npairs, const struct vgs_kspeed *from,
		  const double *from_engine, const struct vgs_kspeed *prior, const double *prior_engine, struct vgs_fit *out,
		  struct vgs_error *err);
/* The fit as a profile fragment (host_speed, kernels = { ... }) to paste, each class with its residual. */
void vgs_fit_print(const struct vgs_fit *f, FILE *out);

/* The longest common subsequence of two class sequences: matched index pairs (ia[k], ib[k]) in order,
 * their count returned; -1 when na x nb exceeds VGS_ALIGN_MAX_CELLS. */
#define VGS_ALIGN_MAX_CELLS (1ull << 28) /* 64 MiB of directions: 16,384 x 16,384 ops */
int64_t vgs_align_classes(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, uint32_t *ia, uint32_t *ib);

#endif
