/*
 * Solo scenarios (`vgpusim run --solo GROUP`): the baseline `vgpusim compare` measures each tenant
 * kind against.  After a normal load, keep one instance of the vgpus entry GROUP (its first one, so
 * the instance that owns the entry's workload spec) alone on the GPU it was placed on, and drop every
 * other tenant, GPU, engine and domain.  What the kept tenant has is unchanged (weight, framebuffer
 * quota, rings, workload and its random stream, vgs_tenant.rng_stream), so it differs from the shared
 * run only by the absence of the others.
 */
#include <string.h>

#include <glib.h>

#include "models/scenario/scenario.h"
#include "models/workload/workload.h"

static int find_group(const struct vgs_scenario *s, const char *group, struct vgs_error *err)
{
	GString *groups;

	for (uint32_t i = 0; i < s->ntenants; i++)
		if (strcmp(s->tenants[i].group, group) == 0)
			return (int)i;
	groups = g_string_new(NULL);
	for (uint32_t i = 0; i < s->ntenants; i++)
		if (s->tenants[i].replica == 0)
			g_string_append_printf(groups, "%s%s", groups->len ? ", " : "", s->tenants[i].group);
	vgs_error_set(err, "--solo %s: %s has no vgpus entry named '%s'; its entries: %s", group, s->path, group,
		      groups->str);
	g_string_free(groups, TRUE);
	return -1;
}

int vgs_scenario_keep_solo(struct vgs_scenario *s, const char *group, struct vgs_error *err)
{
	int keep = find_group(s, group, err);
	uint32_t g, ne = 0, nd = 0, *emap;
	struct vgs_tenant *t;
	char *echo;

	if (keep < 0)
		return -1;
	g = s->tenants[keep].gpu;

	/* Tenants: replica 0 of each entry owns the entry's workload spec (see vgs_scenario_fini). */
	t = g_new0(struct vgs_tenant, 1);
	*t = s->tenants[keep];
	t->gpu = 0;
	for (uint32_t i = 0; i < s->ntenants; i++) {
		if ((int)i == keep)
			continue;
		if (s->tenants[i].replica == 0 && s->tenants[i].workload != t->workload)
			vgs_workload_spec_free(s->tenants[i].workload);
		g_free(s->tenants[i].name);
		g_free(s->tenants[i].group);
	}
	g_free(s->tenants);
	s->tenants = t;
	s->ntenants = 1;

	/* Engines of GPU g, renumbered; emap[old] = new index. */
	emap = g_new0(uint32_t, s->nengines ? s->nengines : 1);
	for (uint32_t e = 0; e < s->nengines; e++) {
		if (s->engines[e].gpu != g)
			continue;
		emap[e] = ne;
		s->engines[ne] = s->engines[e];
		s->engines[ne++].gpu = 0;
	}
	s->nengines = ne;
	for (uint32_t d = 0; d < s->ndomains; d++) {
		struct vgs_domain dom = s->domains[d];

		if (dom.gpu != g) {
			g_free(dom.engines);
			continue;
		}
		for (uint32_t k = 0; k < dom.nengines; k++)
			dom.engines[k] = emap[dom.engines[k]];
		dom.gpu = 0;
		s->domains[nd++] = dom;
	}
	s->ndomains = nd;
	g_free(emap);

	for (uint32_t i = 0; i < s->ngpus; i++) {
		if (i == g)
			continue;
		g_free(s->gpus[i].name);
		g_free(s->gpus[i].profile);
		g_free(s->gpus[i].model);
		g_free(s->gpus[i].mig_profile);
	}
	s->gpus[0] = s->gpus[g];
	s->gpus[0].phys = 0;
	s->ngpus = 1;

	/* The config echo in summary.json says the file was not run as written. */
	echo = g_strdup_printf("%s# --solo %s: only %s, alone on GPU %s (the other vgpus were dropped)\n",
			       s->echo ? s->echo : "", group, t->name, s->gpus[0].name);
	g_free(s->echo);
	s->echo = echo;
	return 0;
}
