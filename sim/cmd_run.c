/*
 * `vgpusim run CONFIG [options]`: load a scenario, simulate it (sim/run.c), write its results directory
 * and print its results table.  Bad input (command line, config, trace) prints one line naming what and
 * where, and exits 2 without writing any results.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include <glib.h>

#include "models/base/interrupt.h"
#include "models/results/outdir.h"
#include "models/results/seeds.h"
#include "models/results/units.h"
#include "sim/batch.h"
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
		"      --windows[=S]       also write windows.csv: each tenant's unit rate, latency p50/p99\n"
		"                          and unit-interval p99 per window of S seconds (default 1), the\n"
		"                          time series of `vgpusim plot`\n"
		"      --solo GROUP        run one instance of the vgpus entry GROUP alone on its GPU (the\n"
		"                          others are dropped): the baseline of `vgpusim compare`\n"
		"      --seeds N           replications: run the scenario with seeds S .. S+N-1 (S: --seed or\n"
		"                          the config's), each into DIR/seed-<SEED>/, then write DIR/seeds.csv\n"
		"                          and DIR/report.md: every tenant's numbers as mean +- 95 % interval\n"
		"                          (docs/compare.md, \"Replications\")\n"
		"  -j, --jobs N            processes at once (default: the number of online CPUs): with\n"
		"                          --seeds the runs; else the shards of one run, when its GPUs do\n"
		"                          not interact (docs/simulator.md, \"Shards\"); the outputs do not\n"
		"                          depend on it\n"
		"      --no-coalesce       lockstep: SimGrid's clock at every event and one SimGrid exec per\n"
		"                          command, energy from SimGrid's plugin -- the reference the fast\n"
		"                          path is checked against (same outputs; slower; docs/simulator.md,\n"
		"                          \"Event loop\")\n"
		"\n"
		"Configs are documented in docs/config.md, outputs and metrics in docs/metrics.md, the VRAM\n"
		"model (page tables, quotas, faults, oversubscription; configs/oversubscribe.cfg) in docs/vram.md.\n",
};

/*
 * run --seeds N: N runs of this binary with seeds S .. S+N-1 into OUT/seed-<SEED>/ (the user's options
 * and the outputs asked for passed on), then OUT/seeds.csv and OUT/report.md (models/results/seeds.h).
 * OUT is written as a temporary sibling and renamed into place, like compare's directory.
 */
static int run_seeds(const char *config, const struct vgs_args *args, const struct sim_run_args *ra,
		     const char *solo, const char *window, const struct vgs_scenario *scn, uint64_t n, unsigned jobs)
{
	struct vgs_error err = { { 0 } };
	struct vgs_outdir out = { 0 };
	struct vgs_interrupt sigs;
	struct vgs_batch batch;
	uint64_t *seeds = g_new(uint64_t, n);
	char **failed = g_new0(char *, n + 1), **names = g_new0(char *, scn->ntenants + 1);
	size_t nfailed = 0;
	int rc = VGS_EXIT_BAD_INPUT;

	vgs_batch_init(&batch, "run", jobs, !ra->quiet && isatty(STDERR_FILENO));
	if (vgs_outdir_begin(&out, ra->outdir, VGS_OUTDIR_SEEDS, &err)) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		goto out;
	}
	/* SIGINT/SIGTERM from here on: the runs are stopped and reaped, nothing is written. */
	vgs_interrupt_catch(&sigs);
	for (uint64_t k = 0; k < n; k++) {
		GPtrArray *a = vgs_batch_argv(config, args->given);

		seeds[k] = scn->seed + k;
		g_ptr_array_add(a, g_strdup("--seed"));
		g_ptr_array_add(a, g_strdup_printf("%" G_GUINT64_FORMAT, seeds[k]));
		if (solo) {
			g_ptr_array_add(a, g_strdup("--solo"));
			g_ptr_array_add(a, g_strdup(solo));
		}
		if (ra->commands)
			g_ptr_array_add(a, g_strdup("--commands"));
		if (ra->slices)
			g_ptr_array_add(a, g_strdup("--slices"));
		if (ra->timeline)
			g_ptr_array_add(a, g_strdup("--timeline"));
		if (ra->no_coalesce)
			g_ptr_array_add(a, g_strdup("--no-coalesce"));
		if (window)
			g_ptr_array_add(a, *window ? g_strdup_printf("--windows=%s", window) : g_strdup("--windows"));
		g_ptr_array_add(a, g_strdup("--quiet"));
		g_ptr_array_add(a, g_strdup("-o"));
		g_ptr_array_add(a, g_strdup_printf("%s/seed-%" G_GUINT64_FORMAT, out.tmp, seeds[k]));
		char *log = g_strdup_printf("%s/seed-%" G_GUINT64_FORMAT ".log", out.tmp, seeds[k]);

		vgs_batch_add(&batch, a, log, NULL);
		g_free(log);
	}
	if (vgs_batch_run(&batch) < 0) {
		fprintf(stderr, "vgpusim: run: %s: every run stopped; nothing written\n", vgs_interrupt_name());
		rc = vgs_interrupt_status();
		goto release;
	}
	for (uint64_t k = 0; k < n; k++) {
		const struct vgs_batch_run *r = batch.runs->pdata[k];

		if (!r->status_text)
			continue;
		failed[k] = g_strdup(r->status_text);
		nfailed++;
		fprintf(stderr, "vgpusim: run: seed %" G_GUINT64_FORMAT " failed (%s), see %s/seed-%" G_GUINT64_FORMAT
			".log\n", seeds[k], failed[k], out.path, seeds[k]);
	}
	for (uint32_t i = 0; i < scn->ntenants; i++)
		names[i] = scn->tenants[i].name;
	if (vgs_seeds_run_write(out.tmp, names, scn->ntenants, seeds, failed, n, ra->quiet ? NULL : stdout, &err) < 0 ||
	    vgs_outdir_commit(&out, &err) < 0) {
		fprintf(stderr, "vgpusim: run: %s\n", err.msg);
	} else {
		rc = nfailed ? VGS_EXIT_BAD_INPUT : 0;
		if (!ra->quiet)
			printf("\nresults: %s/ (report.md, seeds.csv, seed-<SEED>/ for each seed)\n", out.path);
	}
release:
	vgs_interrupt_release(&sigs);
out:
	vgs_outdir_fini(&out);
	vgs_batch_fini(&batch);
	for (uint64_t k = 0; k < n; k++)
		g_free(failed[k]);
	g_free(failed);
	g_free(names);
	g_free(seeds);
	return rc;
}

int vgs_cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		VGS_ARGS_OPTIONS,
		{ "commands", no_argument, NULL, 'C' }, { "solo", required_argument, NULL, 'G' },
		{ "slices", no_argument, NULL, 'L' },   { "timeline", no_argument, NULL, 'T' },
		{ "no-coalesce", no_argument, NULL, 'N' }, { "windows", optional_argument, NULL, 'W' },
		{ "seeds", required_argument, NULL, 'R' }, { "jobs", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct sim_run_args ra = { 0 };
	struct vgs_args args;
	struct vgs_scenario scn = { 0 };
	struct vgs_error err = { { 0 } };
	char *def_out = NULL;
	const char *solo = NULL, *window = NULL;
	uint64_t nseeds = 1;
	unsigned jobs = vgs_batch_default_jobs();
	int c, rc = VGS_EXIT_BAD_INPUT;

	ra.start_s = sim_wall_now();
	vgs_args_init(&args);
	while ((c = vgs_args_next(&args, "run", argc, argv, "o:p:qj:", opts)) > 0) {
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
		case 'R':
			if (!vgs_args_parse_u64(optarg, &nseeds) || nseeds < 1 || nseeds > VGS_MAX_SEEDS) {
				rc = vgs_args_usage_error("--seeds expects a number of seeds from 1 to 1000, got '%s'", optarg);
				goto out;
			}
			break;
		case 'j':
			if (!vgs_batch_parse_jobs(optarg, &jobs)) {
				rc = vgs_args_usage_error("-j expects a number of runs from 1 to 4096, got '%s'", optarg);
				goto out;
			}
			break;
		case 'W':
			window = optarg ? optarg : "";
			ra.window_ns = VGS_WINDOW_NS_DEFAULT;
			if (optarg) {
				double sec;

				if (!vgs_cli_parse_ms(optarg, &sec) || sec > 1e7) {
					rc = vgs_args_usage_error("--windows expects a positive number of seconds, got '%s'",
								  optarg);
					goto out;
				}
				ra.window_ns = (uint64_t)llround(sec * 1e9);
				if (!ra.window_ns)
					ra.window_ns = 1;
			}
			break;
		}
	}
	if (c < 0 || vgs_args_load(&args, "run", argc - optind, argv + optind, &scn) < 0)
		goto out;
	if (scn.pool) {
		fprintf(stderr, "vgpusim: %s: a pool of requests (docs/pools.md): run it with `vgpusim pool %s` "
			"(or compare its placement policies with `vgpusim compare`)\n", argv[optind], argv[optind]);
		goto out;
	}
	if (solo && vgs_scenario_keep_solo(&scn, solo, &err)) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		goto out;
	}
	ra.scn = &scn;
	ra.quiet = args.quiet;
	if (!args.outdir) {
		/* --solo and --seeds make other directories than a plain run's */
		GString *sfx = g_string_new(NULL);

		if (solo)
			g_string_append_printf(sfx, "solo=%s", solo);
		if (nseeds > 1)
			g_string_append_printf(sfx, "%sseeds=%" G_GUINT64_FORMAT, sfx->len ? "-" : "", (guint64)nseeds);
		def_out = vgs_outdir_default(&scn, args.given, true, sfx->len ? sfx->str : NULL);
		g_string_free(sfx, TRUE);
	}
	ra.outdir = def_out ? def_out : args.outdir;
	if (!ra.quiet)
		vgs_scenario_offered_check(&scn, stderr);
	if (nseeds > 1) {
		rc = run_seeds(argv[optind], &args, &ra, solo, window, &scn, nseeds, jobs);
		goto out;
	}
	ra.jobs = jobs;
	rc = sim_shard_run(&ra, &err);
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
