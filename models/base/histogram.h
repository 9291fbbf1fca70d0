/*
 * A bounded quantile sketch for non-negative integer samples (ns): log-bucketed counts, as in
 * DDSketch (Masson et al., VLDB 2019).  A sample v >= 1 goes to bucket
 *
 *     i = ceil(log(v) / log(gamma)),   covering (gamma^(i-1), gamma^i]
 *
 * and a bucket answers with the value 2 gamma^i / (gamma + 1), whose relative distance to every value
 * of the bucket is at most
 *
 *     alpha = (gamma - 1) / (gamma + 1)          (gamma = 1.01: alpha = 0.4975 %)
 *
 * Zero samples have a bucket of their own and answer exactly 0.  Estimates are clamped to the exact
 * [min, max], which only moves them closer to the true value.  count, min, max, sum and mean are exact.
 *
 * Memory: one uint64_t count per bucket between the smallest and largest index seen, grown on demand;
 * with gamma = 1.01 the full uint64_t range needs at most ~4,460 buckets (35 KiB), however many
 * samples are added.  Adding is O(1) amortised; a quantile is O(buckets).
 */
#ifndef VGS_HISTOGRAM_H
#define VGS_HISTOGRAM_H

#include <stdint.h>

/* The bucket ratio the metrics use, and its relative error bound (gamma - 1) / (gamma + 1). */
#define VGS_HIST_GAMMA 1.01

struct vgs_hist {
	double gamma;
	double inv_log_gamma;  /* 1 / ln(gamma) */
	int32_t lo;            /* bucket index of counts[0] */
	uint32_t nbuckets;     /* allocated length of counts */
	uint64_t *counts;      /* NULL until the first sample >= 1 */
	uint64_t zeros;        /* samples equal to 0 */
	uint64_t count;
	uint64_t min, max;     /* valid when count > 0 */
	uint64_t sum;          /* saturates at UINT64_MAX (never in practice: 584 years of ns) */
	int oom;               /* an allocation failed: later samples only update count/min/max/sum */
};

/* gamma > 1; values <= 1 fall back to VGS_HIST_GAMMA. */
void vgs_hist_init(struct vgs_hist *h, double gamma);
void vgs_hist_fini(struct vgs_hist *h);
void vgs_hist_add(struct vgs_hist *h, uint64_t v);
/* The bucket of a sample v >= 1: ceil(log(v) / log(gamma)) as computed in double precision, at least 0
 * (by a table for VGS_HIST_GAMMA, without a log() per sample). */
int32_t vgs_hist_index(const struct vgs_hist *h, uint64_t v);

/* The relative error bound alpha of h's quantiles. */
double vgs_hist_rel_error(const struct vgs_hist *h);
/* Mean of the samples (exact up to double rounding); NaN when empty. */
double vgs_hist_mean(const struct vgs_hist *h);
/*
 * Estimate of the q-quantile (0 <= q <= 1) by nearest rank: the k-th smallest sample with
 * k = max(1, ceil(q * count)), within relative error alpha.  q = 0 gives min, q = 1 max (exact).
 * NaN when empty.
 */
double vgs_hist_quantile(const struct vgs_hist *h, double q);

#endif
