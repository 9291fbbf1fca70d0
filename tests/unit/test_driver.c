/*
 * The host driver model shared by the simulator and the executor (models/driver*.c), driven here by a
 * minimal platform of its own: a simulated clock, and channels that run a command for remaining_ns /
 * speed.  Checked: the owner is the only tenant whose commands start in a domain; one engine never
 * runs two tenants at once; equal weights get equal shares; a hanging tenant is reset by TDR and the
 * other goes on; fine preemption splits a command without losing or adding work; runs are
 * deterministic; device-side waits and the workload's host waits (closed-loop games) hold.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "models/driver/driver.h"
#include "models/results/metrics.h"
#include "tests/unit/cunit_main.h"
#include "tests/unit/drv_loop.h"

enum { EV_END = DRV_EV_PLATFORM, EV_PREEMPT, EV_TDR };

struct fchan {
	uint64_t start, end;
};

struct fake {
	struct drv d;               /* first: ops receive &fake->d */
	uint64_t now;
	uint64_t busy[8];           /* per tenant: ns its commands held a channel */
	GHashTable *ran;            /* (tenant, seq) -> work its earlier pieces ran (time x speed) */
	unsigned work_ok, work_bad; /* completed commands whose pieces add up to their work, or not */
	uint64_t done[8], resets[8], preempts;
	unsigned not_owner, overlap;
	unsigned dev_early;         /* device-side waits started before what they wait for completed */
	unsigned dev_overlap;       /* ... submitted while it still ran: the host did not wait for it */
	uint64_t digest;            /* of every (tenant, seq, start, end), in order */
};

static struct fake *fake_of(struct drv *d)
{
	return (struct fake *)d;
}

static struct fchan *fchan_of(struct drv_chan *ch)
{
	return ch->plat;
}

static uint64_t f_now(struct drv *d)
{
	return fake_of(d)->now;
}

static double speed_of(struct drv *d, struct drv_chan *ch)
{
	return d->scn->gpus[ch->engine->cfg->gpu].cls[ch->cmd->c.cls].speed;
}

static void f_start(struct drv *d, struct drv_chan *ch, uint64_t now)
{
	struct fake *f = fake_of(d);
	struct fchan *fc = fchan_of(ch);
	uint64_t tdr = d->scn->gpus[ch->engine->cfg->gpu].tdr_timeout_ns;
	struct drv_engine *e = ch->engine;

	if (e->domain->owner != ch->cmd->tenant)
		f->not_owner++;
	for (uint32_t k = 0; k < e->nchan; k++) {
		struct drv_chan *o = &e->chans[k];

		if (o != ch && o->state == DRV_CHAN_BUSY && o->cmd->tenant != ch->cmd->tenant)
			f->overlap++;
	}
	if (ch->cmd->c.flags & VGS_CMD_DEVICE_DEPS) {
		for (unsigned i = 0; i < ch->cmd->c.ndeps; i++) {
			uint64_t end;

			if (!drv_tenant_is_done(ch->cmd->tenant, ch->cmd->c.deps[i], &end) || end > now)
				f->dev_early++;
			else if (ch->cmd->submit_ns < end)
				f->dev_overlap++;
		}
	}
	fc->start = now;
	fc->end = now + (uint64_t)ceil((double)ch->cmd->remaining_ns / speed_of(d, ch));
	drv_timer_add(d, fc->end, EV_END, ch, ch->gen);
	if (tdr && fc->end - now > tdr)
		drv_timer_add(d, now + tdr, EV_TDR, ch, ch->gen);
	if (ch->preempt_at_ns != VGS_NO_TIME)
		drv_timer_add(d, ch->preempt_at_ns, EV_PREEMPT, ch, ch->gen);
}

static void f_preempt(struct drv *d, struct drv_chan *ch, uint64_t now)
{
	drv_timer_add(d, ch->preempt_at_ns, EV_PREEMPT, ch, ch->gen);
}

static void account(struct fake *f, struct drv_chan *ch, uint64_t now)
{
	uint32_t t = ch->cmd->tenant->idx;

	f->busy[t] += now - fchan_of(ch)->start;
	f->digest = f->digest * 1000003u ^ (t + 31 * ch->cmd->c.seq) ^ fchan_of(ch)->start ^ (now << 7);
}

static void f_timer(struct drv *d, const struct vgs_timer *tm, uint64_t now)
{
	struct fake *f = fake_of(d);
	struct drv_chan *ch = tm->obj;
	uint32_t t;

	if (ch->gen != tm->gen || ch->state != DRV_CHAN_BUSY)
		return;
	t = ch->cmd->tenant->idx;
	account(f, ch, now);
	gpointer key = GSIZE_TO_POINTER(((gsize)t << 48) | (gsize)ch->cmd->c.seq);
	uint64_t before = GPOINTER_TO_SIZE(g_hash_table_lookup(f->ran, key));

	/* Work is measured by time on the channel, not from the driver's own remaining_ns arithmetic. */
	uint64_t piece = (uint64_t)llround((double)(now - fchan_of(ch)->start) * speed_of(d, ch));

	if (tm->kind == EV_END || now >= fchan_of(ch)->end) {
		if (before + piece == ch->cmd->c.work_ns)
			f->work_ok++;
		else
			f->work_bad++;
		g_hash_table_remove(f->ran, key);
		f->done[t]++;
		drv_chan_done(ch, now);
	} else if (tm->kind == EV_PREEMPT) {
		uint64_t left = drv_remaining_after(ch->engine, ch->cmd, speed_of(d, ch), 0, now - fchan_of(ch)->start);

		g_hash_table_insert(f->ran, key, GSIZE_TO_POINTER(before + piece));
		ch->cmd->remaining_ns = left;
		f->preempts++;
		drv_chan_requeue(ch, now);
	} else {
		f->resets[t]++;
		drv_chan_reset(ch, now);
	}
}

static const struct drv_ops fake_ops = {
	.chan_size = sizeof(struct fchan),
	.now = f_now,
	.chan_start = f_start,
	.chan_preempt = f_preempt,
	.timer = f_timer,
};

/* Load a test scenario (tests/e2e/scenarios/NAME.cfg, run from the repository root) with overrides. */
static void load(struct vgs_scenario *s, const char *name, const struct vgs_override *ov, size_t nov)
{
	char path[256];
	struct vgs_error err = { { 0 } };
	struct vgs_load_args a = { .path = path, .overrides = ov, .noverrides = nov };

	snprintf(path, sizeof(path), "tests/e2e/scenarios/%s.cfg", name);
	CU_ASSERT_EQUAL_FATAL(vgs_scenario_load(s, &a, &err), 0);
}

/* Build, run to the end of the scenario, and free the driver model; the fake keeps the counters. */
static void run(struct fake *f, const struct vgs_scenario *s)
{
	memset(f, 0, sizeof(*f));
	f->ran = g_hash_table_new(g_direct_hash, g_direct_equal);
	CU_ASSERT_EQUAL_FATAL(drv_test_run(&f->d, s, &fake_ops, &f->now), 0);
	g_hash_table_destroy(f->ran);
}

/* Two saturating trainers of equal weight on one engine: the owner alone runs, shares are equal. */
static void test_equal_shares(void)
{
	struct vgs_scenario s;
	struct fake f;

	load(&s, "busy", NULL, 0);
	run(&f, &s);
	CU_ASSERT_EQUAL(f.not_owner, 0);
	CU_ASSERT_EQUAL(f.overlap, 0);
	CU_ASSERT(f.done[0] > 50 && f.done[1] > 50);
	double total = (double)(f.busy[0] + f.busy[1]);

	CU_ASSERT(total > 0.95 * (double)(s.warmup_ns + s.duration_ns));
	CU_ASSERT(fabs((double)f.busy[0] / total - 0.5) < 0.02);
	vgs_scenario_fini(&s);
}

/* TDR: the tenant whose 20 ms frames outlast a 5 ms timeout is reset; the other one goes on. */
static void test_tdr_resets_only_the_hang(void)
{
	struct vgs_override ov[] = { { "gpus.[0].tdr_timeout_ms", "5.0" } };
	struct vgs_scenario s;
	struct fake f;

	load(&s, "hang", ov, 1);
	CU_ASSERT_STRING_EQUAL(s.tenants[0].name, "ok");
	run(&f, &s);
	CU_ASSERT(f.resets[1] > 10);
	CU_ASSERT_EQUAL(f.resets[0], 0);
	CU_ASSERT(f.done[0] > 100);
	CU_ASSERT_EQUAL(f.not_owner, 0);
	vgs_scenario_fini(&s);
}

/* Fine preemption splits 5 ms kernels at 1 ms slices: every command still runs exactly its work. */
static void test_fine_preemption_keeps_work(void)
{
	struct vgs_override ov[] = { { "gpus.[0].engines.gfx.preempt", "\"fine\"" },
				     { "gpus.[0].engines.gfx.preempt_latency_us", "0.0" } };
	struct vgs_scenario s;
	struct fake f;

	load(&s, "busy", ov, 2);
	CU_ASSERT_EQUAL_FATAL(s.gpus[0].cls[VGS_GFX].preempt, VGS_PREEMPT_FINE);
	run(&f, &s);
	CU_ASSERT(f.preempts > 100);
	CU_ASSERT_EQUAL(f.not_owner, 0);
	CU_ASSERT_EQUAL(f.overlap, 0);
	CU_ASSERT_EQUAL(s.gpus[0].cls[VGS_GFX].resume_ns, 0);
	CU_ASSERT(f.work_ok > 50);
	CU_ASSERT_EQUAL(f.work_bad, 0);
	vgs_scenario_fini(&s);
}

static void test_deterministic(void)
{
	struct vgs_scenario s;
	struct fake a, b;

	load(&s, "hang", NULL, 0);
	run(&a, &s);
	run(&b, &s);
	CU_ASSERT(a.digest != 0);
	CU_ASSERT_EQUAL(a.digest, b.digest);
	vgs_scenario_fini(&s);
}

/*
 * Closed-loop games (tests/e2e/scenarios/closedloop.cfg): a venc that waits for its gfx on the device
 * never starts before the gfx completed, and is submitted before it does (the host went on to the next
 * frame); the swap-chain wait (VGS_WL_WAIT) holds the GPU-bound game at its gfx engine's pace, 200
 * frames/s of 5 ms, and the limiter holds the other at 100: two commands a frame over 1.1 s.
 */
static void test_closed_loop(void)
{
	struct vgs_scenario s;
	struct fake f;

	load(&s, "closedloop", NULL, 0);
	run(&f, &s);
	CU_ASSERT_EQUAL(f.dev_early, 0);
	CU_ASSERT(f.dev_overlap > 100);
	CU_ASSERT(f.done[0] >= 2 * 219 && f.done[0] <= 2 * 221);
	CU_ASSERT(f.done[1] >= 2 * 109 && f.done[1] <= 2 * 111);
	vgs_scenario_fini(&s);
}

static CU_TestInfo driver_tests[] = {
	{ "only the owner runs; equal weights, equal shares", test_equal_shares },
	{ "TDR resets only the hanging tenant", test_tdr_resets_only_the_hang },
	{ "fine preemption keeps every command's work", test_fine_preemption_keeps_work },
	{ "same scenario, same events", test_deterministic },
	{ "closed loop: device-side waits, swap-chain waits, limiter", test_closed_loop },
	CU_TEST_INFO_NULL,
};

VGS_CUNIT_MAIN({ .pName = "driver", .pTests = driver_tests })
