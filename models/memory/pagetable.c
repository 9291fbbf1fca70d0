/*
 * The three-level GPU page table of models/memory/pagetable.h.  Entries hold frame + 1 (0 = invalid) so that
 * a zeroed table is empty; a level is freed as soon as its last entry goes.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/base/radix.h"
#include "models/memory/pagetable.h"
#include "models/memory/vram.h"

#define SLOTS_64K 32 /* 64 KiB slots in a 2 MiB region */
#define SLOTS_4K 16  /* 4 KiB entries in a 64 KiB slot */

struct pt4 {
	uint64_t pte[SLOTS_4K];
	unsigned n;
};

struct pt64 {
	uint64_t pte[SLOTS_64K];      /* 64 KiB leaves */
	struct pt4 *small[SLOTS_64K];
	unsigned n;                   /* leaves + tables below */
};

struct pde {
	uint64_t pte;                 /* 2 MiB leaf */
	union {
		struct pt64 *big;
		struct pde *next_free;    /* on vgs_pt.free_pdes */
	};
};

/* A table's region entries come from slabs of its own, so freeing the table costs one free per slab,
 * not one per region (a large fleet has millions of 2 MiB pages mapped at the end of a run). */
#define PDE_SLAB_MIN 8u
#define PDE_SLAB_MAX 1024u

struct pde_slab {
	struct pde_slab *next;
	uint32_t n, used;
	struct pde d[];
};

struct vgs_pt {
	GHashTable *regions;          /* va >> 21 -> struct pde * */
	struct pde_slab *slabs;       /* the newest first */
	struct pde *free_pdes;        /* given back by region_remove, linked through next_free */
	gpointer last_key;            /* the region looked up last (the pages of an allocation are */
	struct pde *last;             /* mapped one after the other): NULL when none */
	uint64_t pages, bytes;
};

/* The tables below d (the entry itself stays in its slab). */
static void pde_free_below(struct pde *d)
{
	if (d->big) {
		for (int s = 0; s < SLOTS_64K; s++)
			g_free(d->big->small[s]);
		g_free(d->big);
	}
}

static struct pde *pde_new(struct vgs_pt *pt)
{
	struct pde *d = pt->free_pdes;

	if (d) {
		pt->free_pdes = d->next_free;
	} else {
		struct pde_slab *sl = pt->slabs;

		if (!sl || sl->used == sl->n) {
			uint32_t n = sl ? MIN(2 * sl->n, PDE_SLAB_MAX) : PDE_SLAB_MIN;

			sl = g_malloc(sizeof(*sl) + n * sizeof(sl->d[0]));
			sl->n = n;
			sl->used = 0;
			sl->next = pt->slabs;
			pt->slabs = sl;
		}
		d = &sl->d[sl->used++];
	}
	memset(d, 0, sizeof(*d));
	return d;
}

struct vgs_pt *vgs_pt_new(void)
{
	struct vgs_pt *pt = g_new0(struct vgs_pt, 1);

	pt->regions = g_hash_table_new(g_direct_hash, g_direct_equal);
	return pt;
}

void vgs_pt_free(struct vgs_pt *pt)
{
	GHashTableIter it;
	gpointer d;

	if (!pt)
		return;
	g_hash_table_iter_init(&it, pt->regions);
	while (g_hash_table_iter_next(&it, NULL, &d))
		pde_free_below(d);
	g_hash_table_destroy(pt->regions);
	for (struct pde_slab *sl = pt->slabs, *next; sl; sl = next) {
		next = sl->next;
		g_free(sl);
	}
	g_free(pt);
}

static gpointer region_key(uint64_t va)
{
	return GSIZE_TO_POINTER((gsize)(va >> VGS_PAGE_2M));
}

static struct pde *region(struct vgs_pt *pt, uint64_t va)
{
	gpointer key = region_key(va);

	if (!pt->last || pt->last_key != key) {
		pt->last = g_hash_table_lookup(pt->regions, key);
		pt->last_key = key;
	}
	return pt->last;
}

static void region_add(struct vgs_pt *pt, uint64_t va, struct pde *d)
{
	g_hash_table_insert(pt->regions, region_key(va), d);
	pt->last_key = region_key(va);
	pt->last = d;
}

static void region_remove(struct vgs_pt *pt, uint64_t va)
{
	struct pde *d = g_hash_table_lookup(pt->regions, region_key(va));

	if (pt->last_key == region_key(va))
		pt->last = NULL;
	g_hash_table_remove(pt->regions, region_key(va));
	pde_free_below(d);
	d->next_free = pt->free_pdes;
	pt->free_pdes = d;
}

static unsigned slot64(uint64_t va)
{
	return (unsigned)(va >> VGS_PAGE_64K) & (SLOTS_64K - 1);
}

static unsigned slot4(uint64_t va)
{
	return (unsigned)(va >> VGS_PAGE_4K) & (SLOTS_4K - 1);
}

int vgs_pt_map(struct vgs_pt *pt, uint64_t va, unsigned shift, uint64_t frame)
{
	struct pde *d;
	unsigned s = slot64(va), i = slot4(va);

	if ((shift != VGS_PAGE_4K && shift != VGS_PAGE_64K && shift != VGS_PAGE_2M) ||
	    (va & ((1ull << shift) - 1)) || (frame & ((1ull << (shift - VGS_PAGE_4K)) - 1)) ||
	    frame == VGS_VRAM_NONE)
		return -EINVAL;
	d = region(pt, va);
	if (shift == VGS_PAGE_2M) {
		if (d)
			return -EEXIST; /* a region exists only while something is mapped in it */
		d = pde_new(pt);
		d->pte = frame + 1;
		region_add(pt, va, d);
		goto mapped;
	}
	if (d && d->pte)
		return -EEXIST;
	if (d && d->big && (d->big->pte[s] || (shift == VGS_PAGE_64K && d->big->small[s])))
		return -EEXIST;
	if (shift == VGS_PAGE_4K && d && d->big && d->big->small[s] && d->big->small[s]->pte[i])
		return -EEXIST;
	if (!d) {
		d = pde_new(pt);
		region_add(pt, va, d);
	}
	if (!d->big)
		d->big = g_new0(struct pt64, 1);
	if (shift == VGS_PAGE_64K) {
		d->big->pte[s] = frame + 1;
		d->big->n++;
	} else {
		if (!d->big->small[s]) {
			d->big->small[s] = g_new0(struct pt4, 1);
			d->big->n++;
		}
		d->big->small[s]->pte[i] = frame + 1;
		d->big->small[s]->n++;
	}
mapped:
	pt->pages++;
	pt->bytes += 1ull << shift;
	return 0;
}

int vgs_pt_unmap(struct vgs_pt *pt, uint64_t va, unsigned shift)
{
	struct pde *d = region(pt, va);
	unsigned s = slot64(va), i = slot4(va);

	if (!d || (va & ((1ull << shift) - 1)))
		return -ENOENT;
	if (shift == VGS_PAGE_2M) {
		if (!d->pte)
			return -ENOENT;
		region_remove(pt, va);
		goto unmapped;
	}
	if (!d->big)
		return -ENOENT;
	if (shift == VGS_PAGE_64K) {
		if (!d->big->pte[s])
			return -ENOENT;
		d->big->pte[s] = 0;
		d->big->n--;
	} else if (shift == VGS_PAGE_4K) {
		struct pt4 *t = d->big->small[s];

		if (!t || !t->pte[i])
			return -ENOENT;
		t->pte[i] = 0;
		if (--t->n == 0) {
			g_free(t);
			d->big->small[s] = NULL;
			d->big->n--;
		}
	} else {
		return -ENOENT;
	}
	if (d->big->n == 0)
		region_remove(pt, va);
unmapped:
	pt->pages--;
	pt->bytes -= 1ull << shift;
	return 0;
}

int vgs_pt_lookup(const struct vgs_pt *pt, uint64_t va, struct vgs_pte *pte)
{
	const struct pde *d = g_hash_table_lookup(pt->regions, region_key(va));
	unsigned s = slot64(va), i = slot4(va);

	if (!d)
		return -ENOENT;
	if (d->pte) {
		pte->shift = VGS_PAGE_2M;
		pte->frame = d->pte - 1;
	} else if (d->big && d->big->pte[s]) {
		pte->shift = VGS_PAGE_64K;
		pte->frame = d->big->pte[s] - 1;
	} else if (d->big && d->big->small[s] && d->big->small[s]->pte[i]) {
		pte->shift = VGS_PAGE_4K;
		pte->frame = d->big->small[s]->pte[i] - 1;
	} else {
		return -ENOENT;
	}
	pte->va = va & ~((1ull << pte->shift) - 1);
	return 0;
}

uint64_t vgs_pt_pages(const struct vgs_pt *pt)
{
	return pt->pages;
}

uint64_t vgs_pt_bytes(const struct vgs_pt *pt)
{
	return pt->bytes;
}

struct region_ref {
	uint64_t key;
	const struct pde *d;
};

void vgs_pt_foreach(const struct vgs_pt *pt, void (*fn)(const struct vgs_pte *pte, void *data), void *data)
{
	guint nkeys = g_hash_table_size(pt->regions), k = 0;
	struct region_ref *r = g_new(struct region_ref, nkeys);
	GHashTableIter it;
	gpointer key, value;

	/* The regions with their entries, by address (no lookup per region). */
	g_hash_table_iter_init(&it, pt->regions);
	while (g_hash_table_iter_next(&it, &key, &value))
		r[k++] = (struct region_ref){ GPOINTER_TO_SIZE(key), value };
	vgs_radix_sort(r, nkeys, sizeof(*r), offsetof(struct region_ref, key)); /* keys are distinct */
	for (k = 0; k < nkeys; k++) {
		uint64_t base = (uint64_t)r[k].key << VGS_PAGE_2M;
		const struct pde *d = r[k].d;
		struct vgs_pte e;

		if (d->pte) {
			e = (struct vgs_pte){ .va = base, .frame = d->pte - 1, .shift = VGS_PAGE_2M };
			fn(&e, data);
			continue;
		}
		for (unsigned s = 0; s < SLOTS_64K; s++) {
			uint64_t va64 = base + ((uint64_t)s << VGS_PAGE_64K);

			if (d->big->pte[s]) {
				e = (struct vgs_pte){ .va = va64, .frame = d->big->pte[s] - 1, .shift = VGS_PAGE_64K };
				fn(&e, data);
			} else if (d->big->small[s]) {
				for (unsigned i = 0; i < SLOTS_4K; i++) {
					if (!d->big->small[s]->pte[i])
						continue;
					e = (struct vgs_pte){ .va = va64 + ((uint64_t)i << VGS_PAGE_4K),
							      .frame = d->big->small[s]->pte[i] - 1,
							      .shift = VGS_PAGE_4K };
					fn(&e, data);
				}
			}
		}
	}
	g_free(r);
}
