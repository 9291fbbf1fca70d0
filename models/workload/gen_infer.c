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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/workload/workload_priv.h"

static const char *const infer_keys[] = {
	"type", "rate", "kernels", "kernel_us", "launch_gap_us", "input_bytes", "output_bytes", "deadline_ms",
	"units", "memory", "weights_mb", "activations_mb", "max_batch", "batch_window_us", "batch_fixed",
	VGS_KSHAPE_KEYS, NULL,
};

#define INFER_MAX_BATCH 1024

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
	struct vgs_kshape shape; /* kernel_sm, memory_bound */
	/* batching server (max_batch > 1) */
	uint64_t max_batch;
	uint64_t window_ns;
	double batch_fixed;      /* share of a kernel's time that does not grow with the batch */
	/* memory */
	bool memory;
	uint64_t weights, act;
	uint32_t mem_kernel[INFER_SLICES];
	/* first command [request > 0][it is also the last]; the last kernel; the output copy */
	uint32_t mem_first[2][2], mem_last, mem_output;
	uint32_t mem_batch_end;  /* batching: a batch's last output copy (frees the activations) */
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
	l.n = 0;
	if (p->output_bytes)
		vgs_mem_list_add(&l, VGS_MEM_TOUCH, IM_OUTPUT, 0, 0);
	if (p->act)
		vgs_mem_list_add(&l, VGS_MEM_FREE, IM_ACT, 0, 0);
	p->mem_batch_end = vgs_mem_table_add(spec, l.op, l.n);
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
	p->max_batch = 1;
	p->batch_fixed = 0.846;
	double window_us = 0;

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
	    vgs_wl_get_mb(g, "activations_mb", &p->act, err) ||
	    vgs_wl_get_u64(g, "max_batch", 1, INFER_MAX_BATCH, &p->max_batch, err) ||
	    vgs_wl_get_num(g, "batch_window_us", 0, false, 1e9, &window_us, err) ||
	    vgs_wl_get_num(g, "batch_fixed", 0, false, 1, &p->batch_fixed, err) ||
	    vgs_kshape_parse(g, &p->shape, err))
		return -1;
	p->window_ns = (uint64_t)llround(window_us * 1e3);
	if (p->memory)
		infer_memory(spec, p);

	char a[96], b[96], d[48], e[64], k[240];

	spec->unit_name = g_strdup("request");
	spec->class_mask = 1u << VGS_COMPUTE;
	/* Per request at the least: in full batches of max_batch, a kernel's fixed part is shared (below). */
	spec->offered_ns_per_s[VGS_COMPUTE] = p->rate * (double)p->kernels * vgs_dist_mean_ns(&p->kernel) *
					      (p->batch_fixed / (double)p->max_batch + (1.0 - p->batch_fixed));
	if (p->input_bytes || p->output_bytes || p->max_batch > 1)
		spec->class_mask |= 1u << VGS_COPY;
	spec->latency_sensitive = true;
	if (p->deadline_ms > 0)
		snprintf(d, sizeof(d), ", deadline %g ms", p->deadline_ms);
	else
		d[0] = 0;
	vgs_kshape_describe(&p->shape, k, sizeof(k));
	if (p->max_batch > 1)
		snprintf(e, sizeof(e), ", batches of <= %llu within %g us", (unsigned long long)p->max_batch, window_us);
	else
		e[0] = 0;
	spec->describe = g_strdup_printf("infer poisson %g req/s, %llu kernels x %s, launch gap %s%s%s%s%s%s", p->rate,
					 (unsigned long long)p->kernels,
					 vgs_dist_format(&p->kernel, 1e3, "us", a, sizeof(a)),
					 vgs_dist_format(&p->launch_gap, 1e3, "us", b, sizeof(b)),
					 p->input_bytes ? ", h2d input" : "", p->output_bytes ? ", d2h output" : "", d, e, k);
	return 0;
}

static void infer_spec_fini(struct vgs_workload_spec *spec)
{
	struct infer_params *p = spec->priv;

	if (p) {
		vgs_dist_fini(&p->kernel);
		vgs_dist_fini(&p->launch_gap);
	}
	free(spec->priv);
}

enum infer_phase { PH_START, PH_KERNELS, PH_OUTPUT, PH_INPUTS, PH_OUTPUTS };

struct infer_inst {
	struct vgs_rng arr_rng;  /* arrivals only */
	struct vgs_rng rng;      /* service */
	struct vgs_rng shape_rng; /* kernel shapes only */
	double next_arrival_ns;
	uint64_t seq;
	uint64_t req;
	enum infer_phase phase;
	uint64_t kdone;
	uint64_t prev_end_seq;
	/* batching: the current batch is requests req .. req + nbatch - 1 */
	uint64_t nbatch, bdone;  /* its size; inputs (or outputs) emitted */
	uint64_t dispatch_ns;    /* when its kernels may start (the batcher's decision) */
	uint64_t *arrivals;      /* arrivals drawn ahead: arrivals[0 .. nahead) are requests req ... */
	uint64_t nahead;
	bool waited;             /* the wait for the previous batch's results is over */
};

static int infer_inst_init(struct vgs_workload *w, uint64_t seed)
{
	const struct infer_params *p = w->spec->priv;
	struct infer_inst *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	vgs_rng_seed(&s->arr_rng, vgs_rng_derive(seed, 0));
	vgs_rng_seed(&s->rng, vgs_rng_derive(seed, 1));
	vgs_rng_seed(&s->shape_rng, vgs_rng_derive(seed, 2));
	s->next_arrival_ns = vgs_rng_exp(&s->arr_rng, 1e9 / p->rate);
	if (p->max_batch > 1)
		s->arrivals = calloc(p->max_batch, sizeof(*s->arrivals));
	w->priv = s;
	return 0;
}

/* The next request's arrival, from the arrival stream (the same times with or without batching). */
static uint64_t draw_arrival(const struct infer_params *p, struct infer_inst *s)
{
	/* Arrival times accumulate in double ns: exact to well below 1 ns for 100 days. */
	uint64_t a = (uint64_t)s->next_arrival_ns;

	s->next_arrival_ns += vgs_rng_exp(&s->arr_rng, 1e9 / p->rate);
	return a;
}

/*
 * A batching server (max_batch > 1; docs/workloads.md).  Asked for a batch when it is free at now_ns
 * (after waiting for the previous batch's results), it takes the queued requests the way a dynamic
 * batcher does (Triton's max_queue_delay_microseconds): the batch is dispatched at
 *     D = max(now, min(first arrival + batch_window, arrival of request max_batch))
 * with every request that has arrived by D (at most max_batch).  Then
 *     h2d input copy per request   stream 0, UNIT_BEGIN, its own arrival and deadline
 *     K_0 ... K_{n-1}              stream 0, work ~ kernel_us x (f + (1 - f) b), b = batch size,
 *                                  f = batch_fixed; K_0 not before D
 *     d2h output copy per request  stream 0, UNIT_END
 * and a wait for the last output copy (the server reads the results before taking more).
 */
static int infer_next_batch(struct vgs_workload *w, uint64_t now_ns, struct vgs_cmd *cmd)
{
	const struct infer_params *p = w->spec->priv;
	struct infer_inst *s = w->priv;
	uint64_t n = p->max_batch;

	vgs_cmd_clear(cmd);
	switch (s->phase) {
	case PH_START: {
		if (p->units && s->req >= p->units)
			return VGS_WL_END;
		if (s->req > 0 && !s->waited) {
			s->waited = true;
			cmd->deps[cmd->ndeps++] = s->prev_end_seq;
			return VGS_WL_WAIT;
		}
		s->waited = false;
		if (p->units && p->units - s->req < n)
			n = p->units - s->req;
		while (s->nahead < n)
			s->arrivals[s->nahead++] = draw_arrival(p, s);
		uint64_t d = s->arrivals[0] + p->window_ns;

		if (s->arrivals[n - 1] < d)
			d = s->arrivals[n - 1];
		s->dispatch_ns = d > now_ns ? d : now_ns;
		for (s->nbatch = 1; s->nbatch < n && s->arrivals[s->nbatch] <= s->dispatch_ns; s->nbatch++)
			;
		s->bdone = 0;
		s->kdone = 0;
		s->phase = PH_INPUTS;
	}
		/* fall through */
	case PH_INPUTS:
		cmd->cls = VGS_COPY;
		cmd->dir = VGS_DIR_H2D;
		cmd->bytes = p->input_bytes;
		cmd->arrival_ns = s->arrivals[s->bdone];
		if (p->deadline_ms > 0)
			cmd->deadline_ns = cmd->arrival_ns + (uint64_t)(p->deadline_ms * 1e6 + 0.5);
		cmd->flags = VGS_CMD_UNIT_BEGIN;
		cmd->unit = s->req + s->bdone;
		if (p->memory && s->bdone == 0)
			cmd->mem = p->mem_first[s->req > 0][0];
		if (++s->bdone == s->nbatch)
			s->phase = PH_KERNELS;
		break;
	case PH_KERNELS: {
		double scale = p->batch_fixed + (1 - p->batch_fixed) * (double)s->nbatch;
		uint64_t ready = s->arrivals[s->nbatch - 1] > now_ns ? s->arrivals[s->nbatch - 1] : now_ns;

		cmd->gap_ns = vgs_dist_sample_gap_ns(&p->launch_gap, &s->rng);
		if (s->kdone == 0 && s->dispatch_ns > ready) /* the batching window still open */
			cmd->gap_ns += s->dispatch_ns - ready;
		cmd->work_ns = (uint64_t)llround((double)vgs_dist_sample_ns(&p->kernel, &s->rng) * scale);
		if (!cmd->work_ns)
			cmd->work_ns = 1;
		cmd->unit = s->req;
		if (p->memory)
			cmd->mem = p->mem_kernel[infer_slice(p, s->kdone)];
		if (++s->kdone == p->kernels) {
			s->phase = PH_OUTPUTS;
			s->bdone = 0;
		}
		break;
	}
	default:
		cmd->cls = VGS_COPY;
		cmd->dir = VGS_DIR_D2H;
		cmd->bytes = p->output_bytes;
		cmd->flags = VGS_CMD_UNIT_END;
		cmd->unit = s->req + s->bdone;
		if (++s->bdone == s->nbatch) {
			if (p->memory)
				cmd->mem = p->mem_batch_end;
			s->prev_end_seq = s->seq;
			s->req += s->nbatch;
			memmove(s->arrivals, s->arrivals + s->nbatch, (s->nahead - s->nbatch) * sizeof(*s->arrivals));
			s->nahead -= s->nbatch;
			s->phase = PH_START;
		}
		break;
	}
	cmd->seq = s->seq++;
	return VGS_WL_CMD;
}

static int infer_next(struct vgs_workload *w, uint64_t now_ns, struct vgs_cmd *cmd)
{
	const struct infer_params *p = w->spec->priv;
	struct infer_inst *s = w->priv;
	bool last = false;

	if (p->max_batch > 1)
		return infer_next_batch(w, now_ns, cmd);
	vgs_cmd_clear(cmd);
	if (s->phase == PH_START) {
		if (p->units && s->req >= p->units)
			return 0;
		cmd->arrival_ns = draw_arrival(p, s);
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
	vgs_kshape_draw(&p->shape, &s->shape_rng, cmd);
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
	struct infer_inst *s = w->priv;

	if (s)
		free(s->arrivals);
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
