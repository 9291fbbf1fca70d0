/*
 * Log-bucketed quantile sketch; the bucket layout and its error bound are derived in histogram.h.
 * The count array covers only the index range seen so far and grows (doubling, capped at the range
 * uint64_t values can reach) when a sample falls outside it.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/base/histogram.h"

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

/* The bucket of x >= 1 by the formula of histogram.h, as computed in double precision. */
static int32_t hist_index_log(double inv_log_gamma, double x)
{
	int32_t i = (int32_t)ceil(log(x) * inv_log_gamma);

	return i < 0 ? 0 : i;
}

/*
 * The same index without a log() per sample.  A sample's bucket depends only on the double (double)v;
 * the doubles >= 1 are cut into cells by their exponent and the top CELL_BITS bits of their mantissa,
 * so a cell spans a ratio of at most 1 + 2^-CELL_BITS < gamma and holds at most one bucket boundary:
 * the cell's first index and the first double (by bit pattern, which orders positive doubles) where
 * the next index starts, found with the formula itself (a binary search over the cell's doubles, the
 * formula being non-decreasing).  An octave's cells are computed when a sample first falls in it, for
 * the gamma the metrics use (VGS_HIST_GAMMA); a cell whose ends the formula puts more than one bucket
 * apart, and any other gamma, use the formula.  tests/unit/test_histogram.c compares the two.
 */
#define CELL_BITS 7
#define CELL_SHIFT (52 - CELL_BITS)
#define CELL_SLOW INT16_MIN

static struct {
	double inv_log_gamma;       /* 1 / ln(VGS_HIST_GAMMA), as vgs_hist_init computes it */
	uint8_t built[65];          /* octave e (doubles in [2^e, 2^(e+1)), 2^64 the last) computed */
	int16_t lo[65 << CELL_BITS];        /* the index of the cell's first double, or CELL_SLOW */
	uint64_t next[65 << CELL_BITS];     /* bits of the first double of index lo + 1 (UINT64_MAX: none) */
} fast;

static double bits_double(uint64_t b)
{
	double x;

	memcpy(&x, &b, sizeof(x));
	return x;
}

static void fast_build(uint32_t e)
{
	double inv = fast.inv_log_gamma;

	for (uint64_t j = 0; j < (1u << CELL_BITS); j++) {
		uint32_t c = (e << CELL_BITS) | (uint32_t)j;
		uint64_t b0 = ((uint64_t)(1023 + e) << 52) | (j << CELL_SHIFT), b1 = b0 + (1ull << CELL_SHIFT) - 1;
		int32_t i0 = hist_index_log(inv, bits_double(b0)), i1 = hist_index_log(inv, bits_double(b1));

		fast.lo[c] = (int16_t)i0;
		fast.next[c] = UINT64_MAX;
		if (i1 == i0)
			continue;
		if (i1 != i0 + 1 || i0 > INT16_MAX - 1) {
			fast.lo[c] = CELL_SLOW;
			continue;
		}
		/* the first double of the cell with index i1: in (b0, b1] */
		while (b1 - b0 > 1) {
			uint64_t mid = b0 + (b1 - b0) / 2;

			if (hist_index_log(inv, bits_double(mid)) > i0)
				b1 = mid;
			else
				b0 = mid;
		}
		fast.next[c] = b1;
	}
	fast.built[e] = 1;
}

static int32_t hist_index(const struct vgs_hist *h, uint64_t v)
{
	double x = (double)v;
	uint64_t b;
	uint32_t c;

	if (h->inv_log_gamma != fast.inv_log_gamma)
		return hist_index_log(h->inv_log_gamma, x);
	memcpy(&b, &x, sizeof(b));
	c = (uint32_t)((b >> CELL_SHIFT) - ((uint64_t)1023 << CELL_BITS)); /* v >= 1: exponent >= 1023 */
	if (!fast.built[c >> CELL_BITS])
		fast_build(c >> CELL_BITS);
	if (fast.lo[c] == CELL_SLOW)
		return hist_index_log(h->inv_log_gamma, x);
	return fast.lo[c] + (b >= fast.next[c]);
}

int32_t vgs_hist_index(const struct vgs_hist *h, uint64_t v)
{
	return hist_index(h, v);
}

void vgs_hist_init(struct vgs_hist *h, double gamma)
{
	memset(h, 0, sizeof(*h));
	h->gamma = (gamma > 1.0 && isfinite(gamma)) ? gamma : VGS_HIST_GAMMA;
	h->inv_log_gamma = 1.0 / log(h->gamma);
	if (!fast.inv_log_gamma)
		fast.inv_log_gamma = 1.0 / log(VGS_HIST_GAMMA);
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
