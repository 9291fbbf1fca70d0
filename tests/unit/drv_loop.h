/*
 * The driver model (models/driver/driver.h) run to the end of a scenario by a test's own platform, on a
 * simulated clock: what tests/unit/test_driver.c and test_spatial.c share.  Builds the driver with
 * `ops` (d is the first member of the test's platform struct), opens the metrics in a temporary
 * directory, fires timers and runs what they notify until the end of the run, closes and frees it all.
 * *now is the platform's clock (its ops->now returns it).  0, or -1 when the build failed.
 */
#ifndef VGS_TEST_DRV_LOOP_H
#define VGS_TEST_DRV_LOOP_H

#include <stdint.h>

#include "models/driver/driver.h"

int drv_test_run(struct drv *d, const struct vgs_scenario *s, const struct drv_ops *ops, uint64_t *now);

#endif
