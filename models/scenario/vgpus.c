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

static int parse_entry(struct vgs_ld *ld, config_setting_t *st, uint32_t idx, struct entry *e)
{
	static const char *const keys[] = { "name", "count", "gpu", "weight", "priority", "vram_mb",
					    "vram", "queue_depth", "submit", "sla", "mps", "workload", "vgpu_type", NULL };
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
			tn->pinned = e->gpu >= 0;
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
			tn->mps_active_thread_pct = e->mps_pct;
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
