/* Distribution specs: parse from a config value, sample, describe.  See models/workload/dist.h. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/workload/dist.h"
#include "models/workload/workload_priv.h"

/* The largest time (1e7 s, as simulation.duration_s) and cv a distribution may be given. */
#define VGS_DIST_MAX_NS 1e16
#define VGS_DIST_MAX_CV 1000.0

static const char *const kind_names[] = { "const", "normal", "lognormal", "exp", "uniform" };

const char *vgs_dist_kind_name(enum vgs_dist_kind kind)
{
	return (unsigned)kind < sizeof(kind_names) / sizeof(kind_names[0]) ? kind_names[kind] : "?";
}

struct vgs_dist vgs_dist_make(enum vgs_dist_kind kind, double mean_ns, double cv)
{
	return (struct vgs_dist){ .kind = kind, .mean_ns = mean_ns, .cv = cv, .min_ns = 0, .max_ns = INFINITY };
}

static int get_number(const config_setting_t *s, double *v)
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

int vgs_dist_parse(const config_setting_t *s, double unit_ns, struct vgs_dist *d, struct vgs_error *err)
{
	const char *key = config_setting_name(s) ? config_setting_name(s) : "?";
	double v;

	if (get_number(s, &v) == 0) {
		if (v < 0) {
			vgs_error_set(err, "%s: workload key '%s': expected a duration >= 0, got %g",
				      vgs_wl_where(s), key, v);
			return -1;
		}
		*d = vgs_dist_make(VGS_DIST_CONST, v * unit_ns, 0);
		return 0;
	}
	if (!config_setting_is_group(s)) {
		vgs_error_set(err, "%s: workload key '%s': expected a number or a group { dist = \"lognormal\"; "
			      "mean = ...; cv = ...; }", vgs_wl_where(s), key);
		return -1;
	}

	struct vgs_dist r = vgs_dist_make(VGS_DIST_CONST, NAN, NAN);
	bool have_min = false, have_max = false, have_kind = false;

	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *m = config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_name(m);

		if (strcmp(name, "dist") == 0) {
			const char *kname = config_setting_get_string(m);
			int k;

			for (k = 0; kname && k < (int)(sizeof(kind_names) / sizeof(kind_names[0])); k++)
				if (strcmp(kname, kind_names[k]) == 0)
					break;
			if (!kname || k == (int)(sizeof(kind_names) / sizeof(kind_names[0]))) {
				vgs_error_set(err, "%s: '%s.dist': expected one of \"const\", \"normal\", "
					      "\"lognormal\", \"exp\", \"uniform\"", vgs_wl_where(m), key);
				return -1;
			}
			r.kind = (enum vgs_dist_kind)k;
			have_kind = true;
			continue;
		}
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

		if (get_number(m, &v) != 0 || !(v >= 0) || v > hi) {
			vgs_error_set(err, "%s: '%s.%s': expected a number in [0, %g]", vgs_wl_where(m), key, name, hi);
			return -1;
		}
		*dst = dst == &r.cv ? v : v * unit_ns;
		have_min |= dst == &r.min_ns;
		have_max |= dst == &r.max_ns;
	}
	if (!have_kind) {
		vgs_error_set(err, "%s: '%s': expected dist = \"const\" | \"normal\" | \"lognormal\" | \"exp\" | "
			      "\"uniform\"", vgs_wl_where(s), key);
		return -1;
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

static double sample(const struct vgs_dist *d, struct vgs_rng *r)
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
	return to_ns(sample(d, r), 1);
}

uint64_t vgs_dist_sample_gap_ns(const struct vgs_dist *d, struct vgs_rng *r)
{
	/* A constant 0 consumes no random numbers either way; keep it exactly 0. */
	return to_ns(sample(d, r), 0);
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

int vgs_wl_get_dist(const config_setting_t *g, const char *key, double unit_ns, struct vgs_dist *out,
		    struct vgs_error *err)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	return s ? vgs_dist_parse(s, unit_ns, out, err) : 0;
}
