/*
 * Schema helpers of the scenario loader: typed getters with range checks, the unknown-key check,
 * and the "FILE:LINE: " (or "--set PATH=VALUE: ") prefix of every message.  See load.h.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <libconfig.h>

#include "models/scenario/scenario.h"
#include "models/scenario/load.h"
/* ---- messages ------------------------------------------------------------------------------- */

char *vgs_ld_file(const struct vgs_ld *ld, const char *f)
{
	/* Settings carry the file as include.c named it (relative to the working directory). */
	return g_strdup(f ? f : ld->path);
}

char *vgs_ld_where(const struct vgs_ld *ld, const config_setting_t *st)
{
	for (; st; st = config_setting_parent(st)) {
		const char *hook = config_setting_get_hook(st);
		const char *f = config_setting_source_file(st);

		if (hook)
			return g_strdup(hook);
		if (f) {
			char *d = vgs_ld_file(ld, f);
			unsigned line = config_setting_source_line(st);
			char *w = g_strdup_printf("%s:%u", d, line ? line : 1); /* the root has no line */

			g_free(d);
			return w;
		}
	}
	return g_strdup_printf("%s:1", ld->path);
}

int vgs_ld_fail(struct vgs_ld *ld, const config_setting_t *st, const char *fmt, ...)
{
	char msg[900];
	char *w = vgs_ld_where(ld, st);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vgs_error_set(ld->err, "%s: %s", w, msg);
	g_free(w);
	return -1;
}

const char *vgs_ld_type_word(const config_setting_t *st)
{
	switch (config_setting_type(st)) {
	case CONFIG_TYPE_GROUP: return "a group";
	case CONFIG_TYPE_LIST: return "a list";
	case CONFIG_TYPE_ARRAY: return "an array";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_FLOAT: return "a float";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	}
	return "nothing";
}

char *vgs_ld_key(const char *ctx, const char *key)
{
	return g_strdup_printf("%s%s%s", ctx, *ctx ? "." : "", key);
}

static const char *ctx_word(const char *ctx)
{
	return *ctx ? ctx : "the top level";
}

/* ---- schema helpers -------------------------------------------------------------------------- */

static unsigned edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned *row = g_new(unsigned, lb + 1), r;

	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	r = row[lb];
	g_free(row);
	return r;
}

int vgs_ld_check_keys(struct vgs_ld *ld, const config_setting_t *g, const char *ctx,
		      const char *const *keys)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *c = config_setting_get_elem(g, i);
		const char *name = config_setting_name(c);
		const char *near = NULL;
		GString *all;
		bool ok = false;

		for (size_t k = 0; keys[k]; k++) {
			if (strcmp(name, keys[k]) == 0)
				ok = true;
			else if (!near && edit_distance(name, keys[k]) <= 2)
				near = keys[k];
		}
		if (ok)
			continue;
		all = g_string_new(NULL);
		for (size_t k = 0; keys[k]; k++)
			g_string_append_printf(all, "%s%s", k ? ", " : "", keys[k]);
		vgs_ld_fail(ld, c, "unknown key '%s' in %s%s%s%s; expected one of: %s", name, ctx_word(ctx),
			    near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "", all->str);
		g_string_free(all, TRUE);
		return -1;
	}
	return 0;
}

static int missing(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, const char *key)
{
	return vgs_ld_fail(ld, g, "missing required key '%s' in %s", key, ctx_word(ctx));
}

double vgs_ld_number_of(const config_setting_t *st)
{
	switch (config_setting_type(st)) {
	case CONFIG_TYPE_FLOAT: return config_setting_get_float(st);
	case CONFIG_TYPE_INT: return config_setting_get_int(st);
	case CONFIG_TYPE_INT64: return (double)config_setting_get_int64(st);
	}
	return 0;
}

long long vgs_ld_int_of(const config_setting_t *st)
{
	return config_setting_type(st) == CONFIG_TYPE_INT ? config_setting_get_int(st)
							    : config_setting_get_int64(st);
}

int vgs_ld_num(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, const char *key,
	       const struct vgs_ld_range *r, double *out)
{
	const config_setting_t *st = g ? config_setting_get_member(g, key) : NULL;
	char *kp;
	double v;
	bool bad;

	if (!st) {
		if (r->required)
			return missing(ld, g, ctx, key);
		*out = r->def;
		return 0;
	}
	kp = vgs_ld_key(ctx, key);
	if (!config_setting_is_number(st)) {
		vgs_ld_fail(ld, st, "expected a number for %s, got %s", kp, vgs_ld_type_word(st));
		g_free(kp);
		return -1;
	}
	v = vgs_ld_number_of(st);
	bad = !isfinite(v) || (r->lo_open ? v <= r->lo : v < r->lo) || v > r->hi;
	if (bad) {
		if (r->hi >= HUGE_VAL)
			vgs_ld_fail(ld, st, "%s must be %s %g (got %g)", kp, r->lo_open ? ">" : ">=", r->lo, v);
		else
			vgs_ld_fail(ld, st, "%s must be %s %g and <= %g (got %g)", kp, r->lo_open ? ">" : ">=",
				    r->lo, r->hi, v);
		g_free(kp);
		return -1;
	}
	g_free(kp);
	*out = v;
	return 1;
}

int vgs_ld_int(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, const char *key,
	       bool required, long long def, long long lo, long long hi, long long *out)
{
	const config_setting_t *st = g ? config_setting_get_member(g, key) : NULL;
	long long v;
	char *kp;

	if (!st) {
		if (required)
			return missing(ld, g, ctx, key);
		*out = def;
		return 0;
	}
	kp = vgs_ld_key(ctx, key);
	if (config_setting_type(st) != CONFIG_TYPE_INT && config_setting_type(st) != CONFIG_TYPE_INT64) {
		vgs_ld_fail(ld, st, "expected an integer for %s, got %s", kp, vgs_ld_type_word(st));
		g_free(kp);
		return -1;
	}
	v = vgs_ld_int_of(st);
	if (v < lo || v > hi) {
		if (hi == LLONG_MAX)
			vgs_ld_fail(ld, st, "%s must be >= %lld (got %lld)", kp, lo, v);
		else
			vgs_ld_fail(ld, st, "%s must be between %lld and %lld (got %lld)", kp, lo, hi, v);
		g_free(kp);
		return -1;
	}
	g_free(kp);
	*out = v;
	return 1;
}

int vgs_ld_str(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, const char *key,
	       bool required, const char *def, const char **out)
{
	const config_setting_t *st = g ? config_setting_get_member(g, key) : NULL;

	if (!st) {
		if (required)
			return missing(ld, g, ctx, key);
		*out = def;
		return 0;
	}
	if (config_setting_type(st) != CONFIG_TYPE_STRING) {
		char *kp = vgs_ld_key(ctx, key);

		vgs_ld_fail(ld, st, "expected a string for %s, got %s", kp, vgs_ld_type_word(st));
		g_free(kp);
		return -1;
	}
	*out = config_setting_get_string(st);
	return 1;
}

int vgs_ld_group(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, const char *key,
		 bool required, config_setting_t **out)
{
	config_setting_t *st = config_setting_get_member(g, key);

	*out = NULL;
	if (!st)
		return required ? missing(ld, g, ctx, key) : 0;
	if (!config_setting_is_group(st)) {
		char *kp = vgs_ld_key(ctx, key);

		vgs_ld_fail(ld, st, "expected a group { ... } for %s, got %s", kp, vgs_ld_type_word(st));
		g_free(kp);
		return -1;
	}
	*out = st;
	return 1;
}

/* Names end up in instance names, CSV cells and file names: keep them plain. */
int vgs_ld_ident(struct vgs_ld *ld, const config_setting_t *g, const char *ctx, const char *key,
		 const char *v, size_t maxlen)
{
	const config_setting_t *st = g ? config_setting_get_member(g, key) : NULL;
	size_t n = strlen(v);

	if (n == 0 || n > maxlen)
		return vgs_ld_fail(ld, st, "%s.%s must be 1 to %zu characters (got %zu)", ctx, key, maxlen, n);
	for (const char *p = v; *p; p++)
		if (!g_ascii_isalnum(*p) && !strchr("_-.+", *p))
			return vgs_ld_fail(ld, st, "%s.%s '%s': only letters, digits and _ - . + are allowed",
					   ctx, key, v);
	return 0;
}

uint64_t vgs_ld_ns(double v, double ns_per_unit)
{
	return (uint64_t)llround(v * ns_per_unit);
}
