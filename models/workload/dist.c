/*
 * Distributions (models/workload/dist.h): making them, the group form of the two-parameter kinds
 * (const, normal, lognormal, exp, uniform: the entry point vgs_dist_parse() is in dist_parse.c),
 * sampling, CDF, mean and description.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/workload/dist.h"
#include "models/workload/workload_priv.h"

/* The largest time (1e7 s, as simulation.duration_s) and cv a distribution may be given. */
#define VGS_DIST_MAX_NS 1e16
#define VGS_DIST_MAX_CV 1000.0

static const char *const kind_names[] = { "const", "normal", "lognormal", "exp", "uniform", "pareto", "empirical",
					  "mixture" };


const char *vgs_dist_kind_name(enum vgs_dist_kind kind)
{
	return (unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "?";
}

struct vgs_dist vgs_dist_make(enum vgs_dist_kind kind, double mean_ns, double cv)
{
	return (struct vgs_dist){ .kind = kind, .mean_ns = mean_ns, .cv = cv, .min_ns = 0, .max_ns = INFINITY };
}

void vgs_dist_fini(struct vgs_dist *d)
{
	struct vgs_dist_ext *e = d->ext;

	if (e) {
		for (size_t i = 0; e->comp && i < e->n; i++)
			vgs_dist_fini(&e->comp[i]);
		g_free(e->comp);
		g_free(e->p);
		g_free(e->x_ns);
		g_free(e);
	}
	*d = vgs_dist_make(VGS_DIST_CONST, 0, 0);
}

struct vgs_dist vgs_dist_make_table(const double *p, const double *x_ns, size_t n)
{
	struct vgs_dist d = vgs_dist_make(VGS_DIST_EMPIRICAL, 0, 0);
	struct vgs_dist_ext *e = g_new0(struct vgs_dist_ext, 1);
	double m = 0;

	e->n = n;
	e->p = g_memdup2(p, n * sizeof(*p));
	e->x_ns = g_memdup2(x_ns, n * sizeof(*x_ns));
	/* The mean of a piecewise-linear inverse CDF: each segment is uniform on [x_i, x_i+1]. */
	for (size_t i = 0; i + 1 < n; i++)
		m += (p[i + 1] - p[i]) * (x_ns[i] + x_ns[i + 1]) / 2;
	d.mean_ns = n == 1 ? x_ns[0] : m;
	d.ext = e;
	return d;
}

struct vgs_dist vgs_dist_make_mixture(struct vgs_dist *comp, const double *w, size_t n)
{
	struct vgs_dist d = vgs_dist_make(VGS_DIST_MIXTURE, 0, 0);
	struct vgs_dist_ext *e = g_new0(struct vgs_dist_ext, 1);
	double sum = 0, acc = 0;

	for (size_t i = 0; i < n; i++)
		sum += w[i];
	e->n = n;
	e->p = g_new(double, n);
	e->comp = g_new(struct vgs_dist, n);
	for (size_t i = 0; i < n; i++) {
		acc += w[i];
		e->p[i] = i + 1 == n ? 1.0 : acc / sum;
		e->comp[i] = comp[i];
		d.mean_ns += w[i] / sum * vgs_dist_mean_ns(&comp[i]);
	}
	d.ext = e;
	return d;
}

int vgs_dist_number(const config_setting_t *s, double *v)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		*v = (double)config_setting_get_int64(s);
		return 0;
	case CONFIG_TYPE_FLOAT:
		*v = config_setting_get_float(s);
		return isfinite(*v) ? 0 : -1;
	default:
		return -1;
	}
}

int vgs_dist_parse_simple(const config_setting_t *s, const char *key, double unit_ns, bool component,
			  enum vgs_dist_kind kind, struct vgs_dist *d, struct vgs_error *err)
{
	struct vgs_dist r = vgs_dist_make(kind, NAN, NAN);
	bool have_min = false, have_max = false;
	double v;

	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(m);

		if (strcmp(name, "dist") == 0 || (component && strcmp(name, "weight") == 0))
			continue;
		double *dst = strcmp(name, "mean") == 0 ? &r.mean_ns :
			      strcmp(name, "cv") == 0   ? &r.cv :
			      strcmp(name, "min") == 0  ? &r.min_ns :
			      strcmp(name, "max") == 0  ? &r.max_ns : NULL;
		if (!dst) {
			vgs_error_set(err, "%s: unknown key '%s' in '%s'; expected one of: dist, mean, cv, min, max",
				      vgs_wl_where(m), name, key);
			return -1;
		}
		/* Times up to 1e7 s (as simulation.duration_s), a cv up to 1000: beyond, ns overflow or the
		 * distribution means nothing. */
		double hi = strcmp(name, "cv") == 0 ? VGS_DIST_MAX_CV : VGS_DIST_MAX_NS / unit_ns;

		if (vgs_dist_number(m, &v) != 0 || !(v >= 0) || v > hi) {
			vgs_error_set(err, "%s: '%s.%s': expected a number in [0, %g]", vgs_wl_where(m), key, name, hi);
			return -1;
		}
		*dst = dst == &r.cv ? v : v * unit_ns;
		have_min |= dst == &r.min_ns;
		have_max |= dst == &r.max_ns;
	}
	if (!have_min)
		r.min_ns = 0;
	if (!have_max)
		r.max_ns = INFINITY;
	if (r.max_ns < r.min_ns) {
		vgs_error_set(err, "%s: '%s': expected min <= max", vgs_wl_where(s), key);
		return -1;
	}
	bool uniform_range = r.kind == VGS_DIST_UNIFORM && isnan(r.mean_ns) && have_min && have_max;

	if (isnan(r.mean_ns) && !uniform_range) {
		vgs_error_set(err, "%s: '%s': expected a 'mean'%s", vgs_wl_where(s), key,
			      r.kind == VGS_DIST_UNIFORM ? " (or 'min' and 'max')" : "");
		return -1;
	}
	if ((r.kind == VGS_DIST_CONST || r.kind == VGS_DIST_EXP) && !isnan(r.cv)) {
		vgs_error_set(err, "%s: '%s': 'cv' does not apply to dist \"%s\"; expected mean (and min, max)",
			      vgs_wl_where(s), key, kind_names[r.kind]);
		return -1;
	}
	if ((r.kind == VGS_DIST_NORMAL || r.kind == VGS_DIST_LOGNORMAL) && isnan(r.cv)) {
		vgs_error_set(err, "%s: '%s': expected a 'cv' (sd / mean) for dist \"%s\"", vgs_wl_where(s), key, kind_names[r.kind]);
		return -1;
	}
	if (isnan(r.cv))
		r.cv = 0;
	if (uniform_range) {
		/* U[a, b] has mean (a+b)/2 and sd (b-a)/sqrt(12): store it as mean and cv. */
		r.mean_ns = (r.min_ns + r.max_ns) / 2;
		r.cv = r.mean_ns > 0 ? (r.max_ns - r.min_ns) / sqrt(12.0) / r.mean_ns : 0;
	}
	*d = r;
	return 0;
}

double vgs_dist_mean_ns(const struct vgs_dist *d)
{
	return d->mean_ns;
}

/* Pareto scale (its smallest value) from its mean: mean = scale * alpha / (alpha - 1). */
static double pareto_scale(const struct vgs_dist *d)
{
	return d->mean_ns * (d->alpha - 1) / d->alpha;
}

/* The empirical inverse CDF at u in [0, 1]: linear between the table's points. */
static double table_quantile(const struct vgs_dist_ext *e, double u)
{
	size_t lo = 0, hi = e->n - 1;

	while (hi - lo > 1) { /* p[lo] <= u < p[hi] */
		size_t mid = (lo + hi) / 2;

		if (e->p[mid] <= u)
			lo = mid;
		else
			hi = mid;
	}
	if (e->p[hi] <= e->p[lo])
		return e->x_ns[hi];
	return e->x_ns[lo] + (e->x_ns[hi] - e->x_ns[lo]) * (u - e->p[lo]) / (e->p[hi] - e->p[lo]);
}

double vgs_dist_sample(const struct vgs_dist *d, struct vgs_rng *r)
{
	double v;

	switch (d->kind) {
	case VGS_DIST_NORMAL:
		v = vgs_rng_normal(r, d->mean_ns, d->cv * d->mean_ns);
		break;
	case VGS_DIST_LOGNORMAL:
		v = vgs_rng_lognormal(r, d->mean_ns, d->cv);
		break;
	case VGS_DIST_EXP:
		v = vgs_rng_exp(r, d->mean_ns);
		break;
	case VGS_DIST_UNIFORM: {
		double half = sqrt(3.0) * d->cv * d->mean_ns;

		v = d->mean_ns - half + 2 * half * vgs_rng_uniform(r);
		break;
	}
	case VGS_DIST_PARETO:
		/* Inversion: 1 - u lies in (0, 1]. */
		v = pareto_scale(d) * pow(1.0 - vgs_rng_uniform(r), -1.0 / d->alpha);
		break;
	case VGS_DIST_EMPIRICAL:
		v = table_quantile(d->ext, vgs_rng_uniform(r));
		break;
	case VGS_DIST_MIXTURE: {
		const struct vgs_dist_ext *e = d->ext;
		double u = vgs_rng_uniform(r);
		size_t k = 0;

		while (k + 1 < e->n && u >= e->p[k])
			k++;
		v = vgs_dist_sample(&e->comp[k], r);
		break;
	}
	case VGS_DIST_CONST:
	default:
		v = d->mean_ns;
		break;
	}
	if (v < d->min_ns)
		v = d->min_ns;
	if (v > d->max_ns)
		v = d->max_ns;
	return v;
}

static uint64_t to_ns(double v, uint64_t floor_ns)
{
	if (!(v >= (double)floor_ns))
		return floor_ns;
	if (v >= 9.0e18)
		return UINT64_MAX / 2;
	return (uint64_t)llround(v);
}

uint64_t vgs_dist_sample_ns(const struct vgs_dist *d, struct vgs_rng *r)
{
	return to_ns(vgs_dist_sample(d, r), 1);
}

uint64_t vgs_dist_sample_gap_ns(const struct vgs_dist *d, struct vgs_rng *r)
{
	/* A constant 0 consumes no random numbers either way; keep it exactly 0. */
	return to_ns(vgs_dist_sample(d, r), 0);
}

/* The CDF before clamping. */
static double raw_cdf(const struct vgs_dist *d, double x)
{
	double m = d->mean_ns, sd = d->cv * d->mean_ns;

	switch (d->kind) {
	case VGS_DIST_NORMAL:
		return sd > 0 ? 0.5 * erfc(-(x - m) / (sd * M_SQRT2)) : (x >= m);
	case VGS_DIST_LOGNORMAL: {
		double s2 = log1p(d->cv * d->cv), mu = log(m) - s2 / 2;

		if (x <= 0)
			return 0;
		return s2 > 0 ? 0.5 * erfc(-(log(x) - mu) / sqrt(2 * s2)) : (x >= m);
	}
	case VGS_DIST_EXP:
		return x <= 0 ? 0 : -expm1(-x / m);
	case VGS_DIST_UNIFORM: {
		double half = sqrt(3.0) * d->cv * m;

		if (half <= 0)
			return x >= m;
		return fmin(1, fmax(0, (x - (m - half)) / (2 * half)));
	}
	case VGS_DIST_PARETO: {
		double xm = pareto_scale(d);

		return x < xm ? 0 : 1 - pow(xm / x, d->alpha);
	}
	case VGS_DIST_EMPIRICAL: {
		const struct vgs_dist_ext *e = d->ext;
		double c = 0;

		if (x < e->x_ns[0])
			return 0;
		for (size_t i = 0; i + 1 < e->n; i++) {
			if (x >= e->x_ns[i + 1]) {
				c = e->p[i + 1];
				continue;
			}
			if (e->x_ns[i + 1] > e->x_ns[i])
				c = e->p[i] + (e->p[i + 1] - e->p[i]) * (x - e->x_ns[i]) / (e->x_ns[i + 1] - e->x_ns[i]);
			break;
		}
		return x >= e->x_ns[e->n - 1] ? 1 : c;
	}
	case VGS_DIST_MIXTURE: {
		const struct vgs_dist_ext *e = d->ext;
		double c = 0, prev = 0;

		for (size_t i = 0; i < e->n; i++) {
			c += (e->p[i] - prev) * vgs_dist_cdf(&e->comp[i], x);
			prev = e->p[i];
		}
		return c;
	}
	case VGS_DIST_CONST:
	default:
		return x >= m;
	}
}

double vgs_dist_cdf(const struct vgs_dist *d, double x_ns)
{
	if (x_ns < d->min_ns)
		return 0;
	if (x_ns >= d->max_ns)
		return 1;
	return raw_cdf(d, x_ns);
}

const char *vgs_dist_format(const struct vgs_dist *d, double unit_ns, const char *unit, char *buf, size_t n)
{
	size_t len;

	switch (d->kind) {
	case VGS_DIST_CONST:
		len = (size_t)snprintf(buf, n, "%g %s", d->mean_ns / unit_ns, unit);
		break;
	case VGS_DIST_EXP:
		len = (size_t)snprintf(buf, n, "exp(%g %s)", d->mean_ns / unit_ns, unit);
		break;
	case VGS_DIST_PARETO:
		len = (size_t)snprintf(buf, n, "pareto(%g %s, alpha %g)", d->mean_ns / unit_ns, unit, d->alpha);
		break;
	case VGS_DIST_EMPIRICAL:
		len = (size_t)snprintf(buf, n, "empirical(%zu points, %g..%g %s, mean %g)", d->ext->n,
				       d->ext->x_ns[0] / unit_ns, d->ext->x_ns[d->ext->n - 1] / unit_ns, unit,
				       d->mean_ns / unit_ns);
		break;
	case VGS_DIST_MIXTURE:
		len = (size_t)snprintf(buf, n, "mixture(%zu components, mean %g %s)", d->ext->n, d->mean_ns / unit_ns,
				       unit);
		break;
	default:
		len = (size_t)snprintf(buf, n, "%s(%g %s, cv %g)", kind_names[d->kind], d->mean_ns / unit_ns, unit,
				       d->cv);
		break;
	}
	if (len < n && (d->min_ns > 0 || isfinite(d->max_ns))) {
		if (isfinite(d->max_ns))
			snprintf(buf + len, n - len, " in [%g, %g]", d->min_ns / unit_ns, d->max_ns / unit_ns);
		else
			snprintf(buf + len, n - len, " >= %g", d->min_ns / unit_ns);
	}
	return buf;
}
