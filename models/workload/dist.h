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
 * min and max clamp every kind.  Samples are nanoseconds, clamped to >= 1 ns after that, so a
 * command never has zero work.  Clamping truncates the tails: a normal with cv > 0.3 has a mean
 * slightly above `mean`; lognormal, the default everywhere, needs no clamp.
 */
#ifndef VGS_DIST_H
#define VGS_DIST_H

#include <stddef.h>
#include <stdint.h>

#include <libconfig.h>

#include "models/base/rng.h"
#include "models/base/error.h"

enum vgs_dist_kind {
	VGS_DIST_CONST = 0,
	VGS_DIST_NORMAL,
	VGS_DIST_LOGNORMAL,
	VGS_DIST_EXP,
	VGS_DIST_UNIFORM,
};

struct vgs_dist {
	enum vgs_dist_kind kind;
	double mean_ns;
	double cv;
	double min_ns;  /* 0 when not given */
	double max_ns;  /* INFINITY when not given */
};

/* A constant, or a `kind` with mean and cv, in ns; no clamp. */
struct vgs_dist vgs_dist_make(enum vgs_dist_kind kind, double mean_ns, double cv);

/*
 * Parse setting `s` (a number, or a group as above) whose values are in units of unit_ns (1e6 for
 * _ms).  0, or -1 with err set to "FILE:LINE: ..." naming the key.
 */
int vgs_dist_parse(const config_setting_t *s, double unit_ns, struct vgs_dist *d, struct vgs_error *err);

/* One sample in ns, >= 1: for work. */
uint64_t vgs_dist_sample_ns(const struct vgs_dist *d, struct vgs_rng *r);
/* One sample in ns, >= 0: for host gaps, where 0 (no think time) is meaningful. */
uint64_t vgs_dist_sample_gap_ns(const struct vgs_dist *d, struct vgs_rng *r);

/* Expected value in ns before clamping (the `mean` the user wrote, or (min+max)/2). */
double vgs_dist_mean_ns(const struct vgs_dist *d);

/* "lognormal(7.1 ms, cv 0.25)" or "7.1 ms", in unit `unit` of unit_ns; returns buf. */
const char *vgs_dist_format(const struct vgs_dist *d, double unit_ns, const char *unit, char *buf, size_t n);

const char *vgs_dist_kind_name(enum vgs_dist_kind kind);

#endif
