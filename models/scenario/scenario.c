/*
 * Scenario loader: read a libconfig file (docs/config.md), apply command-line overrides, check every
 * group against its schema, and expand it into the flat arrays of struct vgs_scenario.
 *
 * Order of work, so that every message can name a file:line:
 *   1. parse (include directory = the config's own directory; args->include_dir is tried when an
 *      @include is not found there);
 *   2. overrides: --set in order, then -p, --seed, --duration (models/scenario/override.c).  A setting an
 *      override touched carries the override's text as its libconfig hook, and errors about it name
 *      the override instead of a line it never had;
 *   3. validate + expand: simulation, gpus (profiles -> GPU instances -> engines), scheduler
 *      (policy, the selected policy's parameters, domains), vgpus (workloads, placement -> tenants).
 *
 * The GPU-profile part (configs/gpus/NAME.cfg, engine classes, domains) is in gpu.c, the
 * schema helpers every group is checked with in schema.c.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libconfig.h>

#include "models/scenario/override.h"
#include "models/scenario/policy_load.h"
#include "models/scenario/scenario.h"
#include "models/scenario/load.h"
#include "models/workload/workload.h"

static const char *const preempt_names[] = { "command", "fine", "none" };


const char *vgs_preempt_name(int p)
{
	return (p >= 0 && p <= VGS_PREEMPT_NONE) ? preempt_names[p] : NULL;
}

/* ---- reading --------------------------------------------------------------------------------- */

/* "cannot open include file" does not say which: read it back from the offending line. */
static char *include_name(const char *file, int line)
{
	FILE *f = fopen(file, "r");
	char buf[4096];
	char *name = NULL;

	if (!f)
		return NULL;
	for (int n = 1; fgets(buf, sizeof(buf), f); n++) {
		char *a, *b;

		if (n != line)
			continue;
		if ((a = strstr(buf, "@include")) && (a = strchr(a, '"')) && (b = strchr(a + 1, '"')))
			name = g_strndup(a + 1, b - a - 1);
		break;
	}
	fclose(f);
	return name;
}

static bool include_missing(const config_t *cfg)
{
	const char *t = config_error_text(cfg);

	return config_error_type(cfg) == CONFIG_ERR_PARSE && t && strstr(t, "include");
}

static int read_config(struct vgs_ld *ld, const char *extra_dir)
{
	FILE *f = fopen(ld->path, "r");
	const char *dirs[2] = { ld->cfgdir, extra_dir };

	if (!f) {
		vgs_error_set(ld->err, "%s: cannot open: %s", ld->path, strerror(errno));
		return -1;
	}
	fclose(f);
	for (int i = 0; i < 2; i++) {
		if (!dirs[i] || (i == 1 && strcmp(dirs[1], dirs[0]) == 0))
			break;
		if (i > 0) {
			config_destroy(&ld->cfg);
			config_init(&ld->cfg);
		}
		g_free(ld->incdir);
		ld->incdir = g_strdup(dirs[i]);
		config_set_include_dir(&ld->cfg, ld->incdir);
		if (config_read_file(&ld->cfg, ld->path))
			return 0;
		if (!include_missing(&ld->cfg))
			break;
	}
	/* Report against the first directory tried: that is where the user expects includes to be. */
	if (include_missing(&ld->cfg) && strcmp(ld->incdir, ld->cfgdir) != 0) {
		config_destroy(&ld->cfg);
		config_init(&ld->cfg);
		g_free(ld->incdir);
		ld->incdir = g_strdup(ld->cfgdir);
		config_set_include_dir(&ld->cfg, ld->incdir);
		config_read_file(&ld->cfg, ld->path);
	}
	{
		char *file = vgs_ld_file(ld, config_error_file(&ld->cfg));
		int line = config_error_line(&ld->cfg);

		if (include_missing(&ld->cfg)) {
			char *name = include_name(file, line);

			vgs_error_set(ld->err, "%s:%d: cannot open include file \"%s\" (include paths are "
				      "relative to %s%s%s)", file, line, name ? name : "?", ld->cfgdir,
				      extra_dir ? " or " : "", extra_dir ? extra_dir : "");
			g_free(name);
		} else {
			vgs_error_set(ld->err, "%s:%d: %s", file, line, config_error_text(&ld->cfg));
		}
		g_free(file);
	}
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

static int check_ints(struct vgs_ld *ld)
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

static int apply_overrides(struct vgs_ld *ld, const struct vgs_load_args *a)
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
		int rc = vgs_override_apply(&ld->cfg, "scheduler.policy", q,
					    label(ld, g_strdup_printf("-p %s", a->policy)), ld->err);

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

/* ---- simulation ------------------------------------------------------------------------------ */

static int load_simulation(struct vgs_ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "name", "duration_s", "warmup_s", "seed", "trace_path", "vram_check",
					    NULL };
	/* 1e7 s (115 days) keeps every time in ns far below 2^64. */
	static const struct vgs_ld_range duration = { .required = true, .lo = 0, .lo_open = true, .hi = 1e7 };
	static const struct vgs_ld_range warmup = { .def = 0, .lo = 0, .hi = 1e7 };
	struct vgs_scenario *s = ld->s;
	config_setting_t *g;
	const char *name = NULL, *trace_path = NULL;
	double d, w;
	long long seed;

	if (vgs_ld_group(ld, root, "", "simulation", true, &g) < 0)
		return -1;
	if (vgs_ld_check_keys(ld, g, "simulation", keys) < 0 ||
	    vgs_ld_str(ld, g, "simulation", "name", false, NULL, &name) < 0 ||
	    (name && vgs_ld_ident(ld, g, "simulation", "name", name, 64) < 0) ||
	    vgs_ld_num(ld, g, "simulation", "duration_s", &duration, &d) < 0 ||
	    vgs_ld_num(ld, g, "simulation", "warmup_s", &warmup, &w) < 0 ||
	    vgs_ld_int(ld, g, "simulation", "seed", false, 1, 0, LLONG_MAX, &seed) < 0 ||
	    vgs_ld_str(ld, g, "simulation", "trace_path", false, NULL, &trace_path) < 0)
		return -1;
	if (vgs_ld_vram_check(ld, g, &s->vram_check) < 0)
		return -1;
	if (name) {
		s->name = g_strdup(name);
	} else {
		char *base = g_path_get_basename(ld->path);

		if (g_str_has_suffix(base, ".cfg"))
			base[strlen(base) - 4] = '\0';
		s->name = base;
	}
	s->duration_ns = vgs_ld_ns(d, 1e9);
	s->warmup_ns = vgs_ld_ns(w, 1e9);
	s->seed = (uint64_t)seed;
	return 0;
}

/* ---- scheduler ------------------------------------------------------------------------------- */

static int set_origin(struct vgs_ld *ld, const config_setting_t *st, char **file, int *line)
{
	const char *hook = config_setting_get_hook(st);

	if (hook) {
		*file = g_strdup(hook);
		*line = 0;
	} else {
		*file = vgs_ld_file(ld, config_setting_source_file(st));
		*line = config_setting_source_line(st);
	}
	return 0;
}

static int load_params(struct vgs_ld *ld, const config_setting_t *g, const char *ctx)
{
	struct vgs_scenario *s = ld->s;
	int n = config_setting_length(g);

	s->params = g_new0(struct vgs_param, n ? n : 1);
	for (int i = 0; i < n; i++) {
		const config_setting_t *st = config_setting_get_elem(g, i);
		struct vgs_param *p = &s->params[s->nparams];
		char *v;

		switch (config_setting_type(st)) {
		case CONFIG_TYPE_INT:
		case CONFIG_TYPE_INT64: v = g_strdup_printf("%lld", vgs_ld_int_of(st)); break;
		case CONFIG_TYPE_FLOAT: v = g_strdup_printf("%.17g", config_setting_get_float(st)); break;
		case CONFIG_TYPE_STRING: v = g_strdup(config_setting_get_string(st)); break;
		case CONFIG_TYPE_BOOL: v = g_strdup(config_setting_get_bool(st) ? "1" : "0"); break;
		default:
			return vgs_ld_fail(ld, st, "expected a number, string or boolean for %s.%s, got %s",
					   ctx, config_setting_name(st), vgs_ld_type_word(st));
		}
		p->key = g_strdup(config_setting_name(st));
		p->value = v;
		set_origin(ld, st, &p->file, &p->line);
		s->nparams++;
	}
	return 0;
}

static int load_scheduler(struct vgs_ld *ld, const config_setting_t *root)
{
	struct vgs_scenario *s = ld->s;
	config_setting_t *g, *pol, *dom, *pg;
	const char *policy;
	char *gname;
	int rc;

	if (vgs_ld_group(ld, root, "", "scheduler", true, &g) < 0)
		return -1;
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *c = config_setting_get_elem(g, i);
		const char *n = config_setting_name(c);

		if (strcmp(n, "policy") != 0 && strcmp(n, "domain") != 0 && !config_setting_is_group(c))
			return vgs_ld_fail(ld, c, "unknown key '%s' in scheduler; expected policy, domain, or a "
					   "parameter group { ... } named after a policy", n);
	}
	if (vgs_ld_str(ld, g, "scheduler", "policy", true, NULL, &policy) < 0)
		return -1;
	pol = config_setting_get_member(g, "policy");
	if (!*policy)
		return vgs_ld_fail(ld, pol, "scheduler.policy must not be empty");
	s->policy = g_strdup(policy);
	set_origin(ld, pol, &s->policy_file, &s->policy_line);

	/* Only the selected policy's group is read; the others stay for -p to switch to. */
	gname = vgs_policy_group_name(policy);
	pg = config_setting_get_member(g, gname);
	rc = 0;
	if (pg) {
		char *ctx = vgs_ld_key("scheduler", gname);

		rc = load_params(ld, pg, ctx);
		g_free(ctx);
	} else {
		s->params = g_new0(struct vgs_param, 1);
	}
	g_free(gname);
	if (rc < 0)
		return -1;

	dom = config_setting_get_member(g, "domain");
	return vgs_ld_domain_parse(ld, dom);
}

/* ---- vgpus ----------------------------------------------------------------------------------- */

struct entry {
	config_setting_t *st;
	char *ctx;
	const char *name;
	uint32_t count;
	int64_t gpu;               /* explicit GPU, or -1 */
	const config_setting_t *gpu_st;
	uint32_t weight;
	int32_t priority;
	double vram_mb;            /* 0: the profile's share */
	uint8_t vram_fault, vram_evict;
	uint32_t queue_depth;
	struct vgs_submit_cfg submit;
	struct vgs_sla sla;
	struct vgs_workload_spec *spec;
	uint32_t *placed;          /* GPU of each replica */
};

static int parse_entry(struct vgs_ld *ld, config_setting_t *st, uint32_t idx, struct entry *e)
{
	static const char *const keys[] = { "name", "count", "gpu", "weight", "priority", "vram_mb",
					    "vram", "queue_depth", "submit", "sla", "workload", NULL };
	static const char *const submit_keys[] = { "trap_us", "batch", "batch_window_us", "wake_us", NULL };
	static const char *const sla_keys[] = { "fps", "latency_ms", NULL };
	static const struct vgs_ld_range vram = { .def = 0, .lo = 0, .lo_open = true, .hi = 1e9 };
	static const struct vgs_ld_range us = { .def = 0, .lo = 0, .hi = 1e9 };
	static const struct vgs_ld_range fps = { .def = 0, .lo = 0, .hi = 1e6 };
	static const struct vgs_ld_range ms = { .def = 0, .lo = 0, .hi = 1e9 };
	struct vgs_scenario *s = ld->s;
	config_setting_t *sub, *sla, *wl, *gs;
	long long v;
	double d;
	char *ctx2;

	e->st = st;
	e->ctx = g_strdup_printf("vgpus.[%u]", idx);
	e->gpu = -1;
	if (!config_setting_is_group(st))
		return vgs_ld_fail(ld, st, "expected a group { ... } for %s, got %s", e->ctx,
				   vgs_ld_type_word(st));
	if (vgs_ld_check_keys(ld, st, e->ctx, keys) < 0 ||
	    vgs_ld_str(ld, st, e->ctx, "name", true, NULL, &e->name) < 0 ||
	    vgs_ld_ident(ld, st, e->ctx, "name", e->name, 48) < 0 ||
	    vgs_ld_int(ld, st, e->ctx, "count", false, 1, 1, 65536, &v) < 0)
		return -1;
	e->count = (uint32_t)v;
	if ((gs = config_setting_get_member(st, "gpu"))) {
		e->gpu_st = gs;
		if (config_setting_type(gs) == CONFIG_TYPE_STRING) {
			const char *n = config_setting_get_string(gs);
			GString *names = g_string_new(NULL);

			for (uint32_t i = 0; i < s->ngpus; i++)
				if (strcmp(s->gpus[i].name, n) == 0)
					e->gpu = i;
			if (e->gpu < 0) {
				for (uint32_t i = 0; i < s->ngpus; i++)
					g_string_append_printf(names, "%s%s", i ? ", " : "", s->gpus[i].name);
				vgs_ld_fail(ld, gs, "%s.gpu: no GPU named '%s'; GPUs: %s", e->ctx, n, names->str);
				g_string_free(names, TRUE);
				return -1;
			}
			g_string_free(names, TRUE);
		} else if (config_setting_type(gs) == CONFIG_TYPE_INT ||
			   config_setting_type(gs) == CONFIG_TYPE_INT64) {
			long long x = vgs_ld_int_of(gs);

			if (x < 0 || x >= s->ngpus)
				return vgs_ld_fail(ld, gs, "%s.gpu %lld out of range: the scenario has %u GPU%s "
						   "(0..%u)", e->ctx, x, s->ngpus, s->ngpus == 1 ? "" : "s",
						   s->ngpus - 1);
			e->gpu = x;
		} else {
			return vgs_ld_fail(ld, gs, "expected a GPU index or a GPU name (string) for %s.gpu, "
					   "got %s", e->ctx, vgs_ld_type_word(gs));
		}
	}
	if (vgs_ld_int(ld, st, e->ctx, "weight", false, 1, 1, 1000000, &v) < 0)
		return -1;
	e->weight = (uint32_t)v;
	if (vgs_ld_int(ld, st, e->ctx, "priority", false, 0, INT32_MIN, INT32_MAX, &v) < 0)
		return -1;
	e->priority = (int32_t)v;
	if (vgs_ld_num(ld, st, e->ctx, "vram_mb", &vram, &e->vram_mb) < 0 ||
	    vgs_ld_int(ld, st, e->ctx, "queue_depth", false, 64, 1, 1 << 20, &v) < 0)
		return -1;
	e->queue_depth = (uint32_t)v;
	if (vgs_ld_vram_group(ld, st, e->ctx, &e->vram_fault, &e->vram_evict) < 0)
		return -1;

	e->submit.batch_max = 1;
	if (vgs_ld_group(ld, st, e->ctx, "submit", false, &sub) < 0)
		return -1;
	if (sub) {
		ctx2 = vgs_ld_key(e->ctx, "submit");
		if (vgs_ld_check_keys(ld, sub, ctx2, submit_keys) < 0 ||
		    vgs_ld_num(ld, sub, ctx2, "trap_us", &us, &d) < 0 ||
		    (e->submit.trap_ns = vgs_ld_ns(d, 1e3), 0) ||
		    vgs_ld_int(ld, sub, ctx2, "batch", false, 1, 1, 4096, &v) < 0 ||
		    (e->submit.batch_max = (uint32_t)v, 0) ||
		    vgs_ld_num(ld, sub, ctx2, "batch_window_us", &us, &d) < 0) {
			g_free(ctx2);
			return -1;
		}
		e->submit.batch_window_ns = vgs_ld_ns(d, 1e3);
		if (vgs_ld_num(ld, sub, ctx2, "wake_us", &us, &d) < 0) {
			g_free(ctx2);
			return -1;
		}
		e->submit.wake_ns = vgs_ld_ns(d, 1e3);
		g_free(ctx2);
	}
	if (vgs_ld_group(ld, st, e->ctx, "sla", false, &sla) < 0)
		return -1;
	if (sla) {
		ctx2 = vgs_ld_key(e->ctx, "sla");
		if (vgs_ld_check_keys(ld, sla, ctx2, sla_keys) < 0 ||
		    vgs_ld_num(ld, sla, ctx2, "fps", &fps, &e->sla.fps) < 0 ||
		    vgs_ld_num(ld, sla, ctx2, "latency_ms", &ms, &d) < 0) {
			g_free(ctx2);
			return -1;
		}
		e->sla.latency_ns = vgs_ld_ns(d, 1e6);
		g_free(ctx2);
	}
	if (vgs_ld_group(ld, st, e->ctx, "workload", true, &wl) < 0)
		return -1;
	if (vgs_workload_spec_parse(wl, ld->cfgdir, &e->spec, ld->err) < 0) {
		e->spec = NULL;
		return -1;
	}
	return 0;
}

static uint32_t missing_classes(const struct vgs_gpu *g, uint32_t mask)
{
	uint32_t miss = 0;

	for (int c = 0; c < VGS_NCLASS; c++)
		if ((mask & (1u << c)) && g->route[c] >= VGS_NCLASS)
			miss |= 1u << c;
	return miss;
}

static char *class_list(uint32_t mask)
{
	GString *s = g_string_new(NULL);

	for (int c = 0; c < VGS_NCLASS; c++)
		if (mask & (1u << c))
			g_string_append_printf(s, "%s%s", s->len ? ", " : "", vgs_class_name(c));
	return g_string_free(s, FALSE);
}

static int wl_fail(struct vgs_ld *ld, const struct entry *e, const char *fmt, ...)
{
	const char *w = vgs_workload_where(e->spec);
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w && *w) {
		vgs_error_set(ld->err, "%s: %s", w, msg);
		return -1;
	}
	return vgs_ld_fail(ld, config_setting_get_member(e->st, "workload"), "%s", msg);
}

/*
 * Placement.  Entries with an explicit gpu go there (checked against max_vgpus and the classes the
 * GPU runs).  The others, in file order: round-robin puts each instance on the next GPU, in turn,
 * that has room and runs every class of its workload; pack puts it on the lowest-numbered such GPU.
 */
static int place(struct vgs_ld *ld, struct entry *es, uint32_t n, bool pack)
{
	struct vgs_scenario *s = ld->s;
	uint32_t *used = g_new0(uint32_t, s->ngpus), cursor = 0;
	int rc = -1;

	for (uint32_t i = 0; i < n; i++) {
		struct entry *e = &es[i];
		const struct vgs_gpu *g;
		uint32_t miss;

		e->placed = g_new0(uint32_t, e->count);
		if (e->gpu < 0)
			continue;
		g = &s->gpus[e->gpu];
		if ((miss = missing_classes(g, vgs_workload_class_mask(e->spec)))) {
			char *cl = class_list(miss);

			wl_fail(ld, e, "the workload of vGPU '%s' uses %s, but GPU %s (%s) has no engine for "
				"it", e->name, cl, g->name, g->model);
			g_free(cl);
			goto out;
		}
		used[e->gpu] += e->count;
		if (used[e->gpu] > g->max_vgpus) {
			vgs_ld_fail(ld, e->gpu_st, "too many vGPUs on GPU %s: %u with this entry, max_vgpus is %u",
				    g->name, used[e->gpu], g->max_vgpus);
			goto out;
		}
		for (uint32_t k = 0; k < e->count; k++)
			e->placed[k] = (uint32_t)e->gpu;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct entry *e = &es[i];
		uint32_t mask = vgs_workload_class_mask(e->spec);
		bool any_fits = false;

		if (e->gpu >= 0)
			continue;
		for (uint32_t gi = 0; gi < s->ngpus; gi++)
			any_fits |= missing_classes(&s->gpus[gi], mask) == 0;
		if (!any_fits) {
			char *cl = class_list(mask);

			wl_fail(ld, e, "the workload of vGPU '%s' uses %s; no GPU of this scenario has engines "
				"for all of them", e->name, cl);
			g_free(cl);
			goto out;
		}
		for (uint32_t k = 0; k < e->count; k++) {
			uint32_t start = pack ? 0 : cursor, gi = 0, tries;

			for (tries = 0; tries < s->ngpus; tries++) {
				gi = (start + tries) % s->ngpus;
				if (used[gi] < s->gpus[gi].max_vgpus && !missing_classes(&s->gpus[gi], mask))
					break;
			}
			if (tries == s->ngpus) {
				vgs_ld_fail(ld, e->st, "too many vGPUs: no room for instance %u of '%s' (every GPU "
					    "that can run its workload already holds max_vgpus vGPUs)", k, e->name);
				goto out;
			}
			used[gi]++;
			e->placed[k] = gi;
			cursor = (gi + 1) % s->ngpus;
		}
	}
	rc = 0;
out:
	g_free(used);
	return rc;
}

static int load_vgpus(struct vgs_ld *ld, const config_setting_t *root)
{
	struct vgs_scenario *s = ld->s;
	config_setting_t *list = config_setting_get_member(root, "vgpus");
	const char *placement;
	struct entry *es = NULL;
	GHashTable *names = NULL;
	uint64_t *quota = NULL;
	uint32_t n, total = 0, t = 0;
	int rc = -1;

	if (vgs_ld_str(ld, root, "", "placement", false, "round-robin", &placement) < 0)
		return -1;
	if (strcmp(placement, "round-robin") != 0 && strcmp(placement, "pack") != 0)
		return vgs_ld_fail(ld, config_setting_get_member(root, "placement"),
				   "placement must be \"round-robin\" or \"pack\" (got \"%s\")", placement);
	if (!list)
		return vgs_ld_fail(ld, root, "missing required key 'vgpus' in the top level");
	if (!config_setting_is_list(list) || config_setting_length(list) == 0)
		return vgs_ld_fail(ld, list, "expected a non-empty list ( { ... }, ... ) for vgpus, got %s%s",
				   config_setting_length(list) == 0 ? "an empty " : "",
				   config_setting_length(list) == 0 ? "list" : vgs_ld_type_word(list));
	n = config_setting_length(list);
	es = g_new0(struct entry, n);
	names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	for (uint32_t i = 0; i < n; i++) {
		if (parse_entry(ld, config_setting_get_elem(list, i), i, &es[i]) < 0)
			goto out;
		total += es[i].count;
		for (uint32_t k = 0; k < es[i].count; k++) {
			char *tn = es[i].count > 1 ? g_strdup_printf("%s-%u", es[i].name, k) : g_strdup(es[i].name);
			const char *prev = g_hash_table_lookup(names, tn);

			if (prev) {
				vgs_ld_fail(ld, config_setting_get_member(es[i].st, "name"),
					    "duplicate vGPU name '%s' (also made by %s)", tn, prev);
				g_free(tn);
				goto out;
			}
			g_hash_table_insert(names, tn, vgs_ld_where(ld, es[i].st));
		}
	}
	if (place(ld, es, n, strcmp(placement, "pack") == 0) < 0)
		goto out;

	s->tenants = g_new0(struct vgs_tenant, total);
	quota = g_new0(uint64_t, s->ngpus);
	for (uint32_t i = 0; i < n; i++) {
		struct entry *e = &es[i];

		for (uint32_t k = 0; k < e->count; k++, t++) {
			struct vgs_tenant *tn = &s->tenants[t];
			const struct vgs_gpu *g = &s->gpus[e->placed[k]];

			tn->name = e->count > 1 ? g_strdup_printf("%s-%u", e->name, k) : g_strdup(e->name);
			tn->group = g_strdup(e->name);
			tn->replica = k;
			tn->rng_stream = t;
			tn->gpu = e->placed[k];
			tn->weight = e->weight;
			tn->priority = e->priority;
			/* Default framebuffer: the profile's equal share, as NVIDIA's vGPU types divide it. */
			tn->vram_quota_bytes = e->vram_mb > 0 ? (uint64_t)llround(e->vram_mb * 1048576.0)
							      : g->vram_bytes / g->max_vgpus;
			tn->vram_fault = e->vram_fault;
			tn->vram_evict = e->vram_evict;
			if (vgs_ld_vram_quota(ld, e->st, tn, &quota[tn->gpu]) < 0) {
				if (k > 0)
					e->spec = NULL; /* replica 0 holds it and frees it */
				s->ntenants = t + 1;
				goto out;
			}
			tn->queue_depth = e->queue_depth;
			tn->submit = e->submit;
			tn->sla = e->sla;
			tn->workload = e->spec;
		}
		e->spec = NULL; /* owned by the tenants now: freed with replica 0 */
	}
	s->ntenants = total;
	rc = 0;
out:
	for (uint32_t i = 0; es && i < n; i++) {
		if (es[i].spec)
			vgs_workload_spec_free(es[i].spec);
		g_free(es[i].ctx);
		g_free(es[i].placed);
	}
	g_free(es);
	g_free(quota);
	if (names)
		g_hash_table_destroy(names);
	return rc;
}

/* ---- entry points ---------------------------------------------------------------------------- */

static int make_echo(struct vgs_ld *ld)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		vgs_error_set(ld->err, "%s: out of memory", ld->path);
		return -1;
	}
	config_write(&ld->cfg, f);
	fclose(f);
	ld->s->echo = g_strdup(buf ? buf : "");
	free(buf);
	return 0;
}

int vgs_scenario_load(struct vgs_scenario *s, const struct vgs_load_args *args, struct vgs_error *err)
{
	static const char *const top_keys[] = { "simulation", "placement", "gpus", "scheduler", "vgpus",
						NULL };
	struct vgs_ld ld = { .s = s, .err = err };
	const config_setting_t *root;
	char *dir;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (!args || !args->path) {
		vgs_error_set(err, "no configuration file given");
		return -1;
	}
	ld.path = args->path;
	dir = g_path_get_dirname(args->path);
	ld.cfgdir = dir;
	ld.labels = g_ptr_array_new_with_free_func(g_free);
	config_init(&ld.cfg);
	s->path = g_strdup(args->path);

	if (read_config(&ld, args->include_dir) < 0 || check_ints(&ld) < 0 || apply_overrides(&ld, args) < 0)
		goto out;
	root = config_root_setting(&ld.cfg);
	if (vgs_ld_check_keys(&ld, root, "", top_keys) < 0 || load_simulation(&ld, root) < 0 ||
	    vgs_ld_gpus_load(&ld, root) < 0 || load_scheduler(&ld, root) < 0 ||
	    vgs_ld_domains_build(&ld) < 0 || load_vgpus(&ld, root) < 0 || make_echo(&ld) < 0)
		goto out;
	rc = 0;
out:
	vgs_ld_domain_free(&ld);
	config_destroy(&ld.cfg);
	g_ptr_array_free(ld.labels, TRUE);
	g_free(ld.incdir);
	g_free(dir);
	if (rc < 0)
		vgs_scenario_fini(s);
	return rc;
}

void vgs_scenario_fini(struct vgs_scenario *s)
{
	if (!s)
		return;
	g_free(s->path);
	g_free(s->name);
	g_free(s->policy);
	g_free(s->policy_file);
	g_free(s->domain_mode);
	for (size_t i = 0; i < s->nparams; i++) {
		g_free(s->params[i].key);
		g_free(s->params[i].value);
		g_free(s->params[i].file);
	}
	g_free(s->params);
	for (uint32_t i = 0; i < s->ngpus; i++) {
		g_free(s->gpus[i].name);
		g_free(s->gpus[i].profile);
		g_free(s->gpus[i].model);
	}
	g_free(s->gpus);
	g_free(s->engines);
	for (uint32_t i = 0; i < s->ndomains; i++)
		g_free(s->domains[i].engines);
	g_free(s->domains);
	for (uint32_t i = 0; i < s->ntenants; i++) {
		if (s->tenants[i].replica == 0 && s->tenants[i].workload)
			vgs_workload_spec_free(s->tenants[i].workload);
		g_free(s->tenants[i].name);
		g_free(s->tenants[i].group);
	}
	g_free(s->tenants);
	g_free(s->echo);
	memset(s, 0, sizeof(*s));
}
