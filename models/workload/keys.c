/*
 * Reading a workload group's keys (workload_priv.h): every error names the FILE:LINE the setting was
 * written at, or the --set option that made it, the same way for every kind.  The lowest layer of
 * models/workload/: it calls nothing else in the folder.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "models/workload/workload_priv.h"

/*
 * Where a setting was written, for error messages: "FILE:LINE", or the text of the --set option that
 * created it (the config loader hangs that on the setting's hook; such settings have no line).
 * Returns one of a few rotating buffers, enough for the locations of one message.
 */
const char *vgs_wl_where(const config_setting_t *s)
{
	static char buf[4][512];
	static unsigned next;
	char *b = buf[next++ % 4];
	const char *hook = config_setting_get_hook(s);
	const char *f = config_setting_source_file(s);
	int line = (int)config_setting_source_line(s);

	if (hook) /* a setting an override made or changed: the option, not the line it replaced */
		snprintf(b, sizeof(buf[0]), "%s", hook);
	else
		snprintf(b, sizeof(buf[0]), "%s:%d", f ? f : "<config>", line);
	return b;
}

static const config_setting_t *member(const config_setting_t *g, const char *key)
{
	return config_setting_get_member(g, key);
}

int vgs_wl_get_u64(const config_setting_t *g, const char *key, uint64_t min, uint64_t max, uint64_t *out,
		   struct vgs_error *err)
{
	const config_setting_t *s = member(g, key);
	long long v;

	if (!s)
		return 0;
	int t = config_setting_type(s);

	if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		v = config_setting_get_int64(s);
	} else if (t == CONFIG_TYPE_FLOAT && config_setting_get_float(s) == floor(config_setting_get_float(s)) &&
		   fabs(config_setting_get_float(s)) < 9e18) {
		v = (long long)config_setting_get_float(s); /* 1e6 written as a float */
	} else {
		vgs_error_set(err, "%s: workload key '%s': expected an integer in [%llu, %llu]", vgs_wl_where(s), key, (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	if (v < 0 || (uint64_t)v < min || (uint64_t)v > max) {
		vgs_error_set(err, "%s: workload key '%s': expected an integer in [%llu, %llu], got %lld",
			      vgs_wl_where(s), key, (unsigned long long)min, (unsigned long long)max, v);
		return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

int vgs_wl_get_num(const config_setting_t *g, const char *key, double min, bool min_exclusive, double max,
		   double *out, struct vgs_error *err)
{
	const config_setting_t *s = member(g, key);
	double v;

	if (!s)
		return 0;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	default:
		v = NAN;
		break;
	}
	if (isnan(v) || (min_exclusive ? v <= min : v < min) || v > max) {
		char range[96];

		if (isinf(max))
			snprintf(range, sizeof(range), "%s %g", min_exclusive ? ">" : ">=", min);
		else
			snprintf(range, sizeof(range), "in %s%g, %g]", min_exclusive ? "(" : "[", min, max);
		if (isnan(v))
			vgs_error_set(err, "%s: workload key '%s': expected a number %s", vgs_wl_where(s), key, range);
		else
			vgs_error_set(err, "%s: workload key '%s': expected a number %s, got %g", vgs_wl_where(s), key, range, v);
		return -1;
	}
	*out = v;
	return 0;
}

int vgs_wl_get_bool(const config_setting_t *g, const char *key, bool *out, struct vgs_error *err)
{
	const config_setting_t *s = member(g, key);

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		vgs_error_set(err, "%s: workload key '%s': expected true or false", vgs_wl_where(s),
			      key);
		return -1;
	}
	*out = config_setting_get_bool(s);
	return 0;
}

int vgs_wl_get_choice(const config_setting_t *g, const char *key, const char *const *choices, int *out,
		      struct vgs_error *err)
{
	const config_setting_t *s = member(g, key);
	const char *v;
	GString *list;

	if (!s)
		return 0;
	v = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
	for (int i = 0; v && choices[i]; i++) {
		if (strcmp(v, choices[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	list = g_string_new(NULL);
	for (int i = 0; choices[i]; i++)
		g_string_append_printf(list, "%s\"%s\"", i ? (choices[i + 1] ? ", " : " or ") : "", choices[i]);
	vgs_error_set(err, "%s: workload key '%s': expected %s", vgs_wl_where(s), key, list->str);
	g_string_free(list, TRUE);
	return -1;
}

int vgs_wl_get_str(const config_setting_t *g, const char *key, const char **out, struct vgs_error *err)
{
	const config_setting_t *s = member(g, key);

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING || !*config_setting_get_string(s)) {
		vgs_error_set(err, "%s: workload key '%s': expected a non-empty string", vgs_wl_where(s), key);
		return -1;
	}
	*out = config_setting_get_string(s);
	return 0;
}

int vgs_wl_get_mb(const config_setting_t *g, const char *key, uint64_t *bytes, struct vgs_error *err)
{
	double mb = -1;

	/* 2^40 MiB = 1 EiB: far above any GPU, far below 2^64 bytes. */
	if (vgs_wl_get_num(g, key, 0, false, 1099511627776.0, &mb, err))
		return -1;
	if (mb >= 0)
		*bytes = (uint64_t)llround(mb * 1048576.0);
	return 0;
}
