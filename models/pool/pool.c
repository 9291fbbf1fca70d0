/*
 * The pool level's event loop (models/pool/pool.h): arrivals, departures, drains, rebalancing, the
 * transfers of migrations, the fragmentation samples and the end of the run, in time order (ties: in
 * the order they were set, models/driver/timerheap.h).  Same scenario and seed, same mixes: the same
 * decisions and numbers, whatever runs the mixes and moves the bytes.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "models/base/interrupt.h"
#include "models/pool/pool_priv.h"

/* The idle power of GPU g: every engine's idle_w (sim/run.c counts the same per engine). */
static double idle_w(const struct vgs_gpu *g)
{
	double w = 0;

	for (int c = 0; c < VGS_NCLASS; c++)
		w += g->cls[c].count * g->cls[c].idle_w;
	return w;
}

static void view_init(struct vgs_pool *p)
{
	const struct vgs_scenario *s = p->s;
	const struct vgs_pool_cfg *cfg = p->cfg;

	p->vg = g_new0(struct vgs_place_gpu, p->ngpus);
	for (uint32_t i = 0; i < p->ngpus; i++) {
		const struct vgs_gpu *g = &s->gpus[p->g[i].idx];
		struct vgs_place_gpu *v = &p->vg[i];

		v->id = i;
		v->host = p->g[i].host;
		v->kind = g->entry;
		v->mig = g->pool_mig;
		v->fb_bytes = v->fb_free_bytes = g->vram_bytes;
		v->slots = v->slots_free = g->max_vgpus;
		for (int c = 0; c < VGS_NCLASS; c++)
			if (g->route[c] < VGS_NCLASS)
				v->class_mask |= 1u << c;
		if (g->pool_mig && g->mig) {
			v->mig_cslices = v->mig_cfree = g->mig->cslices;
			v->mig_mslices = g->mig->mslices;
			v->mig_mfree = g->mig->mslices >= 32 ? UINT32_MAX : (1u << g->mig->mslices) - 1;
		}
		v->power_w = p->g[i].idle_w;
	}
	p->vmig = g_new0(struct vgs_place_mig, cfg->nmig + 1);
	for (uint32_t i = 0; i < cfg->nmig; i++) {
		p->vmig[i].name = cfg->mig[i].name;
		p->vmig[i].cslices = cfg->mig[i].cslices;
		p->vmig[i].mslices = cfg->mig[i].mslices;
		p->vmig[i].placements = cfg->mig[i].placements;
		p->vmig[i].fb_bytes = cfg->mig[i].fb_bytes;
	}
	p->vclasses = g_new0(struct vgs_place_req, cfg->nclasses + 1);
	p->share = g_new0(double, cfg->nclasses + 1);
	p->arrived_cls = g_new0(uint64_t, cfg->nclasses + 1);
	for (uint32_t c = 0; c < cfg->nclasses; c++) {
		struct vgs_place_req *r = &p->vclasses[c];

		r->id = c;
		r->cls = c;
		r->class_mask = cfg->classes[c].class_mask;
		r->fb_bytes = cfg->classes[c].fb_bytes;
		r->weight = cfg->classes[c].weight;
		r->mig = cfg->classes[c].mig;
		r->demand = p->solo && p->solo[c] ? p->solo[c]->gpu.load : 0;
		p->share[c] = cfg->classes[c].share;
	}
}

int vgs_pool_new(struct vgs_pool **out, const struct vgs_pool_args *a, struct vgs_error *err)
{
	const struct vgs_scenario *s = a->scn;
	struct vgs_pool *p = g_new0(struct vgs_pool, 1);
	uint32_t rank = 0;
	int bad = -1, rc;

	*out = NULL;
	p->s = s;
	p->cfg = s->pool;
	p->ops = a->ops;
	p->solo = a->solo;
	p->w0 = s->warmup_ns;
	p->w1 = s->warmup_ns + s->duration_ns;
	rc = vgs_place_init(&p->place, a->place, a->params, a->nparams, &bad);
	if (rc) {
		if (bad >= 0 && (size_t)bad < p->cfg->nparams && p->cfg->params[bad].line > 0)
			vgs_error_set(err, "%s:%d: %s parameter '%s = %s' for placement policy %s", p->cfg->params[bad].file,
				      p->cfg->params[bad].line, rc == -ENOENT ? "unknown" : "invalid value in",
				      p->cfg->params[bad].key, p->cfg->params[bad].value, a->place->name);
		else if (bad >= 0)
			vgs_error_set(err, "%s: %s parameter '%s' for placement policy %s",
				      bad < (int)p->cfg->nparams ? p->cfg->params[bad].file : "--set",
				      rc == -ENOENT ? "unknown" : "invalid value in", a->params[bad].key, a->place->name);
		else
			vgs_error_set(err, "placement policy %s failed to initialise (error %d)", a->place->name, rc);
		g_free(p);
		return -1;
	}
	/* Every physical GPU of the scenario is a GPU of the pool, numbered as the scenario does. */
	p->g = g_new0(struct pgpu, s->ngpus);
	for (uint32_t i = 0; i < s->ngpus; i++) {
		struct pgpu *g;

		if (s->gpus[i].phys != i)
			continue;
		g = &p->g[p->ngpus++];
		g->idx = i;
		g->entry = s->gpus[i].entry;
		g->host = rank++ / s->interconnect.gpus_per_host;
		g->tenants = g_ptr_array_new();
		g->idle_w = idle_w(&s->gpus[i]);
		g->power_w = g->idle_w;
	}
	p->nhosts = p->ngpus ? p->g[p->ngpus - 1].host + 1 : 0;
	view_init(p);
	g_queue_init(&p->queue);
	vgs_hist_init(&p->qdelay, VGS_HIST_GAMMA);
	p->mixes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	p->estimates = g_ptr_array_new_with_free_func((GDestroyNotify)vgs_mix_entry_free);
	p->misses = g_ptr_array_new_with_free_func((GDestroyNotify)vgs_mix_free);
	p->migs = g_ptr_array_new_with_free_func(g_free);
	p->samples = g_array_new(FALSE, FALSE, sizeof(struct psample));
	pl_requests(p);
	if (p->nt)
		vgs_timerheap_push(&p->timers, p->t[0]->arrival_ns, PEV_ARRIVE, NULL, 0);
	for (uint64_t t = 0; t <= p->w1; t += p->cfg->sample_ns)
		vgs_timerheap_push(&p->timers, t, PEV_SAMPLE, NULL, 0);
	for (uint32_t i = 0; i < p->cfg->ndrains; i++)
		if (p->cfg->drains[i].at_ns < p->w1)
			vgs_timerheap_push(&p->timers, p->cfg->drains[i].at_ns, PEV_DRAIN, &p->cfg->drains[i], 0);
	if (p->cfg->rebalance_ns)
		vgs_timerheap_push(&p->timers, p->cfg->rebalance_ns, PEV_REBALANCE, NULL, 0);
	vgs_timerheap_push(&p->timers, p->w1, PEV_END, NULL, 0);
	*out = p;
	return 0;
}

void vgs_pool_free(struct vgs_pool *p)
{
	if (!p)
		return;
	vgs_place_fini(&p->place);
	for (uint32_t i = 0; i < p->ngpus; i++)
		g_ptr_array_free(p->g[i].tenants, TRUE);
	g_free(p->g);
	g_free(p->vg);
	g_free(p->vmig);
	g_free(p->vclasses);
	g_free(p->share);
	g_free(p->arrived_cls);
	for (size_t i = 0; i < p->nt; i++) {
		g_free(p->t[i]->name);
		g_free(p->t[i]);
	}
	g_free(p->t);
	g_queue_clear(&p->queue);
	vgs_hist_fini(&p->qdelay);
	g_hash_table_destroy(p->mixes);
	g_ptr_array_free(p->estimates, TRUE);
	g_ptr_array_free(p->misses, TRUE);
	g_ptr_array_free(p->migs, TRUE);
	g_array_free(p->samples, TRUE);
	vgs_timerheap_fini(&p->timers);
	g_free(p);
}

void vgs_pool_set_ops(struct vgs_pool *p, void *user,
		      void (*transfer)(void *user, uint32_t a, uint32_t b, uint64_t bytes, void *token),
		      const struct vgs_mix_entry *(*need_mix)(void *user, const struct vgs_mix *m))
{
	p->ops.user = user;
	p->ops.transfer = transfer;
	p->ops.need_mix = need_mix;
}

uint64_t vgs_pool_now(const struct vgs_pool *p)
{
	return p->now;
}

uint64_t vgs_pool_next_ns(const struct vgs_pool *p)
{
	return p->ended ? UINT64_MAX : vgs_timerheap_next(&p->timers);
}

/* Fragmentation, allocation and load now: a row of timeseries.csv. */
static void sample(struct vgs_pool *p, uint64_t now)
{
	struct vgs_place_view v = pl_view(p, now);
	struct psample s = { .t_s = now * 1e-9, .queued = p->queue.length };
	double fb = 0, fb_used = 0, sl = 0, sl_used = 0;

	for (uint32_t i = 0; i < p->ngpus; i++) {
		const struct vgs_place_gpu *g = &p->vg[i];
		double f = vgs_place_frag(&v, g);

		s.running += p->g[i].tenants->len;
		s.load += g->load / p->ngpus;
		s.power_w += p->g[i].power_w;
		if (g->mig) {
			sl += g->mig_cslices;
			sl_used += g->mig_cslices - g->mig_cfree;
			s.stranded_slices += f;
		} else {
			fb += (double)g->fb_bytes;
			fb_used += (double)(g->fb_bytes - g->fb_free_bytes);
			s.stranded_fb_gb += f;
		}
	}
	s.alloc_fb = fb > 0 ? fb_used / fb : NAN;
	s.alloc_slices = sl > 0 ? sl_used / sl : NAN;
	g_array_append_val(p->samples, s);
}

static void arrive(struct vgs_pool *p, uint64_t now)
{
	while (p->next_arrival < p->nt && p->t[p->next_arrival]->arrival_ns <= now) {
		struct ptenant *t = p->t[p->next_arrival++];

		p->arrived++;
		p->arrived_cls[t->cls]++;
		/* The workload a fragmentation-aware policy plans for: the classes' shares of the arrivals. */
		for (uint32_t c = 0; c < p->cfg->nclasses; c++)
			p->share[c] = (double)p->arrived_cls[c] / (double)p->arrived;
		if (!pl_place(p, t, now))
			g_queue_push_tail(&p->queue, t);
	}
	if (p->next_arrival < p->nt)
		vgs_timerheap_push(&p->timers, p->t[p->next_arrival]->arrival_ns, PEV_ARRIVE, NULL, 0);
}

bool vgs_pool_fire(struct vgs_pool *p, uint64_t now)
{
	p->now = now;
	while (!p->ended && vgs_timerheap_next(&p->timers) <= now) {
		struct vgs_timer tm = vgs_timerheap_pop(&p->timers);

		p->events++;
		switch (tm.kind) {
		case PEV_ARRIVE:
			arrive(p, now);
			break;
		case PEV_DEPART: {
			struct ptenant *t = tm.obj;

			if (tm.gen == UINT64_MAX || tm.gen == t->gen)
				pl_depart(p, t, now);
			break;
		}
		case PEV_SAMPLE:
			sample(p, now);
			break;
		case PEV_DRAIN:
			pl_drain(p, ((const struct vgs_pool_drain *)tm.obj)->host, now);
			break;
		case PEV_REBALANCE:
			pl_rebalance(p, now);
			if (now + p->cfg->rebalance_ns < p->w1)
				vgs_timerheap_push(&p->timers, now + p->cfg->rebalance_ns, PEV_REBALANCE, NULL, 0);
			break;
		case PEV_XFER:
			pl_mig_step(p, tm.obj, now);
			break;
		case PEV_END:
			p->ended = true;
			break;
		}
	}
	return !p->ended;
}

void vgs_pool_transfer_done(struct vgs_pool *p, void *token, uint64_t now)
{
	p->now = now;
	pl_mig_step(p, token, now);
}

bool vgs_pool_run(struct vgs_pool *p)
{
	uint64_t t;

	while ((t = vgs_pool_next_ns(p)) != UINT64_MAX) {
		if (vgs_interrupted())
			return false;
		vgs_pool_fire(p, t);
	}
	return true;
}

void vgs_pool_finish(struct vgs_pool *p, uint64_t end)
{
	if (end < p->w1)
		p->w1 = end; /* interrupted: the window ends there */
	for (uint32_t i = 0; i < p->ngpus; i++)
		pl_advance(p, &p->g[i], p->w1);
	p->now = p->w1;
}

const GPtrArray *vgs_pool_misses(const struct vgs_pool *p)
{
	return p->misses;
}

void vgs_pool_mix_counts(const struct vgs_pool *p, uint64_t *distinct, uint64_t *lookups)
{
	*distinct = g_hash_table_size(p->mixes);
	*lookups = p->mix_lookups;
}

void vgs_pool_progress(const struct vgs_pool *p, uint64_t *events, uint64_t *arrived, uint64_t *now)
{
	*events = p->events;
	*arrived = p->arrived;
	*now = p->now;
}
