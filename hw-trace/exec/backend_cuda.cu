/*
 * The cuda backend (built when nvcc is found; docs/executor.md).  One CUDA stream per engine channel.
 * A compute-like command is a spin kernel that runs for its duration on the device's own clock
 * (%globaltimer), one block per SM-slot it asks for (the native trace carries no grid size, so one
 * block: documented limit); a host<->device copy is a real cudaMemcpyAsync of its bytes from pinned
 * memory.  Around every command a one-thread kernel writes %globaltimer into mapped host memory, so
 * start and end come from the device; ex_gt_offset() maps them onto the replay's CLOCK_MONOTONIC time.
 * Slices are enforced by dispatch only: a running kernel is never preempted (command granularity).
 */
#include <cuda_runtime.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

extern "C" {
#include "hw-trace/exec/cuda_host.h"
#include "hw-trace/exec/exec.h"
}

struct cuda_chan {
	cudaStream_t stream;
	cudaEvent_t done;
	unsigned long long *ts;    /* mapped: [0] start, [1] end (globaltimer ns) */
};

struct cuda_priv {
	int64_t offset;            /* globaltimer = CLOCK_MONOTONIC + offset */
	void *host_buf, *dev_buf;
	size_t buf_bytes;
	uint32_t inflight;
};

__device__ static unsigned long long globaltimer(void)
{
	unsigned long long t;

	asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
	return t;
}

__global__ static void stamp(unsigned long long *at)
{
	*at = globaltimer();
	__threadfence_system();
}

/* Spin until duration_ns have passed on the device clock. */
__global__ static void spin(unsigned long long duration_ns)
{
	unsigned long long t0 = globaltimer();

	while (globaltimer() - t0 < duration_ns)
		;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int fail(struct vgs_error *err, const char *what, cudaError_t e)
{
	vgs_error_set(err, "cuda backend: %s: %s", what, cudaGetErrorString(e));
	return -1;
}

static int cuda_init(struct exec *x, struct vgs_error *err)
{
	int n = 0;
	cudaError_t e = cudaGetDeviceCount(&n);
	struct cuda_priv *p;
	struct ex_gt_sample s[16];
	unsigned long long *probe;

	if (e != cudaSuccess || n == 0) {
		vgs_error_set(err, "cuda backend: no CUDA device: %s", e != cudaSuccess ? cudaGetErrorString(e) : "none found");
		return -1;
	}
	p = (struct cuda_priv *)g_malloc0(sizeof(*p));
	x->be_priv = p;
	p->buf_bytes = 64u << 20;
	if ((e = cudaHostAlloc(&p->host_buf, p->buf_bytes, cudaHostAllocDefault)) != cudaSuccess)
		return fail(err, "pinned host buffer", e);
	if ((e = cudaMalloc(&p->dev_buf, p->buf_bytes)) != cudaSuccess)
		return fail(err, "device buffer", e);
	for (uint32_t i = 0; i < x->drv.scn->nengines; i++) {
		for (uint32_t k = 0; k < x->drv.engines[i].nchan; k++) {
			struct cuda_chan *c = (struct cuda_chan *)g_malloc0(sizeof(*c));

			ex_chan_of(&x->drv.engines[i].chans[k])->backend = c;
			if ((e = cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking)) != cudaSuccess ||
			    (e = cudaEventCreateWithFlags(&c->done, cudaEventDisableTiming)) != cudaSuccess ||
			    (e = cudaHostAlloc((void **)&c->ts, 2 * sizeof(*c->ts), cudaHostAllocMapped)) != cudaSuccess)
				return fail(err, "stream setup", e);
		}
	}
	/* Pair the device clock with CLOCK_MONOTONIC (cuda_host.c keeps the tightest pairing). */
	if ((e = cudaHostAlloc((void **)&probe, sizeof(*probe), cudaHostAllocMapped)) != cudaSuccess)
		return fail(err, "clock probe", e);
	for (int i = 0; i < 16; i++) {
		s[i].host_before_ns = mono_ns();
		stamp<<<1, 1>>>(probe);
		if ((e = cudaDeviceSynchronize()) != cudaSuccess)
			return fail(err, "clock probe", e);
		s[i].host_after_ns = mono_ns();
		s[i].gpu_ns = *probe;
	}
	cudaFreeHost(probe);
	p->offset = ex_gt_offset(s, 16, NULL);
	return 0;
}

static void cuda_fini(struct exec *x)
{
	struct cuda_priv *p = (struct cuda_priv *)x->be_priv;

	if (!p)
		return;
	cudaDeviceSynchronize();
	for (uint32_t i = 0; x->drv.engines && i < x->drv.scn->nengines; i++)
		for (uint32_t k = 0; k < x->drv.engines[i].nchan; k++) {
			struct cuda_chan *c = (struct cuda_chan *)ex_chan_of(&x->drv.engines[i].chans[k])->backend;

			if (!c)
				continue;
			cudaStreamDestroy(c->stream);
			cudaEventDestroy(c->done);
			cudaFreeHost(c->ts);
			g_free(c);
		}
	cudaFreeHost(p->host_buf);
	cudaFree(p->dev_buf);
	g_free(p);
	x->be_priv = NULL;
}

static int cuda_start(struct exec *x, struct drv_chan *ch, uint64_t now)
{
	struct cuda_priv *p = (struct cuda_priv *)x->be_priv;
	struct cuda_chan *c = (struct cuda_chan *)ex_chan_of(ch)->backend;
	const struct vgs_cmd *cmd = &ch->cmd->c;
	const struct vgs_gpu *gpu = &x->drv.scn->gpus[ch->engine->cfg->gpu];
	cudaError_t e;

	c->ts[0] = c->ts[1] = 0;
	stamp<<<1, 1, 0, c->stream>>>(&c->ts[0]);
	if (drv_cmd_is_transfer(cmd)) {
		size_t left = cmd->bytes;

		while (left) { /* larger copies reuse the 64 MiB buffers in pieces */
			size_t n = left < p->buf_bytes ? left : p->buf_bytes;

			e = cmd->dir == VGS_DIR_H2D
				    ? cudaMemcpyAsync(p->dev_buf, p->host_buf, n, cudaMemcpyHostToDevice, c->stream)
				    : cudaMemcpyAsync(p->host_buf, p->dev_buf, n, cudaMemcpyDeviceToHost, c->stream);
			if (e != cudaSuccess)
				return fail(&x->err, "cudaMemcpyAsync", e);
			left -= n;
		}
	} else {
		double speed = drv_cmd_speed(gpu, ch->cmd); /* its kernel class's, where the profile has one */

		spin<<<1, 1, 0, c->stream>>>((unsigned long long)((double)ch->cmd->remaining_ns / speed));
	}
	stamp<<<1, 1, 0, c->stream>>>(&c->ts[1]);
	if ((e = cudaEventRecord(c->done, c->stream)) != cudaSuccess)
		return fail(&x->err, "cudaEventRecord", e);
	ex_chan_of(ch)->due_ns = VGS_NO_TIME; /* the device tells when (poll) */
	p->inflight++;
	return 0;
}

/* Channels whose command finished on the device: their device start/end become the piece's times. */
static uint64_t cuda_poll(struct exec *x, uint64_t now)
{
	struct cuda_priv *p = (struct cuda_priv *)x->be_priv;

	if (!p || !p->inflight)
		return VGS_NO_TIME;
	for (uint32_t i = 0; i < x->drv.scn->nengines; i++)
		for (uint32_t k = 0; k < x->drv.engines[i].nchan; k++) {
			struct drv_chan *ch = &x->drv.engines[i].chans[k];
			struct cuda_chan *c = (struct cuda_chan *)ex_chan_of(ch)->backend;

			if (ch->state != DRV_CHAN_BUSY || cudaEventQuery(c->done) != cudaSuccess)
				continue;
			uint64_t start = ex_gt_to_replay(c->ts[0], p->offset, x->t0_mono_ns);
			uint64_t end = ex_gt_to_replay(c->ts[1], p->offset, x->t0_mono_ns);

			p->inflight--;
			if (start > ch->run_start_ns && start <= now)
				ch->run_start_ns = start;
			drv_chan_done(ch, end > ch->run_start_ns && end <= now ? end : now);
		}
	return p->inflight ? now + 20000 : VGS_NO_TIME; /* poll every 20 us while commands run */
}

extern "C" const struct ex_backend ex_backend_cuda = {
	"cuda", cuda_init, cuda_fini, cuda_start, cuda_poll,
};
