/*
 * `vgpusim compare CONFIG -p P1,P2[:KEY=VALUE]... [options]`: run a scenario once per policy item and
 * once per tenant kind alone (solo baselines), then write compare.csv, report.md and the plots
 * (docs/compare.md).  This file is the process glue: validate everything before any run, spawn the
 * runs as `vgpusim run` processes of this same binary (at most -j at once), and hand their exit
 * status to models/results/compare.c, which reads the results back and writes the files.
 *
 * Layout of DIR (written as a temporary sibling and renamed into place at the end, like a run's):
 *   DIR/<item>/          each policy's results directory (`run --slices --windows`), DIR/<item>.log its stderr
 *   DIR/solo/<group>/    each vgpus entry alone (`run --solo GROUP`), DIR/solo/<group>.log
 *   DIR/compare.csv, DIR/report.md, DIR/plots/
 * With --seeds N (N > 1) each seed S has that layout in DIR/seed-S/, and DIR holds seeds.csv and the
 * replications' report.md.  Logs of runs that succeeded with nothing to say are removed.
 *
 * The runs are child processes (models/base/child.h, through sim/batch.c): each in its own process
 * group, killed by the kernel should this process die.  SIGINT or SIGTERM stops them, removes DIR's
 * temporary sibling and exits 128 + signal: nothing is written.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/base/interrupt.h"
#include "models/results/compare.h"
#include "models/results/seeds.h"
#include "models/results/outdir.h"
#include "models/scenario/policy_load.h"
#include "sim/batch.h"
#include "sim/cli.h"
#include "sim/cmd_plot.h"
#include "sim/pool.h"

const struct vgs_cli_cmd vgs_cli_compare = {
	.name = "compare", .synopsis = "CONFIG -p POLICY[,POLICY]... [options]",
	.summary = "run CONFIG under each policy, compare them (docs/compare.md)",
	.run = vgs_cmd_compare,
	.help = "Run CONFIG once per policy and once per vgpus entry alone (solo baseline), then write\n"
		"compare.csv, report.md and plots/ into DIR (docs/compare.md).\n"
		"\n"
		"  -p, --policies LIST     comma-separated items POLICY[:KEY=VALUE]..., e.g.\n"
		"                          timeslice,weighted,weighted:slice_us=500,dynprio:boost=4:max_wait_us=20000\n"
		"                          (KEY=VALUE sets scheduler.<policy>.<KEY> for that run only);\n"
		"                          the item mig runs the config's own policy with its GPU cut into\n"
		"                          equal MIG instances, one per vGPU (docs/spatial.md)\n"
		"  -o, --output DIR        comparison directory (default: results/<scenario>-compare)\n"
		"  -j, --jobs N            runs at once (default: the number of online CPUs)\n"
		"      --set PATH=VALUE    config override for every run, as for `vgpusim run`\n"
		"      --seed N            random seed of every run\n"
		"      --duration S        measured simulated seconds of every run\n"
		VGS_ARGS_HELP_NO_CACHE
		"      --seeds N           replications: every policy and solo baseline runs seeds S .. S+N-1\n"
		"                          (S: --seed or the config's), each seed's comparison in DIR/seed-<S>/;\n"
		"                          DIR/seeds.csv and DIR/report.md give every number as mean +- 95 %\n"
		"                          interval and name the significant differences (paired t test)\n"
		"      --gantt-ms N        length of the Gantt charts, from the start of the measured window\n"
		"                          (default 20)\n"
		"      --no-plots          do not draw plots (no gnuplot needed)\n"
		"  -q, --quiet             no progress line, no summary\n"
		"\n"
		"Exit status: 0 when every run succeeded, 2 on bad input (nothing written) or when a run\n"
		"failed (the others' results are kept; report.md marks the failed one).\n",
};

struct opts {
	const char *config;
	const char *policies;
	unsigned jobs;
	struct vgs_args args;        /* -o, -q; --set, --seed, --duration for every run (-p is --policies) */
	double gantt_ms;
	bool plots;
	size_t seeds;                /* --seeds N: replications per policy (1: one run each) */
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "policies", required_argument, NULL, 'p' },   { "output", required_argument, NULL, VGS_ARG_OUTPUT },
		{ "jobs", required_argument, NULL, 'j' },       { "set", required_argument, NULL, VGS_ARG_SET },
		{ "seed", required_argument, NULL, VGS_ARG_SEED }, { "duration", required_argument, NULL, VGS_ARG_DURATION },
		{ "gantt-ms", required_argument, NULL, 'g' },   { "no-plots", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, VGS_ARG_QUIET },  { "seeds", required_argument, NULL, 'N' },
		VGS_ARGS_NO_CACHE,                              { NULL, 0, NULL, 0 },
	};
	uint64_t u;
	int c;

	o->jobs = vgs_batch_default_jobs();
	o->gantt_ms = VGS_GANTT_MS_DEFAULT;
	o->plots = true;
	o->seeds = 1;
	while ((c = vgs_args_next(&o->args, "compare", argc, argv, "p:o:j:q", lo)) > 0) {
		switch (c) {
		case 'p':
			o->policies = optarg;
			break;
		case 'j':
			if (!vgs_batch_parse_jobs(optarg, &o->jobs))
				return vgs_args_usage_error("-j expects a number of runs from 1 to 4096, got '%s'", optarg);
			break;
		case 'g':
			if (!vgs_cli_parse_ms(optarg, &o->gantt_ms))
				return vgs_args_usage_error("--gantt-ms expects a positive number of milliseconds, got '%s'",
							   optarg);
			break;
		case 'P':
			o->plots = false;
			break;
		case 'N':
			if (!vgs_args_parse_u64(optarg, &u) || u < 1 || u > VGS_MAX_SEEDS)
				return vgs_args_usage_error("--seeds expects a number of seeds from 1 to 1000, got '%s'", optarg);
			o->seeds = (size_t)u;
			break;
		}
	}
	if (c < 0)
		return VGS_EXIT_BAD_INPUT;
	if (optind != argc - 1)
		return vgs_args_usage_error("%s", optind >= argc ? "compare expects a CONFIG file"
								: "compare expects exactly one CONFIG");
	o->config = argv[optind];
	if (!o->policies)
		return vgs_args_usage_error("%s", "compare expects -p POLICY[,POLICY]... (e.g. -p timeslice,weighted,dynprio)");
	return 0;
}

/* Load CONFIG as the run of `it` would (NULL: with its own policy), with `extra` options after the user's. */
static int load_as_run(const struct opts *o, const struct vgs_compare_item *it, GPtrArray *extra,
		       struct vgs_scenario *s, struct vgs_error *err)
{
	return vgs_args_load_given(o->config, o->args.given, extra, it ? it->policy : NULL, s, err);
}

/*
 * Everything that can be checked before a run starts: each item's policy exists (a built-in, or a .so
 * file that is there), the config loads with each item's policy and parameters, and a built-in
 * policy accepts the parameters.  Fills params[i] (the item's --set pairs) and, from the first item's
 * scenario, the tenants and the header of c.
 */
static int validate(const struct opts *o, const struct vgs_compare_item *items, size_t nitems,
		    GPtrArray **params, struct vgs_scenario *first, struct vgs_error *err)
{
	for (size_t i = 0; i < nitems; i++) {
		const struct vgs_compare_item *it = &items[i];
		const struct vgs_policy_ops *ops = NULL;
		struct vgs_scenario s;
		bool group_exists;
		char msg[sizeof(err->msg)];

		if (vgs_compare_item_is_mig(it)) {
			/* The config's own policy, in equal MIG instances of its GPU, one per vGPU. */
			params[i] = g_ptr_array_new_with_free_func(g_free);
			if (load_as_run(o, NULL, NULL, &s, err) < 0)
				return -1;
			if (vgs_mig_variant_args(&s, params[i], err) < 0) {
				vgs_scenario_fini(&s);
				goto item_err;
			}
			vgs_scenario_fini(&s);
			if (load_as_run(o, NULL, params[i], &s, err) < 0)
				goto item_err;
			if (i == 0)
				*first = s;
			else
				vgs_scenario_fini(&s);
			continue;
		}
		if (!vgs_policy_is_path(it->policy)) {
			ops = vgs_policy_load(it->policy, err);
			if (!ops)
				goto item_err;
		} else if (!g_file_test(it->policy, G_FILE_TEST_IS_REGULAR)) {
			vgs_error_set(err, "no such policy file '%s'", it->policy);
			goto item_err;
		}
		if (load_as_run(o, it, NULL, &s, err) < 0)
			return -1; /* the config's own fault: its message names file:line or the --set */
		/* The policy's (or preset's) group exists; otherwise the item's parameters create it. */
		group_exists = s.params_group;
		params[i] = g_ptr_array_new_with_free_func(g_free);
		vgs_compare_item_overrides(it, group_exists, params[i]);
		if (it->nparams) {
			vgs_scenario_fini(&s);
			if (load_as_run(o, it, params[i], &s, err) < 0)
				goto item_err;
		}
		if (ops && vgs_policy_check_params(ops, &s, err) < 0) {
			vgs_scenario_fini(&s);
			goto item_err;
		}
		if (i == 0)
			*first = s;
		else
			vgs_scenario_fini(&s);
		continue;
item_err:
		snprintf(msg, sizeof(msg), "%s", err->msg);
		vgs_error_set(err, "-p %s: %s", it->text, msg);
		return -1;
	}
	return 0;
}

/* The run of policy item `it` (or of group solo_group alone) into tmp/run->name, its stderr in tmp/run->log. */
static void job_add(struct vgs_batch *b, const struct opts *o, const struct vgs_compare_item *it, GPtrArray *params,
		    const char *tmp, struct vgs_compare_run *run, const char *solo_group, const char *seed)
{
	GPtrArray *a = vgs_batch_argv(o->config, o->args.given);

	for (guint i = 0; i < params->len; i++)
		g_ptr_array_add(a, g_strdup(params->pdata[i]));
	if (!vgs_compare_item_is_mig(it)) { /* the MIG variant runs the config's own policy in its instances */
		g_ptr_array_add(a, g_strdup("-p"));
		g_ptr_array_add(a, g_strdup(it->policy));
	}
	if (seed) {
		g_ptr_array_add(a, g_strdup("--seed"));
		g_ptr_array_add(a, g_strdup(seed));
	}
	if (solo_group) {
		g_ptr_array_add(a, g_strdup("--solo"));
		g_ptr_array_add(a, g_strdup(solo_group));
	} else {
		g_ptr_array_add(a, g_strdup("--slices")); /* the Gantt charts' data */
		g_ptr_array_add(a, g_strdup("--windows")); /* the time series */
	}
	g_ptr_array_add(a, g_strdup("--quiet"));
	g_ptr_array_add(a, g_strdup("-o"));
	g_ptr_array_add(a, g_build_filename(tmp, run->name, NULL));
	char *log = g_build_filename(tmp, run->log, NULL);

	vgs_batch_add(b, a, log, run);
	g_free(log);
}

static void header(struct vgs_compare *c, const struct opts *o, const struct vgs_scenario *s,
		   const struct vgs_compare_item *items)
{
	c->config = g_strdup(o->config);
	c->scenario = g_strdup(s->name);
	c->seed = s->seed;
	c->duration_s = (double)s->duration_ns / 1e9;
	c->warmup_s = (double)s->warmup_ns / 1e9;
	c->nsets = o->args.load.noverrides;
	c->sets = g_new0(char *, c->nsets + 1);
	for (size_t i = 0; i < c->nsets; i++)
		c->sets[i] = g_strdup_printf("%s=%s", o->args.load.overrides[i].path, o->args.load.overrides[i].value);
	c->solo_policy = g_strdup(items[0].text);
}

/* The runs of one comparison directory `dir` (DIR, or DIR/seed-S with --seeds): policies, then solos. */
static void add_jobs(const struct opts *o, const struct vgs_compare_item *items, GPtrArray **params, size_t nitems,
		     struct vgs_compare *c, const char *dir, const char *seed, struct vgs_batch *b)
{
	char *solo = g_build_filename(dir, VGS_COMPARE_SOLO_DIR, NULL);

	g_mkdir_with_parents(solo, 0777);
	g_free(solo);
	/* Policy runs first (they are what the user waits for), then the solo baselines. */
	for (size_t i = 0; i < nitems; i++)
		job_add(b, o, &items[i], params[i], dir, &c->runs[i], NULL, seed);
	for (size_t g = 0; g < c->ngroups; g++)
		job_add(b, o, &items[0], params[0], dir, &c->solos[g], c->groups[g], seed);
}

/*
 * After the runs of one comparison directory: read them back, say which failed, write compare.csv,
 * the plots (when scripts is set) and report.md.  Returns the failed runs (and plots), or -1 with err
 * set when a file could not be written.
 */
static int finish(const struct opts *o, struct vgs_compare *c, const char *dir, const char *shown,
		  const char *scripts, char **note, bool *plotted, struct vgs_error *err)
{
	size_t failed = 0;

	vgs_compare_collect(c, dir);
	for (size_t k = 0; k < c->nruns + c->ngroups; k++) {
		const struct vgs_compare_run *r = k < c->nruns ? &c->runs[k] : &c->solos[k - c->nruns];

		if (r->complete)
			continue;
		failed++;
		fprintf(stderr, "vgpusim: compare: run %s failed (%s), see %s/%s\n", r->name, r->status_text, shown,
			r->log);
	}
	if (vgs_compare_write_csv(c, dir, err) < 0)
		return -1;
	*plotted = false;
	if (scripts && failed < c->nruns + c->ngroups) {
		if (vgs_plot_dir(dir, scripts, o->gantt_ms, note, err) < 0) {
			if (vgs_interrupted())
				return -1; /* the caller leaves nothing */
			fprintf(stderr, "vgpusim: compare: %s\n", err->msg);
			failed++;
		} else {
			*plotted = true;
		}
	}
	if (vgs_report_write(c, dir, *plotted, err) < 0)
		return -1;
	return (int)failed;
}

/* The config is a pool of requests (a `requests` group); a config that does not load is not (its error
 * comes from the usual checks). */
static bool is_pool(const struct opts *o)
{
	struct vgs_scenario s;
	struct vgs_error err;
	bool pool;

	if (vgs_args_load_given(o->config, o->args.given, NULL, NULL, &s, &err) < 0)
		return false;
	pool = s.pool != NULL;
	vgs_scenario_fini(&s);
	return pool;
}

int vgs_cmd_compare(int argc, char **argv)
{
	struct opts o = { 0 };
	struct vgs_compare_item *items = NULL;
	struct vgs_scenario first = { 0 };
	struct vgs_compare *cmp = NULL;
	struct vgs_error err = { { 0 } };
	GPtrArray **params = NULL;
	char *final = NULL, *scripts = NULL, **names = NULL, **groups = NULL, *note = NULL;
	struct vgs_outdir out = { 0 };
	struct vgs_interrupt sigs;
	struct vgs_batch batch;
	uint64_t *seeds = NULL;
	size_t nitems = 0, failed = 0, n = 0;
	bool plotted = false, caught = false, have_batch = false;
	int rc = VGS_EXIT_BAD_INPUT;

	vgs_args_init(&o.args);
	if ((rc = parse_opts(argc, argv, &o)) != 0) {
		vgs_args_fini(&o.args);
		return rc;
	}
	/* A pool scenario: its items are placement policies (docs/pools.md). */
	if (is_pool(&o)) {
		rc = o.seeds > 1 ? vgs_args_usage_error("%s", "compare of placement policies takes no --seeds")
				 : sim_pool_compare(o.config, o.policies, o.jobs, &o.args, o.plots);
		vgs_args_fini(&o.args);
		return rc;
	}
	rc = VGS_EXIT_BAD_INPUT;
	if (vgs_compare_items_parse(o.policies, &items, &nitems, &err) < 0)
		goto bad;
	params = g_new0(GPtrArray *, nitems);
	if (validate(&o, items, nitems, params, &first, &err) < 0)
		goto bad;
	if (o.plots && !(scripts = vgs_plot_scripts_dir_or_skip(&err)))
		goto bad;
	final = o.args.outdir ? g_strdup(o.args.outdir) : vgs_outdir_default(&first, o.args.given, false, "compare");
	/* From here on SIGINT/SIGTERM stop the runs and leave nothing (the batch of runs, the plots' gnuplot). */
	vgs_interrupt_catch(&sigs);
	caught = true;
	if (vgs_outdir_begin(&out, final, o.seeds > 1 ? VGS_OUTDIR_SEEDS : VGS_OUTDIR_COMPARE, &err))
		goto bad;
	g_free(final);
	final = g_strdup(out.path);

	names = g_new0(char *, first.ntenants + 1);
	groups = g_new0(char *, first.ntenants + 1);
	for (uint32_t i = 0; i < first.ntenants; i++) {
		names[i] = first.tenants[i].name;
		groups[i] = first.tenants[i].group;
	}
	/* --seeds N: seeds S .. S+N-1 from the first run's (the config's or --seed), one directory each. */
	n = o.seeds;
	cmp = g_new0(struct vgs_compare, n);
	seeds = g_new(uint64_t, n);
	vgs_batch_init(&batch, "compare", o.jobs, !o.args.quiet && isatty(STDERR_FILENO));
	have_batch = true;
	for (size_t k = 0; k < n; k++) {
		char *sub = n > 1 ? g_strdup_printf("%s/seed-%" G_GUINT64_FORMAT, out.tmp, first.seed + k) : g_strdup(out.tmp);
		char *seed = n > 1 ? g_strdup_printf("%" G_GUINT64_FORMAT, first.seed + k) : NULL;

		seeds[k] = first.seed + k;
		vgs_compare_init(&cmp[k], items, nitems, names, groups, first.ntenants);
		header(&cmp[k], &o, &first, items);
		cmp[k].seed = seeds[k];
		add_jobs(&o, items, params, nitems, &cmp[k], sub, seed, &batch);
		g_free(sub);
		g_free(seed);
	}
	if (vgs_batch_run(&batch) < 0)
		goto out; /* interrupted: every run stopped and reaped */
	for (guint i = 0; i < batch.runs->len; i++) {
		const struct vgs_batch_run *r = batch.runs->pdata[i];
		struct vgs_compare_run *cr = r->user;

		cr->status_text = g_strdup(r->status_text);
	}

	for (size_t k = 0; k < n; k++) {
		char *sub = n > 1 ? g_strdup_printf("%s/seed-%" G_GUINT64_FORMAT, out.tmp, seeds[k]) : g_strdup(out.tmp);
		char *shown = n > 1 ? g_strdup_printf("%s/seed-%" G_GUINT64_FORMAT, final, seeds[k]) : g_strdup(final);
		bool drew;
		/* With --seeds, the plots of the first seed only: the others' are `vgpusim plot DIR/seed-S`. */
		int f = finish(&o, &cmp[k], sub, shown, k == 0 ? scripts : NULL, &note, &drew, &err);

		g_free(sub);
		g_free(shown);
		if (f < 0 && vgs_interrupted())
			goto out;
		if (f < 0)
			goto fail;
		failed += (size_t)f;
		plotted |= drew;
	}
	if (n > 1 && vgs_seeds_compare_write(cmp, seeds, n, out.tmp, &err) < 0)
		goto fail;
	if (vgs_interrupted())
		goto out;
	if (vgs_outdir_commit(&out, &err) < 0)
		goto fail;
	if (!o.args.quiet) {
		if (n > 1) {
			printf("Significant differences over %zu seeds (%s, paired t test, 95 %%):\n", n, final);
			vgs_seeds_compare_summary(cmp, n, stdout);
			printf("\nresults: %s/ (report.md, seeds.csv, seed-<SEED>/ for each seed%s)\n", final,
			       plotted ? "; plots of the first seed" : "");
		} else {
			printf("Who wins on what (%s):\n", final);
			vgs_report_winners(&cmp[0], stdout);
			printf("\nresults: %s/ (report.md, compare.csv%s, one directory per policy, solo/)\n", final,
			       plotted ? ", plots/" : "");
		}
		if (note)
			printf("%s\n", note);
	}
	rc = failed ? VGS_EXIT_BAD_INPUT : 0;
	goto out;
fail:
	fprintf(stderr, "vgpusim: compare: %s\n", err.msg);
	goto out;
bad:
	fprintf(stderr, "vgpusim: %s\n", err.msg);
out:
	if (vgs_interrupted()) {
		if (out.tmp)
			fprintf(stderr, "vgpusim: compare: %s: every run stopped; nothing written\n",
				vgs_interrupt_name());
		rc = vgs_interrupt_status();
	}
	vgs_outdir_fini(&out);
	if (caught)
		vgs_interrupt_release(&sigs);
	g_free(final);
	g_free(scripts);
	g_free(note);
	g_free(names);
	g_free(groups);
	g_free(seeds);
	if (have_batch)
		vgs_batch_fini(&batch);
	for (size_t i = 0; params && i < nitems; i++)
		if (params[i])
			g_ptr_array_free(params[i], TRUE);
	g_free(params);
	for (size_t k = 0; k < n; k++)
		vgs_compare_fini(&cmp[k]);
	g_free(cmp);
	vgs_compare_items_free(items, nitems);
	vgs_scenario_fini(&first);
	vgs_args_fini(&o.args);
	return rc;
}
