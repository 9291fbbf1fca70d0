/* The driver model run by a test's platform on a simulated clock (drv_loop.h). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "models/results/metrics.h"
#include "tests/unit/drv_loop.h"

int drv_test_run(struct drv *d, const struct vgs_scenario *s, const struct drv_ops *ops, uint64_t *now)
{
	struct vgs_error err = { { 0 } };
	char dir[] = "/tmp/vgs-test-driver-XXXXXX";
	char *units;

	if (!mkdtemp(dir))
		return -1;
	if (drv_build(d, s, ops, &err) || !(d->metrics = vgs_metrics_new(s, dir, &err))) {
		fprintf(stderr, "drv_test_run: %s\n", err.msg);
		drv_free(d);
		rmdir(dir);
		return -1;
	}
	drv_start(d);
	for (;;) {
		while (vgs_timerheap_next(&d->timers) <= *now) {
			struct vgs_timer tm = vgs_timerheap_pop(&d->timers);

			drv_fire(d, &tm, *now);
		}
		drv_run_pending(d);
		if (vgs_timerheap_next(&d->timers) <= *now || drv_resume_yielded(d))
			continue;
		if (vgs_timerheap_next(&d->timers) >= d->end_ns)
			break;
		*now = vgs_timerheap_next(&d->timers);
	}
	drv_close(d, d->end_ns);
	vgs_metrics_free(d->metrics);
	drv_free(d);
	units = g_build_filename(dir, "units.csv", NULL);
	unlink(units);
	g_free(units);
	rmdir(dir);
	return 0;
}
