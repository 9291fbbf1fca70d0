/* Helpers shared by the sub-commands of vgpusim (sim/cmd_*.c); see cli.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "sim/cli.h"

bool vgs_cli_parse_ms(const char *s, double *ms)
{
	char *end;

	*ms = g_ascii_strtod(s, &end);
	return *s && !*end && *ms > 0 && *ms <= 1e9;
}

char *vgs_cli_sibling(const char *name)
{
	char *exe = g_file_read_link("/proc/self/exe", NULL), *dir, *path;

	if (!exe)
		return NULL;
	dir = g_path_get_dirname(exe);
	path = g_build_filename(dir, name, NULL);
	g_free(exe);
	g_free(dir);
	if (!g_file_test(path, G_FILE_TEST_IS_EXECUTABLE)) {
		g_free(path);
		return NULL;
	}
	return path;
}

double vgs_cli_wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int vgs_cli_run_executor(int argc, char **argv)
{
	char *bin = vgs_cli_sibling("vgpusim-replay");
	char **args;

	if (!bin) {
		fprintf(stderr, "vgpusim: vgpusim-replay not found next to this binary (make builds both)\n");
		return 1;
	}
	args = g_new0(char *, argc + 2);
	args[0] = bin;
	memcpy(args + 1, argv, argc * sizeof(*argv));
	execv(bin, args);
	fprintf(stderr, "vgpusim: cannot run %s: %s\n", bin, strerror(errno));
	g_free(args);
	g_free(bin);
	return 1;
}
