/*
 * Statistics over replications (`compare --seeds N`, `run --seeds N`; docs/compare.md, "Replications"):
 * Student's t distribution, the mean of N runs with its confidence interval, and the paired test that
 * compares two policies run on the same seeds.  libc + libm only, no state: every function is pure.
 *
 * Why paired.  compare runs every policy on the same seed list, so run s of policy A and run s of
 * policy B see the same frames, requests and arrivals (common random numbers): their difference d_s
 * = x_{A,s} - x_{B,s} has the seed's own variation removed, and a t interval on the n differences is
 * much narrower than what Welch's two-sample test on the same runs would give.  Welch's test treats
 * the two samples as independent and wastes that pairing.
 */
#ifndef VGS_STATS_H
#define VGS_STATS_H

#include <stdbool.h>
#include <stddef.h>

/* P(T <= t) for Student's t with df > 0 degrees of freedom. */
double vgs_t_cdf(double t, double df);
/* The p-quantile of Student's t with df > 0 degrees of freedom, 0 < p < 1 (e.g. 0.975: 12.706 for df 1). */
double vgs_t_quantile(double p, double df);

/* A mean with its two-sided confidence interval. */
struct vgs_ci {
	size_t n;                    /* finite values used (NAN entries are left out) */
	double mean;                 /* NAN when n = 0 */
	double sd;                   /* sample standard deviation (n - 1), NAN when n < 2 */
	double half;                 /* half-width t_{(1+level)/2, n-1} sd / sqrt(n); NAN when n < 2 */
};

/* Mean and confidence interval (level, e.g. 0.95) of the finite entries of x[0..n). */
void vgs_ci_mean(const double *x, size_t n, double level, struct vgs_ci *out);

/*
 * Paired comparison of a and b (the same seeds at the same index): the interval of the mean of the
 * differences a[i] - b[i] over the indexes where both are finite.  Returns true when the difference
 * is significant at `level`: the interval excludes 0, or every difference is the same non-zero value
 * (sd 0: a deterministic difference).
 */
bool vgs_ci_paired(const double *a, const double *b, size_t n, double level, struct vgs_ci *diff);

#endif
