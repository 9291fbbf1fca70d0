/*
 * Memory lines of native traces: parsing, per-context checking, and the lists a loaded trace keeps
 * (models/workload/trace_mem.h).  Lines wait in `pending` until the command they precede is read; then they are
 * checked against the live allocations of that command's context (id -> bytes) and become its list.
 * After loading, vgs_trace_mem_loop derives the lists of later loop passes.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "models/workload/trace.h"
#include "models/workload/trace_mem.h"

struct pending {
	struct vgs_mem_op op;
	int line;
};

struct vgs_trace_memload {
	GArray *pending;             /* struct pending */
	GPtrArray *live;             /* per context: GHashTable id -> bytes */
	struct vgs_trace_memlists lists;
	uint32_t cap_ops, cap_lists;
};

uint32_t vgs_trace_memlists_add(struct vgs_trace_memlists *l, const struct vgs_mem_op *ops, uint32_t n)
{
	l->ops = g_renew(struct vgs_mem_op, l->ops, l->nops + n);
	memcpy(l->ops + l->nops, ops, n * sizeof(*ops));
	l->first = g_renew(uint32_t, l->first, l->nlists + 1);
	l->count = g_renew(uint32_t, l->count, l->nlists + 1);
	l->first[l->nlists] = l->nops;
	l->count[l->nlists] = n;
	l->nops += n;
	return ++l->nlists;
}

void vgs_trace_memlists_fini(struct vgs_trace_memlists *l)
{
	g_free(l->ops);
	g_free(l->first);
	g_free(l->count);
	memset(l, 0, sizeof(*l));
}

struct vgs_trace_memload *vgs_trace_memload_new(void)
{
	struct vgs_trace_memload *m = g_new0(struct vgs_trace_memload, 1);

	m->pending = g_array_new(FALSE, FALSE, sizeof(struct pending));
	m->live = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_destroy);
	return m;
}

void vgs_trace_memload_free(struct vgs_trace_memload *m)
{
	if (!m)
		return;
	g_array_free(m->pending, TRUE);
	g_ptr_array_free(m->live, TRUE);
	vgs_trace_memlists_fini(&m->lists);
	g_free(m);
}

static int num(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
	guint64 x;

	if (!g_ascii_string_to_unsigned(s, 10, lo, hi, &x, NULL))
		return -1;
	*v = x;
	return 0;
}

int vgs_trace_memload_line(struct vgs_trace_memload *m, char **f, int n, int line, char *msg, size_t size)
{
	struct pending p = { .line = line };
	uint64_t id = 0, a = 0, b = 0;

	if (n >= 2 && strcmp(f[0], "va") != 0 && num(f[1], 0, UINT32_MAX, &id) != 0) {
		snprintf(msg, size, "memory line: expected an allocation id (an integer in [0, %u]) after '%s', "
			 "got '%s'", UINT32_MAX, f[0], f[1]);
		return -1;
	}
	p.op.id = (uint32_t)id;
	if (n >= 1 && strcmp(f[0], "alloc") == 0 && (n == 3 || n == 4)) {
		p.op.kind = VGS_MEM_ALLOC;
		if (num(f[2], 1, VGS_TRACE_MAX_ALLOC_BYTES, &p.op.arg) != 0) {
			snprintf(msg, size, "memory line: expected the allocation's size in bytes (1 to 2^50), got '%s'",
				 f[2]);
			return -1;
		}
		if (n == 4) {
			if (strcmp(f[3], "4") != 0 && strcmp(f[3], "64") != 0 && strcmp(f[3], "2048") != 0) {
				snprintf(msg, size, "memory line: expected a page size of 4, 64 or 2048 (KiB), got '%s'",
					 f[3]);
				return -1;
			}
			p.op.shift = f[3][0] == '4' ? 12 : f[3][0] == '6' ? 16 : 21;
		}
	} else if (n == 2 && strcmp(f[0], "free") == 0) {
		p.op.kind = VGS_MEM_FREE;
	} else if (n >= 1 && strcmp(f[0], "touch") == 0 && (n == 2 || n == 4)) {
		p.op.kind = VGS_MEM_TOUCH;
		if (n == 4 && (num(f[2], 0, UINT64_MAX, &a) != 0 || num(f[3], 1, UINT64_MAX, &b) != 0)) {
			snprintf(msg, size, "memory line: expected 'm touch ID OFFSET LENGTH' with integer bytes "
				 "(LENGTH >= 1), got '%s %s'", f[2], f[3]);
			return -1;
		}
		p.op.arg = a;
		p.op.len = b;
	} else if (n == 3 && strcmp(f[0], "va") == 0) {
		p.op.kind = VGS_MEM_VA;
		p.op.id = 0;
		if (num(f[1], 0, UINT64_MAX, &p.op.arg) != 0 || num(f[2], 1, UINT64_MAX, &p.op.len) != 0) {
			snprintf(msg, size, "memory line: expected 'm va ADDRESS LENGTH' with integers (LENGTH >= 1), "
				 "got '%s %s'", f[1], f[2]);
			return -1;
		}
	} else {
		snprintf(msg, size, "memory line: expected 'm alloc ID BYTES [PAGE_KB]', 'm free ID', "
			 "'m touch ID [OFFSET LENGTH]' or 'm va ADDRESS LENGTH'");
		return -1;
	}
	g_array_append_val(m->pending, p);
	return 0;
}

int64_t vgs_trace_memload_attach(struct vgs_trace_memload *m, uint32_t ctx, int *line, char *msg, size_t size)
{
	GHashTable *live;
	struct vgs_mem_op *ops;
	uint32_t n = m->pending->len, list;

	if (n == 0)
		return 0;
	while (m->live->len <= ctx)
		g_ptr_array_add(m->live, g_hash_table_new(g_direct_hash, g_direct_equal));
	live = m->live->pdata[ctx];
	ops = g_new(struct vgs_mem_op, n);
	for (uint32_t i = 0; i < n; i++) {
		const struct pending *p = &g_array_index(m->pending, struct pending, i);
		gpointer key = GUINT_TO_POINTER(p->op.id), val;
		bool is_live = g_hash_table_lookup_extended(live, key, NULL, &val);

		*line = p->line;
		ops[i] = p->op;
		switch (p->op.kind) {
		case VGS_MEM_ALLOC:
			if (is_live) {
				snprintf(msg, size, "memory line: allocation %u is live; expected 'm free %u' before it "
					 "is allocated again", p->op.id, p->op.id);
				goto err;
			}
			/* Sizes fit a pointer on the 64-bit hosts vgpusim builds on (checked <= 2^50 above). */
			g_hash_table_insert(live, key, GSIZE_TO_POINTER((gsize)p->op.arg));
			break;
		case VGS_MEM_FREE:
		case VGS_MEM_TOUCH:
			if (!is_live) {
				snprintf(msg, size, "memory line: allocation %u is not live here; expected an 'm alloc %u "
					 "BYTES' before it", p->op.id, p->op.id);
				goto err;
			}
			if (p->op.kind == VGS_MEM_FREE) {
				g_hash_table_remove(live, key);
			} else if (p->op.len && (p->op.arg >= (uint64_t)GPOINTER_TO_SIZE(val) ||
						 p->op.len > (uint64_t)GPOINTER_TO_SIZE(val) - p->op.arg)) {
				snprintf(msg, size, "memory line: bytes [%llu, %llu) lie past the end of allocation %u "
					 "(%llu bytes)", (unsigned long long)p->op.arg,
					 (unsigned long long)(p->op.arg + p->op.len), p->op.id,
					 (unsigned long long)GPOINTER_TO_SIZE(val));
				goto err;
			}
			break;
		default:
			break;
		}
	}
	list = vgs_trace_memlists_add(&m->lists, ops, n);
	g_free(ops);
	g_array_set_size(m->pending, 0);
	return list;
err:
	g_free(ops);
	return -1;
}

int vgs_trace_memload_pending(const struct vgs_trace_memload *m)
{
	return m->pending->len ? g_array_index(m->pending, struct pending, 0).line : 0;
}

void vgs_trace_memload_take(struct vgs_trace_memload *m, struct vgs_trace_memlists *out)
{
	*out = m->lists;
	memset(&m->lists, 0, sizeof(m->lists));
}

/*
 * Allocations the selected context never frees are made once: on loop passes after the first, a
 * command's list leaves them out (mem_loop), so that the program's long-lived buffers (weights,
 * textures) are not allocated again on every pass.
 */
void vgs_trace_mem_loop(struct vgs_trace *t)
{
	GHashTable *last = g_hash_table_new(g_direct_hash, g_direct_equal); /* id -> op index + 1 */
	GHashTable *once = g_hash_table_new(g_direct_hash, g_direct_equal); /* op indexes + 1 */
	GHashTableIter it;
	gpointer key, val;

	for (size_t k = 0; k < t->ncmds; k++) {
		uint32_t li = t->cmds[k].mem;

		for (uint32_t i = 0; li && i < t->mem.count[li - 1]; i++) {
			uint32_t o = t->mem.first[li - 1] + i;
			const struct vgs_mem_op *op = &t->mem.ops[o];

			if (op->kind == VGS_MEM_ALLOC)
				g_hash_table_insert(last, GUINT_TO_POINTER(op->id), GUINT_TO_POINTER(o + 1));
			else if (op->kind == VGS_MEM_FREE)
				g_hash_table_remove(last, GUINT_TO_POINTER(op->id));
		}
	}
	g_hash_table_iter_init(&it, last);
	while (g_hash_table_iter_next(&it, &key, &val))
		g_hash_table_add(once, val);
	for (size_t k = 0; k < t->ncmds && g_hash_table_size(once); k++) {
		uint32_t li = t->cmds[k].mem, n = li ? t->mem.count[li - 1] : 0, m = 0;
		struct vgs_mem_op *keep;
		bool any = false;

		for (uint32_t i = 0; i < n; i++)
			any |= g_hash_table_contains(once, GUINT_TO_POINTER(t->mem.first[li - 1] + i + 1));
		if (!any)
			continue;
		keep = g_new(struct vgs_mem_op, n);
		for (uint32_t i = 0; i < n; i++)
			if (!g_hash_table_contains(once, GUINT_TO_POINTER(t->mem.first[li - 1] + i + 1)))
				keep[m++] = t->mem.ops[t->mem.first[li - 1] + i];
		t->cmds[k].mem_loop = m ? vgs_trace_memlists_add(&t->mem, keep, m) : 0;
		g_free(keep);
	}
	g_hash_table_destroy(last);
	g_hash_table_destroy(once);
}
