/*
 * The built-in policies by name.  In a file of its own so that calls go one way: this table names the
 * policies, the policies call the scheduling core (sched.c), and the core names no policy.
 * Libc only; the table is const.
 */
#include <stddef.h>
#include <string.h>

#include "policies/vgs_policy.h"

const struct vgs_policy_ops *const vgs_policy_builtins[] = {
	&vgs_policy_timeslice,
	&vgs_policy_weighted,
	&vgs_policy_dynprio,
	&vgs_policy_fifo,
	&vgs_policy_gvtg,
	&vgs_policy_drm,
	&vgs_policy_xe,
	&vgs_policy_mps,
	&vgs_policy_orion,
	NULL,
};

const struct vgs_policy_ops *vgs_policy_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; vgs_policy_builtins[i]; i++)
		if (strcmp(vgs_policy_builtins[i]->name, name) == 0)
			return vgs_policy_builtins[i];
	return NULL;
}
