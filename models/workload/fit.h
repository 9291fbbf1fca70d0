/*
 * Fitting generator distributions to samples from a capture (`vgpusim fit`, docs/workloads.md,
 * "Fitting a capture"): candidate distributions, their Kolmogorov-Smirnov distance to the sample, and
 * the choice between them.  Pure computation on arrays of ns; the capture readers are in hw-trace/fit.c.
 *
 * Quantiles are nearest-rank (the k-th smallest, k = max(1, ceil(q n))), as everywhere in vgpusim
 * (docs/metrics.md), so a fitted table and a run's p50/p90/p99 speak the same language.
 */
#ifndef VGS_FIT_H
#define VGS_FIT_H

#include <stddef.h>

#include "models/workload/dist.h"

/* The nearest-rank q-quantile of sorted x[0..n) (n >= 1). */
double vgs_fit_quantile(const double *sorted, size_t n, double q);
/* The q-quantile of a distribution (bisection on its CDF), ns. */
double vgs_fit_dist_quantile(const struct vgs_dist *d, double q);

/*
 * The Kolmogorov-Smirnov distance sup |F_n(x) - F(x)| between the sample sorted[0..n) and d.  Its
 * critical value at the 5 % level is about 1.36 / sqrt(n) (the asymptotic Kolmogorov distribution).
 */
double vgs_fit_ks(const double *sorted, size_t n, const struct vgs_dist *d);
double vgs_fit_ks_critical(size_t n);

/*
 * Candidates, each fitted to sorted x[0..n) (ns, n >= 1):
 *   lognormal  mean and cv of the sample (method of moments; cv of a real frame series up to ~2)
 *   mixture    two lognormals (a bimodal frame time: e.g. a cheap and an expensive kind of frame),
 *              by expectation-maximisation on the logarithms, started from the sample's halves
 *   table      empirical: the sample's nearest-rank quantiles at VGS_FIT_PROBS, so that p50, p90
 *              and p99 of anything drawn from it are the sample's
 */
struct vgs_dist vgs_fit_lognormal(const double *sorted, size_t n);
struct vgs_dist vgs_fit_mixture(const double *sorted, size_t n);
struct vgs_dist vgs_fit_table(const double *sorted, size_t n);

/* What vgs_fit_best() chose, and why. */
struct vgs_fit {
	struct vgs_dist d;           /* owned: vgs_dist_fini() it */
	double ks;                   /* its KS distance to the sample */
	const char *why;             /* one line: which candidate and why */
};

/*
 * The simplest candidate that passes the KS test at 5 % (lognormal, then the mixture), else the
 * table (which always fits).  `table_only`: the table whatever the others do (a quantity whose
 * quantiles must be reproduced exactly, such as a frame time).
 */
void vgs_fit_best(const double *sorted, size_t n, bool table_only, struct vgs_fit *out);

#endif
