/*
 * Calibration of an executor backend: the backend replays microbenchmark traces through the real
 * executor (the same loop, dispatcher and policy as any replay), and what it adds to the nominal
 * times becomes profile figures:
 *
 *   launch_us   per command: back-to-back closed-loop commands of two sizes W1 < W2 on one channel;
 *               the period per command p(W) = launch + W / speed is fitted by least squares
 *               (ex_fit_line), launch = intercept.  It covers dispatch, the backend's start and the
 *               time until the loop observes the end (timer slack on the host backend).
 *   switch_us   the profile's switch cost plus the mean timer lateness (a switch is a timer).
 *   pcie        bandwidth and latency fitted the same way from host-to-device copies of two sizes:
 *               p(B) = latency + B / bandwidth (the host backend reproduces its profile's PCIe figures;
 *               a CUDA device measures its own).
 *
 * Every other figure is kept from the base profile (--base), whose hardware numbers keep their sources.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "hw-trace/exec/calibrate.h"
#include "hw-trace/exec/exec.h"
#include "models/base/interrupt.h"
#include "models/results/outdir.h"

#define CAL_COMMANDS 600u
#define CAL_SIZES 3

/* The neutral profile used without --base: one channel per class at speed 1, no switch cost. */
static const char neutral_profile[] =
	"name = \"neutral\"; model = \"host backend (neutral profile)\"; vram_gb = 16.0; max_vgpus = 8;\n"
	"tdr_timeout_ms = 2000.0;\npcie = { bandwidth_gbps = 16.0; latency_us = 2.0; };\n"
	"engines = { gfx = { count = 1; channels = 1; }; compute = { count = 1; channels = 1; };\n"
	"  copy = { count = 1; channels = 1; }; venc = { count = 1; channels = 1; }; vdec = { count = 1; channels = 1; }; };\n";

static int write_file(const char *path, const char *text, struct vgs_error *err)
{
	GError *ge = NULL;

	if (!g_file_set_contents(path, text, -1, &ge)) {
		vgs_error_set(err, "cannot write %s: %s", path, ge->message);
		g_error_free(ge);
		return -1;
	}
	return 0;
}

/* N back-to-back commands (each waits for the previous, no think time) of class cls. */
static char *bench_trace(const char *cls, uint64_t work_ns, uint64_t bytes)
{
	GString *s = g_string_new("#vgpusim-trace 1\n# vgpusim calibrate: back-to-back commands\n@unit command\n"
				  "seq\tclass\tstream\twork_ns\tbytes\tdir\tdeps\tgap_ns\tunit\tflags\n");

	for (unsigned i = 0; i < CAL_COMMANDS; i++) {
		char dep[24];

		snprintf(dep, sizeof(dep), "%u", i - 1);
		g_string_append_printf(s, "%u\t%s\t0\t%" G_GUINT64_FORMAT "\t%" G_GUINT64_FORMAT "\t%s\t%s\t0\t%u\tBE\n", i,
				       cls, work_ns, bytes, bytes ? "h2d" : "-", i ? dep : "-", i);
	}
	return g_string_free(s, FALSE);
}

/* Replay one microbenchmark; *period_ns = nominal run time / commands completed. */
static int bench(const struct ex_calibrate_args *a, const char *dir, const char *cls,
		 uint64_t work_ns, uint64_t bytes, double nominal_ns, double *period_ns, struct ex_replay_result *res,
		 struct vgs_error *err)
{
	char *trace = g_build_filename(dir, "bench.vgt", NULL), *cfg = g_build_filename(dir, "bench.cfg", NULL);
	char *out = g_build_filename(dir, "out", NULL), *text = bench_trace(cls, work_ns, bytes);
	/* Run for about 80 % of the nominal time of all the commands, so the trace never runs out. */
	double dur_s = 0.8 * CAL_COMMANDS * nominal_ns * 1e-9;
	char *scn_text = g_strdup_printf(
		"simulation = { name = \"calibrate\"; duration_s = %.6f; warmup_s = 0.0; seed = 1; };\n"
		"gpus = ( {\n@include \"profile.cfg\"\n} );\nscheduler = { policy = \"fifo\"; domain = \"engine\"; };\n"
		"vgpus = ( { name = \"bench\"; workload = { trace = \"bench.vgt\"; loop = false; copies = \"link\"; }; } );\n",
		dur_s);
	struct vgs_scenario scn = { 0 };
	struct vgs_load_args la = { .path = cfg };
	int rc = -1;

	if (write_file(trace, text, err) || write_file(cfg, scn_text, err))
		goto out;
	if (vgs_scenario_load(&scn, &la, err))
		goto out;
	struct ex_replay_args ra = { .scn = &scn, .be = a->be, .outdir = out, .quiet = true, .result = res };

	if (ex_replay(&ra, err) != 0) {
		if (vgs_interrupted())
			vgs_error_set(err, "calibration interrupted (%s): nothing written", vgs_interrupt_name());
		goto out;
	}
	if (!res->completed) {
		vgs_error_set(err, "calibration: the %s backend completed no command", a->be->name);
		goto out;
	}
	*period_ns = (double)res->stopped_ns / (double)res->completed;
	rc = 0;
out:
	vgs_scenario_fini(&scn);
	vgs_outdir_remove(out);
	g_free(trace);
	g_free(cfg);
	g_free(out);
	g_free(text);
	g_free(scn_text);
	return rc;
}

static int load_profile(const char *dir, struct vgs_scenario *scn, struct vgs_error *err)
{
	char *cfg = g_build_filename(dir, "base.cfg", NULL);
	const char *text = "simulation = { duration_s = 1.0; };\ngpus = ( {\n@include \"profile.cfg\"\n} );\n"
			   "scheduler = { policy = \"fifo\"; domain = \"engine\"; };\n"
			   "vgpus = ( { name = \"x\"; workload = { trace = \"bench.vgt\"; loop = false; }; } );\n";
	char *trace = g_build_filename(dir, "bench.vgt", NULL), *t = bench_trace("compute", 1000, 0);
	struct vgs_load_args la = { .path = cfg };
	int rc = write_file(cfg, text, err) || write_file(trace, t, err) || vgs_scenario_load(scn, &la, err) ? -1 : 0;

	g_free(cfg);
	g_free(trace);
	g_free(t);
	return rc;
}

int ex_calibrate(const struct ex_calibrate_args *a, struct vgs_error *err)
{
	char *dir = g_dir_make_tmp("vgpusim-calibrate-XXXXXX", NULL);
	char *profile = NULL, *name = NULL;
	struct vgs_interrupt sigs;
	struct vgs_scenario base = { 0 };
	struct ex_replay_result r[CAL_SIZES] = { { 0 } }, c1 = { 0 }, c2 = { 0 };
	/* Command lengths spanning what host timers can honour (docs/validation.md). */
	double p[CAL_SIZES], w[CAL_SIZES] = { 100e3, 400e3, 1600e3 }, cp[2], cb[2] = { 1048576, 16777216 };
	struct ex_fit fit, cfit;
	int rc = -1;

	if (!dir) {
		vgs_error_set(err, "cannot create a temporary directory: %s", strerror(errno));
		return -1;
	}
	/* SIGINT/SIGTERM stop the replay under way; the temporary directory is removed on the way out. */
	vgs_interrupt_catch(&sigs);
	/* Configs include relative to themselves: the profile is copied next to the generated ones. */
	profile = g_build_filename(dir, "profile.cfg", NULL);
	if (a->base) {
		char *text = NULL;
		GError *ge = NULL;

		if (!g_file_get_contents(a->base, &text, NULL, &ge)) {
			vgs_error_set(err, "--base %s: %s", a->base, ge->message);
			g_error_free(ge);
			goto out;
		}
		rc = write_file(profile, text, err);
		g_free(text);
		if (rc)
			goto out;
		rc = -1;
	} else if (write_file(profile, neutral_profile, err)) {
		goto out;
	}
	if (load_profile(dir, &base, err))
		goto out;
	const struct vgs_gpu *g = &base.gpus[0];
	/* A routed class keeps its own speed factor (the backend runs work_ns / that speed). */
	double speed = g->cls[VGS_COMPUTE].speed;

	if (!a->quiet)
		fprintf(stderr, "calibrate: %s backend, %u back-to-back commands of %.0f, %.0f and %.0f us...\n",
			a->be->name, CAL_COMMANDS, w[0] / 1e3, w[1] / 1e3, w[2] / 1e3);
	for (int i = 0; i < CAL_SIZES; i++)
		if (bench(a, dir, "compute", (uint64_t)w[i], 0, w[i] / speed, &p[i], &r[i], err))
			goto out;
	for (int i = 0; i < CAL_SIZES; i++)
		w[i] /= speed;
	if (ex_fit_line(w, p, CAL_SIZES, &fit) || !(fit.slope > 0)) {
		vgs_error_set(err, "calibration: degenerate measurement");
		goto out;
	}
	if (!a->quiet)
		fprintf(stderr, "calibrate: host-to-device copies of %.0f KiB and %.0f KiB...\n", cb[0] / 1024, cb[1] / 1024);
	for (int i = 0; i < 2; i++)
		if (bench(a, dir, "copy", 1000, (uint64_t)cb[i],
			  g->pcie_latency_ns + cb[i] / g->pcie_bw_Bps * 1e9, &cp[i], i ? &c2 : &c1, err))
			goto out;
	if (ex_fit_line(cb, cp, 2, &cfit) || !(cfit.slope > 0)) {
		vgs_error_set(err, "calibration: degenerate copy measurement");
		goto out;
	}

	/* The profile: the base's figures, plus what the backend adds. */
	struct vgs_gpu out = *g;
	double launch_ns = fit.intercept > 0 ? fit.intercept : 0;
	double slack_ns = 0;

	for (int i = 0; i < CAL_SIZES; i++)
		slack_ns += r[i].slack_mean_ns / CAL_SIZES;
	/*
	 * A slope above 1 means the backend stretches commands in proportion to their length (timer
	 * lateness grows with the sleep): that is an effective speed factor, speed / slope.
	 */
	for (int c = 0; c < VGS_NCLASS; c++) {
		out.cls[c].speed /= fit.slope;
		out.cls[c].launch_ns = (uint64_t)(launch_ns + 0.5);
		if (out.cls[c].count) {
			out.cls[c].switch_ns += (uint64_t)(slack_ns + 0.5);
			out.cls[c].switch_idle_ns += (uint64_t)(slack_ns + 0.5);
		}
	}
	/* The copy fit includes the launch overhead in its intercept. */
	out.pcie_bw_Bps = 1e9 / cfit.slope;
	out.pcie_latency_ns = cfit.intercept > launch_ns ? (uint64_t)(cfit.intercept - launch_ns + 0.5) : 0;
	name = a->name ? g_strdup(a->name) : g_path_get_basename(a->out);
	if (g_str_has_suffix(name, ".cfg"))
		name[strlen(name) - 4] = '\0';

	char *comment = g_strdup_printf(
		"GPU profile written by `vgpusim calibrate --backend %s`%s%s.\n"
		"# Measured: launch_us = intercept of period(work) over %u back-to-back commands of 100, 400 and 1600 us;\n"
		"# speed /= its slope %.4f (r2 %.5f); switch_us += mean timer lateness %.1f us; pcie from h2d copies of 1 MiB and\n"
		"# 16 MiB.  Dispatch latency p50 %.1f us.  Every other figure is the base profile's (see its sources).",
		a->be->name, a->base ? " from base " : "", a->base ? a->base : "", CAL_COMMANDS, fit.slope, fit.r2,
		slack_ns / 1e3, r[0].dispatch_p50_ns / 1e3);
	char *tmp = g_strdup_printf("%s.tmp-%d", a->out, (int)getpid());
	FILE *f = fopen(tmp, "w");

	if (!f || ex_profile_write(f, &out, name, comment) || fclose(f) || rename(tmp, a->out)) {
		vgs_error_set(err, "cannot write %s: %s", a->out, strerror(errno));
		g_unlink(tmp);
		g_free(tmp);
		g_free(comment);
		goto out;
	}
	g_free(tmp);
	g_free(comment);
	if (!a->quiet)
		printf("calibrate (%s): launch %.1f us per command (slope %.4f), timer lateness %.1f us, "
		       "PCIe %.2f GB/s + %.1f us -> %s\n",
		       a->be->name, launch_ns / 1e3, fit.slope, slack_ns / 1e3, out.pcie_bw_Bps / 1e9,
		       out.pcie_latency_ns / 1e3, a->out);
	rc = 0;
out:
	vgs_scenario_fini(&base);
	vgs_outdir_remove(dir);
	vgs_interrupt_release(&sigs);
	g_free(dir);
	g_free(profile);
	g_free(name);
	return rc;
}
