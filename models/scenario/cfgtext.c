/*
 * A libconfig setting written back as config text that reads the same (models/scenario/load.h,
 * vgs_ld_setting_text): what the pool's one-GPU mix runs are generated from (models/pool/pool_mix.c).
 * libconfig writes whole configurations only; this writes one setting, members left out on request.
 */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <libconfig.h>

#include "models/scenario/load.h"

static void text_string(GString *out, const char *v)
{
	g_string_append_c(out, '"');
	for (const char *p = v; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '"' || ch == '\\')
			g_string_append_printf(out, "\\%c", ch);
		else if (ch == '\n')
			g_string_append(out, "\\n");
		else if (ch == '\t')
			g_string_append(out, "\\t");
		else if (ch < 0x20)
			g_string_append_printf(out, "\\x%02x", ch);
		else
			g_string_append_c(out, (char)ch);
	}
	g_string_append_c(out, '"');
}

static void text_value(const config_setting_t *st, GString *out, int indent, const char *const *skip);

static void text_members(const config_setting_t *st, GString *out, int indent, const char *const *skip)
{
	for (int i = 0; i < config_setting_length(st); i++) {
		const config_setting_t *m = config_setting_get_elem(st, i);
		const char *name = config_setting_name(m);
		bool skipped = false;

		for (int k = 0; skip && skip[k] && name; k++)
			skipped |= strcmp(skip[k], name) == 0;
		if (skipped)
			continue;
		g_string_append_printf(out, "%*s%s = ", indent, "", name);
		text_value(m, out, indent, NULL);
		g_string_append(out, ";\n");
	}
}

static void text_value(const config_setting_t *st, GString *out, int indent, const char *const *skip)
{
	char buf[64];
	int n = config_setting_length(st);

	switch (config_setting_type(st)) {
	case CONFIG_TYPE_GROUP:
		g_string_append(out, "{\n");
		text_members(st, out, indent + 2, skip);
		g_string_append_printf(out, "%*s}", indent, "");
		break;
	case CONFIG_TYPE_LIST:
	case CONFIG_TYPE_ARRAY: {
		bool list = config_setting_type(st) == CONFIG_TYPE_LIST;

		g_string_append(out, list ? "(" : "[");
		for (int i = 0; i < n; i++) {
			g_string_append(out, i ? ", " : " ");
			text_value(config_setting_get_elem(st, i), out, indent + 2, NULL);
		}
		g_string_append(out, list ? " )" : " ]");
		break;
	}
	case CONFIG_TYPE_INT:
		g_string_append_printf(out, "%d", config_setting_get_int(st));
		break;
	case CONFIG_TYPE_INT64:
		g_string_append_printf(out, "%lldL", config_setting_get_int64(st));
		break;
	case CONFIG_TYPE_FLOAT:
		snprintf(buf, sizeof(buf), "%.17g", config_setting_get_float(st));
		if (!strpbrk(buf, ".eEni"))
			strcat(buf, ".0");
		g_string_append(out, buf);
		break;
	case CONFIG_TYPE_BOOL:
		g_string_append(out, config_setting_get_bool(st) ? "true" : "false");
		break;
	case CONFIG_TYPE_STRING:
		text_string(out, config_setting_get_string(st));
		break;
	default:
		g_string_append(out, "0");
		break;
	}
}

char *vgs_ld_setting_text(const config_setting_t *st, const char *const *skip)
{
	GString *out = g_string_new(NULL);

	text_value(st, out, 0, skip);
	return g_string_free(out, FALSE);
}

