/*
 * models/memory/vram.c (buddy allocator, fragmentation, check mode), models/memory/pagetable.c (mixed
 * page sizes, map/unmap/lookup), models/memory/vmem.c (quota, page-size choice, lazy population,
 * LRU/FIFO eviction within the share, stream-ordered free, demand maps) and vmem_check.c (the
 * isolation checker).  Cases are tables of steps with a description each; a randomised run checks
 * the invariants after every operation.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "models/memory/pagetable.h"
#include "models/base/rng.h"
#include "models/memory/vmem.h"
#include "models/memory/vram.h"
#include "tests/unit/cunit_main.h"

#define MiB (1ull << 20)
#define KiB (1ull << 10)

/* ---- physical allocator ---------------------------------------------------------------------- */

enum pop { P_ALLOC, P_FREE, P_FREE_FRAMES, P_LARGEST };

struct pstep {
	const char *what;
	enum pop op;
	unsigned order;
	uint64_t frame;            /* P_ALLOC: expected frame; P_FREE: the block */
	int64_t expect;            /* P_FREE: rc; P_FREE_FRAMES / P_LARGEST: the value */
};

static void run_psteps(uint64_t bytes, const struct pstep *steps, size_t n)
{
	struct vgs_vram v;

	CU_ASSERT_EQUAL_FATAL(vgs_vram_init(&v, bytes, false), 0);
	for (size_t i = 0; i < n; i++) {
		const struct pstep *s = &steps[i];
		int64_t got = 0, want = s->expect;

		switch (s->op) {
		case P_ALLOC:
			got = (int64_t)vgs_vram_alloc(&v, s->order);
			want = (int64_t)s->frame;
			break;
		case P_FREE:
			got = vgs_vram_free(&v, s->frame, s->order);
			break;
		case P_FREE_FRAMES:
			got = (int64_t)v.free_frames;
			break;
		case P_LARGEST:
			got = (int64_t)vgs_vram_largest_free(&v);
			break;
		}
		if (got != want)
			fprintf(stderr, "\n  step %zu (%s): got %lld, expected %lld\n", i, s->what, (long long)got,
				(long long)want);
		CU_ASSERT_EQUAL(got, want);
	}
	vgs_vram_fini(&v);
}

static void test_buddy_split_merge(void)
{
	/* 8 MiB = 2048 frames = four 2 MiB blocks. */
	static const struct pstep steps[] = {
		{ "a 2 MiB block is the first whole block", P_ALLOC, 9, 0, 0 },
		{ "a 4 KiB frame splits the next block", P_ALLOC, 0, 512, 0 },
		{ "a 64 KiB block comes from that split, not a fresh block", P_ALLOC, 4, 528, 0 },
		{ "the next 4 KiB frame is the first frame's buddy", P_ALLOC, 0, 513, 0 },
		{ "free frames", P_FREE_FRAMES, 0, 0, 2048 - 512 - 1 - 16 - 1 },
		{ "largest free run: blocks 2 and 3 plus the tail of block 1", P_LARGEST, 0, 0, 1024 + 512 - 32 },
		{ "freeing with the wrong order fails", P_FREE, 4, 512, -EINVAL },
		{ "freeing a misaligned block fails", P_FREE, 4, 520, -EINVAL },
		{ "freeing a frame never allocated fails", P_FREE, 0, 600, -EINVAL },
		{ "free 4 KiB frame 513", P_FREE, 0, 513, 0 },
		{ "free it twice fails", P_FREE, 0, 513, -EINVAL },
		{ "free 4 KiB frame 512 (merges with 513)", P_FREE, 0, 512, 0 },
		{ "free the 64 KiB block: block 1 merges back to 2 MiB", P_FREE, 4, 528, 0 },
		{ "free the 2 MiB block", P_FREE, 9, 0, 0 },
		{ "all free again", P_FREE_FRAMES, 0, 0, 2048 },
		{ "one run", P_LARGEST, 0, 0, 2048 },
		{ "and a 2 MiB block is at 0 again", P_ALLOC, 9, 0, 0 },
		{ "orders above 2 MiB are refused", P_ALLOC, 10, VGS_VRAM_NONE, 0 },
	};
	run_psteps(8 * MiB, steps, sizeof(steps) / sizeof(steps[0]));
}

static void test_buddy_odd_size(void)
{
	/* 3 MiB + 8 KiB = 770 frames: blocks of 512, 256 and 2 frames, contiguous. */
	static const struct pstep steps[] = {
		{ "the size is whole frames", P_FREE_FRAMES, 0, 0, 770 },
		{ "one run across blocks of different orders", P_LARGEST, 0, 0, 770 },
		{ "one 2 MiB block", P_ALLOC, 9, 0, 0 },
		{ "no second 2 MiB block", P_ALLOC, 9, VGS_VRAM_NONE, 0 },
		{ "the 8 KiB tail block serves 4 KiB first (smallest order)", P_ALLOC, 0, 768, 0 },
		{ "then its buddy", P_ALLOC, 0, 769, 0 },
		{ "then the 1 MiB block splits", P_ALLOC, 0, 512, 0 },
		{ "free 769 (its buddy is in use)", P_FREE, 0, 769, 0 },
		{ "free 768: the pair merges, not with frames past the end", P_FREE, 0, 768, 0 },
		{ "run from 513 to 769", P_LARGEST, 0, 0, 257 },
	};
	run_psteps(3 * MiB + 8 * KiB + 100, steps, sizeof(steps) / sizeof(steps[0]));
}

static void test_fragmentation(void)
{
	struct vgs_vram v;
	uint64_t f[1024];

	/* 4 MiB of 4 KiB frames, every other one freed: 2 MiB free, no 2 MiB (or 8 KiB) block. */
	CU_ASSERT_EQUAL_FATAL(vgs_vram_init(&v, 4 * MiB, false), 0);
	CU_ASSERT_DOUBLE_EQUAL(vgs_vram_fragmentation(&v), 0.0, 1e-12);
	for (int i = 0; i < 1024; i++)
		f[i] = vgs_vram_alloc(&v, 0);
	CU_ASSERT_EQUAL(v.free_frames, 0);
	CU_ASSERT_DOUBLE_EQUAL(vgs_vram_fragmentation(&v), 0.0, 1e-12); /* nothing free: defined as 0 */
	for (int i = 0; i < 1024; i += 2)
		CU_ASSERT_EQUAL(vgs_vram_free(&v, f[i], 0), 0);
	CU_ASSERT_EQUAL(v.free_frames, 512);
	CU_ASSERT_EQUAL(vgs_vram_largest_free(&v), 1);
	CU_ASSERT_DOUBLE_EQUAL(vgs_vram_fragmentation(&v), 1.0 - 1.0 / 512.0, 1e-12);
	CU_ASSERT_EQUAL(vgs_vram_alloc(&v, 9), VGS_VRAM_NONE);
	CU_ASSERT_EQUAL(vgs_vram_alloc(&v, 1), VGS_VRAM_NONE);
	CU_ASSERT_EQUAL(v.used_peak_frames, 1024);
	for (int i = 1; i < 1024; i += 2)
		CU_ASSERT_EQUAL(vgs_vram_free(&v, f[i], 0), 0);
	CU_ASSERT_DOUBLE_EQUAL(vgs_vram_fragmentation(&v), 0.0, 1e-12);
	CU_ASSERT_EQUAL(vgs_vram_alloc(&v, 9), 0);
	vgs_vram_fini(&v);
}

static void test_check_mode(void)
{
	struct vgs_vram v;
	uint64_t a;

	CU_ASSERT_EQUAL_FATAL(vgs_vram_init(&v, 4 * MiB, true), 0);
	a = vgs_vram_alloc(&v, 4);
	vgs_vram_note_map(&v, a, 16, 0);
	CU_ASSERT_EQUAL(v.violations, 0);
	vgs_vram_note_map(&v, a, 16, 1);         /* a second vGPU maps the same frames */
	CU_ASSERT_EQUAL(v.violations, 1);
	vgs_vram_note_unmap(&v, a, 16, 1);       /* ... which it does not own */
	CU_ASSERT_EQUAL(v.violations, 2);
	vgs_vram_note_unmap(&v, a, 16, 0);
	CU_ASSERT_EQUAL(v.violations, 2);
	vgs_vram_note_map(&v, 600, 1, 0);        /* a frame the allocator never handed out */
	CU_ASSERT_EQUAL(v.violations, 3);
	vgs_vram_fini(&v);
}

/* ---- page table ------------------------------------------------------------------------------ */

enum top { T_MAP, T_UNMAP, T_LOOKUP, T_PAGES };

struct tstep {
	const char *what;
	enum top op;
	uint64_t va;
	unsigned shift;            /* T_MAP, T_UNMAP: page size; T_LOOKUP: expected size */
	uint64_t frame;            /* T_MAP: the frame; T_LOOKUP: expected frame */
	int64_t expect;            /* rc, or T_PAGES: the count */
};

static void test_pagetable_mixed_sizes(void)
{
	static const struct tstep steps[] = {
		{ "2 MiB page", T_MAP, 0x200000, VGS_PAGE_2M, 512, 0 },
		{ "a 4 KiB page inside it overlaps", T_MAP, 0x201000, VGS_PAGE_4K, 7, -EEXIST },
		{ "a 64 KiB page inside it overlaps", T_MAP, 0x210000, VGS_PAGE_64K, 16, -EEXIST },
		{ "64 KiB page in the next region", T_MAP, 0x400000, VGS_PAGE_64K, 32, 0 },
		{ "4 KiB page in the next 64 KiB slot: mixed sizes in one region", T_MAP, 0x410000, VGS_PAGE_4K, 3, 0 },
		{ "4 KiB inside the 64 KiB page overlaps", T_MAP, 0x401000, VGS_PAGE_4K, 4, -EEXIST },
		{ "64 KiB over the 4 KiB page overlaps", T_MAP, 0x410000, VGS_PAGE_64K, 48, -EEXIST },
		{ "2 MiB over the region overlaps", T_MAP, 0x400000, VGS_PAGE_2M, 1024, -EEXIST },
		{ "misaligned 64 KiB va", T_MAP, 0x408000, VGS_PAGE_64K, 64, -EINVAL },
		{ "misaligned frame for 2 MiB", T_MAP, 0x600000, VGS_PAGE_2M, 513, -EINVAL },
		{ "unsupported size", T_MAP, 0x600000, 13, 0, -EINVAL },
		{ "translate inside the 2 MiB page", T_LOOKUP, 0x3fffff, VGS_PAGE_2M, 512, 0 },
		{ "translate inside the 64 KiB page", T_LOOKUP, 0x40ffff, VGS_PAGE_64K, 32, 0 },
		{ "translate the 4 KiB page", T_LOOKUP, 0x410abc, VGS_PAGE_4K, 3, 0 },
		{ "an unmapped 4 KiB neighbour faults", T_LOOKUP, 0x411000, 0, 0, -ENOENT },
		{ "an unmapped region faults", T_LOOKUP, 0x800000, 0, 0, -ENOENT },
		{ "three pages", T_PAGES, 0, 0, 0, 3 },
		{ "unmap with the wrong size", T_UNMAP, 0x400000, VGS_PAGE_4K, 0, -ENOENT },
		{ "unmap the 64 KiB page", T_UNMAP, 0x400000, VGS_PAGE_64K, 0, 0 },
		{ "it faults now", T_LOOKUP, 0x400000, 0, 0, -ENOENT },
		{ "unmap the 4 KiB page: the region is empty", T_UNMAP, 0x410000, VGS_PAGE_4K, 0, 0 },
		{ "so a 2 MiB page fits there now", T_MAP, 0x400000, VGS_PAGE_2M, 1024, 0 },
		{ "unmap twice", T_UNMAP, 0x410000, VGS_PAGE_4K, 0, -ENOENT },
		{ "two pages", T_PAGES, 0, 0, 0, 2 },
	};
	struct vgs_pt *pt = vgs_pt_new();

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct tstep *s = &steps[i];
		struct vgs_pte e = { 0, 0, 0 };
		int64_t got = 0;

		switch (s->op) {
		case T_MAP: got = vgs_pt_map(pt, s->va, s->shift, s->frame); break;
		case T_UNMAP: got = vgs_pt_unmap(pt, s->va, s->shift); break;
		case T_LOOKUP:
			got = vgs_pt_lookup(pt, s->va, &e);
			if (got == 0) {
				CU_ASSERT_EQUAL(e.shift, s->shift);
				CU_ASSERT_EQUAL(e.frame, s->frame);
				CU_ASSERT_EQUAL(e.va, s->va & ~((1ull << s->shift) - 1));
			}
			break;
		case T_PAGES: got = (int64_t)vgs_pt_pages(pt); break;
		}
		if (got != s->expect)
			fprintf(stderr, "\n  step %zu (%s): got %lld, expected %lld\n", i, s->what, (long long)got,
				(long long)s->expect);
		CU_ASSERT_EQUAL(got, s->expect);
	}
	CU_ASSERT_EQUAL(vgs_pt_bytes(pt), 4 * MiB);
	vgs_pt_free(pt);
}

static void add_pte(const struct vgs_pte *e, void *data)
{
	g_array_append_vals(data, e, 1);
}

static void test_pagetable_foreach_order(void)
{
	struct vgs_pt *pt = vgs_pt_new();
	GArray *seen = g_array_new(FALSE, FALSE, sizeof(struct vgs_pte));

	vgs_pt_map(pt, 0x10000000, VGS_PAGE_4K, 9);
	vgs_pt_map(pt, 0x200000, VGS_PAGE_2M, 0);
	vgs_pt_map(pt, 0x10010000, VGS_PAGE_64K, 16);
	vgs_pt_map(pt, 0x10001000, VGS_PAGE_4K, 10);
	vgs_pt_foreach(pt, add_pte, seen);
	CU_ASSERT_EQUAL_FATAL(seen->len, 4);
	for (guint i = 1; i < seen->len; i++)
		CU_ASSERT(g_array_index(seen, struct vgs_pte, i - 1).va < g_array_index(seen, struct vgs_pte, i).va);
	CU_ASSERT_EQUAL(g_array_index(seen, struct vgs_pte, 3).shift, VGS_PAGE_64K);
	g_array_free(seen, TRUE);
	vgs_pt_free(pt);
}

/* ---- a vGPU's memory ------------------------------------------------------------------------- */

static struct vgs_vmem *vm_new(struct vgs_vram *phys, uint32_t owner, uint64_t quota, uint64_t share,
			       unsigned max_shift, enum vgs_evict evict)
{
	struct vgs_vmem_cfg c = { .owner = owner, .quota_bytes = quota, .share_bytes = share,
				  .max_shift = max_shift, .evict = evict, .seed = 42 + owner };

	return vgs_vmem_new(phys, &c);
}

static void test_share(void)
{
	static const struct {
		uint64_t vram, q, sum, share;
	} cases[] = {
		{ 24ull << 30, 1ull << 30, 12ull << 30, 1ull << 30 },        /* fits: the quota */
		{ 24ull << 30, 1ull << 30, 24ull << 30, 1ull << 30 },        /* exactly full */
		{ 8ull << 30, 4ull << 30, 16ull << 30, 2ull << 30 },         /* 2x overcommit: half */
		{ 8ull << 30, 3ull << 30, 12ull << 30, 2ull << 30 },
		{ 10 * MiB, 4 * MiB, 12 * MiB, 10 * MiB / 3 & ~4095ull },    /* rounded down to frames */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CU_ASSERT_EQUAL(vgs_vmem_share(cases[i].vram, cases[i].q, cases[i].sum), cases[i].share);
}

static void test_quota_and_page_sizes(void)
{
	struct vgs_vram v;
	struct vgs_vmem *vm;
	struct vgs_migration mig = { 0, 0 };
	static const struct {
		const char *what;
		uint32_t id;
		uint64_t bytes;
		unsigned shift;
		int rc;
		uint64_t allocated_after;
	} steps[] = {
		{ "3 MiB takes 2 MiB pages (rounded to 4 MiB)", 1, 3 * MiB, 0, 0, 4 * MiB },
		{ "100 KiB takes 64 KiB pages", 2, 100 * KiB, 0, 0, 4 * MiB + 128 * KiB },
		{ "10 KiB takes 4 KiB pages", 3, 10 * KiB, 0, 0, 4 * MiB + 140 * KiB },
		{ "an explicit 4 KiB page size for 1 MiB", 4, 1 * MiB, VGS_PAGE_4K, 0, 5 * MiB + 140 * KiB },
		{ "a live id cannot be allocated again", 1, 4 * KiB, 0, -EEXIST, 5 * MiB + 140 * KiB },
		{ "zero bytes", 5, 0, 0, -EINVAL, 5 * MiB + 140 * KiB },
		{ "a bad page size", 5, 4 * KiB, 13, -EINVAL, 5 * MiB + 140 * KiB },
		{ "past the 8 MiB quota", 5, 3 * MiB, 0, -EDQUOT, 5 * MiB + 140 * KiB },
		{ "far past any quota", 5, 1ull << 50, 0, -EDQUOT, 5 * MiB + 140 * KiB },
		{ "what is left of the quota", 6, 2 * MiB + 884 * KiB, VGS_PAGE_4K, 0, 8 * MiB },
	};

	CU_ASSERT_EQUAL_FATAL(vgs_vram_init(&v, 64 * MiB, false), 0);
	vm = vm_new(&v, 0, 8 * MiB, 8 * MiB, VGS_PAGE_2M, VGS_EVICT_LRU);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int rc = vgs_vmem_alloc(vm, steps[i].id, steps[i].bytes, steps[i].shift);

		if (rc != steps[i].rc)
			fprintf(stderr, "\n  step %zu (%s): rc %d\n", i, steps[i].what, rc);
		CU_ASSERT_EQUAL(rc, steps[i].rc);
		CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->allocated_bytes, steps[i].allocated_after);
	}
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->alloc_failures, 2);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->resident_bytes, 0); /* frames come at first access */

	/* Touch everything: the page table holds each allocation's page size. */
	for (uint32_t id = 1; id <= 6; id++) {
		struct vgs_alloc *a = vgs_vmem_pin(vm, id);

		if (id == 5) {
			CU_ASSERT_PTR_NULL(a);
			continue;
		}
		CU_ASSERT_EQUAL(vgs_vmem_touch(vm, a, 0, 0, &mig), 0);
		vgs_vmem_unpin(vm, a);
	}
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->resident_bytes, 8 * MiB);
	CU_ASSERT_EQUAL(mig.h2d_bytes + mig.d2h_bytes, 0); /* populating moves nothing */
	/* 2 + 2 + 3 + 256 + 733 pages of 2 MiB, 64 KiB, 4 KiB, 4 KiB, 4 KiB */
	CU_ASSERT_EQUAL(vgs_pt_pages(vgs_vmem_pt(vm)), 2 + 2 + 3 + 256 + 733);
	CU_ASSERT_EQUAL(vgs_pt_bytes(vgs_vmem_pt(vm)), 8 * MiB);
	CU_ASSERT_EQUAL(v.free_frames, (56 * MiB) >> 12);
	/* Freeing gives quota and frames back. */
	CU_ASSERT_EQUAL(vgs_vmem_release(vm, 1), 0);
	CU_ASSERT_EQUAL(vgs_vmem_release(vm, 1), -ENOENT);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->allocated_bytes, 4 * MiB);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->resident_bytes, 4 * MiB);
	CU_ASSERT_EQUAL(vgs_vmem_alloc(vm, 5, 4 * MiB, 0), 0);
	vgs_vmem_free(vm);
	CU_ASSERT_EQUAL(v.free_frames, (64 * MiB) >> 12);
	vgs_vram_fini(&v);
}

/* Steps on allocations A (id 1), B (id 2), C (id 3) of two 2 MiB pages each, share 8 MiB. */
enum vop { V_TOUCH, V_EXPECT };

struct vstep {
	const char *what;
	enum vop op;
	uint32_t id;
	uint64_t off, len;
	uint64_t d2h, h2d;           /* V_TOUCH: traffic of this access */
	uint64_t evictions, faults;  /* V_EXPECT: totals so far */
};

static void run_vsteps(enum vgs_evict policy, const struct vstep *steps, size_t n)
{
	struct vgs_vram v;
	struct vgs_vmem *vm;

	CU_ASSERT_EQUAL_FATAL(vgs_vram_init(&v, 64 * MiB, false), 0);
	vm = vm_new(&v, 0, 32 * MiB, 8 * MiB, VGS_PAGE_2M, policy);
	for (uint32_t id = 1; id <= 3; id++)
		CU_ASSERT_EQUAL(vgs_vmem_alloc(vm, id, 4 * MiB, 0), 0);
	for (size_t i = 0; i < n; i++) {
		const struct vstep *s = &steps[i];
		const struct vgs_vmem_stats *st = vgs_vmem_stats(vm);

		if (s->op == V_TOUCH) {
			struct vgs_migration mig = { 0, 0 };
			struct vgs_alloc *a = vgs_vmem_pin(vm, s->id);

			CU_ASSERT_EQUAL(vgs_vmem_touch(vm, a, s->off, s->len, &mig), 0);
			vgs_vmem_unpin(vm, a);
			if (mig.d2h_bytes != s->d2h || mig.h2d_bytes != s->h2d)
				fprintf(stderr, "\n  step %zu (%s): d2h %llu h2d %llu\n", i, s->what,
					(unsigned long long)mig.d2h_bytes, (unsigned long long)mig.h2d_bytes);
			CU_ASSERT_EQUAL(mig.d2h_bytes, s->d2h);
			CU_ASSERT_EQUAL(mig.h2d_bytes, s->h2d);
			CU_ASSERT(st->resident_bytes <= 8 * MiB);
		} else {
			CU_ASSERT_EQUAL(st->evictions, s->evictions);
			CU_ASSERT_EQUAL(st->page_faults, s->faults);
			CU_ASSERT_EQUAL(st->migrated_bytes, (s->evictions + st->fetches) * 2 * MiB);
		}
	}
	CU_ASSERT_EQUAL(vgs_vmem_check(&vm, 1, NULL), 0);
	vgs_vmem_free(vm);
	vgs_vram_fini(&v);
}

static void test_lru_eviction(void)
{
	static const struct vstep steps[] = {
		{ "A populates its two pages", V_TOUCH, 1, 0, 0, 0, 0, 0, 0 },
		{ "B fills the 8 MiB share", V_TOUCH, 2, 0, 0, 0, 0, 0, 0 },
		{ "A's first page again: most recent now", V_TOUCH, 1, 0, 1, 0, 0, 0, 0 },
		{ "C evicts the two least recent: A's second page, then B's first", V_TOUCH, 3, 0, 0, 4 * MiB, 0, 0, 0 },
		{ "", V_EXPECT, 0, 0, 0, 0, 0, 2, 0 },
		{ "A's first page is still resident", V_TOUCH, 1, 0, 1, 0, 0, 0, 0 },
		{ "A's second page faults back, evicting B's second", V_TOUCH, 1, 2 * MiB, 1, 2 * MiB, 2 * MiB, 0, 0 },
		{ "", V_EXPECT, 0, 0, 0, 0, 0, 3, 1 },
		{ "B's two pages come back, evicting C's", V_TOUCH, 2, 0, 0, 4 * MiB, 4 * MiB, 0, 0 },
		{ "", V_EXPECT, 0, 0, 0, 0, 0, 5, 3 },
	};
	run_vsteps(VGS_EVICT_LRU, steps, sizeof(steps) / sizeof(steps[0]));
}

static void test_fifo_eviction(void)
{
	static const struct vstep steps[] = {
		{ "A populates its two pages", V_TOUCH, 1, 0, 0, 0, 0, 0, 0 },
		{ "B fills the share", V_TOUCH, 2, 0, 0, 0, 0, 0, 0 },
		{ "A's first page again: FIFO does not reorder", V_TOUCH, 1, 0, 1, 0, 0, 0, 0 },
		{ "C evicts the first mapped: A's two pages", V_TOUCH, 3, 0, 0, 4 * MiB, 0, 0, 0 },
		{ "A's first page faults back, evicting B's first", V_TOUCH, 1, 0, 1, 2 * MiB, 2 * MiB, 0, 0 },
		{ "", V_EXPECT, 0, 0, 0, 0, 0, 3, 1 },
	};
	run_vsteps(VGS_EVICT_FIFO, steps, sizeof(steps) / sizeof(steps[0]));
}

static void test_no_overcommit_never_evicts(void)
{
	struct vgs_vram v;
	struct vgs_vmem *vm;

	CU_ASSERT_EQUAL_FATAL(vgs_vram_init(&v, 64 * MiB, false), 0);
	vm = vm_new(&v, 0, 32 * MiB, 32 * MiB, VGS_PAGE_2M, VGS_EVICT_LRU);
	for (uint32_t id = 1; id <= 3; id++) {
		struct vgs_migration mig = { 0, 0 };
		struct vgs_alloc *a;

		CU_ASSERT_EQUAL(vgs_vmem_alloc(vm, id, 8 * MiB, 0), 0);
		a = vgs_vmem_pin(vm, id);
		CU_ASSERT_EQUAL(vgs_vmem_touch(vm, a, 0, 0, &mig), 0);
		CU_ASSERT_EQUAL(vgs_vmem_touch(vm, a, 0, 0, &mig), 0);
		vgs_vmem_unpin(vm, a);
		CU_ASSERT_EQUAL(mig.d2h_bytes + mig.h2d_bytes, 0);
	}
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->evictions, 0);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->resident_bytes, 24 * MiB);
	vgs_vmem_free(vm);
	vgs_vram_fini(&v);
}

static void test_stream_ordered_free(void)
{
	struct vgs_vram v;
	struct vgs_vmem *vm;
	struct vgs_migration mig = { 0, 0 };
	struct vgs_alloc *a, *b;

	CU_ASSERT_EQUAL_FATAL(vgs_vram_init(&v, 16 * MiB, false), 0);
	vm = vm_new(&v, 0, 8 * MiB, 8 * MiB, VGS_PAGE_2M, VGS_EVICT_LRU);
	CU_ASSERT_EQUAL(vgs_vmem_alloc(vm, 7, 4 * MiB, 0), 0);
	a = vgs_vmem_pin(vm, 7);                  /* a command in flight uses it */
	b = vgs_vmem_pin(vm, 7);                  /* and another */
	CU_ASSERT_EQUAL(vgs_vmem_release(vm, 7), 0);
	CU_ASSERT_PTR_NULL(vgs_vmem_pin(vm, 7));  /* later commands cannot name it */
	CU_ASSERT_EQUAL(vgs_vmem_alloc(vm, 7, 2 * MiB, 0), 0); /* the id is free to reuse */
	CU_ASSERT_EQUAL(vgs_vmem_touch(vm, a, 0, 0, &mig), 0);  /* the earlier command still runs */
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->resident_bytes, 4 * MiB);
	vgs_vmem_unpin(vm, a);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->resident_bytes, 4 * MiB);
	vgs_vmem_unpin(vm, b);                    /* the last pin: frames go back */
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->resident_bytes, 0);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->allocated_bytes, 2 * MiB);
	CU_ASSERT_EQUAL(v.free_frames, (16 * MiB) >> 12);
	vgs_vmem_free(vm);
	vgs_vram_fini(&v);
}

static void test_faults_and_demand_maps(void)
{
	struct vgs_vram v;
	struct vgs_vmem *vm;
	struct vgs_migration mig = { 0, 0 };
	uint64_t va;

	CU_ASSERT_EQUAL_FATAL(vgs_vram_init(&v, 16 * MiB, false), 0);
	vm = vm_new(&v, 0, 2 * MiB + 8 * KiB, 2 * MiB + 8 * KiB, VGS_PAGE_2M, VGS_EVICT_LRU);
	CU_ASSERT_EQUAL(vgs_vmem_alloc(vm, 1, 2 * MiB, 0), 0);
	va = vgs_vmem_wild_va(vm);
	CU_ASSERT(va >= VGS_VA_BASE && va < VGS_VA_LIMIT && (va & 4095) == 0);
	CU_ASSERT_EQUAL(vgs_vmem_touch(vm, NULL, 0, 0, &mig), -EFAULT);            /* an allocation it never got */
	{
		struct vgs_alloc *a = vgs_vmem_pin(vm, 1);

		CU_ASSERT_EQUAL(vgs_vmem_touch(vm, a, 2 * MiB, 1, &mig), -EFAULT); /* past its end */
		vgs_vmem_unpin(vm, a);
	}
	CU_ASSERT_EQUAL(vgs_vmem_touch_va(vm, va, 8, &mig), -EFAULT);
	CU_ASSERT_EQUAL(vgs_vmem_touch_va(vm, VGS_VA_LIMIT + 4096, 8, &mig), -EFAULT);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->invalid_faults, 4);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->page_faults, 4);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->resident_bytes, 0); /* faulting accesses map nothing */
	/* Demand maps: a fresh page at the faulting address, charged to the quota. */
	CU_ASSERT_EQUAL(vgs_vmem_demand_map(vm, va + 5, &mig), 0);
	CU_ASSERT_EQUAL(vgs_vmem_touch_va(vm, va, 8, &mig), 0);
	CU_ASSERT_EQUAL(vgs_vmem_demand_map(vm, va, &mig), -EFAULT);            /* already mapped */
	CU_ASSERT_EQUAL(vgs_vmem_demand_map(vm, 4096, &mig), -EFAULT);          /* the null page */
	CU_ASSERT_EQUAL(vgs_vmem_demand_map(vm, VGS_VA_LIMIT, &mig), -EFAULT);  /* outside the space */
	CU_ASSERT_EQUAL(vgs_vmem_demand_map(vm, va + 1 * MiB, &mig), 0);
	CU_ASSERT_EQUAL(vgs_vmem_demand_map(vm, va + 2 * MiB, &mig), -EDQUOT);  /* quota used up */
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->demand_maps, 2);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->allocated_bytes, 2 * MiB + 8 * KiB);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->resident_bytes, 8 * KiB);
	CU_ASSERT_EQUAL(vgs_vmem_some_mapped_va(vm, 0) & ~4095ull, va);
	CU_ASSERT_EQUAL(vgs_vmem_check(&vm, 1, NULL), 0);
	vgs_vmem_free(vm);
	vgs_vram_fini(&v);
}

/* Another vGPU's address names nothing in this vGPU's table. */
static void test_isolation_check(void)
{
	struct vgs_vram v;
	struct vgs_vmem *vms[3];
	struct vgs_migration mig = { 0, 0 };
	uint64_t per[3], va_b, before;
	struct vgs_pte pte;

	CU_ASSERT_EQUAL_FATAL(vgs_vram_init(&v, 32 * MiB, true), 0);
	for (uint32_t i = 0; i < 3; i++) {
		struct vgs_alloc *a;

		vms[i] = vm_new(&v, i, 8 * MiB, 8 * MiB, VGS_PAGE_2M, VGS_EVICT_LRU);
		CU_ASSERT_EQUAL(vgs_vmem_alloc(vms[i], 1, 4 * MiB, 0), 0);
		a = vgs_vmem_pin(vms[i], 1);
		CU_ASSERT_EQUAL(vgs_vmem_touch(vms[i], a, 0, 0, &mig), 0);
		vgs_vmem_unpin(vms[i], a);
	}
	CU_ASSERT_EQUAL(vgs_vmem_check(vms, 3, per), 0);
	CU_ASSERT_EQUAL(v.violations, 0);
	/* vGPU 0 uses an address vGPU 1 has mapped: same layout, so vGPU 0 has it too (its own page). */
	va_b = vgs_vmem_some_mapped_va(vms[1], 0);
	{
		struct vgs_pte own;

		CU_ASSERT_EQUAL(vgs_pt_lookup(vgs_vmem_pt(vms[0]), va_b, &own), 0);
		CU_ASSERT_EQUAL(vgs_pt_lookup(vgs_vmem_pt(vms[1]), va_b, &pte), 0);
		CU_ASSERT_NOT_EQUAL(own.frame, pte.frame);
	}
	/* An address only vGPU 1 maps: a fault for vGPU 2, and a demand map gives it fresh frames. */
	CU_ASSERT_EQUAL(vgs_vmem_alloc(vms[1], 2, 64 * KiB, 0), 0);
	{
		struct vgs_alloc *a = vgs_vmem_pin(vms[1], 2);

		vgs_vmem_touch(vms[1], a, 0, 0, &mig);
		vgs_vmem_unpin(vms[1], a);
	}
	va_b = vgs_vmem_some_mapped_va(vms[1], 1);
	before = vgs_vmem_stats(vms[2])->invalid_faults;
	CU_ASSERT_EQUAL(vgs_vmem_touch_va(vms[2], va_b, 16, &mig), -EFAULT);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vms[2])->invalid_faults, before + 1);
	CU_ASSERT_EQUAL(vgs_vmem_demand_map(vms[2], va_b, &mig), 0);
	CU_ASSERT_EQUAL(vgs_vmem_check(vms, 3, per), 0);
	CU_ASSERT_EQUAL(v.violations, 0);

	/* Corrupt vGPU 2's table with a frame vGPU 0 maps: the checker finds the shared frame. */
	vgs_pt_lookup(vgs_vmem_pt(vms[0]), vgs_vmem_some_mapped_va(vms[0], 0), &pte);
	CU_ASSERT_EQUAL(vgs_pt_map(vgs_vmem_pt(vms[2]), 0x7f0000000000ull, VGS_PAGE_2M, pte.frame), 0);
	CU_ASSERT(vgs_vmem_check(vms, 3, per) >= 1);
	CU_ASSERT(per[0] >= 1);
	CU_ASSERT(per[2] >= 1);   /* ... and the mapping lies outside vGPU 2's allocations */
	CU_ASSERT_EQUAL(per[1], 0);
	vgs_pt_unmap(vgs_vmem_pt(vms[2]), 0x7f0000000000ull, VGS_PAGE_2M);
	CU_ASSERT_EQUAL(vgs_vmem_check(vms, 3, per), 0);
	/* A mapping onto frames the allocator never handed out. */
	{
		uint64_t f = vgs_vram_alloc(&v, 0);

		vgs_vram_free(&v, f, 0);
		CU_ASSERT_EQUAL(vgs_pt_map(vgs_vmem_pt(vms[1]), 0x7f0000000000ull, VGS_PAGE_4K, f), 0);
		CU_ASSERT_EQUAL(vgs_vmem_check(vms, 3, per), 1);
		CU_ASSERT_EQUAL(per[1], 1);
		vgs_pt_unmap(vgs_vmem_pt(vms[1]), 0x7f0000000000ull, VGS_PAGE_4K);
	}
	for (int i = 0; i < 3; i++)
		vgs_vmem_free(vms[i]);
	CU_ASSERT_EQUAL(v.violations, 0);
	CU_ASSERT_EQUAL(v.free_frames, (32 * MiB) >> 12);
	vgs_vram_fini(&v);
}

/* Fragmented VRAM: a 2 MiB page is backed by smaller pieces, each mapped as its own page. */
static void test_fragmented_fallback(void)
{
	struct vgs_vram v;
	struct vgs_vmem *small, *big;
	struct vgs_migration mig = { 0, 0 };
	struct vgs_alloc *a;
	struct vgs_pte pte;

	CU_ASSERT_EQUAL_FATAL(vgs_vram_init(&v, 4 * MiB, true), 0);
	small = vm_new(&v, 0, 4 * MiB, 4 * MiB, VGS_PAGE_4K, VGS_EVICT_LRU);
	big = vm_new(&v, 1, 4 * MiB, 4 * MiB, VGS_PAGE_2M, VGS_EVICT_LRU);
	/* 512 one-page allocations fill the first 2 MiB block... then every other one goes. */
	for (uint32_t id = 0; id < 640; id++) {
		CU_ASSERT_EQUAL(vgs_vmem_alloc(small, id, 4 * KiB, 0), 0);
		a = vgs_vmem_pin(small, id);
		vgs_vmem_touch(small, a, 0, 0, &mig);
		vgs_vmem_unpin(small, a);
	}
	for (uint32_t id = 0; id < 640; id += 2)
		vgs_vmem_release(small, id);
	CU_ASSERT(vgs_vram_fragmentation(&v) > 0.3);
	CU_ASSERT_EQUAL(vgs_vmem_alloc(big, 1, 2 * MiB, 0), 0);
	a = vgs_vmem_pin(big, 1);
	CU_ASSERT_EQUAL(vgs_vmem_touch(big, a, 0, 0, &mig), 0);
	vgs_vmem_unpin(big, a);
	CU_ASSERT_EQUAL(vgs_vmem_stats(big)->resident_bytes, 2 * MiB);
	CU_ASSERT(vgs_pt_pages(vgs_vmem_pt(big)) > 1); /* not one 2 MiB page: pieces */
	CU_ASSERT_EQUAL(vgs_pt_lookup(vgs_vmem_pt(big), vgs_vmem_some_mapped_va(big, 0), &pte), 0);
	CU_ASSERT(pte.shift < VGS_PAGE_2M);
	CU_ASSERT_EQUAL(vgs_vmem_check((struct vgs_vmem *[]){ small, big }, 2, NULL), 0);
	CU_ASSERT_EQUAL(v.violations, 0);
	vgs_vmem_free(small);
	vgs_vmem_free(big);
	CU_ASSERT_EQUAL(v.free_frames, (4 * MiB) >> 12);
	CU_ASSERT_DOUBLE_EQUAL(vgs_vram_fragmentation(&v), 0.0, 1e-12);
	vgs_vram_fini(&v);
}

/*
 * Random allocations, frees, accesses and wild accesses from four vGPUs sharing an overcommitted GPU
 * (quotas 2x its VRAM): after every step no frame is mapped twice, every vGPU stays within its share,
 * and frames in use equal the pages mapped.
 */
static void test_random_invariants(void)
{
	struct vgs_vram v;
	struct vgs_vmem *vms[4];
	struct vgs_rng r;
	const uint64_t vram = 32 * MiB, quota = 16 * MiB, share = vgs_vmem_share(vram, quota, 4 * quota);
	static const unsigned shifts[] = { 0, VGS_PAGE_4K, VGS_PAGE_64K, VGS_PAGE_2M };

	CU_ASSERT_EQUAL(share, 8 * MiB);
	CU_ASSERT_EQUAL_FATAL(vgs_vram_init(&v, vram, true), 0);
	vgs_rng_seed(&r, 7);
	for (uint32_t i = 0; i < 4; i++)
		vms[i] = vm_new(&v, i, quota, share, VGS_PAGE_2M, i % 2 ? VGS_EVICT_FIFO : VGS_EVICT_LRU);
	for (int step = 0; step < 3000; step++) {
		uint32_t i = vgs_rng_u64(&r) % 4, id = vgs_rng_u64(&r) % 12;
		struct vgs_migration mig = { 0, 0 };
		uint64_t mapped = 0;

		switch (vgs_rng_u64(&r) % 5) {
		case 0:
			vgs_vmem_alloc(vms[i], id, 1 + vgs_rng_u64(&r) % (6 * MiB), shifts[vgs_rng_u64(&r) % 4]);
			break;
		case 1:
			vgs_vmem_release(vms[i], id);
			break;
		case 2:
			vgs_vmem_demand_map(vms[i], vgs_vmem_wild_va(vms[i]), &mig);
			break;
		default: {
			struct vgs_alloc *a = vgs_vmem_pin(vms[i], id);

			if (a)
				CU_ASSERT_EQUAL(vgs_vmem_touch(vms[i], a, 0, vgs_rng_u64(&r) % (4 * MiB), &mig), 0);
			vgs_vmem_unpin(vms[i], a);
			break;
		}
		}
		for (int k = 0; k < 4; k++) {
			const struct vgs_vmem_stats *st = vgs_vmem_stats(vms[k]);

			CU_ASSERT(st->resident_bytes <= share);
			CU_ASSERT(st->allocated_bytes <= quota);
			CU_ASSERT_EQUAL(vgs_pt_bytes(vgs_vmem_pt(vms[k])), st->resident_bytes);
			mapped += st->resident_bytes;
		}
		CU_ASSERT_EQUAL(mapped, (v.frames - v.free_frames) << 12);
		if (step % 100 == 0)
			CU_ASSERT_EQUAL(vgs_vmem_check(vms, 4, NULL), 0);
	}
	CU_ASSERT_EQUAL(vgs_vmem_check(vms, 4, NULL), 0);
	CU_ASSERT_EQUAL(v.violations, 0);
	for (int k = 0; k < 4; k++) {
		CU_ASSERT(vgs_vmem_stats(vms[k])->evictions > 0);
		CU_ASSERT_EQUAL(vgs_vmem_stats(vms[k])->check_violations, 0);
		vgs_vmem_free(vms[k]);
	}
	CU_ASSERT_EQUAL(v.free_frames, v.frames);
	vgs_vram_fini(&v);
}

static CU_TestInfo tests_vram[] = {
	{ "buddy allocator: splits, buddies, merges, bad frees", test_buddy_split_merge },
	{ "buddy allocator: a size that is not a multiple of 2 MiB", test_buddy_odd_size },
	{ "fragmentation = 1 - largest free run / free", test_fragmentation },
	{ "check mode counts a frame mapped twice", test_check_mode },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_pagetable[] = {
	{ "map, unmap, translate with mixed 4 KiB / 64 KiB / 2 MiB pages", test_pagetable_mixed_sizes },
	{ "every mapping is visited in address order", test_pagetable_foreach_order },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_vmem[] = {
	{ "resident share: the quota, or VRAM split by quota", test_share },
	{ "quota enforcement and page-size choice", test_quota_and_page_sizes },
	{ "LRU evicts the vGPU's least recently used pages", test_lru_eviction },
	{ "FIFO evicts the first mapped pages", test_fifo_eviction },
	{ "without overcommit nothing is ever evicted", test_no_overcommit_never_evicts },
	{ "a freed allocation lives until its last command is done", test_stream_ordered_free },
	{ "invalid accesses fault; demand maps within the quota", test_faults_and_demand_maps },
	{ "isolation checker: clean runs pass, a shared frame is found", test_isolation_check },
	{ "fragmented VRAM backs a 2 MiB page with smaller pieces", test_fragmented_fallback },
	{ "random operations keep every invariant", test_random_invariants },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "vram", .pTests = tests_vram }, { .pName = "pagetable", .pTests = tests_pagetable },
	       { .pName = "vmem", .pTests = tests_vmem })
