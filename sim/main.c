/*
 * vgpusim command line.
 *
 *   vgpusim run CONFIG [-o DIR] [-p POLICY] [--set PATH=VALUE]... [--seed N] [--duration S] [--quiet]
 *   vgpusim compare CONFIG -p POLICIES [options]     (sim/cmd_compare.c)
 *   vgpusim plot DIR [--gantt-ms N]                  (sim/cmd_plot.c)
 *   vgpusim policies
 *
 * Bad input (command line, config, trace) prints one line naming what and where, and exits 2 without
 * writing any results.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "hw-trace/stats.h"
#include "models/scenario/scenario.h"
#include "models/workload/trace.h"
#include "policies/vgs_policy.h"
#include "sim/cli.h"
#include "sim/sim.h"

#ifndef VGS_VERSION
#define VGS_VERSION "unknown"
#endif

#define EXIT_BAD_INPUT VGS_EXIT_BAD_INPUT

static void usage(FILE *out)
{
	fputs("usage: vgpusim run CONFIG [options]   simulate a scenario, print its results table\n"
	      "       vgpusim compare CONFIG -p P1,P2[:KEY=VALUE]... [options]\n"
	      "                                      run CONFIG under each policy and each tenant kind alone;\n"
	      "                                      write compare.csv, report.md, plots (docs/compare.md;\n"
	      "                                      'vgpusim compare --help' for its options)\n"
	      "       vgpusim plot DIR [--gantt-ms N] (re)draw the plots of a run or comparison into DIR/plots\n"
	      "       vgpusim policies               list scheduling policies and their parameters\n"
	      "       vgpusim import FORMAT INPUT [-o OUT] [--context NAME]\n"
	      "                                      convert a capture (kineto, ftrace, orion, presentmon,\n"
	      "                                      or auto) into the native trace format\n"
	      "       vgpusim trace stats FILE       ops per class and stream, span, busy time, overlap\n"
	      "       vgpusim replay CONFIG --backend host|cuda [-o DIR] [run options] [--slices]\n"
	      "                                      run the scenario for real with the same policies\n"
	      "                                      (the executor, docs/executor.md)\n"
	      "       vgpusim calibrate --backend host|cuda -o PROFILE.cfg [--base PROFILE.cfg]\n"
	      "                                      measure a backend's overheads into a GPU profile\n"
	      "       vgpusim validate CONFIG --backend host|cuda [-o DIR] [--profile PROFILE.cfg] [run options]\n"
	      "                                      simulate and replay the scenario, report the errors\n"
	      "                                      (docs/validation.md)\n"
	      "       vgpusim bench-floor [N]        SimGrid's cost of one exec per command (make bench)\n"
	      "       vgpusim --version\n"
	      "\n"
	      "run options:\n"
	      "  -o, --output DIR        results directory (default: results/<scenario name>)\n"
	      "  -p, --policy POLICY     scheduling policy, replacing scheduler.policy (a name or a .so path)\n"
	      "      --set PATH=VALUE    override a config setting, e.g. --set simulation.seed=7\n"
	      "                          or --set 'vgpus.[0].weight=4' (VALUE is a libconfig literal)\n"
	      "      --seed N            random seed (simulation.seed)\n"
	      "      --duration S        measured simulated seconds (simulation.duration_s)\n"
	      "  -q, --quiet             do not print the results table nor the progress line\n"
	      "      --commands          also write commands.csv: every completed command's tenant, seq,\n"
	      "                          engine and submit/start/end times (ns)\n"
	      "      --slices            also write slices.csv: every slice, switch and command piece per\n"
	      "                          engine (the Gantt data of `vgpusim plot`)\n"
	      "      --timeline          also write timeline.json (Chrome trace events): open it in\n"
	      "                          https://ui.perfetto.dev with \"Open trace file\"\n"
	      "      --solo GROUP        run one instance of the vgpus entry GROUP alone on its GPU (the\n"
	      "                          others are dropped): the baseline of `vgpusim compare`\n"
	      "      --no-coalesce       lockstep: SimGrid's clock at every event and one SimGrid exec per\n"
	      "                          command, energy from SimGrid's plugin -- the reference the fast\n"
	      "                          path is checked against (same outputs; slower; docs/simulator.md,\n"
	      "                          \"Event loop\")\n"
	      "\n"
	      "Configs are documented in docs/config.md, outputs and metrics in docs/metrics.md, the VRAM\n"
	      "model (page tables, quotas, faults, oversubscription; configs/oversubscribe.cfg) in docs/vram.md.\n",
	      out);
}

int vgs_cli_usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "vgpusim: ");
	fprintf(stderr, msg, arg ? arg : "");
	fprintf(stderr, "\n(run 'vgpusim --help' for usage)\n");
	return VGS_EXIT_BAD_INPUT;
}

static int cmd_policies(void)
{
	for (int i = 0; vgs_policy_builtins[i]; i++) {
		const struct vgs_policy_ops *ops = vgs_policy_builtins[i];

		printf("%s\n    %s\n", ops->name, ops->summary);
		for (const struct vgs_policy_param *p = ops->params; p && p->name; p++)
			printf("    %-20s default %-12s %s\n", p->name, p->def, p->help);
		printf("\n");
	}
	printf("Parameters go in the config's scheduler.<policy> group, e.g.\n"
	       "  scheduler = { policy = \"timeslice\"; timeslice = { slice_us = 2000; }; };\n"
	       "A policy can also be loaded from a shared object: policy = \"./libmine.so\" (docs/policies.md).\n");
	return 0;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	if (!*s || *s == '-')
		return false;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' }, { "policy", required_argument, NULL, 'p' },
		{ "set", required_argument, NULL, 's' },    { "seed", required_argument, NULL, 'S' },
		{ "duration", required_argument, NULL, 'd' }, { "quiet", no_argument, NULL, 'q' },
		{ "commands", no_argument, NULL, 'C' },     { "solo", required_argument, NULL, 'G' },
		{ "slices", no_argument, NULL, 'L' },       { "timeline", no_argument, NULL, 'T' },
		{ "no-coalesce", no_argument, NULL, 'N' },  { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct vgs_load_args la = { 0 };
	struct vgs_override *ov = g_new0(struct vgs_override, argc);
	const char *outdir = NULL, *solo = NULL;
	bool quiet = false, commands = false, slices = false, timeline = false, no_coalesce = false;
	struct vgs_scenario scn = { 0 };
	struct vgs_error err = { { 0 } };
	int c, rc;
	char *def_out = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:p:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			outdir = optarg;
			break;
		case 'p':
			la.policy = optarg;
			break;
		case 's': {
			char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg) {
				g_free(ov);
				return vgs_cli_usage_error("--set expects PATH=VALUE, got '%s'", optarg);
			}
			*eq = '\0';
			ov[la.noverrides].path = optarg;
			ov[la.noverrides++].value = eq + 1;
			break;
		}
		case 'S':
			if (!parse_u64(optarg, &la.seed)) {
				g_free(ov);
				return vgs_cli_usage_error("--seed expects a non-negative integer, got '%s'", optarg);
			}
			la.have_seed = true;
			break;
		case 'd': {
			char *end;

			la.duration_s = strtod(optarg, &end);
			if (*end || !(la.duration_s > 0)) {
				g_free(ov);
				return vgs_cli_usage_error("--duration expects a positive number of seconds, got '%s'", optarg);
			}
			break;
		}
		case 'q':
			quiet = true;
			break;
		case 'C':
			commands = true;
			break;
		case 'G':
			solo = optarg;
			break;
		case 'L':
			slices = true;
			break;
		case 'T':
			timeline = true;
			break;
		case 'N':
			no_coalesce = true;
			break;
		case 'h':
			usage(stdout);
			g_free(ov);
			return 0;
		default:
			g_free(ov);
			return vgs_cli_usage_error("%s", "bad option for 'run'");
		}
	}
	if (optind != argc - 1) {
		g_free(ov);
		return vgs_cli_usage_error("%s", optind >= argc ? "run expects a CONFIG file" : "run expects exactly one CONFIG");
	}
	la.path = argv[optind];
	la.overrides = ov;
	if (vgs_scenario_load(&scn, &la, &err) || (solo && vgs_scenario_keep_solo(&scn, solo, &err))) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		g_free(ov);
		vgs_scenario_fini(&scn);
		return EXIT_BAD_INPUT;
	}
	if (!outdir)
		outdir = def_out = g_strdup_printf("results/%s", scn.name);
	struct sim_run_args ra = { .scn = &scn, .outdir = outdir, .quiet = quiet, .commands = commands,
				   .slices = slices, .timeline = timeline, .no_coalesce = no_coalesce };

	rc = sim_run(&ra, &err);
	if (rc)
		fprintf(stderr, "vgpusim: %s\n", err.msg);
	else if (!quiet)
		printf("\nresults: %s/ (summary.json, tenants.csv, engines.csv, units.csv)\n", outdir);
	vgs_scenario_fini(&scn);
	g_free(def_out);
	g_free(ov);
	return rc ? EXIT_BAD_INPUT : 0;
}

/* `vgpusim replay` and `vgpusim calibrate` run the executor, a separate program without SimGrid. */
static int run_executor(char **argv)
{
	char *bin = vgs_cli_sibling("vgpusim-replay");

	if (!bin) {
		fprintf(stderr, "vgpusim: vgpusim-replay not found next to this binary (make builds both)\n");
		return 1;
	}
	argv[0] = bin;
	execv(bin, argv);
	fprintf(stderr, "vgpusim: cannot run %s: %s\n", bin, strerror(errno));
	g_free(bin);
	return 1;
}

int main(int argc, char **argv)
{
	/* `trace = "capture.json.gz"` in a config imports the capture on the fly. */
	vgs_trace_set_import(vgs_import_to_tempfile);
	if (argc < 2) {
		usage(stderr);
		return EXIT_BAD_INPUT;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vgpusim %s\n", VGS_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compare"))
		return vgs_cmd_compare(argc - 1, argv + 1);
	if (!strcmp(argv[1], "plot"))
		return vgs_cmd_plot(argc - 1, argv + 1);
	if (!strcmp(argv[1], "policies"))
		return cmd_policies();
	if (!strcmp(argv[1], "import"))
		return vgs_cmd_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "trace"))
		return vgs_cmd_trace(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay") || !strcmp(argv[1], "calibrate"))
		return run_executor(argv);
	if (!strcmp(argv[1], "validate"))
		return vgs_cmd_validate(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench-floor"))
		return sim_bench_floor(argc - 1, argv + 1);
	return vgs_cli_usage_error("unknown command '%s'; expected run, compare, plot, policies, import or trace", argv[1]);
}
