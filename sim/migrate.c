/*
 * Live migration of a vGPU between GPUs in the command-level simulator (docs/pools.md, "Migration"):
 * the `migrations` of a scenario.  Pre-copy, then stop-and-copy:
 *
 *   at_s       dirty tracking starts (every resident page is dirty: sim/vram.c, models/memory/vmem.c);
 *   round k    the dirty bytes are taken (clean from now on) and copied over the route while the vGPU
 *              runs -- and dirties pages again, each first write of a round costing a write fault
 *              (migration.track_us, a stall of the command); the pre-copy stops when what is dirty
 *              would copy within migration.downtime_ms on the route, or after max_rounds;
 *   stop       the vGPU is suspended (drv_tenant_suspend: it submits nothing, none of its commands is
 *              dispatched); its running commands finish (the drain);
 *   stop-copy  the last dirty bytes and the context (migration.context_mb) cross the route;
 *   resume     its pages live in the destination GPU's VRAM (vgs_vmem_rehome), the vGPU joins the
 *              destination's domains with its queued commands (drv_tenant_move), and runs again.
 *
 *   downtime = drain + copy,   copy = route latency + (final dirty bytes + context) / route bandwidth
 *
 * on an idle route (a SimGrid communication alone on its links: CM02 without cross-traffic).  The
 * route (sim/platform.c, sim_route()): PCIe out of the source GPU and into the destination through
 * host memory on one host, NVLink where both profiles have it, and the two hosts' network links
 * between hosts.  The transfers are SimGrid communications, so pre-copy shares the source GPU's
 * PCIe link with its copies.  Migration is the simulator's: the driver model's suspend/move/resume
 * are what an executor would call too, but vgpusim-replay does not move contexts between real GPUs.
 */
#include <math.h>
#include <stdio.h>

#include "sim/sim.h"

enum mig_state { MIG_WAIT, MIG_PRECOPY, MIG_DRAIN, MIG_STOPCOPY, MIG_DONE, MIG_SKIPPED };

struct sim_mig {
	const struct vgs_migration_ev *ev;
	struct drv_tenant *t;
	uint32_t src, dst;
	enum mig_state state;
	struct sim_xfer *xfer;
	sg_mailbox_t mb;
	double lat_s, bw_Bps;        /* the route */
	uint64_t start_ns, suspend_ns, drained_ns, resume_ns;
	uint32_t rounds;
	uint64_t round_bytes, precopy_bytes, final_bytes;
	uint64_t track_at_start_ns;  /* the tenant's tracking stall before this migration */
};

struct sim_migs {
	struct sim_mig *m;
	uint32_t n;
	struct sim_mig **active;     /* per tenant: its migration under way, else NULL */
	GArray **done_ns;            /* per tenant that migrates: its commands' completion times */
	uint64_t *track_ns;          /* per tenant: tracking stall so far */
};

static uint32_t gpu_index(const struct sim *sim, const struct drv_tenant *t)
{
	return (uint32_t)(t->gpu - sim->drv.scn->gpus);
}

void sim_mig_init(struct sim *sim)
{
	const struct vgs_scenario *scn = sim->drv.scn;
	struct sim_migs *ms;

	if (!scn->nmigrations)
		return;
	ms = sim->migs = g_new0(struct sim_migs, 1);
	ms->m = g_new0(struct sim_mig, scn->nmigrations);
	ms->n = scn->nmigrations;
	ms->active = g_new0(struct sim_mig *, scn->ntenants);
	ms->done_ns = g_new0(GArray *, scn->ntenants);
	ms->track_ns = g_new0(uint64_t, scn->ntenants);
	for (uint32_t i = 0; i < ms->n; i++) {
		struct sim_mig *m = &ms->m[i];

		m->ev = &scn->migrations[i];
		m->t = &sim->drv.tenants[m->ev->tenant];
		m->dst = m->ev->gpu;
		if (!ms->done_ns[m->ev->tenant])
			ms->done_ns[m->ev->tenant] = g_array_new(FALSE, FALSE, sizeof(uint64_t));
		drv_timer_add(&sim->drv, m->ev->at_ns, SIM_EV_MIGRATE, m, 0);
	}
}

static void send(struct sim *sim, struct sim_mig *m, uint64_t bytes)
{
	m->round_bytes = bytes;
	sim_mig_xfer_send(m->xfer, m->mb, bytes);
}

/* What is dirty now would copy within the downtime target: time to stop. */
static bool converged(const struct sim *sim, const struct sim_mig *m, uint64_t dirty)
{
	double copy_ns = (m->lat_s + (double)dirty / m->bw_Bps) * 1e9;

	return copy_ns <= (double)sim->drv.scn->migration.downtime_ns || m->rounds >= sim->drv.scn->migration.max_rounds;
}

static void stop_copy(struct sim *sim, struct sim_mig *m, uint64_t now)
{
	m->drained_ns = now;
	m->state = MIG_STOPCOPY;
	m->final_bytes = sim_vram_dirty(sim, m->t, true) + sim->drv.scn->migration.context_bytes;
	send(sim, m, m->final_bytes);
}

/* The migration's start (its timer). */
void sim_mig_timer(struct sim *sim, struct sim_mig *m, uint64_t now)
{
	struct sim_migs *ms = sim->migs;
	struct drv_tenant *t = m->t;

	m->src = gpu_index(sim, t);
	/* A vGPU already moving, gone, or already there is not moved again. */
	if (ms->active[t->idx] || t->stopped || t->suspended || m->src == m->dst) {
		m->state = MIG_SKIPPED;
		return;
	}
	if (!m->xfer) {
		char *host = g_strdup_printf("%s.mig", sim->drv.scn->gpus[sim->drv.scn->gpus[m->src].phys].name);
		char *mb = g_strdup_printf("%s.mig", sim->drv.scn->gpus[sim->drv.scn->gpus[m->dst].phys].name);
		char *name = g_strdup_printf("migrate/%s", t->cfg->name);

		m->xfer = sim_mig_xfer_new(sim, sg_host_by_name(host), name, m);
		m->mb = sg_mailbox_by_name(mb);
		g_free(host);
		g_free(mb);
		g_free(name);
	}
	sim_route(sim->drv.scn, m->src, m->dst, NULL, &m->lat_s, &m->bw_Bps);
	ms->active[t->idx] = m;
	m->state = MIG_PRECOPY;
	m->start_ns = now;
	m->track_at_start_ns = ms->track_ns[t->idx];
	sim_vram_track(sim, t, true);
	send(sim, m, sim_vram_dirty(sim, t, true));
}

void sim_mig_transfer_done(struct sim *sim, struct sim_mig *m, uint64_t now)
{
	struct drv_tenant *t = m->t;

	if (m->state == MIG_PRECOPY) {
		uint64_t dirty = sim_vram_dirty(sim, t, false);

		m->rounds++;
		m->precopy_bytes += m->round_bytes;
		if (!converged(sim, m, dirty)) {
			send(sim, m, sim_vram_dirty(sim, t, true));
			return;
		}
		m->suspend_ns = now;
		m->state = MIG_DRAIN;
		drv_tenant_suspend(t, now);
		if (t->running == 0)
			stop_copy(sim, m, now);
		return;
	}
	/* MIG_STOPCOPY: the vGPU runs on the destination from now on */
	m->resume_ns = now;
	m->state = MIG_DONE;
	sim->migs->active[t->idx] = NULL;
	sim_vram_track(sim, t, false);
	sim_vram_rehome(sim, t, m->dst);
	drv_tenant_move(t, m->dst);
	drv_tenant_resume(t, now);
}

void sim_mig_completed(struct sim *sim, struct drv_tenant *t, uint64_t now, bool dropped)
{
	struct sim_migs *ms = sim->migs;
	struct sim_mig *m;

	if (!ms)
		return;
	if (!dropped && ms->done_ns[t->idx])
		g_array_append_val(ms->done_ns[t->idx], now);
	m = ms->active[t->idx];
	if (m && m->state == MIG_DRAIN && t->running == 0)
		stop_copy(sim, m, now);
}

void sim_mig_track_stall(struct sim *sim, struct drv_tenant *t, uint64_t ns)
{
	if (sim->migs)
		sim->migs->track_ns[t->idx] += ns;
}

/* Completions of t in [a, b). */
static uint64_t count_done(const GArray *done, uint64_t a, uint64_t b)
{
	uint64_t n = 0;

	for (guint i = 0; done && i < done->len; i++) {
		uint64_t x = g_array_index(done, uint64_t, i);

		n += x >= a && x < b;
	}
	return n;
}

static const char *state_name(enum mig_state s)
{
	static const char *const names[] = { "not-started", "pre-copy", "drain", "stop-copy", "done", "skipped" };

	return names[s];
}

/*
 * migrations.csv (docs/pools.md): one row per migration.  precopy_slowdown = 1 - (commands the vGPU
 * completed during the pre-copy) / (commands it completed in as long a time just before it).
 */
int sim_mig_write(struct sim *sim, const char *dir, struct vgs_error *err)
{
	const struct vgs_scenario *scn = sim->drv.scn;
	struct sim_migs *ms = sim->migs;
	char *path;
	FILE *f;
	int bad;

	if (!ms)
		return 0;
	path = g_build_filename(dir, "migrations.csv", NULL);
	f = fopen(path, "w");
	g_free(path);
	if (!f) {
		vgs_error_set(err, "cannot write migrations.csv in %s", dir);
		return -1;
	}
	fputs("vgpu,from,to,status,start_s,precopy_ms,rounds,precopy_mb,final_mb,context_mb,drain_ms,copy_ms,"
	      "downtime_ms,route_latency_us,route_gbps,track_stall_ms,cmds_before,cmds_during,precopy_slowdown\n", f);
	for (uint32_t i = 0; i < ms->n; i++) {
		const struct sim_mig *m = &ms->m[i];
		bool done = m->state == MIG_DONE;
		uint64_t pre = m->suspend_ns > m->start_ns ? m->suspend_ns - m->start_ns : 0;
		uint64_t before = m->start_ns >= pre ? count_done(ms->done_ns[m->t->idx], m->start_ns - pre, m->start_ns) : 0;
		uint64_t during = count_done(ms->done_ns[m->t->idx], m->start_ns, m->suspend_ns);

		fprintf(f, "%s,%s,%s,%s,", m->t->cfg->name, m->state == MIG_WAIT ? "" : scn->gpus[m->src].name,
			scn->gpus[m->dst].name, state_name(m->state));
		/* a migration that never started has no start (not 0) */
		if (m->state != MIG_WAIT && m->state != MIG_SKIPPED)
			fprintf(f, "%.9f", m->start_ns * 1e-9);
		fputc(',', f);
		if (!done) {
			fputs(",,,,,,,,,,,,,\n", f); /* the 14 empty columns after start_s */
			continue;
		}
		fprintf(f, "%.6f,%u,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.3f,%.3f,%.6f,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT ",",
			pre * 1e-6, m->rounds, m->precopy_bytes / 1048576.0, m->final_bytes / 1048576.0,
			scn->migration.context_bytes / 1048576.0, (m->drained_ns - m->suspend_ns) * 1e-6,
			(m->resume_ns - m->drained_ns) * 1e-6, (m->resume_ns - m->suspend_ns) * 1e-6, m->lat_s * 1e6,
			m->bw_Bps / 1e9, (ms->track_ns[m->t->idx] - m->track_at_start_ns) * 1e-6, before, during);
		if (before)
			fprintf(f, "%.6f\n", 1.0 - (double)during / (double)before);
		else
			fputs("\n", f);
	}
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		vgs_error_set(err, "cannot write migrations.csv in %s", dir);
		return -1;
	}
	return 0;
}

void sim_mig_free(struct sim *sim)
{
	struct sim_migs *ms = sim->migs;

	if (!ms)
		return;
	for (uint32_t i = 0; i < ms->n; i++)
		sim_mig_xfer_free(ms->m[i].xfer);
	for (uint32_t i = 0; i < sim->drv.scn->ntenants; i++)
		if (ms->done_ns[i])
			g_array_free(ms->done_ns[i], TRUE);
	g_free(ms->done_ns);
	g_free(ms->active);
	g_free(ms->track_ns);
	g_free(ms->m);
	g_free(ms);
	sim->migs = NULL;
}
