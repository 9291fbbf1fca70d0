/*
 * `vgpusim compare POOLCONFIG -p P1,P2,...` on a pool scenario (docs/pools.md, "Comparing placement
 * policies"): the items are placement policies; each runs as `vgpusim pool CONFIG --placement P` into
 * DIR/<item>/, the first alone (it fills the mix cache the others then share), the others -j at once;
 * then compare.csv, report.md and plots/fragmentation (models/pool/pool_compare.c).  DIR is written
 * as a temporary sibling and renamed into place, like a comparison of scheduling policies.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "models/base/interrupt.h"
#include "models/pool/pool.h"
#include "models/results/compare.h"
#include "models/results/outdir.h"
#include "models/results/plotdata.h"
#include "models/scenario/policy_load.h"
#include "sim/batch.h"
#include "sim/cmd_plot.h"
#include "sim/pool.h"

static GPtrArray *pool_argv(const char *config, const GPtrArray *given, const struct vgs_compare_item *it,
			    const char *out, unsigned jobs)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

	g_ptr_array_add(a, g_strdup("/proc/self/exe"));
	g_ptr_array_add(a, g_strdup("pool"));
	g_ptr_array_add(a, g_strdup(config));
	for (guint i = 0; given && i < given->len; i++)
		g_ptr_array_add(a, g_strdup(given->pdata[i]));
	g_ptr_array_add(a, g_strdup("--placement"));
	g_ptr_array_add(a, g_strdup(it->policy));
	if (it->nparams) {
		GString *s = g_string_new(NULL);

		g_string_printf(s, "pool.%s={", it->group);
		for (size_t k = 0; k < it->nparams; k++)
			g_string_append_printf(s, " %s = %s;", it->keys[k], it->values[k]);
		g_string_append(s, " }");
		g_ptr_array_add(a, g_strdup("--set"));
		g_ptr_array_add(a, g_string_free(s, FALSE));
	}
	g_ptr_array_add(a, g_strdup_printf("-j%u", jobs));
	g_ptr_array_add(a, g_strdup("--quiet"));
	g_ptr_array_add(a, g_strdup("-o"));
	g_ptr_array_add(a, g_strdup(out));
	return a;
}

int sim_pool_compare(const char *config, const char *policies, unsigned jobs, const struct vgs_args *args, bool plots)
{
	struct vgs_compare_item *items = NULL;
	struct vgs_error err = { { 0 } };
	struct vgs_scenario s = { 0 };
	struct vgs_outdir out = { 0 };
	struct vgs_interrupt sigs;
	struct vgs_batch first, rest;
	char *final = NULL, *scripts = NULL, **names = NULL;
	size_t n = 0, failed = 0;
	bool caught = false, plotted = false, progress = !args->quiet && isatty(STDERR_FILENO);
	int rc = VGS_EXIT_BAD_INPUT;

	vgs_batch_init(&first, "compare", 1, progress);
	vgs_batch_init(&rest, "compare", jobs, progress);
	if (vgs_compare_items_parse(policies, &items, &n, &err) < 0 ||
	    vgs_args_load_given(config, args->given, NULL, NULL, &s, &err) < 0)
		goto bad;
	for (size_t i = 0; i < n; i++) {
		if (vgs_policy_is_path(items[i].policy) ? !g_file_test(items[i].policy, G_FILE_TEST_IS_REGULAR)
							: !vgs_place_load(items[i].policy, &err)) {
			if (vgs_policy_is_path(items[i].policy))
				vgs_error_set(&err, "no such placement policy file '%s'", items[i].policy);
			char *msg = g_strdup_printf("-p %s: %s", items[i].text, err.msg);

			vgs_error_set(&err, "%.1000s", msg);
			g_free(msg);
			goto bad;
		}
		if (items[i].nparams && !s.pool->has_group) {
			vgs_error_set(&err, "-p %s: parameters need a `pool` group in %s", items[i].text, config);
			goto bad;
		}
	}
	if (plots && !(scripts = vgs_plot_scripts_dir_or_skip(&err)))
		goto bad;
	final = args->outdir ? g_strdup(args->outdir) : vgs_outdir_default(&s, args->given, false, "compare");
	vgs_interrupt_catch(&sigs);
	caught = true;
	if (vgs_outdir_begin(&out, final, VGS_OUTDIR_COMPARE, &err) < 0)
		goto bad;
	names = g_new0(char *, n + 1);
	for (size_t i = 0; i < n; i++) {
		char *dir = g_build_filename(out.tmp, items[i].name, NULL), *log = g_strdup_printf("%s.log", dir);

		names[i] = items[i].name;
		vgs_batch_add(i ? &rest : &first, pool_argv(config, args->given, &items[i], dir, i ? 1 : jobs), log, NULL);
		g_free(dir);
		g_free(log);
	}
	if (vgs_batch_run(&first) < 0 || vgs_batch_run(&rest) < 0)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const struct vgs_batch_run *r = (i ? rest.runs : first.runs)->pdata[i ? i - 1 : 0];

		if (!r->status_text)
			continue;
		failed++;
		fprintf(stderr, "vgpusim: compare: run %s failed (%s), see %s/%s.log\n", items[i].name, r->status_text,
			out.path, items[i].name);
	}
	if (vgs_pool_compare_write(out.tmp, s.name, names, n, scripts != NULL, false, &err) < 0)
		goto fail;
	if (scripts && failed < n) {
		struct vgs_plot_job *j = g_new0(struct vgs_plot_job, 1);
		GPtrArray *jobs_p = g_ptr_array_new_with_free_func((GDestroyNotify)vgs_plot_job_free);
		GString *pol = g_string_new(NULL);

		for (size_t i = 0; i < n; i++)
			g_string_append_printf(pol, "%s%s", i ? " " : "", names[i]);
		j->script = g_strdup("plot-pool.gp");
		j->out = g_build_filename(out.tmp, "plots", "fragmentation", NULL);
		j->vars = g_strdup_printf("datafile='%s/plots/fragmentation.dat'; out='%s'; policies='%s'; ", out.tmp, j->out,
					  pol->str);
		g_ptr_array_add(jobs_p, j);
		g_string_free(pol, TRUE);
		if (vgs_plot_draw(jobs_p, scripts, &err) < 0) {
			fprintf(stderr, "vgpusim: compare: %s\n", err.msg);
			failed++;
		} else {
			plotted = true;
		}
		g_ptr_array_free(jobs_p, TRUE);
		if (plotted && vgs_pool_compare_write(out.tmp, s.name, names, n, true, true, &err) < 0)
			goto fail;
	}
	if (vgs_interrupted())
		goto out;
	if (vgs_outdir_commit(&out, &err) < 0)
		goto fail;
	if (!args->quiet) {
		vgs_pool_compare_print(out.path, stdout);
		printf("\nresults: %s/ (report.md, compare.csv%s, one directory per placement policy)\n", out.path,
		       plotted ? ", plots/" : "");
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
			fprintf(stderr, "vgpusim: compare: %s: every run stopped; nothing written\n", vgs_interrupt_name());
		rc = vgs_interrupt_status();
	}
	vgs_outdir_fini(&out);
	if (caught)
		vgs_interrupt_release(&sigs);
	vgs_batch_fini(&first);
	vgs_batch_fini(&rest);
	vgs_compare_items_free(items, n);
	vgs_scenario_fini(&s);
	g_free(final);
	g_free(scripts);
	g_free(names);
	return rc;
}
