/*
 * GPU profiles and scheduling domains of a scenario.
 *
 * `gpus` is a list of profile groups (normally one `@include "gpus/<name>.cfg"` each, plus `count`).
 * Each profile expands into `count` GPU instances named "<profile>-<k>" (k numbers the instances of
 * one profile across the whole list), each instance into its engines "<gpu>.<class><i>" in class
 * order.  An entry with `mig_instances` expands each of its GPUs into its MIG instances instead,
 * "<profile>-<k>.mig<i>", GPUs of their own that share the physical GPU's PCIe link (mig.c).  A class with `same_as = "gfx"` has no engines of its own: route[] sends its commands to
 * that class's engines (NVIDIA runs graphics and compute on one GR engine).
 *
 * Domains (scheduler.domain): "gpu" = one per GPU with all its engines; "engine" = one per engine;
 * a list of class groups = per GPU one domain per group that has engines there, then one domain per
 * engine of every class no group lists.
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include <glib.h>

#include "models/scenario/scenario.h"
#include "models/scenario/load.h"

static const char *const class_keys[] = { "count", "channels", "speed", "switch_us", "switch_idle_us",
					  "preempt", "preempt_latency_us", "resume_us", "launch_us", "idle_w",
					  "busy_w", "same_as", NULL };

/* One engine class group; *same_as = target class, or -1. */
static int parse_class(struct vgs_ld *ld, const config_setting_t *g, const char *ctx,
		       struct vgs_class_cfg *c, int cls, int *same_as)
{
	static const struct vgs_ld_range speed = { .def = 1.0, .lo = 0, .lo_open = true, .hi = 1e6 };
	static const struct vgs_ld_range us = { .def = 0, .lo = 0, .hi = 1e9 };
	static const struct vgs_ld_range watts = { .def = 0, .lo = 0, .hi = 1e5 };
	const config_setting_t *sa = config_setting_get_member(g, "same_as");
	const char *pre;
	long long v;
	double d;

	*same_as = -1;
	if (vgs_ld_check_keys(ld, g, ctx, class_keys) < 0)
		return -1;
	if (sa) {
		const char *t;

		if (vgs_ld_str(ld, g, ctx, "same_as", true, NULL, &t) < 0)
			return -1;
		*same_as = vgs_class_parse(t);
		if (*same_as < 0 || *same_as == cls)
			return vgs_ld_fail(ld, sa, "%s.same_as must name another engine class (gfx, compute, "
					   "copy, venc, vdec), got \"%s\"", ctx, t);
		for (int i = 0; i < config_setting_length(g); i++) {
			const config_setting_t *k = config_setting_get_elem(g, i);
			const char *n = config_setting_name(k);

			if (strcmp(n, "same_as") == 0 || strcmp(n, "speed") == 0)
				continue;
			if (strcmp(n, "count") == 0 && config_setting_is_number(k) &&
			    vgs_ld_number_of(k) == 0)
				continue;
			return vgs_ld_fail(ld, k, "%s.%s: a class with same_as runs on %s's engines and "
					   "takes only speed (its own speed factor)", ctx, n, t);
		}
		c->speed = NAN; /* resolved from the target unless given */
		if (vgs_ld_num(ld, g, ctx, "speed", &speed, &d) > 0)
			c->speed = d;
		return 0;
	}
	if (vgs_ld_int(ld, g, ctx, "count", true, 0, 0, 64, &v) < 0)
		return -1;
	c->count = (uint32_t)v;
	if (vgs_ld_int(ld, g, ctx, "channels", false, 1, 1, 1024, &v) < 0)
		return -1;
	c->channels = (uint32_t)v;
	if (vgs_ld_num(ld, g, ctx, "speed", &speed, &c->speed) < 0 ||
	    vgs_ld_num(ld, g, ctx, "switch_us", &us, &d) < 0)
		return -1;
	c->switch_ns = vgs_ld_ns(d, 1e3);
	{
		struct vgs_ld_range idle = us;

		idle.def = d; /* idle engines cost the same unless said otherwise */
		if (vgs_ld_num(ld, g, ctx, "switch_idle_us", &idle, &d) < 0)
			return -1;
		c->switch_idle_ns = vgs_ld_ns(d, 1e3);
	}
	if (vgs_ld_str(ld, g, ctx, "preempt", false, "command", &pre) < 0)
		return -1;
	if (strcmp(pre, "command") == 0)
		c->preempt = VGS_PREEMPT_COMMAND;
	else if (strcmp(pre, "fine") == 0)
		c->preempt = VGS_PREEMPT_FINE;
	else if (strcmp(pre, "none") == 0)
		c->preempt = VGS_PREEMPT_NONE;
	else
		return vgs_ld_fail(ld, config_setting_get_member(g, "preempt"),
				   "%s.preempt must be \"command\", \"fine\" or \"none\" (got \"%s\")", ctx, pre);
	if (vgs_ld_num(ld, g, ctx, "preempt_latency_us", &us, &d) < 0)
		return -1;
	c->preempt_latency_ns = vgs_ld_ns(d, 1e3);
	if (vgs_ld_num(ld, g, ctx, "resume_us", &us, &d) < 0)
		return -1;
	c->resume_ns = vgs_ld_ns(d, 1e3);
	if (vgs_ld_num(ld, g, ctx, "launch_us", &us, &d) < 0)
		return -1;
	c->launch_ns = vgs_ld_ns(d, 1e3);
	if (vgs_ld_num(ld, g, ctx, "idle_w", &watts, &c->idle_w) < 0)
		return -1;
	{
		struct vgs_ld_range busy = watts;

		busy.def = c->idle_w;
		busy.lo = c->idle_w;
		if (vgs_ld_num(ld, g, ctx, "busy_w", &busy, &c->busy_w) < 0)
			return -1;
	}
	return 0;
}

/* `nvlink` (a profile's GPU-to-GPU link, docs/pools.md) and `pool_mig` (a pool partitions the GPU into
 * MIG instances on demand). */
static int parse_pool_keys(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, struct vgs_gpu *t)
{
	static const char *const nv_keys[] = { "bandwidth_gbps", "latency_us", NULL };
	static const struct vgs_ld_range bw = { .required = true, .lo = 0, .lo_open = true, .hi = 1e6 };
	static const struct vgs_ld_range lat = { .def = 0, .lo = 0, .hi = 1e9 };
	config_setting_t *nv, *pm;
	char *sub;
	double d;
	int rc = 0;

	if ((pm = config_setting_get_member(g, "pool_mig"))) {
		if (config_setting_type(pm) != CONFIG_TYPE_BOOL)
			return vgs_ld_fail(ld, pm, "expected true or false for %s.pool_mig, got %s", ctx, vgs_ld_type_word(pm));
		t->pool_mig = config_setting_get_bool(pm);
		if (t->pool_mig && !config_setting_get_member(g, "mig"))
			return vgs_ld_fail(ld, pm, "%s.pool_mig: the profile has no MIG geometry (a `mig` group)", ctx);
		if (t->pool_mig && config_setting_get_member(g, "mig_instances"))
			return vgs_ld_fail(ld, pm, "%s.pool_mig: a pool makes its MIG instances on demand; remove "
					   "mig_instances", ctx);
	}
	if (vgs_ld_group(ld, g, ctx, "nvlink", false, &nv) < 0)
		return -1;
	if (!nv)
		return 0;
	sub = vgs_ld_key(ctx, "nvlink");
	if (vgs_ld_check_keys(ld, nv, sub, nv_keys) < 0 || vgs_ld_num(ld, nv, sub, "bandwidth_gbps", &bw, &d) < 0)
		rc = -1;
	else
		t->nvlink_bw_Bps = d * 1e9;
	if (rc == 0 && vgs_ld_num(ld, nv, sub, "latency_us", &lat, &d) < 0)
		rc = -1;
	else if (rc == 0)
		t->nvlink_latency_ns = vgs_ld_ns(d, 1e3);
	g_free(sub);
	return rc;
}

/* One profile group (a `gpus` entry) into *t; *count = its `count`. */
static int parse_profile(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, struct vgs_gpu *t,
			 uint32_t *count)
{
	static const char *const keys[] = { "name", "model", "vram_gb", "max_vgpus", "tdr_timeout_ms",
					    "pcie", "engines", "count", "vram_page_kb", "overcommit", "spatial",
					    "mig", "mig_instances", "kernels", "roofline", "host_speed", "nvlink",
					    "pool_mig", NULL };
	static const struct vgs_ld_range overcommit = { .def = 1.0, .lo = 1.0, .hi = 1000.0 };
	static const char *const pcie_keys[] = { "bandwidth_gbps", "latency_us", NULL };
	/* 1 MB to 2 TB: the largest GPUs have 288 GB; the VRAM model keeps 2 bits per 4 KiB frame (4 bytes
	 * with vram_check), so a bound keeps a typo from asking for tens of GB of model state. */
	static const struct vgs_ld_range vram = { .required = true, .lo = 0.001, .hi = 2048 };
	static const struct vgs_ld_range tdr = { .def = 2000, .lo = 0, .hi = 1e9 };
	static const struct vgs_ld_range bw = { .required = true, .lo = 0, .lo_open = true, .hi = 1e6 };
	static const struct vgs_ld_range lat = { .def = 0, .lo = 0, .hi = 1e9 };
	config_setting_t *pcie, *eng, *cg[VGS_NCLASS] = { 0 };
	const char *name, *model;
	int same_as[VGS_NCLASS];
	uint32_t total = 0;
	char *sub;
	long long v;
	double d;

	if (!config_setting_is_group(g))
		return vgs_ld_fail(ld, g, "expected a group { ... } for %s (a GPU profile), got %s", ctx,
				   vgs_ld_type_word(g));
	if (vgs_ld_check_keys(ld, g, ctx, keys) < 0 || vgs_ld_str(ld, g, ctx, "name", true, NULL, &name) < 0 ||
	    vgs_ld_ident(ld, g, ctx, "name", name, 32) < 0 ||
	    vgs_ld_str(ld, g, ctx, "model", false, name, &model) < 0 ||
	    vgs_ld_num(ld, g, ctx, "vram_gb", &vram, &d) < 0)
		return -1;
	t->profile = g_strdup(name);
	t->model = g_strdup(model);
	t->vram_bytes = (uint64_t)llround(d * 1073741824.0);
	if (vgs_ld_int(ld, g, ctx, "max_vgpus", true, 0, 1, 4096, &v) < 0)
		return -1;
	t->max_vgpus = (uint32_t)v;
	if (vgs_ld_int(ld, g, ctx, "vram_page_kb", false, 2048, 4, 2048, &v) < 0)
		return -1;
	if (v != 4 && v != 64 && v != 2048)
		return vgs_ld_fail(ld, config_setting_get_member(g, "vram_page_kb"),
				   "%s.vram_page_kb must be 4, 64 or 2048 (the GPU page sizes), got %lld", ctx, v);
	t->vram_page_shift = v == 4 ? 12 : v == 64 ? 16 : 21;
	if (vgs_ld_num(ld, g, ctx, "overcommit", &overcommit, &t->overcommit) < 0)
		return -1;
	if (vgs_ld_num(ld, g, ctx, "tdr_timeout_ms", &tdr, &d) < 0)
		return -1;
	t->tdr_timeout_ns = vgs_ld_ns(d, 1e6);
	if (vgs_ld_int(ld, g, ctx, "count", false, 1, 1, 1024, &v) < 0)
		return -1;
	*count = (uint32_t)v;

	if (vgs_ld_group(ld, g, ctx, "pcie", true, &pcie) < 0)
		return -1;
	sub = vgs_ld_key(ctx, "pcie");
	if (vgs_ld_check_keys(ld, pcie, sub, pcie_keys) < 0 ||
	    vgs_ld_num(ld, pcie, sub, "bandwidth_gbps", &bw, &d) < 0 ||
	    (t->pcie_bw_Bps = d * 1e9, vgs_ld_num(ld, pcie, sub, "latency_us", &lat, &d) < 0)) {
		g_free(sub);
		return -1;
	}
	t->pcie_latency_ns = vgs_ld_ns(d, 1e3);
	g_free(sub);
	if (vgs_ld_kernels_parse(ld, g, ctx, t) < 0 || parse_pool_keys(ld, g, ctx, t) < 0)
		return -1;

	if (vgs_ld_group(ld, g, ctx, "engines", true, &eng) < 0)
		return -1;
	sub = vgs_ld_key(ctx, "engines");
	{
		const char *const ckeys[] = { "gfx", "compute", "copy", "venc", "vdec", NULL };

		if (vgs_ld_check_keys(ld, eng, sub, ckeys) < 0) {
			g_free(sub);
			return -1;
		}
	}
	for (int c = 0; c < VGS_NCLASS; c++) {
		char *cctx;
		int rc;

		same_as[c] = -1;
		if (vgs_ld_group(ld, eng, sub, vgs_class_name(c), false, &cg[c]) < 0) {
			g_free(sub);
			return -1;
		}
		if (!cg[c])
			continue;
		cctx = vgs_ld_key(sub, vgs_class_name(c));
		rc = parse_class(ld, cg[c], cctx, &t->cls[c], c, &same_as[c]);
		g_free(cctx);
		if (rc < 0) {
			g_free(sub);
			return -1;
		}
		total += t->cls[c].count;
	}
	for (int c = 0; c < VGS_NCLASS; c++) {
		int s = same_as[c];

		t->route[c] = t->cls[c].count > 0 ? c : VGS_NCLASS;
		if (s < 0)
			continue;
		if (same_as[s] >= 0 || t->cls[s].count == 0) {
			vgs_ld_fail(ld, config_setting_get_member(cg[c], "same_as"),
				    "%s.%s.same_as = \"%s\": %s.%s has no engines of its own%s", sub,
				    vgs_class_name(c), vgs_class_name(s), sub, vgs_class_name(s),
				    same_as[s] >= 0 ? " (same_as does not chain)" : "");
			g_free(sub);
			return -1;
		}
		{
			double own = t->cls[c].speed;

			t->cls[c] = t->cls[s];
			t->cls[c].count = 0;
			t->cls[c].speed = isnan(own) ? t->cls[s].speed : own;
		}
		t->route[c] = (uint8_t)s;
	}
	if (total == 0) {
		vgs_ld_fail(ld, eng, "%s: the GPU has no engines (every class has count 0)", sub);
		g_free(sub);
		return -1;
	}
	g_free(sub);
	if (vgs_ld_spatial_group(ld, g, ctx, t) < 0)
		return -1;
	return vgs_ld_mig_geometry(ld, g, ctx, t);
}

int vgs_ld_gpus_load(struct vgs_ld *ld, const config_setting_t *root)
{
	struct vgs_scenario *s = ld->s;
	config_setting_t *list = config_setting_get_member(root, "gpus");
	GHashTable *next_k;
	uint32_t n, cap = 0, ne = 0;
	int rc = -1;

	if (!list)
		return vgs_ld_fail(ld, root, "missing required key 'gpus' in the top level");
	if (!config_setting_is_list(list) || config_setting_length(list) == 0)
		return vgs_ld_fail(ld, list, "expected a non-empty list ( { @include \"gpus/<name>.cfg\" }, ... ) "
				   "for gpus, got %s", config_setting_is_list(list) ? "an empty list"
										 : vgs_ld_type_word(list));
	n = config_setting_length(list);
	next_k = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	for (uint32_t i = 0; i < n; i++) {
		struct vgs_gpu t = { 0 };
		const config_setting_t *entry = config_setting_get_elem(list, i);
		char *ctx = g_strdup_printf("gpus.[%u]", i);
		struct vgs_ld_mig *mig = NULL;
		uint32_t count = 0, k, ni;
		int prc = parse_profile(ld, entry, ctx, &t, &count);

		if (prc == 0)
			prc = vgs_ld_mig_parse(ld, entry, ctx, &t, &mig);
		g_free(ctx);
		if (prc < 0) {
			vgs_ld_mig_free(mig);
			g_free(t.profile);
			g_free(t.model);
			goto out;
		}
		k = GPOINTER_TO_UINT(g_hash_table_lookup(next_k, t.profile));
		ni = vgs_ld_mig_count(mig);
		if (s->ngpus + count * ni > cap) {
			cap = (s->ngpus + count * ni) * 2;
			s->gpus = g_renew(struct vgs_gpu, s->gpus, cap);
		}
		for (uint32_t j = 0; j < count; j++) {
			uint32_t phys = s->ngpus;

			for (uint32_t q = 0; q < ni; q++) {
				struct vgs_gpu *g = &s->gpus[s->ngpus++];

				if (mig) {
					vgs_ld_mig_instance(mig, q, &t, g);
					g->name = g_strdup_printf("%s-%u.mig%u", t.profile, k + j, q);
					g->mig_profile = g_strdup(vgs_ld_mig_name(mig, q));
					g->model = g_strdup_printf("%s, MIG %s at memory slice %u", t.model, g->mig_profile,
								   g->mig_start);
				} else {
					*g = t;
					g->name = g_strdup_printf("%s-%u", t.profile, k + j);
					g->model = g_strdup(t.model);
				}
				g->profile = g_strdup(t.profile);
				g->phys = phys;
				g->entry = i;
				for (int c = 0; c < VGS_NCLASS; c++)
					ne += g->cls[c].count;
			}
		}
		vgs_ld_mig_free(mig);
		g_hash_table_insert(next_k, g_strdup(t.profile), GUINT_TO_POINTER(k + count));
		g_free(t.profile);
		g_free(t.model);
	}
	s->engines = g_new0(struct vgs_engine, ne);
	for (uint32_t gi = 0; gi < s->ngpus; gi++)
		for (int c = 0; c < VGS_NCLASS; c++)
			for (uint32_t i = 0; i < s->gpus[gi].cls[c].count; i++) {
				struct vgs_engine *e = &s->engines[s->nengines++];

				e->gpu = gi;
				e->cls = (uint8_t)c;
				e->index = i;
				snprintf(e->name, sizeof(e->name), "%s.%s%u", s->gpus[gi].name, vgs_class_name(c), i);
			}
	rc = 0;
out:
	g_hash_table_destroy(next_k);
	return rc;
}

int vgs_gpu_profile_load(const char *path, struct vgs_gpu *out, struct vgs_error *err)
{
	/* A profile alone: what parse_profile keeps per scenario (its MIG geometry) goes to a scratch one. */
	struct vgs_scenario scratch = { 0 };
	struct vgs_ld ld = { .path = path, .err = err, .s = &scratch };
	char *dir = g_path_get_dirname(path);
	uint32_t count;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	config_init(&ld.cfg);
	config_set_include_dir(&ld.cfg, dir);
	ld.cfgdir = dir;
	if (config_read_file(&ld.cfg, path) != CONFIG_TRUE) {
		if (config_error_type(&ld.cfg) == CONFIG_ERR_FILE_IO)
			vgs_error_set(err, "%s: cannot read the GPU profile", path);
		else
			vgs_error_set(err, "%s:%d: %s", config_error_file(&ld.cfg) ? config_error_file(&ld.cfg) : path,
				      config_error_line(&ld.cfg), config_error_text(&ld.cfg));
	} else if (parse_profile(&ld, config_root_setting(&ld.cfg), "profile", out, &count) == 0) {
		out->name = g_strdup(out->profile);
		rc = 0;
	}
	config_destroy(&ld.cfg);
	g_free(dir);
	out->mig = NULL; /* the geometry lived in the scratch scenario: a profile alone is not partitioned */
	vgs_ld_mig_geoms_free(&scratch); /* all parse_profile put there (not vgs_scenario_fini: a call circle) */
	if (rc)
		vgs_gpu_profile_free(out);
	return rc;
}

void vgs_gpu_profile_free(struct vgs_gpu *g)
{
	g_free(g->name);
	g_free(g->profile);
	g_free(g->model);
	memset(g, 0, sizeof(*g));
}

void vgs_gpu_engine_speeds(const struct vgs_gpu *g, double speed[VGS_NCLASS])
{
	for (int c = 0; c < VGS_NCLASS; c++)
		speed[c] = g->cls[c].speed > 0 ? g->cls[c].speed : 1.0;
}

int vgs_gpu_profile_kspeed(const char *path, struct vgs_kspeed *k, double engine[VGS_NCLASS], char **model,
			   struct vgs_error *err)
{
	struct vgs_gpu g;

	if (vgs_gpu_profile_load(path, &g, err) < 0)
		return -1;
	*k = g.kspeed;
	vgs_gpu_engine_speeds(&g, engine);
	if (model)
		*model = g_strdup(g.model);
	vgs_gpu_profile_free(&g);
	return 0;
}

/* ---- domains --------------------------------------------------------------------------------- */

int vgs_ld_domain_parse(struct vgs_ld *ld, const config_setting_t *dom)
{
	struct vgs_scenario *s = ld->s;
	uint32_t seen = 0;
	int n;

	if (!dom) {
		s->domain_mode = g_strdup("gpu");
		return 0;
	}
	if (config_setting_type(dom) == CONFIG_TYPE_STRING) {
		const char *m = config_setting_get_string(dom);

		if (strcmp(m, "gpu") != 0 && strcmp(m, "engine") != 0)
			return vgs_ld_fail(ld, dom, "scheduler.domain must be \"gpu\", \"engine\" or a list of "
					   "engine-class groups like ((\"gfx\", \"venc\"), (\"copy\")) (got \"%s\")", m);
		s->domain_mode = g_strdup(m);
		return 0;
	}
	if (!config_setting_is_list(dom) && !config_setting_is_array(dom))
		return vgs_ld_fail(ld, dom, "expected \"gpu\", \"engine\" or a list of engine-class groups for "
				   "scheduler.domain, got %s", vgs_ld_type_word(dom));
	n = config_setting_length(dom);
	if (n == 0)
		return vgs_ld_fail(ld, dom, "scheduler.domain: the list of class groups is empty");
	ld->dgroups = g_new0(uint32_t, n);
	ld->dorder = g_malloc0_n(n, sizeof(*ld->dorder));
	for (int i = 0; i < n; i++) {
		const config_setting_t *grp = config_setting_get_elem(dom, i);
		bool single = config_setting_type(grp) == CONFIG_TYPE_STRING;
		int m = single ? 1 : config_setting_length(grp);

		if (!single && !config_setting_is_list(grp) && !config_setting_is_array(grp))
			return vgs_ld_fail(ld, grp, "scheduler.domain.[%d]: expected a list of engine class "
					   "names like (\"gfx\", \"venc\"), got %s", i, vgs_ld_type_word(grp));
		if (m == 0)
			return vgs_ld_fail(ld, grp, "scheduler.domain.[%d]: empty class group", i);
		memset(ld->dorder[i], VGS_NCLASS, VGS_NCLASS);
		for (int j = 0; j < m; j++) {
			const config_setting_t *cs = single ? grp : config_setting_get_elem(grp, j);
			int c;

			if (config_setting_type(cs) != CONFIG_TYPE_STRING)
				return vgs_ld_fail(ld, cs, "scheduler.domain.[%d]: expected engine class names "
						   "(strings), got %s", i, vgs_ld_type_word(cs));
			c = vgs_class_parse(config_setting_get_string(cs));
			if (c < 0)
				return vgs_ld_fail(ld, cs, "scheduler.domain.[%d]: unknown engine class \"%s\"; "
						   "expected gfx, compute, copy, venc or vdec", i,
						   config_setting_get_string(cs));
			if (seen & (1u << c))
				return vgs_ld_fail(ld, cs, "scheduler.domain: class %s appears in two groups",
						   vgs_class_name(c));
			seen |= 1u << c;
			ld->dgroups[i] |= 1u << c;
			ld->dorder[i][j] = (uint8_t)c;
		}
		ld->ndgroups++;
	}
	s->domain_mode = g_strdup("groups");
	return 0;
}

void vgs_ld_domain_free(struct vgs_ld *ld)
{
	g_free(ld->dgroups);
	g_free(ld->dorder);
	ld->dgroups = NULL;
	ld->dorder = NULL;
	ld->ndgroups = 0;
}

/* Append a domain of GPU gi with the engines whose class is in mask (and, if one >= 0, only that one). */
static void add_domain(struct vgs_scenario *s, uint32_t gi, uint32_t mask, int64_t one, const char *name,
		       uint32_t *cap)
{
	struct vgs_domain *d;
	uint32_t n = 0;

	for (uint32_t e = 0; e < s->nengines; e++)
		if (s->engines[e].gpu == gi && (mask & (1u << s->engines[e].cls)) && (one < 0 || e == one))
			n++;
	if (n == 0)
		return;
	if (s->ndomains == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		s->domains = g_renew(struct vgs_domain, s->domains, *cap);
	}
	d = &s->domains[s->ndomains++];
	memset(d, 0, sizeof(*d));
	d->gpu = gi;
	d->engines = g_new(uint32_t, n);
	for (uint32_t e = 0; e < s->nengines; e++)
		if (s->engines[e].gpu == gi && (mask & (1u << s->engines[e].cls)) && (one < 0 || e == one)) {
			d->engines[d->nengines++] = e;
			d->class_mask |= 1u << s->engines[e].cls;
		}
	snprintf(d->name, sizeof(d->name), "%s", name);
}

int vgs_ld_domains_build(struct vgs_ld *ld)
{
	struct vgs_scenario *s = ld->s;
	const uint32_t all = (1u << VGS_NCLASS) - 1;
	uint32_t cap = 0;

	for (uint32_t gi = 0; gi < s->ngpus; gi++) {
		uint32_t listed = 0;

		if (strcmp(s->domain_mode, "gpu") == 0) {
			add_domain(s, gi, all, -1, s->gpus[gi].name, &cap);
			continue;
		}
		for (uint32_t i = 0; i < ld->ndgroups; i++) {
			GString *nm = g_string_new(s->gpus[gi].name);

			for (int j = 0; j < VGS_NCLASS && ld->dorder[i][j] < VGS_NCLASS; j++)
				g_string_append_printf(nm, "%c%s", j ? '+' : '.', vgs_class_name(ld->dorder[i][j]));
			add_domain(s, gi, ld->dgroups[i], -1, nm->str, &cap);
			g_string_free(nm, TRUE);
			listed |= ld->dgroups[i];
		}
		for (uint32_t e = 0; e < s->nengines; e++)
			if (s->engines[e].gpu == gi && !(listed & (1u << s->engines[e].cls)))
				add_domain(s, gi, all, e, s->engines[e].name, &cap);
	}
	return 0;
}
