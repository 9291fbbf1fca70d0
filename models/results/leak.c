/*
 * Leakage estimators (leak.h).  The classifier is fitted by one sorted sweep over the training half:
 * O(n log n).  The information estimate bins the latency at its quantiles, so ties (a latency that
 * never changes, as behind MIG's isolation) fall into one bin and give exactly 0 bits.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/results/leak.h"
#include "models/results/results.h"

static int by_value(const void *a, const void *b)
{
	const struct vgs_leak_obs *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

/*
 * The threshold that classifies the training set best, by balanced accuracy (the mean of the two
 * bits' recalls), so that a class imbalance between the bits -- a short run sees few secret periods --
 * cannot pass for a leak: predicting one bit always scores exactly 1/2.  Sweeping the sorted values, at
 * each split the observations below are called one bit and those above the other; both polarities
 * are tried.  "All above" (threshold -inf) is the constant guess.
 */
static double balanced(size_t right1, size_t ones, size_t right0, size_t zeros)
{
	if (!ones || !zeros) /* one bit only: plain accuracy */
		return (double)(right1 + right0) / (double)(ones + zeros);
	return 0.5 * ((double)right1 / (double)ones + (double)right0 / (double)zeros);
}

static void fit(struct vgs_leak_obs *tr, size_t n, double *thr, int *above)
{
	size_t ones = 0, ones_below = 0;
	double best;

	for (size_t i = 0; i < n; i++)
		ones += tr[i].bit;
	qsort(tr, n, sizeof(*tr), by_value);
	*thr = -INFINITY;
	*above = ones * 2 >= n; /* everything above -inf: the constant guess */
	best = balanced(*above ? ones : 0, ones, *above ? 0 : n - ones, n - ones);
	for (size_t i = 0; i < n; i++) {
		size_t below = i + 1, zeros_below;

		ones_below += tr[i].bit;
		if (i + 1 < n && tr[i + 1].value == tr[i].value)
			continue;
		zeros_below = below - ones_below;
		/* "1 above": ones above and zeros below are right; "0 above": ones below and zeros above */
		double s1 = balanced(ones - ones_below, ones, zeros_below, n - ones);
		double s0 = balanced(ones_below, ones, (n - ones) - zeros_below, n - ones);

		if (s1 > best || s0 > best) {
			*above = s1 >= s0;
			best = s1 >= s0 ? s1 : s0;
			*thr = tr[i].value;
		}
	}
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Plug-in mutual information (bits) of the bit and the binned value, and the Miller-Madow corrected
 * one.  Bin of v = how many of the VGS_LEAK_BINS - 1 quantile edges are <= v: equal values share a bin.
 */
static void information(const struct vgs_leak_obs *obs, size_t n, struct vgs_leak *out)
{
	double *sorted = g_new(double, n), edges[VGS_LEAK_BINS - 1];
	size_t joint[VGS_LEAK_BINS][2] = { { 0 } }, col[VGS_LEAK_BINS] = { 0 }, row[2] = { 0 };
	int mx = 0, mb, mxb = 0;
	double mi = 0;

	for (size_t i = 0; i < n; i++)
		sorted[i] = obs[i].value;
	qsort(sorted, n, sizeof(double), by_double);
	for (int k = 1; k < VGS_LEAK_BINS; k++)
		edges[k - 1] = sorted[(size_t)((double)n * k / VGS_LEAK_BINS)];
	g_free(sorted);
	for (size_t i = 0; i < n; i++) {
		int b = 0;

		for (int k = 0; k < VGS_LEAK_BINS - 1; k++)
			b += edges[k] <= obs[i].value;
		joint[b][obs[i].bit]++;
		col[b]++;
		row[obs[i].bit]++;
	}
	for (int b = 0; b < VGS_LEAK_BINS; b++) {
		mx += col[b] > 0;
		for (int s = 0; s < 2; s++) {
			mxb += joint[b][s] > 0;
			if (joint[b][s])
				mi += (double)joint[b][s] / (double)n *
				      log2((double)joint[b][s] * (double)n / ((double)col[b] * (double)row[s]));
		}
	}
	mb = (row[0] > 0) + (row[1] > 0);
	out->bins = (uint32_t)mx;
	out->mi_plugin_bits = mi;
	out->mi_bits = fmax(0, mi + ((mx - 1) + (mb - 1) - (mxb - 1)) / (2.0 * (double)n * log(2.0)));
}

void vgs_leak_estimate(const struct vgs_leak_obs *obs, size_t n, struct vgs_leak *out)
{
	struct vgs_leak_obs *train;
	size_t ones = 0, right1 = 0, right0 = 0, test_ones = 0;

	memset(out, 0, sizeof(*out));
	out->n = n;
	out->accuracy = out->accuracy_sd = out->threshold = NAN;
	if (n < 2)
		return;
	for (size_t i = 0; i < n; i++)
		ones += obs[i].bit;
	out->p1 = (double)ones / (double)n;
	out->ntrain = n / 2;
	out->ntest = n - out->ntrain;
	train = g_memdup2(obs, out->ntrain * sizeof(*obs));
	fit(train, out->ntrain, &out->threshold, &out->above);
	g_free(train);
	for (size_t i = out->ntrain; i < n; i++) {
		int guess = obs[i].value > out->threshold ? out->above : !out->above;

		test_ones += obs[i].bit;
		if (guess == obs[i].bit)
			*(obs[i].bit ? &right1 : &right0) += 1;
	}
	out->accuracy = balanced(right1, test_ones, right0, out->ntest - test_ones);
	/* A coin's balanced accuracy: 1/2 +- sqrt(1/n1 + 1/n0) / 4, 0.5 / sqrt(ntest) when the bits are even. */
	out->accuracy_sd = test_ones && test_ones < out->ntest
				   ? 0.25 * sqrt(1.0 / (double)test_ones + 1.0 / (double)(out->ntest - test_ones))
				   : 0.5 / sqrt((double)out->ntest);
	information(obs, n, out);
}

int vgs_leak_observe(const char *path, const char *attacker, int (*bit_at)(void *ctx, uint64_t t_ns), void *ctx,
		     GArray *obs, struct vgs_error *err)
{
	struct vgs_table t;

	if (vgs_table_read(&t, path, err) < 0)
		return -1;
	for (guint r = 0; r < vgs_table_nrows(&t); r++) {
		const char *who = vgs_table_get(&t, r, "tenant"), *m = vgs_table_get(&t, r, "measured");
		double at = vgs_table_num(&t, r, "arrival_ns"), lat = vgs_table_num(&t, r, "latency_ns");
		struct vgs_leak_obs o;
		int bit;

		if (!who || strcmp(who, attacker) != 0 || !m || strcmp(m, "1") != 0 || isnan(at) || isnan(lat))
			continue;
		bit = bit_at(ctx, (uint64_t)at);
		if (bit < 0)
			continue;
		o.value = lat;
		o.bit = (uint8_t)bit;
		g_array_append_val(obs, o);
	}
	vgs_table_fini(&t);
	return 0;
}
