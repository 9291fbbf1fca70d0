/*
 * The pool level's mechanism (models/pool/pool_priv.h): placing a request where its policy says,
 * departures, what each GPU's tenant mix makes of its tenants -- rates, busy time, power, SLA -- and
 * the accounting between events.
 *
 * Accounting.  Between two events nothing changes on a GPU, so every quantity is a rate times the
 * time: a tenant does unit_rate x (1 - slow) units per second (slow: the dirty tracking of a migration
 * under way; 0 while its stop-and-copy pauses it), busy[c] channel-seconds per second of engine class
 * c, and is attributed power_w; the GPU draws its mix's power (idle power when empty; a MIG GPU: its
 * instances' mixes plus the idle share of its free slices), the part no tenant is attributed being
 * unattributed energy.  So the tenants' busy time adds up to the GPUs', and their energy plus the
 * unattributed energy to the pool's (metering.csv, tests/e2e/pools.py).  Everything but a tenant's
 * progress is counted over the measured window only.
 */
#include <math.h>
#include <string.h>

#include "models/pool/pool_priv.h"

/*
 * When capacity frees up on a GPU, the queued requests are looked at oldest first, at most RETRY_SCAN
 * of them: each that now fits that GPU (the only one whose capacity grew) is offered to the policy,
 * at most RETRY_MAX of them.  So an event costs O(1) policy calls however long the queue, and a queue
 * is served first come, first served among the requests that fit.
 */
#define RETRY_SCAN 1024
#define RETRY_MAX 64

static double clip_s(const struct vgs_pool *p, uint64_t a, uint64_t b)
{
	uint64_t lo = a > p->w0 ? a : p->w0, hi = b < p->w1 ? b : p->w1;

	return hi > lo ? (double)(hi - lo) * 1e-9 : 0.0;
}

double pl_rate(const struct ptenant *t)
{
	return t->paused || !t->mc ? 0.0 : t->mc->unit_rate * (1.0 - t->slow);
}

static double alloc_frac(const struct vgs_place_gpu *v)
{
	if (v->mig)
		return v->mig_cslices ? 1.0 - (double)v->mig_cfree / v->mig_cslices : 0.0;
	return v->fb_bytes ? 1.0 - (double)v->fb_free_bytes / (double)v->fb_bytes : 0.0;
}

void pl_advance(struct vgs_pool *p, struct pgpu *g, uint64_t now)
{
	double w = clip_s(p, g->last_ns, now);

	if (now <= g->last_ns)
		return;
	g->energy_j += g->power_w * w;
	g->unattributed_j += (g->power_w - g->tenant_w) * w;
	for (int c = 0; c < VGS_NCLASS; c++)
		g->busy_s[c] += g->busy[c] * w;
	g->load_s += g->load * w;
	g->alloc_s += alloc_frac(&p->vg[g - p->g]) * w;
	g->tenants_s += g->tenants->len * w;
	for (guint i = 0; i < g->tenants->len; i++) {
		struct ptenant *t = g->tenants->pdata[i];
		double tw = clip_s(p, t->last_ns, now);
		const struct vgs_req_class *rc = &p->cfg->classes[t->cls];

		t->units_done += pl_rate(t) * (double)(now - t->last_ns) * 1e-9;
		t->units_w += pl_rate(t) * tw;
		t->last_ns = now;
		t->run_s += tw;
		if (rc->sla.latency_ns || rc->sla.fps > 0)
			t->sla_s += tw;
		if (t->paused || !t->mc)
			continue; /* a stop-and-copy: down, its SLA not met */
		for (int c = 0; c < VGS_NCLASS; c++)
			t->busy_s[c] += t->mc->busy[c] * (1.0 - t->slow) * tw;
		t->energy_j += t->mc->power_w * tw;
		if (isfinite(t->mc->sla_frac))
			t->sla_met_s += t->mc->sla_frac * tw;
		if (isfinite(t->mc->lat_p99_ms))
			t->lat_p99_s += t->mc->lat_p99_ms * tw;
		if (isfinite(t->mc->lat_p50_ms))
			t->lat_p50_s += t->mc->lat_p50_ms * tw;
	}
	g->last_ns = now;
}

/* ---- mixes ------------------------------------------------------------------------------------ */

/* The idle power of a GPU of gpus entry `entry`. */
static double entry_idle_w(const struct vgs_pool *p, uint32_t entry)
{
	for (uint32_t i = 0; i < p->ngpus; i++)
		if (p->g[i].entry == entry)
			return p->g[i].idle_w;
	return 0;
}

/*
 * A mix nobody ran yet, estimated from its classes' solo runs: alone each would keep its GPU's
 * busiest engine class busy a fraction d_i of the time; together they get min(1, 1 / sum d_i) of
 * their solo rates.  Only the discovery passes of sim/cmd_pool.c ever use it: every mix the final pass
 * meets is run.
 */
static struct vgs_mix_entry *estimate(const struct vgs_pool *p, const struct vgs_mix *m)
{
	uint32_t k = 0;
	double d = 0;
	struct vgs_mix_entry *e;

	for (uint32_t i = 0; i < m->n; i++) {
		k += !i || m->cls[i] != m->cls[i - 1];
		d += p->solo && p->solo[m->cls[i]] ? p->solo[m->cls[i]]->gpu.load : 0;
	}
	e = vgs_mix_entry_new(k);
	e->gpu.load = d < 1 ? d : 1;
	e->gpu.power_w = entry_idle_w(p, m->entry);
	k = 0;
	for (uint32_t i = 0; i < m->n; i++) {
		struct vgs_mix_class *c;
		const struct vgs_mix_class *s;
		double f = d > 1 ? 1 / d : 1;

		if (i && m->cls[i] == m->cls[i - 1]) {
			e->res->c[k - 1].n++;
			continue;
		}
		c = &e->res->c[k++];
		c->cls = m->cls[i];
		c->n = 1;
		c->sla_frac = NAN;
		if (!p->solo || !p->solo[m->cls[i]])
			continue;
		s = &p->solo[m->cls[i]]->res->c[0];
		*c = *s;
		c->n = 1;
		c->unit_rate *= f;
		for (int b = 0; b < VGS_NCLASS; b++)
			c->busy[b] *= f;
		c->lat_p50_ms /= f;
		c->lat_p99_ms /= f;
	}
	for (uint32_t j = 0; j < k; j++)
		e->gpu.power_w += e->res->c[j].n * e->res->c[j].power_w;
	return e;
}

const struct vgs_mix_entry *pl_mix_of(struct vgs_pool *p, uint32_t entry, int32_t mig, const uint32_t *cls,
					     uint32_t n)
{
	struct vgs_mix m = { .entry = entry, .mig = mig, .n = n, .cls = (uint32_t *)cls };
	char *name = vgs_mix_name(&m);
	const struct vgs_mix_entry *e = g_hash_table_lookup(p->mixes, name);

	p->mix_lookups++;
	if (e) {
		g_free(name);
		return e;
	}
	e = p->ops.need_mix(p->ops.user, &m);
	if (!e) {
		struct vgs_mix_entry *est = estimate(p, &m);

		g_ptr_array_add(p->estimates, est);
		g_ptr_array_add(p->misses, vgs_mix_copy(&m));
		e = est;
	}
	g_hash_table_insert(p->mixes, name, (gpointer)e);
	return e;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static const struct vgs_mix_class *class_in(const struct vgs_mix_entry *e, uint32_t cls)
{
	for (uint32_t j = 0; j < e->res->nclasses; j++)
		if (e->res->c[j].cls == cls)
			return &e->res->c[j];
	return NULL;
}

/* Reschedule t's departure when it does an amount of work: when it will have done it at its rate. */
static void work_departure(struct vgs_pool *p, struct ptenant *t, uint64_t now)
{
	double left, r;

	if (!t->units)
		return;
	t->gen++;
	left = (double)t->units - t->units_done;
	r = pl_rate(t);
	if (left <= 0)
		vgs_timerheap_push(&p->timers, now, PEV_DEPART, t, t->gen);
	else if (r > 0 && now + left / r * 1e9 < (double)UINT64_MAX / 2)
		vgs_timerheap_push(&p->timers, now + (uint64_t)ceil(left / r * 1e9), PEV_DEPART, t, t->gen);
}

void pl_rates(struct vgs_pool *p, struct pgpu *g, uint64_t now)
{
	const struct vgs_place_gpu *v = &p->vg[g - p->g];
	uint32_t n = g->tenants->len;

	g->power_w = g->idle_w;
	g->load = 0;
	g->mix = NULL;
	if (v->mig) {
		/* each tenant is its own instance, its own mix; the free slices idle */
		g->power_w = v->mig_cslices ? g->idle_w * v->mig_cfree / v->mig_cslices : g->idle_w;
		for (guint i = 0; i < n; i++) {
			struct ptenant *t = g->tenants->pdata[i];
			const struct vgs_mix_entry *e = pl_mix_of(p, g->entry, t->mig, &t->cls, 1);
			uint32_t cs = p->cfg->mig[t->mig].cslices;

			t->mc = class_in(e, t->cls);
			g->power_w += e->gpu.power_w;
			g->load += v->mig_cslices ? e->gpu.load * cs / v->mig_cslices : 0;
		}
	} else if (n) {
		uint32_t *cls = g_new(uint32_t, n);

		for (guint i = 0; i < n; i++)
			cls[i] = ((struct ptenant *)g->tenants->pdata[i])->cls;
		qsort(cls, n, sizeof(*cls), cmp_u32);
		g->mix = pl_mix_of(p, g->entry, -1, cls, n);
		g_free(cls);
		g->power_w = g->mix->gpu.power_w;
		g->load = g->mix->gpu.load;
		for (guint i = 0; i < n; i++) {
			struct ptenant *t = g->tenants->pdata[i];

			t->mc = class_in(g->mix, t->cls);
		}
	}
	memset(g->busy, 0, sizeof(g->busy));
	g->tenant_w = 0;
	for (guint i = 0; i < n; i++) {
		struct ptenant *t = g->tenants->pdata[i];

		if (!t->paused && t->mc) {
			for (int c = 0; c < VGS_NCLASS; c++)
				g->busy[c] += t->mc->busy[c] * (1.0 - t->slow);
			g->tenant_w += t->mc->power_w;
		}
		work_departure(p, t, now);
	}
	pl_sync_view(p, g);
}

void pl_sync_view(struct vgs_pool *p, struct pgpu *g)
{
	struct vgs_place_gpu *v = &p->vg[g - p->g];

	v->load = g->load;
	v->power_w = g->power_w;
}

/* ---- capacity, placement, departures ---------------------------------------------------------- */

void pl_req(const struct vgs_pool *p, const struct ptenant *t, struct vgs_place_req *r)
{
	const struct vgs_req_class *c = &p->cfg->classes[t->cls];

	memset(r, 0, sizeof(*r));
	r->id = t->id;
	r->cls = t->cls;
	r->class_mask = c->class_mask;
	r->fb_bytes = t->mig >= 0 ? p->cfg->mig[t->mig].fb_bytes : t->fb_bytes;
	r->weight = c->weight;
	r->mig = t->mig;
	r->demand = p->solo && p->solo[t->cls] ? p->solo[t->cls]->gpu.load : 0;
	r->arrival_ns = t->arrival_ns;
}

struct vgs_place_view pl_view(struct vgs_pool *p, uint64_t now)
{
	struct vgs_place_view v = {
		.now_ns = now, .gpus = p->vg, .ngpus = p->ngpus, .nhosts = p->nhosts, .mig = p->vmig,
		.nmig = p->cfg->nmig, .classes = p->vclasses, .class_share = p->share, .nclasses = p->cfg->nclasses,
	};

	return v;
}

void pl_take(struct vgs_pool *p, uint32_t gi, const struct ptenant *t, uint32_t start)
{
	struct vgs_place_view v = pl_view(p, 0);
	struct vgs_place_req r;

	pl_req(p, t, &r);
	vgs_place_take(&v, &p->vg[gi], &r, start);
}

void pl_give(struct vgs_pool *p, uint32_t gi, const struct ptenant *t, uint32_t start)
{
	struct vgs_place_gpu *v = &p->vg[gi];

	v->ntenants--;
	if (t->mig < 0) {
		v->slots_free++;
		v->fb_free_bytes += t->fb_bytes;
		return;
	}
	v->mig_cfree += p->cfg->mig[t->mig].cslices;
	for (uint32_t s = 0; s < p->cfg->mig[t->mig].mslices; s++)
		v->mig_mfree |= 1u << (start + s);
}

void pl_join(struct vgs_pool *p, struct ptenant *t, uint32_t gi, uint64_t now)
{
	struct pgpu *g = &p->g[gi];

	pl_advance(p, g, now);
	t->gpu = (int32_t)gi;
	t->state = PT_RUNNING;
	t->last_ns = now;
	g_ptr_array_add(g->tenants, t);
	pl_rates(p, g, now);
}

void pl_leave(struct vgs_pool *p, struct ptenant *t, uint64_t now)
{
	struct pgpu *g = &p->g[t->gpu];

	pl_advance(p, g, now);
	g_ptr_array_remove(g->tenants, t);
	pl_give(p, (uint32_t)t->gpu, t, t->mig_start);
	pl_rates(p, g, now);
}

bool pl_place(struct vgs_pool *p, struct ptenant *t, uint64_t now)
{
	struct vgs_place_view v = pl_view(p, now);
	struct vgs_place_req r;
	uint32_t gi, start;

	pl_req(p, t, &r);
	gi = t->pin >= 0 ? (uint32_t)t->pin : p->place.ops->place(&p->place, &v, &r);
	/* A policy's answer is checked: a GPU that cannot take the request is a "queue". */
	if (gi >= p->ngpus || !vgs_place_fits(&v, &p->vg[gi], &r, &start)) {
		t->state = PT_QUEUED;
		return false;
	}
	vgs_place_take(&v, &p->vg[gi], &r, start);
	t->mig_start = start;
	t->placed_ns = now;
	p->placed++;
	if (t->arrival_ns >= p->w0)
		vgs_hist_add(&p->qdelay, now - t->arrival_ns);
	if (t->duration_ns != VGS_NO_TIME)
		vgs_timerheap_push(&p->timers, now + t->duration_ns, PEV_DEPART, t, UINT64_MAX);
	pl_join(p, t, gi, now);
	return true;
}

void pl_retry(struct vgs_pool *p, uint32_t freed, uint64_t now)
{
	struct vgs_place_view v = pl_view(p, now);
	GList *l = p->queue.head;
	int offered = 0;

	for (int k = 0; l && k < RETRY_SCAN && offered < RETRY_MAX; k++) {
		GList *next = l->next;
		struct vgs_place_req r;

		pl_req(p, l->data, &r);
		if (freed >= p->ngpus || vgs_place_fits(&v, &p->vg[freed], &r, NULL)) {
			offered++;
			if (pl_place(p, l->data, now))
				g_queue_delete_link(&p->queue, l);
		}
		l = next;
	}
}

void pl_depart(struct vgs_pool *p, struct ptenant *t, uint64_t now)
{
	if (t->state != PT_RUNNING)
		return;
	if (t->migrating) {
		/* Its lease ended mid-migration: the destination's reservation goes, the copy is moot. */
		pl_give(p, t->migrating->dst, t, t->migrating->dst_start);
		t->migrating->t = NULL;
		t->migrating = NULL;
		t->paused = false;
		t->slow = 0;
		p->migrating--;
	}
	pl_leave(p, t, now);
	t->state = PT_DONE;
	t->end_ns = now;
	p->completed++;
	pl_retry(p, (uint32_t)t->gpu, now);
}
