/*
 * Live migration at the pool level (docs/pools.md, "Migration"), the same protocol as the command
 * level's (sim/migrate.c) on the quantities a mix run gives:
 *
 *   start      the destination's capacity is reserved; the vGPU's resident VRAM R (its class's mean in
 *              its mix run) is the first round's bytes; while tracked the vGPU runs at (1 - s) of its
 *              rate, s = (R / 2 MiB) x unit_rate x migration.track_us: each unit touches its resident
 *              set once (every access counts as a write), each page's first write of a round a fault;
 *   round k    copies what the previous one left dirty: after a round of T s, min(R, R x rate x T);
 *              it stops when that would copy within migration.downtime_ms, or after max_rounds;
 *   stop-copy  the vGPU pauses (no progress, its SLA unmet) while the rest and the context cross;
 *   resume     it runs on the destination; its source capacity is free.
 *
 * The bytes move as ops.transfer says (SimGrid communications on the pool's platform: sim/pool_run.c)
 * or, without it, in latency + bytes / bandwidth of the route.  Drains (pool.drain) and the policy's
 * rebalance hook start migrations; the pool carries them out.
 */
#include <math.h>

#include "models/pool/pool_priv.h"

#define PAGE_BYTES 2097152.0 /* the 2 MiB pages allocations use (docs/vram.md) */

static void transfer(struct vgs_pool *p, struct pmig *m, double bytes, uint64_t now)
{
	m->round_bytes = bytes;
	m->round_ns = now;
	if (p->ops.transfer) {
		p->ops.transfer(p->ops.user, m->src, m->dst, (uint64_t)llround(bytes), m);
		return;
	}
	vgs_timerheap_push(&p->timers, now + (uint64_t)ceil((m->lat_s + bytes / m->bw_Bps) * 1e9), PEV_XFER, m, 0);
}

void pl_mig_start(struct vgs_pool *p, struct ptenant *t, uint32_t dst, const char *why, uint64_t now)
{
	struct pmig *m = g_new0(struct pmig, 1);
	struct vgs_place_view v = pl_view(p, now);
	struct vgs_place_req r;
	const struct vgs_migration_cfg *mc = &p->s->migration;
	struct pgpu *g = &p->g[t->gpu];

	pl_req(p, t, &r);
	vgs_place_fits(&v, &p->vg[dst], &r, &m->dst_start);
	pl_take(p, dst, t, m->dst_start);
	m->t = t;
	m->src = (uint32_t)t->gpu;
	m->dst = dst;
	m->why = why;
	m->start_ns = now;
	m->resident = t->mc ? t->mc->vram_mb * 1048576.0 : 0;
	p->ops.route(p->ops.route_user, m->src, m->dst, &m->lat_s, &m->bw_Bps);
	g_ptr_array_add(p->migs, m);
	p->migrating++;
	t->migrating = m;
	pl_advance(p, g, now);
	if (t->mc) {
		double s = m->resident / PAGE_BYTES * t->mc->unit_rate * mc->track_ns * 1e-9;

		t->slow = s < 0.9 ? s : 0.9;
	}
	pl_rates(p, g, now);
	transfer(p, m, m->resident, now);
}

/* What the vGPU dirtied during a round of `secs` (each unit touches its resident set once). */
static double dirtied(const struct pmig *m, double secs)
{
	double d = m->resident * pl_rate(m->t) * secs;

	return d < m->resident ? d : m->resident;
}

void pl_mig_step(struct vgs_pool *p, struct pmig *m, uint64_t now)
{
	const struct vgs_migration_cfg *mc = &p->s->migration;
	struct ptenant *t = m->t;
	struct pgpu *src;

	if (!t)
		return; /* it left meanwhile (pl_depart) */
	src = &p->g[m->src];
	if (!m->stop) {
		double dirty = dirtied(m, (double)(now - m->round_ns) * 1e-9);

		m->rounds++;
		m->precopy_bytes += m->round_bytes;
		if ((m->lat_s + dirty / m->bw_Bps) * 1e9 > (double)mc->downtime_ns && m->rounds < mc->max_rounds) {
			transfer(p, m, dirty, now);
			return;
		}
		/* stop-and-copy: the vGPU pauses while the rest and its context cross */
		pl_advance(p, src, now);
		t->paused = true;
		t->slow = 0;
		pl_rates(p, src, now);
		m->stop = 1;
		m->suspend_ns = now;
		m->final_bytes = dirty + (double)mc->context_bytes;
		transfer(p, m, m->final_bytes, now);
		return;
	}
	/* resume on the destination */
	m->resume_ns = now;
	t->paused = false;
	t->migrating = NULL;
	p->migrating--;
	pl_leave(p, t, now);
	t->mig_start = m->dst_start;
	t->migrations++;
	t->downtime_s += (double)(now - m->suspend_ns) * 1e-9;
	pl_join(p, t, m->dst, now);
	pl_retry(p, m->src, now);
}

/* Host h's GPUs take nothing new; each tenant there moves where the policy would place it. */
void pl_drain(struct vgs_pool *p, uint32_t host, uint64_t now)
{
	struct vgs_place_view v = pl_view(p, now);

	for (uint32_t i = 0; i < p->ngpus; i++)
		if (p->g[i].host == host)
			p->vg[i].draining = true;
	for (uint32_t i = 0; i < p->ngpus; i++) {
		GPtrArray *ts;

		if (p->g[i].host != host)
			continue;
		ts = g_ptr_array_copy(p->g[i].tenants, NULL, NULL);
		for (guint k = 0; k < ts->len; k++) {
			struct ptenant *t = ts->pdata[k];
			struct vgs_place_req r;
			uint32_t dst;

			if (t->migrating || t->pin >= 0)
				continue;
			pl_req(p, t, &r);
			dst = p->place.ops->place(&p->place, &v, &r);
			/* Where it would go, if anywhere: a tenant no GPU can take stays until it leaves. */
			if (dst < p->ngpus && dst != i && vgs_place_fits(&v, &p->vg[dst], &r, NULL))
				pl_mig_start(p, t, dst, "drain", now);
		}
		g_ptr_array_free(ts, TRUE);
	}
}

/* The policy's rebalance hook: its moves, each checked (not migrating, another GPU, it fits there). */
void pl_rebalance(struct vgs_pool *p, uint64_t now)
{
	struct vgs_place_view v = pl_view(p, now);
	GPtrArray *run = g_ptr_array_new();
	struct vgs_place_tenant *vt;
	struct vgs_place_move moves[64];
	uint32_t n;

	if (!p->place.ops->rebalance)
		return;
	for (uint32_t i = 0; i < p->ngpus; i++)
		for (guint k = 0; k < p->g[i].tenants->len; k++)
			g_ptr_array_add(run, p->g[i].tenants->pdata[k]);
	vt = g_new0(struct vgs_place_tenant, run->len + 1);
	for (guint k = 0; k < run->len; k++) {
		const struct ptenant *t = run->pdata[k];

		pl_req(p, t, &vt[k].req);
		vt[k].gpu = (uint32_t)t->gpu;
		vt[k].migrating = t->migrating != NULL;
	}
	n = p->place.ops->rebalance(&p->place, &v, vt, run->len, moves, G_N_ELEMENTS(moves));
	for (uint32_t k = 0; k < n && k < G_N_ELEMENTS(moves); k++) {
		struct ptenant *t;

		if (moves[k].tenant >= run->len || moves[k].gpu >= p->ngpus)
			continue;
		t = run->pdata[moves[k].tenant];
		if (t->migrating || t->pin >= 0 || moves[k].gpu == (uint32_t)t->gpu ||
		    !vgs_place_fits(&v, &p->vg[moves[k].gpu], &vt[moves[k].tenant].req, NULL))
			continue;
		pl_mig_start(p, t, moves[k].gpu, "rebalance", now);
	}
	g_free(vt);
	g_ptr_array_free(run, TRUE);
}
