/*
 * vgpusim-replay: the executor's command line (`vgpusim replay` and `vgpusim calibrate` run it).
 *
 *   vgpusim-replay replay CONFIG --backend host|cuda [-o DIR] [-p POLICY] [--set P=V]... [--seed N]
 *                         [--duration S] [--no-cache] [--slices] [--quiet]
 *   vgpusim-replay calibrate --backend host|cuda -o PROFILE.cfg [--base PROFILE.cfg] [--name NAME]
 *
 * This program links libvgspolicies.a exactly as vgpusim does, and no SimGrid.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw-trace/exec/calibrate.h"
#include "hw-trace/exec/exec.h"
#include "hw-trace/cache.h"
#include "hw-trace/stats.h"
#include "models/base/interrupt.h"
#include "models/results/outdir.h"
#include "models/scenario/args.h"
#include "models/workload/trace.h"

#ifndef VGS_VERSION
#define VGS_VERSION "unknown"
#endif

static void usage(FILE *out)
{
	fputs("usage: vgpusim-replay replay CONFIG --backend host|cuda [options]\n"
	      "       vgpusim-replay calibrate --backend host|cuda -o PROFILE.cfg [--base PROFILE.cfg] [--name NAME]\n"
	      "(normally run as 'vgpusim replay' / 'vgpusim calibrate': 'vgpusim replay --help' lists the\n"
	      "options; docs/executor.md)\n",
	      out);
}

static const struct ex_backend *backend_by_name(const char *name)
{
	if (!name || !strcmp(name, "host"))
		return &ex_backend_host;
	if (!strcmp(name, "cuda"))
		return &ex_backend_cuda;
	return NULL;
}

static int cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		VGS_ARGS_OPTIONS,
		{ "backend", required_argument, NULL, 'b' },
		{ "slices", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	struct vgs_args args;
	struct ex_replay_args ra = { .be = &ex_backend_host };
	struct vgs_scenario scn = { 0 };
	struct vgs_error err = { { 0 } };
	char *def_out = NULL;
	int c, rc = VGS_EXIT_BAD_INPUT;

	vgs_args_init(&args);
	while ((c = vgs_args_next(&args, "replay", argc, argv, "o:p:q", opts)) > 0) {
		switch (c) {
		case 'b':
			if (!(ra.be = backend_by_name(optarg))) {
				vgs_args_usage_error("--backend expects host or cuda, got '%s'", optarg);
				goto out;
			}
			break;
		case 'L':
			ra.slices = true;
			break;
		}
	}
	if (c < 0 || vgs_args_load(&args, "replay", argc - optind, argv + optind, &scn) < 0)
		goto out;
	ra.outdir = args.outdir;
	ra.quiet = args.quiet;
	if (!ra.outdir)
		ra.outdir = def_out = vgs_outdir_default(&scn, args.given, true, ra.be->name);
	ra.scn = &scn;
	rc = ex_replay(&ra, &err);
	if (rc < 0) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		rc = strstr(err.msg, "backend") ? 1 : VGS_EXIT_BAD_INPUT;
	} else if (rc == 0 && !ra.quiet) {
		char *dir = vgs_outdir_norm(ra.outdir);

		printf("\nresults: %s/ (summary.json, tenants.csv, engines.csv, units.csv, executor.json)\n", dir);
		g_free(dir);
	}
out:
	vgs_scenario_fini(&scn);
	g_free(def_out);
	vgs_args_fini(&args);
	return rc;
}

static int cmd_calibrate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' }, { "backend", required_argument, NULL, 'b' },
		{ "base", required_argument, NULL, 'B' },   { "name", required_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },        { NULL, 0, NULL, 0 },
	};
	struct ex_calibrate_args ca = { .be = &ex_backend_host };
	struct vgs_error err = { { 0 } };
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:q", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			ca.out = optarg;
			break;
		case 'b':
			ca.be = backend_by_name(optarg);
			if (!ca.be)
				return vgs_args_usage_error("--backend expects host or cuda, got '%s'", optarg);
			break;
		case 'B':
			ca.base = optarg;
			break;
		case 'n':
			ca.name = optarg;
			break;
		case 'q':
			ca.quiet = true;
			break;
		default:
			return vgs_args_usage_error("%s", "bad option for 'calibrate'");
		}
	}
	if (optind != argc || !ca.out)
		return vgs_args_usage_error("%s", "calibrate expects -o PROFILE.cfg and no other argument");
	if (ex_calibrate(&ca, &err)) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		if (vgs_interrupted())
			return vgs_interrupt_status();
		return err.msg[0] && strstr(err.msg, "CUDA") ? 1 : VGS_EXIT_BAD_INPUT;
	}
	return 0;
}

int main(int argc, char **argv)
{
	vgs_interrupt_init();
	vgs_trace_set_import(vgs_import_cached);
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("vgpusim-replay %s\n", VGS_VERSION);
		return vgs_stdout_flush(0);
	}
	if (argc >= 2 && (!strcmp(argv[1], "help") || vgs_args_wants_help(argc, argv))) {
		usage(stdout);
		return vgs_stdout_flush(0);
	}
	if (argc >= 2 && !strcmp(argv[1], "replay"))
		return vgs_stdout_flush(cmd_replay(argc - 1, argv + 1));
	if (argc >= 2 && !strcmp(argv[1], "calibrate"))
		return vgs_stdout_flush(cmd_calibrate(argc - 1, argv + 1));
	usage(stderr);
	return VGS_EXIT_BAD_INPUT;
}
