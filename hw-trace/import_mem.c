/*
 * Memory lines of an imported trace (docs/trace-format.md, "Memory"; docs/traces.md): a context's
 * recorded allocations and frees, placed before the commands in submission order.
 *
 *   - Memory allocated before the capture began (the first event's Total Allocated minus its Bytes:
 *     weights, caches) becomes allocation 0, made and touched by the first command.
 *   - An allocation becomes `m alloc ID BYTES` before the first command submitted at or after it, and
 *     that command touches it: a capture does not say which buffers a kernel reads, but an allocator
 *     event right before a launch is that operator's output tensor.
 *   - A free of a recorded allocation becomes `m free ID` at the same place (after the command's
 *     touches, so a buffer the command uses is freed when it completes); a free of memory allocated
 *     before the capture is part of allocation 0 and is not written.
 *   - Events after the last command go before it, after its own.
 * Ids count from 1 in allocation order; an address freed and allocated again gets a new id.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "hw-trace/import.h"
#include "models/workload/trace.h"

struct vgs_import_mem {
	GArray *ev;                  /* struct vgs_mem_event of the context, by time */
	guint next;                  /* first event not written yet */
	GHashTable *live;            /* addr -> id */
	GArray *fresh;               /* uint32 ids allocated since the previous command */
	uint32_t next_id;
	uint64_t baseline;           /* bytes allocated before the capture */
	bool first;                  /* no command written yet */
};

static int by_time(const void *a, const void *b)
{
	const struct vgs_mem_event *x = a, *y = b;

	return x->ts_ns < y->ts_ns ? -1 : x->ts_ns > y->ts_ns;
}

struct vgs_import_mem *vgs_import_mem_new(const struct vgs_import *im, uint32_t ctx)
{
	struct vgs_import_mem *m = g_new0(struct vgs_import_mem, 1);

	m->ev = g_array_new(FALSE, FALSE, sizeof(struct vgs_mem_event));
	for (guint i = 0; i < im->mem->len; i++) {
		const struct vgs_mem_event *e = &g_array_index(im->mem, struct vgs_mem_event, i);

		if (e->ctx == ctx)
			g_array_append_val(m->ev, *e);
	}
	/* Stable: events of one instant keep their capture order. */
	if (m->ev->len > 1) {
		GArray *idx = m->ev;

		for (guint i = 1; i < idx->len; i++) {
			struct vgs_mem_event x = g_array_index(idx, struct vgs_mem_event, i);
			guint j = i;

			while (j > 0 && by_time(&g_array_index(idx, struct vgs_mem_event, j - 1), &x) > 0) {
				g_array_index(idx, struct vgs_mem_event, j) = g_array_index(idx, struct vgs_mem_event, j - 1);
				j--;
			}
			g_array_index(idx, struct vgs_mem_event, j) = x;
		}
	}
	if (m->ev->len) {
		const struct vgs_mem_event *e = &g_array_index(m->ev, struct vgs_mem_event, 0);

		if (e->total != UINT64_MAX && (int64_t)e->total - e->bytes > 0)
			m->baseline = (uint64_t)((int64_t)e->total - e->bytes);
		/* The native format's bound (the importer checked each event against it). */
		if (m->baseline > VGS_TRACE_MAX_ALLOC_BYTES)
			m->baseline = VGS_TRACE_MAX_ALLOC_BYTES;
	}
	m->live = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	m->fresh = g_array_new(FALSE, FALSE, sizeof(uint32_t));
	m->next_id = 1;
	m->first = true;
	return m;
}

/* Events [next, stop) as memory lines: allocations to `allocs` (remembered for the touch), frees to
 * `frees`, which the caller writes after the command's touches. */
static void events(struct vgs_import_mem *m, guint stop, GString *allocs, GString *frees)
{
	for (; m->next < stop; m->next++) {
		const struct vgs_mem_event *e = &g_array_index(m->ev, struct vgs_mem_event, m->next);
		gpointer id;

		if (e->bytes > 0) {
			uint64_t *key = g_new(uint64_t, 1);
			uint32_t nid = m->next_id++;

			*key = e->addr;
			g_hash_table_replace(m->live, key, GUINT_TO_POINTER(nid));
			g_string_append_printf(allocs, "m alloc %" PRIu32 " %" PRId64 "\n", nid, e->bytes);
			g_array_append_val(m->fresh, nid);
		} else if (e->bytes < 0 && (id = g_hash_table_lookup(m->live, &e->addr))) {
			uint32_t fid = GPOINTER_TO_UINT(id);

			/* A buffer made and freed between two commands is touched by nobody. */
			for (guint k = 0; k < m->fresh->len; k++)
				if (g_array_index(m->fresh, uint32_t, k) == fid)
					g_array_remove_index(m->fresh, k--);
			g_string_append_printf(frees, "m free %" PRIu32 "\n", fid);
			g_hash_table_remove(m->live, &e->addr);
		}
	}
}

void vgs_import_mem_lines(struct vgs_import_mem *m, uint64_t submit_ns, bool last, FILE *out)
{
	GString *allocs, *frees;
	guint stop = m->next;

	if (!m->ev->len)
		return;
	allocs = g_string_new(NULL);
	frees = g_string_new(NULL);
	if (m->first && m->baseline) {
		uint32_t zero = 0;

		g_string_append_printf(allocs, "m alloc 0 %" PRIu64 "\n", m->baseline);
		g_array_append_val(m->fresh, zero);
	}
	m->first = false;
	while (stop < m->ev->len && g_array_index(m->ev, struct vgs_mem_event, stop).ts_ns <= submit_ns)
		stop++;
	events(m, stop, allocs, frees);
	fputs(allocs->str, out);
	for (guint k = 0; k < m->fresh->len; k++)
		fprintf(out, "m touch %" PRIu32 "\n", g_array_index(m->fresh, uint32_t, k));
	g_array_set_size(m->fresh, 0);
	fputs(frees->str, out);
	if (last) {
		/* Events after the last command: after its own, untouched. */
		g_string_truncate(allocs, 0);
		g_string_truncate(frees, 0);
		events(m, m->ev->len, allocs, frees);
		fputs(allocs->str, out);
		fputs(frees->str, out);
		g_array_set_size(m->fresh, 0);
	}
	g_string_free(allocs, TRUE);
	g_string_free(frees, TRUE);
}

void vgs_import_mem_free(struct vgs_import_mem *m)
{
	if (!m)
		return;
	g_array_free(m->ev, TRUE);
	g_hash_table_destroy(m->live);
	g_array_free(m->fresh, TRUE);
	g_free(m);
}
