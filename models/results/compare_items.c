/*
 * `vgpusim compare`'s policy items (compare.h): parsing `-p POLICY[:KEY=VALUE]...,...`, the name of
 * each item's results directory, and the --set overrides that give an item's parameters to its run.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "models/results/compare.h"
#include "models/scenario/policy_load.h"

/* ---- items ----------------------------------------------------------------------------------- */

static bool is_ident(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* Directory-safe copy: [A-Za-z0-9._=+-] kept, anything else '_'. */
static void sanitise(GString *out, const char *s)
{
	for (; *s; s++)
		g_string_append_c(out, (isalnum((unsigned char)*s) || strchr("._=+-", *s)) ? *s : '_');
}

static int item_parse(const char *text, struct vgs_compare_item *it, struct vgs_error *err)
{
	char **parts = g_strsplit(text, ":", -1);
	guint n = g_strv_length(parts);
	GString *name;
	int rc = -1;

	memset(it, 0, sizeof(*it));
	it->text = g_strdup(text);
	if (n == 0 || !*parts[0]) {
		vgs_error_set(err, "-p: empty policy in '%s'; expected POLICY[:KEY=VALUE]... separated by commas",
			      text);
		goto out;
	}
	it->policy = g_strdup(parts[0]);
	it->group = vgs_policy_group_name(it->policy);
	it->keys = g_new0(char *, n);
	it->values = g_new0(char *, n);
	for (guint i = 1; i < n; i++) {
		char *eq = strchr(parts[i], '=');

		if (!eq || eq == parts[i] || !eq[1]) {
			vgs_error_set(err, "-p %s: expected KEY=VALUE after ':', got '%s'", text, parts[i]);
			goto out;
		}
		*eq = '\0';
		if (!is_ident(parts[i])) {
			vgs_error_set(err, "-p %s: parameter name '%s' is not an identifier ([A-Za-z_][A-Za-z0-9_]*)",
				      text, parts[i]);
			goto out;
		}
		for (size_t k = 0; k < it->nparams; k++)
			if (strcmp(it->keys[k], parts[i]) == 0) {
				vgs_error_set(err, "-p %s: parameter '%s' given twice", text, parts[i]);
				goto out;
			}
		it->keys[it->nparams] = g_strdup(parts[i]);
		it->values[it->nparams++] = g_strdup(eq + 1);
	}
	name = g_string_new(NULL);
	sanitise(name, it->group);
	for (size_t k = 0; k < it->nparams; k++) {
		g_string_append_printf(name, "-%s=", it->keys[k]);
		sanitise(name, it->values[k]);
	}
	it->name = g_string_free(name, FALSE);
	if (strcmp(it->policy, VGS_COMPARE_MIG_ITEM) == 0 && it->nparams) {
		vgs_error_set(err, "-p %s: the item mig takes no parameters (it runs the config's own policy)", text);
		goto out;
	}
	if (it->name[0] == '.' || !strcmp(it->name, VGS_COMPARE_SOLO_DIR) ||
	    !strcmp(it->name, VGS_COMPARE_PLOTS_DIR)) {
		vgs_error_set(err, "-p %s: its results directory would be '%s', which compare uses for something "
			      "else; rename the policy", text, it->name);
		goto out;
	}
	rc = 0;
out:
	g_strfreev(parts);
	return rc;
}

bool vgs_compare_item_is_mig(const struct vgs_compare_item *it)
{
	return strcmp(it->policy, VGS_COMPARE_MIG_ITEM) == 0;
}

static void item_free(struct vgs_compare_item *it)
{
	for (size_t k = 0; k < it->nparams; k++) {
		g_free(it->keys[k]);
		g_free(it->values[k]);
	}
	g_free(it->keys);
	g_free(it->values);
	g_free(it->text);
	g_free(it->policy);
	g_free(it->group);
	g_free(it->name);
}

int vgs_compare_items_parse(const char *list, struct vgs_compare_item **items, size_t *nitems,
			    struct vgs_error *err)
{
	char **texts = g_strsplit(list, ",", -1);
	guint n = g_strv_length(texts);
	struct vgs_compare_item *its = g_new0(struct vgs_compare_item, n ? n : 1);
	size_t done = 0;
	int rc = -1;

	if (n == 0) {
		vgs_error_set(err, "-p: expected a comma-separated list of policies, got nothing");
		goto out;
	}
	for (; done < n; done++) {
		if (item_parse(texts[done], &its[done], err) < 0) {
			done++;
			goto out;
		}
		for (size_t k = 0; k < done; k++)
			if (strcmp(its[k].name, its[done].name) == 0) {
				vgs_error_set(err, "-p: '%s' and '%s' would both write their results to '%s'; give "
					      "them different parameters", its[k].text, its[done].text, its[done].name);
				done++;
				goto out;
			}
	}
	rc = 0;
out:
	g_strfreev(texts);
	if (rc < 0) {
		vgs_compare_items_free(its, done);
		its = NULL;
		done = 0;
	}
	*items = its;
	*nitems = done;
	return rc;
}

void vgs_compare_items_free(struct vgs_compare_item *items, size_t nitems)
{
	for (size_t i = 0; items && i < nitems; i++)
		item_free(&items[i]);
	g_free(items);
}

/* A libconfig literal for VALUE: numbers, booleans and quoted strings as written, anything else quoted. */
static char *literal(const char *v)
{
	char *end;
	GString *q;

	if (v[0] == '"' || !g_ascii_strcasecmp(v, "true") || !g_ascii_strcasecmp(v, "false"))
		return g_strdup(v);
	errno = 0;
	g_ascii_strtod(v, &end);
	if (!*end && end != v && !isalpha((unsigned char)v[0]))
		return g_strdup(v);
	q = g_string_new("\"");
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			g_string_append_c(q, '\\');
		g_string_append_c(q, *v);
	}
	g_string_append_c(q, '"');
	return g_string_free(q, FALSE);
}

void vgs_compare_item_overrides(const struct vgs_compare_item *it, bool group_exists, GPtrArray *argv)
{
	GString *grp;

	if (it->nparams == 0)
		return;
	if (group_exists) {
		for (size_t k = 0; k < it->nparams; k++) {
			char *lit = literal(it->values[k]);

			g_ptr_array_add(argv, g_strdup("--set"));
			g_ptr_array_add(argv, g_strdup_printf("scheduler.%s.%s=%s", it->group, it->keys[k], lit));
			g_free(lit);
		}
		return;
	}
	grp = g_string_new(NULL);
	g_string_append_printf(grp, "scheduler.%s={", it->group);
	for (size_t k = 0; k < it->nparams; k++) {
		char *lit = literal(it->values[k]);

		g_string_append_printf(grp, " %s = %s;", it->keys[k], lit);
		g_free(lit);
	}
	g_string_append(grp, " }");
	g_ptr_array_add(argv, g_strdup("--set"));
	g_ptr_array_add(argv, g_string_free(grp, FALSE));
}

