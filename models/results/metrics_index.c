/*
 * Who is on which GPU (metrics_internal.h, struct vgs_metrics_index): built once when the metrics are
 * created, so that reports index a tenant's busy and held rows directly and finishing walks each GPU's
 * own tenants, engines and domains -- linear in tenants + engines + domains, never their product.
 */
#include <stdlib.h>

#include "models/results/metrics_internal.h"

/* members[start[g] ..] of GPU g, in index order, from each member's GPU; -1 out of memory. */
static int csr(uint32_t ngpus, uint32_t n, const uint32_t *gpu_of, size_t stride, uint32_t **start,
	       uint32_t **list, uint32_t *local)
{
	uint32_t *fill;

	*start = calloc(ngpus + 2, sizeof(**start));
	*list = calloc(n ? n : 1, sizeof(**list));
	fill = calloc(ngpus + 1, sizeof(*fill));
	if (!*start || !*list || !fill) {
		free(fill);
		return -1;
	}
	for (uint32_t k = 0; k < n; k++) {
		uint32_t g = *(const uint32_t *)((const char *)gpu_of + k * stride);

		(*start)[(g < ngpus ? g : ngpus) + 1]++;
	}
	for (uint32_t g = 0; g <= ngpus; g++)
		(*start)[g + 1] += (*start)[g];
	for (uint32_t k = 0; k < n; k++) {
		uint32_t g = *(const uint32_t *)((const char *)gpu_of + k * stride);

		g = g < ngpus ? g : ngpus;
		if (local)
			local[k] = fill[g];
		(*list)[(*start)[g] + fill[g]++] = k;
	}
	free(fill);
	return 0;
}

void vgs_metrics_index_free(struct vgs_metrics_index *ix)
{
	free(ix->t_start);
	free(ix->t_list);
	free(ix->e_start);
	free(ix->e_list);
	free(ix->d_start);
	free(ix->d_list);
	free(ix->e_local);
	free(ix->d_local);
	free(ix->busy_off);
	free(ix->held_off);
	free(ix->x_slot);
	free(ix->x_list);
}

/* The GPU index of every tenant, engine and domain, and the busy and held rows: linear in them. */
int vgs_metrics_index_build(struct vgs_metrics *m)
{
	const struct vgs_scenario *s = m->s;
	struct vgs_metrics_index *ix = &m->ix;
	size_t nb = 0, nh = 0;

	ix->e_local = calloc(s->nengines ? s->nengines : 1, sizeof(uint32_t));
	ix->d_local = calloc(s->ndomains ? s->ndomains : 1, sizeof(uint32_t));
	ix->busy_off = calloc(s->ntenants ? s->ntenants : 1, sizeof(size_t));
	ix->held_off = calloc(s->ntenants ? s->ntenants : 1, sizeof(size_t));
	if (!ix->e_local || !ix->d_local || !ix->busy_off || !ix->held_off ||
	    csr(s->ngpus, s->ntenants, s->ntenants ? &s->tenants[0].gpu : NULL, sizeof(s->tenants[0]), &ix->t_start,
		&ix->t_list, NULL) ||
	    csr(s->ngpus, s->nengines, s->nengines ? &s->engines[0].gpu : NULL, sizeof(s->engines[0]), &ix->e_start,
		&ix->e_list, ix->e_local) ||
	    csr(s->ngpus, s->ndomains, s->ndomains ? &s->domains[0].gpu : NULL, sizeof(s->domains[0]), &ix->d_start,
		&ix->d_list, ix->d_local))
		return -1;
	for (uint32_t i = 0; i < s->ntenants; i++) {
		uint32_t g = s->tenants[i].gpu < s->ngpus ? s->tenants[i].gpu : s->ngpus;

		ix->busy_off[i] = nb;
		ix->held_off[i] = nh;
		nb += ix->e_start[g + 1] - ix->e_start[g];
		nh += ix->d_start[g + 1] - ix->d_start[g];
	}
	m->busy_t = calloc(nb + 1, sizeof(*m->busy_t));
	m->held_t = calloc(nh + 1, sizeof(*m->held_t));
	if (!m->busy_t || !m->held_t)
		return -1;
	/* The tenants a live migration moves (docs/pools.md) also run on other GPUs: a row over every
	 * engine and domain each, linear in migrations x (engines + domains), none without migrations. */
	if (!s->nmigrations)
		return 0;
	ix->x_slot = malloc(s->ntenants * sizeof(*ix->x_slot) + 1);
	ix->x_list = malloc(s->nmigrations * sizeof(*ix->x_list));
	if (!ix->x_slot || !ix->x_list)
		return -1;
	for (uint32_t i = 0; i < s->ntenants; i++)
		ix->x_slot[i] = VGS_METRICS_NO_SLOT;
	for (uint32_t k = 0; k < s->nmigrations; k++) {
		uint32_t i = s->migrations[k].tenant;

		if (i < s->ntenants && ix->x_slot[i] == VGS_METRICS_NO_SLOT) {
			ix->x_list[ix->nx] = i;
			ix->x_slot[i] = ix->nx++;
		}
	}
	m->x_busy = calloc((size_t)ix->nx * s->nengines + 1, sizeof(*m->x_busy));
	m->x_held = calloc((size_t)ix->nx * s->ndomains + 1, sizeof(*m->x_held));
	return m->x_busy && m->x_held ? 0 : -1;
}
