/*
 * xoshiro256** (Blackman & Vigna, 2018) seeded through splitmix64, plus the few distributions the
 * generators need.  Everything is integer arithmetic except the final transforms (log, cos, exp,
 * sqrt), which are correctly rounded or nearly so in every libm we build on: the same seed gives the
 * same integer nanoseconds on every platform we test.
 *
 * No hidden state: a normal deviate consumes two uniforms and discards the second Box-Muller value,
 * so the sequence depends only on struct vgs_rng (4 words), never on call history kept elsewhere.
 */
#include <math.h>

#include "models/base/rng.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

void vgs_rng_seed(struct vgs_rng *r, uint64_t seed)
{
	uint64_t x = seed;

	/* splitmix64 never yields four zero words in a row, so the all-zero state cannot occur. */
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

uint64_t vgs_rng_derive(uint64_t seed, uint64_t index)
{
	/* Two splitmix64 rounds over (seed, index): neighbouring indexes give unrelated seeds, and
	 * derive(s, i) != derive(s', i') for all small distinct inputs in practice. */
	uint64_t x = seed;
	uint64_t a = splitmix64(&x);
	uint64_t y = a ^ (index * 0xD1B54A32D192ED03ull);

	return splitmix64(&y);
}

uint64_t vgs_rng_u64(struct vgs_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double vgs_rng_uniform(struct vgs_rng *r)
{
	/* 53 high bits -> [0, 1) with every double equally spaced by 2^-53. */
	return (double)(vgs_rng_u64(r) >> 11) * 0x1.0p-53;
}

double vgs_rng_exp(struct vgs_rng *r, double mean)
{
	/* Inversion; 1 - u lies in (0, 1], so log never sees 0. */
	return -mean * log(1.0 - vgs_rng_uniform(r));
}

double vgs_rng_normal(struct vgs_rng *r, double mean, double sd)
{
	/* Box-Muller, cosine branch only (see the top comment). */
	double u1 = 1.0 - vgs_rng_uniform(r); /* (0, 1] */
	double u2 = vgs_rng_uniform(r);

	return mean + sd * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

double vgs_rng_lognormal(struct vgs_rng *r, double mean, double cv)
{
	/*
	 * X = exp(mu + sigma Z).  E[X] = exp(mu + sigma^2/2) and Var[X]/E[X]^2 = exp(sigma^2) - 1, so
	 * for a requested mean m and coefficient of variation cv:
	 *     sigma^2 = ln(1 + cv^2),   mu = ln(m) - sigma^2 / 2.
	 */
	if (mean <= 0.0)
		return 0.0;
	if (cv <= 0.0)
		return mean;
	double s2 = log1p(cv * cv);

	return exp(log(mean) - s2 / 2.0 + sqrt(s2) * vgs_rng_normal(r, 0.0, 1.0));
}
