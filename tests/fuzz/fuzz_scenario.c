/*
 * libFuzzer harness: the scenario loader (models/scenario/) with its command-line options.  The input is
 * a config file, optionally followed by a line "#--set" (a comment to libconfig) and then one option per
 * line, as vgs_args_take() takes them: "PATH=VALUE" (--set), "-p POLICY", "--seed N", "--duration S".
 * The config lies in a private directory where gpus/ is the repository's configs/gpus and traces/ its
 * tests/traces, so that @include "gpus/a10.cfg" and trace = "traces/frames.vgt" resolve as they do for
 * the shipped configs.  Captures named by a config are imported, as vgpusim does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "hw-trace/stats.h"
#include "models/scenario/args.h"
#include "models/workload/trace.h"
#include "tests/fuzz/fuzz_common.h"

#ifndef VGS_FUZZ_ROOT
#error "VGS_FUZZ_ROOT: the repository's absolute path (the Makefile sets it)"
#endif

#define MAX_OPTIONS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void setup(void)
{
	static bool done;
	char *link;

	if (done)
		return;
	done = true;
	vgs_trace_set_import(vgs_import_to_tempfile); /* no cache: fuzzing writes nothing outside its folder */
	link = g_build_filename(fuzz_dir(), "gpus", NULL);
	if (symlink(VGS_FUZZ_ROOT "/configs/gpus", link) != 0)
		abort();
	g_free(link);
	link = g_build_filename(fuzz_dir(), "traces", NULL);
	if (symlink(VGS_FUZZ_ROOT "/tests/traces", link) != 0)
		abort();
	g_free(link);
}

/* One option line into a. */
static void take(struct vgs_args *a, const char *line)
{
	struct vgs_error err = { { 0 } };

	if (!strncmp(line, "-p ", 3))
		vgs_args_take(a, VGS_ARG_POLICY, line + 3, &err);
	else if (!strncmp(line, "--seed ", 7))
		vgs_args_take(a, VGS_ARG_SEED, line + 7, &err);
	else if (!strncmp(line, "--duration ", 11))
		vgs_args_take(a, VGS_ARG_DURATION, line + 11, &err);
	else
		vgs_args_take(a, VGS_ARG_SET, line, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_strndup((const char *)data, size), *opts = strstr(text, "\n#--set\n");
	struct vgs_args a;
	struct vgs_scenario s;
	struct vgs_error err = { { 0 } };

	setup();
	vgs_args_init(&a);
	if (opts) {
		char **lines;

		*opts = '\0';
		lines = g_strsplit(opts + 8, "\n", MAX_OPTIONS + 1);
		for (int i = 0; lines[i] && i < MAX_OPTIONS; i++)
			if (*lines[i])
				take(&a, lines[i]);
		g_strfreev(lines);
	}
	a.load.path = fuzz_file("scenario.cfg", (const uint8_t *)text, strlen(text));
	if (vgs_scenario_load(&s, &a.load, &err) == 0)
		vgs_scenario_fini(&s);
	vgs_args_fini(&a);
	g_free(text);
	return 0;
}
