/*
 * Host-side logic of the cuda backend (see cuda_host.h), and the backend's entry point when the
 * build found no nvcc: then `--backend cuda` says so and exits, it never pretends to run.
 */
#include <stdio.h>

#include "hw-trace/exec/cuda_host.h"
#include "hw-trace/exec/exec.h"

int64_t ex_gt_offset(const struct ex_gt_sample *s, size_t n, uint64_t *err_ns)
{
	size_t best = 0;

	for (size_t i = 1; i < n; i++)
		if (s[i].host_after_ns - s[i].host_before_ns < s[best].host_after_ns - s[best].host_before_ns)
			best = i;
	if (err_ns)
		*err_ns = n ? (s[best].host_after_ns - s[best].host_before_ns) / 2 : UINT64_MAX;
	if (!n)
		return 0;
	uint64_t mid = s[best].host_before_ns + (s[best].host_after_ns - s[best].host_before_ns) / 2;

	return (int64_t)(s[best].gpu_ns - mid);
}

uint64_t ex_gt_to_replay(uint64_t gpu_ns, int64_t offset, uint64_t t0_mono_ns)
{
	int64_t mono = (int64_t)gpu_ns - offset;

	return mono > (int64_t)t0_mono_ns ? (uint64_t)(mono - (int64_t)t0_mono_ns) : 0;
}

#ifndef VGS_HAVE_CUDA
static int cuda_unavailable(struct exec *x, struct vgs_error *err)
{
	vgs_error_set(err, "cuda backend: not built (nvcc was not found when vgpusim-replay was built; "
			   "install the CUDA toolkit in /usr/local/cuda and run make again)");
	return -1;
}

static void cuda_none_fini(struct exec *x)
{
}

static int cuda_none_start(struct exec *x, struct drv_chan *ch, uint64_t now)
{
	return -1;
}

const struct ex_backend ex_backend_cuda = {
	.name = "cuda",
	.init = cuda_unavailable,
	.fini = cuda_none_fini,
	.start = cuda_none_start,
};
#endif
