/*
 * Finding a policy's ops table: a built-in by name, or a shared object by path (GModule) exporting
 * `const struct vgs_policy_ops vgs_policy_ops` (docs/policies.md).
 */
#ifndef VGS_POLICY_LOAD_H
#define VGS_POLICY_LOAD_H

#include "models/scenario/scenario.h"
#include "policies/placement/vgs_place.h"
#include "policies/vgs_policy.h"

/* True when `name` designates a shared object (contains '/' or ends in ".so"). */
bool vgs_policy_is_path(const char *name);
/* The config group holding a policy's parameters (scheduler.<group>): a built-in's name, or for a .so
 * path the file's stem without "lib" ("./libmine.so" -> "mine").  g_free the result. */
char *vgs_policy_group_name(const char *policy);
/* The ops for `name` (a built-in, a preset's policy, or a .so path); NULL with err set ("what was
 * expected", no location: the caller adds it). */
const struct vgs_policy_ops *vgs_policy_load(const char *name, struct vgs_error *err);

/* A placement policy (docs/pools.md): a built-in by name, or a shared object by path exporting `const
 * struct vgs_place_ops vgs_place_ops`; NULL with err set. */
const struct vgs_place_ops *vgs_place_load(const char *name, struct vgs_error *err);

/*
 * The message for a failed vgs_sched_init() with the scenario's parameters: rc its result, bad the index
 * it reported (-1: not a parameter's fault).  "WHERE: unknown parameter 'k = v' for policy P; its
 * parameters: ...", WHERE being the file:line or the override that set it.
 */
void vgs_policy_param_error(const struct vgs_policy_ops *ops, const struct vgs_scenario *s, int rc, int bad,
			    struct vgs_error *err);
/*
 * Check the scenario's parameters (s->params) against `ops` before any run: a throwaway
 * vgs_sched_init() + fini with them, as every domain of the run will do.  0, or -1 with err set as above.
 */
int vgs_policy_check_params(const struct vgs_policy_ops *ops, const struct vgs_scenario *s,
			    struct vgs_error *err);

/* Where a policy named `name` in config `file` (line > 0; 0: given on the command line) is: a relative
 * .so path written in a config is relative to that config when such a file exists there, else it is
 * taken as given (the working directory).  g_free the result. */
char *vgs_policy_resolve(const char *name, const char *file, int line);

/* The scenario's policy (scheduler.policy or -p), a relative .so path resolved against the config that
 * named it; NULL with err set to "FILE:LINE: what was expected". */
const struct vgs_policy_ops *vgs_policy_load_scenario(const struct vgs_scenario *scn, struct vgs_error *err);
/* vgs_sched_init() of one domain of GPU `gpu` with the scenario's parameters; -1 with err set. */
int vgs_policy_sched_init(struct vgs_sched *s, const struct vgs_policy_ops *ops, const struct vgs_scenario *scn,
			  uint32_t gpu, struct vgs_error *err);

#endif
