/*
 * Kineto (PyTorch profiler) Chrome-trace JSON, plain or gzip, current and legacy (2021) layouts, from
 * CUPTI (NVIDIA) and roctracer (AMD) alike.  What each event becomes (GPU ops, launch calls, steps,
 * process names, memory) is kineto_events.c; this file reads the JSON.
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
	KN_KEY("Device Id", KN_K_M_DID), KN_KEY("grid", KN_K_GRID), KN_KEY("block", KN_K_BLOCK),
	KN_KEY("registers per thread", KN_K_REGS), KN_KEY("shared memory", KN_K_SMEM),
	KN_KEY("est. achieved occupancy %", KN_K_OCC),
};

static uint64_t kn_pos(const struct kn *k)
{
	return k->chunk_base + yajl_get_bytes_consumed(k->h);
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

	/* args.grid and args.block: [x, y, z] of a kernel, kept as products */
	if (d == 5 && !k->is_map[5] && k->key[1] == KN_K_TRACE_EVENTS && !k->is_map[2] && k->key[3] == KN_K_ARGS &&
	    (k->key[4] == KN_K_GRID || k->key[4] == KN_K_BLOCK)) {
		uint64_t *p = k->key[4] == KN_K_GRID ? &e->grid : &e->block;

		if (!is_str && kn_uint(cs, len, &u) == 0) {
			*p = *p * u > UINT32_MAX ? UINT32_MAX : *p * u;
			e->have |= k->key[4] == KN_K_GRID ? KN_F_GRID : KN_F_BLOCK;
		}
		return 1;
	}
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
		e->sync = kn_is_sync(s, len);
		e->name_dir = kn_dir(s, len);
		e->name_kc = (uint8_t)vgs_kclass_of(VGS_KIND_KERNEL, (const char *)s, len, VGS_DIR_NONE);
		e->name_peer = vgs_kclass_of(VGS_KIND_COPY, (const char *)s, len, VGS_DIR_NONE) == VGS_KC_P2P;
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
	case KN_K_REGS:
	case KN_K_SMEM:
	case KN_K_OCC: {
		static const uint32_t fl[] = { KN_F_REGS, KN_F_SMEM, KN_F_OCC };
		int i = k->key[d] - KN_K_REGS;
		uint64_t *dst[] = { &e->regs, &e->smem, &e->occ };
		char num[32];

		if (d != 4 || is_str || len >= sizeof(num))
			break;
		/* whole numbers in the captures seen; a fraction (an occupancy) is rounded */
		kn_copy(num, sizeof(num), s, len);
		double x = g_ascii_strtod(num, NULL);

		if (x >= 0 && x <= UINT32_MAX) {
			*dst[i] = (uint64_t)(x + 0.5);
			e->have |= fl[i];
		}
		break;
	}
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
		k->ev.name_kc = VGS_KC_OTHER;
		k->ev.grid = k->ev.block = 1;
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
	k.waits = g_array_new(FALSE, FALSE, sizeof(struct vgs_host_wait));
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
	g_array_free(k.waits, TRUE);
	g_hash_table_destroy(k.pnames);
	g_free(k.corr.key);
	g_free(k.corr.ts);
	return rc;
}
