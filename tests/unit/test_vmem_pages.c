/*
 * models/memory/vmem_pages.c (the sparse page map of an allocation) and what it makes possible in
 * models/memory/vmem.c: an allocation far larger than VRAM costs nothing until touched, pages far apart
 * touch independently, a demand access over a huge range is refused at once (issue 14, defect 11).
 */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "models/memory/vmem_priv.h"
#include "tests/unit/cunit_main.h"

#define MiB (1ull << 20)

/* vpm_foreach: count the records. */
static bool count(struct vpage *p, void *data)
{
	(*(uint64_t *)data)++;
	return false;
}

/* Depth and root width for a table of sizes; records only where touched, in index order. */
static void test_map_shape(void)
{
	static const struct {
		const char *what;
		uint64_t npages;
		uint8_t depth;
		uint32_t top;
	} cases[] = {
		{ "one page: a leaf of one record", 1, 0, 1 },
		{ "64 pages: one leaf", 64, 0, 1 },
		{ "65 pages: a root of two leaves", 65, 1, 2 },
		{ "32768 pages: a root of 512 leaves", 32768, 1, 512 },
		{ "32769 pages: two levels", 32769, 2, 2 },
		{ "2^32 pages (16 TiB of 4 KiB): three levels", 1ull << 32, 3, 256 },
	};
	struct vgs_alloc a = { 0 };

	for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
		struct vpagemap m;
		uint64_t run, n = 0, last = cases[k].npages - 1;
		struct vpage *p;

		vpm_init(&m, cases[k].npages);
		if (m.depth != cases[k].depth || m.top != cases[k].top)
			fprintf(stderr, "\n  %s: depth %u top %u\n", cases[k].what, m.depth, m.top);
		CU_ASSERT_EQUAL(m.depth, cases[k].depth);
		CU_ASSERT_EQUAL(m.top, cases[k].top);
		CU_ASSERT_PTR_NULL(vpm_page(&m, &a, last, false, &run)); /* nothing yet */
		CU_ASSERT(run >= 1 && run <= cases[k].npages);
		p = vpm_page(&m, &a, last, true, &run);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL(run, 1);               /* the last page ends its leaf */
		CU_ASSERT_EQUAL(vpm_index(p), last);
		CU_ASSERT_PTR_EQUAL(p->a, &a);
		CU_ASSERT_EQUAL(p->state, PG_NEW);
		p = vpm_page(&m, &a, 0, true, &run);
		CU_ASSERT_EQUAL(vpm_index(p), 0);
		CU_ASSERT_EQUAL(run, cases[k].npages < VPM_LEAF ? cases[k].npages : VPM_LEAF);
		CU_ASSERT_PTR_EQUAL(vpm_page(&m, &a, last, false, &run), vpm_page(&m, &a, last, true, &run));
		vpm_foreach(&m, count, &n);
		/* one or two leaves: at most 2 x 64 records whatever the size */
		CU_ASSERT(n <= 2 * VPM_LEAF);
		CU_ASSERT(n >= (cases[k].npages < 2 ? 1 : 2));
		vpm_free(&m);
	}
}

/* An 8 TiB allocation within an overcommitted quota: allocated at once, two pages touched far apart. */
static void test_huge_allocation(void)
{
	struct vgs_vram phys;
	struct vgs_vmem_cfg cfg = { .quota_bytes = 1ull << 44, .share_bytes = 64 * MiB, .max_shift = VGS_PAGE_4K };
	struct vgs_migration mig = { 0, 0 };
	struct vgs_vmem *vm;
	struct vgs_alloc *a;

	CU_ASSERT_EQUAL_FATAL(vgs_vram_init(&phys, 256 * MiB, false), 0);
	vm = vgs_vmem_new(&phys, &cfg);
	CU_ASSERT_EQUAL(vgs_vmem_alloc(vm, 1, 1ull << 43, VGS_PAGE_4K), 0);
	CU_ASSERT_EQUAL(vgs_vmem_alloc(vm, 2, 1ull << 45, VGS_PAGE_4K), -EDQUOT); /* past the quota */
	a = vgs_vmem_pin(vm, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->npages, 1ull << 31);
	CU_ASSERT_EQUAL(vgs_vmem_touch(vm, a, 0, 4096, &mig), 0);
	CU_ASSERT_EQUAL(vgs_vmem_touch(vm, a, (1ull << 43) - 4096, 0, &mig), 0);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->resident_bytes, 2 * 4096);
	CU_ASSERT_EQUAL(vgs_vmem_some_mapped_va(vm, 0), a->va);
	vgs_vmem_unpin(vm, a);
	CU_ASSERT_EQUAL(vgs_vmem_release(vm, 1), 0);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->resident_bytes, 0);
	vgs_vmem_free(vm);
	CU_ASSERT_EQUAL(phys.free_frames, phys.frames);
	vgs_vram_fini(&phys);
}

/* Demand mode: a small gap is mapped; a range longer than the quota is refused with nothing mapped. */
static void test_demand_range(void)
{
	struct vgs_vram phys;
	struct vgs_vmem_cfg cfg = { .quota_bytes = 16 * MiB, .share_bytes = 16 * MiB, .max_shift = VGS_PAGE_4K };
	struct vgs_migration mig = { 0, 0 };
	struct vgs_vmem *vm;

	CU_ASSERT_EQUAL_FATAL(vgs_vram_init(&phys, 64 * MiB, false), 0);
	vm = vgs_vmem_new(&phys, &cfg);
	CU_ASSERT_EQUAL(vgs_vmem_alloc(vm, 1, 8192, VGS_PAGE_4K), 0);
	/* [2 MiB, 2 MiB + 16 KiB): the allocation's two pages, then two fresh ones */
	CU_ASSERT_EQUAL(vgs_vmem_demand_range(vm, VGS_VA_BASE, 16384, &mig), 0);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->demand_maps, 2);
	CU_ASSERT_EQUAL(vgs_vmem_demand_range(vm, VGS_VA_BASE, 16384, &mig), 0); /* all covered now */
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->demand_maps, 2);
	CU_ASSERT_EQUAL(vgs_vmem_demand_range(vm, VGS_VA_BASE, VGS_VA_LIMIT - 2 * VGS_VA_BASE, &mig), -EDQUOT);
	CU_ASSERT_EQUAL(vgs_vmem_stats(vm)->demand_maps, 2);
	CU_ASSERT_EQUAL(vgs_vmem_demand_range(vm, UINT64_MAX - 10, 100, &mig), -EDQUOT); /* wraps */
	vgs_vmem_free(vm);
	vgs_vram_fini(&phys);
}

static CU_TestInfo tests_pages[] = {
	{ "page map: depth, width, records only where touched", test_map_shape },
	{ "an 8 TiB allocation costs what is touched", test_huge_allocation },
	{ "demand over a range: gaps mapped, a range past the quota refused at once", test_demand_range },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "vmem_pages", .pTests = tests_pages })
