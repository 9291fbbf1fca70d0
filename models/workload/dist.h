/*
 * Distribution specs: how a generator parameter such as `gfx_ms` or `kernel_us` is written in a
 * config and sampled.  In a config a parameter is either a number (a constant) or a group
 *
 *     gfx_ms = { dist = "lognormal"; mean = 7.1; cv = 0.25; min = 1.0; max = 40.0; };
 *
 * in the unit named by the key's suffix (_ms, _us, _ns).  Kinds and their keys:
 *     const      mean
 *     normal     mean, cv (sd = cv * mean)
 *     lognormal  mean, cv (of the result, not of the underlying normal)
 *     exp        mean
 *     uniform    mean, cv (half-width sqrt(3) * cv * mean) or min and max without mean
 *     pareto     alpha (> 1, the tail index) and mean or scale (the smallest value): a heavy tail
 *     empirical  a quantile table: values (ascending) at cumulative probabilities p (ascending from
 *                0 to 1; default equally spaced), sampled by linear interpolation of the inverse CDF;
 *                or a histogram: bins (n+1 ascending edges) and counts (n, >= 0), uniform within a
 *                bin; or file = "PATH" holding "value" or "p value" lines (# comments), relative to
 *                the config file the key is written in
 *     mixture    of = ( { weight = w; dist = ...; }, ... ): a component drawn by weight, then sampled
 * min and max clamp every kind.  Samples are nanoseconds, clamped to >= 1 ns after that, so a
 * command never has zero work.  Clamping truncates the tails: a normal with cv > 0.3 has a mean
 * slightly above `mean`; lognormal, the default everywhere, needs no clamp.
 *
 * The simple kinds are a value type.  empirical and mixture hang a table off `ext`, owned by the
 * struct: whoever parsed a dist frees it with vgs_dist_fini() (a no-op for the simple kinds).
 */
#ifndef VGS_DIST_H
#define VGS_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <libconfig.h>

#include "models/base/rng.h"
#include "models/base/error.h"

enum vgs_dist_kind {
	VGS_DIST_CONST = 0,
	VGS_DIST_NORMAL,
	VGS_DIST_LOGNORMAL,
	VGS_DIST_EXP,
	VGS_DIST_UNIFORM,
	VGS_DIST_PARETO,
	VGS_DIST_EMPIRICAL,
	VGS_DIST_MIXTURE,
};

struct vgs_dist_ext;

struct vgs_dist {
	enum vgs_dist_kind kind;
	double mean_ns;  /* pareto: the mean (mean = scale * alpha / (alpha - 1)); empirical, mixture: theirs */
	double cv;
	double alpha;    /* pareto: tail index */
	double min_ns;  /* 0 when not given */
	double max_ns;  /* INFINITY when not given */
	struct vgs_dist_ext *ext; /* empirical, mixture: the table (owned) */
};

/* An empirical table (points ascending in both p and value) or a mixture's components. */
struct vgs_dist_ext {
	size_t n;
	double *p;              /* empirical: cumulative probability of each point, p[0] = 0, p[n-1] = 1;
	                         * mixture: cumulative weight of each component, the last = 1 */
	double *x_ns;           /* empirical: the value at p[i] */
	struct vgs_dist *comp;  /* mixture: n components */
};

/* A constant, or a `kind` with mean and cv, in ns; no clamp. */
struct vgs_dist vgs_dist_make(enum vgs_dist_kind kind, double mean_ns, double cv);
/* An empirical dist from n points (p ascending from 0 to 1, x ascending, ns); copies them. */
struct vgs_dist vgs_dist_make_table(const double *p, const double *x_ns, size_t n);
/* A mixture of n components (moved into it: the caller must not fini them) with weights w (> 0). */
struct vgs_dist vgs_dist_make_mixture(struct vgs_dist *comp, const double *w, size_t n);
/* Free what d owns; d becomes a constant 0. */
void vgs_dist_fini(struct vgs_dist *d);

/*
 * Parse setting `s` (a number, or a group as above) whose values are in units of unit_ns (1e6 for
 * _ms).  0, or -1 with err set to "FILE:LINE: ..." naming the key.
 */
int vgs_dist_parse(const config_setting_t *s, double unit_ns, struct vgs_dist *d, struct vgs_error *err);

/* One sample in ns, >= 1: for work. */
uint64_t vgs_dist_sample_ns(const struct vgs_dist *d, struct vgs_rng *r);
/* One sample in ns, >= 0: for host gaps, where 0 (no think time) is meaningful. */
uint64_t vgs_dist_sample_gap_ns(const struct vgs_dist *d, struct vgs_rng *r);
/* One sample in ns before rounding (clamped to min and max only). */
double vgs_dist_sample(const struct vgs_dist *d, struct vgs_rng *r);

/* Expected value in ns before clamping (the `mean` the user wrote, or (min+max)/2, or the table's). */
double vgs_dist_mean_ns(const struct vgs_dist *d);
/* P(X <= x_ns), clamps included (the fitted CDF `vgpusim fit` measures its KS distance against). */
double vgs_dist_cdf(const struct vgs_dist *d, double x_ns);

/* "lognormal(7.1 ms, cv 0.25)" or "7.1 ms", in unit `unit` of unit_ns; returns buf. */
const char *vgs_dist_format(const struct vgs_dist *d, double unit_ns, const char *unit, char *buf, size_t n);
/* The config text of d in units of unit_ns, as vgs_dist_parse reads it back: "7.1" or "{ dist = ...; }". */
void vgs_dist_print_config(const struct vgs_dist *d, double unit_ns, GString *out);

const char *vgs_dist_kind_name(enum vgs_dist_kind kind);

/*
 * The same for a setting named `key` in messages; a mixture's component (component = true) is a group
 * that also holds its `weight`, read by the caller.
 */
int vgs_dist_parse_as(const config_setting_t *s, const char *key, double unit_ns, bool component,
		      struct vgs_dist *d, struct vgs_error *err);
/* An int or finite float setting as a double: 0, or -1 when it is neither. */
int vgs_dist_number(const config_setting_t *s, double *v);
/* dist.c: the group form of the kinds before VGS_DIST_PARETO (called by vgs_dist_parse_as). */
int vgs_dist_parse_simple(const config_setting_t *s, const char *key, double unit_ns, bool component,
			  enum vgs_dist_kind kind, struct vgs_dist *d, struct vgs_error *err);

#endif
