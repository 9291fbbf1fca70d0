/* Built-in policies by name, user policies from a shared object by path (GModule). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <gmodule.h>

#include "models/scenario/policy_load.h"
#include "models/scenario/preset.h"

bool vgs_policy_is_path(const char *name)
{
	size_t n = strlen(name);

	return strchr(name, '/') || (n > 3 && strcmp(name + n - 3, ".so") == 0);
}

char *vgs_policy_group_name(const char *policy)
{
	char *base, *stem;

	if (!vgs_policy_is_path(policy))
		return g_strdup(policy);
	base = g_path_get_basename(policy);
	if (g_str_has_suffix(base, ".so"))
		base[strlen(base) - 3] = '\0';
	stem = g_strdup(g_str_has_prefix(base, "lib") && base[3] ? base + 3 : base);
	g_free(base);
	return stem;
}

static bool ops_complete(const struct vgs_policy_ops *ops)
{
	return ops->name && ops->summary && ops->init && ops->fini && ops->add_vgpu && ops->pick_next &&
	       ops->charge && (ops->set_param || !ops->params);
}

const struct vgs_policy_ops *vgs_policy_load(const char *name, struct vgs_error *err)
{
	const struct vgs_policy_ops *ops;
	GModule *mod;
	gpointer sym = NULL;

	if (!vgs_policy_is_path(name)) {
		const struct vgs_preset *p = vgs_preset_find(name);

		ops = vgs_policy_find(p ? p->policy : name);
		if (!ops) {
			GString *names = g_string_new(NULL);
			char *presets = vgs_preset_names();

			for (int i = 0; vgs_policy_builtins[i]; i++)
				g_string_append_printf(names, "%s%s", i ? ", " : "", vgs_policy_builtins[i]->name);
			vgs_error_set(err, "unknown policy '%s'; expected one of: %s, a preset (%s), or a path to a .so",
				      name, names->str, presets);
			g_string_free(names, TRUE);
			g_free(presets);
		}
		return ops;
	}
	/* The module stays loaded for the life of the process: policies are used until exit. */
	mod = g_module_open(name, G_MODULE_BIND_LOCAL);
	if (!mod) {
		vgs_error_set(err, "cannot load policy '%s': %s", name, g_module_error());
		return NULL;
	}
	if (!g_module_symbol(mod, VGS_POLICY_SYMBOL, &sym) || !sym) {
		vgs_error_set(err, "policy '%s' does not export the symbol '%s' (see docs/policies.md)", name,
			      VGS_POLICY_SYMBOL);
		g_module_close(mod);
		return NULL;
	}
	ops = sym;
	if (!ops_complete(ops)) {
		vgs_error_set(err, "policy '%s': its ops table lacks a required member (name, summary, init, fini, "
			      "add_vgpu, pick_next, charge; set_param when it has params)", name);
		g_module_close(mod);
		return NULL;
	}
	g_module_make_resident(mod);
	return ops;
}

void vgs_policy_param_error(const struct vgs_policy_ops *ops, const struct vgs_scenario *s, int rc, int bad,
			    struct vgs_error *err)
{
	const struct vgs_param *p;
	GString *known;
	char where[512];

	if (bad < 0 || (size_t)bad >= s->nparams) {
		vgs_error_set(err, "policy %s failed to initialise (error %d)", ops->name, rc);
		return;
	}
	p = &s->params[bad];
	known = g_string_new(NULL);
	for (const struct vgs_policy_param *pp = ops->params; pp && pp->name; pp++)
		g_string_append_printf(known, "%s%s", known->len ? ", " : "", pp->name);
	if (p->line > 0)
		snprintf(where, sizeof(where), "%s:%d", p->file, p->line);
	else
		snprintf(where, sizeof(where), "%s", p->file);
	vgs_error_set(err, "%s: %s '%s = %s' for policy %s; its parameters: %s", where,
		      rc == -ENOENT ? "unknown parameter" : "invalid value in", p->key, p->value, ops->name,
		      known->len ? known->str : "(none)");
	g_string_free(known, TRUE);
}

int vgs_policy_check_params(const struct vgs_policy_ops *ops, const struct vgs_scenario *s,
			    struct vgs_error *err)
{
	struct vgs_sched_param *params = g_new0(struct vgs_sched_param, s->nparams + 1);
	struct vgs_sched sched;
	int bad = -1, rc;

	for (size_t i = 0; i < s->nparams; i++) {
		params[i].key = s->params[i].key;
		params[i].value = s->params[i].value;
	}
	struct vgs_sched_args args = {
		.ops = ops,
		.max_vgpus = s->ngpus && s->gpus[0].max_vgpus ? s->gpus[0].max_vgpus : 1,
		.params = params,
		.nparams = s->nparams,
		.bad_param = &bad,
	};
	rc = vgs_sched_init(&sched, &args);
	g_free(params);
	if (rc) {
		vgs_policy_param_error(ops, s, rc, bad, err);
		return -1;
	}
	vgs_sched_fini(&sched);
	return 0;
}

const struct vgs_policy_ops *vgs_policy_load_scenario(const struct vgs_scenario *scn, struct vgs_error *err)
{
	char *path = NULL;
	const struct vgs_policy_ops *ops;

	/* A relative .so path written in a config is relative to that config, like trace paths. */
	if (vgs_policy_is_path(scn->policy) && !g_path_is_absolute(scn->policy) && scn->policy_line > 0) {
		char *dir = g_path_get_dirname(scn->policy_file);

		path = g_build_filename(dir, scn->policy, NULL);
		g_free(dir);
		if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
			g_free(path);
			path = NULL;
		}
	}
	ops = vgs_policy_load(path ? path : scn->policy, err);
	g_free(path);
	if (!ops) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		if (scn->policy_line > 0)
			vgs_error_set(err, "%s:%d: %s", scn->policy_file, scn->policy_line, msg);
		else
			vgs_error_set(err, "%s: %s", scn->policy_file ? scn->policy_file : "-p", msg);
	}
	return ops;
}

int vgs_policy_sched_init(struct vgs_sched *s, const struct vgs_policy_ops *ops, const struct vgs_scenario *scn,
			  uint32_t gpu, struct vgs_error *err)
{
	struct vgs_sched_param *params = g_new0(struct vgs_sched_param, scn->nparams + 1);
	int bad = -1, rc;

	for (size_t p = 0; p < scn->nparams; p++) {
		params[p].key = scn->params[p].key;
		params[p].value = scn->params[p].value;
	}
	struct vgs_sched_args args = {
		.ops = ops,
		.max_vgpus = scn->gpus[gpu].max_vgpus ? scn->gpus[gpu].max_vgpus : 1,
		.params = params,
		.nparams = scn->nparams,
		.bad_param = &bad,
	};
	rc = vgs_sched_init(s, &args);
	g_free(params);
	if (rc) {
		vgs_policy_param_error(ops, scn, rc, bad, err);
		return -1;
	}
	return 0;
}
