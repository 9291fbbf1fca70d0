/*
 * Replications: what `compare --seeds N` and `run --seeds N` make of N runs of one scenario that differ
 * only in their seed (docs/compare.md, "Replications").  Every number gets its mean over the seeds
 * with a 95 % confidence interval (Student's t, models/results/stats.h); policies are ranked by mean
 * and each is compared with the best by a paired t test on the per-seed differences (every policy
 * runs the same seeds: common random numbers), and the report says where a difference is significant
 * and where there is none.  Output: seeds.csv (every per-seed number) and report.md.
 */
#ifndef VGS_SEEDS_H
#define VGS_SEEDS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/base/error.h"
#include "models/results/compare.h"

/* The confidence level of every interval. */
#define VGS_SEEDS_LEVEL 0.95

/*
 * A comparison over seeds: cmp[k] is the comparison of seed seeds[k] (collected; every cmp[k] has the
 * same runs, tenants and groups), each in DIR/seed-<seed>/.  Writes DIR/seeds.csv
 *     metric,group,policy,seed,value
 * (group empty for global metrics, value empty when undefined; metrics in vgs_cmp_metrics order) and
 * DIR/report.md.  0, or -1 with err set.
 */
int vgs_seeds_compare_write(const struct vgs_compare *cmp, const uint64_t *seeds, size_t n, const char *dir,
			    struct vgs_error *err);
/* The "significant differences" lines of that report (stdout of compare). */
void vgs_seeds_compare_summary(const struct vgs_compare *cmp, size_t n, FILE *out);

/*
 * `run --seeds N`: the runs DIR/seed-<seeds[k]>/ (NULL entries in failed[] say which failed: their
 * directories are skipped).  Writes DIR/seeds.csv
 *     tenant,metric,seed,value
 * (tenant "-" for the run's global numbers) and DIR/report.md with each number's mean and interval,
 * and prints that table to `out` (NULL: not).  0, or -1 with err set.
 */
int vgs_seeds_run_write(const char *dir, char *const *tenants, size_t ntenants, const uint64_t *seeds,
			char *const *failed, size_t n, FILE *out, struct vgs_error *err);

#endif
