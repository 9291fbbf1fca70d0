/*
 * Deterministic pseudo-random numbers (xoshiro256** seeded through splitmix64) and the distributions
 * the generators draw from.  Same seed, same sequence, on every platform: runs are reproducible.
 */
#ifndef VGS_RNG_H
#define VGS_RNG_H

#include <stdint.h>

struct vgs_rng {
	uint64_t s[4];
};

void vgs_rng_seed(struct vgs_rng *r, uint64_t seed);
/* Derive an independent seed for stream `index` of a run seeded with `seed`. */
uint64_t vgs_rng_derive(uint64_t seed, uint64_t index);
uint64_t vgs_rng_u64(struct vgs_rng *r);
double vgs_rng_uniform(struct vgs_rng *r);          /* [0, 1) */
double vgs_rng_exp(struct vgs_rng *r, double mean);
double vgs_rng_normal(struct vgs_rng *r, double mean, double sd);
/* Lognormal with the given mean and coefficient of variation (sd / mean) of the result. */
double vgs_rng_lognormal(struct vgs_rng *r, double mean, double cv);

#endif
