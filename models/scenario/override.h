/*
 * Command-line overrides of a parsed libconfig tree (`--set PATH=VALUE`, -p, --seed, --duration).
 * Private to the scenario loader (models/scenario/read.c); see docs/config.md "Overrides".
 *
 * Every setting an override creates or changes gets `label` as its libconfig hook, so that a later
 * validation error on it can say "--set PATH=VALUE: ..." instead of a file:line it never had.
 */
#ifndef VGS_OVERRIDE_H
#define VGS_OVERRIDE_H

#include <libconfig.h>

#include "models/base/error.h"

/*
 * Set the setting at `path` ("simulation.duration_s", "vgpus.[0].weight", "vgpus[0].weight") to the
 * libconfig literal `literal` (10, 2.5, "text", true, { ... }, ( ... )).  An existing setting is
 * replaced; a missing one is created when its parent group exists.  Numbers keep the existing
 * setting's numeric type when the value converts exactly (duration_s = 10.0 set to 5 stays a float).
 * A bare word that is not a valid literal is taken as a string when the existing setting is one.
 * `label` (e.g. "--set vgpus.[0].weight=2") must outlive cfg.  0, or -1 with err = "LABEL: why".
 */
int vgs_override_apply(config_t *cfg, const char *path, const char *literal, const char *label,
		       struct vgs_error *err);

#endif
