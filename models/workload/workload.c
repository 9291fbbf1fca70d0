/*
 * Workload specs and instances: the public API of models/workload/workload.h dispatched to the kinds
 * (gen_game.c, gen_train.c, gen_infer.c, gen_adversary.c, gen_sidechannel.c, trace.c) through struct
 * vgs_wl_kind.  The
 * kinds read their keys with keys.c and build commands with cmds.c; nothing there calls back here.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "models/workload/workload_priv.h"

static const struct vgs_wl_kind *const kinds[] = { &vgs_wl_game, &vgs_wl_train, &vgs_wl_infer, &vgs_wl_adversary,
						    &vgs_wl_trace, &vgs_wl_victim, &vgs_wl_probe };

uint64_t vgs_workload_seed(uint64_t scenario_seed, uint32_t rng_stream)
{
	return scenario_seed * 0x9e3779b97f4a7c15ull + rng_stream + 1;
}

static int check_keys(const config_setting_t *g, const struct vgs_wl_kind *kind, struct vgs_error *err)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(m);
		bool known = false;

		for (const char *const *k = kind->keys; *k && !known; k++)
			known = strcmp(*k, name) == 0;
		if (known)
			continue;
		GString *list = g_string_new(NULL);

		for (const char *const *k = kind->keys; *k; k++)
			g_string_append_printf(list, "%s%s", k == kind->keys ? "" : ", ", *k);
		vgs_error_set(err, "%s: unknown key '%s' in workload (%s); expected one of: %s", vgs_wl_where(m),
			      name, kind->name, list->str);
		g_string_free(list, TRUE);
		return -1;
	}
	return 0;
}

int vgs_workload_spec_parse(const config_setting_t *setting, const char *config_dir,
			    struct vgs_workload_spec **out, struct vgs_error *err)
{
	const struct vgs_wl_kind *kind = NULL;
	const char *type = NULL;
	const config_setting_t *ts;

	*out = NULL;
	if (!config_setting_is_group(setting)) {
		vgs_error_set(err, "%s: workload: expected a group { type = \"game\" | \"train\" | \"infer\" | "
			      "\"adversary\"; ... } "
			      "or { trace = \"FILE\"; ... }", vgs_wl_where(setting));
		return -1;
	}
	ts = config_setting_get_member(setting, "type");
	if (ts) {
		if (config_setting_type(ts) != CONFIG_TYPE_STRING) {
			vgs_error_set(err, "%s: workload key 'type': expected a string \"game\" | \"train\" | "
				      "\"infer\" | \"adversary\" | \"trace\"", vgs_wl_where(ts));
			return -1;
		}
		type = config_setting_get_string(ts);
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (strcmp(kinds[i]->name, type) == 0)
				kind = kinds[i];
		if (!kind) {
			vgs_error_set(err, "%s: workload type '%s': expected \"game\", \"train\", \"infer\", "
				      "\"adversary\", \"victim\", \"probe\" or \"trace\"", vgs_wl_where(ts), type);
			return -1;
		}
		if (kind != &vgs_wl_trace && config_setting_get_member(setting, "trace")) {
			const config_setting_t *tr = config_setting_get_member(setting, "trace");

			vgs_error_set(err, "%s: workload has both type = \"%s\" and trace; expected one of them",
				      vgs_wl_where(tr), type);
			return -1;
		}
	} else if (config_setting_get_member(setting, "trace")) {
		kind = &vgs_wl_trace;
	} else {
		vgs_error_set(err, "%s: workload: expected a 'type' (\"game\", \"train\", \"infer\", "
			      "\"adversary\") or a "
			      "'trace' = \"FILE\"", vgs_wl_where(setting));
		return -1;
	}
	if (check_keys(setting, kind, err) != 0)
		return -1;

	struct vgs_workload_spec *spec = calloc(1, sizeof(*spec));

	if (!spec) {
		vgs_error_set(err, "%s: workload: out of memory", vgs_wl_where(setting));
		return -1;
	}
	spec->kind = kind;
	spec->where = g_strdup(vgs_wl_where(setting));
	if (kind->parse(spec, setting, config_dir, err) != 0)
		goto err_spec;
	if (!spec->unit_name)
		spec->unit_name = g_strdup("unit");
	if (!spec->describe)
		spec->describe = g_strdup(kind->name);
	*out = spec;
	return 0;

err_spec:
	vgs_workload_spec_free(spec);
	return -1;
}

void vgs_workload_spec_free(struct vgs_workload_spec *spec)
{
	if (!spec)
		return;
	if (spec->kind && spec->kind->spec_fini)
		spec->kind->spec_fini(spec);
	g_free(spec->where);
	g_free(spec->translate_from);
	g_free(spec->describe);
	g_free(spec->unit_name);
	g_free(spec->mem.ops);
	g_free(spec->mem.first);
	g_free(spec->mem.count);
	free(spec);
}

void vgs_workload_spec_vgpu(struct vgs_workload_spec *spec, const struct vgs_wl_vgpu *v)
{
	if (spec->kind->vgpu)
		spec->kind->vgpu(spec, v);
}

const char *vgs_workload_unit_name(const struct vgs_workload_spec *spec)
{
	return spec->unit_name;
}

const char *vgs_workload_describe(const struct vgs_workload_spec *spec)
{
	return spec->describe;
}

double vgs_workload_offered(const struct vgs_workload_spec *spec, int cls)
{
	return cls >= 0 && cls < VGS_NCLASS ? spec->offered_ns_per_s[cls] : 0.0;
}

const char *vgs_workload_translate_from(const struct vgs_workload_spec *spec)
{
	return spec->translate_from;
}

void vgs_workload_translate(struct vgs_workload_spec *spec, const struct vgs_kspeed *from, const double *engine)
{
	if (spec->kind->translate)
		spec->kind->translate(spec, from, engine);
}

uint32_t vgs_workload_class_mask(const struct vgs_workload_spec *spec)
{
	return spec->class_mask;
}

bool vgs_workload_latency_sensitive(const struct vgs_workload_spec *spec)
{
	return spec->latency_sensitive;
}

const char *vgs_workload_where(const struct vgs_workload_spec *spec)
{
	return spec->where;
}

struct vgs_workload *vgs_workload_new(const struct vgs_workload_spec *spec, uint64_t seed)
{
	struct vgs_workload *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->spec = spec;
	if (spec->kind->inst_init(w, seed) != 0) {
		free(w);
		return NULL;
	}
	return w;
}

int vgs_workload_next(struct vgs_workload *w, uint64_t now_ns, struct vgs_cmd *cmd)
{
	struct vgs_cmd c;
	int r = w->spec->kind->next(w, now_ns, &c);

	if (r != VGS_WL_END) /* *cmd is left alone at the end */
		*cmd = c;
	return r;
}

const struct vgs_mem_op *vgs_workload_mem(const struct vgs_workload *w, uint32_t mem, uint32_t *n)
{
	const struct vgs_mem_table *t = &w->spec->mem;

	if (mem == 0 || mem > t->nsets) {
		*n = 0;
		return NULL;
	}
	*n = t->count[mem - 1];
	return t->ops + t->first[mem - 1];
}

bool vgs_workload_has_memory(const struct vgs_workload_spec *spec)
{
	return spec->mem.nsets > 0;
}

uint64_t vgs_workload_dropped_units(const struct vgs_workload *w)
{
	return w->dropped;
}

void vgs_workload_free(struct vgs_workload *w)
{
	if (!w)
		return;
	if (w->spec->kind->inst_fini)
		w->spec->kind->inst_fini(w);
	free(w);
}

const char *vgs_workload_kind(const struct vgs_workload_spec *spec)
{
	return spec->kind->name;
}
