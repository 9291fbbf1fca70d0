/*
 * GPU memory of one vGPU (docs/vram.md): its allocations in its own virtual address space, its page
 * table (models/memory/pagetable.h) onto the GPU's physical VRAM (models/memory/vram.h), its framebuffer quota, and
 * the residency of its pages when its share of physical VRAM is smaller than what it allocated
 * (overcommit).  Plain C + GLib, no SimGrid: the simulator asks what an access needs and times the
 * PCIe transfers itself.
 *
 * Object model.
 *   allocation  `bytes` (rounded up to its page size) at a virtual range, split into virtual pages of
 *               one size.  A page is NEW (never touched: no frame yet), RESIDENT (mapped in the page
 *               table onto frames) or EVICTED (its contents in host memory, unmapped).  Frames are
 *               attached at first access (lazy population, like a driver backing memory on first
 *               use), so resident bytes <= allocated bytes <= quota.
 *   quota       the vGPU's framebuffer: allocations (and demand-mapped pages) may total this much;
 *               an allocation past it is refused (-EDQUOT).
 *   share       resident bytes the vGPU may hold.  Without overcommit share = quota and nothing is
 *               ever evicted.  With overcommit (quotas on the GPU add up to more than its VRAM) each
 *               vGPU gets VRAM x quota / sum of quotas; mapping a page beyond it first evicts the
 *               vGPU's *own* least recently used (or first mapped, `fifo`) pages to host memory, so
 *               one tenant's pressure never takes another's pages.
 *   pins        commands in flight that access an allocation; a freed allocation keeps its pages until
 *               the last pin goes (stream-ordered free).
 *
 * Accesses return the PCIe traffic they need (struct vgs_migration): evicted pages written back
 * device-to-host, evicted pages touched again fetched host-to-device.  The model's state changes at
 * once; the caller stalls the command for the transfers.  Statistics count every fault, eviction and
 * byte moved.
 */
#ifndef VGS_VMEM_H
#define VGS_VMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/memory/pagetable.h"
#include "models/memory/vram.h"

/* Virtual address space of every vGPU: [VGS_VA_BASE, VGS_VA_LIMIT).  The first 2 MiB are never
 * mapped, so a null pointer (a failed allocation) always faults; 2^47 = 128 TiB is the user half of
 * a 48-bit address space, within the 49-bit GPU virtual addresses of NVIDIA Pascal and later
 * (NVIDIA Tesla P100 whitepaper, "Unified Memory": 49-bit virtual addressing). */
#define VGS_VA_BASE (1ull << 21)
#define VGS_VA_LIMIT (1ull << 47)

enum vgs_evict {
	VGS_EVICT_LRU = 0,    /* least recently accessed page first */
	VGS_EVICT_FIFO,       /* first mapped page first (accesses do not reorder) */
};

struct vgs_vmem_cfg {
	uint32_t owner;              /* the vGPU's index (tenant), recorded in check mode */
	uint64_t quota_bytes;        /* framebuffer quota */
	uint64_t share_bytes;        /* resident limit (vgs_vmem_share) */
	unsigned max_shift;          /* largest page size allocations use: 12, 16 or 21 */
	enum vgs_evict evict;
	uint64_t seed;               /* wild addresses */
};

struct vgs_vmem_stats {
	uint64_t allocated_bytes;    /* live allocations, rounded to their pages (charged to the quota) */
	uint64_t resident_bytes;     /* pages mapped onto VRAM */
	uint64_t allocs, frees;
	uint64_t alloc_failures;     /* allocations refused (quota or address space exhausted) */
	uint64_t page_faults;        /* accesses to an evicted page + invalid accesses */
	uint64_t invalid_faults;     /* accesses outside every allocation of the vGPU */
	uint64_t demand_maps;        /* pages mapped by vgs_vmem_demand_map */
	uint64_t evictions;          /* pages written back to host memory */
	uint64_t fetches;            /* pages brought back */
	uint64_t migrated_bytes;     /* both directions */
	uint64_t check_violations;   /* check mode: maps/unmaps models/memory/vram.c's owner table refused */
};

/* PCIe traffic an access needs before the command can run (added to, never reset). */
struct vgs_migration {
	uint64_t d2h_bytes;          /* evictions */
	uint64_t h2d_bytes;          /* fetches */
};

struct vgs_vmem;
struct vgs_alloc;

/* Resident share of a vGPU with quota q on a GPU of vram bytes whose vGPUs' quotas add up to sum:
 * q when sum <= vram, else vram x q / sum rounded down to whole 4 KiB frames. */
uint64_t vgs_vmem_share(uint64_t vram, uint64_t q, uint64_t sum);

struct vgs_vmem *vgs_vmem_new(struct vgs_vram *phys, const struct vgs_vmem_cfg *cfg);
/* Unmaps every page and gives its frames back. */
void vgs_vmem_free(struct vgs_vmem *vm);
/* Frees vm without unmapping its pages or giving their frames back: for when its physical VRAM is
 * finalized next (vgs_vram_fini) and nothing reads vm's counters any more.  Unmapping page by page
 * only to drop the whole allocator after cost as much as a short run of a large fleet. */
void vgs_vmem_discard(struct vgs_vmem *vm);

/* Host side.  Allocate `bytes` as allocation `id` with pages of 2^shift bytes (0: the largest page
 * size <= max_shift not above the size): 0, -EDQUOT (past the quota), -ENOSPC (no virtual range),
 * -EEXIST (id is live), -EINVAL (0 bytes or a bad page size); failures count in alloc_failures. */
int vgs_vmem_alloc(struct vgs_vmem *vm, uint32_t id, uint64_t bytes, unsigned shift);
/* Free allocation `id` now, or when its last pin goes: 0, -ENOENT. */
int vgs_vmem_release(struct vgs_vmem *vm, uint32_t id);
/* Hold allocation `id` for a command about to be submitted: the allocation, or NULL if none. */
struct vgs_alloc *vgs_vmem_pin(struct vgs_vmem *vm, uint32_t id);
void vgs_vmem_unpin(struct vgs_vmem *vm, struct vgs_alloc *a);

/* Device side.  Access bytes [off, off + len) of a (len 0: to its end), adding the traffic to *mig:
 * 0; -EFAULT (a is NULL, i.e. the command uses an allocation it never got, or off lies past its
 * end: an invalid access, counted); -ENOMEM (no frame could be found even after evicting every page
 * of the vGPU). */
int vgs_vmem_touch(struct vgs_vmem *vm, struct vgs_alloc *a, uint64_t off, uint64_t len,
		   struct vgs_migration *mig);
/* Access virtual addresses [va, va + len) (len 0: one byte): as vgs_vmem_touch; -EFAULT when any of
 * it lies outside the vGPU's allocations (nothing is accessed then). */
int vgs_vmem_touch_va(struct vgs_vmem *vm, uint64_t va, uint64_t len, struct vgs_migration *mig);
/* After a fault at va: map a fresh 4 KiB page there, charged to the quota: 0; -EDQUOT (quota
 * exhausted); -EFAULT (va cannot be mapped: the null page, outside the address space, or already an
 * allocation's). */
int vgs_vmem_demand_map(struct vgs_vmem *vm, uint64_t va, struct vgs_migration *mig);
/* Demand mode on an access to [va, va + len) (len 0: one byte): map a fresh page at every 4 KiB of it
 * that no allocation covers, then access it: 0; -EDQUOT (the quota is exhausted, or the range is longer
 * than the quota: nothing is mapped then); -EFAULT (a page cannot be mapped).  Work and memory grow
 * with the pages mapped and the allocations in the range, not with the range's length. */
int vgs_vmem_demand_range(struct vgs_vmem *vm, uint64_t va, uint64_t len, struct vgs_migration *mig);

/* Whether one of the vGPU's allocations covers va. */
bool vgs_vmem_covers(const struct vgs_vmem *vm, uint64_t va);
/* A page-aligned address in the vGPU's space that none of its allocations covers (random). */
uint64_t vgs_vmem_wild_va(struct vgs_vmem *vm);
/* An address of one of the vGPU's resident pages: of the (r mod n)-th allocation with one, in
 * address order; 0 when nothing is resident. */
uint64_t vgs_vmem_some_mapped_va(const struct vgs_vmem *vm, uint64_t r);

/*
 * Live migration (docs/pools.md, "Migration").  vgs_vmem_track: start (every resident page becomes
 * dirty: all of it is to be copied) or stop dirty tracking; while on, a page is dirty from its first
 * access after it was last copied -- every access counts as a write, commands carry no read/write
 * distinction.  vgs_vmem_dirty_bytes: resident bytes dirty now.  vgs_vmem_dirty_take: the same, after
 * which every page is clean (a pre-copy round copies them).  vgs_vmem_dirtied: pages that became
 * dirty since the last call (each cost the tracking a write fault).  vgs_vmem_rehome: the vGPU's
 * resident pages move to another GPU's VRAM (its frames there, the old ones freed); 0, or -ENOMEM when
 * some page found no frame (it is then in host memory, evicted).
 */
void vgs_vmem_track(struct vgs_vmem *vm, bool on);
uint64_t vgs_vmem_dirty_bytes(const struct vgs_vmem *vm);
uint64_t vgs_vmem_dirty_take(struct vgs_vmem *vm);
uint64_t vgs_vmem_dirtied(struct vgs_vmem *vm);
int vgs_vmem_rehome(struct vgs_vmem *vm, struct vgs_vram *phys);

const struct vgs_vmem_stats *vgs_vmem_stats(const struct vgs_vmem *vm);
uint32_t vgs_vmem_owner(const struct vgs_vmem *vm);
/* The page table (tests corrupt it to exercise the checker). */
struct vgs_pt *vgs_vmem_pt(struct vgs_vmem *vm);

/*
 * The isolation invariant over the n vGPUs of one GPU: every mapping of vGPU i lies inside one of
 * i's allocations and maps frames the physical allocator has handed out, and no frame is mapped by two
 * vGPUs.  Returns the number of violations (0 when the invariant holds); per_vgpu[i] (may be NULL)
 * gets those involving vGPU i (a frame shared by two vGPUs counts for both).
 */
uint64_t vgs_vmem_check(struct vgs_vmem *const *vms, size_t n, uint64_t *per_vgpu);

#endif
