/*
 * Steps 1 and 2 of the scenario loader (scenario.c): the config file as a libconfig tree, with the
 * command-line overrides applied, ready for the groups to be checked against their schema.
 *
 * The @include directives are expanded by include.c before libconfig parses the text, and every
 * setting is given back the file and line it was written at; a decimal literal that libconfig wrapped
 * to 32 bits is refused.  Overrides (--set in order, then -p, --seed, --duration) go
 * through override.c, each labelled with its command-line text for later messages.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libconfig.h>

#include "models/scenario/override.h"
#include "models/scenario/scenario.h"
#include "models/scenario/load.h"

int vgs_ld_config_read(struct vgs_ld *ld, const char *extra_dir)
{
	char *text = vgs_ld_include_expand(ld, extra_dir);
	const char *file;
	unsigned line;

	if (!text)
		return -1;
	if (config_read_string(&ld->cfg, text)) {
		g_free(text);
		vgs_ld_include_relocate(ld, config_root_setting(&ld->cfg));
		return 0;
	}
	g_free(text);
	if (!vgs_ld_include_locate(ld, (unsigned)config_error_line(&ld->cfg), &file, &line)) {
		file = ld->path; /* an error at the end of the text: after its last line */
		line = (unsigned)config_error_line(&ld->cfg);
		if (ld->src_lines->len && line > ld->src_lines->len)
			vgs_ld_include_locate(ld, ld->src_lines->len, &file, &line);
	}
	vgs_error_set(ld->err, "%s:%u: %s", file, line, config_error_text(&ld->cfg));
	return -1;
}

/*
 * libconfig 1.5 reads a decimal integer beyond 32 bits without an `L` suffix as an int, silently
 * wrapped (99999999999 becomes 1215752191).  Find such settings by reading their literal back from
 * the source line, and refuse them rather than run with a wrong number.
 */
static char **source_lines(struct vgs_ld *ld, GHashTable *cache, const char *f)
{
	char *path = vgs_ld_file(ld, f), *text = NULL;
	char **lines = g_hash_table_lookup(cache, path);

	if (lines) {
		g_free(path);
		return lines;
	}
	if (!g_file_get_contents(path, &text, NULL, NULL))
		text = g_strdup("");
	lines = g_strsplit(text, "\n", -1);
	g_free(text);
	g_hash_table_insert(cache, path, lines);
	return lines;
}

static int check_wrapped(struct vgs_ld *ld, const config_setting_t *st, GHashTable *cache)
{
	const char *name = config_setting_name(st), *f = config_setting_source_file(st);
	unsigned line = config_setting_source_line(st);
	char **lines;
	size_t nl = strlen(name ? name : "");

	if (config_setting_is_aggregate(st)) {
		for (int i = 0; i < config_setting_length(st); i++)
			if (check_wrapped(ld, config_setting_get_elem(st, i), cache) < 0)
				return -1;
		return 0;
	}
	if (config_setting_type(st) != CONFIG_TYPE_INT || !name || !f || !line)
		return 0;
	lines = source_lines(ld, cache, f);
	if (line > g_strv_length(lines))
		return 0;
	for (const char *p = lines[line - 1]; (p = strstr(p, name)); p += nl) {
		const char *q = p + nl;
		char *end;
		long long v;

		if (p > lines[line - 1] && (g_ascii_isalnum(p[-1]) || strchr("_-*", p[-1])))
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=' && *q != ':')
			continue;
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
			continue;
		errno = 0;
		v = strtoll(q, &end, 10);
		if (end == q || *end == 'L' || (errno != ERANGE && v >= INT_MIN && v <= INT_MAX))
			continue;
		if (errno == ERANGE || (int)(uint32_t)(uint64_t)v == config_setting_get_int(st))
			return vgs_ld_fail(ld, st, "integer %.*s for '%s' does not fit in 32 bits; write it with "
					   "an L suffix (%.*sL)", (int)(end - q), q, name, (int)(end - q), q);
	}
	return 0;
}

int vgs_ld_ints_check(struct vgs_ld *ld)
{
	GHashTable *cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_strfreev);
	int rc = check_wrapped(ld, config_root_setting(&ld->cfg), cache);

	g_hash_table_destroy(cache);
	return rc;
}

static const char *label(struct vgs_ld *ld, char *text)
{
	g_ptr_array_add(ld->labels, text);
	return text;
}

static char *quote(const char *s)
{
	GString *q = g_string_new("\"");

	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_c(q, '\\');
		g_string_append_c(q, *s);
	}
	g_string_append_c(q, '"');
	return g_string_free(q, FALSE);
}

int vgs_ld_overrides_apply(struct vgs_ld *ld, const struct vgs_load_args *a)
{
	char lit[64];

	for (size_t i = 0; i < a->noverrides; i++) {
		const struct vgs_override *o = &a->overrides[i];
		const char *l = label(ld, g_strdup_printf("--set %s=%s", o->path ? o->path : "",
							  o->value ? o->value : ""));

		if (!o->path || !o->value) {
			vgs_error_set(ld->err, "%s: expected PATH=VALUE", l);
			return -1;
		}
		if (vgs_override_apply(&ld->cfg, o->path, o->value, l, ld->err) < 0)
			return -1;
	}
	if (a->policy) {
		char *q = quote(a->policy);
		int rc = vgs_ld_select_policy(ld, a->policy, q, label(ld, g_strdup_printf("-p %s", a->policy)));

		g_free(q);
		if (rc < 0)
			return -1;
	}
	if (a->have_seed) {
		snprintf(lit, sizeof(lit), "%lluL", (unsigned long long)a->seed);
		if (a->seed > (uint64_t)LLONG_MAX) {
			vgs_error_set(ld->err, "--seed %llu: must be <= %lld", (unsigned long long)a->seed,
				      LLONG_MAX);
			return -1;
		}
		if (vgs_override_apply(&ld->cfg, "simulation.seed", lit,
				       label(ld, g_strdup_printf("--seed %llu", (unsigned long long)a->seed)),
				       ld->err) < 0)
			return -1;
	}
	if (a->duration_s > 0) {
		snprintf(lit, sizeof(lit), "%.17g", a->duration_s);
		if (!strpbrk(lit, ".eEn"))
			strcat(lit, ".0");
		if (vgs_override_apply(&ld->cfg, "simulation.duration_s", lit,
				       label(ld, g_strdup_printf("--duration %g", a->duration_s)), ld->err) < 0)
			return -1;
	}
	return 0;
}
