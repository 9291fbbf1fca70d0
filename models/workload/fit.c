/*
 * Fitting distributions to a sample (models/workload/fit.h).
 *
 * The two-lognormal mixture is fitted by expectation-maximisation on y = ln x (a mixture of two
 * normals there): each round gives every sample its responsibility r_i = w1 N1(y_i) / (w1 N1(y_i) +
 * w2 N2(y_i)) and re-estimates w, mu and sigma^2 of each component as r-weighted moments; 200 rounds
 * from the lower and upper half of the sample, variances floored so that a component never collapses
 * onto one value.  A normal (mu, sigma^2) of ln x is the lognormal of mean exp(mu + sigma^2 / 2) and
 * cv sqrt(exp(sigma^2) - 1): the form dist.h takes.
 */
#include <math.h>

#include <glib.h>

#include "models/workload/fit.h"

/* The table's cumulative probabilities: dense where p50, p90 and p99 are read. */
static const double fit_probs[] = { 0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99, 1 };

#define EM_ROUNDS 200
#define EM_VAR_FLOOR 1e-6

double vgs_fit_quantile(const double *sorted, size_t n, double q)
{
	size_t k = (size_t)ceil(q * (double)n);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return sorted[k - 1];
}

double vgs_fit_dist_quantile(const struct vgs_dist *d, double q)
{
	double lo = 0, hi = 1;

	while (vgs_dist_cdf(d, hi) < q && hi < 1e18)
		hi *= 2;
	for (int i = 0; i < 200 && hi - lo > 1e-6 * hi; i++) {
		double mid = (lo + hi) / 2;

		if (vgs_dist_cdf(d, mid) < q)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

double vgs_fit_ks(const double *sorted, size_t n, const struct vgs_dist *d)
{
	double ks = 0;

	/* At each distinct value x: F_n jumps from (first index)/n just below x to (last index + 1)/n at x;
	 * compare both with F just below x and at x (an atom of d, or ties in the sample, make them differ). */
	for (size_t i = 0; i < n;) {
		size_t j = i;
		double x = sorted[i];

		while (j + 1 < n && sorted[j + 1] == x)
			j++;
		ks = fmax(ks, fabs(vgs_dist_cdf(d, nextafter(x, -INFINITY)) - (double)i / (double)n));
		ks = fmax(ks, fabs(vgs_dist_cdf(d, x) - (double)(j + 1) / (double)n));
		i = j + 1;
	}
	return ks;
}

double vgs_fit_ks_critical(size_t n)
{
	return 1.36 / sqrt((double)(n ? n : 1));
}

/* Mean and cv of sorted[0..n), as a lognormal. */
struct vgs_dist vgs_fit_lognormal(const double *sorted, size_t n)
{
	double m = 0, ss = 0;

	for (size_t i = 0; i < n; i++)
		m += sorted[i];
	m /= (double)n;
	for (size_t i = 0; i < n; i++)
		ss += (sorted[i] - m) * (sorted[i] - m);
	return vgs_dist_make(VGS_DIST_LOGNORMAL, m, n > 1 && m > 0 ? sqrt(ss / (double)(n - 1)) / m : 0);
}

static double normal_pdf(double y, double mu, double var)
{
	return exp(-(y - mu) * (y - mu) / (2 * var)) / sqrt(2 * M_PI * var);
}

/* A lognormal of mean and cv from the normal (mu, var) of its logarithm. */
static struct vgs_dist from_log(double mu, double var)
{
	return vgs_dist_make(VGS_DIST_LOGNORMAL, exp(mu + var / 2), sqrt(expm1(var)));
}

struct vgs_dist vgs_fit_mixture(const double *sorted, size_t n)
{
	double *y = g_new(double, n), *r = g_new(double, n);
	double w = 0.5, mu[2] = { 0, 0 }, var[2] = { 0, 0 }, wt[2];
	size_t half = n / 2 ? n / 2 : 1;
	struct vgs_dist comp[2];

	for (size_t i = 0; i < n; i++)
		y[i] = log(fmax(sorted[i], 1));
	for (size_t i = 0; i < n; i++)
		r[i] = i < half ? 1 : 0; /* responsibility of component 0: the lower half to start with */
	for (int round = 0; round <= EM_ROUNDS; round++) {
		/* M step: weighted moments */
		double s0 = 0, s1 = 0;

		mu[0] = mu[1] = var[0] = var[1] = 0;
		for (size_t i = 0; i < n; i++) {
			s0 += r[i];
			s1 += 1 - r[i];
			mu[0] += r[i] * y[i];
			mu[1] += (1 - r[i]) * y[i];
		}
		if (s0 <= 0 || s1 <= 0)
			break;
		mu[0] /= s0;
		mu[1] /= s1;
		for (size_t i = 0; i < n; i++) {
			var[0] += r[i] * (y[i] - mu[0]) * (y[i] - mu[0]);
			var[1] += (1 - r[i]) * (y[i] - mu[1]) * (y[i] - mu[1]);
		}
		var[0] = fmax(var[0] / s0, EM_VAR_FLOOR);
		var[1] = fmax(var[1] / s1, EM_VAR_FLOOR);
		w = s0 / (double)n;
		if (round == EM_ROUNDS)
			break;
		/* E step */
		for (size_t i = 0; i < n; i++) {
			double a = w * normal_pdf(y[i], mu[0], var[0]), b = (1 - w) * normal_pdf(y[i], mu[1], var[1]);

			r[i] = a + b > 0 ? a / (a + b) : (fabs(y[i] - mu[0]) < fabs(y[i] - mu[1]));
		}
	}
	g_free(y);
	g_free(r);
	if (!(w > 0 && w < 1))
		return vgs_fit_lognormal(sorted, n);
	comp[0] = from_log(mu[0], var[0]);
	comp[1] = from_log(mu[1], var[1]);
	wt[0] = w;
	wt[1] = 1 - w;
	return vgs_dist_make_mixture(comp, wt, 2);
}

struct vgs_dist vgs_fit_table(const double *sorted, size_t n)
{
	size_t k = G_N_ELEMENTS(fit_probs);
	double x[G_N_ELEMENTS(fit_probs)];

	for (size_t i = 0; i < k; i++)
		x[i] = i == 0 ? sorted[0] : vgs_fit_quantile(sorted, n, fit_probs[i]);
	return vgs_dist_make_table(fit_probs, x, k);
}

void vgs_fit_best(const double *sorted, size_t n, bool table_only, struct vgs_fit *out)
{
	double crit = vgs_fit_ks_critical(n);

	if (!table_only) {
		out->d = vgs_fit_lognormal(sorted, n);
		out->ks = vgs_fit_ks(sorted, n, &out->d);
		out->why = "lognormal (mean and cv of the capture): passes the KS test at 5 %";
		if (out->ks <= crit)
			return;
		vgs_dist_fini(&out->d);
		out->d = vgs_fit_mixture(sorted, n);
		out->ks = vgs_fit_ks(sorted, n, &out->d);
		out->why = "mixture of two lognormals: a lognormal fails the KS test at 5 %, the mixture passes";
		if (out->ks <= crit)
			return;
		vgs_dist_fini(&out->d);
		out->why = "empirical quantile table: neither a lognormal nor a mixture of two passes the KS test at 5 %";
	} else {
		out->why = "empirical quantile table: its p50, p90 and p99 are the capture's";
	}
	out->d = vgs_fit_table(sorted, n);
	out->ks = vgs_fit_ks(sorted, n, &out->d);
}
