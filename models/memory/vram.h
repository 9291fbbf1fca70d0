/*
 * Physical VRAM of one GPU: a binary buddy allocator over 4 KiB frames (docs/vram.md).
 *
 * Blocks are naturally aligned runs of 2^order frames, order 0 (4 KiB) to VGS_VRAM_MAX_ORDER (2 MiB,
 * the largest GPU page), so every page size a page table maps (4 KiB, 64 KiB = order 4, 2 MiB =
 * order 9) is one block.  Allocation takes the smallest order that has a free block and splits it
 * (lowest address first within an order); freeing merges a block with its buddy while the buddy is
 * free.  Small pages therefore break 2 MiB blocks that large pages could have used: that is the
 * fragmentation the `fragmentation` metric shows.
 *
 * State is two bitmaps per order (free blocks, blocks allocated whole), 2 bits per frame in all:
 * 1.5 MiB of address space for a 24 GiB GPU, in one anonymous mapping whose pages the system provides
 * (zeroed) only when touched: a GPU whose VRAM is barely used holds a few pages of it.  Alloc and free are O(orders) plus the scan for the lowest free block,
 * which starts at a per-order hint (no free block lies below it).  Plain C, no GLib.
 *
 * Check mode (`simulation.vram_check`): an independent per-frame owner table records which vGPU
 * maps each frame; a map of a frame already mapped (by anyone), or an unmap by a vGPU that does not
 * map it, counts an isolation violation at once instead of at the end-of-run check.
 */
#ifndef VGS_VRAM_H
#define VGS_VRAM_H

#include <stdbool.h>
#include <stdint.h>

#define VGS_VRAM_FRAME_SHIFT 12                 /* 4 KiB frames */
#define VGS_VRAM_MAX_ORDER 9                    /* 2 MiB blocks */
#define VGS_VRAM_NORDERS (VGS_VRAM_MAX_ORDER + 1)
#define VGS_VRAM_NONE UINT64_MAX                /* no frame */

/* The three GPU page sizes (NVIDIA Pascal and later MMUs: 4 KiB and 64 KiB small/big pages in page
 * tables, 2 MiB pages at the page-directory level; see docs/vram.md). */
#define VGS_PAGE_4K 12
#define VGS_PAGE_64K 16
#define VGS_PAGE_2M 21

struct vgs_vram {
	uint64_t frames;                      /* 4 KiB frames of VRAM */
	uint64_t free_frames;
	uint64_t *free_map[VGS_VRAM_NORDERS]; /* bit b: block b of this order is free */
	uint64_t *used_map[VGS_VRAM_NORDERS]; /* bit b: block b of this order is allocated, whole */
	uint64_t nwords[VGS_VRAM_NORDERS];
	uint64_t hint[VGS_VRAM_NORDERS];      /* no free block of this order in words below it */
	uint64_t nfree[VGS_VRAM_NORDERS];     /* free blocks of this order */
	uint64_t used_peak_frames;            /* most frames allocated at once */
	void *maps;                           /* the mapping the bitmaps live in */
	size_t maps_bytes;
	uint32_t *owner;                      /* check mode: per frame, vGPU + 1 mapping it; else NULL */
	uint64_t violations;                  /* check mode: bad maps and unmaps seen */
};

/* VRAM of `bytes` (whole frames; a partial last frame is not used).  0, or -ENOMEM. */
int vgs_vram_init(struct vgs_vram *v, uint64_t bytes, bool check);
void vgs_vram_fini(struct vgs_vram *v);

/* One block of 2^order frames: its first frame, or VGS_VRAM_NONE when no free block is that large. */
uint64_t vgs_vram_alloc(struct vgs_vram *v, unsigned order);
/* Give back a block that vgs_vram_alloc returned with this order: 0, or -EINVAL if it is not one. */
int vgs_vram_free(struct vgs_vram *v, uint64_t frame, unsigned order);
/* Whether [frame, frame + 2^order) is a block vgs_vram_alloc handed out with that order. */
bool vgs_vram_block_used(const struct vgs_vram *v, uint64_t frame, unsigned order);
/* Whether the frame is free (in some free block). */
bool vgs_vram_frame_free(const struct vgs_vram *v, uint64_t frame);

/* Frames in the largest run of contiguous free frames (buddies or not).  O(blocks visited). */
uint64_t vgs_vram_largest_free(const struct vgs_vram *v);
/* 1 - largest free run / free frames: 0 when free memory is one run (or there is none), towards 1
 * when it is scattered in small pieces. */
double vgs_vram_fragmentation(const struct vgs_vram *v);

/* Check mode: vGPU `owner` maps / unmaps frames [frame, frame + n); true when that is a violation
 * (also counted in v->violations).  No-ops returning false when check mode is off. */
bool vgs_vram_note_map(struct vgs_vram *v, uint64_t frame, uint64_t n, uint32_t owner);
bool vgs_vram_note_unmap(struct vgs_vram *v, uint64_t frame, uint64_t n, uint32_t owner);

#endif
