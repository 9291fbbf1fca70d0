/*
 * What the Kineto importer makes of each complete element of "traceEvents" (kineto.c streams the
 * file and fills struct kn_event), and of the whole file once it is read.
 *
 * What is read (everything else is skipped):
 *   - GPU ops: "ph":"X" events with "cat" kernel / gpu_memcpy / gpu_memset (legacy: Kernel / Memcpy /
 *     Memset).  Kernels and memsets run on the compute class, memcpys on the copy class with
 *     args.bytes and the direction from the name ("Memcpy HtoD (Pageable -> Device)") or from
 *     roctracer's args.kind ("DtoD").  Kernels named *nccl* / *rccl* are collectives.  "ts" and "dur"
 *     are µs with up to three decimals; they are converted to ns exactly from their decimal text
 *     (a double loses the ns digit of a 13-digit µs timestamp).  Stream: args.stream, else args.queue,
 *     else tid (legacy tid "stream 7").
 *   - Kernel figures: args grid and block ([x, y, z]), registers per thread, shared memory and est.
 *     achieved occupancy % become the op's sm, threads, regs, smem and occupancy attributes.
 *   - Host waits: calls that block the host until the GPU is done (kn_is_sync: ...Synchronize, blocking
 *     cudaMemcpy / hipMemcpy) become struct vgs_host_wait: the next op is anchored on the completion.
 *   - Launch calls: "ph":"X" CPU events of cat cuda_runtime / cuda_driver (legacy Runtime / Driver;
 *     roctracer also writes cuda_runtime for hip* calls) share args.correlation with the GPU op they
 *     launched: the op's submit time is the call's ts.  A CUDA/HIP graph launch is one call for many
 *     ops, which then share its correlation.  Calls may come after the op in the file, so correlation ->
 *     ts is kept in a table and resolved once the file is read.
 *   - Steps: CPU events named "ProfilerStep#N" (not the gpu_user_annotation copy of the same range):
 *     the first op (by submit, else start) at/after a step's ts opens a unit, an iteration.
 *   - "process_name" metadata names the context (the host process that launched the ops), and
 *     deviceProperties[].name the GPU.
 *   - Memory: "ph":"i" events named "[memory]" with args "Device Type" 1 or 6 (c10::DeviceType CUDA,
 *     HIP: the GPU), "Device Id", "Addr", "Bytes" (negative for a free) and "Total Allocated": the
 *     caching allocator's allocations and frees, on the host clock.  Those of the ops' device are kept
 *     (roctracer numbers devices apart from PyTorch: when no event names the ops' device and all name
 *     one device, that one's); they become the trace's memory lines (hw-trace/import_mem.c).  Events
 *     without Addr (the 2021 layout) cannot pair frees with allocations and are skipped.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hw-trace/import.h"
#include "hw-trace/kineto_priv.h"
#include "models/workload/trace.h"

/* Report an error at the current event and cancel the parse. */
static int kn_ev_fail(struct kn *k, const char *what)
{
	vgs_error_set(k->err, "%s: byte %" PRIu64 ": %s event %s", k->path, k->ev.off, k->ev.cat, what);
	k->failed = true;
	return 0;
}

/* ---- one complete event ---- */

/*
 * What a kernel asks of the SMs, where the capture has it (CUPTI: grid, block, registers per thread,
 * shared memory, est. achieved occupancy %; roctracer: grid and block): sm = thread blocks launched
 * (grid x*y*z, the SMs it can occupy at once at most, as Orion's SM_usage), threads = block x*y*z.
 */
static void kn_kernel_attr(const struct kn_event *e, struct vgs_trace_attr *a)
{
	static const struct {
		uint32_t f;
		uint8_t have;
	} map[] = {
		{ KN_F_GRID, VGS_ATTR_SM }, { KN_F_BLOCK, VGS_ATTR_THREADS }, { KN_F_REGS, VGS_ATTR_REGS },
		{ KN_F_SMEM, VGS_ATTR_SMEM }, { KN_F_OCC, VGS_ATTR_OCCUPANCY },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(map); i++)
		if (e->have & map[i].f)
			a->have |= map[i].have;
	a->sm = (uint32_t)e->grid;
	a->threads = (uint32_t)e->block;
	a->regs = (uint32_t)e->regs;
	a->smem = (uint32_t)e->smem;
	a->occupancy = (uint8_t)(e->occ > 100 ? 100 : e->occ);
}

static int kn_gpu_op(struct kn *k)
{
	struct kn_event *e = &k->ev;
	struct vgs_op op = { .submit_ns = VGS_NO_TIME, .arrival_ns = VGS_NO_TIME };
	uint64_t corr = UINT64_MAX;

	if (e->bad & KN_F_TS)
		return kn_ev_fail(k, "with a 'ts' that is not a number");
	if (e->bad & KN_F_DUR)
		return kn_ev_fail(k, "with a 'dur' that is not a number");
	if (!(e->have & KN_F_TS))
		return kn_ev_fail(k, "without 'ts'");
	if (!(e->have & KN_F_DUR))
		return kn_ev_fail(k, "without 'dur'");
	if (e->ts_ns < 0)
		return kn_ev_fail(k, "with a negative 'ts'");
	if (e->dur_ns < 0)
		return kn_ev_fail(k, "with a negative 'dur'");
	if (e->have & KN_F_STREAM)
		op.stream = (uint32_t)e->stream;
	else if (e->have & KN_F_QUEUE)
		op.stream = (uint32_t)e->queue;
	else if (e->have & KN_F_TID)
		op.stream = (uint32_t)e->tid;
	else
		return kn_ev_fail(k, "without 'args.stream'");
	if ((e->have & (KN_F_STREAM | KN_F_QUEUE)) && (e->stream > UINT32_MAX || e->queue > UINT32_MAX))
		return kn_ev_fail(k, "with a stream beyond 2^32-1");
	op.start_ns = (uint64_t)e->ts_ns;
	op.end_ns = op.start_ns + (uint64_t)e->dur_ns;
	if (e->cat_id == KN_C_MEMCPY || (e->cat_id == KN_C_KERNEL && e->kind_copy)) {
		int dir = e->name_dir >= 0 ? e->name_dir : e->kind_dir;

		if (e->bad & KN_F_BYTES)
			return kn_ev_fail(k, "with an 'args.bytes' that is not a whole number");
		if (!(e->have & KN_F_BYTES))
			return kn_ev_fail(k, "without 'args.bytes'");
		op.cls = VGS_COPY;
		op.bytes = e->bytes;
		op.dir = dir >= 0 ? (uint8_t)dir : VGS_DIR_NONE;
		op.attr.kc = e->name_peer ? VGS_KC_P2P : (uint8_t)vgs_kclass_of(VGS_KIND_COPY, NULL, 0, op.dir);
	} else {
		op.cls = VGS_COMPUTE;
		if (e->cat_id == KN_C_KERNEL && e->collective)
			op.flags |= VGS_OP_COLLECTIVE;
		if (e->cat_id == KN_C_KERNEL)
			kn_kernel_attr(e, &op.attr);
		op.attr.kc = e->cat_id == KN_C_MEMSET ? VGS_KC_MEMSET : e->name_kc;
	}
	op.attr.have |= VGS_ATTR_KC;
	if (e->have & KN_F_CORR)
		corr = e->corr;
	if (k->op_corr->len == 0) {
		k->gpu_device = (e->have & KN_F_DEVICE) ? (int64_t)e->device : -1;
		g_strlcpy(k->gpu_pid, e->pid, sizeof(k->gpu_pid));
	}
	vgs_import_add(k->im, &op);
	g_array_append_val(k->op_corr, corr);
	return 1;
}

int kn_event_done(struct kn *k)
{
	struct kn_event *e = &k->ev;

	if (strcmp(e->ph, "M") == 0) {
		if (e->process_name && (e->have & KN_F_ARGNAME) && (e->have & KN_F_PID) &&
		    !g_hash_table_contains(k->pnames, e->pid))
			g_hash_table_insert(k->pnames, g_strdup(e->pid), g_strdup(e->argname));
		return 1;
	}
	if (strcmp(e->ph, "i") == 0 || strcmp(e->ph, "I") == 0) {
		const uint32_t need = KN_F_TS | KN_F_M_ADDR | KN_F_M_BYTES | KN_F_M_DTYPE;
		bool gpu = e->m_dtype == 1 || e->m_dtype == 6; /* c10::DeviceType CUDA, HIP */

		if (e->memory && (e->have & need) == need && gpu && e->ts_ns >= 0 && e->m_bytes) {
			/* What the native format can say (its loader's limit): refused here, with the capture's
			 * byte offset, rather than written into a trace that does not load. */
			if (e->m_bytes > (int64_t)VGS_TRACE_MAX_ALLOC_BYTES || e->m_bytes < -(int64_t)VGS_TRACE_MAX_ALLOC_BYTES ||
			    ((e->have & KN_F_M_TOTAL) && e->m_total > VGS_TRACE_MAX_ALLOC_BYTES)) {
				vgs_error_set(k->err, "%s: byte %" PRIu64 ": [memory] event of %" PRId64 " bytes (total %"
					      PRIu64 "): expected at most 2^50 bytes (1 PiB)", k->path, e->off,
					      e->m_bytes, (e->have & KN_F_M_TOTAL) ? e->m_total : 0);
				k->failed = true;
				return 0;
			}
			struct kn_mem m = {
				.e = { .ts_ns = (uint64_t)e->ts_ns, .addr = e->m_addr, .bytes = e->m_bytes,
				       .total = (e->have & KN_F_M_TOTAL) ? e->m_total : UINT64_MAX },
				.device = (e->have & KN_F_M_DID) ? e->m_did : -1,
			};

			g_array_append_val(k->mem, m);
		}
		return 1;
	}
	if (strcmp(e->ph, "X") != 0)
		return 1;
	switch (e->cat_id) {
	case KN_C_KERNEL:
	case KN_C_MEMCPY:
	case KN_C_MEMSET:
		return kn_gpu_op(k);
	case KN_C_LAUNCH:
		if (e->sync && (e->have & (KN_F_TS | KN_F_DUR)) == (KN_F_TS | KN_F_DUR) && e->ts_ns >= 0 && e->dur_ns >= 0) {
			struct vgs_host_wait w = { (uint64_t)e->ts_ns, (uint64_t)(e->ts_ns + e->dur_ns), 0 };

			g_array_append_val(k->waits, w);
		}
		if ((e->have & (KN_F_CORR | KN_F_TS)) == (KN_F_CORR | KN_F_TS) && e->ts_ns >= 0) {
			kn_corr_put(&k->corr, e->corr, (uint64_t)e->ts_ns);
			if (!k->host_pid[0])
				g_strlcpy(k->host_pid, e->pid, sizeof(k->host_pid));
		}
		break;
	case KN_C_GPU_ANNOT:
		break;
	default:
		if (e->step && (e->have & KN_F_TS))
			g_array_append_val(k->steps, e->ts_ns);
		break;
	}
	return 1;
}

/* ---- after the file ---- */

static int kn_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

struct kn_key_idx {
	uint64_t t;
	guint i;
};

static int kn_cmp_key(const void *a, const void *b)
{
	const struct kn_key_idx *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Flag the first op (by submit, else start) at/after each step's ts, when it precedes the next step. */
static void kn_mark_steps(struct kn *k)
{
	guint n = k->op_corr->len, ns = k->steps->len;
	struct kn_key_idx *v;
	const int64_t *st;
	guint j = 0;

	if (!ns || !n)
		return;
	g_array_sort(k->steps, kn_cmp_i64);
	st = (const int64_t *)(void *)k->steps->data;
	v = g_new(struct kn_key_idx, n);
	for (guint i = 0; i < n; i++) {
		const struct vgs_op *op = &g_array_index(k->im->ops, struct vgs_op, k->base + i);

		v[i] = (struct kn_key_idx){ op->submit_ns != VGS_NO_TIME ? op->submit_ns : op->start_ns, i };
	}
	qsort(v, n, sizeof(*v), kn_cmp_key);
	for (guint s = 0; s < ns; s++) {
		if (s + 1 < ns && st[s + 1] == st[s])
			continue;
		while (j < n && (int64_t)v[j].t < st[s])
			j++;
		if (j == n)
			break;
		if (s + 1 == ns || (int64_t)v[j].t < st[s + 1])
			g_array_index(k->im->ops, struct vgs_op, k->base + v[j].i).flags |= VGS_OP_UNIT_BEGIN;
	}
	g_free(v);
	g_free(k->im->unit);
	k->im->unit = g_strdup("iteration");
}

int kn_finish(struct kn *k)
{
	struct vgs_import *im = k->im;
	const char *pid = k->host_pid[0] ? k->host_pid : k->gpu_pid;
	const char *pname = g_hash_table_lookup(k->pnames, pid);
	const char *gpu = NULL;
	char *name, *base;
	uint32_t ctx;
	guint n = k->op_corr->len;
	gpointer old;

	if (!k->have_events) {
		vgs_error_set(k->err, "%s: no traceEvents array (not a Kineto/Chrome trace?)", k->path);
		return -1;
	}
	if (!n) {
		vgs_error_set(k->err, "%s: no GPU operations (no kernel, gpu_memcpy or gpu_memset events)",
			      k->path);
		return -1;
	}
	name = pname ? g_strdup(pname) : g_strdup_printf("pid %s", pid[0] ? pid : "?");
	ctx = vgs_import_ctx(im, name);
	g_free(name);
	for (guint i = 0; i < n; i++) {
		struct vgs_op *op = &g_array_index(im->ops, struct vgs_op, k->base + i);

		op->ctx = ctx;
		op->submit_ns = kn_corr_get(&k->corr, g_array_index(k->op_corr, uint64_t, i));
	}
	kn_mark_steps(k);
	for (guint i = 0; i < k->waits->len; i++) {
		struct vgs_host_wait *w = &g_array_index(k->waits, struct vgs_host_wait, i);

		w->ctx = ctx;
		vgs_import_add_wait(im, w);
	}
	/* The GPU's memory events: those of the ops' device; when none names it (roctracer numbers its
	 * devices apart from PyTorch) and all name one device, that one's; all when the device is unknown. */
	int64_t mdev = k->gpu_device;
	bool seen = false, one = true;

	for (guint i = 0; i < k->mem->len; i++) {
		const struct kn_mem *m = &g_array_index(k->mem, struct kn_mem, i);

		seen |= m->device == k->gpu_device;
		one &= m->device == g_array_index(k->mem, struct kn_mem, 0).device;
	}
	if (!seen && one && k->mem->len)
		mdev = g_array_index(k->mem, struct kn_mem, 0).device;
	for (guint i = 0; i < k->mem->len; i++) {
		struct kn_mem *m = &g_array_index(k->mem, struct kn_mem, i);

		if (mdev >= 0 && m->device >= 0 && m->device != mdev)
			continue;
		m->e.ctx = ctx;
		vgs_import_add_mem(im, &m->e);
	}

	base = g_path_get_basename(k->path);
	g_free(im->source);
	im->source = g_strdup_printf("kineto: %s", base);
	g_free(base);
	/* The GPU the ops ran on (args.device), else the first listed (roctracer numbers them apart). */
	for (guint i = 0; i < k->devprops->len; i++) {
		const struct kn_devprop *p = &g_array_index(k->devprops, struct kn_devprop, i);

		if (!gpu || p->id == k->gpu_device)
			gpu = p->name;
		if (p->id == k->gpu_device)
			break;
	}
	if (gpu) {
		g_free(im->gpu);
		im->gpu = g_strdup(gpu);
	}
	old = g_hash_table_lookup(im->units, "us");
	g_hash_table_replace(im->units, g_strdup("us"), GUINT_TO_POINTER(GPOINTER_TO_UINT(old) + n));
	return 0;
}
