/*
 * Reading a run's units.csv back (docs/metrics.md): what per-unit rows say beyond the per-tenant
 * totals of tenants.csv.
 *
 *   windows.csv   each tenant's unit rate, latency p50/p99 and unit-interval p99 per window of time
 *                 (`run --windows`, default 1 s): a policy's transient behaviour (a burst, a session
 *                 arriving) made visible, and `vgpusim plot`'s time series;
 *   intervals     the unit interval -- the time between a tenant's consecutive unit completions, the
 *                 frame time a stream's viewer sees -- over the measured window, per tenant (p50,
 *                 p99), for `vgpusim compare`.
 *
 * units.csv is in completion order, so both stream it once with one histogram per tenant: memory
 * O(tenants), whatever the run's length.
 */
#ifndef VGS_UNITS_H
#define VGS_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "models/base/error.h"

/* Default window of windows.csv: 1 s. */
#define VGS_WINDOW_NS_DEFAULT 1000000000ull

/*
 * Write DIR/windows.csv from DIR/units.csv: windows [k w, (k+1) w) from 0 to end_ns (the last one may
 * be shorter), one row per window and tenant (tenants[0..n), scenario order), a unit counting in the
 * window its completion falls in:
 *     window,start_s,end_s,tenant,units,unit_rate_per_s,lat_p50_ms,lat_p99_ms,interval_p99_ms,
 *     deadline_misses,measured
 * measured is 1 for the windows that start at or after warmup_ns.  0, or -1 with err set.
 */
int vgs_windows_write(const char *dir, char *const *tenants, size_t n, uint64_t window_ns, uint64_t warmup_ns,
		      uint64_t end_ns, struct vgs_error *err);

/* One tenant's numbers in one window of vgs_windows_scan (quantiles NAN when it completed no unit). */
struct vgs_window_stat {
	uint64_t units, misses;
	double rate;                 /* units per second of the window */
	double lat_p50_ns, lat_p99_ns, ival_p99_ns;
};
typedef void (*vgs_window_fn)(void *user, uint64_t k, uint64_t start_ns, uint64_t end_ns, size_t tenant,
			      const struct vgs_window_stat *st);
/* The windows of windows.csv, handed to fn window by window, each tenant in order.  0, or -1. */
int vgs_windows_scan(const char *dir, char *const *tenants, size_t n, uint64_t window_ns, uint64_t end_ns,
		     vgs_window_fn fn, void *user, struct vgs_error *err);

/* A tenant's unit intervals over the measured window (intervals ending in it). */
struct vgs_unit_intervals {
	uint64_t count;
	double p50_ms, p99_ms;       /* NAN when count = 0 */
};

/*
 * The unit intervals of tenants[0..n) from DIR/units.csv (out[i] for tenants[i]); rows of other
 * tenants are ignored.  0, or -1 with err set.
 */
int vgs_units_intervals(const char *dir, char *const *tenants, size_t n, struct vgs_unit_intervals *out,
			struct vgs_error *err);

#endif
