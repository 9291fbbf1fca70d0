/*
 * `vgpusim run CONFIG [options]`: load a scenario, simulate it (sim/run.c), write its results directory
 * and print its results table.  Bad input (command line, config, trace) prints one line naming what and
 * where, and exits 2 without writing any results.
 */
#include <getopt.h>
#include <stdio.h>

#include <glib.h>

#include "models/results/outdir.h"
#include "sim/cli.h"
#include "sim/sim.h"

const struct vgs_cli_cmd vgs_cli_run = {
	.name = "run", .synopsis = "CONFIG [options]",
	.summary = "simulate a scenario, print its results table",
	.run = vgs_cmd_run,
	.help = "Simulate the scenario CONFIG, write its results directory (summary.json, tenants.csv,\n"
		"engines.csv, units.csv) and print its results table.\n"
		"\n"
		"options:\n"
		"  -o, --output DIR        results directory (default: results/<scenario>-<policy>, followed by\n"
		"                          the --set, --seed, --duration and --solo options given)\n"
		VGS_ARGS_HELP
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
};

int vgs_cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		VGS_ARGS_OPTIONS,
		{ "commands", no_argument, NULL, 'C' }, { "solo", required_argument, NULL, 'G' },
		{ "slices", no_argument, NULL, 'L' },   { "timeline", no_argument, NULL, 'T' },
		{ "no-coalesce", no_argument, NULL, 'N' }, { NULL, 0, NULL, 0 },
	};
	struct sim_run_args ra = { 0 };
	struct vgs_args args;
	struct vgs_scenario scn = { 0 };
	struct vgs_error err = { { 0 } };
	char *def_out = NULL;
	const char *solo = NULL;
	int c, rc = VGS_EXIT_BAD_INPUT;

	vgs_args_init(&args);
	while ((c = vgs_args_next(&args, "run", argc, argv, "o:p:q", opts)) > 0) {
		switch (c) {
		case 'C':
			ra.commands = true;
			break;
		case 'L':
			ra.slices = true;
			break;
		case 'T':
			ra.timeline = true;
			break;
		case 'N':
			ra.no_coalesce = true;
			break;
		case 'G':
			solo = optarg;
			break;
		}
	}
	if (c < 0 || vgs_args_load(&args, "run", argc - optind, argv + optind, &scn) < 0)
		goto out;
	if (solo && vgs_scenario_keep_solo(&scn, solo, &err)) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		goto out;
	}
	ra.scn = &scn;
	ra.quiet = args.quiet;
	if (!args.outdir) {
		char *s = solo ? g_strdup_printf("solo=%s", solo) : NULL;

		def_out = vgs_outdir_default(&scn, args.given, true, s);
		g_free(s);
	}
	ra.outdir = def_out ? def_out : args.outdir;
	if (!ra.quiet)
		vgs_scenario_offered_check(&scn, stderr);
	rc = sim_run(&ra, &err);
	if (rc < 0) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		rc = VGS_EXIT_BAD_INPUT;
	} else if (rc == 0 && !ra.quiet) {
		char *dir = vgs_outdir_norm(ra.outdir);

		printf("\nresults: %s/ (summary.json, tenants.csv, engines.csv, units.csv)\n", dir);
		g_free(dir);
	}
out:
	vgs_scenario_fini(&scn);
	g_free(def_out);
	vgs_args_fini(&args);
	return rc;
}
