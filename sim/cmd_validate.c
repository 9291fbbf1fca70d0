/*
 * `vgpusim validate CONFIG --backend host|cuda [-o DIR] [--profile FILE] [run options]`: does the
 * simulator predict the executor?  (docs/validation.md)
 *
 *   1. calibrate the backend (vgpusim-replay calibrate, against the neutral base profile, so that the
 *      profile's launch_us and switch_idle_us are what the backend adds), or take --profile;
 *   2. replay the scenario on the backend (DIR/replay) and simulate it (DIR/sim) with the same seed,
 *      policy and overrides, the simulation's GPUs carrying the calibrated effective speed and launch_us per engine class
 *      and the calibrated timer lateness added to their switch costs and to every tenant's sleeps
 *      (submit.wake_us);
 *   3. per tenant: unit rate, share, p50 and p99 unit latency, simulated vs. measured, and their errors
 *      (validation.csv, report.md), with the plots of `vgpusim plot` for the two runs and a Gantt overlay
 *      (simulated above, measured below).
 * Each run is a child process (SimGrid initialises once per process).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <glib.h>
#include <libconfig.h>

#include "models/base/child.h"
#include "models/base/interrupt.h"
#include "models/results/outdir.h"
#include "models/results/plotdata.h"
#include "models/results/results.h"
#include "sim/cli.h"
#include "sim/cmd_plot.h"

const struct vgs_cli_cmd vgs_cli_validate = {
	.name = "validate", .synopsis = "CONFIG --backend host|cuda [options]",
	.summary = "simulate and replay the scenario, report the errors",
	.run = vgs_cmd_validate,
	.help = "Does the simulator predict the executor?  Calibrate the backend (or take --profile), replay\n"
		"CONFIG on it and simulate it with the measured overheads, with the same seed, policy and\n"
		"overrides; then report per tenant the unit rate, share and p50/p99 latency, simulated vs.\n"
		"measured: DIR/validation.csv, DIR/report.md, DIR/plots/ (docs/validation.md).\n"
		"\n"
		"options:\n"
		"      --backend NAME      host (the default) or cuda, as for `vgpusim replay`\n"
		"  -o, --output DIR        results directory (default: results/<scenario>-validate-<backend>)\n"
		"      --profile FILE      a profile written by `vgpusim calibrate`, instead of calibrating now\n"
		VGS_ARGS_HELP
		"      --gantt-ms N        length of the Gantt charts, from the start of the measured window\n"
		"                          (default 20)\n"
		"  -q, --quiet             no progress lines nor per-tenant summary\n",
};

/* Acceptance bounds of docs/validation.md (issue #6). */
#define VAL_SHARE_PP 2.0
#define VAL_RATE_PCT 3.0
#define VAL_P50_PCT 10.0

/* Run argv (models/base/child.h: stopped on SIGINT/SIGTERM); 0 on exit 0, else -1 with err =
 * "WHAT failed: <its last stderr line>". */
static int spawn(GPtrArray *argv, const char *what, struct vgs_error *err)
{
	g_ptr_array_add(argv, NULL);
	return vgs_child_run((char **)argv->pdata, what, err);
}

struct overheads {
	double launch_us;
	double switch_us;
	double speed;              /* effective speed factor of the backend (neutral base: 1 / slope) */
};

static int read_profile(const char *path, struct overheads *o, struct vgs_error *err)
{
	config_t cfg;
	int rc = -1;

	config_init(&cfg);
	if (!config_read_file(&cfg, path)) {
		vgs_error_set(err, "%s:%d: %s", path, config_error_line(&cfg), config_error_text(&cfg));
		goto out;
	}
	for (int c = 0; c < VGS_NCLASS; c++) {
		char *k1 = g_strdup_printf("engines.%s.launch_us", vgs_class_name(c));
		char *k2 = g_strdup_printf("engines.%s.switch_idle_us", vgs_class_name(c));
		char *k3 = g_strdup_printf("engines.%s.speed", vgs_class_name(c));
		bool got = config_lookup_float(&cfg, k1, &o->launch_us) && config_lookup_float(&cfg, k2, &o->switch_us);

		if (!config_lookup_float(&cfg, k3, &o->speed) || !(o->speed > 0))
			o->speed = 1.0;
		g_free(k1);
		g_free(k2);
		g_free(k3);
		if (got) {
			rc = 0;
			goto out;
		}
	}
	vgs_error_set(err, "%s: no engine class with launch_us and switch_idle_us: expected a profile written by "
		      "`vgpusim calibrate`", path);
out:
	config_destroy(&cfg);
	return rc;
}

static void add(GPtrArray *a, const char *s)
{
	g_ptr_array_add(a, g_strdup(s));
}

static void add_fmt(GPtrArray *a, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void add_fmt(GPtrArray *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_ptr_array_add(a, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

/* The simulation's GPUs get the backend's overheads: one override per gpus entry and engine class. */
static void add_overheads(GPtrArray *a, const struct vgs_scenario *scn, const struct overheads *o)
{
	int entry = -1;
	const char *prev = NULL;

	for (uint32_t g = 0; g < scn->ngpus; g++) {
		const struct vgs_gpu *gpu = &scn->gpus[g];

		/* gpus entries expand into consecutive instances of one profile */
		if (!prev || strcmp(prev, gpu->profile) != 0) {
			entry++;
			prev = gpu->profile;
		} else {
			continue;
		}
		for (int c = 0; c < VGS_NCLASS; c++) {
			if (gpu->route[c] >= VGS_NCLASS)
				continue;
			add(a, "--set");
			add_fmt(a, "gpus.[%d].engines.%s.speed=%.6f", entry, vgs_class_name(c), gpu->cls[c].speed * o->speed);
			if (!gpu->cls[c].count || gpu->route[c] != c)
				continue;
			add(a, "--set");
			add_fmt(a, "gpus.[%d].engines.%s.launch_us=%.3f", entry, vgs_class_name(c), o->launch_us);
			add(a, "--set");
			add_fmt(a, "gpus.[%d].engines.%s.switch_us=%.3f", entry, vgs_class_name(c),
				gpu->cls[c].switch_ns / 1e3 + o->switch_us);
			add(a, "--set");
			add_fmt(a, "gpus.[%d].engines.%s.switch_idle_us=%.3f", entry, vgs_class_name(c),
				gpu->cls[c].switch_idle_ns / 1e3 + o->switch_us);
		}
	}
	/* Tenants that sleep until a time wake that much late on the host (one entry per vgpus group). */
	prev = NULL;
	entry = -1;
	for (uint32_t i = 0; i < scn->ntenants; i++) {
		if (prev && !strcmp(prev, scn->tenants[i].group))
			continue;
		const struct vgs_submit_cfg *sc = &scn->tenants[i].submit;

		prev = scn->tenants[i].group;
		entry++;
		add(a, "--set");
		/* A group left at its defaults may be absent from the config: write it whole. */
		if (!sc->trap_ns && sc->batch_max <= 1 && !sc->batch_window_ns)
			add_fmt(a, "vgpus.[%d].submit={ wake_us = %.3f; }", entry, o->switch_us);
		else
			add_fmt(a, "vgpus.[%d].submit.wake_us=%.3f", entry, o->switch_us);
	}
}

static double pct(double sim, double real)
{
	return real != 0 && isfinite(real) && isfinite(sim) ? 100.0 * (sim - real) / real : NAN;
}

/* validation.csv and report.md from DIR/sim and DIR/replay; *ok = every tenant within the bounds. */
static int compare_runs(const char *dir, const char *backend, const struct overheads *o, bool *ok, bool quiet,
			struct vgs_error *err)
{
	struct vgs_results s = { 0 }, r = { 0 };
	char *p_sim = g_build_filename(dir, "sim", NULL), *p_real = g_build_filename(dir, "replay", NULL);
	char *csv_path = g_build_filename(dir, "validation.csv", NULL), *md_path = g_build_filename(dir, "report.md", NULL);
	FILE *csv = NULL, *md = NULL;
	int rc = -1;

	*ok = true;
	if (vgs_results_read(&s, p_sim, err) || vgs_results_read(&r, p_real, err))
		goto out;
	csv = fopen(csv_path, "w");
	md = fopen(md_path, "w");
	if (!csv || !md) {
		vgs_error_set(err, "cannot write in %s: %s", dir, strerror(errno));
		goto out;
	}
	fputs("tenant,unit,sim_rate_per_s,real_rate_per_s,rate_error_pct,sim_share,real_share,share_error_pp,"
	      "sim_p50_ms,real_p50_ms,p50_error_pct,sim_p99_ms,real_p99_ms,p99_error_pct,within_bounds\n",
	      csv);
	fprintf(md, "# Validation: %s on the %s backend\n\n", s.scenario, backend);
	fprintf(md, "| | |\n|---|---|\n| config | `%s` |\n| policy | %s |\n| seed | %" G_GUINT64_FORMAT " |\n"
		    "| measured | %.3f s after %.3f s of warm-up |\n| calibration | launch %.1f us per command, "
		    "switch overhead %.1f us (profile.cfg) |\n| vgpusim | %s |\n\n",
		s.config_path, s.policy, s.seed, s.duration_s, s.warmup_s, o->launch_us, o->switch_us, s.version);
	fprintf(md, "Errors are simulated minus measured: unit rate and latency in %% of the measured value, share "
		    "in percentage points (docs/validation.md).  Bounds: share %.0f pp, rate %.0f %%, p50 %.0f %%; "
		    "p99 is reported.\n\n",
		VAL_SHARE_PP, VAL_RATE_PCT, VAL_P50_PCT);
	fputs("| tenant | unit | rate sim | rate real | err % | share sim % | share real % | err pp | p50 sim ms | "
	      "p50 real ms | err % | p99 sim ms | p99 real ms | err % | within |\n"
	      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n",
	      md);
	for (guint i = 0; i < vgs_table_nrows(&s.tenants); i++) {
		const char *name = vgs_table_get(&s.tenants, i, "tenant");
		int j = vgs_table_find(&r.tenants, "tenant", name);

		if (j < 0)
			continue;
		double rs = vgs_table_num(&s.tenants, i, "unit_rate_per_s"), rr = vgs_table_num(&r.tenants, j, "unit_rate_per_s");
		double ss = vgs_table_num(&s.tenants, i, "share"), sr = vgs_table_num(&r.tenants, j, "share");
		double ps = vgs_table_num(&s.tenants, i, "lat_p50_ms"), pr = vgs_table_num(&r.tenants, j, "lat_p50_ms");
		double qs = vgs_table_num(&s.tenants, i, "lat_p99_ms"), qr = vgs_table_num(&r.tenants, j, "lat_p99_ms");
		double er = pct(rs, rr), es = 100.0 * (ss - sr), ep = pct(ps, pr), eq = pct(qs, qr);
		bool within = fabs(es) <= VAL_SHARE_PP && (!isfinite(er) || fabs(er) <= VAL_RATE_PCT) &&
			      (!isfinite(ep) || fabs(ep) <= VAL_P50_PCT);
		const char *unit = vgs_table_get(&s.tenants, i, "unit");

		*ok = *ok && within;
		fprintf(csv, "%s,%s,%.4f,%.4f,%.3f,%.6f,%.6f,%.3f,%.4f,%.4f,%.3f,%.4f,%.4f,%.3f,%s\n", name, unit, rs, rr,
			er, ss, sr, es, ps, pr, ep, qs, qr, eq, within ? "yes" : "no");
		fprintf(md, "| %s | %s | %.2f | %.2f | %+.2f | %.2f | %.2f | %+.2f | %.3f | %.3f | %+.1f | %.3f | %.3f | "
			    "%+.1f | %s |\n",
			name, unit, rs, rr, er, 100 * ss, 100 * sr, es, ps, pr, ep, qs, qr, eq, within ? "yes" : "**no**");
		if (!quiet)
			printf("%-14s rate %8.2f vs %8.2f (%+6.2f %%)  share %6.2f vs %6.2f %% (%+5.2f pp)  p50 %7.3f vs "
			       "%7.3f ms (%+6.1f %%)  p99 %+6.1f %%%s\n",
			       name, rs, rr, er, 100 * ss, 100 * sr, es, ps, pr, ep, eq, within ? "" : "  OUT OF BOUNDS");
	}
	fprintf(md, "\n%s\n\n![Gantt: simulated above, measured below](plots/gantt-overlay.png)\n\n"
		    "![Unit rate](plots/rate.png) ![Unit latency](plots/latency-cdf.png)\n",
		*ok ? "Every tenant is within the bounds." : "**Some tenants are out of bounds** (marked above).");
	rc = 0;
out:
	if (csv && fclose(csv) && !rc)
		rc = -1;
	if (md && fclose(md) && !rc)
		rc = -1;
	vgs_results_fini(&s);
	vgs_results_fini(&r);
	g_free(p_sim);
	g_free(p_real);
	g_free(csv_path);
	g_free(md_path);
	return rc;
}

/* The plots of the two runs (as `vgpusim plot` draws a comparison) plus the Gantt overlay. */
static int plots(const char *dir, double gantt_ms, struct vgs_error *err)
{
	char *scripts = vgs_plot_scripts_dir(err), *note = NULL;
	struct vgs_plot_src runs[2] = { { "sim", g_build_filename(dir, "sim", NULL) },
					{ "replay", g_build_filename(dir, "replay", NULL) } };
	char *plotdir = g_build_filename(dir, "plots", NULL);
	GPtrArray *jobs = g_ptr_array_new_with_free_func((GDestroyNotify)vgs_plot_job_free);
	int rc = -1;

	if (!scripts)
		goto out;
	if (g_mkdir_with_parents(plotdir, 0755) || vgs_plot_prepare(runs, 2, plotdir, gantt_ms, jobs, &note, err))
		goto out;
	for (guint i = 0; i < jobs->len; i++) {
		const struct vgs_plot_job *j = jobs->pdata[i];

		if (strcmp(j->script, "plot-gantt.gp") || !g_str_has_suffix(j->out, "gantt-sim"))
			continue;
		struct vgs_plot_job *o = g_new0(struct vgs_plot_job, 1);
		char *real = g_build_filename(plotdir, "gantt-replay.dat", NULL);
		char *out = g_build_filename(plotdir, "gantt-overlay", NULL);

		o->script = g_strdup("validate-gantt.gp");
		o->out = out;
		o->vars = g_strdup_printf("%sdatafile_real='%s'; out='%s'; ", j->vars, real, out);
		g_free(real);
		g_ptr_array_add(jobs, o);
		break;
	}
	rc = vgs_plot_draw(jobs, scripts, err);
out:
	g_free(scripts);
	g_free(note);
	g_free(runs[0].dir);
	g_free(runs[1].dir);
	g_free(plotdir);
	g_ptr_array_free(jobs, TRUE);
	return rc;
}

int vgs_cmd_validate(int argc, char **argv)
{
	static const struct option opts[] = {
		VGS_ARGS_OPTIONS,
		{ "backend", required_argument, NULL, 'b' }, { "profile", required_argument, NULL, 'P' },
		{ "gantt-ms", required_argument, NULL, 'g' }, { NULL, 0, NULL, 0 },
	};
	/* The scenario options, handed on to the replay and to the simulation alike. */
	struct vgs_args args;
	struct vgs_scenario scn = { 0 };
	struct vgs_error err = { { 0 } };
	const char *backend = "host", *outdir, *profile = NULL;
	char *replay_bin = NULL, *self = NULL, *tmp, *def_out = NULL;
	struct vgs_outdir out = { 0 };
	struct vgs_interrupt sigs;
	double gantt_ms = VGS_GANTT_MS_DEFAULT;
	struct overheads o = { 0 };
	bool quiet, ok = false;
	int c, rc = VGS_EXIT_BAD_INPUT, fail_rc = 1;

	vgs_args_init(&args);
	while ((c = vgs_args_next(&args, "validate", argc, argv, "o:p:q", opts)) > 0) {
		switch (c) {
		case 'b':
			if (strcmp(optarg, "host") && strcmp(optarg, "cuda")) {
				vgs_args_usage_error("--backend expects host or cuda, got '%s'", optarg);
				goto out;
			}
			backend = optarg;
			break;
		case 'P':
			profile = optarg;
			break;
		case 'g':
			if (!vgs_cli_parse_ms(optarg, &gantt_ms)) {
				vgs_args_usage_error("--gantt-ms expects a positive number of milliseconds, got '%s'", optarg);
				goto out;
			}
			break;
		}
	}
	if (c < 0 || vgs_args_load(&args, "validate", argc - optind, argv + optind, &scn) < 0)
		goto out;
	outdir = args.outdir;
	quiet = args.quiet;
	replay_bin = vgs_cli_sibling("vgpusim-replay");
	self = g_file_read_link("/proc/self/exe", NULL);
	if (!replay_bin || !self) {
		fprintf(stderr, "vgpusim: vgpusim-replay not found next to this binary (build it with make)\n");
		rc = 1;
		goto out;
	}
	if (!outdir) {
		char *suffix = g_strdup_printf("validate-%s", backend);

		outdir = def_out = vgs_outdir_default(&scn, args.given, true, suffix);
		g_free(suffix);
	}
	/* From here on SIGINT/SIGTERM stop the child under way and leave nothing. */
	vgs_interrupt_catch(&sigs);
	if (vgs_outdir_begin(&out, outdir, VGS_OUTDIR_VALIDATE, &err)) {
		fail_rc = VGS_EXIT_BAD_INPUT; /* -o names something else */
		goto fail;
	}
	tmp = out.tmp;
	outdir = out.path;
	char *prof_path = g_build_filename(tmp, "profile.cfg", NULL);

	if (profile) {
		char *text = NULL;
		GError *ge = NULL;

		if (!g_file_get_contents(profile, &text, NULL, &ge) || !g_file_set_contents(prof_path, text, -1, NULL)) {
			vgs_error_set(&err, "--profile %s: %s", profile, ge ? ge->message : "cannot copy it");
			if (ge)
				g_error_free(ge);
			g_free(text);
			g_free(prof_path);
			goto fail;
		}
		g_free(text);
	} else {
		GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

		if (!quiet)
			fprintf(stderr, "validate: calibrating the %s backend...\n", backend);
		add(a, replay_bin);
		add(a, "calibrate");
		add(a, "--backend");
		add(a, backend);
		add(a, "-q");
		add(a, "-o");
		add(a, prof_path);
		rc = spawn(a, "calibrate", &err);
		g_ptr_array_free(a, TRUE);
		if (rc) {
			g_free(prof_path);
			goto fail;
		}
	}
	rc = read_profile(prof_path, &o, &err);
	g_free(prof_path);
	if (rc)
		goto fail;

	/* The replay, then the simulation of the same scenario with the backend's overheads. */
	for (int k = 0; k < 2; k++) {
		GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

		add(a, k == 0 ? replay_bin : self);
		add(a, k == 0 ? "replay" : "run");
		add(a, args.load.path);
		if (k == 0) {
			add(a, "--backend");
			add(a, backend);
		}
		add(a, "--slices");
		add(a, "--quiet");
		add(a, "-o");
		add_fmt(a, "%s/%s", tmp, k == 0 ? "replay" : "sim");
		for (guint i = 0; i < args.given->len; i++)
			add(a, args.given->pdata[i]);
		if (k == 1)
			add_overheads(a, &scn, &o);
		if (!quiet)
			fprintf(stderr, "validate: %s (%.1f s)...\n", k == 0 ? "replaying on the backend" : "simulating",
				(scn.warmup_ns + scn.duration_ns) / 1e9);
		rc = spawn(a, k == 0 ? "the replay" : "the simulation", &err);
		g_ptr_array_free(a, TRUE);
		if (rc)
			goto fail;
	}
	if (compare_runs(tmp, backend, &o, &ok, quiet, &err) || plots(tmp, gantt_ms, &err) ||
	    vgs_interrupted() || vgs_outdir_commit(&out, &err))
		goto fail;
	if (!quiet)
		printf("\n%s; results: %s/ (report.md, validation.csv, plots/, sim/, replay/)\n",
		       ok ? "every tenant within the bounds" : "SOME TENANTS OUT OF BOUNDS", outdir);
	rc = 0;
	goto out;
fail:
	if (vgs_interrupted()) {
		fprintf(stderr, "vgpusim: validate: %s: stopped; nothing written\n", vgs_interrupt_name());
		rc = vgs_interrupt_status();
	} else {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		rc = fail_rc;
	}
out:
	if (out.path) {
		vgs_outdir_fini(&out);
		vgs_interrupt_release(&sigs);
	}
	vgs_scenario_fini(&scn);
	vgs_args_fini(&args);
	g_free(replay_bin);
	g_free(self);
	g_free(def_out);
	return rc;
}
