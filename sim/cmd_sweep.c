/*
 * `vgpusim sweep CONFIG --grid PATH=V1,V2,... [--grid ...] [-p LIST] [--seeds N] [-j N] [--slurm]` and
 * `vgpusim sweep --collect DIR` (docs/sweeps.md).  This file is the process glue: check every run's
 * scenario before any run, write the plan, run the runs that have no results yet (locally through
 * sim/batch.c, or as a Slurm array job through sim/slurm.c), then build sweep.csv and the plots with
 * models/results/sweep.c.  Layout of DIR: models/results/sweep.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/base/interrupt.h"
#include "models/results/compare.h"
#include "models/results/outdir.h"
#include "models/results/plotdata.h"
#include "models/results/sweep.h"
#include "models/scenario/policy_load.h"
#include "sim/batch.h"
#include "sim/cli.h"
#include "sim/cmd_plot.h"
#include "sim/slurm.h"

const struct vgs_cli_cmd vgs_cli_sweep = {
	.name = "sweep", .synopsis = "CONFIG --grid PATH=V1,V2,... [options] | --collect DIR",
	.summary = "run CONFIG over a grid of settings x policies x seeds (docs/sweeps.md)",
	.run = vgs_cmd_sweep,
	.help = "Run CONFIG once per combination of the --grid values, policy (-p) and seed, in parallel here\n"
		"or as a Slurm array job, then write DIR/sweep.csv (one row per run: the grid values, the\n"
		"summary metrics) and DIR/plots/ (each metric against each grid axis).  A sweep started again\n"
		"with the same arguments keeps the runs that finished and runs only the others.\n"
		"\n"
		"  -g, --grid PATH=V1,V2,...  a --set PATH taking each value in turn (repeatable: the cross\n"
		"                          product), e.g. --grid 'vgpus.[0].count=4,8,12'\n"
		"  -p, --policies LIST     policies, presets or items POLICY[:KEY=VALUE]... as for compare\n"
		"                          (default: the config's own)\n"
		"      --seeds N           seeds per combination: the config's seed (or --seed) and the N-1 next\n"
		"  -j, --jobs N            runs at once (default: the number of online CPUs)\n"
		"  -o, --output DIR        sweep directory (default: results/<scenario>-sweep)\n"
		"      --set PATH=VALUE    config override for every run, as for `vgpusim run`\n"
		"      --seed N            the first seed\n"
		"      --duration S        measured simulated seconds of every run\n"
		VGS_ARGS_HELP_NO_CACHE
		"      --sla SPEC          SLA of every tenant for sla_met / sla_attainment, e.g. fps=60,p99_ms=16.7\n"
		"                          (default: each tenant's own, from the config)\n"
		"      --plot METRIC       plot this sweep.csv column against each axis (repeatable; default\n"
		"                          sla_attainment, fps_min, lat_p99_max_ms)\n"
		"      --no-plots          draw no plots (no gnuplot needed)\n"
		"      --slurm             submit the runs as a Slurm array job (sbatch; DIR must be on a file\n"
		"                          system the compute nodes share) and wait for it\n"
		"      --no-wait           with --slurm: return once submitted; then `sweep --collect DIR`\n"
		"      --sbatch-args ARGS  more sbatch options, e.g. '--partition=cpu --time=30'\n"
		"      --per-task K        with --slurm: runs per array task (default 1; more above 1000 runs)\n"
		"      --collect DIR       build DIR/sweep.csv and DIR/plots from the runs there (no CONFIG)\n"
		"  -q, --quiet             no progress line, no summary\n"
		"\n"
		"Exit status: 0 when every run has results, 2 on bad input (nothing run) or when runs failed or\n"
		"are missing (sweep.csv marks them), 130/143 when interrupted (start it again to resume).\n",
};

#define SWEEP_DEFAULT_PLOTS { "sla_attainment", "fps_min", "lat_p99_max_ms" }
#define SWEEP_SLA_FILE "sweep-sla.txt"

struct opts {
	const char *config;
	const char *collect;
	struct vgs_batch_opts b;     /* -p, -j, --seeds, --sla, --no-plots */
	GPtrArray *grids;            /* const char * */
	GPtrArray *plots;            /* const char * */
	bool slurm, no_wait;
	const char *sbatch_args;
	unsigned per_task;
	struct vgs_args args;        /* -o, -q; --set, --seed, --duration for every run */
};

enum { O_PLOT = 256, O_SLURM, O_NOWAIT, O_SBATCH, O_PERTASK, O_COLLECT };

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "grid", required_argument, NULL, 'g' },       VGS_BATCH_OPTIONS,
		{ "plot", required_argument, NULL, O_PLOT },
		{ "slurm", no_argument, NULL, O_SLURM },        { "no-wait", no_argument, NULL, O_NOWAIT },
		{ "sbatch-args", required_argument, NULL, O_SBATCH }, { "per-task", required_argument, NULL, O_PERTASK },
		{ "collect", required_argument, NULL, O_COLLECT }, { NULL, 0, NULL, 0 },
	};
	uint64_t u;
	int c;

	vgs_batch_opts_init(&o->b);
	while ((c = vgs_batch_next(&o->b, &o->args, "sweep", argc, argv, "g:p:j:o:q", lo)) > 0) {
		switch (c) {
		case 'g': g_ptr_array_add(o->grids, optarg); break;
		case O_PLOT: g_ptr_array_add(o->plots, optarg); break;
		case O_SLURM: o->slurm = true; break;
		case O_NOWAIT: o->no_wait = true; break;
		case O_SBATCH: o->sbatch_args = optarg; break;
		case O_COLLECT: o->collect = optarg; break;
		case O_PERTASK:
			if (vgs_batch_count_opt("--per-task", optarg, 1, 100000, &u))
				return VGS_EXIT_BAD_INPUT;
			o->per_task = (unsigned)u;
			break;
		}
	}
	if (c < 0)
		return VGS_EXIT_BAD_INPUT;
	if (o->collect) {
		if (optind != argc || o->grids->len || o->b.policies || o->slurm || o->args.given->len)
			return vgs_args_usage_error("%s", "sweep --collect DIR takes no CONFIG, --grid, -p, --set, --seed, "
						    "--duration or --slurm");
		return 0;
	}
	if (optind != argc - 1)
		return vgs_args_usage_error("%s", optind >= argc ? "sweep expects a CONFIG file (or --collect DIR)"
								: "sweep expects exactly one CONFIG");
	o->config = argv[optind];
	if (!o->grids->len)
		return vgs_args_usage_error("%s", "sweep expects at least one --grid PATH=V1,V2,... (e.g. --grid "
						  "'vgpus.[0].count=4,8,12')");
	if (o->no_wait && !o->slurm)
		return vgs_args_usage_error("%s", "--no-wait goes with --slurm");
	return 0;
}

/* The policy items: -p's, or one standing for the config's own policy (no -p passed to the runs). */
struct items {
	struct vgs_compare_item *it;
	size_t n;
	bool own;                    /* no -p: it[0] is a placeholder */
	GPtrArray **params;          /* per item: its --set pairs */
};

static void items_free(struct items *x)
{
	for (size_t i = 0; x->params && i < x->n; i++)
		if (x->params[i])
			g_ptr_array_free(x->params[i], TRUE);
	g_free(x->params);
	if (x->own && x->it) {
		g_free(x->it[0].name);
		g_free(x->it);
	} else {
		vgs_compare_items_free(x->it, x->n);
	}
}

/* The --set pairs of combination `combo` of the axes (last axis fastest), then the item's parameters. */
static GPtrArray *combo_sets(const struct vgs_sweep_axis *axes, size_t naxes, size_t combo, const GPtrArray *params)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	size_t *idx = g_new0(size_t, naxes + 1);

	for (size_t k = naxes; k-- > 0;) {
		idx[k] = combo % axes[k].nvalues;
		combo /= axes[k].nvalues;
	}
	for (size_t k = 0; k < naxes; k++) {
		g_ptr_array_add(a, g_strdup("--set"));
		g_ptr_array_add(a, g_strdup_printf("%s=%s", axes[k].path, axes[k].values[idx[k]]));
	}
	for (guint i = 0; params && i < params->len; i++)
		g_ptr_array_add(a, g_strdup(params->pdata[i]));
	g_free(idx);
	return a;
}

/*
 * Everything checkable before a run: the items, and the scenario of every combination of grid values
 * under every item (the message names the --set or file:line at fault).  Fills x and *first (the
 * scenario of the first item, no grid values).
 */
static int check(const struct opts *o, const struct vgs_sweep_axis *axes, size_t naxes, struct items *x,
		 struct vgs_scenario *first, struct vgs_error *err)
{
	size_t combos = 1;

	if (o->b.policies) {
		if (vgs_compare_items_parse(o->b.policies, &x->it, &x->n, err) < 0)
			return -1;
	} else {
		x->own = true;
		x->n = 1;
		x->it = g_new0(struct vgs_compare_item, 1);
	}
	x->params = g_new0(GPtrArray *, x->n);
	for (size_t a = 0; a < naxes; a++)
		combos *= axes[a].nvalues;
	for (size_t i = 0; i < x->n; i++) {
		struct vgs_scenario s;
		const char *policy = x->own ? NULL : x->it[i].policy;

		if (vgs_batch_load(o->config, o->args.given, NULL, policy, &s, err) < 0)
			return -1;
		x->params[i] = g_ptr_array_new_with_free_func(g_free);
		if (!x->own)
			vgs_compare_item_overrides(&x->it[i], s.params_group, x->params[i]);
		else
			x->it[0].name = vgs_policy_group_name(s.preset ? s.preset : s.policy);
		if (i == 0)
			*first = s;
		else
			vgs_scenario_fini(&s);
		for (size_t c = 0; c < combos; c++) {
			GPtrArray *extra = combo_sets(axes, naxes, c, x->params[i]);
			int rc = vgs_batch_load(o->config, o->args.given, extra, policy, &s, err);

			g_ptr_array_free(extra, TRUE);
			if (rc < 0 && !x->own) {
				char msg[sizeof(err->msg)];

				snprintf(msg, sizeof(msg), "%s", err->msg);
				vgs_error_set(err, "-p %s: %s", x->it[i].text, msg);
			}
			if (rc < 0)
				return -1;
			vgs_scenario_fini(&s);
		}
	}
	return 0;
}

/* DIR holds nothing, or this very sweep (resume); anything else is refused.  0, or -1 with err set. */
static int prepare_dir(const char *dir, const struct vgs_sweep_plan *plan, bool *resumed, struct vgs_error *err)
{
	char *planfile = g_build_filename(dir, VGS_SWEEP_PLAN, NULL), *runs = g_build_filename(dir, VGS_SWEEP_RUNS, NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	bool empty = !d || !g_dir_read_name(d);
	int rc = -1;

	*resumed = false;
	if (d)
		g_dir_close(d);
	if (g_file_test(planfile, G_FILE_TEST_EXISTS)) {
		struct vgs_sweep_plan old;

		if (vgs_sweep_plan_read(&old, dir, err) < 0)
			goto out;
		*resumed = vgs_sweep_plan_equal(&old, plan);
		vgs_sweep_plan_fini(&old);
		if (!*resumed) {
			vgs_error_set(err, "%s holds another sweep (other grid values, policies or seeds); choose another -o "
				      "or remove it", dir);
			goto out;
		}
	} else if (!empty) {
		vgs_error_set(err, "%s exists and is not a vgpusim sweep (no %s); choose another -o", dir, VGS_SWEEP_PLAN);
		goto out;
	}
	if (g_mkdir_with_parents(runs, 0755) != 0) {
		vgs_error_set(err, "cannot create %s", runs);
		goto out;
	}
	rc = *resumed ? 0 : vgs_sweep_plan_write(plan, dir, err);
out:
	g_free(planfile);
	g_free(runs);
	return rc;
}

/* The runs of the plan that have no results yet, as batch runs. */
static void add_runs(const struct opts *o, const struct vgs_sweep_plan *plan, const struct vgs_sweep_axis *axes,
		     size_t naxes, const struct items *x, const char *dir, struct vgs_batch *b)
{
	for (size_t i = 0; i < plan->nrows; i++) {
		const struct vgs_sweep_row *r = &plan->rows[i];
		GPtrArray *a;
		char *log, *out;

		if (vgs_sweep_row_done(plan, i, dir))
			continue;
		a = vgs_batch_argv(o->config, o->args.given);
		for (size_t k = 0; k < naxes; k++) {
			g_ptr_array_add(a, g_strdup("--set"));
			g_ptr_array_add(a, g_strdup_printf("%s=%s", axes[k].path, r->values[k]));
		}
		for (guint k = 0; k < x->params[r->item]->len; k++)
			g_ptr_array_add(a, g_strdup(x->params[r->item]->pdata[k]));
		if (!x->own) {
			g_ptr_array_add(a, g_strdup("-p"));
			g_ptr_array_add(a, g_strdup(x->it[r->item].policy));
		}
		out = g_build_filename(dir, VGS_SWEEP_RUNS, r->name, NULL);
		log = g_strdup_printf("%s.log", out);
		g_ptr_array_add(a, g_strdup("--seed"));
		g_ptr_array_add(a, g_strdup(r->seed));
		g_ptr_array_add(a, g_strdup("--quiet"));
		g_ptr_array_add(a, g_strdup("-o"));
		g_ptr_array_add(a, out);
		vgs_batch_add(b, a, log, NULL);
		g_free(log);
	}
}

/* sweep.csv and the plots; the SLA spec comes from --sla or, when collecting, DIR/sweep-sla.txt. */
static int finish(const struct opts *o, const struct vgs_sweep_plan *plan, const char *dir, size_t *missing,
		  bool *plotted, struct vgs_error *err)
{
	static const char *const defaults[] = SWEEP_DEFAULT_PLOTS;
	struct vgs_sla_spec sla = { 0 };
	char *slafile = g_build_filename(dir, SWEEP_SLA_FILE, NULL), *text = NULL, *scripts = NULL, *pdir;
	struct vgs_outdir pout = { 0 };
	GPtrArray *jobs = g_ptr_array_new_with_free_func((GDestroyNotify)vgs_plot_job_free);
	const char *const *metrics = o->plots->len ? (const char *const *)o->plots->pdata : defaults;
	size_t nmetrics = o->plots->len ? o->plots->len : G_N_ELEMENTS(defaults);
	bool have_sla = false;
	int rc = -1;

	*plotted = false;
	if (o->b.sla) {
		GString *t = g_string_new(o->b.sla);

		have_sla = vgs_sla_parse(o->b.sla, &sla, err) == 0;
		if (!have_sla || vgs_sweep_write_file(slafile, t, err) < 0) {
			g_string_free(t, TRUE);
			goto out;
		}
		g_string_free(t, TRUE);
	} else if (g_file_get_contents(slafile, &text, NULL, NULL)) {
		if (vgs_sla_parse(g_strstrip(text), &sla, err) < 0)
			goto out;
		have_sla = true;
	}
	if (vgs_sweep_collect(plan, dir, have_sla ? &sla : NULL, missing, err) < 0)
		goto out;
	if (o->b.no_plots || *missing == plan->nrows) {
		rc = 0;
		goto out;
	}
	pdir = g_build_filename(dir, "plots", NULL);
	/* plots/ is replaced whatever it holds (marker NULL), only once every plot was drawn. */
	if ((scripts = vgs_plot_scripts_dir(err)) && vgs_outdir_begin(&pout, pdir, NULL, err) == 0 &&
	    vgs_sweep_plot_prepare(plan, dir, metrics, nmetrics, pout.tmp, jobs, err) == 0 &&
	    vgs_plot_draw(jobs, scripts, err) == 0 && vgs_outdir_commit(&pout, err) == 0) {
		*plotted = true;
		rc = 0;
	}
	vgs_outdir_fini(&pout);
	g_free(pdir);
out:
	if (have_sla)
		vgs_sla_fini(&sla);
	g_ptr_array_free(jobs, TRUE);
	g_free(scripts);
	g_free(text);
	g_free(slafile);
	return rc;
}

static int collect_only(const struct opts *o)
{
	struct vgs_sweep_plan plan;
	struct vgs_error err = { { 0 } };
	size_t missing = 0;
	bool plotted;

	if (vgs_sweep_plan_read(&plan, o->collect, &err) < 0) {
		fprintf(stderr, "vgpusim: sweep --collect: %s\n", err.msg);
		return VGS_EXIT_BAD_INPUT;
	}
	if (finish(o, &plan, o->collect, &missing, &plotted, &err) < 0) {
		fprintf(stderr, "vgpusim: sweep: %s\n", err.msg);
		vgs_sweep_plan_fini(&plan);
		return VGS_EXIT_BAD_INPUT;
	}
	if (!o->args.quiet)
		printf("sweep: %zu runs, %zu without results -> %s/%s%s\n", plan.nrows, missing, o->collect, VGS_SWEEP_CSV,
		       plotted ? ", plots/" : "");
	if (missing)
		fprintf(stderr, "vgpusim: sweep: %zu of %zu runs have no results (marked missing in %s)\n", missing,
			plan.nrows, VGS_SWEEP_CSV);
	vgs_sweep_plan_fini(&plan);
	return missing ? VGS_EXIT_BAD_INPUT : 0;
}

/* Run the batch here or on Slurm.  Returns the exit status to give when it did not run to its end (an
 * interruption, a --no-wait submission, a submission that failed), else -1. */
static int execute(const struct opts *o, const char *dir, struct vgs_batch *b, size_t *failed)
{
	struct vgs_error err = { { 0 } };
	struct vgs_slurm_opts so = { .args = o->sbatch_args, .wait = !o->no_wait, .per_task = o->per_task,
				     .name = "vgpusim-sweep" };
	char *jobid = NULL;
	int n;

	*failed = 0;
	if (!b->runs->len)
		return -1;
	if (!o->slurm) {
		n = vgs_batch_run(b);
		if (n < 0) {
			fprintf(stderr, "vgpusim: sweep: interrupted; the runs that finished are kept: run the same command "
				"again to do the others\n");
			return 128 + vgs_interrupted();
		}
		*failed = (size_t)n;
		return -1;
	}
	if (vgs_slurm_submit(dir, b->runs, &so, &jobid, &err) < 0) {
		fprintf(stderr, "vgpusim: sweep: %s\n", err.msg);
		return VGS_EXIT_BAD_INPUT;
	}
	if (!o->args.quiet)
		printf("sweep: Slurm job %s: %u runs%s\n", jobid, b->runs->len, o->no_wait ? "" : ", done");
	g_free(jobid);
	if (o->no_wait) {
		if (!o->args.quiet)
			printf("when it has ended: vgpusim sweep --collect %s\n", dir);
		return 0;
	}
	return -1;
}

int vgs_cmd_sweep(int argc, char **argv)
{
	struct opts o = { 0 };
	struct vgs_sweep_axis *axes = NULL;
	struct vgs_sweep_plan plan = { 0 };
	struct vgs_scenario first = { 0 };
	struct vgs_error err = { { 0 } };
	struct items x = { 0 };
	struct vgs_batch b = { 0 };
	uint64_t *seeds = NULL;
	const char **names = NULL;
	char *dir = NULL, *scripts = NULL;
	size_t naxes = 0, missing = 0, failed = 0, todo;
	bool resumed, plotted;
	int rc;

	vgs_args_init(&o.args);
	o.grids = g_ptr_array_new();
	o.plots = g_ptr_array_new();
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		goto out;
	if (o.collect) {
		rc = collect_only(&o);
		goto out;
	}
	rc = VGS_EXIT_BAD_INPUT;
	if (o.b.sla) {
		struct vgs_sla_spec probe;

		if (vgs_sla_parse(o.b.sla, &probe, &err) < 0)
			goto bad;
		vgs_sla_fini(&probe);
	}
	axes = g_new0(struct vgs_sweep_axis, o.grids->len);
	for (; naxes < o.grids->len; naxes++)
		if (vgs_sweep_axis_parse(o.grids->pdata[naxes], &axes[naxes], &err) < 0)
			goto bad;
	if (check(&o, axes, naxes, &x, &first, &err) < 0)
		goto bad;
	seeds = g_new0(uint64_t, o.b.nseeds);
	for (uint64_t k = 0; k < o.b.nseeds; k++)
		seeds[k] = first.seed + k;
	names = g_new0(const char *, x.n + 1);
	for (size_t i = 0; i < x.n; i++)
		names[i] = x.it[i].name;
	vgs_sweep_plan_build(&plan, axes, naxes, names, x.n, seeds, o.b.nseeds);
	if (!o.b.no_plots && !(scripts = vgs_plot_scripts_dir_or_skip(&err)))
		goto bad;
	if (o.args.outdir) {
		dir = g_canonicalize_filename(o.args.outdir, NULL);
	} else {
		char *rel = g_strdup_printf("results/%s-sweep", first.name);

		dir = g_canonicalize_filename(rel, NULL);
		g_free(rel);
	}
	if (o.slurm) {
		struct vgs_slurm_opts so = { 0 };
		char *sbatch = vgs_slurm_sbatch(&so, &err);

		if (!sbatch)
			goto bad;
		g_free(sbatch);
	}
	if (prepare_dir(dir, &plan, &resumed, &err) < 0)
		goto bad;

	vgs_batch_init(&b, "sweep", o.b.jobs, !o.args.quiet && isatty(STDERR_FILENO));
	add_runs(&o, &plan, axes, naxes, &x, dir, &b);
	todo = b.runs->len;
	if ((rc = execute(&o, dir, &b, &failed)) >= 0)
		goto out;
	for (guint i = 0; i < b.runs->len; i++) {
		const struct vgs_batch_run *r = b.runs->pdata[i];

		if (r->status_text)
			fprintf(stderr, "vgpusim: sweep: run %s failed (%s), see %s\n",
				(char *)r->argv->pdata[r->argv->len - 2], r->status_text, r->log);
	}
	if (finish(&o, &plan, dir, &missing, &plotted, &err) < 0) {
		fprintf(stderr, "vgpusim: sweep: %s\n", err.msg);
		rc = VGS_EXIT_BAD_INPUT;
		goto out;
	}
	if (!o.args.quiet)
		printf("sweep: %zu runs (%zu already done), %zu without results -> %s/%s%s\n", plan.nrows,
		       plan.nrows - todo, missing, dir, VGS_SWEEP_CSV, plotted ? ", plots/" : "");
	rc = missing ? VGS_EXIT_BAD_INPUT : 0;
	goto out;
bad:
	fprintf(stderr, "vgpusim: %s\n", err.msg);
out:
	vgs_batch_fini(&b);
	vgs_sweep_plan_fini(&plan);
	for (size_t a = 0; a < naxes; a++)
		vgs_sweep_axis_fini(&axes[a]);
	g_free(axes);
	items_free(&x);
	vgs_scenario_fini(&first);
	g_free(seeds);
	g_free(names);
	g_free(dir);
	g_free(scripts);
	g_ptr_array_free(o.grids, TRUE);
	g_ptr_array_free(o.plots, TRUE);
	vgs_args_fini(&o.args);
	(void)failed;
	return rc;
}
