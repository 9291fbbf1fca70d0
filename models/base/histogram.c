/*
 * Log-bucketed quantile sketch; the bucket layout and its error bound are derived in histogram.h.
 * The count array covers only the index range seen so far and grows (doubling, capped at the range
 * uint64_t values can reach) when a sample falls outside it.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/base/histogram.h"

void vgs_hist_init(struct vgs_hist *h, double gamma)
{
	memset(h, 0, sizeof(*h));
	h->gamma = (gamma > 1.0 && isfinite(gamma)) ? gamma : VGS_HIST_GAMMA;
	h->inv_log_gamma = 1.0 / log(h->gamma);
}

void vgs_hist_fini(struct vgs_hist *h)
{
	free(h->counts);
	h->counts = NULL;
	h->nbuckets = 0;
}

/* Largest index a uint64_t sample can have: ceil(ln(2^64) / ln(gamma)), plus one for rounding. */
static int32_t hist_max_index(const struct vgs_hist *h)
{
	return (int32_t)ceil(64.0 * log(2.0) * h->inv_log_gamma) + 1;
}

static int32_t hist_index(const struct vgs_hist *h, uint64_t v)
{
	int32_t i = (int32_t)ceil(log((double)v) * h->inv_log_gamma);

	return i < 0 ? 0 : i;
}

/* Make counts[] cover index i.  0, or -1 when out of memory (h unchanged). */
static int hist_cover(struct vgs_hist *h, int32_t i)
{
	int32_t lo, hi, cur_hi, imax = hist_max_index(h);
	uint32_t n;
	uint64_t *c;

	if (h->counts && i >= h->lo && i < h->lo + (int32_t)h->nbuckets)
		return 0;
	if (!h->counts) {
		lo = i - 16;
		hi = i + 47;
	} else {
		n = h->nbuckets < 32 ? 32 : h->nbuckets;
		cur_hi = h->lo + (int32_t)h->nbuckets - 1;
		if (i < h->lo) {
			lo = i < h->lo - (int32_t)n ? i : h->lo - (int32_t)n;
			hi = cur_hi;
		} else {
			lo = h->lo;
			hi = i > cur_hi + (int32_t)n ? i : cur_hi + (int32_t)n;
		}
	}
	if (lo < 0)
		lo = 0;
	if (hi > imax)
		hi = imax;
	if (i < lo || i > hi)
		return -1; /* cannot happen: hist_index() stays within [0, imax] */
	n = (uint32_t)(hi - lo + 1);
	c = calloc(n, sizeof(*c));
	if (!c)
		return -1;
	if (h->counts) {
		memcpy(c + (h->lo - lo), h->counts, h->nbuckets * sizeof(*c));
		free(h->counts);
	}
	h->counts = c;
	h->lo = lo;
	h->nbuckets = n;
	return 0;
}

void vgs_hist_add(struct vgs_hist *h, uint64_t v)
{
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (h->count == 0 || v > h->max)
		h->max = v;
	h->count++;
	h->sum = (UINT64_MAX - h->sum < v) ? UINT64_MAX : h->sum + v;
	if (v == 0) {
		h->zeros++;
		return;
	}
	if (h->oom)
		return;
	int32_t i = hist_index(h, v);
	if (hist_cover(h, i) < 0) {
		h->oom = 1;
		return;
	}
	h->counts[i - h->lo]++;
}

double vgs_hist_rel_error(const struct vgs_hist *h)
{
	return (h->gamma - 1.0) / (h->gamma + 1.0);
}

double vgs_hist_mean(const struct vgs_hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : NAN;
}

double vgs_hist_quantile(const struct vgs_hist *h, double q)
{
	uint64_t k, cum;
	double est;

	if (h->count == 0 || h->oom || !(q >= 0.0))
		return NAN;
	if (q <= 0.0)
		return (double)h->min;
	if (q >= 1.0)
		return (double)h->max;
	k = (uint64_t)ceil(q * (double)h->count);
	if (k < 1)
		k = 1;
	if (k > h->count)
		k = h->count;
	if (k <= h->zeros)
		return 0.0;
	cum = h->zeros;
	for (uint32_t b = 0; b < h->nbuckets; b++) {
		cum += h->counts[b];
		if (cum >= k) {
			est = 2.0 * pow(h->gamma, (double)(h->lo + (int32_t)b)) / (h->gamma + 1.0);
			if (est < (double)h->min)
				est = (double)h->min;
			if (est > (double)h->max)
				est = (double)h->max;
			return est;
		}
	}
	return (double)h->max; /* unreachable: the buckets hold every non-zero sample */
}
