/*
 * Spatial sharing (docs/spatial.md): the SM pool's contention model alone (models/driver/smpool.c),
 * the spatial policies' admit decisions (policies/mps.c, policies/orion.c), MIG geometry in the
 * scenario loader (models/scenario/mig.c), the trace keys sm= and profile=, the driver model running a
 * spatial domain on a fake platform, and the leakage estimators (models/results/leak.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "models/driver/driver.h"
#include "models/results/leak.h"
#include "models/results/metrics.h"
#include "models/workload/trace.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/drv_loop.h"

/* ---- the contention model ---------------------------------------------------------------------- */

/* A pool of n SMs and bandwidth share bw, on a whole GPU of ref SMs (sigma 0.25, gamma 0.2). */
static struct drv_pool *pool(double n, double bw, double ref)
{
	struct vgs_gpu g = { 0 };

	g.sms = (uint32_t)n;
	g.ref_sms = (uint32_t)ref;
	g.mem_bw_frac = bw;
	g.mem_saturation = 0.25;
	g.compute_mem_use = 0.2;
	g.mig_profile = "test"; /* a pool without a spatial policy: a MIG instance's */
	g.route[VGS_COMPUTE] = VGS_COMPUTE;
	return drv_pool_new(&g, VGS_COMPUTE, false);
}

/*
 * Run the kernels in the pool to completion (no new arrivals): end[owner index] = when each ends, in
 * ns from 0.  Owners are (void *)(i + 1).
 */
static void drain(struct drv_pool *p, double *end)
{
	double now = 0;

	while (p->n) {
		uint32_t first = 0;
		double dt = INFINITY;

		vgs_pool_solve(p);
		for (uint32_t i = 0; i < p->n; i++) {
			double t = p->k[i].rate > 0 ? p->k[i].left / (p->k[i].speed * p->k[i].rate) : INFINITY;

			if (t < dt) {
				dt = t;
				first = i;
			}
		}
		CU_ASSERT_FATAL(isfinite(dt));
		for (uint32_t i = 0; i < p->n; i++)
			p->k[i].left = fmax(0, p->k[i].left - dt * p->k[i].speed * p->k[i].rate);
		now += dt;
		end[(uintptr_t)p->k[first].owner - 1] = now;
		vgs_pool_remove(p, first);
	}
}

static void add(struct drv_pool *p, int i, uint32_t sm, int bound, double work)
{
	vgs_pool_add(p, sm, bound, 0, 0, work, 1.0, (void *)(uintptr_t)(i + 1));
}

/* Two kernels that fit the SMs together and do not contend run in the time of the longer one. */
static void test_fit_no_contention(void)
{
	struct drv_pool *p = pool(108, 1, 108);
	double end[2];

	add(p, 0, 40, VGS_BOUND_COMPUTE, 100e3);
	add(p, 1, 50, VGS_BOUND_COMPUTE, 300e3);
	drain(p, end);
	CU_ASSERT_DOUBLE_EQUAL(end[0], 100e3, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(end[1], 300e3, 1e-6); /* the makespan: the longer one's solo time */
	drv_pool_free(p);
}

/*
 * Two memory-bound kernels that fit the SMs together still share DRAM: each wants y = min(1, (40/108)
 * / 0.25) = 1 of the bandwidth, so both run at 1/2 while together; the shorter (100 us) ends at 200 us,
 * then the other runs alone at full rate: 300 - 100 us of work left, done at 400 us.
 */
static void test_memory_bound_contend(void)
{
	struct drv_pool *p = pool(108, 1, 108);
	double end[2];

	add(p, 0, 40, VGS_BOUND_MEMORY, 100e3);
	add(p, 1, 40, VGS_BOUND_MEMORY, 300e3);
	vgs_pool_solve(p);
	CU_ASSERT_DOUBLE_EQUAL(p->k[0].rate, 0.5, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(p->k[1].rate, 0.5, 1e-12);
	drain(p, end);
	CU_ASSERT_DOUBLE_EQUAL(end[0], 200e3, 1e-6);
	CU_ASSERT_DOUBLE_EQUAL(end[1], 400e3, 1e-6);
	drv_pool_free(p);
}

/* A compute- and a memory-bound kernel: y = 0.2 * 40/108 and 1; together 1.074 > 1, so max-min gives
 * each 1 / 1.074 of its speed. */
static void test_complementary(void)
{
	struct drv_pool *p = pool(108, 1, 108);
	double y = 0.2 * 40.0 / 108.0;

	add(p, 0, 40, VGS_BOUND_COMPUTE, 100e3);
	add(p, 1, 40, VGS_BOUND_MEMORY, 100e3);
	vgs_pool_solve(p);
	CU_ASSERT_DOUBLE_EQUAL(p->k[0].rate, 1 / (1 + y), 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(p->k[1].rate, 1 / (1 + y), 1e-12);
	drv_pool_free(p);
}

/* The MIG rule: alone on an instance of 14 of 108 SMs and 1/8 of the bandwidth, a kernel of the whole
 * GPU's size runs at 14/108 compute-bound, 1/8 memory-bound, the smaller of both when unknown. */
static void test_mig_fraction(void)
{
	static const struct { int bound; double rate; } c[] = {
		{ VGS_BOUND_COMPUTE, 14.0 / 108.0 },
		{ VGS_BOUND_MEMORY, 1.0 / 8.0 },
		{ VGS_BOUND_UNKNOWN, 1.0 / 8.0 },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct drv_pool *p = pool(14, 1.0 / 8.0, 108);

		add(p, 0, 0, c[i].bound, 1e6);
		vgs_pool_solve(p);
		CU_ASSERT_DOUBLE_EQUAL(p->k[0].rate, c[i].rate, 1e-12);
		drv_pool_free(p);
	}
}

/* Leftover SMs: a kernel holding every SM keeps them; the next waits, then gets them when it ends.
 * Freed SMs go to the higher priority level first, then to the oldest. */
static void test_leftover_and_priority(void)
{
	struct drv_pool *p = pool(100, 1, 100);

	add(p, 0, 100, VGS_BOUND_COMPUTE, 1e3);                         /* holds all 100 */
	vgs_pool_add(p, 60, VGS_BOUND_COMPUTE, 0, 0, 1e3, 1.0, (void *)2); /* low, oldest waiting */
	vgs_pool_add(p, 60, VGS_BOUND_COMPUTE, 0, 5, 1e3, 1.0, (void *)3); /* high */
	vgs_pool_solve(p);
	CU_ASSERT_DOUBLE_EQUAL(p->k[0].rate, 1.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(p->k[1].rate, 0.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(p->k[2].rate, 0.0, 1e-12);
	vgs_pool_remove(p, 0); /* the last (high) moves to slot 0 */
	vgs_pool_solve(p);
	CU_ASSERT_PTR_EQUAL(p->k[0].owner, (void *)3);
	CU_ASSERT_DOUBLE_EQUAL(p->k[0].alloc, 60, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p->k[1].alloc, 40, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(p->k[0].rate, 1.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(p->k[1].rate, 40.0 / 60.0, 1e-12);
	drv_pool_free(p);
}

/* An MPS active-thread cap of 54 SMs halves a kernel that wants all 108. */
static void test_mps_cap(void)
{
	struct drv_pool *p = pool(108, 1, 108);

	vgs_pool_add(p, 0, VGS_BOUND_COMPUTE, 54, 0, 1e3, 1.0, (void *)1);
	vgs_pool_solve(p);
	CU_ASSERT_DOUBLE_EQUAL(p->k[0].rate, 0.5, 1e-12);
	drv_pool_free(p);
}

/* ---- spatial policies --------------------------------------------------------------------------- */

struct pdom {
	struct vgs_sched s;
	struct vgs_vgpu v[4];
};

static void pdom_init(struct pdom *d, const char *policy, const int32_t *prio, int n)
{
	struct vgs_sched_args a = { .ops = vgs_policy_find(policy), .max_vgpus = 8 };

	memset(d, 0, sizeof(*d));
	CU_ASSERT_EQUAL_FATAL(vgs_sched_init(&d->s, &a), 0);
	CU_ASSERT_TRUE(vgs_sched_is_spatial(&d->s));
	for (int i = 0; i < n; i++) {
		d->v[i].weight = 1;
		d->v[i].priority = prio[i];
		CU_ASSERT_EQUAL_FATAL(vgs_sched_add(&d->s, &d->v[i]), 0);
	}
}

static struct vgs_kernel kern(struct pdom *d, int v, uint64_t submit, uint32_t sms, int profile, uint64_t work)
{
	return (struct vgs_kernel){ .vgpu = &d->v[v], .submit_ns = submit, .work_ns = work, .sms = sms,
				    .profile = (uint8_t)profile, .cls = VGS_COMPUTE };
}

/* mps: every ready kernel, oldest first, as many as there is room for. */
static void test_mps_admit(void)
{
	static const int32_t prio[] = { 0, 0 };
	struct pdom d;
	uint8_t start[3];

	pdom_init(&d, "mps", prio, 2);
	struct vgs_kernel ready[] = { kern(&d, 0, 1, 80, VGS_KERNEL_COMPUTE, 10), kern(&d, 1, 2, 80, VGS_KERNEL_COMPUTE, 10),
				      kern(&d, 0, 3, 80, VGS_KERNEL_MEMORY, 10) };
	struct vgs_engine_view view = { .sms = 100, .free_sms = 100, .slots = 2, .ready = ready, .nready = 3 };

	CU_ASSERT_EQUAL(vgs_sched_admit(&d.s, &view, 0, start), 2);
	CU_ASSERT(start[0] && start[1] && !start[2]);
	vgs_sched_fini(&d.s);
}

/* max_clients: the 49th MPS client is refused. */
static void test_mps_clients(void)
{
	struct vgs_sched s;
	struct vgs_sched_param p = { "max_clients", "1" };
	struct vgs_sched_args a = { .ops = &vgs_policy_mps, .max_vgpus = 8, .params = &p, .nparams = 1 };
	struct vgs_vgpu v[2] = { { .weight = 1 }, { .weight = 1 } };

	CU_ASSERT_EQUAL_FATAL(vgs_sched_init(&s, &a), 0);
	CU_ASSERT_EQUAL(vgs_sched_add(&s, &v[0]), 0);
	CU_ASSERT(vgs_sched_add(&s, &v[1]) < 0);
	vgs_sched_fini(&s);
}

/*
 * orion: the high-priority vGPU's kernels always go; a best-effort kernel only when it fits the free
 * SMs and complements the running HP kernel's profile; without HP work, best-effort runs freely.
 */
static void test_orion_admit(void)
{
	static const int32_t prio[] = { 1, 0 };
	struct pdom d;
	uint8_t start[4];

	pdom_init(&d, "orion", prio, 2);
	struct vgs_kernel running[] = { kern(&d, 0, 0, 40, VGS_KERNEL_COMPUTE, 100) };
	struct vgs_kernel ready[] = {
		kern(&d, 1, 1, 30, VGS_KERNEL_COMPUTE, 10), /* same profile: waits */
		kern(&d, 1, 2, 30, VGS_KERNEL_MEMORY, 10),  /* complementary, fits: starts */
		kern(&d, 1, 3, 40, VGS_KERNEL_MEMORY, 10),  /* would not fit what is left (60 - 10 - 30): waits */
		kern(&d, 0, 4, 10, VGS_KERNEL_COMPUTE, 10), /* HP: starts, first: its SMs come off the free ones */
	};
	struct vgs_engine_view view = { .sms = 100, .free_sms = 60, .slots = 4, .running = running, .nrunning = 1,
					.ready = ready, .nready = 4 };

	vgs_sched_admit(&d.s, &view, 0, start);
	CU_ASSERT(!start[0] && start[1] && !start[2] && start[3]);
	/* No HP kernel ready or running: best-effort goes, whatever its shape. */
	view.running = NULL;
	view.nrunning = 0;
	view.nready = 3;
	CU_ASSERT_EQUAL(vgs_sched_admit(&d.s, &view, 10, start), 3);
	vgs_sched_fini(&d.s);
}

/* orion's duration budget: once the best-effort work started while HP is active passes it, nothing more
 * starts until that work has completed. */
static void test_orion_budget(void)
{
	static const int32_t prio[] = { 1, 0 };
	struct vgs_sched_param p = { "hp_latency_us", "1000" }; /* budget 2.5 % of 1 ms = 25 us */
	struct vgs_sched_args a = { .ops = &vgs_policy_orion, .max_vgpus = 8, .params = &p, .nparams = 1 };
	struct pdom d;
	uint8_t start[3];

	memset(&d, 0, sizeof(d));
	CU_ASSERT_EQUAL_FATAL(vgs_sched_init(&d.s, &a), 0);
	for (int i = 0; i < 2; i++) {
		d.v[i].weight = 1;
		d.v[i].priority = prio[i];
		CU_ASSERT_EQUAL_FATAL(vgs_sched_add(&d.s, &d.v[i]), 0);
	}
	struct vgs_kernel running[] = { kern(&d, 0, 0, 10, VGS_KERNEL_COMPUTE, 100e3) };
	struct vgs_kernel ready[] = { kern(&d, 1, 1, 10, VGS_KERNEL_MEMORY, 20e3), kern(&d, 1, 2, 10, VGS_KERNEL_MEMORY, 20e3),
				      kern(&d, 1, 3, 10, VGS_KERNEL_MEMORY, 20e3) };
	struct vgs_engine_view view = { .sms = 100, .free_sms = 90, .slots = 3, .running = running, .nrunning = 1,
					.ready = ready, .nready = 3 };

	vgs_sched_admit(&d.s, &view, 0, start);
	CU_ASSERT(start[0] && start[1] && !start[2]); /* 20 + 20 us > 25 us: the second one tips it */
	/* Still over budget while the BE kernels run ... */
	struct vgs_kernel run2[] = { running[0], ready[0] };

	view.running = run2;
	view.nrunning = 2;
	view.ready = ready + 2;
	view.nready = 1;
	CU_ASSERT_EQUAL(vgs_sched_admit(&d.s, &view, 5, start), 0);
	/* ... and free again once they completed. */
	view.running = running;
	view.nrunning = 1;
	CU_ASSERT_EQUAL(vgs_sched_admit(&d.s, &view, 30e3, start), 1);
	vgs_sched_fini(&d.s);
}

/* ---- MIG geometry, trace keys -------------------------------------------------------------------- */

static int load_cfg(struct vgs_scenario *s, const char *path, const struct vgs_override *ov, size_t nov,
		    struct vgs_error *err)
{
	struct vgs_load_args a = { .path = path, .overrides = ov, .noverrides = nov };

	return vgs_scenario_load(s, &a, err);
}

static void test_mig_instances(void)
{
	struct vgs_scenario s;
	struct vgs_error err = { { 0 } };
	static const struct vgs_override two[] = { { "gpus.[0].mig_instances", "(\"2g\", \"1g\", \"1g@3\")" },
						   { "vgpus.[0].count", "3" } };

	CU_ASSERT_EQUAL_FATAL(load_cfg(&s, "tests/e2e/scenarios/mig4.cfg", two, 2, &err), 0);
	CU_ASSERT_EQUAL(s.ngpus, 3);
	CU_ASSERT_STRING_EQUAL(s.gpus[0].name, "sp-0.mig0");
	CU_ASSERT_STRING_EQUAL(s.gpus[0].mig_profile, "2g");
	CU_ASSERT_EQUAL(s.gpus[0].sms, 50);
	CU_ASSERT_EQUAL(s.gpus[0].ref_sms, 100);
	CU_ASSERT_DOUBLE_EQUAL(s.gpus[0].mem_bw_frac, 0.5, 1e-12);
	CU_ASSERT_EQUAL(s.gpus[0].vram_bytes, 8ull << 30);
	CU_ASSERT_EQUAL(s.gpus[1].mig_start, 2); /* first free placement of 1g after the 2g */
	CU_ASSERT_EQUAL(s.gpus[2].mig_start, 3);
	for (uint32_t g = 0; g < 3; g++)
		CU_ASSERT_EQUAL(s.gpus[g].phys, 0); /* one PCIe link */
	/* Each instance its own domain and its own tenant (round-robin). */
	CU_ASSERT_EQUAL(s.ndomains, 3);
	CU_ASSERT_EQUAL(s.tenants[2].gpu, 2);
	/* The echo keeps the geometry the run used. */
	CU_ASSERT_PTR_NOT_NULL(strstr(s.echo, "mig_instances"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s.echo, "placements"));
	vgs_scenario_fini(&s);
	/* A run that uses neither MIG nor a spatial policy does not echo the profile's spatial groups. */
	CU_ASSERT_EQUAL_FATAL(load_cfg(&s, "tests/e2e/scenarios/spatial.cfg",
				       (const struct vgs_override[]){ { "scheduler.policy", "\"timeslice\"" } }, 1, &err), 0);
	CU_ASSERT_FALSE(s.spatial);
	CU_ASSERT_PTR_NULL(strstr(s.echo, "placements"));
	CU_ASSERT_PTR_NULL(strstr(s.echo, "sms"));
	vgs_scenario_fini(&s);
}

static void test_mig_errors(void)
{
	static const struct { const char *value, *want; } c[] = {
		{ "(\"4g\", \"1g\")", "1g does not fit" },
		{ "(\"2g@1\")", "valid placements (first memory slice): 0 (memory slices 0-1), 2 (memory slices 2-3)" },
		{ "(\"3g\")", "no MIG profile '3g' on sp; its profiles: 1g, 2g, 4g" },
		{ "(\"2g\", \"2g\", \"1g\")", "1g does not fit" },
	};
	struct vgs_scenario s;
	struct vgs_error err = { { 0 } };

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct vgs_override o = { "gpus.[0].mig_instances", c[i].value };

		CU_ASSERT_EQUAL(load_cfg(&s, "tests/e2e/scenarios/mig4.cfg", &o, 1, &err), -1);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, c[i].want));
	}
	/* In a file: file:line of the instance. */
	CU_ASSERT_EQUAL(load_cfg(&s, "tests/e2e/bad/mig-placement.cfg", NULL, 0, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "tests/e2e/bad/mig-placement.cfg:6: "));
	/* An equal split: the largest profile that fits n times. */
	CU_ASSERT_EQUAL_FATAL(load_cfg(&s, "tests/e2e/scenarios/spatial.cfg", NULL, 0, &err), 0);
	char *two = vgs_mig_equal_split(s.gpus[0].mig, 2), *five = vgs_mig_equal_split(s.gpus[0].mig, 5);

	CU_ASSERT_STRING_EQUAL(two, "(\"2g\", \"2g\")");
	CU_ASSERT_PTR_NULL(five);
	g_free(two);
	vgs_scenario_fini(&s);
}

static void test_trace_keys(void)
{
	char path[] = "/tmp/vgs-test-spatial-XXXXXX";
	struct vgs_trace *t = NULL;
	struct vgs_error err = { { 0 } };
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("#vgpusim-trace 1\nseq class stream work_ns bytes dir deps gap_ns unit flags start_ns end_ns\n"
	      "0 compute 0 100 0 - - 0 0 B 0 100 sm=98 profile=compute\n"
	      "1 compute 0 100 0 - 0 0 0 E 100 200 profile=memory\n", f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(vgs_trace_load(path, NULL, &t, &err), 0);
	CU_ASSERT_EQUAL(t->cmds[0].sm, 98);
	CU_ASSERT_EQUAL(t->cmds[0].bound, VGS_BOUND_COMPUTE);
	CU_ASSERT_EQUAL(t->cmds[1].sm, 0);
	CU_ASSERT_EQUAL(t->cmds[1].bound, VGS_BOUND_MEMORY);
	CU_ASSERT_EQUAL(t->end_ns[1], 200); /* the recorded times are still the columns before the keys */
	vgs_trace_free(t);
	f = fopen(path, "w");
	fputs("#vgpusim-trace 1\nseq class stream work_ns bytes dir deps gap_ns unit flags\n"
	      "0 compute 0 100 0 - - 0 0 BE sm=many\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(vgs_trace_load(path, NULL, &t, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ":3: attribute 'sm'"));
	unlink(path);
}

/* ---- a spatial domain in the shared driver model ---------------------------------------------------- */

struct sfake {
	struct drv d;
	uint64_t now;
	unsigned overlap;          /* starts while another tenant's kernel ran on the engine */
	uint64_t done[4];
};

static uint64_t sf_now(struct drv *d)
{
	return ((struct sfake *)d)->now;
}

static void sf_start(struct drv *d, struct drv_chan *ch, uint64_t now)
{
	struct sfake *f = (struct sfake *)d;
	struct drv_engine *e = ch->engine;

	for (uint32_t k = 0; k < e->nchan; k++)
		if (&e->chans[k] != ch && e->chans[k].state == DRV_CHAN_BUSY && e->chans[k].cmd->tenant != ch->cmd->tenant)
			f->overlap++;
	if (e->pool) {
		drv_pool_join(ch, now);
		drv_timer_add(d, ch->pool_end_ns, DRV_EV_PLATFORM, ch, ch->gen);
	} else {
		drv_timer_add(d, now + ch->cmd->remaining_ns, DRV_EV_PLATFORM, ch, ch->gen);
	}
}

static void sf_retime(struct drv *d, struct drv_chan *ch, uint64_t now)
{
	drv_timer_add(d, ch->pool_end_ns, DRV_EV_PLATFORM, ch, ++ch->gen);
}

static void sf_timer(struct drv *d, const struct vgs_timer *tm, uint64_t now)
{
	struct drv_chan *ch = tm->obj;

	if (ch->gen != tm->gen || ch->state != DRV_CHAN_BUSY)
		return;
	((struct sfake *)d)->done[ch->cmd->tenant->idx]++;
	drv_chan_done(ch, now);
}

static const struct drv_ops sfake_ops = {
	.now = sf_now, .chan_start = sf_start, .timer = sf_timer, .chan_retime = sf_retime,
};

static void run_spatial(struct sfake *f, const char *policy)
{
	struct vgs_override o = { "scheduler.policy", policy };
	struct vgs_scenario s;
	struct vgs_error err = { { 0 } };

	memset(f, 0, sizeof(*f));
	CU_ASSERT_EQUAL_FATAL(load_cfg(&s, "tests/e2e/scenarios/spatial.cfg", &o, 1, &err), 0);
	CU_ASSERT_EQUAL_FATAL(drv_test_run(&f->d, &s, &sfake_ops, &f->now), 0);
	vgs_scenario_fini(&s);
}

/* Under mps the two tenants' 40-SM kernels run at once, each at full speed (200 ms: 200 kernels each);
 * time-sliced, one tenant at a time, half as many each. */
static void test_driver_spatial(void)
{
	struct sfake f;

	run_spatial(&f, "\"mps\"");
	CU_ASSERT(f.overlap > 100);
	CU_ASSERT(f.done[0] >= 199 && f.done[0] <= 201);
	CU_ASSERT(f.done[1] >= 199 && f.done[1] <= 201);
	run_spatial(&f, "\"timeslice\"");
	CU_ASSERT_EQUAL(f.overlap, 0);
	CU_ASSERT(f.done[0] + f.done[1] <= 201);
}

/* ---- leakage ----------------------------------------------------------------------------------------- */

static void test_leak_estimators(void)
{
	enum { N = 4000 };
	struct vgs_leak_obs *o = g_new(struct vgs_leak_obs, N);
	struct vgs_leak r;

	/* The latency is the bit, half the time each: everything leaks, one bit per observation (the
	 * Miller-Madow term adds 1 / (2 N ln 2)). */
	for (int i = 0; i < N; i++) {
		o[i].bit = (uint8_t)(i % 2);
		o[i].value = o[i].bit ? 5000 + i % 17 : 1000 + i % 13;
	}
	vgs_leak_estimate(o, N, &r);
	CU_ASSERT_DOUBLE_EQUAL(r.accuracy, 1.0, 1e-12);
	CU_ASSERT_DOUBLE_EQUAL(r.mi_plugin_bits, 1.0, 1e-9);
	CU_ASSERT_DOUBLE_EQUAL(r.mi_bits, 1.0 + 1.0 / (2.0 * N * log(2.0)), 1e-9);
	/* A constant latency (MIG's isolation): the majority guess, 0 bits. */
	for (int i = 0; i < N; i++)
		o[i].value = 1234;
	vgs_leak_estimate(o, N, &r);
	CU_ASSERT_EQUAL(r.bins, 1);
	CU_ASSERT_DOUBLE_EQUAL(r.mi_bits, 0.0, 1e-12);
	CU_ASSERT(fabs(r.accuracy - 0.5) < 4 * r.accuracy_sd + fabs(r.p1 - 0.5));
	/* Noise unrelated to the bit: within a coin's spread, and about 0 bits. */
	for (int i = 0; i < N; i++)
		o[i].value = (double)((i * 2654435761u) % 1000);
	vgs_leak_estimate(o, N, &r);
	CU_ASSERT(fabs(r.accuracy - 0.5) < 4 * r.accuracy_sd + fabs(r.p1 - 0.5));
	CU_ASSERT(r.mi_bits < 0.01);
	g_free(o);
}

static CU_TestInfo tests_pool[] = {
	{ "two kernels that fit the SMs run in the time of the longer one", test_fit_no_contention },
	{ "two memory-bound kernels slow each other (bandwidth max-min)", test_memory_bound_contend },
	{ "compute next to memory-bound: the cross term", test_complementary },
	{ "MIG rule: SM fraction, memory fraction, the smaller of both", test_mig_fraction },
	{ "leftover SMs, handed on by priority then age", test_leftover_and_priority },
	{ "MPS active-thread cap", test_mps_cap },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_policies[] = {
	{ "mps: first come first served, up to the slots", test_mps_admit },
	{ "mps: max_clients", test_mps_clients },
	{ "orion: HP always, BE when it fits and complements", test_orion_admit },
	{ "orion: duration budget", test_orion_budget },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo tests_config[] = {
	{ "MIG instances: GPUs of their own", test_mig_instances },
	{ "MIG geometry errors list the placements", test_mig_errors },
	{ "trace keys sm= and profile=", test_trace_keys },
	{ "driver model: a spatial domain runs tenants at once", test_driver_spatial },
	{ "leakage: accuracy and bits per observation", test_leak_estimators },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "SM pool", .pTests = tests_pool }, { .pName = "spatial policies", .pTests = tests_policies },
	       { .pName = "spatial config, driver, leakage", .pTests = tests_config })
