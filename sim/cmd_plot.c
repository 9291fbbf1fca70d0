/*
 * `vgpusim plot DIR [--gantt-ms N] [--quiet]`: (re)draw the plots of a run or of a comparison into
 * DIR/plots/, without running anything (docs/compare.md).  models/results/plotdata.c writes the data files;
 * this file finds gnuplot and the scripts, runs them (PNG and SVG per plot), and replaces DIR/plots
 * only when every plot was drawn.  `vgpusim compare` draws its plots through vgs_plot_dir() too.
 *
 * The scripts are found in $VGS_SCRIPTS, else in a scripts/ folder next to the binary or in one of
 * its parent folders (./vgpusim in the repository root, build/asan/vgpusim for the sanitizer build).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/base/child.h"
#include "models/base/interrupt.h"
#include "models/results/outdir.h"
#include "models/results/plotdata.h"
#include "sim/cli.h"
#include "sim/cmd_plot.h"

const struct vgs_cli_cmd vgs_cli_plot = {
	.name = "plot", .synopsis = "DIR [options]",
	.summary = "(re)draw the plots of a run or comparison into DIR/plots",
	.run = vgs_cmd_plot,
	.help = "(Re)draw the plots of a results directory -- a run or a comparison -- into DIR/plots/\n"
		"(rate, share, latency-cdf, util, gantt-<policy>, timeseries-<policy>; .png and .svg) without\n"
		"running anything.  Needs gnuplot; the scripts are found in $VGS_SCRIPTS or a scripts/ folder\n"
		"next to the binary (docs/compare.md).\n"
		"\n"
		"options:\n"
		"      --gantt-ms N        length of the Gantt charts, from the start of the measured window\n"
		"                          (default 20)\n"
		"  -q, --quiet             do not print where the plots are\n",
};

/* The script every scripts folder has: how a folder is recognised. */
#define PROBE_SCRIPT "plot-rate.gp"
/* Parent folders of the binary searched for scripts/. */
#define SCRIPT_SEARCH_DEPTH 4

char *vgs_plot_scripts_dir(struct vgs_error *err)
{
	const char *env = getenv("VGS_SCRIPTS");
	char *exe, *dir, *probe, *gp = g_find_program_in_path("gnuplot");

	if (!gp) {
		vgs_error_set(err, "gnuplot not found in PATH: the plots need it (Debian: apt-get install "
			      "gnuplot-nox, or make deps)");
		return NULL;
	}
	g_free(gp);
	if (env && *env) {
		probe = g_build_filename(env, PROBE_SCRIPT, NULL);
		if (g_file_test(probe, G_FILE_TEST_IS_REGULAR)) {
			g_free(probe);
			return g_canonicalize_filename(env, NULL);
		}
		vgs_error_set(err, "VGS_SCRIPTS=%s: no %s there; expected the repository's scripts/ folder", env,
			      PROBE_SCRIPT);
		g_free(probe);
		return NULL;
	}
	exe = g_file_read_link("/proc/self/exe", NULL);
	dir = exe ? g_path_get_dirname(exe) : g_get_current_dir();
	for (int depth = 0; depth <= SCRIPT_SEARCH_DEPTH; depth++) {
		char *scripts = g_build_filename(dir, "scripts", NULL), *up;

		probe = g_build_filename(scripts, PROBE_SCRIPT, NULL);
		if (g_file_test(probe, G_FILE_TEST_IS_REGULAR)) {
			g_free(probe);
			g_free(dir);
			g_free(exe);
			return scripts;
		}
		g_free(probe);
		g_free(scripts);
		up = g_path_get_dirname(dir);
		g_free(dir);
		dir = up;
	}
	vgs_error_set(err, "cannot find the plot scripts (scripts/%s) next to %s or in its parent folders; set "
		      "VGS_SCRIPTS to the repository's scripts/ folder", PROBE_SCRIPT, exe ? exe : "the binary");
	g_free(dir);
	g_free(exe);
	return NULL;
}

char *vgs_plot_scripts_dir_or_skip(struct vgs_error *err)
{
	char *dir = vgs_plot_scripts_dir(err);

	if (!dir) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		vgs_error_set(err, "%s (or use --no-plots)", msg);
	}
	return dir;
}

/* gnuplot -e "set loadpath ...; VARS; fmt='FMT'" SCRIPTS/SCRIPT, then check that the file is there. */
static int draw(const struct vgs_plot_job *j, const char *scripts, const char *fmt, struct vgs_error *err)
{
	char *script = g_build_filename(scripts, j->script, NULL);
	char *expr = g_strdup_printf("set loadpath '%s'; %sfmt='%s'", scripts, j->vars, fmt);
	char *argv[] = { "gnuplot", "-e", expr, script, NULL };
	char *out = g_strdup_printf("%s.%s", j->out, fmt), *what = g_strdup_printf("gnuplot drawing %s", out);
	GStatBuf st;
	int rc = vgs_child_run(argv, what, err);

	if (rc == 0 && (g_stat(out, &st) != 0 || st.st_size == 0)) {
		vgs_error_set(err, "gnuplot failed drawing %s with %s: no output file", out, script);
		rc = -1;
	}
	g_free(what);
	g_free(out);
	g_free(expr);
	g_free(script);
	return rc;
}

int vgs_plot_draw(GPtrArray *jobs, const char *scripts, struct vgs_error *err)
{
	for (guint i = 0; i < jobs->len; i++)
		if (draw(jobs->pdata[i], scripts, "png", err) < 0 || draw(jobs->pdata[i], scripts, "svg", err) < 0)
			return -1;
	return 0;
}

int vgs_plot_dir(const char *dir, const char *scripts, double gantt_ms, char **note, struct vgs_error *err)
{
	struct vgs_plot_src *runs = NULL;
	size_t nruns = 0;
	GPtrArray *jobs = g_ptr_array_new_with_free_func((GDestroyNotify)vgs_plot_job_free);
	char *final = g_build_filename(dir, "plots", NULL);
	struct vgs_outdir out = { 0 };
	int rc = -1;

	*note = NULL;
	if (vgs_plot_sources(dir, &runs, &nruns, err) < 0)
		goto out;
	/* An earlier plots folder is replaced whatever it holds (marker NULL). */
	if (vgs_outdir_begin(&out, final, NULL, err) < 0 ||
	    vgs_plot_prepare(runs, nruns, out.tmp, gantt_ms, jobs, note, err) < 0)
		goto out;
	if (vgs_plot_draw(jobs, scripts, err) < 0 || vgs_outdir_commit(&out, err) < 0)
		goto out;
	rc = 0;
out:
	vgs_outdir_fini(&out);
	g_free(final);
	g_ptr_array_free(jobs, TRUE);
	vgs_plot_sources_free(runs, nruns);
	return rc;
}

int vgs_cmd_plot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "gantt-ms", required_argument, NULL, 'g' }, { "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	struct vgs_error err = { { 0 } };
	double gantt_ms = VGS_GANTT_MS_DEFAULT;
	bool quiet = false;
	char *scripts, *note = NULL;
	struct vgs_interrupt sigs;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "q", opts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if (!vgs_cli_parse_ms(optarg, &gantt_ms))
				return vgs_args_usage_error("--gantt-ms expects a positive number of milliseconds, got '%s'",
							   optarg);
			break;
		case 'q':
			quiet = true;
			break;
		default:
			return vgs_args_usage_error("%s", "bad option for 'plot'");
		}
	}
	if (optind != argc - 1)
		return vgs_args_usage_error("%s", "plot expects exactly one results DIR");
	if (!g_file_test(argv[optind], G_FILE_TEST_IS_DIR)) {
		fprintf(stderr, "vgpusim: %s: no such results directory\n", argv[optind]);
		return VGS_EXIT_BAD_INPUT;
	}
	scripts = vgs_plot_scripts_dir(&err);
	if (!scripts) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		return VGS_EXIT_BAD_INPUT;
	}
	vgs_interrupt_catch(&sigs);
	rc = vgs_plot_dir(argv[optind], scripts, gantt_ms, &note, &err);
	vgs_interrupt_release(&sigs);
	if (vgs_interrupted()) {
		fprintf(stderr, "vgpusim: plot: %s: stopped; %s\n", vgs_interrupt_name(),
			rc < 0 ? "nothing written" : "the plots are complete");
		rc = vgs_interrupt_status();
	} else if (rc < 0) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
	}
	else if (!quiet)
		printf("plots: %s/plots/ (rate, share, latency-cdf, util, gantt-<policy>, timeseries-<policy>; .png and .svg)%s%s\n",
		       argv[optind], note ? "\n" : "", note ? note : "");
	g_free(note);
	g_free(scripts);
	return rc < 0 ? VGS_EXIT_BAD_INPUT : rc;
}
