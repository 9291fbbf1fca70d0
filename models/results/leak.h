/*
 * How much a side channel leaks (`vgpusim leak`, docs/spatial.md "Leakage"): an attacker's
 * observations -- the latencies of its own probes -- each labelled with the secret bit the victim
 * carried when the probe was submitted, and two numbers about them:
 *
 *   accuracy   balanced accuracy (the mean of the two bits' recalls) of the best single-threshold
 *              classifier ("bit 1 when the latency is above t", or below) fitted on the first half of
 *              the observations and scored on the second half: a coin, or any guess that ignores the
 *              latency, scores 0.5 +- sqrt(1/n1 + 1/n0) / 4 (n1, n0: test observations of each bit),
 *              however unevenly the run's secret periods fell;
 *   bits/obs   the mutual information I(bit; latency) per observation, by the plug-in (maximum-
 *              likelihood) estimator over VGS_LEAK_BINS equal-frequency bins of the latency with the
 *              Miller-Madow bias correction ((m - 1) / 2n nats per entropy, m its non-empty cells),
 *              clamped at 0.
 *
 * Plain C + GLib; reads units.csv of a run directory.
 */
#ifndef VGS_LEAK_H
#define VGS_LEAK_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

#include "models/base/error.h"

#define VGS_LEAK_BINS 8

struct vgs_leak_obs {
	double value;              /* the probe's latency, ns */
	uint8_t bit;               /* the victim's secret then */
};

struct vgs_leak {
	size_t n, ntrain, ntest;
	double p1;                 /* fraction of observations made during a 1 bit */
	double accuracy;           /* balanced, on the test half; NAN without test observations */
	double accuracy_sd;        /* a coin's standard deviation (above) */
	double threshold;          /* the classifier's: bit `above` when value > threshold */
	int above;
	double mi_bits;            /* Miller-Madow corrected, >= 0 */
	double mi_plugin_bits;     /* uncorrected plug-in estimate */
	uint32_t bins;             /* non-empty latency bins */
};

void vgs_leak_estimate(const struct vgs_leak_obs *obs, size_t n, struct vgs_leak *out);

/*
 * The observations of tenant `attacker` in units.csv at `path` (its measured units), each labelled by
 * bit_at(ctx, submission time in ns since the run started), appended to obs (struct vgs_leak_obs).
 * 0, or -1 with err set.
 */
int vgs_leak_observe(const char *path, const char *attacker, int (*bit_at)(void *ctx, uint64_t t_ns), void *ctx,
		     GArray *obs, struct vgs_error *err);

#endif
