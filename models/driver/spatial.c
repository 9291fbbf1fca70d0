/*
 * Spatial domains (models/driver/driver.h, docs/spatial.md): a domain whose policy has the admit hook
 * (policies/vgs_policy.h) shares its engines among all its vGPUs at once, as the MPS server does --
 * no owner, no slices, no context switches.  Whenever it is stepped (a kernel became ready, one
 * completed), each of its engines with idle channels offers the policy the kernels every vGPU could
 * start there (at most as many per vGPU as its own streams may still run: the class's `channels`,
 * oldest submission first) and the kernels running there, and starts the ones the policy admits.
 * How the running kernels then share the engine is its SM pool's (smpool.c); engines without one
 * (copy engines, codecs) run one command per channel, each at full speed, as ever.
 *
 * A vGPU's share of a spatial domain is the busy time of its commands there (release() in chan.c),
 * as a time-sliced domain counts the time a vGPU held it.  O(ready + running) per engine and step.
 */
#include <stdlib.h>

#include "models/driver/driver.h"

/* A ready kernel and the ring link of its command, sorted together. */
struct cand {
	struct vgs_kernel k;
	struct drv_cmd *link;
};

struct drv_spatial {
	struct vgs_kernel *run, *ready;
	struct drv_cmd **link;      /* the command of each ready kernel */
	uint8_t *start;
	uint32_t *count;           /* per domain tenant: kernels running on the engine */
	uint32_t cap_run, cap_ready;
};

uint32_t drv_spatial_per_tenant(const struct drv_engine *e)
{
	return e->cls->channels ? e->cls->channels : 1;
}

void drv_spatial_free(struct drv_domain *d)
{
	struct drv_spatial *sp = d->sp;

	if (!sp)
		return;
	g_free(sp->run);
	g_free(sp->ready);
	g_free(sp->link);
	g_free(sp->start);
	g_free(sp->count);
	g_free(sp);
	d->sp = NULL;
}

/* The index of tenant t in d (d->tenants[j] == t). */
static uint32_t tenant_slot(const struct drv_domain *d, const struct drv_tenant *t)
{
	for (uint32_t k = 0; k < t->ndomains; k++)
		if (t->dom[k].d == d)
			return t->dom[k].vi;
	return 0;
}

/* What the policy sees of cmd on engine e. */
static void kernel_of(const struct drv_domain *d, const struct drv_engine *e, const struct drv_cmd *cmd,
		      uint64_t work_ns, struct vgs_kernel *k)
{
	struct vgs_vgpu *v = &d->vgpus[tenant_slot(d, cmd->tenant)];

	k->vgpu = v;
	k->submit_ns = cmd->submit_ns;
	k->work_ns = work_ns;
	k->stream = cmd->c.stream;
	k->profile = cmd->c.bound;
	k->cls = cmd->c.cls;
	k->sms = 0;
	if (e->pool) {
		double sms, bw;

		vgs_pool_demand(e->pool, cmd->c.sm, cmd->c.bound, &sms, &bw);
		k->sms = (uint32_t)sms;
		if (k->sms > e->pool->sms)
			k->sms = (uint32_t)e->pool->sms;
		if (v->sm_cap && k->sms > v->sm_cap)
			k->sms = v->sm_cap;
	}
}

static void grow(struct drv_spatial *sp, uint32_t run, uint32_t ready)
{
	if (run > sp->cap_run) {
		sp->cap_run = run * 2;
		sp->run = g_renew(struct vgs_kernel, sp->run, sp->cap_run);
	}
	if (ready > sp->cap_ready) {
		sp->cap_ready = ready * 2;
		sp->ready = g_renew(struct vgs_kernel, sp->ready, sp->cap_ready);
		sp->link = g_renew(struct drv_cmd *, sp->link, sp->cap_ready);
		sp->start = g_renew(uint8_t, sp->start, sp->cap_ready);
	}
}

/* Oldest submission first; ties: lower vGPU id, then earlier in its ring (kept by the stable order). */
static int by_submit(const void *a, const void *b)
{
	const struct vgs_kernel *x = a, *y = b;

	if (x->submit_ns != y->submit_ns)
		return x->submit_ns < y->submit_ns ? -1 : 1;
	if (x->vgpu->id != y->vgpu->id)
		return x->vgpu->id < y->vgpu->id ? -1 : 1;
	return x->stream < y->stream ? -1 : x->stream > y->stream;
}

/* Collect e's ready kernels into sp->ready (links in sp->link, same order after sorting). */
static uint32_t collect_ready(struct drv_domain *d, struct drv_engine *e, struct drv_spatial *sp)
{
	uint32_t n = 0, per = drv_spatial_per_tenant(e);

	for (uint32_t j = 0; j < d->ntenants; j++) {
		struct drv_ring *q = &d->tenants[j]->ring[e->cfg->cls];
		uint32_t allow = per > sp->count[j] ? per - sp->count[j] : 0;

		for (struct drv_cmd *l = q->head; l && allow; l = l->next) {
			if (!drv_cmd_startable(l))
				continue;
			grow(sp, 0, n + 1);
			kernel_of(d, e, l, l->remaining_ns, &sp->ready[n]);
			sp->link[n++] = l;
			allow--;
		}
	}
	if (n > 1) {
		/* Sort kernel and link together (struct cand starts with the kernel: by_submit applies). */
		struct cand *tmp = g_new(struct cand, n);

		for (uint32_t i = 0; i < n; i++) {
			tmp[i].k = sp->ready[i];
			tmp[i].link = sp->link[i];
		}
		qsort(tmp, n, sizeof(*tmp), by_submit);
		for (uint32_t i = 0; i < n; i++) {
			sp->ready[i] = tmp[i].k;
			sp->link[i] = tmp[i].link;
		}
		g_free(tmp);
	}
	return n;
}

/* Offer engine e's ready kernels to the policy and start the admitted ones; true when any started. */
static bool admit_engine(struct drv_domain *d, uint32_t ei, struct drv_spatial *sp, uint64_t now)
{
	struct drv_engine *e = d->engines[ei];
	struct vgs_engine_view view = { .engine = ei };
	uint32_t nrun = 0, want = 0, nready, k = 0;
	bool moved = false;

	if (e->busy >= e->nchan)
		return false;
	grow(sp, e->nchan, 0);
	for (uint32_t j = 0; j < d->ntenants; j++)
		sp->count[j] = 0;
	for (uint32_t c = 0; c < e->nchan; c++) {
		const struct drv_chan *ch = &e->chans[c];

		if (ch->state == DRV_CHAN_IDLE)
			continue;
		kernel_of(d, e, ch->cmd, drv_pool_left_ns(ch, now), &sp->run[nrun]);
		sp->count[tenant_slot(d, ch->cmd->tenant)]++;
		if (ch->pool_slot == DRV_POOL_NONE) /* not in the pool yet: what it will want */
			want += sp->run[nrun].sms;
		nrun++;
	}
	nready = collect_ready(d, e, sp);
	if (!nready)
		return false;
	if (e->pool) {
		double held = e->pool->free_sms - want;

		view.sms = (uint32_t)e->pool->sms;
		view.free_sms = held > 0 ? (uint32_t)held : 0;
	}
	view.slots = e->nchan - e->busy;
	view.running = sp->run;
	view.nrunning = nrun;
	view.ready = sp->ready;
	view.nready = nready;
	if (!vgs_sched_admit(&d->sched, &view, now, sp->start))
		return false;
	for (uint32_t i = 0; i < nready; i++) {
		struct drv_tenant *t;
		struct drv_cmd *cmd;

		if (!sp->start[i])
			continue;
		while (e->chans[k].state != DRV_CHAN_IDLE)
			k++;
		cmd = sp->link[i];
		t = cmd->tenant;
		drv_ring_remove(&t->ring[e->cfg->cls], cmd);
		drv_chan_assign(&e->chans[k], cmd, now);
		sp->count[tenant_slot(d, t)] |= 1u << 31; /* mark the tenant: its ready work changed */
		moved = true;
	}
	return moved;
}

void drv_spatial_step(struct drv_domain *d, uint64_t now)
{
	struct drv_spatial *sp = d->sp;

	if (!sp) {
		sp = d->sp = g_new0(struct drv_spatial, 1);
		sp->count = g_new0(uint32_t, d->ntenants ? d->ntenants : 1);
	}
	for (uint32_t ei = 0; ei < d->nengines; ei++) {
		if (!admit_engine(d, ei, sp, now))
			continue;
		for (uint32_t j = 0; j < d->ntenants; j++) {
			struct drv_tenant *t = d->tenants[j];

			if (!(sp->count[j] & (1u << 31)))
				continue;
			if (t->waiting_space)
				drv_run_tenant(t);
			drv_tenant_update_ready(t, now);
		}
	}
}
