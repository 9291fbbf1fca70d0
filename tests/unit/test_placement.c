/*
 * The built-in placement policies (policies/placement/) on small hand-built pool states: each one
 * picks the GPU its definition (the comment at the top of its file, docs/pools.md) names, skips GPUs
 * that cannot take the request (no slot, too little framebuffer, draining, the wrong kind, a missing
 * engine class), and queues a request that fits nowhere.  The states are chosen so that the policies
 * disagree: a policy that answered like another one fails here.
 */
#include <stdio.h>

#include "models/base/types.h"
#include "policies/placement/vgs_place.h"
#include "tests/unit/cunit_main.h"

#define GIB (1ull << 30)
#define COMPUTE_ONLY (1u << VGS_COMPUTE)
#define ALL_CLASSES ((1u << VGS_NCLASS) - 1)

/* A time-sliced A100-like GPU: 40 GiB, 10 slots, `free_gib` of it free, `used` slots taken. */
static struct vgs_place_gpu ts_gpu(uint32_t id, double free_gib, uint32_t used, double load)
{
	return (struct vgs_place_gpu){
		.id = id, .host = id / 8, .class_mask = ALL_CLASSES, .fb_bytes = 40 * GIB,
		.fb_free_bytes = (uint64_t)(free_gib * GIB), .slots = 10, .slots_free = 10 - used,
		.ntenants = used, .load = load,
	};
}

static struct vgs_place_req ts_req(double gib)
{
	return (struct vgs_place_req){ .class_mask = COMPUTE_ONLY, .fb_bytes = (uint64_t)(gib * GIB), .weight = 1,
				       .mig = -1 };
}

static struct vgs_place_view view_of(const struct vgs_place_gpu *g, uint32_t n)
{
	return (struct vgs_place_view){ .gpus = g, .ngpus = n, .nhosts = 1 };
}

static uint32_t place(const struct vgs_place_ops *ops, const struct vgs_place_view *v, const struct vgs_place_req *r)
{
	struct vgs_place p;
	uint32_t g;

	CU_ASSERT_EQUAL_FATAL(vgs_place_init(&p, ops, NULL, 0, NULL), 0);
	g = ops->place(&p, v, r);
	vgs_place_fini(&p);
	return g;
}

/* One state, what each policy must answer. */
struct place_case {
	const char *what;
	struct vgs_place_gpu gpus[4];
	uint32_t ngpus;
	double req_gib;
	double demand;
	uint32_t want_ff, want_bf, want_spread;
};

/*
 * first-fit: the lowest index that fits.  best-fit: the least framebuffer left after it (then fewer free
 * slots).  spread: the lowest load + demand, then the fewest tenants, then the most free capacity.
 */
static const struct place_case cases[] = {
	{ "GPU 0 too full; 1 roomy and idle; 2 tight and busy",
	  { { 0 }, { 0 }, { 0 } }, 3, 8.0, 0.1, 1, 2, 1 },
	{ "GPU 0 out of slots with framebuffer left; 1 tight; 2 roomy, fewest tenants",
	  { { 0 } }, 3, 4.0, 0.0, 1, 1, 2 },
	{ "equal framebuffer: best-fit takes the GPU with fewer free slots, spread the fewer tenants",
	  { { 0 } }, 2, 10.0, 0.0, 0, 1, 0 },
};

static void fill_case(size_t k, struct place_case *c)
{
	*c = cases[k];
	switch (k) {
	case 0:
		c->gpus[0] = ts_gpu(0, 6.0, 5, 0.0);    /* 6 GiB free: 8 does not fit */
		c->gpus[1] = ts_gpu(1, 30.0, 1, 0.1);   /* fits, 22 left, load 0.1 */
		c->gpus[2] = ts_gpu(2, 12.0, 4, 0.6);   /* fits, 4 left, load 0.6 */
		break;
	case 1:
		c->gpus[0] = ts_gpu(0, 20.0, 10, 0.0); /* no slot free */
		c->gpus[1] = ts_gpu(1, 5.0, 3, 0.2);   /* fits, 1 left */
		c->gpus[2] = ts_gpu(2, 36.0, 1, 0.2);  /* fits, 32 left, same load, fewer tenants */
		break;
	case 2:
		c->gpus[0] = ts_gpu(0, 20.0, 2, 0.3);  /* 10 left, 7 slots left after */
		c->gpus[1] = ts_gpu(1, 20.0, 6, 0.3);  /* 10 left, 3 slots left after */
		break;
	}
}

static void test_time_sliced(void)
{
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct place_case c;
		struct vgs_place_req r;
		struct vgs_place_view v;
		uint32_t ff, bf, sp;

		fill_case(k, &c);
		r = ts_req(c.req_gib);
		r.demand = c.demand;
		v = view_of(c.gpus, c.ngpus);
		ff = place(&vgs_place_first_fit, &v, &r);
		bf = place(&vgs_place_best_fit, &v, &r);
		sp = place(&vgs_place_spread, &v, &r);
		if (ff != c.want_ff || bf != c.want_bf || sp != c.want_spread)
			fprintf(stderr, "\n  case '%s': first-fit %u (want %u), best-fit %u (want %u), spread %u (want %u)\n",
				c.what, ff, c.want_ff, bf, c.want_bf, sp, c.want_spread);
		CU_ASSERT_EQUAL(ff, c.want_ff);
		CU_ASSERT_EQUAL(bf, c.want_bf);
		CU_ASSERT_EQUAL(sp, c.want_spread);
	}
}

/*
 * fgd (Weng et al., ATC '23): the workload is half 4 GiB requests, half 20 GiB ones.  A 4 GiB request
 * on GPU 0 (24 GiB free) leaves 20 GiB: both classes still fit, no fragmentation.  On GPU 1 (22 GiB
 * free) it leaves 18 GiB, which the 20 GiB class cannot use: F = 0.5 x 18 GiB.  Best fit takes GPU 1
 * (least left), fgd must take GPU 0.
 */
static void test_fgd(void)
{
	struct vgs_place_gpu g[2] = { ts_gpu(0, 24.0, 2, 0.0), ts_gpu(1, 22.0, 2, 0.0) };
	struct vgs_place_req classes[2] = { ts_req(4.0), ts_req(20.0) };
	const double share[2] = { 0.5, 0.5 };
	struct vgs_place_view v = view_of(g, 2);
	struct vgs_place_req r = ts_req(4.0);
	struct vgs_place_gpu after = g[1];

	classes[1].cls = 1;
	v.classes = classes;
	v.class_share = share;
	v.nclasses = 2;
	CU_ASSERT_EQUAL(place(&vgs_place_best_fit, &v, &r), 1);
	CU_ASSERT_EQUAL(place(&vgs_place_fgd, &v, &r), 0);
	/* the measure itself: 0 before, 0.5 x 18 GiB after on GPU 1 */
	CU_ASSERT_DOUBLE_EQUAL(vgs_place_frag(&v, &g[1]), 0.0, 1e-12);
	vgs_place_take(&v, &after, &r, 0);
	CU_ASSERT_DOUBLE_EQUAL(vgs_place_frag(&v, &after), 9.0, 1e-9);
	/* Only 20 GiB requests: a 4 GiB one on GPU 1 strands 18 GiB (F = 18), on GPU 0 nothing: fgd keeps
	 * GPU 0.  With only 4 GiB requests nothing is stranded anywhere: the tie goes to best fit. */
	classes[0] = ts_req(20.0);
	CU_ASSERT_EQUAL(place(&vgs_place_fgd, &v, &r), 0);
	classes[1] = ts_req(4.0);
	classes[0] = ts_req(4.0);
	CU_ASSERT_EQUAL(place(&vgs_place_fgd, &v, &r), 1);
}

/* A request that fits nowhere is queued by every built-in, and so is one whose only candidates are
 * draining, of the other kind (MIG), or lack an engine class it needs. */
static void test_queue(void)
{
	struct vgs_place_gpu g[4] = { ts_gpu(0, 3.0, 1, 0.0), ts_gpu(1, 40.0, 10, 0.0), ts_gpu(2, 40.0, 0, 0.0),
				      ts_gpu(3, 40.0, 0, 0.0) };
	struct vgs_place_req r = ts_req(4.0), cls = ts_req(4.0);
	const double share = 1.0;
	struct vgs_place_view v = view_of(g, 4);

	g[2].draining = true;
	g[3].mig = true;
	v.classes = &cls;
	v.class_share = &share;
	v.nclasses = 1;
	for (size_t i = 0; vgs_place_builtins[i]; i++) {
		CU_ASSERT_EQUAL(place(vgs_place_builtins[i], &v, &r), VGS_PLACE_QUEUE);
	}
	/* the same request fits once GPU 2 stops draining: everyone takes it (the only candidate) */
	g[2].draining = false;
	for (size_t i = 0; vgs_place_builtins[i]; i++)
		CU_ASSERT_EQUAL(place(vgs_place_builtins[i], &v, &r), 2);
	/* ... but not when GPU 2 has no compute engine */
	g[2].class_mask = ALL_CLASSES & ~COMPUTE_ONLY;
	for (size_t i = 0; vgs_place_builtins[i]; i++)
		CU_ASSERT_EQUAL(place(vgs_place_builtins[i], &v, &r), VGS_PLACE_QUEUE);
	/* an empty pool */
	v.ngpus = 0;
	for (size_t i = 0; vgs_place_builtins[i]; i++)
		CU_ASSERT_EQUAL(place(vgs_place_builtins[i], &v, &r), VGS_PLACE_QUEUE);
}

/*
 * MIG (A100 40GB, NVIDIA MIG User Guide): 7 compute slices, 8 memory slices; 3g.20gb takes 3 compute
 * and 4 memory slices and may start at memory slice 0 or 4; 1g.5gb takes 1 and 1, at slices 0..6.
 */
static const struct vgs_place_mig a100_mig[] = {
	{ "1g.5gb", 1, 1, 0x7f, 5 * GIB },
	{ "3g.20gb", 3, 4, 0x11, 20 * GIB },
};

static struct vgs_place_gpu mig_gpu(uint32_t id, uint32_t cfree, uint32_t mfree)
{
	return (struct vgs_place_gpu){ .id = id, .class_mask = ALL_CLASSES, .mig = true, .fb_bytes = 40 * GIB,
				       .mig_cslices = 7, .mig_mslices = 8, .mig_cfree = cfree, .mig_mfree = mfree };
}

static void test_mig(void)
{
	struct vgs_place_gpu g[3] = {
		mig_gpu(0, 2, 0xf0),  /* memory slices 4..7 free, but only 2 compute slices */
		mig_gpu(1, 6, 0xee),  /* 1..3 and 5..7 free: no placement of 3g.20gb starts at 0 or 4 */
		mig_gpu(2, 4, 0xf0),  /* 4..7 free, 4 compute slices: 3g.20gb at 4 */
	};
	struct vgs_place_req r = { .class_mask = COMPUTE_ONLY, .mig = 1, .fb_bytes = 20 * GIB }, one = r;
	struct vgs_place_view v = view_of(g, 3);
	uint32_t start = 99;

	v.mig = a100_mig;
	v.nmig = 2;
	CU_ASSERT_FALSE(vgs_place_fits(&v, &g[0], &r, NULL));
	CU_ASSERT_FALSE(vgs_place_fits(&v, &g[1], &r, NULL));
	CU_ASSERT_TRUE(vgs_place_fits(&v, &g[2], &r, &start));
	CU_ASSERT_EQUAL(start, 4);
	for (size_t i = 0; vgs_place_builtins[i]; i++)
		CU_ASSERT_EQUAL(place(vgs_place_builtins[i], &v, &r), 2);
	/* A 1g.5gb fits all three; first-fit takes GPU 0, best-fit the one left with the fewest compute
	 * slices (GPU 0: 1 left), spread the most free capacity among equally idle, tenant-less GPUs (GPU 1). */
	one.mig = 0;
	one.fb_bytes = 5 * GIB;
	CU_ASSERT_EQUAL(place(&vgs_place_first_fit, &v, &one), 0);
	CU_ASSERT_EQUAL(place(&vgs_place_best_fit, &v, &one), 0);
	CU_ASSERT_EQUAL(place(&vgs_place_spread, &v, &one), 1);
	/* A time-sliced request never lands on a MIG GPU, a MIG one never on a time-sliced GPU */
	r = ts_req(4.0);
	for (size_t i = 0; vgs_place_builtins[i]; i++)
		CU_ASSERT_EQUAL(place(vgs_place_builtins[i], &v, &r), VGS_PLACE_QUEUE);
}

static void test_lookup(void)
{
	static const char *const names[] = { "first-fit", "best-fit", "spread", "fgd" };

	for (size_t i = 0; i < 4; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(vgs_place_find(names[i]));
		CU_ASSERT_STRING_EQUAL(vgs_place_find(names[i])->name, names[i]);
	}
	CU_ASSERT_PTR_NULL(vgs_place_find("worst-fit"));
}

static CU_TestInfo tests_placement[] = {
	{ "first-fit, best-fit, spread on time-sliced GPUs", test_time_sliced },
	{ "fgd descends the fragmentation, where best-fit does not", test_fgd },
	{ "a request that fits nowhere is queued", test_queue },
	{ "MIG placements: compute and aligned memory slices", test_mig },
	{ "built-ins by name", test_lookup },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "placement", .pTests = tests_placement })
