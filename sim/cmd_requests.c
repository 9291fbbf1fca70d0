/*
 * `vgpusim requests convert alibaba POD_CSV` and `vgpusim requests synth`: a requests CSV for a pool
 * (docs/pools.md, "Requests from a CSV") from the Alibaba cluster-trace-gpu-v2023 pod list, or from a
 * synthetic generator calibrated on it (models/pool/pool_trace.c).  Written to -o FILE (atomically:
 * a temporary, then renamed) or stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/pool/pool.h"
#include "models/scenario/args.h"
#include "sim/cli.h"

const struct vgs_cli_cmd vgs_cli_requests = {
	.name = "requests", .synopsis = "convert alibaba POD_CSV | synth [options]",
	.summary = "a requests CSV for a pool: from a GPU-cluster trace, or synthetic (docs/pools.md)",
	.run = vgs_cmd_requests,
	.help = "Write a requests CSV (id, arrival_s, class, duration_s, units, vram_gb, mig) for a pool's\n"
		"requests.csv.  `convert alibaba POD_CSV` reads the pod list of Alibaba's cluster-trace-gpu-v2023\n"
		"(openb_pod_list_*.csv); `synth` draws requests from a generator calibrated on that trace.  Each\n"
		"request gets one of the classes ls-small, ls-half, ls-full, be-small, be-half, be-full (QoS,\n"
		"and the share of a GPU it asks for); a pool config defines their workloads.\n"
		"\n"
		"options:\n"
		"  -o, --output FILE       the CSV (default: stdout)\n"
		"      --from S            convert: the trace time the window starts at (default: its first\n"
		"                          GPU pod)\n"
		"      --hours H           convert: the window's length in trace hours (default: all);\n"
		"                          synth: simulated hours of arrivals (default 1)\n"
		"      --speedup X         trace seconds per simulated second: arrivals and durations are\n"
		"                          divided by X (default 1)\n"
		"      --gpu-vram-gb G     the framebuffer a pod's gpu_milli is a share of (default 40)\n"
		"      --max-duration S    cap every duration to S simulated seconds (default: none)\n"
		"      --rate-per-h R      synth: requests per hour (default 120)\n"
		"      --seed N            synth: random seed (default 1)\n",
};

static bool num(const char *s, double lo, double *out)
{
	char *end;
	double x = strtod(s, &end);

	if (!*s || *end || !(x >= lo))
		return false;
	*out = x;
	return true;
}

int vgs_cmd_requests(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' }, { "from", required_argument, NULL, 'f' },
		{ "hours", required_argument, NULL, 'H' },  { "speedup", required_argument, NULL, 'x' },
		{ "gpu-vram-gb", required_argument, NULL, 'g' }, { "max-duration", required_argument, NULL, 'm' },
		{ "rate-per-h", required_argument, NULL, 'r' }, { "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	struct vgs_trace_opts o = { .from_s = -1, .speedup = 1, .gpu_vram_gb = 40, .rate_per_h = 120, .seed = 1 };
	struct vgs_error err = { { 0 } };
	const char *outpath = NULL;
	char *tmp = NULL;
	bool synth, hours = false;
	FILE *f = stdout;
	double x = 0;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", lo, NULL)) != -1) {
		const char *what = NULL;

		switch (c) {
		case 'o': outpath = optarg; break;
		case 'f': if (!num(optarg, 0, &o.from_s)) what = "--from expects seconds >= 0, got '%s'"; break;
		case 'H': if (!num(optarg, 0, &o.hours) || !(o.hours > 0)) what = "--hours expects hours > 0, got '%s'";
			hours = true; break;
		case 'x': if (!num(optarg, 0, &o.speedup) || !(o.speedup > 0)) what = "--speedup expects a factor > 0, got '%s'";
			break;
		case 'g': if (!num(optarg, 0, &o.gpu_vram_gb) || !(o.gpu_vram_gb > 0)) what = "--gpu-vram-gb expects GiB > 0, got '%s'";
			break;
		case 'm': if (!num(optarg, 0, &o.max_duration_s)) what = "--max-duration expects seconds >= 0, got '%s'"; break;
		case 'r': if (!num(optarg, 0, &o.rate_per_h) || !(o.rate_per_h > 0)) what = "--rate-per-h expects a rate > 0, got '%s'";
			break;
		case 's':
			if (!num(optarg, 0, &x) || x != (double)(uint64_t)x)
				what = "--seed expects a whole number, got '%s'";
			o.seed = (uint64_t)x;
			break;
		default:
			return vgs_args_usage_error("bad option for 'requests': %s", argv[optind - 1]);
		}
		if (what)
			return vgs_args_usage_error(what, optarg);
	}
	synth = optind < argc && !strcmp(argv[optind], "synth") && argc - optind == 1;
	if (!synth && !(argc - optind == 3 && !strcmp(argv[optind], "convert") && !strcmp(argv[optind + 1], "alibaba")))
		return vgs_args_usage_error("%s", "requests expects `convert alibaba POD_CSV` or `synth`");
	if (synth && !hours)
		o.hours = 1;
	if (!synth && vgs_file_check(argv[optind + 2], "a pod list CSV", NULL, &err) < 0) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		return VGS_EXIT_BAD_INPUT;
	}
	if (outpath) {
		int fd;

		tmp = g_strdup_printf("%s.tmp-XXXXXX", outpath);
		fd = g_mkstemp(tmp);
		if (fd < 0 || !(f = fdopen(fd, "w"))) {
			fprintf(stderr, "vgpusim: cannot write %s: %s\n", outpath, strerror(errno));
			g_free(tmp);
			return VGS_EXIT_BAD_INPUT;
		}
	}
	rc = synth ? vgs_requests_synth(&o, f, &err) : vgs_requests_alibaba(argv[optind + 2], &o, f, &err);
	if (outpath) {
		if (fclose(f) != 0 && rc == 0) {
			vgs_error_set(&err, "cannot write %s: %s", outpath, strerror(errno));
			rc = -1;
		}
		if (rc == 0 && g_rename(tmp, outpath) != 0) {
			vgs_error_set(&err, "cannot write %s: %s", outpath, strerror(errno));
			rc = -1;
		}
		if (rc < 0)
			g_unlink(tmp);
		g_free(tmp);
	}
	if (rc < 0) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		return VGS_EXIT_BAD_INPUT;
	}
	return vgs_stdout_flush(0);
}
