/* Built-in policies by name, user policies from a shared object by path (GModule). */
#include <string.h>

#include <glib.h>
#include <gmodule.h>

#include "models/policy_load.h"

bool vgs_policy_is_path(const char *name)
{
	size_t n = strlen(name);

	return strchr(name, '/') || (n > 3 && strcmp(name + n - 3, ".so") == 0);
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
		ops = vgs_policy_find(name);
		if (!ops) {
			GString *names = g_string_new(NULL);

			for (int i = 0; vgs_policy_builtins[i]; i++)
				g_string_append_printf(names, "%s%s", i ? ", " : "", vgs_policy_builtins[i]->name);
			vgs_error_set(err, "unknown policy '%s'; expected one of: %s, or a path to a .so", name,
				      names->str);
			g_string_free(names, TRUE);
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
