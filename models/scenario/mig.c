/*
 * Spatial hardware of a GPU profile (docs/spatial.md): its `spatial` group (the SM pool of the
 * engine that runs compute work) and its `mig` geometry, and a gpus entry's `mig_instances`, which
 * partitions each GPU of the entry into MIG instances -- GPUs of their own to the rest of vgpusim.
 *
 * Geometry (NVIDIA Multi-Instance GPU User Guide, "Supported MIG Profiles" and `nvidia-smi mig
 * -lgip` / `-lgipp`): the GPU has C compute slices and M memory slices; an instance profile takes c
 * compute and m memory slices, has its own SMs, VRAM, copy engines and decoders, and may start at the
 * memory slices its `placements` list.  A partition is valid when every instance starts at one of its
 * profile's placements, no two instances' memory slices [start, start + m) overlap, and the compute
 * slices add up to at most C.  An instance written "1g.5gb@3" starts at slice 3; without "@", at its
 * profile's first placement that is still free (in list order).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/scenario/scenario.h"
#include "models/scenario/load.h"

#define MIG_MAX_SLICES 32

/* A partition of one gpus entry: the instances, in the order written. */
struct vgs_ld_mig {
	const struct vgs_mig_geom *geo;
	uint32_t n;
	uint32_t *inst_prof;          /* profile index of each instance */
	uint32_t *inst_start;         /* its first memory slice */
};

static uint32_t slice_mask(uint32_t start, uint32_t n)
{
	return ((n >= 32 ? 0xffffffffu : (1u << n) - 1)) << start;
}

/* ---- the profile's `spatial` group ------------------------------------------------------------ */

int vgs_ld_spatial_group(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, struct vgs_gpu *t)
{
	static const char *const keys[] = { "sms", "mem_saturation", "compute_mem_use", NULL };
	/* Engineering estimates (docs/spatial.md, "Contention model"): Little's law on DRAM (bandwidth x
	 * loaded latency = bytes in flight, a fraction of what all SMs can keep outstanding), and the
	 * roofline (a compute-bound kernel of intensity I uses I_ridge / I of the bandwidth). */
	static const struct vgs_ld_range sat = { .def = 0.25, .lo = 0, .lo_open = true, .hi = 1 };
	static const struct vgs_ld_range use = { .def = 0.2, .lo = 0, .hi = 1 };
	config_setting_t *sp;
	char *sub;
	long long v;
	int rc = -1;

	if (vgs_ld_group(ld, g, ctx, "spatial", false, &sp) < 0)
		return -1;
	t->mem_bw_frac = 1.0;
	t->mem_saturation = sat.def;
	t->compute_mem_use = use.def;
	if (!sp)
		return 0;
	sub = vgs_ld_key(ctx, "spatial");
	if (vgs_ld_check_keys(ld, sp, sub, keys) < 0 || vgs_ld_int(ld, sp, sub, "sms", true, 0, 1, 65535, &v) < 0 ||
	    vgs_ld_num(ld, sp, sub, "mem_saturation", &sat, &t->mem_saturation) < 0 ||
	    vgs_ld_num(ld, sp, sub, "compute_mem_use", &use, &t->compute_mem_use) < 0)
		goto out;
	t->sms = t->ref_sms = (uint32_t)v;
	rc = 0;
out:
	g_free(sub);
	return rc;
}

/* ---- the profile's `mig` geometry ------------------------------------------------------------- */

static int parse_prof(struct vgs_ld *ld, const config_setting_t *pg, const char *ctx, struct vgs_mig_geom *m,
		      struct vgs_mig_prof *p)
{
	static const char *const keys[] = { "name", "compute_slices", "memory_slices", "sms", "vram_gb", "copy",
					    "vdec", "venc", "placements", "max_count", NULL };
	static const struct vgs_ld_range vram = { .required = true, .lo = 0, .lo_open = true, .hi = 1e6 };
	const config_setting_t *pl;
	const char *name;
	long long v;

	if (!config_setting_is_group(pg))
		return vgs_ld_fail(ld, pg, "expected a group { name = ...; ... } for %s, got %s", ctx,
				   vgs_ld_type_word(pg));
	if (vgs_ld_check_keys(ld, pg, ctx, keys) < 0 || vgs_ld_str(ld, pg, ctx, "name", true, NULL, &name) < 0 ||
	    vgs_ld_ident(ld, pg, ctx, "name", name, 32) < 0 ||
	    vgs_ld_int(ld, pg, ctx, "compute_slices", true, 0, 1, m->cslices, &v) < 0)
		return -1;
	p->name = g_strdup(name);
	p->cslices = (uint32_t)v;
	if (vgs_ld_int(ld, pg, ctx, "memory_slices", true, 0, 1, m->mslices, &v) < 0)
		return -1;
	p->mslices = (uint32_t)v;
	if (vgs_ld_int(ld, pg, ctx, "sms", true, 0, 1, 65535, &v) < 0)
		return -1;
	p->sms = (uint32_t)v;
	if (vgs_ld_num(ld, pg, ctx, "vram_gb", &vram, &p->vram_gb) < 0 ||
	    vgs_ld_int(ld, pg, ctx, "copy", true, 0, 0, 64, &v) < 0)
		return -1;
	p->copy = (uint32_t)v;
	if (vgs_ld_int(ld, pg, ctx, "vdec", false, 0, 0, 64, &v) < 0)
		return -1;
	p->vdec = (uint32_t)v;
	if (vgs_ld_int(ld, pg, ctx, "venc", false, 0, 0, 64, &v) < 0)
		return -1;
	p->venc = (uint32_t)v;
	if (vgs_ld_int(ld, pg, ctx, "max_count", false, 0, 0, MIG_MAX_SLICES, &v) < 0)
		return -1;
	p->max_count = (uint32_t)v;
	pl = config_setting_get_member(pg, "placements");
	if (!pl || !config_setting_is_array(pl) || config_setting_length(pl) == 0)
		return vgs_ld_fail(ld, pl ? pl : pg, "%s.placements: expected a non-empty array of first memory "
				   "slices like [0, 2, 4]", ctx);
	for (int i = 0; i < config_setting_length(pl); i++) {
		const config_setting_t *e = config_setting_get_elem(pl, i);
		long long s = config_setting_type(e) == CONFIG_TYPE_INT ? config_setting_get_int(e) : -1;

		if (s < 0 || s + p->mslices > m->mslices)
			return vgs_ld_fail(ld, e, "%s.placements: %lld is not a first memory slice where %u slices "
					   "fit in %u", ctx, s, p->mslices, m->mslices);
		p->placements |= 1u << s;
	}
	return 0;
}

static void geom_free(struct vgs_mig_geom *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->nprof; i++)
		g_free(m->prof[i].name);
	g_free(m->prof);
	g_free(m);
}

void vgs_ld_mig_geoms_free(struct vgs_scenario *s)
{
	for (uint32_t i = 0; i < s->nmigs; i++)
		geom_free(s->migs[i]);
	g_free(s->migs);
	s->migs = NULL;
	s->nmigs = 0;
}

int vgs_ld_mig_geometry(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, struct vgs_gpu *t)
{
	static const char *const keys[] = { "compute_slices", "memory_slices", "profiles", NULL };
	config_setting_t *mg;
	const config_setting_t *list;
	struct vgs_mig_geom *m;
	char *sub;
	long long v;
	int rc = -1;

	t->mig = NULL;
	if (vgs_ld_group(ld, g, ctx, "mig", false, &mg) < 0)
		return -1;
	if (!mg)
		return 0;
	sub = vgs_ld_key(ctx, "mig");
	m = g_new0(struct vgs_mig_geom, 1);
	ld->s->migs = g_renew(struct vgs_mig_geom *, ld->s->migs, ld->s->nmigs + 1);
	ld->s->migs[ld->s->nmigs++] = m;
	if (vgs_ld_check_keys(ld, mg, sub, keys) < 0 ||
	    vgs_ld_int(ld, mg, sub, "compute_slices", true, 0, 1, MIG_MAX_SLICES, &v) < 0)
		goto out;
	m->cslices = (uint32_t)v;
	if (vgs_ld_int(ld, mg, sub, "memory_slices", true, 0, 1, MIG_MAX_SLICES, &v) < 0)
		goto out;
	m->mslices = (uint32_t)v;
	list = config_setting_get_member(mg, "profiles");
	if (!list || !config_setting_is_list(list) || config_setting_length(list) == 0) {
		vgs_ld_fail(ld, list ? list : mg, "%s.profiles: expected a non-empty list of instance profiles", sub);
		goto out;
	}
	m->prof = g_new0(struct vgs_mig_prof, config_setting_length(list));
	for (int i = 0; i < config_setting_length(list); i++) {
		char *pc = g_strdup_printf("%s.profiles.[%d]", sub, i);
		int prc = parse_prof(ld, config_setting_get_elem(list, i), pc, m, &m->prof[i]);

		g_free(pc);
		m->nprof++;
		if (prc < 0)
			goto out;
	}
	if (!t->sms) {
		vgs_ld_fail(ld, mg, "%s: a MIG geometry needs the profile's spatial = { sms = N; } (the SMs its "
			    "instances divide)", sub);
		goto out;
	}
	t->mig = m;
	rc = 0;
out:
	g_free(sub);
	return rc;
}

/* ---- the entry's partition -------------------------------------------------------------------- */

static void list_profiles(GString *s, const struct vgs_mig_geom *m)
{
	for (uint32_t i = 0; i < m->nprof; i++)
		g_string_append_printf(s, "%s%s", i ? ", " : "", m->prof[i].name);
}

/* "1g.5gb at 0, 1, 2 (slices 0, 1, 2)": where profile p may start, marking the ones taken. */
static void list_placements(GString *s, const struct vgs_mig_prof *p, uint32_t used)
{
	bool any = false;

	for (uint32_t st = 0; st < MIG_MAX_SLICES; st++) {
		uint32_t mask = slice_mask(st, p->mslices);

		if (!(p->placements & (1u << st)))
			continue;
		g_string_append_printf(s, "%s%u (memory slices %u-%u%s)", any ? ", " : "", st, st,
				       st + p->mslices - 1, (used & mask) ? ", taken" : "");
		any = true;
	}
}

static int place_one(struct vgs_ld *ld, const config_setting_t *e, const char *ctx, struct vgs_ld_mig *part,
		     uint32_t i, uint32_t *used, uint32_t *csum, uint32_t *count, const char *profile_name)
{
	const struct vgs_mig_geom *m = part->geo;
	const char *text = config_setting_get_string(e);
	const char *at = strchr(text, '@');
	char *name = at ? g_strndup(text, (gsize)(at - text)) : g_strdup(text);
	const struct vgs_mig_prof *p = NULL;
	uint32_t pi = 0, start = UINT32_MAX;
	GString *msg;
	int rc = -1;

	for (pi = 0; pi < m->nprof; pi++)
		if (strcmp(m->prof[pi].name, name) == 0) {
			p = &m->prof[pi];
			break;
		}
	msg = g_string_new(NULL);
	if (!p) {
		list_profiles(msg, m);
		vgs_ld_fail(ld, e, "%s.mig_instances.[%u]: no MIG profile '%s' on %s; its profiles: %s", ctx, i, name,
			    profile_name, msg->str);
		goto out;
	}
	if (at) {
		char *end;
		unsigned long s = strtoul(at + 1, &end, 10);

		if (!at[1] || *end || s >= MIG_MAX_SLICES || !(p->placements & (1u << s))) {
			list_placements(msg, p, *used);
			vgs_ld_fail(ld, e, "%s.mig_instances.[%u]: '%s' is not a placement of %s on %s; valid "
				    "placements (first memory slice): %s", ctx, i, text, name, profile_name, msg->str);
			goto out;
		}
		start = (uint32_t)s;
	} else {
		for (uint32_t s = 0; s < MIG_MAX_SLICES && start == UINT32_MAX; s++)
			if ((p->placements & (1u << s)) && !(*used & slice_mask(s, p->mslices)))
				start = s;
	}
	if (start == UINT32_MAX || (*used & slice_mask(start, p->mslices))) {
		list_placements(msg, p, *used);
		vgs_ld_fail(ld, e, "%s.mig_instances.[%u]: %s%s does not fit: the instances before it hold its "
			    "memory slices; placements of %s on %s: %s", ctx, i, name, at ? at : "", name,
			    profile_name, msg->str);
		goto out;
	}
	if (p->max_count && count[pi] == p->max_count) {
		vgs_ld_fail(ld, e, "%s.mig_instances.[%u]: a GPU holds at most %u %s instance%s", ctx, i, p->max_count,
			    name, p->max_count == 1 ? "" : "s");
		goto out;
	}
	if (*csum + p->cslices > m->cslices) {
		vgs_ld_fail(ld, e, "%s.mig_instances.[%u]: %s needs %u compute slices, only %u of %s's %u are left",
			    ctx, i, name, p->cslices, m->cslices - *csum, profile_name, m->cslices);
		goto out;
	}
	*used |= slice_mask(start, p->mslices);
	*csum += p->cslices;
	count[pi]++;
	part->inst_prof[i] = pi;
	part->inst_start[i] = start;
	rc = 0;
out:
	g_string_free(msg, TRUE);
	g_free(name);
	return rc;
}

int vgs_ld_mig_parse(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, const struct vgs_gpu *t,
		     struct vgs_ld_mig **out)
{
	const config_setting_t *inst = config_setting_get_member(g, "mig_instances");
	struct vgs_ld_mig *m;
	uint32_t used = 0, csum = 0, *count;
	int rc;

	*out = NULL;
	if (!inst)
		return 0;
	if ((!config_setting_is_list(inst) && !config_setting_is_array(inst)) || config_setting_length(inst) == 0)
		return vgs_ld_fail(ld, inst, "%s.mig_instances: expected a non-empty list of MIG profiles like "
				   "(\"3g.20gb\", \"2g.10gb\", \"1g.5gb@6\")", ctx);
	if (!t->mig)
		return vgs_ld_fail(ld, inst, "%s.mig_instances: the GPU profile (%s) has no mig = { ... } geometry "
				   "(MIG-capable profiles, e.g. gpus/a100.cfg, have one)", ctx, t->profile);
	m = g_new0(struct vgs_ld_mig, 1);
	*out = m;
	m->geo = t->mig;
	m->n = config_setting_length(inst);
	m->inst_prof = g_new0(uint32_t, m->n);
	m->inst_start = g_new0(uint32_t, m->n);
	count = g_new0(uint32_t, t->mig->nprof);
	rc = 0;
	for (uint32_t i = 0; i < m->n && rc == 0; i++) {
		const config_setting_t *e = config_setting_get_elem(inst, i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			rc = vgs_ld_fail(ld, e, "%s.mig_instances.[%u]: expected a MIG profile name (string), got %s",
					 ctx, i, vgs_ld_type_word(e));
		else
			rc = place_one(ld, e, ctx, m, i, &used, &csum, count, t->profile);
	}
	g_free(count);
	return rc;
}

uint32_t vgs_ld_mig_count(const struct vgs_ld_mig *m)
{
	return m ? m->n : 1;
}

void vgs_ld_mig_free(struct vgs_ld_mig *m)
{
	if (!m)
		return;
	g_free(m->inst_prof);
	g_free(m->inst_start);
	g_free(m);
}

char *vgs_mig_equal_split(const struct vgs_mig_geom *g, uint32_t n)
{
	const struct vgs_mig_prof *best = NULL;

	for (uint32_t i = 0; g && i < g->nprof; i++) {
		const struct vgs_mig_prof *p = &g->prof[i];
		uint32_t used = 0, placed = 0;

		if (p->cslices * n > g->cslices || (p->max_count && n > p->max_count))
			continue;
		for (uint32_t s = 0; s < MIG_MAX_SLICES && placed < n; s++)
			if ((p->placements & (1u << s)) && !(used & slice_mask(s, p->mslices))) {
				used |= slice_mask(s, p->mslices);
				placed++;
			}
		if (placed == n && (!best || p->cslices > best->cslices ||
				    (p->cslices == best->cslices && p->mslices > best->mslices)))
			best = p;
	}
	if (!best)
		return NULL;
	GString *s = g_string_new("(");

	for (uint32_t i = 0; i < n; i++)
		g_string_append_printf(s, "%s\"%s\"", i ? ", " : "", best->name);
	g_string_append_c(s, ')');
	return g_string_free(s, FALSE);
}

/*
 * Instance i of the partition, from the whole GPU t: the SM class keeps one engine (its SMs are the
 * instance's), copy engines and decoders are the profile's, graphics and encoders only where the
 * profile lists them; VRAM, SMs and DRAM bandwidth are the instance's share; vGPUs per instance scale
 * with its compute slices (at least 1); the SM engine's power scales with them too.  Strings are the
 * caller's.
 */
void vgs_ld_mig_instance(const struct vgs_ld_mig *m, uint32_t i, const struct vgs_gpu *t, struct vgs_gpu *g)
{
	const struct vgs_mig_prof *p = &m->geo->prof[m->inst_prof[i]];
	int sc = t->route[VGS_COMPUTE] < VGS_NCLASS ? t->route[VGS_COMPUTE] : VGS_COMPUTE;
	double frac = (double)p->cslices / m->geo->cslices;

	*g = *t;
	g->vram_bytes = (uint64_t)llround(p->vram_gb * 1073741824.0);
	g->max_vgpus = (uint32_t)(t->max_vgpus * frac) ? (uint32_t)(t->max_vgpus * frac) : 1;
	g->sms = p->sms;
	g->ref_sms = t->sms;
	g->mem_bw_frac = (double)p->mslices / m->geo->mslices;
	g->mig_start = m->inst_start[i];
	for (int c = 0; c < VGS_NCLASS; c++) {
		struct vgs_class_cfg *k = &g->cls[c];

		if (t->route[c] != c)
			continue; /* no engines of its own (same_as) or none at all */
		if (c == sc) {
			k->count = 1;
			k->idle_w *= frac;
			k->busy_w *= frac;
		} else {
			k->count = c == VGS_COPY ? p->copy : c == VGS_VDEC ? p->vdec : c == VGS_VENC ? p->venc : 0;
		}
	}
	for (int c = 0; c < VGS_NCLASS; c++) {
		uint8_t r = t->route[c];

		g->route[c] = r < VGS_NCLASS && g->cls[r].count > 0 ? r : VGS_NCLASS;
		if (r != c && r < VGS_NCLASS)
			g->cls[c].count = 0;
	}
}

const char *vgs_ld_mig_name(const struct vgs_ld_mig *m, uint32_t i)
{
	return m->geo->prof[m->inst_prof[i]].name;
}

int vgs_mig_variant_args(const struct vgs_scenario *s, GPtrArray *argv, struct vgs_error *err)
{
	const struct vgs_gpu *g = s->ngpus ? &s->gpus[0] : NULL;
	char *list;

	if (!g || s->ngpus != 1) {
		vgs_error_set(err, "the MIG variant needs a scenario of one GPU (this one has %u)", s->ngpus);
		return -1;
	}
	if (!g->mig || g->mig_profile) {
		vgs_error_set(err, "the MIG variant needs an unpartitioned GPU whose profile has a mig = { ... } "
			      "geometry; %s (%s) %s", g->name, g->profile, g->mig ? "is already a MIG instance" :
			      "has none (MIG-capable profiles: gpus/a100.cfg, gpus/h100-sxm.cfg)");
		return -1;
	}
	for (uint32_t t = 0; t < s->ntenants; t++)
		if (s->tenants[t].pinned) {
			vgs_error_set(err, "the MIG variant gives each vGPU an instance of its own; vGPU %s is pinned "
				      "with gpu = ... (remove it)", s->tenants[t].name);
			return -1;
		}
	list = vgs_mig_equal_split(g->mig, s->ntenants);
	if (!list) {
		vgs_error_set(err, "the MIG variant needs one instance per vGPU: %u instances do not fit on %s",
			      s->ntenants, g->name);
		return -1;
	}
	g_ptr_array_add(argv, g_strdup("--set"));
	g_ptr_array_add(argv, g_strdup_printf("gpus.[0].mig_instances=%s", list));
	g_ptr_array_add(argv, g_strdup("--set"));
	g_ptr_array_add(argv, g_strdup("placement=\"round-robin\""));
	g_free(list);
	return 0;
}
