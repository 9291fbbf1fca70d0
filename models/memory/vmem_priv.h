/*
 * Private to a vGPU's memory (models/memory/vmem*.c): the object model of vmem.c -- pages,
 * allocations, the vGPU's memory -- which the isolation check of vmem_check.c reads.  The calls go
 * one way: vmem_check.c -> vmem.c.
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
};

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
	struct vpage *pages;
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
	struct vgs_rng rng;
	struct vgs_vmem_stats st;
};

/* The allocation covering va (live, or freed and waiting for its last pin), or NULL. */
struct vgs_alloc *vgs_vmem_covering(const struct vgs_vmem *vm, uint64_t va);

#endif
