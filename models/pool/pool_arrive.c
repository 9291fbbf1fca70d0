/*
 * The requests of a pool run (docs/pools.md, "Requests"), drawn once, before the run, in arrival order:
 *
 *   fixed vGPUs     each `vgpus` entry's count, at 0, never leaving (pinned to their `gpu` if given);
 *   the CSV         requests.csv's rows (models/scenario/pool_req.c), each with its class's workload and
 *                   what its row overrides (duration, units, framebuffer, MIG profile);
 *   the stream      a Poisson process of rate_per_h requests per hour, its rate swinging over the day as
 *                   rate x (1 - diurnal x cos(2 pi t / 24 h)) (lowest at 0: midnight) by thinning
 *                   (Lewis and Shedler, 1979); each request's class drawn by the classes' shares, its
 *                   duration from its class's distribution.  From its own random stream of the seed.
 *
 * Requests that arrive at the same ns keep this order: fixed, CSV, stream.
 */
#include <math.h>
#include <string.h>

#include "models/pool/pool_priv.h"

/* "POOLREQ": the stream of the arrivals (one per purpose, models/base/rng.h). */
#define POOL_RNG 0x504f4f4c52455100ull

static struct ptenant *tenant_new(struct vgs_pool *p, uint32_t cls, uint64_t at)
{
	const struct vgs_req_class *c = &p->cfg->classes[cls];
	struct ptenant *t = g_new0(struct ptenant, 1);

	t->cls = cls;
	t->arrival_ns = at;
	t->placed_ns = t->end_ns = VGS_NO_TIME;
	t->duration_ns = VGS_NO_TIME;
	t->units = c->units;
	t->fb_bytes = c->fb_bytes;
	t->mig = c->mig;
	t->gpu = -1;
	t->pin = -1;
	return t;
}

static void add(GPtrArray *all, struct ptenant *t)
{
	g_ptr_array_add(all, t);
}

static gint by_arrival(gconstpointer a, gconstpointer b)
{
	const struct ptenant *x = *(struct ptenant *const *)a, *y = *(struct ptenant *const *)b;

	if (x->arrival_ns != y->arrival_ns)
		return x->arrival_ns < y->arrival_ns ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

void pl_requests(struct vgs_pool *p)
{
	const struct vgs_pool_cfg *cfg = p->cfg;
	GPtrArray *all = g_ptr_array_new();
	struct vgs_rng rng;
	uint64_t seq = 0;

	vgs_rng_seed(&rng, vgs_rng_derive(p->s->seed, POOL_RNG));
	for (uint32_t c = 0; c < cfg->nclasses; c++) {
		const struct vgs_req_class *rc = &cfg->classes[c];

		for (uint32_t k = 0; rc->fixed && k < rc->count; k++) {
			struct ptenant *t = tenant_new(p, c, 0);

			t->units = 0; /* fixed: it stays */
			t->pin = rc->gpu;
			t->name = rc->count > 1 ? g_strdup_printf("%s-%u", rc->name, k) : g_strdup(rc->name);
			t->id = seq++;
			add(all, t);
		}
	}
	for (size_t i = 0; i < cfg->nrows; i++) {
		const struct vgs_req_row *r = &cfg->rows[i];
		const struct vgs_req_class *rc = &cfg->classes[r->cls];
		struct ptenant *t;

		if (r->arrival_ns >= p->w1)
			continue; /* after the end of the run: never made */
		t = tenant_new(p, r->cls, r->arrival_ns);
		if (r->duration_ns != VGS_NO_TIME)
			t->duration_ns = r->duration_ns;
		else if (rc->has_duration)
			t->duration_ns = vgs_dist_sample_ns(&rc->duration, &rng);
		if (r->units)
			t->units = r->units;
		if (r->fb_bytes)
			t->fb_bytes = r->fb_bytes;
		if (r->mig >= -1)
			t->mig = r->mig;
		if (t->mig >= 0)
			t->fb_bytes = cfg->mig[t->mig].fb_bytes;
		t->name = *r->id ? g_strdup(r->id) : g_strdup_printf("r%zu", i);
		t->id = seq++;
		add(all, t);
	}
	if (cfg->rate_per_s > 0) {
		double lmax = cfg->rate_per_s * (1.0 + cfg->diurnal), t_s = 0;
		uint64_t n = 0;

		for (;;) {
			double u, x, acc = 0;
			uint32_t c = 0;
			struct ptenant *t;

			t_s += vgs_rng_exp(&rng, 1.0 / lmax);
			if (t_s * 1e9 >= (double)p->w1 || (cfg->max_requests && n >= cfg->max_requests))
				break;
			/* thinning: keep it with probability rate(t) / lmax */
			u = vgs_rng_uniform(&rng);
			if (u * lmax > cfg->rate_per_s * (1.0 - cfg->diurnal * cos(2 * M_PI * t_s / 86400.0)))
				continue;
			x = vgs_rng_uniform(&rng);
			for (c = 0; c < cfg->nclasses; c++) {
				acc += cfg->classes[c].share;
				if (x < acc && !cfg->classes[c].fixed)
					break;
			}
			while (c >= cfg->nclasses || cfg->classes[c].fixed || cfg->classes[c].share <= 0)
				c = c >= cfg->nclasses ? 0 : c + 1; /* rounding at the top of the shares */
			t = tenant_new(p, c, (uint64_t)llround(t_s * 1e9));
			if (cfg->classes[c].has_duration)
				t->duration_ns = vgs_dist_sample_ns(&cfg->classes[c].duration, &rng);
			t->name = g_strdup_printf("q%" G_GUINT64_FORMAT, n);
			t->id = seq++;
			add(all, t);
			n++;
		}
	}
	g_ptr_array_sort(all, by_arrival);
	p->nt = all->len;
	p->t = (struct ptenant **)g_ptr_array_free(all, FALSE);
	for (size_t i = 0; i < p->nt; i++)
		p->t[i]->id = i;
}
