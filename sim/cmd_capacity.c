/*
 * `vgpusim capacity CONFIG --tenant GROUP [-p LIST] [--seeds N] [--sla SPEC] ...` (docs/capacity.md): the
 * largest number of instances of the vgpus entry GROUP such that every tenant meets its SLA, per policy or
 * preset, over replications.  This file is the process glue: find how many instances the scenario can
 * place, then step the searches of models/results/capacity.c together, each step one batch of runs
 * (sim/batch.c): every search's next N, every seed.  Layout of DIR:
 *   DIR/<policy>/n<N>/s<seed>/   each run's results directory (DIR/<policy>/n<N>/s<seed>.log its stderr)
 *   DIR/capacity.csv, DIR/capacity.txt (the table), DIR/plots/capacity.png/.svg
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/base/interrupt.h"
#include "models/results/capacity.h"
#include "models/results/compare.h"
#include "models/results/outdir.h"
#include "models/results/plotdata.h"
#include "models/results/sweep.h"
#include "models/scenario/policy_load.h"
#include "sim/batch.h"
#include "sim/cli.h"
#include "sim/cmd_plot.h"

const struct vgs_cli_cmd vgs_cli_capacity = {
	.name = "capacity", .synopsis = "CONFIG --tenant GROUP [options]",
	.summary = "how many instances of GROUP fit with every SLA met (docs/capacity.md)",
	.run = vgs_cmd_capacity,
	.help = "Find the largest number N of instances of the vgpus entry GROUP (its `count`; the rest of the\n"
		"scenario fixed) such that every tenant meets its SLA in every replication, per policy or preset.\n"
		"Bisection, correct when feasibility is monotone in N; observations that are not are reported.\n"
		"Prints a table (N, per GPU, attainment at N and N+1) and writes DIR/capacity.csv,\n"
		"DIR/capacity.txt and DIR/plots/capacity (SLA attainment against N).\n"
		"\n"
		"  -t, --tenant GROUP      the vgpus entry whose count varies (required)\n"
		"  -p, --policies LIST     policies, presets or items POLICY[:KEY=VALUE]... as for compare\n"
		"                          (default: the config's own)\n"
		"      --seeds N           replications: the config's seed (or --seed) and the N-1 next (default 1)\n"
		"      --sla SPEC          SLA of every tenant instead of the configs': fps=X, p50_ms=X, p95_ms=X,\n"
		"                          p99_ms=X, max_ms=X, miss_pct=X, comma-separated\n"
		"      --target PCT        attainment that counts as meeting the SLA, 0..100 (default 100: every\n"
		"                          tenant in every replication)\n"
		"      --max N             largest N to try (default: the most the scenario can place)\n"
		"      --scan              run every N from 1 to the maximum instead of bisecting\n"
		"  -j, --jobs N            runs at once (default: the number of online CPUs)\n"
		"  -o, --output DIR        capacity directory (default: results/<scenario>-capacity)\n"
		"      --set PATH=VALUE    config override for every run, as for `vgpusim run`\n"
		"      --seed N            the first seed\n"
		"      --duration S        measured simulated seconds of every run\n"
		VGS_ARGS_HELP_NO_CACHE
		"      --no-plots          draw no plot (no gnuplot needed)\n"
		"  -q, --quiet             no progress line, no table\n"
		"\n"
		"Exit status: 0 when every run succeeded, 2 on bad input (nothing run) or when a run failed\n"
		"(the N it belongs to counts as not meeting the SLA), 130/143 when interrupted.\n",
};

#define CAP_MAX_PROBE 65536u	/* vgpus count's upper limit (docs/config.md) */

struct opts {
	const char *config, *group;
	struct vgs_batch_opts b;     /* -p, -j, --seeds, --sla, --no-plots */
	uint64_t max;
	double target;
	bool scan;
	struct vgs_args args;
};

enum { O_TARGET = 256, O_MAX, O_SCAN };

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "tenant", required_argument, NULL, 't' }, VGS_BATCH_OPTIONS,
		{ "target", required_argument, NULL, O_TARGET }, { "max", required_argument, NULL, O_MAX },
		{ "scan", no_argument, NULL, O_SCAN }, { NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	vgs_batch_opts_init(&o->b);
	o->target = 100;
	while ((c = vgs_batch_next(&o->b, &o->args, "capacity", argc, argv, "t:p:j:o:q", lo)) > 0) {
		switch (c) {
		case 't': o->group = optarg; break;
		case O_SCAN: o->scan = true; break;
		case O_MAX:
			if (vgs_batch_count_opt("--max", optarg, 1, CAP_MAX_PROBE, &o->max))
				return VGS_EXIT_BAD_INPUT;
			break;
		case O_TARGET:
			o->target = strtod(optarg, &end);
			if (end == optarg || *end || !(o->target >= 0 && o->target <= 100))
				return vgs_args_usage_error("--target expects a percentage from 0 to 100, got '%s'", optarg);
			break;
		}
	}
	if (c < 0)
		return VGS_EXIT_BAD_INPUT;
	if (optind != argc - 1)
		return vgs_args_usage_error("%s", optind >= argc ? "capacity expects a CONFIG file"
								: "capacity expects exactly one CONFIG");
	o->config = argv[optind];
	if (!o->group)
		return vgs_args_usage_error("%s", "capacity expects --tenant GROUP (a vgpus entry's name)");
	return 0;
}

/* The index of vgpus entry `group` in the config (tenants are expanded entry by entry), or -1. */
static int group_index(const struct vgs_scenario *s, const char *group)
{
	int idx = -1;

	for (uint32_t i = 0; i < s->ntenants; i++) {
		if (i == 0 || strcmp(s->tenants[i].group, s->tenants[i - 1].group) != 0)
			idx++;
		if (strcmp(s->tenants[i].group, group) == 0)
			return idx;
	}
	return -1;
}

/* "--set", "vgpus.[G].count=N", then the item's parameters. */
static GPtrArray *count_sets(int g, uint32_t n, const GPtrArray *params)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(a, g_strdup("--set"));
	g_ptr_array_add(a, g_strdup_printf("vgpus.[%d].count=%u", g, n));
	for (guint i = 0; params && i < params->len; i++)
		g_ptr_array_add(a, g_strdup(params->pdata[i]));
	return a;
}

/* Does the scenario load with n instances?  *gpus: the GPUs they are on. */
static bool loads(const struct opts *o, int g, uint32_t n, const char *policy, uint32_t *gpus)
{
	GPtrArray *extra = count_sets(g, n, NULL);
	struct vgs_scenario s;
	struct vgs_error err = { { 0 } };
	bool ok = vgs_batch_load(o->config, o->args.given, extra, policy, &s, &err) == 0;

	g_ptr_array_free(extra, TRUE);
	if (ok && gpus) {
		bool *on = g_new0(bool, s.ngpus + 1);

		*gpus = 0;
		for (uint32_t i = 0; i < s.ntenants; i++)
			if (strcmp(s.tenants[i].group, o->group) == 0 && !on[s.tenants[i].gpu]) {
				on[s.tenants[i].gpu] = true;
				++*gpus;
			}
		g_free(on);
	}
	if (ok)
		vgs_scenario_fini(&s);
	return ok;
}

/* The most instances the scenario can place (galloping, then bisection): at least 1 (checked before). */
static uint32_t placeable(const struct opts *o, int g, const char *policy)
{
	uint32_t good = 1, bad = CAP_MAX_PROBE + 1;

	while (good * 2 <= CAP_MAX_PROBE && loads(o, g, good * 2, policy, NULL))
		good *= 2;
	if (good * 2 <= CAP_MAX_PROBE)
		bad = good * 2;
	while (bad - good > 1) {
		uint32_t mid = good + (bad - good) / 2;

		if (loads(o, g, mid, policy, NULL))
			good = mid;
		else
			bad = mid;
	}
	return good;
}

struct item {
	const char *policy;          /* NULL: the config's own */
	GPtrArray *params;
	char *dir;
	struct vgs_capacity_search search;
};

/* One step: every unfinished search's next N, every seed, in one batch; then judge each. */
static int step(const struct opts *o, int g, struct item *it, size_t nit, const uint64_t *seeds,
		const struct vgs_sla_spec *sla, size_t *failed)
{
	struct vgs_batch b;
	uint32_t *next = g_new0(uint32_t, nit);
	size_t pending = 0;
	int n;

	vgs_batch_init(&b, "capacity", o->b.jobs, !o->args.quiet && isatty(STDERR_FILENO));
	for (size_t i = 0; i < nit; i++) {
		next[i] = vgs_capacity_next(&it[i].search);
		for (uint64_t k = 0; next[i] && k < o->b.nseeds; k++) {
			GPtrArray *a = vgs_batch_argv(o->config, o->args.given), *sets = count_sets(g, next[i], it[i].params);
			char *out = g_strdup_printf("%s/n%u/s%llu", it[i].dir, next[i], (unsigned long long)seeds[k]);
			char *log = g_strdup_printf("%s.log", out);

			for (guint j = 0; j < sets->len; j++)
				g_ptr_array_add(a, g_strdup(sets->pdata[j]));
			g_ptr_array_free(sets, TRUE);
			if (it[i].policy) {
				g_ptr_array_add(a, g_strdup("-p"));
				g_ptr_array_add(a, g_strdup(it[i].policy));
			}
			g_ptr_array_add(a, g_strdup("--seed"));
			g_ptr_array_add(a, g_strdup_printf("%llu", (unsigned long long)seeds[k]));
			g_ptr_array_add(a, g_strdup("--quiet"));
			g_ptr_array_add(a, g_strdup("-o"));
			g_ptr_array_add(a, out);
			vgs_batch_add(&b, a, log, NULL);
			g_free(log);
			pending++;
		}
	}
	n = pending ? vgs_batch_run(&b) : 0;
	for (guint r = 0; n > 0 && r < b.runs->len; r++) {
		const struct vgs_batch_run *run = b.runs->pdata[r];

		if (run->status_text)
			fprintf(stderr, "vgpusim: capacity: run %s failed (%s), see %s\n",
				(char *)run->argv->pdata[run->argv->len - 2], run->status_text, run->log);
	}
	for (size_t i = 0; n >= 0 && i < nit; i++) {
		char **dirs = g_new0(char *, o->b.nseeds + 1);
		struct vgs_capacity_point pt;

		if (!next[i]) {
			g_free(dirs);
			continue;
		}
		for (uint64_t k = 0; k < o->b.nseeds; k++)
			dirs[k] = g_strdup_printf("%s/n%u/s%llu", it[i].dir, next[i], (unsigned long long)seeds[k]);
		vgs_capacity_judge((const char *const *)dirs, o->b.nseeds, sla, o->target, &pt);
		vgs_capacity_record(&it[i].search, next[i], &pt);
		g_strfreev(dirs);
	}
	*failed += n > 0 ? (size_t)n : 0;
	vgs_batch_fini(&b);
	g_free(next);
	return n < 0 ? -1 : (int)pending;
}

/* DIR absent, empty or an earlier capacity directory (replaced); else an error. */
static int prepare_dir(const char *dir, struct vgs_error *err)
{
	char *marker = g_build_filename(dir, "capacity.csv", NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	bool empty = !d || !g_dir_read_name(d), ours = g_file_test(marker, G_FILE_TEST_EXISTS);

	if (d)
		g_dir_close(d);
	g_free(marker);
	if (!empty && !ours) {
		vgs_error_set(err, "%s exists and is not a vgpusim capacity directory (no capacity.csv); choose another -o",
			      dir);
		return -1;
	}
	if (ours)
		vgs_outdir_remove(dir);
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		vgs_error_set(err, "cannot create %s", dir);
		return -1;
	}
	return 0;
}

static int outputs(const struct opts *o, struct item *it, size_t nit, const char *dir, const char *header,
		   const uint32_t *per_gpu, bool *plotted, struct vgs_error *err)
{
	struct vgs_capacity_search *s = g_new0(struct vgs_capacity_search, nit);
	GPtrArray *jobs = g_ptr_array_new_with_free_func((GDestroyNotify)vgs_plot_job_free);
	char *txt = g_build_filename(dir, "capacity.txt", NULL), *buf = NULL, *pdir = g_build_filename(dir, "plots", NULL);
	char *scripts = NULL;
	struct vgs_outdir pout = { 0 };
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	GString *text;
	int rc = -1;

	*plotted = false;
	for (size_t i = 0; i < nit; i++)
		s[i] = it[i].search;	/* shallow: the searches stay the items' */
	fputs(header, f);
	vgs_capacity_print(f, s, nit, per_gpu);
	fclose(f);
	text = g_string_new(buf);
	if (!o->args.quiet)
		fputs(buf, stdout);
	if (vgs_capacity_write_csv(s, nit, dir, err) < 0 || vgs_sweep_write_file(txt, text, err) < 0)
		goto out;
	if (o->b.no_plots) {
		rc = 0;
		goto out;
	}
	/* plots/ is replaced whatever it holds (marker NULL), only once every plot was drawn. */
	if ((scripts = vgs_plot_scripts_dir(err)) && vgs_outdir_begin(&pout, pdir, NULL, err) == 0 &&
	    vgs_capacity_plot_prepare(s, nit, o->target, o->group, pout.tmp, jobs, err) == 0 &&
	    vgs_plot_draw(jobs, scripts, err) == 0 && vgs_outdir_commit(&pout, err) == 0) {
		*plotted = true;
		rc = 0;
	}
out:
	g_string_free(text, TRUE);
	g_ptr_array_free(jobs, TRUE);
	g_free(s);
	g_free(buf);
	g_free(txt);
	g_free(pdir);
	g_free(scripts);
	vgs_outdir_fini(&pout);
	return rc;
}

int vgs_cmd_capacity(int argc, char **argv)
{
	struct opts o = { 0 };
	struct vgs_compare_item *items = NULL;
	struct item *it = NULL;
	struct vgs_sla_spec sla = { 0 };
	struct vgs_scenario first = { 0 };
	struct vgs_error err = { { 0 } };
	uint64_t *seeds = NULL;
	uint32_t *per_gpu = NULL, max;
	size_t nitems = 0, nit = 0, failed = 0;
	char *dir = NULL, *header = NULL, *scripts = NULL;
	bool have_sla = false, plotted;
	int g, rc;

	vgs_args_init(&o.args);
	if ((rc = parse_opts(argc, argv, &o)) != 0)
		goto out;
	rc = VGS_EXIT_BAD_INPUT;
	if (o.b.sla && !(have_sla = vgs_sla_parse(o.b.sla, &sla, &err) == 0))
		goto bad;
	if (o.b.policies && vgs_compare_items_parse(o.b.policies, &items, &nitems, &err) < 0)
		goto bad;
	if (vgs_batch_load(o.config, o.args.given, NULL, items ? items[0].policy : NULL, &first, &err) < 0)
		goto bad;
	if ((g = group_index(&first, o.group)) < 0) {
		GString *names = g_string_new(NULL);

		for (uint32_t i = 0; i < first.ntenants; i++)
			if (!i || strcmp(first.tenants[i].group, first.tenants[i - 1].group))
				g_string_append_printf(names, "%s%s", names->len ? ", " : "", first.tenants[i].group);
		vgs_error_set(&err, "--tenant %s: %s has no vgpus entry of that name; it has: %s", o.group, o.config,
			      names->str);
		g_string_free(names, TRUE);
		goto bad;
	}
	if (!o.b.no_plots && !(scripts = vgs_plot_scripts_dir_or_skip(&err)))
		goto bad;
	nit = items ? nitems : 1;
	it = g_new0(struct item, nit);
	max = placeable(&o, g, items ? items[0].policy : NULL);
	if (o.max && o.max < max)
		max = (uint32_t)o.max;
	dir = o.args.outdir ? g_strdup(o.args.outdir) : g_strdup_printf("results/%s-capacity", first.name);
	for (size_t i = 0; i < nit; i++) {
		struct vgs_scenario s;

		it[i].policy = items ? items[i].policy : NULL;
		if (vgs_batch_load(o.config, o.args.given, NULL, it[i].policy, &s, &err) < 0)
			goto item_bad;
		it[i].params = g_ptr_array_new_with_free_func(g_free);
		if (items)
			vgs_compare_item_overrides(&items[i], s.params_group, it[i].params);
		vgs_capacity_init(&it[i].search, items ? items[i].name : (s.preset ? s.preset : s.policy), max, o.scan);
		vgs_scenario_fini(&s);
		/* the item's parameters at the smallest and largest N: bad ones stop everything now */
		for (uint32_t n = 1; n <= max; n += max > 1 ? max - 1 : 1) {
			GPtrArray *extra = count_sets(g, n, it[i].params);
			int lrc = vgs_batch_load(o.config, o.args.given, extra, it[i].policy, &s, &err);

			g_ptr_array_free(extra, TRUE);
			if (lrc < 0)
				goto item_bad;
			vgs_scenario_fini(&s);
		}
		it[i].dir = g_build_filename(dir, it[i].search.label, NULL);
		continue;
item_bad:
		if (items) {
			char msg[sizeof(err.msg)];

			snprintf(msg, sizeof(msg), "%s", err.msg);
			vgs_error_set(&err, "-p %s: %s", items[i].text, msg);
		}
		goto bad;
	}
	if (prepare_dir(dir, &err) < 0)
		goto bad;
	seeds = g_new0(uint64_t, o.b.nseeds);
	for (uint64_t k = 0; k < o.b.nseeds; k++)
		seeds[k] = first.seed + k;
	for (;;) {
		int n = step(&o, g, it, nit, seeds, have_sla ? &sla : NULL, &failed);

		if (n < 0) {
			fprintf(stderr, "vgpusim: capacity: interrupted\n");
			rc = 128 + vgs_interrupted();
			goto out;
		}
		if (n == 0)
			break;
	}
	per_gpu = g_new0(uint32_t, nit);
	for (size_t i = 0; i < nit; i++) {
		uint32_t a = vgs_capacity_answer(&it[i].search);

		per_gpu[i] = 1;
		if (a)
			loads(&o, g, a, it[i].policy, &per_gpu[i]);
	}
	header = g_strdup_printf("capacity of %s in %s: %llu seed%s from %llu, SLA: %s, target %g %%; N = instances "
				 "of %s (max %u)\n",
				 o.group, o.config, (unsigned long long)o.b.nseeds, o.b.nseeds > 1 ? "s" : "",
				 (unsigned long long)first.seed, have_sla ? sla.text : "each tenant's own (config)", o.target,
				 o.group, max);
	if (outputs(&o, it, nit, dir, header, per_gpu, &plotted, &err) < 0) {
		fprintf(stderr, "vgpusim: capacity: %s\n", err.msg);
		goto out;
	}
	if (!o.args.quiet)
		printf("results: %s/ (capacity.csv, capacity.txt%s, one folder of runs per policy)\n", dir,
		       plotted ? ", plots/" : "");
	rc = failed ? VGS_EXIT_BAD_INPUT : 0;
	goto out;
bad:
	fprintf(stderr, "vgpusim: %s\n", err.msg);
out:
	for (size_t i = 0; it && i < nit; i++) {
		if (it[i].params)
			g_ptr_array_free(it[i].params, TRUE);
		vgs_capacity_fini(&it[i].search);
		g_free(it[i].dir);
	}
	g_free(it);
	g_free(per_gpu);
	g_free(seeds);
	g_free(dir);
	g_free(header);
	g_free(scripts);
	if (have_sla)
		vgs_sla_fini(&sla);
	vgs_compare_items_free(items, nitems);
	vgs_scenario_fini(&first);
	vgs_args_fini(&o.args);
	return rc;
}
