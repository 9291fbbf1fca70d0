/*
 * The `vgpus` list of a scenario (docs/config.md): each entry checked against its schema (weight,
 * priority, VRAM, queue, submit and SLA groups, its workload parsed by models/workload/), placed on
 * GPUs (explicit, round-robin or pack), and expanded into one tenant per replica.
 */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <libconfig.h>

#include "models/scenario/load.h"
#include "models/scenario/pool_cfg.h"
#include "models/scenario/preset.h"
#include "models/scenario/policy_load.h"
#include "models/scenario/scenario.h"
#include "models/workload/workload.h"

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
	double mps_pct;            /* mps.active_thread_pct */
	uint64_t start_ns, stop_ns; /* its lifetime (start_s, stop_s) */
	bool window;               /* start_s or stop_s given */
	struct vgs_workload_spec *spec;
	uint32_t *placed;          /* GPU of each replica */
};

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
		if (e->window)
			goto pinned; /* counted by what is alive at once: check_windows() */
		used[e->gpu] += e->count;
		if (used[e->gpu] > g->max_vgpus) {
			vgs_ld_fail(ld, e->gpu_st, "too many vGPUs on GPU %s: %u with this entry, max_vgpus is %u",
				    g->name, used[e->gpu], g->max_vgpus);
			goto out;
		}
pinned:
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

/*
 * NVIDIA vGPU's frame-rate limiter, as the workload sees it (struct vgs_wl_vgpu): its default limit
 * comes from the vGPU type's series -- `vgpu_type = "A10-2B"`: 45 fps for B-series types, 60 fps for
 * the others (Q, C, A) and when no type is named -- and it is off when the scheduler is timeslice with
 * the equal-share or fixed-share variant (NVIDIA Virtual GPU Software User Guide, "Frame Rate Limiter"
 * and "Changing Scheduling Behavior for Time-Sliced vGPUs"; docs/config.md), or under a preset of
 * another scheduler than NVIDIA's best effort (models/scenario/preset.c, `frl`).
 */
static int vgpu_frl(struct vgs_ld *ld, config_setting_t *st, struct entry *e)
{
	const struct vgs_scenario *s = ld->s;
	struct vgs_wl_vgpu v = { .frl_on = true, .frl_fps = 60 };
	const char *type = NULL;
	char *group = vgs_policy_group_name(s->policy);

	if (vgs_ld_str(ld, st, e->ctx, "vgpu_type", false, NULL, &type) < 0) {
		g_free(group);
		return -1;
	}
	if (type) {
		size_t n = strlen(type);

		if (n < 2 || !g_ascii_isupper(type[n - 1]) || !g_ascii_isdigit(type[n - 2])) {
			g_free(group);
			return vgs_ld_fail(ld, config_setting_get_member(st, "vgpu_type"),
					   "%s.vgpu_type: expected an NVIDIA vGPU type such as \"A10-2Q\" or \"L4-1B\" "
					   "(frame buffer in GB, then the series letter), got \"%s\"", e->ctx, type);
		}
		if (type[n - 1] == 'B')
			v.frl_fps = 45;
	}
	if (strcmp(group, "timeslice") == 0)
		for (size_t i = 0; i < s->nparams; i++)
			if (strcmp(s->params[i].key, "variant") == 0 &&
			    (strcmp(s->params[i].value, "equal-share") == 0 || strcmp(s->params[i].value, "fixed-share") == 0))
				v.frl_on = false;
	/* A preset says whether its scheduler has the limiter at all: NVIDIA's best effort does; AMD's,
	 * Intel's and Linux's schedulers do not, whatever policy they are built on. */
	if (s->preset) {
		const struct vgs_preset *ps = vgs_preset_find(s->preset);

		if (ps && !ps->frl)
			v.frl_on = false;
	}
	g_free(group);
	vgs_workload_spec_vgpu(e->spec, &v);
	return 0;
}

/* A trace recorded on another GPU (`translate = "PROFILE"`, docs/translate.md): into the reference
 * GPU's durations and gaps, once per spec; the GPU each tenant runs on then times it by its own
 * profile's kernel classes. */
static int translate(struct vgs_ld *ld, const config_setting_t *wl, struct vgs_workload_spec *spec)
{
	const char *path = vgs_workload_translate_from(spec);
	struct vgs_kspeed k;
	double engine[VGS_NCLASS];

	if (!path)
		return 0;
	if (vgs_gpu_profile_kspeed(path, &k, engine, NULL, ld->err) < 0) {
		char msg[sizeof(ld->err->msg)];

		snprintf(msg, sizeof(msg), "%s", ld->err->msg);
		return vgs_ld_fail(ld, config_setting_get_member(wl, "translate"), "workload key 'translate': %s", msg);
	}
	vgs_workload_translate(spec, &k, engine);
	return 0;
}

/* The keys of a vgpus entry, then `extra` (NULL-terminated, may be NULL): a new list (g_free). */
static const char **entry_keys(const char *const *extra)
{
	static const char *const keys[] = { "name", "count", "gpu", "weight", "priority", "vram_mb",
					    "vram", "queue_depth", "submit", "sla", "mps", "workload", "vgpu_type",
					    "start_s", "stop_s", NULL };
	size_t n = G_N_ELEMENTS(keys) - 1, m = 0;
	const char **all;

	while (extra && extra[m])
		m++;
	all = g_new0(const char *, n + m + 1);
	memcpy(all, keys, n * sizeof(*all));
	if (m)
		memcpy(all + n, extra, m * sizeof(*all));
	return all;
}

/* start_s and stop_s: a vGPU that lives within the run (docs/pools.md). */
static int parse_window(struct vgs_ld *ld, config_setting_t *st, struct entry *e)
{
	static const struct vgs_ld_range t = { .def = -1, .lo = 0, .hi = 1e7 };
	double a, b;

	if (vgs_ld_num(ld, st, e->ctx, "start_s", &t, &a) < 0 || vgs_ld_num(ld, st, e->ctx, "stop_s", &t, &b) < 0)
		return -1;
	e->window = a >= 0 || b >= 0;
	e->start_ns = a > 0 ? vgs_ld_ns(a, 1e9) : 0;
	e->stop_ns = b >= 0 ? vgs_ld_ns(b, 1e9) : VGS_NO_TIME;
	if (b >= 0 && e->stop_ns <= e->start_ns)
		return vgs_ld_fail(ld, config_setting_get_member(st, "stop_s"), "%s.stop_s must be after start_s "
				   "(%g s), got %g s", e->ctx, e->start_ns * 1e-9, b);
	return 0;
}

static int parse_entry(struct vgs_ld *ld, config_setting_t *st, const char *ctx, const char *const *extra,
		       struct entry *e)
{
	const char **keys = entry_keys(extra);
	static const char *const mps_keys[] = { "active_thread_pct", NULL };
	static const struct vgs_ld_range pct = { .def = 100, .lo = 0, .lo_open = true, .hi = 100 };
	static const char *const submit_keys[] = { "trap_us", "batch", "batch_window_us", "wake_us", NULL };
	static const char *const sla_keys[] = { "fps", "latency_ms", NULL };
	/* At least 1 MiB (a few pages); the GPU's VRAM x overcommit bounds the sum. */
	static const struct vgs_ld_range vram = { .def = 0, .lo = 1, .hi = 1e9 };
	static const struct vgs_ld_range us = { .def = 0, .lo = 0, .hi = 1e9 };
	static const struct vgs_ld_range fps = { .def = 0, .lo = 0, .hi = 1e6 };
	static const struct vgs_ld_range ms = { .def = 0, .lo = 0, .hi = 1e9 };
	struct vgs_scenario *s = ld->s;
	config_setting_t *sub, *sla, *wl, *gs;
	long long v;
	double d;
	char *ctx2;

	e->st = st;
	e->ctx = g_strdup(ctx);
	e->gpu = -1;
	if (!config_setting_is_group(st)) {
		g_free(keys);
		return vgs_ld_fail(ld, st, "expected a group { ... } for %s, got %s", e->ctx,
				   vgs_ld_type_word(st));
	}
	int kr = vgs_ld_check_keys(ld, st, e->ctx, (const char *const *)keys);

	g_free(keys);
	if (kr < 0 || parse_window(ld, st, e) < 0 ||
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
	if (vgs_ld_group(ld, st, e->ctx, "mps", false, &sub) < 0)
		return -1;
	e->mps_pct = 100;
	if (sub) {
		ctx2 = vgs_ld_key(e->ctx, "mps");
		if (vgs_ld_check_keys(ld, sub, ctx2, mps_keys) < 0 ||
		    vgs_ld_num(ld, sub, ctx2, "active_thread_pct", &pct, &e->mps_pct) < 0) {
			g_free(ctx2);
			return -1;
		}
		g_free(ctx2);
	}
	if (vgs_ld_group(ld, st, e->ctx, "workload", true, &wl) < 0)
		return -1;
	if (vgs_workload_spec_parse(wl, ld->cfgdir, &e->spec, ld->err) < 0) {
		e->spec = NULL;
		return -1;
	}
	if (vgpu_frl(ld, st, e) < 0)
		return -1;
	return translate(ld, wl, e->spec);
}

/* Alive at `t`: started, not stopped. */
static bool alive(const struct vgs_tenant *tn, uint64_t t)
{
	return tn->start_ns <= t && t < tn->stop_ns;
}

/*
 * vGPUs with a lifetime pinned to a GPU (what `vgpusim pool --level command` writes, docs/pools.md)
 * share it over time: at the start of each, those alive then must fit max_vgpus and the VRAM x
 * overcommit, as fixed vGPUs must at all times.  O(n^2) in the tenants of one GPU.
 */
static int check_windows(struct vgs_ld *ld, const struct entry *es, uint32_t n)
{
	const struct vgs_scenario *s = ld->s;
	uint32_t t = 0;

	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t k = 0; k < es[i].count; k++, t++) {
			const struct vgs_tenant *me = &s->tenants[t];
			const struct vgs_gpu *g = &s->gpus[me->gpu];
			uint64_t fb = 0;
			uint32_t nv = 0;

			if (!(es[i].window && es[i].gpu >= 0))
				continue;
			for (uint32_t j = 0; j < s->ntenants; j++)
				if (s->tenants[j].gpu == me->gpu && alive(&s->tenants[j], me->start_ns)) {
					fb += s->tenants[j].vram_quota_bytes;
					nv++;
				}
			if (nv > g->max_vgpus)
				return vgs_ld_fail(ld, es[i].gpu_st, "too many vGPUs on GPU %s at %.3f s: %u alive with %s, "
						   "max_vgpus is %u", g->name, me->start_ns * 1e-9, nv, me->name,
						   g->max_vgpus);
			if ((double)fb > (double)g->vram_bytes * g->overcommit)
				return vgs_ld_fail(ld, es[i].st, "the framebuffer quotas of the vGPUs alive on GPU %s at "
						   "%.3f s add up to %.0f MiB with %s, more than its %.0f MiB of VRAM x "
						   "overcommit %g", g->name, me->start_ns * 1e-9, (double)fb / 1048576.0,
						   me->name, (double)g->vram_bytes / 1048576.0, g->overcommit);
		}
	}
	return 0;
}

/* Entries are parsed in file order, then placed; tenants are numbered entry by entry, replica by
 * replica, and that number is each tenant's rng stream: the order is part of the results. */
int vgs_ld_vgpus_load(struct vgs_ld *ld, const config_setting_t *root)
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
	if (!list && config_setting_get_member(root, "requests"))
		return 0; /* a pool of requests alone (docs/pools.md) */
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
		char *ctx = g_strdup_printf("vgpus.[%u]", i);
		int prc = parse_entry(ld, config_setting_get_elem(list, i), ctx, NULL, &es[i]);

		g_free(ctx);
		if (prc < 0)
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
			tn->pinned = e->gpu >= 0;
			tn->weight = e->weight;
			tn->priority = e->priority;
			/* Default framebuffer: the profile's equal share, as NVIDIA's vGPU types divide it. */
			tn->vram_quota_bytes = e->vram_mb > 0 ? (uint64_t)llround(e->vram_mb * 1048576.0)
							      : g->vram_bytes / g->max_vgpus;
			tn->vram_fault = e->vram_fault;
			tn->vram_evict = e->vram_evict;
			tn->start_ns = e->start_ns;
			tn->stop_ns = e->window ? e->stop_ns : VGS_NO_TIME;
			if (!(e->window && e->gpu >= 0) && vgs_ld_vram_quota(ld, e->st, tn, &quota[tn->gpu]) < 0) {
				if (k > 0)
					e->spec = NULL; /* replica 0 holds it and frees it */
				s->ntenants = t + 1;
				goto out;
			}
			tn->queue_depth = e->queue_depth;
			tn->submit = e->submit;
			tn->sla = e->sla;
			tn->mps_active_thread_pct = e->mps_pct;
			tn->workload = e->spec;
		}
		e->spec = NULL; /* owned by the tenants now: freed with replica 0 */
	}
	s->ntenants = total;
	rc = check_windows(ld, es, n);
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

/*
 * A request class (`requests.classes` entry, docs/pools.md): a vgpus entry without count, gpu or
 * lifetime -- its requests come and go -- plus the request keys `extra`, which the caller reads.
 */
int vgs_ld_req_class(struct vgs_ld *ld, config_setting_t *st, const char *ctx, const char *const *extra,
		     struct vgs_req_class *c, bool fixed)
{
	static const char *const fixed_only[] = { "count", "gpu", "start_s", "stop_s", NULL };
	struct entry e = { 0 };
	int rc = -1;

	if (parse_entry(ld, st, ctx, extra, &e) < 0)
		goto out;
	for (int i = 0; !fixed && fixed_only[i]; i++)
		if (config_setting_get_member(st, fixed_only[i])) {
			vgs_ld_fail(ld, config_setting_get_member(st, fixed_only[i]), "%s.%s: a request class has no "
				    "%s (its requests arrive, are placed by the pool and leave)", ctx, fixed_only[i],
				    fixed_only[i]);
			goto out;
		}
	c->name = g_strdup(e.name);
	c->weight = e.weight;
	c->priority = e.priority;
	c->fb_bytes = e.vram_mb > 0 ? (uint64_t)llround(e.vram_mb * 1048576.0) : 0;
	c->sla = e.sla;
	c->class_mask = vgs_workload_class_mask(e.spec);
	c->latency_sensitive = vgs_workload_latency_sensitive(e.spec);
	c->workload = e.spec;
	c->fixed = fixed;
	c->count = e.count;
	c->gpu = (int32_t)e.gpu;
	e.spec = NULL;
	rc = 0;
out:
	if (e.spec)
		vgs_workload_spec_free(e.spec);
	g_free(e.ctx);
	g_free(e.placed);
	return rc;
}
