/*
 * `train`: a data-parallel training tenant, closed loop.  Iteration i is
 *
 *     [copy h2d input_bytes]                      stream 0, when input_bytes > 0
 *     K_0 ... K_{n-1}                             stream 0, n = kernels, work ~ kernel_us,
 *                                                 gap ~ launch_gap_us after the previous submission
 *     A_0 ... A_{c-1}                             stream 1, c = allreduce_count, work ~ allreduce_us;
 *                                                 A_j right after K_{p_j}, deps {K_{p_j}}
 *
 * with p_j = floor((n - 2) (c + 2 j) / (3 c)): the all-reduces are spread over the last two thirds
 * of the compute kernels, as DDP's gradient buckets become ready during the backward pass (the A100
 * capture's five all-reduces start after 34 %, 42 %, 47 %, 68 % and 99 % of its compute kernels).
 * K_{p_{c-1}+1}, the first kernel after the last all-reduce (the optimizer step), depends on it.
 * UNIT_BEGIN goes on the first command, UNIT_END on K_{n-1}; the first command of iteration i+1
 * depends on K_{n-1} of iteration i with gap iter_gap_us (the host syncs at the end of a step).
 *
 * Defaults: ../shared/traces/kineto/hta-a100-ddp-nccl/nccl_data.json.gz (A100, DDP, rank 0 of 2),
 * 3 ProfilerSteps; figures per step, GPU ops assigned to a step by their launching cudaLaunchKernel:
 *   kernels 893 compute-stream (stream 7) kernels per step in every step;
 *   kernel_us lognormal(mean 43.1, cv 1.55) over the 2,679 stream-7 kernels;
 *   launch_gap_us lognormal(mean 168.0, cv 0.84): intervals between consecutive stream-7 kernel
 *     launches, the 99.4 % that are <= 2 ms (median 172 us);
 *   iter_gap_us 73,000: 6.2 ms from the last GPU op of a step to the next step's first launch,
 *     plus the 16 host stalls > 2 ms inside steps (66.8 ms per step) moved to the boundary;
 *     892 * 0.168 + 73.0 = 222.9 ms per iteration vs. 222.4 ms measured;
 *   allreduce_count 5 and allreduce_us lognormal(mean 3117.5, cv 0.464): the 15
 *     ncclKernel_AllReduce_RING_LL kernels on stream 40 (the 2 small broadcasts per step omitted);
 *   input_bytes 0: the capture has no host-to-device copy (its 320 memcpys per step are DtoD).
 *   cpu_ms: none.  A host step (the data loader) added to every iteration's gap; the capture's host
 *     time is already in iter_gap_us.  For a data loader on the training thread, the ResNet-50 V100
 *     capture ../shared/traces/kineto/kineto-resnet50-v100 (num_workers = 0, worker0.1623143089861)
 *     spends 69.3 ms (62.6-73.4) per step in enumerate(DataLoader).__next__, over 6 steps; with 4
 *     loader workers (worker0.1623212756351) 1.42 ms (0.08-4.33).
 *
 * Memory (docs/vram.md).  Weights W, gradients (W bytes), optimizer state (`optimizer`: "sgd" keeps a
 * momentum buffer of W bytes, "adam" two moments of 2W, "none" nothing: fp32 training, the state
 * sizes of the ZeRO paper's Adam accounting, Rajbhandari et al., SC'20, sec. 3.1) and the input batch
 * are allocated by iteration 0's first command and kept; activations are allocated by every
 * iteration's first command and freed by its last.  Each tensor is cut into TRAIN_SLICES slices (the
 * layers): forward kernel k touches weight and activation slice k * S / F (F = kernels / 2 forward
 * kernels), backward kernels walk the slices back down and also touch the gradient slice, all-reduce j
 * touches gradient slice range j of allreduce_count, and the last kernel (the optimizer step) touches
 * all weights, gradients and optimizer state.
 *   weights_mb 97.49 (102,228,128 bytes): ResNet-50, 25,557,032 fp32 parameters (He et al., CVPR
 *     2016; the torchvision model's parameter count).  The DDP capture above trains a CNN of that
 *     kind (cudnn convolution and batch-norm kernels) but has no memory events.
 *   optimizer "sgd": SGD with momentum, the ResNet-50 reference recipe (torchvision).
 *   activations_mb 2662.3 (2,791,636,480 bytes): the peak of the device memory allocated during the
 *     profiled ResNet-50 training steps of ../shared/traces/kineto/kineto-resnet50-v100 (worker0.
 *     1623143089861, [memory] events of device 0, summed in order; the weights and optimizer state
 *     were allocated before profiling began and appear in none of them).
 */
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "models/workload/workload_priv.h"

static const char *const train_keys[] = {
	"type", "kernels", "kernel_us", "launch_gap_us", "iter_gap_us", "input_bytes", "allreduce_count",
	"allreduce_us", "units", "memory", "weights_mb", "optimizer", "activations_mb", "cpu_ms", VGS_KSHAPE_KEYS,
	NULL,
};

#define TRAIN_SLICES 16
/* Allocation ids (docs/vram.md). */
enum { TM_WEIGHTS = 1, TM_GRADS, TM_OPTIM, TM_ACT, TM_INPUT };

struct train_params {
	uint64_t kernels;
	struct vgs_dist kernel, launch_gap, iter_gap, allreduce;
	struct vgs_dist cpu;                  /* the host step between iterations (cpu_ms) */
	bool has_cpu;                         /* cpu_ms given: sampled (else no random number is drawn) */
	uint64_t input_bytes;
	uint64_t allreduce_count;
	uint64_t units;
	struct vgs_kshape shape;              /* kernel_sm, memory_bound (compute kernels) */
	/* memory */
	bool memory;
	uint64_t weights, optim, act;         /* bytes; optim = 0, 1 or 2 x weights */
	uint32_t slices;
	uint32_t mem_fw[TRAIN_SLICES], mem_bw[TRAIN_SLICES];
	uint32_t mem_first[2][2];             /* first command [iteration > 0][it is also the last kernel] */
	uint32_t mem_last;                    /* the last kernel */
	uint32_t *mem_ar;                     /* per all-reduce */
};

/* Slice of kernel k (see the top comment); *bw = it is a backward kernel. */
static uint32_t train_slice(const struct train_params *p, uint64_t k, bool *bw)
{
	uint64_t f = p->kernels / 2 ? p->kernels / 2 : 1;

	*bw = k >= f && p->kernels > 1;
	if (!*bw)
		return (uint32_t)(k * p->slices / f);
	return p->slices - 1 - (uint32_t)((k - f) * p->slices / (p->kernels - f));
}

static void touch_slice(struct vgs_mem_list *l, uint32_t id, uint64_t bytes, uint32_t k, uint32_t j)
{
	uint64_t off, len;

	if (!bytes)
		return;
	vgs_mem_slice(bytes, k, j, &off, &len);
	vgs_mem_list_add(l, VGS_MEM_TOUCH, id, off, len);
}

static void kernel_touches(const struct train_params *p, struct vgs_mem_list *l, uint64_t k)
{
	bool bw;
	uint32_t j = train_slice(p, k, &bw);

	touch_slice(l, TM_WEIGHTS, p->weights, p->slices, j);
	touch_slice(l, TM_ACT, p->act, p->slices, j);
	if (bw)
		touch_slice(l, TM_GRADS, p->weights, p->slices, j);
	if (k == p->kernels - 1) {
		vgs_mem_list_add(l, VGS_MEM_TOUCH, TM_WEIGHTS, 0, 0);
		vgs_mem_list_add(l, VGS_MEM_TOUCH, TM_GRADS, 0, 0);
		if (p->optim)
			vgs_mem_list_add(l, VGS_MEM_TOUCH, TM_OPTIM, 0, 0);
		if (p->act)
			vgs_mem_list_add(l, VGS_MEM_FREE, TM_ACT, 0, 0);
	}
}

static void train_memory(struct vgs_workload_spec *spec, struct train_params *p)
{
	struct vgs_mem_list l;

	p->slices = TRAIN_SLICES;
	for (uint32_t j = 0; j < p->slices; j++) {
		l.n = 0;
		touch_slice(&l, TM_WEIGHTS, p->weights, p->slices, j);
		touch_slice(&l, TM_ACT, p->act, p->slices, j);
		p->mem_fw[j] = vgs_mem_table_add(spec, l.op, l.n);
		touch_slice(&l, TM_GRADS, p->weights, p->slices, j);
		p->mem_bw[j] = vgs_mem_table_add(spec, l.op, l.n);
	}
	for (int later = 0; later < 2; later++) {
		for (int last = 0; last < 2; last++) {
			l.n = 0;
			if (!later) {
				vgs_mem_list_add(&l, VGS_MEM_ALLOC, TM_WEIGHTS, p->weights, 0);
				vgs_mem_list_add(&l, VGS_MEM_ALLOC, TM_GRADS, p->weights, 0);
				if (p->optim)
					vgs_mem_list_add(&l, VGS_MEM_ALLOC, TM_OPTIM, p->optim, 0);
				if (p->input_bytes)
					vgs_mem_list_add(&l, VGS_MEM_ALLOC, TM_INPUT, p->input_bytes, 0);
			}
			if (p->act)
				vgs_mem_list_add(&l, VGS_MEM_ALLOC, TM_ACT, p->act, 0);
			if (p->input_bytes)
				vgs_mem_list_add(&l, VGS_MEM_TOUCH, TM_INPUT, 0, 0);
			else
				kernel_touches(p, &l, last ? p->kernels - 1 : 0);
			p->mem_first[later][last] = vgs_mem_table_add(spec, l.op, l.n);
		}
	}
	l.n = 0;
	kernel_touches(p, &l, p->kernels - 1);
	p->mem_last = vgs_mem_table_add(spec, l.op, l.n);
	p->mem_ar = calloc(p->allreduce_count ? p->allreduce_count : 1, sizeof(*p->mem_ar));
	for (uint64_t j = 0; j < p->allreduce_count; j++) {
		uint64_t off, len;

		l.n = 0;
		vgs_mem_slice(p->weights, (uint32_t)p->allreduce_count, (uint32_t)j, &off, &len);
		vgs_mem_list_add(&l, VGS_MEM_TOUCH, TM_GRADS, off, len);
		p->mem_ar[j] = vgs_mem_table_add(spec, l.op, l.n);
	}
}

static int train_parse(struct vgs_workload_spec *spec, const config_setting_t *g, const char *config_dir,
		       struct vgs_error *err)
{
	struct train_params *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	spec->priv = p;
	p->kernels = 893;
	p->kernel = vgs_dist_make(VGS_DIST_LOGNORMAL, 43.1e3, 1.55);
	p->launch_gap = vgs_dist_make(VGS_DIST_LOGNORMAL, 168.0e3, 0.84);
	p->iter_gap = vgs_dist_make(VGS_DIST_CONST, 73.0e6, 0);
	p->allreduce = vgs_dist_make(VGS_DIST_LOGNORMAL, 3117.5e3, 0.464);
	p->allreduce_count = 5;
	p->memory = true;
	p->weights = 102228128;
	p->act = 2791636480ull;
	if (vgs_wl_get_u64(g, "kernels", 1, 1u << 20, &p->kernels, err) ||
	    vgs_wl_get_dist(g, "kernel_us", 1e3, &p->kernel, err) ||
	    vgs_wl_get_dist(g, "launch_gap_us", 1e3, &p->launch_gap, err) ||
	    vgs_wl_get_dist(g, "iter_gap_us", 1e3, &p->iter_gap, err) ||
	    vgs_wl_get_u64(g, "input_bytes", 0, UINT64_MAX / 2, &p->input_bytes, err) ||
	    vgs_wl_get_u64(g, "allreduce_count", 0, 1u << 16, &p->allreduce_count, err) ||
	    vgs_wl_get_dist(g, "allreduce_us", 1e3, &p->allreduce, err) ||
	    vgs_wl_get_u64(g, "units", 0, UINT64_MAX / 2, &p->units, err) ||
	    vgs_wl_get_bool(g, "memory", &p->memory, err) ||
	    vgs_wl_get_mb(g, "weights_mb", &p->weights, err) ||
	    vgs_wl_get_mb(g, "activations_mb", &p->act, err) ||
	    vgs_wl_get_dist(g, "cpu_ms", 1e6, &p->cpu, err) ||
	    vgs_kshape_parse(g, &p->shape, err))
		return -1;
	p->has_cpu = config_setting_get_member(g, "cpu_ms") != NULL;
	static const char *const optims[] = { "none", "sgd", "adam", NULL };
	int optim = 1;

	if (vgs_wl_get_choice(g, "optimizer", optims, &optim, err))
		return -1;
	p->optim = (uint64_t)optim * p->weights;
	if (p->allreduce_count > 0 && p->kernels < 2) {
		const config_setting_t *s = config_setting_get_member(g, "kernels");

		if (!s)
			s = g;
		vgs_error_set(err, "%s: workload key 'kernels': expected >= 2 when allreduce_count > 0 "
			      "(all-reduces run between compute kernels)", vgs_wl_where(s));
		return -1;
	}

	char a[96], b[96], c[96], k[240];

	spec->unit_name = g_strdup("iteration");
	spec->class_mask = 1u << VGS_COMPUTE;
	if (p->input_bytes)
		spec->class_mask |= 1u << VGS_COPY;
	spec->latency_sensitive = false;
	vgs_kshape_describe(&p->shape, k, sizeof(k));
	spec->describe = g_strdup_printf(
		"train %llu kernels x %s, launch gap %s%s, %llu allreduce x %s%s",
		(unsigned long long)p->kernels, vgs_dist_format(&p->kernel, 1e3, "us", a, sizeof(a)),
		vgs_dist_format(&p->launch_gap, 1e3, "us", b, sizeof(b)), p->input_bytes ? ", h2d input" : "",
		(unsigned long long)p->allreduce_count, vgs_dist_format(&p->allreduce, 1e3, "us", c, sizeof(c)), k);
	if (p->memory && p->weights == 0) {
		const config_setting_t *s = config_setting_get_member(g, "weights_mb");

		vgs_error_set(err, "%s: workload key 'weights_mb': expected > 0 with memory = true (gradients "
			      "and the optimizer state are sized from it)", vgs_wl_where(s));
		return -1;
	}
	if (p->memory)
		train_memory(spec, p);
	return 0;
}

static void train_spec_fini(struct vgs_workload_spec *spec)
{
	struct train_params *p = spec->priv;

	if (p) {
		free(p->mem_ar);
		vgs_dist_fini(&p->kernel);
		vgs_dist_fini(&p->launch_gap);
		vgs_dist_fini(&p->iter_gap);
		vgs_dist_fini(&p->allreduce);
		vgs_dist_fini(&p->cpu);
	}
	free(spec->priv);
}

struct train_inst {
	struct vgs_rng rng;
	struct vgs_rng shape_rng; /* kernel shapes only */
	uint64_t seq;
	uint64_t iter;
	bool started;            /* the current iteration has emitted its first command */
	uint64_t kdone;          /* compute kernels emitted in this iteration */
	uint64_t ardone;         /* all-reduces emitted in this iteration */
	uint64_t last_k_seq;     /* latest compute kernel */
	uint64_t last_ar_seq;
	uint64_t prev_end_seq;   /* UNIT_END of the previous iteration */
};

static int train_inst_init(struct vgs_workload *w, uint64_t seed)
{
	struct train_inst *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	vgs_rng_seed(&s->rng, vgs_rng_derive(seed, 1));
	vgs_rng_seed(&s->shape_rng, vgs_rng_derive(seed, 2));
	w->priv = s;
	return 0;
}

/* Compute kernel after which all-reduce j is issued (see the top comment). */
static uint64_t ar_pos(const struct train_params *p, uint64_t j)
{
	uint64_t c = p->allreduce_count;

	return (p->kernels - 2) * (c + 2 * j) / (3 * c);
}

static int train_next(struct vgs_workload *w, uint64_t now_ns, struct vgs_cmd *cmd)
{
	const struct train_params *p = w->spec->priv;
	struct train_inst *s = w->priv;

	vgs_cmd_clear(cmd);
	if (!s->started && p->units && s->iter >= p->units)
		return 0;
	cmd->unit = s->iter;
	if (!s->started) {
		cmd->flags = VGS_CMD_UNIT_BEGIN;
		if (s->iter > 0) {
			cmd->deps[cmd->ndeps++] = s->prev_end_seq;
			cmd->gap_ns = vgs_dist_sample_gap_ns(&p->iter_gap, &s->rng);
			if (p->has_cpu) /* the data loader's step on the host */
				cmd->gap_ns += vgs_dist_sample_gap_ns(&p->cpu, &s->rng);
		}
		s->started = true;
		if (p->memory)
			cmd->mem = p->mem_first[s->iter > 0][p->kernels == 1 && !p->input_bytes];
		if (p->input_bytes) {
			cmd->cls = VGS_COPY;
			cmd->dir = VGS_DIR_H2D;
			cmd->bytes = p->input_bytes;
			cmd->seq = s->seq++;
			return 1;
		}
	} else if (s->ardone < p->allreduce_count && s->kdone > 0 && ar_pos(p, s->ardone) == s->kdone - 1) {
		cmd->stream = 1;
		cmd->work_ns = vgs_dist_sample_ns(&p->allreduce, &s->rng);
		cmd->deps[cmd->ndeps++] = s->last_k_seq;
		if (p->memory)
			cmd->mem = p->mem_ar[s->ardone];
		cmd->seq = s->seq++;
		s->last_ar_seq = cmd->seq;
		s->ardone++;
		return 1;
	} else {
		cmd->gap_ns = vgs_dist_sample_gap_ns(&p->launch_gap, &s->rng);
	}
	/* Compute kernel K_kdone; the first command of an iteration has its memory list already. */
	cmd->work_ns = vgs_dist_sample_ns(&p->kernel, &s->rng);
	vgs_kshape_draw(&p->shape, &s->shape_rng, cmd);
	if (p->memory && !(cmd->flags & VGS_CMD_UNIT_BEGIN)) {
		bool bw;
		uint32_t j = train_slice(p, s->kdone, &bw);

		cmd->mem = s->kdone == p->kernels - 1 ? p->mem_last : bw ? p->mem_bw[j] : p->mem_fw[j];
	}
	if (p->allreduce_count && s->kdone == ar_pos(p, p->allreduce_count - 1) + 1)
		cmd->deps[cmd->ndeps++] = s->last_ar_seq;
	cmd->seq = s->seq++;
	s->last_k_seq = cmd->seq;
	s->kdone++;
	if (s->kdone == p->kernels) {
		cmd->flags |= VGS_CMD_UNIT_END;
		s->prev_end_seq = cmd->seq;
		s->iter++;
		s->started = false;
		s->kdone = 0;
		s->ardone = 0;
	}
	return 1;
}

static void train_inst_fini(struct vgs_workload *w)
{
	free(w->priv);
}

const struct vgs_wl_kind vgs_wl_train = {
	.name = "train",
	.keys = train_keys,
	.parse = train_parse,
	.spec_fini = train_spec_fini,
	.inst_init = train_inst_init,
	.next = train_next,
	.inst_fini = train_inst_fini,
};
