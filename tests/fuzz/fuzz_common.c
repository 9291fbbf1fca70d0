/* Shared by the harnesses (see fuzz_common.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/workload/trace.h"
#include "tests/fuzz/fuzz_common.h"

static char *dir;

static void remove_dir(void)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		char *p = g_build_filename(dir, name, NULL);

		remove(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	remove(dir);
}

const char *fuzz_dir(void)
{
	if (!dir) {
		dir = g_dir_make_tmp("vgpusim-fuzz-XXXXXX", NULL);
		if (!dir)
			abort();
		atexit(remove_dir);
	}
	return dir;
}

const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	static char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	return path;
}

void fuzz_check_native(const char *path, const char *context)
{
	struct vgs_trace *t = NULL;
	struct vgs_error err = { { 0 } };

	if (vgs_trace_load(path, context, &t, &err) != 0) {
		fprintf(stderr, "an importer wrote a trace its own loader rejects: %s\n", err.msg);
		abort();
	}
	vgs_trace_free(t);
}
