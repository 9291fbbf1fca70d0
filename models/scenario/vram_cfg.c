/*
 * VRAM settings of a scenario (docs/config.md, docs/vram.md): simulation.vram_check, a vGPU's
 * `vram = { fault; evict; }` group, and the framebuffer-quota budget of each GPU (quotas may add up to
 * its VRAM x the profile's overcommit).  The profile keys vram_page_kb and overcommit are read with the
 * rest of the profile in gpu.c.
 */
#include <string.h>

#include <glib.h>

#include "models/scenario/scenario.h"
#include "models/scenario/load.h"
#include "models/memory/vmem.h"

static const char *const fault_names[] = { "reset", "kill", "demand", NULL };
static const char *const evict_names[] = { "lru", "fifo", NULL };

const char *vgs_vram_fault_name(int f)
{
	return (f >= 0 && f <= VGS_VRAM_FAULT_DEMAND) ? fault_names[f] : NULL;
}

int vgs_ld_vram_check(struct vgs_ld *ld, const config_setting_t *sim, bool *out)
{
	const config_setting_t *vc = config_setting_get_member(sim, "vram_check");

	if (vc && config_setting_type(vc) != CONFIG_TYPE_BOOL)
		return vgs_ld_fail(ld, vc, "expected true or false for simulation.vram_check, got %s",
				   vgs_ld_type_word(vc));
	*out = vc && config_setting_get_bool(vc);
	return 0;
}

/* Index of `v` in a NULL-terminated list, or -1. */
static int choice(const char *const *names, const char *v)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(names[i], v) == 0)
			return i;
	return -1;
}

int vgs_ld_vram_group(struct vgs_ld *ld, const config_setting_t *entry, const char *ctx, uint8_t *fault,
		      uint8_t *evict)
{
	static const char *const keys[] = { "fault", "evict", NULL };
	config_setting_t *vr;
	const char *f, *e;
	char *sub;
	int rc, fi, ei;

	*fault = VGS_VRAM_FAULT_RESET;
	*evict = VGS_EVICT_LRU;
	if (vgs_ld_group(ld, entry, ctx, "vram", false, &vr) < 0)
		return -1;
	if (!vr)
		return 0;
	sub = vgs_ld_key(ctx, "vram");
	rc = vgs_ld_check_keys(ld, vr, sub, keys) < 0 || vgs_ld_str(ld, vr, sub, "fault", false, "reset", &f) < 0 ||
	     vgs_ld_str(ld, vr, sub, "evict", false, "lru", &e) < 0;
	g_free(sub);
	if (rc)
		return -1;
	if ((fi = choice(fault_names, f)) < 0)
		return vgs_ld_fail(ld, config_setting_get_member(vr, "fault"), "%s.vram.fault must be \"reset\", "
				   "\"kill\" or \"demand\" (got \"%s\")", ctx, f);
	if ((ei = choice(evict_names, e)) < 0)
		return vgs_ld_fail(ld, config_setting_get_member(vr, "evict"), "%s.vram.evict must be \"lru\" or "
				   "\"fifo\" (got \"%s\")", ctx, e);
	*fault = (uint8_t)fi;
	*evict = (uint8_t)ei;
	return 0;
}

int vgs_ld_vram_quota(struct vgs_ld *ld, const config_setting_t *entry, const struct vgs_tenant *tn,
		      uint64_t *gpu_sum)
{
	const struct vgs_gpu *g = &ld->s->gpus[tn->gpu];
	const config_setting_t *at = config_setting_get_member(entry, "vram_mb");

	*gpu_sum += tn->vram_quota_bytes;
	/* NVIDIA-style fixed framebuffers must fit the VRAM; overcommit lets them exceed it. */
	if ((double)*gpu_sum <= (double)g->vram_bytes * g->overcommit)
		return 0;
	return vgs_ld_fail(ld, at ? at : entry, "the framebuffer quotas (vram_mb) of the vGPUs on GPU %s add up "
			   "to %.0f MiB with %s, more than its %.0f MiB of VRAM x overcommit %g; lower vram_mb or "
			   "raise the GPU profile's overcommit", g->name, (double)*gpu_sum / 1048576.0, tn->name,
			   (double)g->vram_bytes / 1048576.0, g->overcommit);
}
