/*
 * `vgpusim fit FORMAT CAPTURE [--context NAME] [--as train|infer] [-o FILE]`: fit a workload to a real
 * capture and print it as a ready-to-paste `workload` group, with the goodness of fit in comments
 * (hw-trace/fit.h; docs/workloads.md, "Fitting a capture").
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "hw-trace/fit.h"
#include "sim/cli.h"

const struct vgs_cli_cmd vgs_cli_fit = {
	.name = "fit", .synopsis = "FORMAT CAPTURE [--context NAME] [--as train|infer] [-o FILE]",
	.summary = "fit a workload group to a real capture",
	.run = vgs_cmd_fit,
	.help = "Read the capture CAPTURE and print a `workload` group that behaves like it, ready to paste into\n"
		"a vgpus entry, with every fitted distribution's Kolmogorov-Smirnov distance and the capture's\n"
		"and the fit's p50/p90/p99 side by side in comments (docs/workloads.md, \"Fitting a capture\").\n"
		"\n"
		"FORMAT:\n"
		"  presentmon  one closed-loop `game` per process: cadence (vsync or uncapped), refresh_hz,\n"
		"              cpu_ms (a quantile table of the frame times), gfx_ms (GPU busy), venc_ms\n"
		"  kineto      one `train` group per process, per unit (ProfilerStep): kernels, kernel_us,\n"
		"              launch_gap_us, iter_gap_us, all-reduces\n"
		"  orion       one iteration per file: `infer` for *_fwd files, `train` otherwise\n"
		"\n"
		"options:\n"
		"  -c, --context NAME      only this process (\"Application-PID\" for PresentMon; `vgpusim trace\n"
		"                          stats` lists them)\n"
		"      --as KIND           kineto, orion: print a `train` or an `infer` group\n"
		"  -o, --output FILE       write the group there (default: standard output)\n",
};

int vgs_cmd_fit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "context", required_argument, NULL, 'c' },
		{ "as", required_argument, NULL, 'a' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "presentmon", "kineto", "orion", NULL };
	struct vgs_fit_args a = { 0 };
	struct vgs_error err = { { 0 } };
	const char *out_path = NULL;
	char *tmp = NULL, *text = NULL;
	size_t len = 0;
	FILE *out, *mem;
	int c, rc = VGS_EXIT_BAD_INPUT;
	bool known = false;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a.context = optarg;
			break;
		case 'a':
			if (strcmp(optarg, "train") && strcmp(optarg, "infer"))
				return vgs_args_usage_error("--as expects train or infer, got '%s'", optarg);
			a.as = optarg;
			break;
		case 'o':
			out_path = optarg;
			break;
		default:
			return vgs_args_usage_error("bad option for 'fit'", NULL);
		}
	}
	if (argc - optind != 2)
		return vgs_args_usage_error("fit expects FORMAT and CAPTURE", NULL);
	a.format = argv[optind];
	a.path = argv[optind + 1];
	for (int i = 0; formats[i]; i++)
		known |= !strcmp(formats[i], a.format);
	if (!known)
		return vgs_args_usage_error("fit: FORMAT must be presentmon, kineto or orion, got '%s'", a.format);
	if (a.as && !strcmp(a.format, "presentmon"))
		return vgs_args_usage_error("%s", "fit: --as applies to kineto and orion");
	/* The groups are made in memory and written only when the whole capture was read: a failed fit
	 * writes nothing (with -o, FILE is written beside and renamed). */
	if (!(mem = open_memstream(&text, &len))) {
		fprintf(stderr, "vgpusim: fit: out of memory\n");
		return VGS_EXIT_BAD_INPUT;
	}
	if (vgs_fit_capture(&a, mem, &err) < 0) {
		fclose(mem);
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		goto out;
	}
	fclose(mem);
	if (out_path) {
		tmp = g_strdup_printf("%s.tmp-%d", out_path, (int)getpid());
		if (!(out = fopen(tmp, "w")) || fputs(text, out) < 0 || fclose(out) != 0 || rename(tmp, out_path) != 0) {
			fprintf(stderr, "vgpusim: cannot write %s: %s\n", out_path, strerror(errno));
			unlink(tmp);
			goto out;
		}
	} else {
		fputs(text, stdout);
	}
	rc = 0;
out:
	free(text);
	g_free(tmp);
	return rc;
}
