/*
 * Finding a policy's ops table: a built-in by name, or a shared object by path (GModule) exporting
 * `const struct vgs_policy_ops vgs_policy_ops` (docs/policies.md).
 */
#ifndef VGS_POLICY_LOAD_H
#define VGS_POLICY_LOAD_H

#include "models/scenario.h"
#include "policies/vgs_policy.h"

/* True when `name` designates a shared object (contains '/' or ends in ".so"). */
bool vgs_policy_is_path(const char *name);
/* The ops for `name`; NULL with err set ("what was expected", no location: the caller adds it). */
const struct vgs_policy_ops *vgs_policy_load(const char *name, struct vgs_error *err);

#endif
