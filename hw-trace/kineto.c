/*
 * Kineto (PyTorch profiler) Chrome-trace JSON, plain or gzip, current and legacy (2021) layouts, from
 * CUPTI (NVIDIA) and roctracer (AMD) alike.
 *
 * What is read (everything else is skipped):
 *   - GPU ops: "ph":"X" events with "cat" kernel / gpu_memcpy / gpu_memset (legacy: Kernel / Memcpy /
 *     Memset).  Kernels and memsets run on the compute class, memcpys on the copy class with
 *     args.bytes and the direction from the name ("Memcpy HtoD (Pageable -> Device)") or from
 *     roctracer's args.kind ("DtoD").  Kernels named *nccl* / *rccl* are collectives.  "ts" and "dur"
 *     are µs with up to three decimals; they are converted to ns exactly from their decimal text
 *     (a double loses the ns digit of a 13-digit µs timestamp).  Stream: args.stream, else args.queue,
 *     else tid (legacy tid "stream 7").
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
 *
 * The file is streamed: gzread() (which also reads plain files) feeds yajl's callback parser in
 * KN_CHUNK pieces, and the callbacks fill one struct kn_event per element of "traceEvents", acted on
 * at its closing brace.  Memory is the ops kept, the correlation table (one entry per launch call) and
 * the step times; never the document.  Byte offsets in errors count the decompressed JSON text.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <yajl/yajl_parse.h>
#include <zlib.h>

#include "hw-trace/import.h"
#include "hw-trace/kineto_priv.h"

#define KN_CHUNK (64 * 1024)
#define KN_MAXD 8 /* containers deeper than this are skipped without looking */

/* Keys the importer looks at; position (depth) decides which object they belong to. */
enum kn_key {
	KN_K_OTHER = 0,
	KN_K_TRACE_EVENTS, KN_K_DEVPROPS,                                       /* top level */
	KN_K_PH, KN_K_CAT, KN_K_NAME, KN_K_PID, KN_K_TID, KN_K_TS, KN_K_DUR, KN_K_ARGS, /* event */
	KN_K_STREAM, KN_K_QUEUE, KN_K_CORR, KN_K_BYTES, KN_K_DEVICE, KN_K_KIND, /* event args */
	KN_K_ID,                                                                /* deviceProperties[] */
	KN_K_M_ADDR, KN_K_M_BYTES, KN_K_M_TOTAL, KN_K_M_DTYPE, KN_K_M_DID,     /* [memory] args */
};

#define KN_KEY(str, key) { str, sizeof(str) - 1, key }
static const struct {
	const char *s;
	size_t n;
	enum kn_key k;
} kn_keys[] = {
	KN_KEY("traceEvents", KN_K_TRACE_EVENTS), KN_KEY("deviceProperties", KN_K_DEVPROPS),
	KN_KEY("ph", KN_K_PH), KN_KEY("cat", KN_K_CAT), KN_KEY("name", KN_K_NAME), KN_KEY("pid", KN_K_PID),
	KN_KEY("tid", KN_K_TID), KN_KEY("ts", KN_K_TS), KN_KEY("dur", KN_K_DUR), KN_KEY("args", KN_K_ARGS),
	KN_KEY("stream", KN_K_STREAM), KN_KEY("queue", KN_K_QUEUE), KN_KEY("correlation", KN_K_CORR),
	KN_KEY("bytes", KN_K_BYTES), KN_KEY("device", KN_K_DEVICE), KN_KEY("kind", KN_K_KIND),
	KN_KEY("id", KN_K_ID), KN_KEY("Addr", KN_K_M_ADDR), KN_KEY("Bytes", KN_K_M_BYTES),
	KN_KEY("Total Allocated", KN_K_M_TOTAL), KN_KEY("Device Type", KN_K_M_DTYPE),
	KN_KEY("Device Id", KN_K_M_DID),
};

/* Fields seen in the current event (bit set), or seen with a value of the wrong type (bad). */
enum kn_field {
	KN_F_TS = 1u << 0,
	KN_F_DUR = 1u << 1,
	KN_F_STREAM = 1u << 2,
	KN_F_QUEUE = 1u << 3,
	KN_F_TID = 1u << 4,
	KN_F_CORR = 1u << 5,
	KN_F_BYTES = 1u << 6,
	KN_F_DEVICE = 1u << 7,
	KN_F_PID = 1u << 8,
	KN_F_ARGNAME = 1u << 9,
	KN_F_M_ADDR = 1u << 10,
	KN_F_M_BYTES = 1u << 11,
	KN_F_M_TOTAL = 1u << 12,
	KN_F_M_DTYPE = 1u << 13,
	KN_F_M_DID = 1u << 14,
};

/* One element of traceEvents, filled by the callbacks while inside it. */
struct kn_event {
	uint64_t off;           /* byte offset of its '{' */
	uint32_t have, bad;     /* enum kn_field */
	char ph[4];
	char cat[24];           /* as written, for messages; truncated */
	enum kn_cat cat_id;
	int64_t ts_ns, dur_ns;
	uint64_t stream, queue, tid, corr, bytes, device;
	char pid[32];
	int64_t m_bytes, m_did;  /* [memory] args */
	uint64_t m_addr, m_total, m_dtype;
	/* from "name", computed as it is read (kernel names run to kilobytes) */
	bool collective, step, process_name, memory;
	int name_dir, kind_dir; /* enum vgs_copy_dir, -1 when the text names none */
	bool kind_copy;         /* roctracer args.kind names a copy */
	char argname[128];      /* args.name of a process_name record */
};

struct kn_mem {
	struct vgs_mem_event e;
	int64_t device;         /* Device Id */
};

struct kn_devprop {
	int64_t id;
	char *name;
};

struct kn {
	const char *path;
	struct vgs_import *im;
	struct vgs_error *err;
	yajl_handle h;
	uint64_t chunk_base;    /* decompressed bytes handed to yajl before the current chunk */
	bool failed;            /* a callback set err and cancelled the parse */

	int depth;              /* open containers; the top-level value is depth 1 */
	bool is_map[KN_MAXD];
	enum kn_key key[KN_MAXD];
	bool have_events;       /* a traceEvents array was opened */

	struct kn_event ev;
	struct kn_devprop dp;

	guint base;             /* im->ops->len before this file */
	GArray *op_corr;        /* uint64 per op added, UINT64_MAX = none */
	struct kn_corr corr;
	GArray *steps;          /* int64 ts_ns of ProfilerStep# events */
	GArray *mem;            /* struct kn_mem of the GPU's [memory] events */
	GHashTable *pnames;     /* pid text -> process name */
	GArray *devprops;       /* struct kn_devprop */
	char host_pid[32], gpu_pid[32];
	int64_t gpu_device;     /* args.device of the first op, -1 if none */
};

static uint64_t kn_pos(const struct kn *k)
{
	return k->chunk_base + yajl_get_bytes_consumed(k->h);
}

/* Report an error at the current event and cancel the parse. */
static int kn_ev_fail(struct kn *k, const char *what)
{
	vgs_error_set(k->err, "%s: byte %" PRIu64 ": %s event %s", k->path, k->ev.off, k->ev.cat, what);
	k->failed = true;
	return 0;
}

static void kn_copy(char *dst, size_t size, const unsigned char *s, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* A scalar value at the current depth; s is its text (numbers as written). */
static int kn_value(struct kn *k, bool is_str, const unsigned char *s, size_t len)
{
	struct kn_event *e = &k->ev;
	int d = k->depth; /* of the container holding it */
	const char *cs = (const char *)s;
	int64_t ns;
	uint64_t u;

	if (d < 1 || d >= KN_MAXD || !k->is_map[d])
		return 1;
	if (k->key[1] == KN_K_DEVPROPS && d == 3 && !k->is_map[2]) {
		if (k->key[3] == KN_K_ID && !is_str && kn_uint(cs, len, &u) == 0)
			k->dp.id = (int64_t)u;
		else if (k->key[3] == KN_K_NAME && is_str) {
			g_free(k->dp.name);
			k->dp.name = g_strndup(cs, len);
		}
		return 1;
	}
	if (k->key[1] != KN_K_TRACE_EVENTS || k->is_map[2] || d < 3 || d > 4)
		return 1;
	if (d == 4 && k->key[3] != KN_K_ARGS)
		return 1;
	switch (k->key[d]) {
	case KN_K_PH:
		if (d == 3 && is_str)
			kn_copy(e->ph, sizeof(e->ph), s, len);
		break;
	case KN_K_CAT:
		if (d == 3 && is_str) {
			kn_copy(e->cat, sizeof(e->cat), s, len);
			e->cat_id = kn_cat_id(s, len);
		}
		break;
	case KN_K_NAME:
		if (!is_str)
			break;
		if (d == 4) {
			kn_copy(e->argname, sizeof(e->argname), s, len);
			e->have |= KN_F_ARGNAME;
			break;
		}
		e->collective = kn_has(s, len, "nccl") || kn_has(s, len, "rccl");
		e->step = len > 13 && memcmp(s, "ProfilerStep#", 13) == 0;
		e->process_name = len == 12 && memcmp(s, "process_name", 12) == 0;
		e->memory = len == 8 && memcmp(s, "[memory]", 8) == 0;
		e->name_dir = kn_dir(s, len);
		break;
	case KN_K_PID:
		if (d == 3) {
			kn_copy(e->pid, sizeof(e->pid), s, len);
			e->have |= KN_F_PID;
		}
		break;
	case KN_K_TID:
		/* legacy: "stream 7" */
		if (d == 3) {
			while (len && is_str && !(*s >= '0' && *s <= '9'))
				s++, len--;
			if (kn_uint((const char *)s, len, &e->tid) == 0)
				e->have |= KN_F_TID;
		}
		break;
	case KN_K_TS:
	case KN_K_DUR:
		if (d == 3) {
			uint32_t f = k->key[d] == KN_K_TS ? KN_F_TS : KN_F_DUR;

			if (is_str || kn_us_ns(cs, len, &ns)) {
				e->bad |= f;
				break;
			}
			e->have |= f;
			*(f == KN_F_TS ? &e->ts_ns : &e->dur_ns) = ns;
		}
		break;
	case KN_K_STREAM:
	case KN_K_QUEUE:
	case KN_K_CORR:
	case KN_K_BYTES:
	case KN_K_DEVICE: {
		static const uint32_t fl[] = { KN_F_STREAM, KN_F_QUEUE, KN_F_CORR, KN_F_BYTES, KN_F_DEVICE };
		int i = k->key[d] - KN_K_STREAM;
		uint64_t *dst[] = { &e->stream, &e->queue, &e->corr, &e->bytes, &e->device };

		if (d != 4)
			break;
		if (is_str || kn_uint(cs, len, &u)) {
			e->bad |= fl[i];
			break;
		}
		e->have |= fl[i];
		*dst[i] = u;
		break;
	}
	case KN_K_M_ADDR:
	case KN_K_M_TOTAL:
	case KN_K_M_DTYPE:
		if (d == 4 && !is_str && kn_uint(cs, len, &u) == 0) {
			uint32_t f = k->key[d] == KN_K_M_ADDR ? KN_F_M_ADDR : k->key[d] == KN_K_M_TOTAL ? KN_F_M_TOTAL
												    : KN_F_M_DTYPE;

			*(f == KN_F_M_ADDR ? &e->m_addr : f == KN_F_M_TOTAL ? &e->m_total : &e->m_dtype) = u;
			e->have |= f;
		}
		break;
	case KN_K_M_BYTES:
	case KN_K_M_DID:
		if (d == 4 && !is_str && kn_int(cs, len, k->key[d] == KN_K_M_BYTES ? &e->m_bytes : &e->m_did) == 0)
			e->have |= k->key[d] == KN_K_M_BYTES ? KN_F_M_BYTES : KN_F_M_DID;
		break;
	case KN_K_KIND:
		if (d == 4 && is_str) {
			e->kind_dir = kn_dir(s, len);
			e->kind_copy = kn_has(s, len, "copy");
		}
		break;
	default:
		break;
	}
	return 1;
}

/* ---- one complete event ---- */

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
	} else {
		op.cls = VGS_COMPUTE;
		if (e->cat_id == KN_C_KERNEL && e->collective)
			op.flags |= VGS_OP_COLLECTIVE;
	}
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

static int kn_event_done(struct kn *k)
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

/* ---- yajl callbacks ---- */

static bool kn_in_event(const struct kn *k)
{
	return k->depth == 3 && k->is_map[1] && !k->is_map[2] && k->is_map[3] &&
	       k->key[1] == KN_K_TRACE_EVENTS;
}

static bool kn_in_devprop(const struct kn *k)
{
	return k->depth == 3 && k->is_map[1] && !k->is_map[2] && k->is_map[3] &&
	       k->key[1] == KN_K_DEVPROPS;
}

static int kn_open(struct kn *k, bool map)
{
	k->depth++;
	if (k->depth >= KN_MAXD)
		return 1;
	k->is_map[k->depth] = map;
	k->key[k->depth] = KN_K_OTHER;
	if (!map && k->depth == 2 && k->is_map[1] && k->key[1] == KN_K_TRACE_EVENTS)
		k->have_events = true;
	if (kn_in_event(k)) {
		memset(&k->ev, 0, sizeof(k->ev));
		k->ev.off = kn_pos(k) - 1;
		k->ev.name_dir = k->ev.kind_dir = -1;
		strcpy(k->ev.cat, "?");
	} else if (kn_in_devprop(k)) {
		g_free(k->dp.name);
		k->dp = (struct kn_devprop){ .id = -1 };
	}
	return 1;
}

static int kn_close(struct kn *k)
{
	int rc = 1;

	if (kn_in_event(k)) {
		rc = kn_event_done(k);
	} else if (kn_in_devprop(k) && k->dp.name) {
		g_array_append_val(k->devprops, k->dp);
		k->dp.name = NULL;
	}
	k->depth--;
	return rc;
}

static int kn_start_map(void *ctx)
{
	return kn_open(ctx, true);
}

static int kn_end_map(void *ctx)
{
	return kn_close(ctx);
}

static int kn_start_array(void *ctx)
{
	return kn_open(ctx, false);
}

static int kn_end_array(void *ctx)
{
	return kn_close(ctx);
}

static int kn_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct kn *k = ctx;

	if (k->depth < 1 || k->depth >= KN_MAXD)
		return 1;
	k->key[k->depth] = KN_K_OTHER;
	for (size_t i = 0; i < G_N_ELEMENTS(kn_keys); i++) {
		if (kn_keys[i].n == len && memcmp(kn_keys[i].s, s, len) == 0) {
			k->key[k->depth] = kn_keys[i].k;
			break;
		}
	}
	return 1;
}

static int kn_string(void *ctx, const unsigned char *s, size_t len)
{
	return kn_value(ctx, true, s, len);
}

static int kn_number(void *ctx, const char *s, size_t len)
{
	return kn_value(ctx, false, (const unsigned char *)s, len);
}

static int kn_null(void *ctx)
{
	return 1;
}

static int kn_bool(void *ctx, int b)
{
	return 1;
}

static const yajl_callbacks kn_callbacks = {
	.yajl_null = kn_null,
	.yajl_boolean = kn_bool,
	.yajl_number = kn_number,
	.yajl_string = kn_string,
	.yajl_start_map = kn_start_map,
	.yajl_map_key = kn_map_key,
	.yajl_end_map = kn_end_map,
	.yajl_start_array = kn_start_array,
	.yajl_end_array = kn_end_array,
};

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

static int kn_finish(struct kn *k)
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

/* ---- reading ---- */

/* yajl's message on one line: "parse error: invalid object key (must be a string)". */
static void kn_yajl_error(struct kn *k, const unsigned char *buf, size_t len)
{
	unsigned char *msg = yajl_get_error(k->h, 0, buf, len);
	char *m = g_strstrip(g_strdup((const char *)msg));

	for (char *p = m; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	vgs_error_set(k->err, "%s: byte %" PRIu64 ": %s", k->path, kn_pos(k), m);
	g_free(m);
	yajl_free_error(k->h, msg);
}

static int kn_parse(struct kn *k, gzFile gz)
{
	unsigned char *buf = g_malloc(KN_CHUNK);
	yajl_status st;
	int n, errnum, rc = -1;
	const char *zmsg;

	for (;;) {
		n = gzread(gz, buf, KN_CHUNK);
		if (n <= 0) {
			zmsg = gzerror(gz, &errnum);
			if (errnum == Z_BUF_ERROR) {
				vgs_error_set(k->err, "%s: truncated gzip stream at byte %lld", k->path,
					      (long long)gzoffset(gz));
				goto out;
			}
			if (errnum == Z_ERRNO) {
				vgs_error_set(k->err, "%s: cannot read: %s", k->path, strerror(errno));
				goto out;
			}
			if (errnum != Z_OK) {
				vgs_error_set(k->err, "%s: corrupt gzip stream at byte %lld: %s", k->path,
					      (long long)gzoffset(gz), zmsg);
				goto out;
			}
			break;
		}
		st = yajl_parse(k->h, buf, (size_t)n);
		if (st != yajl_status_ok) {
			if (!k->failed)
				kn_yajl_error(k, buf, (size_t)n);
			goto out;
		}
		k->chunk_base += (uint64_t)n;
	}
	if (k->chunk_base == 0) {
		vgs_error_set(k->err, "%s: empty file", k->path);
		goto out;
	}
	st = yajl_complete_parse(k->h);
	if (st != yajl_status_ok) {
		if (!k->failed) {
			k->chunk_base -= yajl_get_bytes_consumed(k->h); /* kn_pos() = end of the text */
			kn_yajl_error(k, NULL, 0);
		}
		goto out;
	}
	rc = 0;
out:
	g_free(buf);
	return rc;
}

int vgs_import_kineto(struct vgs_import *im, const char *path, struct vgs_error *err)
{
	struct kn k = {
		.path = path,
		.im = im,
		.err = err,
		.base = im->ops->len,
		.gpu_device = -1,
	};
	gzFile gz;
	int rc = -1;

	errno = 0;
	gz = gzopen(path, "rb");
	if (!gz) {
		vgs_error_set(err, "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
		return -1;
	}
	gzbuffer(gz, KN_CHUNK);
	k.op_corr = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	k.steps = g_array_new(FALSE, FALSE, sizeof(int64_t));
	k.mem = g_array_new(FALSE, FALSE, sizeof(struct kn_mem));
	k.devprops = g_array_new(FALSE, FALSE, sizeof(struct kn_devprop));
	k.pnames = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	k.h = yajl_alloc(&kn_callbacks, NULL, &k);
	if (!k.h) {
		vgs_error_set(err, "%s: out of memory", path);
		goto out;
	}
	yajl_config(k.h, yajl_dont_validate_strings, 1);
	if (kn_parse(&k, gz) == 0)
		rc = kn_finish(&k);
	yajl_free(k.h);
out:
	if (rc)
		g_array_set_size(im->ops, k.base);
	gzclose(gz);
	for (guint i = 0; i < k.devprops->len; i++)
		g_free(g_array_index(k.devprops, struct kn_devprop, i).name);
	g_array_free(k.devprops, TRUE);
	g_free(k.dp.name);
	g_array_free(k.op_corr, TRUE);
	g_array_free(k.steps, TRUE);
	g_array_free(k.mem, TRUE);
	g_hash_table_destroy(k.pnames);
	g_free(k.corr.key);
	g_free(k.corr.ts);
	return rc;
}
