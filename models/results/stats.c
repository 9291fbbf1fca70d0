/*
 * Student's t and confidence intervals (models/results/stats.h).
 *
 * The t CDF comes from the regularized incomplete beta function:
 *     P(|T| > t) = I_x(df/2, 1/2),  x = df / (df + t^2)
 * and I_x(a, b) from its continued fraction (Abramowitz & Stegun 26.5.8), evaluated with the modified
 * Lentz method; the fraction converges fast for x < (a+1)/(a+b+2), and the symmetry
 * I_x(a, b) = 1 - I_{1-x}(b, a) covers the other side.  The quantile inverts the CDF by bisection on
 * t in [0, 2^40], 200 halvings: far below the 1e-6 the unit test asks of the tabulated values.
 */
#include <math.h>

#include "models/results/stats.h"

#define CF_ITER 300
#define CF_EPS 1e-15
#define CF_TINY 1e-300

/* One term of the modified Lentz method: c and d updated with the numerator num; returns the factor. */
static double lentz(double num, double *c, double *d)
{
	*d = 1 + num * *d;
	*c = 1 + num / *c;
	if (fabs(*d) < CF_TINY)
		*d = CF_TINY;
	if (fabs(*c) < CF_TINY)
		*c = CF_TINY;
	*d = 1 / *d;
	return *d * *c;
}

/* The continued fraction of I_x(a, b) (A&S 26.5.8), without the prefactor. */
static double beta_cf(double a, double b, double x)
{
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	if (fabs(d) < CF_TINY)
		d = CF_TINY;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= CF_ITER; m++) {
		double m2 = 2.0 * m, del;

		/* even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)) */
		h *= lentz(m * (b - m) * x / ((a + m2 - 1) * (a + m2)), &c, &d);
		/* odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)) */
		del = lentz(-(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1)), &c, &d);
		h *= del;
		if (fabs(del - 1) < CF_EPS)
			break;
	}
	return h;
}

/* The regularized incomplete beta function I_x(a, b), 0 <= x <= 1. */
static double beta_inc(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double vgs_t_cdf(double t, double df)
{
	double tail;

	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return t > 0 ? 1 : 0;
	tail = 0.5 * beta_inc(df / 2, 0.5, df / (df + t * t)); /* P(T > |t|) */
	return t >= 0 ? 1 - tail : tail;
}

double vgs_t_quantile(double p, double df)
{
	double lo = 0, hi = 0x1p40;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	if (p < 0.5)
		return -vgs_t_quantile(1 - p, df);
	if (p == 0.5)
		return 0;
	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;

		if (vgs_t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

void vgs_ci_mean(const double *x, size_t n, double level, struct vgs_ci *out)
{
	double sum = 0, ss = 0;
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i])) {
			sum += x[i];
			k++;
		}
	out->n = k;
	out->mean = k ? sum / (double)k : NAN;
	out->sd = out->half = NAN;
	if (k < 2)
		return;
	/* Two passes: the squares of deviations, not of values, so nearly equal runs lose no digits. */
	for (size_t i = 0; i < n; i++)
		if (isfinite(x[i]))
			ss += (x[i] - out->mean) * (x[i] - out->mean);
	out->sd = sqrt(ss / (double)(k - 1));
	out->half = vgs_t_quantile((1 + level) / 2, (double)(k - 1)) * out->sd / sqrt((double)k);
}

bool vgs_ci_paired(const double *a, const double *b, size_t n, double level, struct vgs_ci *diff)
{
	double d[n ? n : 1];

	for (size_t i = 0; i < n; i++)
		d[i] = isfinite(a[i]) && isfinite(b[i]) ? a[i] - b[i] : NAN;
	vgs_ci_mean(d, n, level, diff);
	if (diff->n < 2)
		return false;
	if (diff->sd == 0)
		return diff->mean != 0;
	return fabs(diff->mean) > diff->half;
}
