/*
 * Scenario loader: read a libconfig file (docs/config.md), apply command-line overrides, check every
 * group against its schema, and expand it into the flat arrays of struct vgs_scenario.
 *
 * Order of work, so that every message can name a file:line:
 *   1. parse (@include expanded by include.c: relative to the including file, then args->include_dir;
 *      absolute paths as they are);
 *   2. overrides: --set in order, then -p, --seed, --duration (models/scenario/override.c).  A setting an
 *      override touched carries the override's text as its libconfig hook, and errors about it name
 *      the override instead of a line it never had;
 *   3. validate + expand: simulation, gpus (profiles -> GPU instances -> engines), scheduler
 *      (policy, the selected policy's parameters, domains), vgpus (workloads, placement -> tenants).
 *
 * Steps 1 and 2 are in read.c.  Of step 3, this file holds the simulation and scheduler groups; the
 * GPU-profile part (configs/gpus/NAME.cfg, engine classes, domains) is in gpu.c, the vgpus list
 * and placement in vgpus.c, the schema helpers every group is checked with in schema.c.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libconfig.h>

#include "models/scenario/policy_load.h"
#include "models/scenario/pool_cfg.h"
#include "models/scenario/preset.h"
#include "models/scenario/scenario.h"
#include "models/scenario/load.h"
#include "models/workload/workload.h"

static const char *const preempt_names[] = { "command", "fine", "none" };


const char *vgs_preempt_name(int p)
{
	return (p >= 0 && p <= VGS_PREEMPT_NONE) ? preempt_names[p] : NULL;
}

/* ---- simulation ------------------------------------------------------------------------------ */

static int load_simulation(struct vgs_ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "name", "duration_s", "warmup_s", "seed", "trace_path", "vram_check",
					    NULL };
	/* 1e7 s (115 days) keeps every time in ns far below 2^64. */
	static const struct vgs_ld_range duration = { .required = true, .lo = 0, .lo_open = true, .hi = 1e7 };
	static const struct vgs_ld_range warmup = { .def = 0, .lo = 0, .hi = 1e7 };
	struct vgs_scenario *s = ld->s;
	config_setting_t *g;
	const char *name = NULL, *trace_path = NULL;
	double d, w;
	long long seed;

	if (vgs_ld_group(ld, root, "", "simulation", true, &g) < 0)
		return -1;
	if (vgs_ld_check_keys(ld, g, "simulation", keys) < 0 ||
	    vgs_ld_str(ld, g, "simulation", "name", false, NULL, &name) < 0 ||
	    (name && vgs_ld_ident(ld, g, "simulation", "name", name, 64) < 0) ||
	    vgs_ld_num(ld, g, "simulation", "duration_s", &duration, &d) < 0 ||
	    vgs_ld_num(ld, g, "simulation", "warmup_s", &warmup, &w) < 0 ||
	    vgs_ld_int(ld, g, "simulation", "seed", false, 1, 0, LLONG_MAX, &seed) < 0 ||
	    vgs_ld_str(ld, g, "simulation", "trace_path", false, NULL, &trace_path) < 0)
		return -1;
	if (vgs_ld_vram_check(ld, g, &s->vram_check) < 0)
		return -1;
	if (name) {
		s->name = g_strdup(name);
	} else {
		char *base = g_path_get_basename(ld->path);

		if (g_str_has_suffix(base, ".cfg"))
			base[strlen(base) - 4] = '\0';
		s->name = base;
	}
	s->duration_ns = vgs_ld_ns(d, 1e9);
	s->warmup_ns = vgs_ld_ns(w, 1e9);
	s->seed = (uint64_t)seed;
	return 0;
}

/* ---- scheduler ------------------------------------------------------------------------------- */

static int set_origin(struct vgs_ld *ld, const config_setting_t *st, char **file, int *line)
{
	const char *hook = config_setting_get_hook(st);

	if (hook) {
		*file = g_strdup(hook);
		*line = 0;
	} else {
		*file = vgs_ld_file(ld, config_setting_source_file(st));
		*line = config_setting_source_line(st);
	}
	return 0;
}

/* Append the scalars of group g (scheduler.<ctx>) to s->params, each with where it was set. */
static int load_params(struct vgs_ld *ld, const config_setting_t *g, const char *ctx)
{
	struct vgs_scenario *s = ld->s;
	int n = config_setting_length(g);

	s->params = g_renew(struct vgs_param, s->params, s->nparams + n + 1);
	for (int i = 0; i < n; i++) {
		const config_setting_t *st = config_setting_get_elem(g, i);
		struct vgs_param *p = &s->params[s->nparams];
		char *v;

		switch (config_setting_type(st)) {
		case CONFIG_TYPE_INT:
		case CONFIG_TYPE_INT64: v = g_strdup_printf("%lld", vgs_ld_int_of(st)); break;
		case CONFIG_TYPE_FLOAT: v = g_strdup_printf("%.17g", config_setting_get_float(st)); break;
		case CONFIG_TYPE_STRING: v = g_strdup(config_setting_get_string(st)); break;
		case CONFIG_TYPE_BOOL: v = g_strdup(config_setting_get_bool(st) ? "1" : "0"); break;
		default:
			return vgs_ld_fail(ld, st, "expected a number, string or boolean for %s.%s, got %s",
					   ctx, config_setting_name(st), vgs_ld_type_word(st));
		}
		p->key = g_strdup(config_setting_name(st));
		p->value = v;
		set_origin(ld, st, &p->file, &p->line);
		s->nparams++;
	}
	return 0;
}

/* A preset's own parameters come first, each "set" by the preset. */
static void preset_params(struct vgs_scenario *s, const struct vgs_preset *p)
{
	s->params = g_renew(struct vgs_param, s->params, s->nparams + p->nparams + 1);
	for (size_t i = 0; i < p->nparams; i++) {
		struct vgs_param *q = &s->params[s->nparams++];

		q->key = g_strdup(p->params[i].key);
		q->value = g_strdup(p->params[i].value);
		q->file = g_strdup_printf("preset %s", p->name);
		q->line = 0;
	}
}

static int load_scheduler(struct vgs_ld *ld, const config_setting_t *root)
{
	struct vgs_scenario *s = ld->s;
	config_setting_t *g, *pol, *dom, *pg;
	const char *policy;
	char *gname;
	int rc;

	if (vgs_ld_group(ld, root, "", "scheduler", true, &g) < 0)
		return -1;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *c = config_setting_get_elem(g, i);
		const char *n = config_setting_name(c);

		if (strcmp(n, "policy") != 0 && strcmp(n, "domain") != 0 && strcmp(n, "preset") != 0 &&
		    !config_setting_is_group(c))
			return vgs_ld_fail(ld, c, "unknown key '%s' in scheduler; expected policy, preset, domain, "
					   "or a parameter group { ... } named after a policy", n);
	}
	if (ld->preset) {
		/* vgs_ld_preset_apply() checked it: the preset's policy, its parameters, then the group
		 * named after the preset. */
		pol = config_setting_get_member(g, "preset");
		policy = ld->preset->policy;
		gname = g_strdup(ld->preset->name);
		s->preset = g_strdup(ld->preset->name);
		preset_params(s, ld->preset);
	} else {
		if (!config_setting_get_member(g, "policy"))
			return vgs_ld_fail(ld, g, "scheduler: expected policy = \"NAME\" (a policy or a .so path) or "
					   "preset = \"NAME\" (docs/presets.md)");
		if (vgs_ld_str(ld, g, "scheduler", "policy", true, NULL, &policy) < 0)
			return -1;
		pol = config_setting_get_member(g, "policy");
		if (!*policy)
			return vgs_ld_fail(ld, pol, "scheduler.policy must not be empty");
		/* Only the selected policy's group is read; the others stay for -p to switch to. */
		gname = vgs_policy_group_name(policy);
	}
	s->policy = g_strdup(policy);
	set_origin(ld, pol, &s->policy_file, &s->policy_line);

	pg = config_setting_get_member(g, gname);
	rc = 0;
	s->params_group = pg != NULL;
	if (pg) {
		char *ctx = vgs_ld_key("scheduler", gname);

		rc = load_params(ld, pg, ctx);
		g_free(ctx);
	} else if (!s->params) {
		s->params = g_new0(struct vgs_param, 1);
	}
	g_free(gname);
	if (rc < 0)
		return -1;

	dom = config_setting_get_member(g, "domain");
	return vgs_ld_domain_parse(ld, dom);
}

/* ---- spatial sharing ------------------------------------------------------------------------- */

/*
 * A spatial policy (one with the admit hook, docs/spatial.md) shares every GPU's SM engine between its
 * vGPUs: each GPU's profile must then say how many SMs it has.  A policy that does not load is left
 * for the run to report.
 */
static int check_spatial(struct vgs_ld *ld)
{
	struct vgs_scenario *s = ld->s;
	struct vgs_error ignored;
	const struct vgs_policy_ops *ops = vgs_policy_load_scenario(s, &ignored);

	s->spatial = ops && ops->admit;
	if (!s->spatial)
		return 0;
	for (uint32_t g = 0; g < s->ngpus; g++) {
		if (s->gpus[g].sms)
			continue;
		if (s->policy_line > 0)
			vgs_error_set(ld->err, "%s:%d: policy %s shares the SMs of GPU %s between vGPUs, but its "
				      "profile (%s) has no spatial = { sms = N; } group (docs/spatial.md)", s->policy_file,
				      s->policy_line, s->policy, s->gpus[g].name, s->gpus[g].profile);
		else
			vgs_error_set(ld->err, "%s: policy %s shares the SMs of GPU %s between vGPUs, but its profile "
				      "(%s) has no spatial = { sms = N; } group (docs/spatial.md)",
				      s->policy_file ? s->policy_file : "-p", s->policy, s->gpus[g].name,
				      s->gpus[g].profile);
		return -1;
	}
	return 0;
}

/*
 * The echo leaves out a GPU profile's `spatial` and `mig` groups when the run uses neither (no
 * spatial policy, no partition of that entry): they describe hardware the run does not model, and
 * adding them to a profile then changes no output of a scenario that does not use them.
 */
static void trim_unused_spatial(struct vgs_ld *ld)
{
	config_setting_t *list = config_setting_get_member(config_root_setting(&ld->cfg), "gpus");

	if (ld->s->spatial || !list)
		return;
	for (int i = 0; i < config_setting_length(list); i++) {
		config_setting_t *g = config_setting_get_elem(list, i);

		if (!config_setting_is_group(g) || config_setting_get_member(g, "mig_instances"))
			continue;
		if (config_setting_get_member(g, "spatial"))
			config_setting_remove(g, "spatial");
		if (config_setting_get_member(g, "mig"))
			config_setting_remove(g, "mig");
	}
}

/* A profile's `nvlink` group matters only where vGPUs move between GPUs: left out of the echo
 * otherwise, like the spatial groups above. */
static void trim_unused_nvlink(struct vgs_ld *ld)
{
	config_setting_t *list = config_setting_get_member(config_root_setting(&ld->cfg), "gpus");

	if (ld->s->pool || ld->s->nmigrations || !list)
		return;
	for (int i = 0; i < config_setting_length(list); i++) {
		config_setting_t *g = config_setting_get_elem(list, i);

		if (config_setting_is_group(g) && config_setting_get_member(g, "nvlink"))
			config_setting_remove(g, "nvlink");
	}
}

/* ---- entry points ---------------------------------------------------------------------------- */

static int make_echo(struct vgs_ld *ld)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		vgs_error_set(ld->err, "%s: out of memory", ld->path);
		return -1;
	}
	config_write(&ld->cfg, f);
	fclose(f);
	ld->s->echo = g_strdup(buf ? buf : "");
	free(buf);
	return 0;
}

int vgs_scenario_load(struct vgs_scenario *s, const struct vgs_load_args *args, struct vgs_error *err)
{
	static const char *const top_keys[] = { "simulation", "placement", "gpus", "scheduler", "vgpus",
						"requests", "pool", "metering", "migrations", "migration",
						"interconnect", NULL };
	struct vgs_ld ld = { .s = s, .err = err };
	const config_setting_t *root;
	char *dir;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (!args || !args->path) {
		vgs_error_set(err, "no configuration file given");
		return -1;
	}
	ld.path = args->path;
	dir = g_path_get_dirname(args->path);
	ld.cfgdir = dir;
	ld.labels = g_ptr_array_new_with_free_func(g_free);
	ld.src_files = g_ptr_array_new_with_free_func(g_free);
	ld.src_lines = g_array_new(FALSE, FALSE, 2 * sizeof(uint32_t));
	config_init(&ld.cfg);
	s->path = g_strdup(args->path);

	if (vgs_ld_config_read(&ld, args->include_dir) < 0 || vgs_ld_ints_check(&ld) < 0 ||
	    vgs_ld_overrides_apply(&ld, args) < 0 || vgs_ld_preset_apply(&ld) < 0)
		goto out;
	root = config_root_setting(&ld.cfg);
	if (vgs_ld_check_keys(&ld, root, "", top_keys) < 0 || load_simulation(&ld, root) < 0 ||
	    vgs_ld_gpus_load(&ld, root) < 0 || load_scheduler(&ld, root) < 0 ||
	    vgs_ld_domains_build(&ld) < 0 || vgs_ld_vgpus_load(&ld, root) < 0 || check_spatial(&ld) < 0 ||
	    vgs_ld_pool_load(&ld, root) < 0 || vgs_ld_requests_load(&ld, root) < 0)
		goto out;
	trim_unused_spatial(&ld);
	trim_unused_nvlink(&ld);
	if (make_echo(&ld) < 0)
		goto out;
	rc = 0;
out:
	vgs_ld_domain_free(&ld);
	config_destroy(&ld.cfg);
	g_ptr_array_free(ld.labels, TRUE);
	g_ptr_array_free(ld.src_files, TRUE);
	g_array_free(ld.src_lines, TRUE);
	g_free(dir);
	if (rc < 0)
		vgs_scenario_fini(s);
	return rc;
}

void vgs_scenario_fini(struct vgs_scenario *s)
{
	if (!s)
		return;
	g_free(s->path);
	g_free(s->name);
	g_free(s->policy);
	g_free(s->preset);
	g_free(s->policy_file);
	g_free(s->domain_mode);
	for (size_t i = 0; i < s->nparams; i++) {
		g_free(s->params[i].key);
		g_free(s->params[i].value);
		g_free(s->params[i].file);
	}
	g_free(s->params);
	for (uint32_t i = 0; i < s->ngpus; i++) {
		g_free(s->gpus[i].name);
		g_free(s->gpus[i].profile);
		g_free(s->gpus[i].model);
		g_free(s->gpus[i].mig_profile);
	}
	g_free(s->gpus);
	vgs_ld_mig_geoms_free(s);
	g_free(s->engines);
	for (uint32_t i = 0; i < s->ndomains; i++)
		g_free(s->domains[i].engines);
	g_free(s->domains);
	for (uint32_t i = 0; i < s->ntenants; i++) {
		if (s->tenants[i].replica == 0 && s->tenants[i].workload)
			vgs_workload_spec_free(s->tenants[i].workload);
		g_free(s->tenants[i].name);
		g_free(s->tenants[i].group);
	}
	g_free(s->tenants);
	vgs_pool_cfg_free(s->pool);
	vgs_metering_cfg_free(s->metering);
	g_free(s->migrations);
	g_free(s->interconnect.platform);
	g_free(s->echo);
	memset(s, 0, sizeof(*s));
}
