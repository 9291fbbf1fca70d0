/*
 * Private to the Kineto importer (hw-trace/kineto*.c): the value helpers and the correlation table
 * of kineto_util.c, and the importer's state, which the streaming parser of kineto.c fills and
 * kineto_events.c acts on.  The calls go one way: kineto.c -> kineto_events.c -> kineto_util.c.
 */
#ifndef VGS_KINETO_PRIV_H
#define VGS_KINETO_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <yajl/yajl_parse.h>

#include "hw-trace/import.h"

/* What an event's "cat" makes it. */
enum kn_cat { KN_C_OTHER = 0, KN_C_KERNEL, KN_C_MEMCPY, KN_C_MEMSET, KN_C_LAUNCH, KN_C_GPU_ANNOT };

/* Open-addressing table correlation -> launch ts (ns); key 0 marks an empty slot (stored as corr + 1). */
struct kn_corr {
	uint64_t *key, *ts;
	size_t cap, n;
};

/* Remember the launch call of a correlation id; the first one wins. */
void kn_corr_put(struct kn_corr *c, uint64_t corr, uint64_t ts);
/* Its launch ts, or VGS_NO_TIME. */
uint64_t kn_corr_get(const struct kn_corr *c, uint64_t corr);

/* µs as decimal text -> ns, exactly; 0 or -1. */
int kn_us_ns(const char *s, size_t len, int64_t *ns);
/* A non-negative whole number; 0 or -1. */
int kn_uint(const char *s, size_t len, uint64_t *v);
/* A whole number, maybe negative (a [memory] event's Bytes); 0 or -1. */
int kn_int(const char *s, size_t len, int64_t *v);
/* Whether s contains needle, ignoring ASCII case. */
bool kn_has(const unsigned char *s, size_t len, const char *needle);
/* Whether a runtime or driver call of that name blocks the host until GPU work is done. */
bool kn_is_sync(const unsigned char *s, size_t len);
/* enum vgs_copy_dir named by a memcpy name or roctracer kind, -1 if none. */
int kn_dir(const unsigned char *s, size_t len);
enum kn_cat kn_cat_id(const unsigned char *s, size_t len);

/* ---- the importer's state ---- */

#define KN_MAXD 8 /* containers deeper than this are skipped without looking */

/* Keys the importer looks at; position (depth) decides which object they belong to. */
enum kn_key {
	KN_K_OTHER = 0,
	KN_K_TRACE_EVENTS, KN_K_DEVPROPS,                                       /* top level */
	KN_K_PH, KN_K_CAT, KN_K_NAME, KN_K_PID, KN_K_TID, KN_K_TS, KN_K_DUR, KN_K_ARGS, /* event */
	KN_K_STREAM, KN_K_QUEUE, KN_K_CORR, KN_K_BYTES, KN_K_DEVICE, KN_K_KIND, /* event args */
	KN_K_GRID, KN_K_BLOCK, KN_K_REGS, KN_K_SMEM, KN_K_OCC,                 /* kernel args */
	KN_K_ID,                                                                /* deviceProperties[] */
	KN_K_M_ADDR, KN_K_M_BYTES, KN_K_M_TOTAL, KN_K_M_DTYPE, KN_K_M_DID,     /* [memory] args */
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
	KN_F_GRID = 1u << 15,
	KN_F_BLOCK = 1u << 16,
	KN_F_REGS = 1u << 17,
	KN_F_SMEM = 1u << 18,
	KN_F_OCC = 1u << 19,
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
	uint64_t grid, block;   /* kernel args: products of the grid and block dimensions */
	uint64_t regs, smem, occ;
	/* from "name", computed as it is read (kernel names run to kilobytes) */
	bool collective, step, process_name, memory;
	bool sync;              /* a call that blocks the host until the GPU is done (cudaStreamSynchronize ...) */
	int name_dir, kind_dir; /* enum vgs_copy_dir, -1 when the text names none */
	bool kind_copy;         /* roctracer args.kind names a copy */
	uint8_t name_kc;        /* the kernel class the name gives a kernel (models/workload/kclass.h) */
	bool name_peer;         /* the name says a peer-to-peer copy ("Memcpy PtoP") */
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
	GArray *waits;          /* struct vgs_host_wait of the synchronising calls (ctx set at the end) */
	GHashTable *pnames;     /* pid text -> process name */
	GArray *devprops;       /* struct kn_devprop */
	char host_pid[32], gpu_pid[32];
	int64_t gpu_device;     /* args.device of the first op, -1 if none */
};

/* kineto_events.c: act on the event just closed (k->ev), and on the whole file once it is read.
 * kn_event_done returns yajl's 1 (go on), or 0 with k->err set and k->failed; kn_finish 0, or -1
 * with k->err set. */
int kn_event_done(struct kn *k);
int kn_finish(struct kn *k);

#endif
