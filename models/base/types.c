/* Names of engine classes, copy directions and kernel bounds, as they appear in configs, traces and outputs. */
#include <string.h>

#include "models/base/types.h"

static const char *const class_names[VGS_NCLASS] = { "gfx", "compute", "copy", "venc", "vdec" };
static const char *const dir_names[] = { "-", "h2d", "d2h", "d2d" };
static const char *const bound_names[VGS_NBOUND] = { "unknown", "compute", "memory" };

const char *vgs_class_name(int cls)
{
	return (cls >= 0 && cls < VGS_NCLASS) ? class_names[cls] : NULL;
}

int vgs_class_parse(const char *name)
{
	for (int c = 0; c < VGS_NCLASS; c++)
		if (strcmp(name, class_names[c]) == 0)
			return c;
	return -1;
}

const char *vgs_dir_name(int dir)
{
	return (dir >= 0 && dir <= VGS_DIR_D2D) ? dir_names[dir] : NULL;
}

int vgs_dir_parse(const char *name)
{
	for (int d = 0; d <= VGS_DIR_D2D; d++)
		if (strcmp(name, dir_names[d]) == 0)
			return d;
	return -1;
}

const char *vgs_bound_name(int b)
{
	return (b >= 0 && b < VGS_NBOUND) ? bound_names[b] : NULL;
}

int vgs_bound_parse(const char *name)
{
	for (int b = 0; b < VGS_NBOUND; b++)
		if (strcmp(name, bound_names[b]) == 0)
			return b;
	return -1;
}
