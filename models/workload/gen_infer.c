/*
 * `infer`: an inference server, open loop.  Requests arrive as a Poisson process of `rate` req/s,
 * drawn from their own rng stream so that arrival times do not depend on the service parameters.
 * Request r is
 *
 *     [copy h2d input_bytes]     stream 0, when input_bytes > 0
 *     K_0 ... K_{n-1}            stream 0, n = kernels, work ~ kernel_us, gap ~ launch_gap_us
 *     [copy d2h output_bytes]    stream 0, when output_bytes > 0
 *
 * The first command carries UNIT_BEGIN, the arrival and, when deadline_ms is set, the deadline
 * arrival + deadline_ms; it depends on the last command of request r-1: the server handles one
 * request at a time and reads each result before taking the next (PyTorch's `.cpu()` sync), so a
 * request that arrives while the previous one runs queues on the host.  The last command carries
 * UNIT_END.
 *
 * Defaults: ../shared/traces/kineto/tracelens-h100-vs-mi300/h100/
 * Falconsai_nsfw_image_detection__1016002.json.gz (ViT image classifier, H100, one ProfilerStep =
 * one request): 154 kernels, duration mean 7.93 us, cv 1.03; 153 launch intervals (runtime-event
 * ts of consecutive kernels) mean 49.4 us, cv 0.354; no h2d or d2h memcpy (two memsets only), so
 * input_bytes = output_bytes = 0.  `rate` 50 req/s is not from a capture: at 154 x 49.4 us = 7.6 ms
 * of host time per request it loads the server to about 38 %.
 *
 * Memory (docs/vram.md): the weights (and the input and output buffers) are allocated by request 0's
 * first command and kept; each request allocates its activations with its first command and frees
 * them with its last.  Kernel k touches weight and activation slice k * S / kernels of S =
 * INFER_SLICES; the copies touch their buffers.  From the same capture's [memory] events (device 0):
 *   weights_mb 204.9 (214,877,184 bytes): allocated before the profiled step (its first event's
 *     "Total Allocated" minus its "Bytes"): the model's weights and buffers;
 *   activations_mb 15.69 (16,455,680 bytes): the step's peak "Total Allocated" (231,332,864) above that.
 */
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "models/workload/workload_priv.h"

static const char *const infer_keys[] = {
	"type", "rate", "kernels", "kernel_us", "launch_gap_us", "input_bytes", "output_bytes", "deadline_ms",
	"units", "memory", "weights_mb", "activations_mb", NULL,
};

#define INFER_SLICES 16
/* Allocation ids (docs/vram.md). */
enum { IM_WEIGHTS = 1, IM_ACT, IM_INPUT, IM_OUTPUT };

struct infer_params {
	double rate;
	uint64_t kernels;
	struct vgs_dist kernel, launch_gap;
	uint64_t input_bytes, output_bytes;
	double deadline_ms;      /* 0: none */
	uint64_t units;
	/* memory */
	bool memory;
	uint64_t weights, act;
	uint32_t mem_kernel[INFER_SLICES];
	/* first command [request > 0][it is also the last]; the last kernel; the output copy */
	uint32_t mem_first[2][2], mem_last, mem_output;
};

static uint32_t infer_slice(const struct infer_params *p, uint64_t k)
{
	return (uint32_t)(k * INFER_SLICES / p->kernels);
}

/* What a kernel of slice j touches. */
static void kernel_touches(const struct infer_params *p, struct vgs_mem_list *l, uint32_t j)
{
	uint64_t off, len;

	if (p->weights) {
		vgs_mem_slice(p->weights, INFER_SLICES, j, &off, &len);
		vgs_mem_list_add(l, VGS_MEM_TOUCH, IM_WEIGHTS, off, len);
	}
	if (p->act) {
		vgs_mem_slice(p->act, INFER_SLICES, j, &off, &len);
		vgs_mem_list_add(l, VGS_MEM_TOUCH, IM_ACT, off, len);
	}
}

static void infer_memory(struct vgs_workload_spec *spec, struct infer_params *p)
{
	struct vgs_mem_list l;
	bool out_last = p->output_bytes > 0;

	for (uint32_t j = 0; j < INFER_SLICES; j++) {
		l.n = 0;
		kernel_touches(p, &l, j);
		p->mem_kernel[j] = vgs_mem_table_add(spec, l.op, l.n);
	}
	for (int later = 0; later < 2; later++) {
		for (int last = 0; last < 2; last++) {
			l.n = 0;
			if (!later) {
				if (p->weights)
					vgs_mem_list_add(&l, VGS_MEM_ALLOC, IM_WEIGHTS, p->weights, 0);
				if (p->input_bytes)
					vgs_mem_list_add(&l, VGS_MEM_ALLOC, IM_INPUT, p->input_bytes, 0);
				if (p->output_bytes)
					vgs_mem_list_add(&l, VGS_MEM_ALLOC, IM_OUTPUT, p->output_bytes, 0);
			}
			if (p->act)
				vgs_mem_list_add(&l, VGS_MEM_ALLOC, IM_ACT, p->act, 0);
			if (p->input_bytes)
				vgs_mem_list_add(&l, VGS_MEM_TOUCH, IM_INPUT, 0, 0);
			else
				kernel_touches(p, &l, 0);
			if (last && p->act)
				vgs_mem_list_add(&l, VGS_MEM_FREE, IM_ACT, 0, 0);
			p->mem_first[later][last] = vgs_mem_table_add(spec, l.op, l.n);
		}
	}
	l.n = 0;
	kernel_touches(p, &l, infer_slice(p, p->kernels - 1));
	if (!out_last && p->act)
		vgs_mem_list_add(&l, VGS_MEM_FREE, IM_ACT, 0, 0);
	p->mem_last = vgs_mem_table_add(spec, l.op, l.n);
	l.n = 0;
	if (p->output_bytes) {
		vgs_mem_list_add(&l, VGS_MEM_TOUCH, IM_OUTPUT, 0, 0);
		if (p->act)
			vgs_mem_list_add(&l, VGS_MEM_FREE, IM_ACT, 0, 0);
	}
	p->mem_output = vgs_mem_table_add(spec, l.op, l.n);
}

static int infer_parse(struct vgs_workload_spec *spec, const config_setting_t *g, const char *config_dir,
		       struct vgs_error *err)
{
	struct infer_params *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	spec->priv = p;
	p->rate = 50;
	p->kernels = 154;
	p->kernel = vgs_dist_make(VGS_DIST_LOGNORMAL, 7.93e3, 1.03);
	p->launch_gap = vgs_dist_make(VGS_DIST_LOGNORMAL, 49.4e3, 0.354);
	p->memory = true;
	p->weights = 214877184;
	p->act = 16455680;
	if (vgs_wl_get_num(g, "rate", 1e-3, false, 1e9, &p->rate, err) ||
	    vgs_wl_get_u64(g, "kernels", 1, 1u << 20, &p->kernels, err) ||
	    vgs_wl_get_dist(g, "kernel_us", 1e3, &p->kernel, err) ||
	    vgs_wl_get_dist(g, "launch_gap_us", 1e3, &p->launch_gap, err) ||
	    vgs_wl_get_u64(g, "input_bytes", 0, UINT64_MAX / 2, &p->input_bytes, err) ||
	    vgs_wl_get_u64(g, "output_bytes", 0, UINT64_MAX / 2, &p->output_bytes, err) ||
	    vgs_wl_get_num(g, "deadline_ms", 1e-6, false, 1e9, &p->deadline_ms, err) ||
	    vgs_wl_get_u64(g, "units", 0, UINT64_MAX / 2, &p->units, err) ||
	    vgs_wl_get_bool(g, "memory", &p->memory, err) ||
	    vgs_wl_get_mb(g, "weights_mb", &p->weights, err) ||
	    vgs_wl_get_mb(g, "activations_mb", &p->act, err))
		return -1;
	if (p->memory)
		infer_memory(spec, p);

	char a[96], b[96], d[48];

	spec->unit_name = g_strdup("request");
	spec->class_mask = 1u << VGS_COMPUTE;
	spec->offered_ns_per_s[VGS_COMPUTE] = p->rate * (double)p->kernels * vgs_dist_mean_ns(&p->kernel);
	if (p->input_bytes || p->output_bytes)
		spec->class_mask |= 1u << VGS_COPY;
	spec->latency_sensitive = true;
	if (p->deadline_ms > 0)
		snprintf(d, sizeof(d), ", deadline %g ms", p->deadline_ms);
	else
		d[0] = 0;
	spec->describe = g_strdup_printf("infer poisson %g req/s, %llu kernels x %s, launch gap %s%s%s%s", p->rate,
					 (unsigned long long)p->kernels,
					 vgs_dist_format(&p->kernel, 1e3, "us", a, sizeof(a)),
					 vgs_dist_format(&p->launch_gap, 1e3, "us", b, sizeof(b)),
					 p->input_bytes ? ", h2d input" : "", p->output_bytes ? ", d2h output" : "", d);
	return 0;
}

static void infer_spec_fini(struct vgs_workload_spec *spec)
{
	free(spec->priv);
}

enum infer_phase { PH_START, PH_KERNELS, PH_OUTPUT };

struct infer_inst {
	struct vgs_rng arr_rng;  /* arrivals only */
	struct vgs_rng rng;      /* service */
	double next_arrival_ns;
	uint64_t seq;
	uint64_t req;
	enum infer_phase phase;
	uint64_t kdone;
	uint64_t prev_end_seq;
};

static int infer_inst_init(struct vgs_workload *w, uint64_t seed)
{
	const struct infer_params *p = w->spec->priv;
	struct infer_inst *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	vgs_rng_seed(&s->arr_rng, vgs_rng_derive(seed, 0));
	vgs_rng_seed(&s->rng, vgs_rng_derive(seed, 1));
	s->next_arrival_ns = vgs_rng_exp(&s->arr_rng, 1e9 / p->rate);
	w->priv = s;
	return 0;
}

static int infer_next(struct vgs_workload *w, uint64_t now_ns, struct vgs_cmd *cmd)
{
	const struct infer_params *p = w->spec->priv;
	struct infer_inst *s = w->priv;
	bool last = false;

	vgs_cmd_clear(cmd);
	if (s->phase == PH_START) {
		if (p->units && s->req >= p->units)
			return 0;
		/* Arrival times accumulate in double ns: exact to well below 1 ns for 100 days. */
		cmd->arrival_ns = (uint64_t)s->next_arrival_ns;
		s->next_arrival_ns += vgs_rng_exp(&s->arr_rng, 1e9 / p->rate);
		if (p->deadline_ms > 0)
			cmd->deadline_ns = cmd->arrival_ns + (uint64_t)(p->deadline_ms * 1e6 + 0.5);
		cmd->flags = VGS_CMD_UNIT_BEGIN;
		if (s->req > 0)
			cmd->deps[cmd->ndeps++] = s->prev_end_seq;
		s->phase = PH_KERNELS;
		s->kdone = 0;
		if (p->memory)
			cmd->mem = p->mem_first[s->req > 0][!p->input_bytes && p->kernels == 1 && !p->output_bytes];
		if (p->input_bytes) {
			cmd->cls = VGS_COPY;
			cmd->dir = VGS_DIR_H2D;
			cmd->bytes = p->input_bytes;
			goto out;
		}
	} else if (s->phase == PH_OUTPUT) {
		cmd->cls = VGS_COPY;
		cmd->dir = VGS_DIR_D2H;
		cmd->bytes = p->output_bytes;
		cmd->gap_ns = vgs_dist_sample_gap_ns(&p->launch_gap, &s->rng);
		if (p->memory)
			cmd->mem = p->mem_output;
		last = true;
		goto out;
	} else {
		cmd->gap_ns = vgs_dist_sample_gap_ns(&p->launch_gap, &s->rng);
	}
	/* Kernel kdone; the first command of a request has its memory list already. */
	if (p->memory && !(cmd->flags & VGS_CMD_UNIT_BEGIN))
		cmd->mem = s->kdone == p->kernels - 1 ? p->mem_last : p->mem_kernel[infer_slice(p, s->kdone)];
	cmd->work_ns = vgs_dist_sample_ns(&p->kernel, &s->rng);
	if (++s->kdone == p->kernels) {
		if (p->output_bytes)
			s->phase = PH_OUTPUT;
		else
			last = true;
	}
out:
	cmd->seq = s->seq++;
	cmd->unit = s->req;
	if (last) {
		cmd->flags |= VGS_CMD_UNIT_END;
		s->prev_end_seq = cmd->seq;
		s->req++;
		s->phase = PH_START;
	}
	return 1;
}

static void infer_inst_fini(struct vgs_workload *w)
{
	free(w->priv);
}

const struct vgs_wl_kind vgs_wl_infer = {
	.name = "infer",
	.keys = infer_keys,
	.parse = infer_parse,
	.spec_fini = infer_spec_fini,
	.inst_init = infer_inst_init,
	.next = infer_next,
	.inst_fini = infer_inst_fini,
};
