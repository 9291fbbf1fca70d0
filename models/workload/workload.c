/*
 * Workload specs and instances: the public API of models/workload/workload.h dispatched to the kinds
 * (gen_game.c, gen_train.c, gen_infer.c, trace.c) through struct vgs_wl_kind, plus the
 * config-reading helpers the kinds share so that every error names FILE:LINE the same way.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/workload/workload_priv.h"

static const struct vgs_wl_kind *const kinds[] = { &vgs_wl_game, &vgs_wl_train, &vgs_wl_infer, &vgs_wl_adversary,
						    &vgs_wl_trace };

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

	if (hook && line == 0)
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

int vgs_wl_get_dist(const config_setting_t *g, const char *key, double unit_ns, struct vgs_dist *out,
		    struct vgs_error *err)
{
	const config_setting_t *s = member(g, key);

	return s ? vgs_dist_parse(s, unit_ns, out, err) : 0;
}

uint64_t vgs_ticker_next(struct vgs_ticker *t, uint64_t now_ns, uint64_t *dropped)
{
	uint64_t k = t->next;
	uint64_t p = t->period_ns;

	now_ns = now_ns > t->phase_ns ? now_ns - t->phase_ns : 0;
	/* Keep tick k while now <= (k+1) p; else the first k' with now <= (k'+1) p: ceil(now/p) - 1. */
	if (now_ns / p > k && now_ns > (k + 1) * p) {
		uint64_t k2 = (now_ns + p - 1) / p - 1;

		if (k2 > k) {
			*dropped += k2 - k;
			k = k2;
		}
	}
	t->next = k + 1;
	return t->phase_ns + k * p;
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

void vgs_mem_list_add(struct vgs_mem_list *l, enum vgs_mem_kind kind, uint32_t id, uint64_t arg, uint64_t len)
{
	if (l->n >= VGS_MEM_LIST_MAX)
		return;
	l->op[l->n++] = (struct vgs_mem_op){ .arg = arg, .len = len, .id = id, .kind = (uint8_t)kind };
}

uint32_t vgs_mem_table_add(struct vgs_workload_spec *spec, const struct vgs_mem_op *ops, uint32_t n)
{
	struct vgs_mem_table *t = &spec->mem;

	if (n == 0)
		return 0;
	if (t->nops + n > t->cap_ops) {
		t->cap_ops = (t->nops + n) * 2;
		t->ops = g_renew(struct vgs_mem_op, t->ops, t->cap_ops);
	}
	if (t->nsets == t->cap_sets) {
		t->cap_sets = t->cap_sets ? t->cap_sets * 2 : 16;
		t->first = g_renew(uint32_t, t->first, t->cap_sets);
		t->count = g_renew(uint32_t, t->count, t->cap_sets);
	}
	memcpy(t->ops + t->nops, ops, n * sizeof(*ops));
	t->first[t->nsets] = t->nops;
	t->count[t->nsets] = n;
	t->nops += n;
	return ++t->nsets;
}

void vgs_mem_slice(uint64_t bytes, uint32_t k, uint32_t j, uint64_t *off, uint64_t *len)
{
	uint64_t a = (uint64_t)((unsigned __int128)bytes * j / k);
	uint64_t b = (uint64_t)((unsigned __int128)bytes * (j + 1) / k);

	*off = a;
	*len = b > a ? b - a : 1;
}

void vgs_cmd_clear(struct vgs_cmd *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->arrival_ns = VGS_NO_TIME;
	cmd->deadline_ns = VGS_NO_TIME;
	cmd->cls = VGS_COMPUTE;
	cmd->dir = VGS_DIR_NONE;
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
				      "\"adversary\" or \"trace\"", vgs_wl_where(ts), type);
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
	g_free(spec->describe);
	g_free(spec->unit_name);
	g_free(spec->mem.ops);
	g_free(spec->mem.first);
	g_free(spec->mem.count);
	free(spec);
}

const char *vgs_workload_unit_name(const struct vgs_workload_spec *spec)
{
	return spec->unit_name;
}

const char *vgs_workload_describe(const struct vgs_workload_spec *spec)
{
	return spec->describe;
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

	if (r == 1) /* *cmd is left alone at the end */
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
