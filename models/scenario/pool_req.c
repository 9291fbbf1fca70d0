/*
 * A pool scenario's `requests` and `pool` groups (docs/pools.md, models/scenario/pool_cfg.h): the
 * request classes (each a vgpus entry plus share, mig, duration_s, units, price_per_h), the arrivals
 * (a Poisson rate with an optional daily swing, and/or a CSV of requests), the placement policy and
 * its parameters, host drains, and the settings of the mix runs.  It also keeps, as libconfig text,
 * what the pool's one-GPU mix runs are made of: each gpus entry, the scheduler, each class.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <libconfig.h>

#include "models/base/csv.h"
#include "models/scenario/load.h"
#include "models/scenario/pool_cfg.h"
#include "models/scenario/policy_load.h"
#include "models/workload/workload.h"

/* The MIG profiles requests may name: those of the first GPU a pool partitions on demand. */
static void mig_profiles(struct vgs_scenario *s, struct vgs_pool_cfg *p)
{
	for (uint32_t g = 0; g < s->ngpus; g++) {
		const struct vgs_mig_geom *m = s->gpus[g].mig;

		if (!s->gpus[g].pool_mig || !m)
			continue;
		p->mig = g_new0(struct vgs_pool_mig_prof, m->nprof);
		for (uint32_t i = 0; i < m->nprof; i++) {
			p->mig[i].name = g_strdup(m->prof[i].name);
			p->mig[i].cslices = m->prof[i].cslices;
			p->mig[i].mslices = m->prof[i].mslices;
			p->mig[i].placements = m->prof[i].placements;
			p->mig[i].fb_bytes = (uint64_t)llround(m->prof[i].vram_gb * 1073741824.0);
		}
		p->nmig = m->nprof;
		return;
	}
}

static int find_mig(const struct vgs_pool_cfg *p, const char *name)
{
	for (uint32_t i = 0; i < p->nmig; i++)
		if (strcmp(p->mig[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int mig_fail(struct vgs_ld *ld, const config_setting_t *st, const struct vgs_pool_cfg *p, const char *where,
		    const char *name)
{
	GString *names = g_string_new(NULL);
	int rc;

	for (uint32_t i = 0; i < p->nmig; i++)
		g_string_append_printf(names, "%s%s", i ? ", " : "", p->mig[i].name);
	rc = vgs_ld_fail(ld, st, "%s: '%s' is not a MIG profile of the pool's MIG GPUs (%s)", where, name,
			 p->nmig ? names->str : "none: give a gpus entry pool_mig = true and a MIG geometry");
	g_string_free(names, TRUE);
	return rc;
}

/* Default framebuffer of a time-sliced class: the first time-sliced GPU's equal share. */
static uint64_t default_fb(const struct vgs_scenario *s)
{
	for (uint32_t g = 0; g < s->ngpus; g++)
		if (!s->gpus[g].pool_mig)
			return s->gpus[g].vram_bytes / s->gpus[g].max_vgpus;
	return 0;
}

/* A group's text "{\n  a = 1;\n}" as its members alone, "  a = 1;\n" (consumes text). */
static char *members(char *text)
{
	size_t n = strlen(text);
	char *m;

	if (n < 3 || text[0] != '{' || text[n - 1] != '}')
		return text;
	m = g_strndup(text + 2, n - 3);
	g_free(text);
	return m;
}

/* The vgpus entries of a pool scenario: fixed vGPUs beside the requests, each a class of its own (its
 * mix runs need its keys as text) whose `count` requests arrive at 0 and never leave. */
static int load_fixed(struct vgs_ld *ld, const config_setting_t *root, struct vgs_pool_cfg *p)
{
	static const char *const not_in_text[] = { "name", "count", "gpu", "start_s", "stop_s", NULL };
	config_setting_t *list = config_setting_get_member(root, "vgpus");
	uint32_t n = list ? (uint32_t)config_setting_length(list) : 0;

	p->classes = g_renew(struct vgs_req_class, p->classes, p->nclasses + n);
	memset(p->classes + p->nclasses, 0, n * sizeof(*p->classes));
	for (uint32_t i = 0; i < n; i++) {
		config_setting_t *st = config_setting_get_elem(list, i);
		struct vgs_req_class *c = &p->classes[p->nclasses];
		char *ctx = g_strdup_printf("vgpus.[%u]", i);
		int rc = vgs_ld_req_class(ld, st, ctx, NULL, c, true);

		g_free(ctx);
		p->nclasses++;
		if (rc < 0)
			return -1;
		c->mig = -1;
		if (!c->fb_bytes)
			c->fb_bytes = default_fb(ld->s);
		c->price_per_h = -1;
		c->text = members(vgs_ld_setting_text(st, not_in_text));
	}
	return 0;
}

static int load_classes(struct vgs_ld *ld, const config_setting_t *req, struct vgs_pool_cfg *p)
{
	static const char *const extra[] = { "share", "mig", "duration_s", "units", "price_per_h", NULL };
	static const char *const not_in_text[] = { "name", "share", "mig", "duration_s", "units", "price_per_h", NULL };
	static const struct vgs_ld_range share = { .def = 1.0, .lo = 0, .hi = 1e9 };
	static const struct vgs_ld_range price = { .def = -1, .lo = 0, .hi = 1e9 };
	config_setting_t *list = config_setting_get_member(req, "classes");
	double total = 0;
	int n;

	if (!list)
		return vgs_ld_fail(ld, req, "missing required key 'classes' in requests (a list of request classes)");
	if (!config_setting_is_list(list) || config_setting_length(list) == 0)
		return vgs_ld_fail(ld, list, "expected a non-empty list ( { name = ...; workload = { ... }; }, ... ) for "
				   "requests.classes, got %s", vgs_ld_type_word(list));
	n = config_setting_length(list);
	p->classes = g_new0(struct vgs_req_class, n);
	for (int i = 0; i < n; i++) {
		config_setting_t *st = config_setting_get_elem(list, i), *d;
		struct vgs_req_class *c = &p->classes[i];
		char *ctx = g_strdup_printf("requests.classes.[%d]", i);
		const char *mig = NULL;
		long long units;
		int rc = vgs_ld_req_class(ld, st, ctx, extra, c, false);

		p->nclasses = i + 1;
		if (rc == 0 && (vgs_ld_num(ld, st, ctx, "share", &share, &c->share) < 0 ||
				vgs_ld_num(ld, st, ctx, "price_per_h", &price, &c->price_per_h) < 0 ||
				vgs_ld_int(ld, st, ctx, "units", false, 0, 0, LLONG_MAX / 2, &units) < 0 ||
				vgs_ld_str(ld, st, ctx, "mig", false, NULL, &mig) < 0))
			rc = -1;
		if (rc == 0) {
			c->units = (uint64_t)units;
			c->mig = -1;
			if (mig && (c->mig = find_mig(p, mig)) < 0)
				rc = mig_fail(ld, config_setting_get_member(st, "mig"), p, ctx, mig);
		}
		if (rc == 0 && c->mig >= 0)
			c->fb_bytes = p->mig[c->mig].fb_bytes;
		else if (rc == 0 && !c->fb_bytes)
			c->fb_bytes = default_fb(ld->s);
		if (rc == 0 && (d = config_setting_get_member(st, "duration_s"))) {
			c->has_duration = true;
			rc = vgs_dist_parse(d, 1e9, &c->duration, ld->err);
		}
		for (int k = 0; rc == 0 && k < i; k++)
			if (strcmp(p->classes[k].name, c->name) == 0)
				rc = vgs_ld_fail(ld, config_setting_get_member(st, "name"), "%s.name: duplicate request "
						 "class '%s'", ctx, c->name);
		if (rc == 0)
			c->text = members(vgs_ld_setting_text(st, not_in_text));
		g_free(ctx);
		if (rc < 0)
			return -1;
		total += c->share;
	}
	if (total <= 0)
		return vgs_ld_fail(ld, list, "requests.classes: the shares add up to 0");
	for (int i = 0; i < n; i++)
		p->classes[i].share /= total;
	return load_fixed(ld, config_root_setting(&ld->cfg), p);
}

/* ---- requests from a CSV ------------------------------------------------------------------------ */

static const char *const csv_cols[] = { "id", "arrival_s", "class", "duration_s", "units", "vram_gb", "mig",
					NULL };

static int row_time(const char *v, uint64_t *ns)
{
	int64_t x;

	if (vgs_csv_decimal_ns(v, 1000000000ull, &x) < 0 || x < 0)
		return -1;
	*ns = (uint64_t)x;
	return 0;
}

static int csv_row(struct vgs_csv *c, const int *col, struct vgs_pool_cfg *p, struct vgs_req_row *r,
		   struct vgs_error *err)
{
	const char *f[7];
	char *end;

	for (int k = 0; k < 7; k++)
		f[k] = col[k] >= 0 ? vgs_csv_field(c, col[k]) : NULL;
	r->id = g_strdup(f[0] && *f[0] ? f[0] : "");
	r->duration_ns = VGS_NO_TIME;
	r->mig = -2;
	if (!f[1] || row_time(f[1], &r->arrival_ns) < 0)
		goto bad_arrival;
	r->cls = UINT32_MAX;
	for (uint32_t i = 0; f[2] && i < p->nclasses; i++)
		if (strcmp(p->classes[i].name, f[2]) == 0)
			r->cls = i;
	if (r->cls == UINT32_MAX) {
		GString *names = g_string_new(NULL);

		for (uint32_t i = 0; i < p->nclasses; i++)
			g_string_append_printf(names, "%s%s", i ? ", " : "", p->classes[i].name);
		vgs_error_set(err, "%s:%u: class: '%s' is not a request class of the config (%s)", c->path, c->line,
			      f[2] ? f[2] : "", names->str);
		g_string_free(names, TRUE);
		return -1;
	}
	if (f[3] && *f[3] && row_time(f[3], &r->duration_ns) < 0) {
		vgs_error_set(err, "%s:%u: duration_s: expected seconds >= 0, got '%s'", c->path, c->line, f[3]);
		return -1;
	}
	if (f[4] && *f[4] && vgs_csv_u64(f[4], &r->units) < 0) {
		vgs_error_set(err, "%s:%u: units: expected a whole number, got '%s'", c->path, c->line, f[4]);
		return -1;
	}
	if (f[5] && *f[5]) {
		double gb = strtod(f[5], &end);

		if (*end || !(gb > 0) || gb > 4096) {
			vgs_error_set(err, "%s:%u: vram_gb: expected a framebuffer in GiB, 0 < x <= 4096, got '%s'",
				      c->path, c->line, f[5]);
			return -1;
		}
		r->fb_bytes = (uint64_t)llround(gb * 1073741824.0);
	}
	if (r->duration_ns == VGS_NO_TIME && !r->units && !p->classes[r->cls].has_duration && !p->classes[r->cls].units) {
		vgs_error_set(err, "%s:%u: neither the row nor its class %s says how long the request stays "
			      "(duration_s) or how much work it does (units)", c->path, c->line, p->classes[r->cls].name);
		return -1;
	}
	if (f[6] && *f[6]) {
		r->mig = strcmp(f[6], "-") == 0 ? -1 : find_mig(p, f[6]);
		if (r->mig == -1 && strcmp(f[6], "-") != 0) {
			vgs_error_set(err, "%s:%u: mig: '%s' is not a MIG profile of the pool's MIG GPUs (or '-': a "
				      "time-sliced vGPU)", c->path, c->line, f[6]);
			return -1;
		}
	}
	return 0;
bad_arrival:
	vgs_error_set(err, "%s:%u: arrival_s: expected seconds >= 0 from the start of the run, got '%s'", c->path,
		      c->line, f[1] ? f[1] : "");
	return -1;
}

static gint row_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	const struct vgs_req_row *x = a, *y = b;

	return x->arrival_ns < y->arrival_ns ? -1 : x->arrival_ns > y->arrival_ns;
}

static int load_csv(struct vgs_ld *ld, const config_setting_t *at, struct vgs_pool_cfg *p)
{
	struct vgs_csv c;
	int col[7], rc;
	size_t cap = 0;
	char *where = vgs_ld_where(ld, at);

	if (vgs_file_check(p->csv_path, "a CSV of requests", where, ld->err) < 0 ||
	    vgs_csv_open(&c, p->csv_path, ld->err) < 0) {
		g_free(where);
		return -1;
	}
	g_free(where);
	if ((rc = vgs_csv_header(&c, ld->err)) < 0)
		goto out;
	for (guint i = 0; i < c.header->len; i++) {
		bool known = false;

		for (int k = 0; csv_cols[k]; k++)
			known |= strcmp(c.header->pdata[i], csv_cols[k]) == 0;
		if (!known) {
			vgs_error_set(ld->err, "%s:1: unknown column '%s'; a requests CSV has id, arrival_s, class, "
				      "duration_s, units, vram_gb, mig (docs/pools.md)", p->csv_path,
				      (char *)c.header->pdata[i]);
			rc = -1;
			goto out;
		}
	}
	for (int k = 0; csv_cols[k]; k++)
		col[k] = vgs_csv_col(&c, csv_cols[k]);
	if (col[1] < 0 || col[2] < 0) {
		vgs_error_set(ld->err, "%s:1: a requests CSV needs the columns arrival_s and class (docs/pools.md)",
			      p->csv_path);
		rc = -1;
		goto out;
	}
	while ((rc = vgs_csv_next(&c, ld->err)) > 0) {
		if (p->nrows == cap) {
			cap = cap ? 2 * cap : 256;
			p->rows = g_renew(struct vgs_req_row, p->rows, cap);
		}
		memset(&p->rows[p->nrows], 0, sizeof(p->rows[0]));
		if ((rc = csv_row(&c, col, p, &p->rows[p->nrows++], ld->err)) < 0)
			goto out;
	}
	if (rc == 0) /* a stable sort: rows that arrive together keep their order */
		g_qsort_with_data(p->rows, (gint)p->nrows, sizeof(p->rows[0]), row_cmp, NULL);
out:
	vgs_csv_close(&c);
	return rc < 0 ? -1 : 0;
}

static int load_requests(struct vgs_ld *ld, const config_setting_t *root);

/* ---- pool ----------------------------------------------------------------------------------- */

static int load_drains(struct vgs_ld *ld, const config_setting_t *pg, struct vgs_pool_cfg *p)
{
	static const char *const keys[] = { "at_s", "host", NULL };
	static const struct vgs_ld_range at = { .required = true, .lo = 0, .hi = 1e7 };
	config_setting_t *list = pg ? config_setting_get_member(pg, "drain") : NULL;
	uint32_t hosts = (ld->s->ngpus + ld->s->interconnect.gpus_per_host - 1) / ld->s->interconnect.gpus_per_host;

	if (!list)
		return 0;
	if (!config_setting_is_list(list))
		return vgs_ld_fail(ld, list, "expected a list ( { at_s = T; host = H; }, ... ) for pool.drain, got %s",
				   vgs_ld_type_word(list));
	p->drains = g_new0(struct vgs_pool_drain, config_setting_length(list) + 1);
	for (int i = 0; i < config_setting_length(list); i++) {
		config_setting_t *e = config_setting_get_elem(list, i);
		char *ctx = g_strdup_printf("pool.drain.[%d]", i);
		double t;
		long long h;
		int rc = config_setting_is_group(e) ? 0 : vgs_ld_fail(ld, e, "expected a group for %s", ctx);

		if (rc == 0 && (vgs_ld_check_keys(ld, e, ctx, keys) < 0 || vgs_ld_num(ld, e, ctx, "at_s", &at, &t) < 0 ||
				vgs_ld_int(ld, e, ctx, "host", true, 0, 0, (long long)hosts - 1, &h) < 0))
			rc = -1;
		g_free(ctx);
		if (rc < 0)
			return -1;
		p->drains[p->ndrains].at_ns = vgs_ld_ns(t, 1e9);
		p->drains[p->ndrains++].host = (uint32_t)h;
	}
	return 0;
}

/* Defaults of the mix runs: 10 s measured after 2 s of warm-up, SLA windows of 1 s (docs/pools.md,
 * "The two levels", where their error is measured). */
static int load_mix(struct vgs_ld *ld, const config_setting_t *pg, struct vgs_pool_cfg *p)
{
	static const char *const keys[] = { "duration_s", "warmup_s", "window_s", "cache", NULL };
	static const struct vgs_ld_range dur = { .def = 10.0, .lo = 0, .lo_open = true, .hi = 1e6 };
	static const struct vgs_ld_range warm = { .def = 2.0, .lo = 0, .hi = 1e6 };
	static const struct vgs_ld_range win = { .def = 1.0, .lo = 0, .lo_open = true, .hi = 1e6 };
	config_setting_t *g = NULL;
	const char *cache = NULL;
	double d, w, x;

	if (pg && vgs_ld_group(ld, pg, "pool", "mix", false, &g) < 0)
		return -1;
	if (g && (vgs_ld_check_keys(ld, g, "pool.mix", keys) < 0 || vgs_ld_str(ld, g, "pool.mix", "cache", false, NULL,
										 &cache) < 0))
		return -1;
	if (vgs_ld_num(ld, g, "pool.mix", "duration_s", &dur, &d) < 0 ||
	    vgs_ld_num(ld, g, "pool.mix", "warmup_s", &warm, &w) < 0 ||
	    vgs_ld_num(ld, g, "pool.mix", "window_s", &win, &x) < 0)
		return -1;
	p->mix_duration_ns = vgs_ld_ns(d, 1e9);
	p->mix_warmup_ns = vgs_ld_ns(w, 1e9);
	p->mix_window_ns = vgs_ld_ns(x, 1e9);
	if (cache)
		p->cache_dir = g_path_is_absolute(cache) ? g_strdup(cache) : g_build_filename(ld->cfgdir, cache, NULL);
	return 0;
}

static int load_pool(struct vgs_ld *ld, const config_setting_t *root, struct vgs_pool_cfg *p)
{
	static const char *const known[] = { "placement", "sample_s", "rebalance_s", "drain", "mix", NULL };
	static const struct vgs_ld_range sample = { .def = 60.0, .lo = 0, .lo_open = true, .hi = 1e7 };
	static const struct vgs_ld_range rebal = { .def = 0, .lo = 0, .hi = 1e7 };
	config_setting_t *pg = NULL, *params;
	const char *placement = "first-fit";
	char *group;
	double d;

	if (vgs_ld_group(ld, root, "", "pool", false, &pg) < 0)
		return -1;
	p->has_group = pg != NULL;
	for (int i = 0; pg && i < config_setting_length(pg); i++) {
		const config_setting_t *m = config_setting_get_elem(pg, i);
		bool ok = config_setting_is_group(m) && strcmp(config_setting_name(m), "mix") != 0;

		for (int k = 0; known[k]; k++)
			ok |= strcmp(known[k], config_setting_name(m)) == 0;
		if (!ok)
			return vgs_ld_fail(ld, m, "unknown key '%s' in pool; expected placement, sample_s, rebalance_s, "
					   "drain, mix, or a parameter group { ... } named after a placement policy",
					   config_setting_name(m));
	}
	if (pg && vgs_ld_str(ld, pg, "pool", "placement", false, "first-fit", &placement) < 0)
		return -1;
	p->placement = g_strdup(placement);
	if (pg && config_setting_get_member(pg, "placement")) {
		const config_setting_t *at = config_setting_get_member(pg, "placement");
		const char *hook = config_setting_get_hook(at);

		p->placement_file = hook ? g_strdup(hook) : vgs_ld_file(ld, config_setting_source_file(at));
		p->placement_line = hook ? 0 : config_setting_source_line(at);
	} else {
		p->placement_file = g_strdup(ld->path);
	}
	if (vgs_ld_num(ld, pg, "pool", "sample_s", &sample, &d) < 0)
		return -1;
	p->sample_ns = vgs_ld_ns(d, 1e9);
	if (vgs_ld_num(ld, pg, "pool", "rebalance_s", &rebal, &d) < 0)
		return -1;
	p->rebalance_ns = vgs_ld_ns(d, 1e9);
	group = vgs_policy_group_name(placement);
	params = pg ? config_setting_get_member(pg, group) : NULL;
	g_free(group);
	for (int i = 0; params && i < config_setting_length(params); i++) {
		const config_setting_t *st = config_setting_get_elem(params, i);
		struct vgs_param *q;

		if (config_setting_is_aggregate(st))
			return vgs_ld_fail(ld, st, "expected a number, string or boolean for pool.%s.%s",
					   config_setting_name(params), config_setting_name(st));
		p->params = g_renew(struct vgs_param, p->params, p->nparams + 1);
		q = &p->params[p->nparams++];
		q->key = g_strdup(config_setting_name(st));
		q->value = config_setting_type(st) == CONFIG_TYPE_STRING ? g_strdup(config_setting_get_string(st))
			 : config_setting_type(st) == CONFIG_TYPE_FLOAT ? g_strdup_printf("%.17g", config_setting_get_float(st))
			 : config_setting_type(st) == CONFIG_TYPE_BOOL ? g_strdup(config_setting_get_bool(st) ? "1" : "0")
								     : g_strdup_printf("%lld", vgs_ld_int_of(st));
		q->file = config_setting_get_hook(st) ? g_strdup(config_setting_get_hook(st))
						      : vgs_ld_file(ld, config_setting_source_file(st));
		q->line = config_setting_get_hook(st) ? 0 : config_setting_source_line(st);
	}
	return load_drains(ld, pg, p) < 0 || load_mix(ld, pg, p) < 0 ? -1 : 0;
}

/* The mix runs' building blocks: each gpus entry and the scheduler group as text. */
static void mix_texts(struct vgs_ld *ld, const config_setting_t *root, struct vgs_pool_cfg *p)
{
	static const char *const gpu_skip[] = { "count", "pool_mig", "mig_instances", NULL };
	const config_setting_t *gpus = config_setting_get_member(root, "gpus");

	p->ngpu_text = (uint32_t)config_setting_length(gpus);
	p->gpu_text = g_new0(char *, p->ngpu_text + 1);
	for (uint32_t i = 0; i < p->ngpu_text; i++)
		p->gpu_text[i] = members(vgs_ld_setting_text(config_setting_get_elem(gpus, i), gpu_skip));
	p->scheduler_text = vgs_ld_setting_text(config_setting_get_member(root, "scheduler"), NULL);
	{
		char *abs = g_canonicalize_filename(ld->cfgdir, NULL);

		p->config_dir = abs;
	}
}

int vgs_ld_requests_load(struct vgs_ld *ld, const config_setting_t *root)
{
	if (!config_setting_get_member(root, "requests")) {
		if (config_setting_get_member(root, "pool"))
			return vgs_ld_fail(ld, config_setting_get_member(root, "pool"), "pool: a pool needs a `requests` "
					   "group (its request classes and arrivals, docs/pools.md)");
		return 0;
	}
	return load_requests(ld, root);
}

static int load_requests(struct vgs_ld *ld, const config_setting_t *root)
{
	static const char *const keys[] = { "classes", "arrivals", "csv", NULL };
	static const char *const arr_keys[] = { "rate_per_h", "diurnal", "max", NULL };
	static const struct vgs_ld_range rate = { .def = 0, .lo = 0, .hi = 1e9 };
	static const struct vgs_ld_range diurnal = { .def = 0, .lo = 0, .hi = 1 };
	struct vgs_pool_cfg *p = ld->s->pool = g_new0(struct vgs_pool_cfg, 1);
	config_setting_t *req, *arr = NULL;
	const char *csv = NULL;
	long long max;
	double r;

	if (vgs_ld_group(ld, root, "", "requests", true, &req) < 0 || vgs_ld_check_keys(ld, req, "requests", keys) < 0 ||
	    vgs_ld_group(ld, req, "requests", "arrivals", false, &arr) < 0 ||
	    vgs_ld_str(ld, req, "requests", "csv", false, NULL, &csv) < 0)
		return -1;
	if (ld->s->spatial)
		return vgs_ld_fail(ld, req, "requests: a pool needs a time-sliced scheduling policy inside its GPUs "
				   "(policy %s shares the SMs)", ld->s->policy);
	for (uint32_t g = 0; g < ld->s->ngpus; g++)
		if (ld->s->gpus[g].mig_profile)
			return vgs_ld_fail(ld, req, "requests: a pool makes MIG instances on demand (pool_mig = true); "
					   "GPU %s is partitioned by mig_instances", ld->s->gpus[g].name);
	if (csv)
		p->csv_path = g_path_is_absolute(csv) ? g_strdup(csv) : g_build_filename(ld->cfgdir, csv, NULL);
	mig_profiles(ld->s, p);
	if (load_pool(ld, root, p) < 0 || load_classes(ld, req, p) < 0)
		return -1;
	if (arr && (vgs_ld_check_keys(ld, arr, "requests.arrivals", arr_keys) < 0 ||
		    vgs_ld_num(ld, arr, "requests.arrivals", "rate_per_h", &rate, &r) < 0 ||
		    vgs_ld_num(ld, arr, "requests.arrivals", "diurnal", &diurnal, &p->diurnal) < 0 ||
		    vgs_ld_int(ld, arr, "requests.arrivals", "max", false, 0, 0, 100000000, &max) < 0))
		return -1;
	if (arr) {
		p->rate_per_s = r / 3600.0;
		p->max_requests = (uint64_t)max;
	}
	for (uint32_t i = 0; p->rate_per_s > 0 && i < p->nclasses; i++)
		if (p->classes[i].share > 0 && !p->classes[i].has_duration && !p->classes[i].units)
			return vgs_ld_fail(ld, config_setting_get_elem(config_setting_get_member(req, "classes"), i),
					   "requests.classes.[%u]: a request class needs duration_s (how long a request "
					   "stays) or units (how much work it does)", i);
	if (!csv && !(p->rate_per_s > 0))
		return vgs_ld_fail(ld, req, "requests: expected arrivals = { rate_per_h = R; } (a Poisson stream) or "
				   "csv = \"FILE\" (requests from a CSV), or both");
	if (csv && load_csv(ld, config_setting_get_member(req, "csv"), p) < 0)
		return -1;
	mix_texts(ld, root, p);
	return 0;
}

void vgs_pool_cfg_free(struct vgs_pool_cfg *p)
{
	if (!p)
		return;
	g_free(p->placement);
	g_free(p->placement_file);
	for (size_t i = 0; i < p->nparams; i++) {
		g_free(p->params[i].key);
		g_free(p->params[i].value);
		g_free(p->params[i].file);
	}
	g_free(p->params);
	g_free(p->drains);
	g_free(p->cache_dir);
	g_free(p->csv_path);
	for (size_t i = 0; i < p->nrows; i++)
		g_free(p->rows[i].id);
	g_free(p->rows);
	for (uint32_t i = 0; i < p->nclasses; i++) {
		g_free(p->classes[i].name);
		g_free(p->classes[i].text);
		vgs_dist_fini(&p->classes[i].duration);
		if (p->classes[i].workload)
			vgs_workload_spec_free(p->classes[i].workload);
	}
	g_free(p->classes);
	for (uint32_t i = 0; i < p->nmig; i++)
		g_free(p->mig[i].name);
	g_free(p->mig);
	g_strfreev(p->gpu_text);
	g_free(p->scheduler_text);
	g_free(p->config_dir);
	g_free(p);
}
