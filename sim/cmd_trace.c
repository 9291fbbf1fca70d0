/*
 * Trace commands of the CLI (no simulation):
 *   vgpusim import FORMAT INPUT [-o OUT] [--context NAME]   capture -> native trace (docs/traces.md)
 *   vgpusim trace stats FILE [--format FORMAT]              what a trace or capture holds
 * FORMAT: kineto, ftrace, orion, presentmon, or auto (detected from the content).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "hw-trace/stats.h"
#include "models/base/interrupt.h"
#include "sim/cli.h"

/* What both commands read; the end of both helps. */
#define FORMATS_HELP                                                                                        \
	"\nFORMAT: kineto, ftrace, orion, presentmon, or auto: detected from the content (native traces\n"    \
	"included; gzip is looked through).\n"

const struct vgs_cli_cmd vgs_cli_import = {
	.name = "import", .synopsis = "FORMAT INPUT [-o OUT] [--context NAME]",
	.summary = "convert a capture into the native trace format",
	.run = vgs_cmd_import,
	.help = "Convert the capture INPUT into the native trace format (docs/trace-format.md), dependencies and\n"
		"host gaps reconstructed (docs/traces.md).\n"
		"\n"
		"options:\n"
		"  -o, --output OUT        the trace file to write (default: standard output); written beside\n"
		"                          OUT and renamed, so a failed import leaves nothing\n"
		"  -c, --context NAME      keep only the context NAME of a multi-context capture (default: all\n"
		"                          of them, with a ctx column)\n"
		FORMATS_HELP,
};

int vgs_cmd_import(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "context", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_path = NULL, *context = NULL;
	struct vgs_import im;
	struct vgs_error err = { { 0 } };
	int c, ctx = -1, rc = VGS_EXIT_BAD_INPUT;
	double t0 = vgs_cli_wall_s();

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:c:", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out_path = optarg;
			break;
		case 'c':
			context = optarg;
			break;
		default:
			return vgs_args_usage_error("bad option for 'import'", NULL);
		}
	}
	if (argc - optind != 2)
		return vgs_args_usage_error("import expects FORMAT and INPUT", NULL);
	/* Before the work: OUT must be a file that can be written. */
	if (out_path && g_file_test(out_path, G_FILE_TEST_IS_DIR)) {
		fprintf(stderr, "vgpusim: -o %s: is a directory; expected the native trace file to write\n", out_path);
		return VGS_EXIT_BAD_INPUT;
	}
	if (vgs_import_file(&im, argv[optind], argv[optind + 1], &err)) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		return VGS_EXIT_BAD_INPUT;
	}
	if (context) {
		for (guint i = 0; i < im.ctx_names->len; i++)
			if (!strcmp(im.ctx_names->pdata[i], context))
				ctx = (int)i;
		if (ctx < 0) {
			GString *names = g_string_new(NULL);

			for (guint i = 0; i < im.ctx_names->len; i++)
				g_string_append_printf(names, "%s%s", i ? ", " : "", (char *)im.ctx_names->pdata[i]);
			fprintf(stderr, "vgpusim: --context %s: not in %s; expected one of: %s\n", context,
				argv[optind + 1], names->str);
			g_string_free(names, TRUE);
			goto out;
		}
	} else if (im.ctx_names->len == 1) {
		ctx = 0;
	}
	if (out_path) {
		/* Written beside OUT, then renamed: a failed import leaves no partial file. */
		char *tmp = g_strdup_printf("%s.tmp-%d", out_path, (int)getpid());
		FILE *f = fopen(tmp, "w");

		if (!f) {
			fprintf(stderr, "vgpusim: cannot write %s: %s\n", out_path, strerror(errno));
			g_free(tmp);
			goto out;
		}
		vgs_interrupt_file_add(tmp); /* SIGINT/SIGTERM while it is written: removed */
		int w = vgs_import_write(&im, ctx, f, &err);

		if (fclose(f) != 0 || w != 0 || rename(tmp, out_path) != 0) {
			if (w)
				fprintf(stderr, "vgpusim: %s\n", err.msg);
			else
				fprintf(stderr, "vgpusim: cannot write %s: %s\n", out_path, strerror(errno));
			unlink(tmp);
			vgs_interrupt_file_remove(tmp);
			g_free(tmp);
			goto out;
		}
		vgs_interrupt_file_remove(tmp);
		g_free(tmp);
		/* the units written, counted as `trace stats` counts them (vgs_import_reconstruct) */
		struct vgs_recon r;

		vgs_import_reconstruct(&im, ctx, &r, &err);
		fprintf(stderr, "vgpusim: %u ops of %u context%s (%s), %" G_GUINT64_FORMAT " %s%s -> %s in %.2f s\n",
			im.ops->len, im.ctx_names->len, im.ctx_names->len == 1 ? "" : "s", im.format, r.units,
			im.unit ? im.unit : "unit", r.units == 1 ? "" : "s", out_path, vgs_cli_wall_s() - t0);
		vgs_recon_fini(&r);
	} else if (vgs_import_write(&im, ctx, stdout, &err)) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		goto out;
	}
	rc = 0;
out:
	vgs_import_fini(&im);
	return rc;
}

const struct vgs_cli_cmd vgs_cli_trace = {
	.name = "trace", .synopsis = "stats FILE [--format FORMAT]",
	.summary = "ops per class and stream, span, busy time, overlap",
	.run = vgs_cmd_trace,
	.help = "What a native trace or a capture holds: its ops per engine class and per stream, time span,\n"
		"busy time, maximum overlap, units.\n"
		"\n"
		"options:\n"
		"  -f, --format FORMAT     how to read FILE (default: auto)\n"
		FORMATS_HELP,
};

int vgs_cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = { { "format", required_argument, NULL, 'f' }, { NULL, 0, NULL, 0 } };
	const char *format = NULL;
	struct vgs_import im;
	struct vgs_error err = { { 0 } };
	int c;

	if (argc < 2 || strcmp(argv[1], "stats"))
		return vgs_args_usage_error("expected 'trace stats FILE'", NULL);
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
		if (c == 'f')
			format = optarg;
		else
			return vgs_args_usage_error("bad option for 'trace stats'", NULL);
	}
	if (argc - optind != 1)
		return vgs_args_usage_error("trace stats expects one FILE", NULL);
	if (vgs_import_file(&im, format, argv[optind], &err)) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		return VGS_EXIT_BAD_INPUT;
	}
	vgs_import_print_stats(&im, argv[optind], stdout);
	vgs_import_fini(&im);
	return 0;
}
