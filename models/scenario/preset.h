/*
 * Production scheduler presets (docs/presets.md): a named, documented set of policy + parameters +
 * scheduling domain that reproduces a production vGPU scheduler's documented behaviour.  The one table
 * both `-p NAME` and `scheduler.preset = "NAME"` read; plain C + GLib.
 *
 * A preset in a scenario (models/scenario/preset.c, called by the loader):
 *   - scheduler.policy becomes the preset's policy (a config may give policy or preset, not both; -p
 *     replaces whichever the config gave);
 *   - scheduler.domain is set to the preset's domain (the config echo in summary.json shows it);
 *   - the policy's parameters are the preset's, then those of the group scheduler.<preset name>, in
 *     that order (a key given twice: the later wins), so `scheduler.nvidia-es = { slice_us = 4000; }`
 *     or `compare -p nvidia-es:slice_us=4000` tunes a preset; the group scheduler.<policy> is not read.
 */
#ifndef VGS_PRESET_H
#define VGS_PRESET_H

#include <stdbool.h>
#include <stddef.h>

#include "policies/vgs_policy.h"

struct vgs_preset {
	const char *name;              /* "nvidia-es" */
	const char *summary;           /* one line for `vgpusim policies` */
	const char *policy;            /* a built-in policy */
	const struct vgs_sched_param *params; /* its parameters, as text */
	size_t nparams;
	const char *domain;            /* scheduler.domain as a libconfig literal: "\"gpu\"", "((\"gfx\"))" */
	const char *source;            /* the documentation or code it follows (docs/presets.md cites it in full) */
	bool frl;                      /* NVIDIA's frame-rate limiter is on by default under this scheduler (the
	                                * vGPU user guide: on under best effort, off under equal and fixed share);
	                                * for the game generator's limiter, which keys on it */
};

/* The presets, terminated by an entry whose name is NULL. */
extern const struct vgs_preset vgs_presets[];

/* The preset called `name`, or NULL. */
const struct vgs_preset *vgs_preset_find(const char *name);
/* "nvidia-be, nvidia-es, ..." (g_free). */
char *vgs_preset_names(void);

#endif
