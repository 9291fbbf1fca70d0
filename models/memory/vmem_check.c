/*
 * The isolation check over the vGPUs of one GPU (vgs_vmem_check, models/memory/vmem.h): it reads
 * every vGPU's page table against its allocations (vmem.c) and the physical allocator's blocks
 * (vram.c), and sweeps all their mappings for a frame mapped by two vGPUs.
 */
#include <stddef.h>
#include <string.h>

#include <glib.h>

#include "models/base/radix.h"
#include "models/memory/vmem_priv.h"

struct mapping {
	uint64_t first, end;         /* frames [first, end) */
	uint32_t who;                /* index into vms[] */
};

struct check_ctx {
	const struct vgs_vmem *vm;
	uint32_t who;
	GArray *maps;
	uint64_t bad;
	const struct vgs_alloc *floor; /* vgs_vmem_floor() of the addresses [lo, hi) */
	uint64_t lo, hi;
};

static void check_pte(const struct vgs_pte *e, void *data)
{
	struct check_ctx *c = data;
	uint64_t n = 1ull << (e->shift - VGS_PAGE_4K);
	struct mapping m = { e->frame, e->frame + n, c->who };
	const struct vgs_alloc *a;

	if (e->va < c->lo || e->va >= c->hi)
		c->floor = vgs_vmem_floor(c->vm, e->va, &c->lo, &c->hi);
	a = c->floor && e->va < c->floor->va + c->floor->bytes ? c->floor : NULL; /* vgs_vmem_covering() */

	/* Inside one of the vGPU's own allocations, onto a block the allocator handed out (every page is
	 * one block of its size: a 2 MiB page backed by pieces is mapped as pages of the pieces' size). */
	if (!a || e->va + (1ull << e->shift) > a->va + a->bytes ||
	    !vgs_vram_block_used(c->vm->phys, e->frame, e->shift - VGS_PAGE_4K))
		c->bad++;
	g_array_append_val(c->maps, m);
}

uint64_t vgs_vmem_check(struct vgs_vmem *const *vms, size_t n, uint64_t *per_vgpu)
{
	GArray *maps;
	uint64_t total = 0, reach = 0, pages = 0;
	uint32_t reach_who = 0;

	for (size_t i = 0; i < n; i++)
		pages += vgs_pt_pages(vms[i]->pt);
	maps = g_array_sized_new(FALSE, FALSE, sizeof(struct mapping), (guint)MIN(pages, G_MAXUINT));

	if (per_vgpu)
		memset(per_vgpu, 0, n * sizeof(*per_vgpu));
	for (size_t i = 0; i < n; i++) {
		struct check_ctx c = { vms[i], (uint32_t)i, maps, 0, NULL, 1, 0 };

		vgs_pt_foreach(vms[i]->pt, check_pte, &c);
		total += c.bad;
		if (per_vgpu)
			per_vgpu[i] += c.bad;
	}
	/* Sweep the mappings by first frame: one that starts below the furthest end seen so far, of
	 * another vGPU, shares frames with it. */
	/* By first frame, stably (the order of equal frames decides which violations are counted). */
	vgs_radix_sort(maps->data, maps->len, sizeof(struct mapping), offsetof(struct mapping, first));
	for (guint k = 0; k < maps->len; k++) {
		const struct mapping *m = &g_array_index(maps, struct mapping, k);

		if (k > 0 && m->first < reach && m->who != reach_who) {
			total++;
			if (per_vgpu) {
				per_vgpu[m->who]++;
				per_vgpu[reach_who]++;
			}
		}
		if (m->end > reach) {
			reach = m->end;
			reach_who = m->who;
		}
	}
	g_array_free(maps, TRUE);
	return total;
}
