/*
 * The production scheduler presets (models/scenario/preset.h; sources cited line by line in
 * docs/presets.md), and how the scenario loader applies one: which of scheduler.policy and
 * scheduler.preset a `-p NAME` sets, the checks on scheduler.preset, and the preset's domain.
 */
#include <string.h>

#include <glib.h>
#include <libconfig.h>

#include "models/scenario/load.h"
#include "models/scenario/override.h"
#include "models/scenario/preset.h"

#define P(...) .params = (const struct vgs_sched_param[]){ __VA_ARGS__ }, \
	.nparams = sizeof((const struct vgs_sched_param[]){ __VA_ARGS__ }) / sizeof(struct vgs_sched_param)

/* NVIDIA time-sliced vGPU: the graphics engine (which also runs CUDA work) is time-sliced between vGPUs,
 * the video and copy engines each on their own (NVML schedules per engine: nvmlVgpuSchedulerState_v2_t
 * .engineId).  Slice: timeslice's auto rule, 2 ms for <= 8 vGPUs per GPU and 1 ms above. */
#define NVIDIA_DOMAIN "((\"gfx\"))"
#define NVIDIA_SOURCE "NVIDIA Virtual GPU Software User Guide, \"Changing Scheduling Behavior for Time-Sliced vGPUs\" (RmPVMRL)"
#define GIM_SOURCE "AMD MxGPU-Virtualization (GPUOpen), docs/gim_runtime_configuration: sched_interval, sched_option"
#define DRM_SOURCE "Linux drivers/gpu/drm/scheduler/ (sched_main.c, sched_rq.c): drm_sched entity selection"

const struct vgs_preset vgs_presets[] = {
	{ .name = "nvidia-be",
	  .summary = "NVIDIA best effort: work-conserving round robin, overruns repaid (averaging factor 33), frame-rate limiter on",
	  .policy = "timeslice", P({ "variant", "best-effort" }, { "payback", "1" }, { "avg_factor", "33" }),
	  .domain = NVIDIA_DOMAIN, .source = NVIDIA_SOURCE, .frl = true },
	{ .name = "nvidia-es",
	  .summary = "NVIDIA equal share: 1/N of the time to each of the N vGPUs on the GPU, frame-rate limiter off",
	  .policy = "timeslice", P({ "variant", "equal-share" }, { "payback", "1" }, { "avg_factor", "33" }),
	  .domain = NVIDIA_DOMAIN, .source = NVIDIA_SOURCE },
	{ .name = "nvidia-fs",
	  .summary = "NVIDIA fixed share: 1/max of the time to each vGPU, an idle or absent vGPU's slot stays idle, FRL off",
	  .policy = "timeslice", P({ "variant", "fixed-share" }, { "payback", "1" }, { "avg_factor", "33" }),
	  .domain = NVIDIA_DOMAIN, .source = NVIDIA_SOURCE },
	{ .name = "gvtg",
	  .summary = "Intel GVT-g: 1 ms tick, weighted 100 ms budgets carried over 10 stages, 2 s start boost, world switch",
	  .policy = "gvtg", P({ "tick_us", "1000" }, { "balance_ms", "100" }, { "stages", "10" }, { "boost_ms", "2000" }),
	  .domain = "\"gpu\"", .source = "Linux drivers/gpu/drm/i915/gvt/sched_policy.c (tbs_schedule_ops)" },
	{ .name = "gim-rr",
	  .summary = "AMD MxGPU GIM round robin: 6 ms world-switch slices over the active VFs",
	  .policy = "timeslice", P({ "variant", "best-effort" }, { "slice_us", "6000" }),
	  .domain = "\"gpu\"", .source = GIM_SOURCE },
	{ .name = "gim-predictable",
	  .summary = "AMD MxGPU GIM predictable: 6 ms slices in turn over all VFs, an idle VF keeps its slot",
	  .policy = "timeslice", P({ "variant", "equal-share" }, { "slice_us", "6000" }),
	  .domain = "\"gpu\"", .source = GIM_SOURCE },
	{ .name = "drm-fifo",
	  .summary = "Linux drm_sched FIFO: per ring, the oldest submitted job first, strict priority",
	  .policy = "drm", P({ "mode", "fifo" }), .domain = "\"engine\"", .source = DRM_SOURCE },
	{ .name = "drm-rr",
	  .summary = "Linux drm_sched round robin: per ring, one job per entity in turn, strict priority",
	  .policy = "drm", P({ "mode", "rr" }), .domain = "\"engine\"", .source = DRM_SOURCE },
	{ .name = "drm-fair",
	  .summary = "Linux drm_sched fair: per ring, least virtual runtime first, runtime shifted by priority",
	  .policy = "drm", P({ "mode", "fair" }), .domain = "\"engine\"", .source = DRM_SOURCE },
	{ .name = "xe-guc",
	  .summary = "Intel Xe GuC: per engine, strict priority, 1 ms exec quantum among equals",
	  .policy = "xe", P({ "exec_quantum_us", "1000" }),
	  .domain = "\"engine\"", .source = "Linux drivers/gpu/drm/xe/ (xe_hw_engine.c, Kconfig.profile), GuC submission" },
	{ .name = NULL },
};

const struct vgs_preset *vgs_preset_find(const char *name)
{
	for (const struct vgs_preset *p = vgs_presets; name && p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

char *vgs_preset_names(void)
{
	GString *s = g_string_new(NULL);

	for (const struct vgs_preset *p = vgs_presets; p->name; p++)
		g_string_append_printf(s, "%s%s", s->len ? ", " : "", p->name);
	return g_string_free(s, FALSE);
}

/* ---- the loader's side --------------------------------------------------------------------------- */

static void remove_member(config_t *cfg, const char *name)
{
	config_setting_t *g = config_lookup(cfg, "scheduler");

	if (g && config_setting_is_group(g) && config_setting_get_member(g, name))
		config_setting_remove(g, name);
}

int vgs_ld_select_policy(struct vgs_ld *ld, const char *name, const char *quoted, const char *label)
{
	bool preset = vgs_preset_find(name) != NULL;

	/* -p replaces whichever the config selected with. */
	remove_member(&ld->cfg, preset ? "policy" : "preset");
	return vgs_override_apply(&ld->cfg, preset ? "scheduler.preset" : "scheduler.policy", quoted, label,
				  ld->err);
}

int vgs_ld_preset_apply(struct vgs_ld *ld)
{
	config_setting_t *g = config_lookup(&ld->cfg, "scheduler"), *st, *pol;
	const struct vgs_preset *p;
	char *label, *names;
	int rc;

	ld->preset = NULL;
	if (!g || !config_setting_is_group(g) || !(st = config_setting_get_member(g, "preset")))
		return 0;
	if (config_setting_type(st) != CONFIG_TYPE_STRING)
		return vgs_ld_fail(ld, st, "scheduler.preset: expected a string (a preset name), got %s",
				   vgs_ld_type_word(st));
	p = vgs_preset_find(config_setting_get_string(st));
	if (!p) {
		names = vgs_preset_names();
		rc = vgs_ld_fail(ld, st, "unknown preset '%s'; expected one of: %s (docs/presets.md)",
				 config_setting_get_string(st), names);
		g_free(names);
		return rc;
	}
	if ((pol = config_setting_get_member(g, "policy")))
		return vgs_ld_fail(ld, pol, "scheduler: give either policy or preset, not both (preset %s is policy %s)",
				   p->name, p->policy);
	label = g_strdup_printf("preset %s", p->name);
	g_ptr_array_add(ld->labels, label);
	if (vgs_override_apply(&ld->cfg, "scheduler.domain", p->domain, label, ld->err) < 0)
		return -1;
	ld->preset = p;
	return 0;
}
