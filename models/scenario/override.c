/*
 * `--set PATH=VALUE` on a parsed libconfig tree.
 *
 * The literal is parsed by libconfig itself ("v = LITERAL;" in a scratch config), so whatever a config
 * file accepts, --set accepts.  The path is walked here rather than with config_lookup(): libconfig
 * 1.5 does understand "a.[0].b", but says nothing about *which* component is missing, and the message
 * must.  libconfig 1.5 silently truncates decimal integers beyond 32 bits unless they carry an `L`
 * suffix; literals are re-read with strtoll so `--seed`/`--set` never suffer from it.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/scenario/override.h"

struct path_tok {
	char *name;  /* NULL for an index */
	long index;
};

static void toks_free(GArray *toks)
{
	for (guint i = 0; i < toks->len; i++)
		g_free(g_array_index(toks, struct path_tok, i).name);
	g_array_free(toks, TRUE);
}

/* "a.b.[0].c", "a.b[0].c" or "a.b.0.c" -> tokens; NULL when malformed. */
static GArray *path_split(const char *path)
{
	GArray *toks = g_array_new(FALSE, TRUE, sizeof(struct path_tok));
	const char *p = path;

	if (!*p)
		goto bad;
	while (*p) {
		struct path_tok t = { NULL, -1 };

		if (*p == '[' || isdigit((unsigned char)*p)) {
			bool br = *p == '[';
			char *end;

			if (br)
				p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			errno = 0;
			t.index = strtol(p, &end, 10);
			if (errno || t.index > INT_MAX)
				goto bad;
			p = end;
			if (br && *p++ != ']')
				goto bad;
		} else if (isalpha((unsigned char)*p) || *p == '*') {
			const char *s = p;

			while (isalnum((unsigned char)*p) || *p == '_' || *p == '-' || *p == '*')
				p++;
			t.name = g_strndup(s, p - s);
		} else {
			goto bad;
		}
		g_array_append_val(toks, t);
		if (*p == '.') {
			p++;
			if (!*p)
				goto bad;
		} else if (*p && *p != '[') {
			goto bad;
		}
	}
	return toks;
bad:
	toks_free(toks);
	return NULL;
}

/* Path text of the first n tokens, for messages. */
static char *path_prefix(GArray *toks, guint n)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < n; i++) {
		struct path_tok *t = &g_array_index(toks, struct path_tok, i);

		if (i)
			g_string_append_c(s, '.');
		if (t->name)
			g_string_append(s, t->name);
		else
			g_string_append_printf(s, "[%ld]", t->index);
	}
	return g_string_free(s, FALSE);
}

static const char *type_word(int t)
{
	switch (t) {
	case CONFIG_TYPE_GROUP: return "a group";
	case CONFIG_TYPE_LIST: return "a list";
	case CONFIG_TYPE_ARRAY: return "an array";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_FLOAT: return "a float";
	default: return "an integer";
	}
}

static void mark(config_setting_t *st, const char *label)
{
	config_setting_set_hook(st, (void *)label);
	if (config_setting_is_aggregate(st))
		for (int i = 0; i < config_setting_length(st); i++)
			mark(config_setting_get_elem(st, i), label);
}

static bool set_value(config_setting_t *d, const config_setting_t *src)
{
	switch (config_setting_type(src)) {
	case CONFIG_TYPE_INT: return config_setting_set_int(d, config_setting_get_int(src));
	case CONFIG_TYPE_INT64: return config_setting_set_int64(d, config_setting_get_int64(src));
	case CONFIG_TYPE_FLOAT: return config_setting_set_float(d, config_setting_get_float(src));
	case CONFIG_TYPE_STRING: return config_setting_set_string(d, config_setting_get_string(src));
	case CONFIG_TYPE_BOOL: return config_setting_set_bool(d, config_setting_get_bool(src));
	}
	return false;
}

/* Deep-copy src into parent (name NULL for list and array elements). */
static config_setting_t *copy_into(config_setting_t *parent, const char *name, const config_setting_t *src)
{
	config_setting_t *d = config_setting_add(parent, name, config_setting_type(src));

	if (!d)
		return NULL;
	if (!config_setting_is_aggregate(src))
		return set_value(d, src) ? d : NULL;
	for (int i = 0; i < config_setting_length(src); i++) {
		const config_setting_t *e = config_setting_get_elem(src, i);

		if (!copy_into(d, config_setting_name(e), e))
			return NULL;
	}
	return d;
}

/*
 * Give a scalar setting a new scalar type in place, keeping its position (a list element must not
 * move).  libconfig 1.5 has no call for this; its setters adopt the type of a CONFIG_TYPE_NONE setting,
 * so the old value is released and the setting reset to NONE first (config_setting_t is public).
 */
static void reset_scalar(config_setting_t *d)
{
	if (d->type == CONFIG_TYPE_STRING)
		free(d->value.sval);
	memset(&d->value, 0, sizeof(d->value));
	d->type = CONFIG_TYPE_NONE;
}

static bool set_scalar(config_setting_t *d, const config_setting_t *lit)
{
	int dt = config_setting_type(d), lt = config_setting_type(lit);

	if (config_setting_is_number(d) && config_setting_is_number(lit)) {
		double fv = lt == CONFIG_TYPE_FLOAT ? config_setting_get_float(lit)
						    : (double)config_setting_get_int64(lit);
		long long iv = config_setting_get_int64(lit);

		if (dt == CONFIG_TYPE_FLOAT)
			return config_setting_set_float(d, fv);
		if (lt == CONFIG_TYPE_FLOAT) {
			if (!(fv == floor(fv) && fabs(fv) < 9.0e18))
				goto retype;
			iv = (long long)fv;
		}
		if (dt == CONFIG_TYPE_INT && iv >= INT_MIN && iv <= INT_MAX)
			return config_setting_set_int(d, (int)iv);
		reset_scalar(d);
		return config_setting_set_int64(d, iv);
	}
	if (dt == lt)
		return set_value(d, lit);
retype:
	reset_scalar(d);
	return set_value(d, lit);
}

/* Replace the contents of aggregate d by those of aggregate lit (same type). */
static bool refill(config_setting_t *d, const config_setting_t *lit)
{
	while (config_setting_length(d) > 0)
		if (!config_setting_remove_elem(d, 0))
			return false;
	for (int i = 0; i < config_setting_length(lit); i++) {
		const config_setting_t *e = config_setting_get_elem(lit, i);

		if (!copy_into(d, config_setting_name(e), e))
			return false;
	}
	return true;
}

/*
 * libconfig 1.5 reads a decimal integer without the L suffix into an int, silently truncated; read the
 * literal's digits again and correct the value (or refuse it).
 */
static int fix_int(config_t *tmp, config_setting_t *v, const char *literal)
{
	const char *p = literal;
	char *end;
	long long x;

	if (config_setting_type(v) != CONFIG_TYPE_INT && config_setting_type(v) != CONFIG_TYPE_INT64)
		return 0;
	while (isspace((unsigned char)*p))
		p++;
	errno = 0;
	x = strtoll(p, &end, 0);
	if (end == p)
		return 0;
	if (errno == ERANGE)
		return -1;
	if (config_setting_get_int64(v) == x)
		return 0;
	if (x >= INT_MIN && x <= INT_MAX)
		return config_setting_set_int(v, (int)x) ? 0 : -1;
	{
		config_setting_t *root = config_root_setting(tmp);

		config_setting_remove(root, "v");
		v = config_setting_add(root, "v", CONFIG_TYPE_INT64);
		return v && config_setting_set_int64(v, x) ? 0 : -1;
	}
}

int vgs_override_apply(config_t *cfg, const char *path, const char *literal, const char *label,
		       struct vgs_error *err)
{
	GArray *toks = NULL;
	config_t tmp;
	config_setting_t *lit, *cur, *d;
	char *text = NULL, *pre = NULL;
	struct path_tok *last;
	int rc = -1;

	config_init(&tmp);
	if (!(toks = path_split(path))) {
		vgs_error_set(err, "%s: bad setting path '%s' (expected names and [index]es separated by "
			      "dots, e.g. vgpus.[0].weight)", label, path);
		goto out;
	}

	/* Walk to the parent of the last component. */
	cur = config_root_setting(cfg);
	for (guint i = 0; i + 1 < toks->len; i++) {
		struct path_tok *t = &g_array_index(toks, struct path_tok, i);
		config_setting_t *next;

		g_free(pre);
		pre = path_prefix(toks, i);
		if (t->name) {
			if (!config_setting_is_group(cur)) {
				vgs_error_set(err, "%s: %s is %s, it has no member '%s'", label, pre,
					      type_word(config_setting_type(cur)), t->name);
				goto out;
			}
			next = config_setting_get_member(cur, t->name);
			if (!next) {
				vgs_error_set(err, "%s: no setting '%s' in %s", label, t->name,
					      i ? pre : "the top level");
				goto out;
			}
		} else {
			if (!config_setting_is_list(cur) && !config_setting_is_array(cur)) {
				vgs_error_set(err, "%s: %s is %s, not a list: no element [%ld]", label,
					      i ? pre : "the top level", type_word(config_setting_type(cur)),
					      t->index);
				goto out;
			}
			next = config_setting_get_elem(cur, (unsigned)t->index);
			if (!next) {
				vgs_error_set(err, "%s: no element [%ld] in %s (it has %d)", label, t->index,
					      pre, config_setting_length(cur));
				goto out;
			}
		}
		cur = next;
	}
	g_free(pre);
	pre = path_prefix(toks, toks->len - 1);
	last = &g_array_index(toks, struct path_tok, toks->len - 1);
	d = last->name ? (config_setting_is_group(cur) ? config_setting_get_member(cur, last->name) : NULL)
		       : ((config_setting_is_list(cur) || config_setting_is_array(cur))
				  ? config_setting_get_elem(cur, (unsigned)last->index) : NULL);
	if (!d && (last->name ? !config_setting_is_group(cur)
			      : !(config_setting_is_list(cur) || config_setting_is_array(cur)))) {
		vgs_error_set(err, "%s: %s is %s, it cannot hold %s", label,
			      toks->len > 1 ? pre : "the top level", type_word(config_setting_type(cur)),
			      last->name ? "named settings" : "elements");
		goto out;
	}
	if (!d && !last->name) {
		vgs_error_set(err, "%s: no element [%ld] in %s (it has %d)", label, last->index, pre,
			      config_setting_length(cur));
		goto out;
	}

	/* Parse the literal. */
	if (strpbrk(literal, "\n\r")) {
		vgs_error_set(err, "%s: the value must be on one line", label);
		goto out;
	}
	text = g_strdup_printf("v = %s;", literal);
	if (!config_read_string(&tmp, text) || config_setting_length(config_root_setting(&tmp)) != 1 ||
	    !(lit = config_lookup(&tmp, "v"))) {
		const char *why = config_error_text(&tmp) ? config_error_text(&tmp) : "more than one value";

		if (d && config_setting_type(d) == CONFIG_TYPE_STRING && *literal &&
		    !strpbrk(literal, "\"\\;")) {
			/* A bare word for a string setting: take it as the string. */
			config_destroy(&tmp);
			config_init(&tmp);
			lit = config_setting_add(config_root_setting(&tmp), "v", CONFIG_TYPE_STRING);
			config_setting_set_string(lit, literal);
		} else {
			vgs_error_set(err, "%s: bad value '%s': %s (strings need double quotes, e.g. "
				      "\"text\")", label, literal, why);
			goto out;
		}
	}
	if (fix_int(&tmp, lit, literal) < 0) {
		vgs_error_set(err, "%s: integer '%s' out of range", label, literal);
		goto out;
	}
	lit = config_lookup(&tmp, "v");

	if (!d) {
		d = copy_into(cur, last->name, lit);
	} else if (!config_setting_is_aggregate(d) && !config_setting_is_aggregate(lit)) {
		if (!set_scalar(d, lit))
			d = NULL;
	} else if (config_setting_type(d) == config_setting_type(lit)) {
		if (!refill(d, lit))
			d = NULL;
	} else if (last->name) {
		config_setting_remove(cur, last->name);
		d = copy_into(cur, last->name, lit);
	} else {
		vgs_error_set(err, "%s: cannot replace %s element with %s", label,
			      type_word(config_setting_type(d)), type_word(config_setting_type(lit)));
		goto out;
	}
	if (!d) {
		vgs_error_set(err, "%s: cannot store %s there (an array holds scalars of one type)",
			      label, type_word(config_setting_type(lit)));
		goto out;
	}
	mark(d, label);
	rc = 0;
out:
	config_destroy(&tmp);
	if (toks)
		toks_free(toks);
	g_free(pre);
	g_free(text);
	return rc;
}
