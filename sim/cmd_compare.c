/*
 * `vgpusim compare CONFIG -p P1,P2[:KEY=VALUE]... [options]`: run a scenario once per policy item and
 * once per tenant kind alone (solo baselines), then write compare.csv, report.md and the plots
 * (docs/compare.md).  This file is the process glue: validate everything before any run, spawn the
 * runs as `vgpusim run` processes of this same binary (at most -j at once), and hand their exit
 * status to models/results/compare.c, which reads the results back and writes the files.
 *
 * Layout of DIR (written as a temporary sibling and renamed into place at the end, like a run's):
 *   DIR/<item>/          each policy's results directory (`run --slices`), DIR/<item>.log its stderr
 *   DIR/solo/<group>/    each vgpus entry alone (`run --solo GROUP`), DIR/solo/<group>.log
 *   DIR/compare.csv, DIR/report.md, DIR/plots/
 * Logs of runs that succeeded with nothing to say are removed.
 *
 * The runs are child processes (models/base/child.h): each in its own process group, killed by the
 * kernel should this process die.  SIGINT or SIGTERM stops them, removes DIR's temporary sibling and
 * exits 128 + signal: nothing is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/base/child.h"
#include "models/base/interrupt.h"
#include "models/results/compare.h"
#include "models/results/outdir.h"
#include "models/scenario/policy_load.h"
#include "sim/cli.h"
#include "sim/cmd_plot.h"

const struct vgs_cli_cmd vgs_cli_compare = {
	.name = "compare", .synopsis = "CONFIG -p POLICY[,POLICY]... [options]",
	.summary = "run CONFIG under each policy, compare them (docs/compare.md)",
	.run = vgs_cmd_compare,
	.help = "Run CONFIG once per policy and once per vgpus entry alone (solo baseline), then write\n"
		"compare.csv, report.md and plots/ into DIR (docs/compare.md).\n"
		"\n"
		"  -p, --policies LIST     comma-separated items POLICY[:KEY=VALUE]..., e.g.\n"
		"                          timeslice,weighted,weighted:slice_us=500,dynprio:boost=4:max_wait_us=20000\n"
		"                          (KEY=VALUE sets scheduler.<policy>.<KEY> for that run only)\n"
		"  -o, --output DIR        comparison directory (default: results/<scenario>-compare)\n"
		"  -j, --jobs N            runs at once (default: the number of online CPUs)\n"
		"      --set PATH=VALUE    config override for every run, as for `vgpusim run`\n"
		"      --seed N            random seed of every run\n"
		"      --duration S        measured simulated seconds of every run\n"
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
};

/* A sub-run to spawn. */
struct job {
	GPtrArray *argv;             /* char *, NULL-terminated */
	char *log;                   /* absolute-or-relative path of its stderr */
	struct vgs_compare_run *run; /* where its outcome goes */
	struct vgs_child child;      /* models/base/child.h: its own process group, dies with us */
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "policies", required_argument, NULL, 'p' },   { "output", required_argument, NULL, VGS_ARG_OUTPUT },
		{ "jobs", required_argument, NULL, 'j' },       { "set", required_argument, NULL, VGS_ARG_SET },
		{ "seed", required_argument, NULL, VGS_ARG_SEED }, { "duration", required_argument, NULL, VGS_ARG_DURATION },
		{ "gantt-ms", required_argument, NULL, 'g' },   { "no-plots", no_argument, NULL, 'P' },
		{ "quiet", no_argument, NULL, VGS_ARG_QUIET },  { NULL, 0, NULL, 0 },
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t u;
	int c;

	o->jobs = cpus > 0 ? (unsigned)cpus : 1;
	o->gantt_ms = VGS_GANTT_MS_DEFAULT;
	o->plots = true;
	while ((c = vgs_args_next(&o->args, "compare", argc, argv, "p:o:j:q", lo)) > 0) {
		switch (c) {
		case 'p':
			o->policies = optarg;
			break;
		case 'j':
			if (!vgs_args_parse_u64(optarg, &u) || u < 1 || u > 4096)
				return vgs_args_usage_error("-j expects a number of runs from 1 to 4096, got '%s'", optarg);
			o->jobs = (unsigned)u;
			break;
		case 'g':
			if (!vgs_cli_parse_ms(optarg, &o->gantt_ms))
				return vgs_args_usage_error("--gantt-ms expects a positive number of milliseconds, got '%s'",
							   optarg);
			break;
		case 'P':
			o->plots = false;
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

/* Load CONFIG as the run of `it` would, with `extra` options ("--set", "PATH=VALUE", ...) after the user's. */
static int load_as_run(const struct opts *o, const struct vgs_compare_item *it, GPtrArray *extra,
		       struct vgs_scenario *s, struct vgs_error *err)
{
	struct vgs_args a;
	int rc = -1;

	vgs_args_init(&a);
	if (vgs_args_take_all(&a, o->args.given, err) == 0 && (!extra || vgs_args_take_all(&a, extra, err) == 0)) {
		a.load.path = o->config;
		a.load.policy = it->policy;
		rc = vgs_scenario_load(s, &a.load, err);
	}
	vgs_args_fini(&a);
	return rc;
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

static struct job *job_new(const struct opts *o, const struct vgs_compare_item *it, GPtrArray *params,
			   const char *tmp, struct vgs_compare_run *run, const char *solo_group)
{
	struct job *j = g_new0(struct job, 1);
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(a, g_strdup("/proc/self/exe"));
	g_ptr_array_add(a, g_strdup("run"));
	g_ptr_array_add(a, g_strdup(o->config));
	for (guint i = 0; i < o->args.given->len; i++)
		g_ptr_array_add(a, g_strdup(o->args.given->pdata[i]));
	for (guint i = 0; i < params->len; i++)
		g_ptr_array_add(a, g_strdup(params->pdata[i]));
	g_ptr_array_add(a, g_strdup("-p"));
	g_ptr_array_add(a, g_strdup(it->policy));
	if (solo_group) {
		g_ptr_array_add(a, g_strdup("--solo"));
		g_ptr_array_add(a, g_strdup(solo_group));
	} else {
		g_ptr_array_add(a, g_strdup("--slices")); /* the Gantt charts' data */
	}
	g_ptr_array_add(a, g_strdup("--quiet"));
	g_ptr_array_add(a, g_strdup("-o"));
	g_ptr_array_add(a, g_build_filename(tmp, run->name, NULL));
	g_ptr_array_add(a, NULL);
	j->argv = a;
	j->log = g_build_filename(tmp, run->log, NULL);
	j->run = run;
	return j;
}

static void job_free(struct job *j)
{
	g_ptr_array_free(j->argv, TRUE);
	g_free(j->log);
	g_free(j);
}

/* Start j: stdout to /dev/null, stderr to its log.  0, or -1 with the run marked failed. */
static int job_start(struct job *j)
{
	struct vgs_error err = { { 0 } };

	if (vgs_child_start(&j->child, (char **)j->argv->pdata, j->log, &err) == 0)
		return 0;
	j->run->status_text = g_strdup(err.msg);
	return -1;
}

static void job_done(struct job *j)
{
	int status = j->child.status;
	GStatBuf st;

	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (g_stat(j->log, &st) == 0 && st.st_size == 0)
			g_unlink(j->log);
		return;
	}
	j->run->status_text = vgs_child_status_text(status);
}

static void progress(bool on, size_t done, size_t total, unsigned running)
{
	if (!on)
		return;
	fprintf(stderr, "\rcompare: %zu/%zu runs done, %u running\033[K", done, total, running);
	fflush(stderr);
}

/* Run every job, at most `max` at once.  0, or -1 when SIGINT or SIGTERM came: every run started is
 * then stopped and reaped. */
static int run_jobs(GPtrArray *jobs, unsigned max, bool show)
{
	struct vgs_child **cs = g_new0(struct vgs_child *, jobs->len);
	size_t next = 0, done = 0;
	unsigned running = 0;
	int rc = 0;

	for (guint i = 0; i < jobs->len; i++)
		cs[i] = &((struct job *)jobs->pdata[i])->child;
	progress(show, 0, jobs->len, 0);
	while (done < jobs->len) {
		while (running < max && next < jobs->len && !vgs_interrupted()) {
			if (job_start(jobs->pdata[next++]) == 0)
				running++;
			else
				done++;
		}
		int k = vgs_child_wait(cs, jobs->len);

		if (k == -1) {
			for (guint i = 0; i < jobs->len; i++)
				vgs_child_stop(cs[i]);
			rc = -1;
			break;
		}
		if (k >= 0) {
			job_done(jobs->pdata[k]);
			running--;
			done++;
		}
		progress(show, done, jobs->len, running);
	}
	if (show)
		fputs("\r\033[K", stderr);
	g_free(cs);
	return rc;
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

int vgs_cmd_compare(int argc, char **argv)
{
	struct opts o = { 0 };
	struct vgs_compare_item *items = NULL;
	struct vgs_scenario first = { 0 };
	struct vgs_compare c = { 0 };
	struct vgs_error err = { { 0 } };
	GPtrArray **params = NULL, *jobs = NULL;
	char *final = NULL, *scripts = NULL, **names = NULL, **groups = NULL, *note = NULL;
	struct vgs_outdir out = { 0 };
	struct vgs_interrupt sigs;
	size_t nitems = 0, failed = 0;
	bool plotted = false, caught = false;
	int rc = VGS_EXIT_BAD_INPUT;

	vgs_args_init(&o.args);
	if ((rc = parse_opts(argc, argv, &o)) != 0) {
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
	/* From here on SIGINT/SIGTERM stop the runs and leave nothing (run_jobs, the plots' gnuplot). */
	vgs_interrupt_catch(&sigs);
	caught = true;
	if (vgs_outdir_begin(&out, final, VGS_OUTDIR_COMPARE, &err))
		goto bad;
	g_free(final);
	final = g_strdup(out.path);

	names = g_new0(char *, first.ntenants + 1);
	groups = g_new0(char *, first.ntenants + 1);
	for (uint32_t i = 0; i < first.ntenants; i++) {
		names[i] = first.tenants[i].name;
		groups[i] = first.tenants[i].group;
	}
	vgs_compare_init(&c, items, nitems, names, groups, first.ntenants);
	header(&c, &o, &first, items);

	/* Policy runs first (they are what the user waits for), then the solo baselines. */
	{
		char *solo = g_build_filename(out.tmp, VGS_COMPARE_SOLO_DIR, NULL);

		g_mkdir(solo, 0777);
		g_free(solo);
	}
	jobs = g_ptr_array_new_with_free_func((GDestroyNotify)job_free);
	for (size_t i = 0; i < nitems; i++)
		g_ptr_array_add(jobs, job_new(&o, &items[i], params[i], out.tmp, &c.runs[i], NULL));
	for (size_t g = 0; g < c.ngroups; g++)
		g_ptr_array_add(jobs, job_new(&o, &items[0], params[0], out.tmp, &c.solos[g], c.groups[g]));
	if (run_jobs(jobs, o.jobs, !o.args.quiet && isatty(STDERR_FILENO)) < 0)
		goto out;

	vgs_compare_collect(&c, out.tmp);
	for (size_t k = 0; k < c.nruns + c.ngroups; k++) {
		const struct vgs_compare_run *r = k < c.nruns ? &c.runs[k] : &c.solos[k - c.nruns];

		if (r->complete)
			continue;
		failed++;
		fprintf(stderr, "vgpusim: compare: run %s failed (%s), see %s/%s\n", r->name, r->status_text, final,
			r->log);
	}
	if (vgs_compare_write_csv(&c, out.tmp, &err) < 0)
		goto fail;
	if (scripts && failed < c.nruns + c.ngroups) {
		if (vgs_plot_dir(out.tmp, scripts, o.gantt_ms, &note, &err) < 0) {
			if (vgs_interrupted())
				goto out;
			fprintf(stderr, "vgpusim: compare: %s\n", err.msg);
			failed++;
		} else {
			plotted = true;
		}
	}
	if (vgs_interrupted())
		goto out;
	if (vgs_report_write(&c, out.tmp, plotted, &err) < 0 || vgs_outdir_commit(&out, &err) < 0)
		goto fail;
	if (!o.args.quiet) {
		printf("Who wins on what (%s):\n", final);
		vgs_report_winners(&c, stdout);
		printf("\nresults: %s/ (report.md, compare.csv%s, one directory per policy, solo/)\n", final,
		       plotted ? ", plots/" : "");
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
	if (jobs)
		g_ptr_array_free(jobs, TRUE);
	for (size_t i = 0; params && i < nitems; i++)
		if (params[i])
			g_ptr_array_free(params[i], TRUE);
	g_free(params);
	vgs_compare_fini(&c);
	vgs_compare_items_free(items, nitems);
	vgs_scenario_fini(&first);
	vgs_args_fini(&o.args);
	return rc;
}
