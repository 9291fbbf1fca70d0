/*
 * The sparse page map of an allocation (vmem_priv.h, struct vpagemap): a radix tree over page indexes.
 * Leaves hold VPM_LEAF consecutive page records (fewer for an allocation, or its tail, of fewer pages:
 * a 4 KiB demand-mapped page has a leaf of one record), interior nodes VPM_FANOUT children (the root
 * exactly as many as the allocation needs).  Nothing exists until a page is touched; a touched page
 * costs its record plus, for the first page of a leaf, the leaf and the interior nodes on its path.
 */
#include <stddef.h>
#include <string.h>

#include <glib.h>

#include "models/memory/vmem_priv.h"

struct vleaf {
	uint64_t base;               /* index of p[0] */
	uint32_t n;                  /* records */
	struct vpage p[];
};

void vpm_init(struct vpagemap *m, uint64_t npages)
{
	uint64_t leaves = (npages + VPM_LEAF - 1) >> VPM_LEAF_SHIFT, span = 1;

	memset(m, 0, sizeof(*m));
	m->npages = npages;
	/* depth d: the root's children each cover span = VPM_FANOUT^(d-1) leaves */
	while (leaves > span * (m->depth ? VPM_FANOUT : 1)) {
		span *= m->depth ? VPM_FANOUT : 1;
		m->depth++;
	}
	m->top = m->depth ? (uint32_t)((leaves + span - 1) / span) : 1;
}

/* The shift of page indexes at interior level d (1 = just above the leaves). */
static unsigned level_shift(unsigned d)
{
	return VPM_LEAF_SHIFT + VPM_FANOUT_SHIFT * (d - 1);
}

static struct vleaf *leaf_new(const struct vpagemap *m, struct vgs_alloc *a, uint64_t i)
{
	uint64_t base = i & ~(uint64_t)(VPM_LEAF - 1);
	uint32_t n = m->npages - base < VPM_LEAF ? (uint32_t)(m->npages - base) : VPM_LEAF;
	struct vleaf *l = g_malloc0(sizeof(*l) + n * sizeof(struct vpage));

	l->base = base;
	l->n = n;
	for (uint32_t k = 0; k < n; k++) {
		l->p[k].a = a;
		l->p[k].slot = (uint8_t)k;
	}
	return l;
}

struct vpage *vpm_page(struct vpagemap *m, struct vgs_alloc *a, uint64_t i, bool create, uint64_t *run)
{
	void **slot = &m->root;
	struct vleaf *l;

	for (unsigned d = m->depth; d > 0; d--) {
		uint32_t width = d == m->depth ? m->top : VPM_FANOUT;
		void **node = *slot;

		if (!node) {
			if (!create) {
				/* Absent: skip to the first page the missing subtree does not cover. */
				uint64_t cover = 1ull << level_shift(d + (d < m->depth));

				*run = d == m->depth ? m->npages - i : (i | (cover - 1)) - i + 1;
				if (*run > m->npages - i)
					*run = m->npages - i;
				return NULL;
			}
			node = *slot = g_new0(void *, width);
		}
		slot = &node[(i >> level_shift(d)) & (width == VPM_FANOUT ? VPM_FANOUT - 1 : UINT64_MAX)];
	}
	l = *slot;
	if (!l) {
		if (!create) {
			*run = VPM_LEAF - (i & (VPM_LEAF - 1));
			if (*run > m->npages - i)
				*run = m->npages - i;
			return NULL;
		}
		l = *slot = leaf_new(m, a, i);
	}
	*run = l->n - (i - l->base);
	return &l->p[i - l->base];
}

uint64_t vpm_index(const struct vpage *p)
{
	const struct vleaf *l = (const struct vleaf *)((const char *)(p - p->slot) - offsetof(struct vleaf, p));

	return l->base + p->slot;
}

static bool walk(void *node, unsigned d, const struct vpagemap *m, bool (*fn)(struct vpage *, void *), void *data)
{
	if (!node)
		return false;
	if (d == 0) {
		struct vleaf *l = node;

		for (uint32_t k = 0; k < l->n; k++)
			if (fn(&l->p[k], data))
				return true;
		return false;
	}
	for (uint32_t c = 0; c < (d == m->depth ? m->top : VPM_FANOUT); c++)
		if (walk(((void **)node)[c], d - 1, m, fn, data))
			return true;
	return false;
}

bool vpm_foreach(const struct vpagemap *m, bool (*fn)(struct vpage *p, void *data), void *data)
{
	return walk(m->root, m->depth, m, fn, data);
}

static void free_node(void *node, unsigned d, const struct vpagemap *m)
{
	if (!node)
		return;
	for (uint32_t c = 0; d > 0 && c < (d == m->depth ? m->top : VPM_FANOUT); c++)
		free_node(((void **)node)[c], d - 1, m);
	g_free(node);
}

void vpm_free(struct vpagemap *m)
{
	free_node(m->root, m->depth, m);
	m->root = NULL;
}
