/*
 * A vGPU's GPU page table: GPU virtual pages of 4 KiB, 64 KiB or 2 MiB mapped to physical VRAM frames
 * (models/memory/vram.h), mixed freely, as on NVIDIA Pascal-and-later MMUs where a 2 MiB region is either one
 * 2 MiB page (a PDE leaf) or a table of 64 KiB ("big") and 4 KiB ("small") pages (docs/vram.md).
 *
 * Three levels, allocated on demand: a hash of 2 MiB regions (key va >> 21), each holding a 2 MiB leaf
 * or 32 slots of 64 KiB; a slot holds a 64 KiB leaf or 16 entries of 4 KiB.  A mapping may not overlap
 * another (a 2 MiB page over a region with smaller pages, or the reverse, is refused), so every
 * virtual address has at most one translation.  The table knows nothing of other vGPUs: translation
 * of any address goes through the one table of the vGPU that issued it.  Plain C + GLib.
 */
#ifndef VGS_PAGETABLE_H
#define VGS_PAGETABLE_H

#include <stdint.h>

struct vgs_pt;

/* One mapping: virtual page [va, va + 2^shift) -> frames [frame, frame + 2^(shift - 12)). */
struct vgs_pte {
	uint64_t va;
	uint64_t frame;            /* first 4 KiB frame */
	unsigned shift;            /* VGS_PAGE_4K, VGS_PAGE_64K or VGS_PAGE_2M */
};

struct vgs_pt *vgs_pt_new(void);
void vgs_pt_free(struct vgs_pt *pt);

/* Map one page; va aligned to 2^shift, frame to 2^(shift - 12).  0, -EINVAL (size or alignment),
 * -EEXIST (overlaps a mapping). */
int vgs_pt_map(struct vgs_pt *pt, uint64_t va, unsigned shift, uint64_t frame);
/* Unmap exactly the page mapped at va with this size: 0, -ENOENT. */
int vgs_pt_unmap(struct vgs_pt *pt, uint64_t va, unsigned shift);
/* Translate va: 0 with *pte = the page containing it, or -ENOENT (a fault). */
int vgs_pt_lookup(const struct vgs_pt *pt, uint64_t va, struct vgs_pte *pte);

uint64_t vgs_pt_pages(const struct vgs_pt *pt);    /* mappings */
uint64_t vgs_pt_bytes(const struct vgs_pt *pt);    /* bytes mapped */
/* Every mapping in ascending va order. */
void vgs_pt_foreach(const struct vgs_pt *pt, void (*fn)(const struct vgs_pte *pte, void *data), void *data);

#endif
