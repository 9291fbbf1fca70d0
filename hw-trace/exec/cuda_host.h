/*
 * Host-side logic of the cuda backend, in plain C so that it is built and unit-tested everywhere:
 * converting the device's %globaltimer to the replay's CLOCK_MONOTONIC time base.
 */
#ifndef VGS_EXEC_CUDA_HOST_H
#define VGS_EXEC_CUDA_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One clock pairing: host CLOCK_MONOTONIC read before and after a kernel read %globaltimer. */
struct ex_gt_sample {
	uint64_t host_before_ns;
	uint64_t gpu_ns;
	uint64_t host_after_ns;
};

/*
 * Offset with gpu_ns = host_ns + offset.  The sample with the shortest round trip bounds the error
 * best (the kernel read the timer somewhere inside [before, after]); its midpoint is taken:
 * offset = gpu - (before + after) / 2, error <= (after - before) / 2, returned in *err_ns.
 */
int64_t ex_gt_offset(const struct ex_gt_sample *s, size_t n, uint64_t *err_ns);
/* A device time in the replay's time base (ns since the replay started at mono t0). */
uint64_t ex_gt_to_replay(uint64_t gpu_ns, int64_t offset, uint64_t t0_mono_ns);

#endif
