/*
 * The built-in placement policies by name.  In a file of its own so that calls go one way: this table
 * names the policies, the policies call the placement core (place.c), and the core names no policy.
 */
#include <stddef.h>
#include <string.h>

#include "policies/placement/vgs_place.h"

const struct vgs_place_ops *const vgs_place_builtins[] = {
	&vgs_place_first_fit,
	&vgs_place_best_fit,
	&vgs_place_spread,
	&vgs_place_fgd,
	NULL,
};

const struct vgs_place_ops *vgs_place_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; vgs_place_builtins[i]; i++)
		if (strcmp(vgs_place_builtins[i]->name, name) == 0)
			return vgs_place_builtins[i];
	return NULL;
}
