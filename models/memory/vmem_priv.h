/*
 * Private to a vGPU's memory (models/memory/vmem*.c): the object model of vmem.c -- pages,
 * allocations, the vGPU's memory -- which the isolation check of vmem_check.c reads.  The calls go
 * one way: vmem_check.c -> vmem.c -> vmem_pages.c.
 */
#ifndef VGS_VMEM_PRIV_H
#define VGS_VMEM_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "models/base/rng.h"
#include "models/memory/vmem.h"

enum { PG_NEW = 0, PG_RESIDENT, PG_EVICTED };

/* Ids below this are looked up in an array (grown on demand), the others in a hash table. */
#define SMALL_IDS 65536u

/* A page's record: it exists once the page has been touched (vmem_pages.c). */
struct vpage {
	struct vpage *prev, *next;   /* residency list, while resident */
	struct vgs_alloc *a;
	union {
		uint64_t frame;      /* npieces == 1 */
		uint64_t *pieces;    /* npieces > 1: first frame of each piece */
	} u;
	uint16_t npieces;
	uint8_t state;
	uint8_t piece_shift;
	uint8_t slot;                /* its place in its leaf of the page map */
	uint8_t dirty;               /* written since a live migration last copied it (while tracked) */
};

/*
 * The page records of one allocation, a sparse map keyed by page index (vmem_pages.c): a radix tree
 * whose leaves hold up to VPM_LEAF consecutive records and are made at the first touch of one of
 * their pages, under interior nodes of up to VPM_FANOUT children.  Memory grows with the pages
 * touched, not with the size of the allocation (a 2^44-byte allocation costs a few words until it is
 * used); a touch costs one walk per leaf (depth levels: 0 up to 64 pages, 1 up to 32 Ki pages, 3 for
 * the largest), then consecutive records.
 */
#define VPM_LEAF_SHIFT 6
#define VPM_LEAF (1u << VPM_LEAF_SHIFT)
#define VPM_FANOUT_SHIFT 9
#define VPM_FANOUT (1u << VPM_FANOUT_SHIFT)

struct vpagemap {
	void *root;                  /* a leaf (depth 0) or an interior node; NULL until a page is touched */
	uint64_t npages;
	uint32_t top;                /* children of the root node (depth > 0) */
	uint8_t depth;               /* interior levels above the leaves */
};

void vpm_init(struct vpagemap *m, uint64_t npages);
/* Page i's record (create: made, NEW, when absent; else NULL when absent); *run = records from it to
 * its leaf's end (consecutive in memory: p[0 .. *run - 1] are pages i ..), or pages to skip when absent. */
struct vpage *vpm_page(struct vpagemap *m, struct vgs_alloc *a, uint64_t i, bool create, uint64_t *run);
/* The index of a page from its record. */
uint64_t vpm_index(const struct vpage *p);
/* fn on every page record in index order, until it returns true (then true). */
bool vpm_foreach(const struct vpagemap *m, bool (*fn)(struct vpage *p, void *data), void *data);
/* Free the records (the caller unmapped the resident pages first). */
void vpm_free(struct vpagemap *m);

struct vgs_alloc {
	uint64_t va;                 /* key of by_va */
	uint64_t bytes;              /* rounded up to the page size */
	uint64_t npages;
	uint64_t resident_pages;
	uint32_t id;
	uint32_t pins;
	unsigned shift;
	bool anon;                   /* a demand-mapped page: no id */
	bool freed;                  /* released by the host, waiting for its last pin */
	struct vpagemap pages;       /* the records of the pages touched so far */
};

struct vgs_vmem {
	struct vgs_vram *phys;
	struct vgs_vmem_cfg cfg;
	struct vgs_pt *pt;
	struct vgs_alloc **small;    /* id -> live (not freed) allocation, ids < nsmall (the common case: */
	uint32_t nsmall;             /* workloads number their allocations from 0 or 1) */
	GHashTable *ids;             /* ... ids >= SMALL_IDS */
	GTree *by_va;                /* &va -> every allocation that still holds its range */
	struct vpage *head, *tail;   /* residency list */
	uint64_t va_next;            /* next virtual address to try */
	bool reorder;                /* LRU and eviction possible: accesses reorder the list */
	bool track;                  /* dirty tracking on (a live migration's pre-copy) */
	uint64_t dirty_bytes;        /* resident pages dirty now */
	uint64_t dirtied;            /* pages that became dirty since vgs_vmem_dirtied() last asked */
	struct vgs_rng rng;
	struct vgs_vmem_stats st;
};

/* The allocation covering va (live, or freed and waiting for its last pin), or NULL. */
struct vgs_alloc *vgs_vmem_covering(const struct vgs_vmem *vm, uint64_t va);
/* The allocation with the highest start <= va (NULL: none) and, when lo and hi are not NULL, the
 * range [*lo, *hi) of addresses that have the same one: a walk in address order looks the tree up
 * once per allocation. */
struct vgs_alloc *vgs_vmem_floor(const struct vgs_vmem *vm, uint64_t va, uint64_t *lo, uint64_t *hi);

#endif
