/*
 * The host driver model (models/driver/driver.h): building and freeing it, stepping what is on its run
 * list and firing its timers, and closing a run.  The state machines (tenant.c, domain.c, chan.c) put
 * themselves on the run list and set timers through runq.c, so calls go one way: this file steps them,
 * they never call back into it.
 */
#include <math.h>
#include <string.h>

#include "models/driver/driver.h"
#include "models/scenario/policy_load.h"

/* The channels of an SM engine a spatial policy shares: each tenant of its GPU may run its own
 * streams there, up to the device's resident grids. */
static uint32_t spatial_channels(const struct vgs_scenario *scn, const struct drv_engine *e)
{
	uint32_t n = 0, per = e->cls->channels ? e->cls->channels : 1;

	for (uint32_t t = 0; t < scn->ntenants; t++)
		n += scn->tenants[t].gpu == e->cfg->gpu;
	n = n ? n * per : per;
	return n < DRV_SPATIAL_MAX_CHANNELS ? n : DRV_SPATIAL_MAX_CHANNELS;
}

/* A tenant's MPS active-thread cap on the SM engine of domain dm, in SMs (rounded up: at least one). */
static uint32_t sm_cap(const struct drv_domain *dm, const struct vgs_tenant *tc)
{
	if (tc->mps_active_thread_pct >= 100)
		return 0;
	for (uint32_t i = 0; i < dm->nengines; i++)
		if (dm->engines[i]->pool)
			return (uint32_t)ceil(tc->mps_active_thread_pct / 100.0 * dm->engines[i]->pool->sms);
	return 0;
}

/* Per GPU g: its domains, doms[g][0 .. nd[g]), in index order (drv_build). */
struct gpu_index {
	uint32_t *nt, *nd;           /* vGPUs (own tenants + migrations in) and domains of each GPU */
	uint32_t **doms;
};

/*
 * t's vGPU joins every domain of `gpu` (not runnable), as t->members[t->nmembers++]: its tenant view
 * of them, one struct drv_tdom per domain.  Linear in that GPU's domains.  A tenant that never
 * migrates has one member, t->home, and allocates its tdom array only.
 */
static int join_gpu(struct drv *d, struct drv_tenant *t, uint32_t gpu, const struct gpu_index *gx,
		    struct vgs_error *err)
{
	const struct vgs_tenant *tc = t->cfg;
	struct drv_member *mb;

	if (!t->members) {
		t->members = &t->home;
	} else if (t->members == &t->home) {
		t->members = g_new0(struct drv_member, 2);
		t->members[0] = t->home;
	} else {
		t->members = g_renew(struct drv_member, t->members, t->nmembers + 1);
	}
	mb = &t->members[t->nmembers++];
	memset(mb, 0, sizeof(*mb));
	mb->gpu = gpu;
	mb->dom = g_new0(struct drv_tdom, gx->nd[gpu] ? gx->nd[gpu] : 1);
	for (uint32_t kk = 0; kk < gx->nd[gpu]; kk++) {
		struct drv_domain *dm = &d->domains[gx->doms[gpu][kk]];
		struct drv_tdom *td = &mb->dom[mb->ndomains];
		struct vgs_vgpu *v;
		int rc;

		v = &dm->vgpus[dm->ntenants];
		v->weight = tc->weight;
		v->priority = tc->priority;
		v->flags = vgs_workload_latency_sensitive(tc->workload) ? VGS_VGPU_LATENCY_SENSITIVE : 0;
		v->deadline_ns = VGS_SCHED_NO_TIME;
		v->oldest_submit_ns = VGS_SCHED_NO_TIME;
		v->owner = t;
		v->sm_cap = sm_cap(dm, tc);
		rc = vgs_sched_add(&dm->sched, v);
		if (rc) {
			vgs_error_set(err, "policy %s refused vGPU %s (error %d)", dm->sched.ops->name, tc->name, rc);
			return -1;
		}
		dm->tenants[dm->ntenants] = t;
		td->d = dm;
		td->v = v;
		td->vi = dm->ntenants++;
		td->class_mask = dm->class_mask;
		mb->ndomains++;
	}
	return 0;
}

int drv_build(struct drv *d, const struct vgs_scenario *scn, const struct drv_ops *ops, struct vgs_error *err)
{
	const struct vgs_policy_ops *pops = vgs_policy_load_scenario(scn, err);
	struct gpu_index gx = { 0 };
	int rc = -1;

	d->scn = scn;
	d->ops = ops;
	d->end_ns = scn->warmup_ns + scn->duration_ns;
	g_queue_init(&d->yielded);
	d->engines = g_new0(struct drv_engine, scn->nengines);
	d->engine_plat = g_malloc0(scn->nengines * (ops->engine_size ? ops->engine_size : 1));
	d->domains = g_new0(struct drv_domain, scn->ndomains);
	d->tenants = g_new0(struct drv_tenant, scn->ntenants);
	if (!pops)
		return -1; /* a bad parameter is a config error, reported before anything runs */
	/* Per GPU: its tenants and its domains (in index order), so that building is linear in them. */
	gx.nt = g_new0(uint32_t, scn->ngpus + 1);
	gx.nd = g_new0(uint32_t, scn->ngpus + 1);
	gx.doms = g_new0(uint32_t *, scn->ngpus + 1);
	for (uint32_t i = 0; i < scn->ntenants; i++)
		gx.nt[scn->tenants[i].gpu]++;
	/* A live migration's tenant has a vGPU on its destination too (at most one per migration). */
	for (uint32_t m = 0; m < scn->nmigrations; m++)
		gx.nt[scn->migrations[m].gpu]++;
	for (uint32_t i = 0; i < scn->ndomains; i++)
		gx.nd[scn->domains[i].gpu]++;
	for (uint32_t g = 0; g < scn->ngpus; g++) {
		gx.doms[g] = g_new0(uint32_t, gx.nd[g] ? gx.nd[g] : 1);
		gx.nd[g] = 0;
	}
	for (uint32_t i = 0; i < scn->ndomains; i++)
		gx.doms[scn->domains[i].gpu][gx.nd[scn->domains[i].gpu]++] = i;
	for (uint32_t i = 0; i < scn->nengines; i++) {
		struct drv_engine *e = &d->engines[i];

		e->idx = i;
		e->cfg = &scn->engines[i];
		e->cls = &scn->gpus[e->cfg->gpu].cls[e->cfg->cls];
		e->nchan = e->cls->channels ? e->cls->channels : 1;
		e->pool = drv_pool_new(&scn->gpus[e->cfg->gpu], e->cfg->cls, scn->spatial);
		if (e->pool && scn->spatial)
			e->nchan = spatial_channels(scn, e);
		e->plat = (char *)d->engine_plat + i * ops->engine_size;
		e->chans = g_new0(struct drv_chan, e->nchan);
		e->chan_plat = g_malloc0(e->nchan * (ops->chan_size ? ops->chan_size : 1));
		for (uint32_t k = 0; k < e->nchan; k++) {
			e->chans[k].engine = e;
			e->chans[k].index = k;
			e->chans[k].preempt_at_ns = VGS_NO_TIME;
			e->chans[k].plat = (char *)e->chan_plat + k * ops->chan_size;
			e->chans[k].pool_slot = DRV_POOL_NONE;
			e->chans[k].pool_end_ns = VGS_NO_TIME;
		}
	}
	for (uint32_t i = 0; i < scn->ndomains; i++) {
		struct drv_domain *dm = &d->domains[i];
		const struct vgs_domain *dc = &scn->domains[i];

		dm->drv = d;
		dm->idx = i;
		dm->cfg = dc;
		dm->class_mask = dc->class_mask;
		dm->state = D_PICK;
		dm->timer_at = VGS_NO_TIME;
		dm->nengines = dc->nengines;
		dm->engines = g_new0(struct drv_engine *, dc->nengines);
		for (uint32_t k = 0; k < dc->nengines; k++) {
			dm->engines[k] = &d->engines[dc->engines[k]];
			dm->engines[k]->domain = dm;
		}
		dm->tenants = g_new0(struct drv_tenant *, gx.nt[dc->gpu] ? gx.nt[dc->gpu] : 1);
		dm->vgpus = g_new0(struct vgs_vgpu, gx.nt[dc->gpu] ? gx.nt[dc->gpu] : 1);
		if (vgs_policy_sched_init(&dm->sched, pops, scn, dc->gpu, err))
			goto out;
		dm->spatial = vgs_sched_is_spatial(&dm->sched);
		if (dm->spatial)
			dm->state = D_SPATIAL;
		for (uint32_t k = 0; k < dc->nengines; k++)
			dm->engines[k]->shared = dm->spatial || dm->engines[k]->pool;
	}
	for (uint32_t i = 0; i < scn->ntenants; i++) {
		struct drv_tenant *t = &d->tenants[i];
		const struct vgs_tenant *tc = &scn->tenants[i];

		t->drv = d;
		t->idx = i;
		t->cfg = tc;
		t->gpu = &scn->gpus[tc->gpu];
		/* One seed rule for both drivers, so they replay the same command stream. */
		t->wl = vgs_workload_new(tc->workload, vgs_workload_seed(scn->seed, tc->rng_stream));
		vgs_hostq_init(&t->hq);
		t->staged = g_new0(struct drv_cmd *, tc->submit.batch_max ? tc->submit.batch_max : 1);
		t->state = T_NEXT;
		t->deadline_seen = VGS_SCHED_NO_TIME; /* what its vGPUs start with */
		if (join_gpu(d, t, tc->gpu, &gx, err) < 0)
			goto out;
		t->dom = t->members[0].dom;
		t->ndomains = t->members[0].ndomains;
	}
	/* Migration destinations join after every tenant joined its own GPU: the vGPU ids of a scenario
	 * without migrations are what they always were. */
	for (uint32_t m = 0; m < scn->nmigrations; m++) {
		struct drv_tenant *t = &d->tenants[scn->migrations[m].tenant];
		bool known = false;

		for (uint32_t k = 0; k < t->nmembers; k++)
			known |= t->members[k].gpu == scn->migrations[m].gpu;
		if (!known && join_gpu(d, t, scn->migrations[m].gpu, &gx, err) < 0)
			goto out;
	}
	rc = 0;
out:
	for (uint32_t g = 0; gx.doms && g < scn->ngpus; g++)
		g_free(gx.doms[g]);
	g_free(gx.doms);
	g_free(gx.nt);
	g_free(gx.nd);
	return rc;
}

void drv_free(struct drv *d)
{
	const struct vgs_scenario *scn = d->scn;

	if (!scn)
		return;
	for (uint32_t i = 0; d->tenants && i < scn->ntenants; i++) {
		struct drv_tenant *t = &d->tenants[i];

		/* Its commands (queued, staged, being drawn) live in the driver's blocks, freed below. */
		g_free(t->staged);
		if (t->wl)
			vgs_workload_free(t->wl);
		if (t->hq.done)
			vgs_hostq_fini(&t->hq);
		for (uint32_t k = 0; t->members && k < t->nmembers; k++)
			g_free(t->members[k].dom);
		if (t->members != &t->home)
			g_free(t->members);
		t->members = NULL;
		t->dom = NULL;
	}
	for (uint32_t i = 0; d->engines && i < scn->nengines; i++) {
		struct drv_engine *e = &d->engines[i];

		g_free(e->chans);
		g_free(e->chan_plat);
		drv_pool_free(e->pool);
	}
	for (uint32_t i = 0; d->domains && i < scn->ndomains; i++) {
		struct drv_domain *dm = &d->domains[i];

		if (dm->sched.ops)
			vgs_sched_fini(&dm->sched);
		drv_spatial_free(dm);
		g_free(dm->engines);
		g_free(dm->tenants);
		g_free(dm->vgpus);
	}
	g_free(d->engines);
	g_free(d->engine_plat);
	g_free(d->domains);
	g_free(d->tenants);
	vgs_timerheap_fini(&d->timers);
	g_free(d->runq);
	g_queue_clear(&d->yielded);
	if (d->cmd_blocks)
		g_ptr_array_free(d->cmd_blocks, TRUE);
	d->cmd_blocks = NULL;
	d->cmd_free = NULL;
	d->engines = NULL;
	d->engine_plat = NULL;
	d->domains = NULL;
	d->tenants = NULL;
	d->runq = NULL;
}

void drv_run_pending(struct drv *d)
{
	while (d->runq_len) {
		uintptr_t p = drv_runq_pop(d);
		void *obj = (void *)(p & ~(uintptr_t)DRV_RUNQ_TAG_MASK);
		uint64_t now = d->ops->now(d);

		switch (p & DRV_RUNQ_TAG_MASK) {
		case DRV_RUNQ_DOMAIN:
			((struct drv_domain *)obj)->queued = false;
			drv_domain_step(obj, now);
			break;
		case DRV_RUNQ_CHAN: {
			struct drv_chan *ch = obj;

			ch->state = DRV_CHAN_BUSY;
			ch->run_start_ns = now;
			d->ops->chan_start(d, ch, now);
			break;
		}
		default:
			((struct drv_tenant *)obj)->queued = false;
			drv_tenant_step(obj, now);
			break;
		}
	}
}

void drv_fire(struct drv *d, const struct vgs_timer *tm, uint64_t now)
{
	switch (tm->kind) {
	case DRV_EV_TENANT: {
		struct drv_tenant *t = tm->obj;

		if (t->gen == tm->gen)
			drv_tenant_step(t, now);
		break;
	}
	case DRV_EV_DOMAIN: {
		struct drv_domain *dm = tm->obj;

		if (dm->gen == tm->gen) {
			dm->timer_at = VGS_NO_TIME;
			drv_domain_step(dm, now);
		}
		break;
	}
	case DRV_EV_STOP:
		drv_tenant_stop(tm->obj, now);
		break;
	case DRV_EV_WARMUP:
		for (uint32_t i = 0; i < d->scn->ntenants; i++)
			d->tenants[i].dropped_at_warmup = vgs_workload_dropped_units(d->tenants[i].wl);
		if (d->ops->warmup)
			d->ops->warmup(d);
		break;
	default:
		d->ops->timer(d, tm, now);
		break;
	}
}

void drv_start(struct drv *d)
{
	drv_timer_add(d, d->scn->warmup_ns, DRV_EV_WARMUP, NULL, 0);
	for (uint32_t i = 0; i < d->scn->ntenants; i++) {
		struct drv_tenant *t = &d->tenants[i];

		if (d->gpu_active && !d->gpu_active[t->cfg->gpu])
			continue; /* another shard's (sim/shard.c) */
		/* A vGPU with a lifetime (docs/pools.md) starts and stops on timers of its own. */
		if (t->cfg->start_ns > 0)
			drv_timer_add(d, t->cfg->start_ns, DRV_EV_TENANT, t, ++t->gen);
		else
			drv_run_tenant(t);
		if (t->cfg->stop_ns != VGS_NO_TIME)
			drv_timer_add(d, t->cfg->stop_ns, DRV_EV_STOP, t, 0);
	}
	for (uint32_t i = 0; i < d->scn->ndomains; i++)
		if (!d->gpu_active || d->gpu_active[d->scn->domains[i].gpu])
			drv_run_domain(&d->domains[i]);
}

void drv_close(struct drv *d, uint64_t end)
{
	const struct vgs_scenario *scn = d->scn;

	for (uint32_t i = 0; i < scn->nengines; i++) {
		struct drv_engine *e = &d->engines[i];

		/* Busy channels and engines, and the owners' slices. */
		for (uint32_t k = 0; k < e->nchan; k++) {
			struct drv_chan *ch = &e->chans[k];

			if (ch->state != DRV_CHAN_BUSY)
				continue;
			vgs_metrics_busy(d->metrics, ch->cmd->tenant->idx, i, ch->run_start_ns, end);
			if (e->domain->spatial)
				vgs_metrics_slice(d->metrics, e->domain->idx, ch->cmd->tenant->idx, ch->run_start_ns,
						  end, -1);
			if (d->tl)
				vgs_timeline_busy(d->tl, i, k, ch->cmd->tenant->idx, ch->cmd->c.seq, ch->cmd->c.cls,
						  ch->run_start_ns, end);
		}
		if (e->busy)
			vgs_metrics_engine_busy(d->metrics, i, e->busy_since_ns, end);
	}
	for (uint32_t i = 0; i < scn->ndomains; i++) {
		struct drv_domain *dm = &d->domains[i];

		if (!dm->owner)
			continue;
		vgs_metrics_slice(d->metrics, i, dm->owner->idx, dm->slice_start_ns, end, VGS_CHARGE_EXPIRED);
		if (d->tl)
			vgs_timeline_slice_end(d->tl, i, dm->owner->idx, dm->slice_start_ns, end, -1);
	}
	if (d->tl)
		vgs_timeline_stop(d->tl);
	for (uint32_t i = 0; i < scn->ntenants; i++)
		vgs_metrics_units_dropped(d->metrics, i,
					  vgs_workload_dropped_units(d->tenants[i].wl) - d->tenants[i].dropped_at_warmup);
}
