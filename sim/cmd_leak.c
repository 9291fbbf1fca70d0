/*
 * `vgpusim leak CONFIG [-p MODE,...]`: how much each sharing mode leaks through a side channel
 * (docs/spatial.md, "Leakage").  CONFIG has a `victim` tenant, which carries a secret bit per period
 * in its activity, and a `probe` tenant, the attacker, which sees only its own latencies.  The
 * scenario runs once per mode -- each time-slice policy, each spatial policy, and the MIG variant
 * (its GPU cut into equal instances, one per vGPU) -- as `vgpusim run` processes; then the attacker's
 * observations of each run are labelled with the victim's bits and scored (models/results/leak.c):
 * accuracy of the best threshold guess, and mutual information in bits per observation.
 *
 * Writes DIR/leak.csv (DIR: -o, default results/<scenario>-leak) with each mode's run directory, and
 * prints the table.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "models/results/compare.h"
#include "models/results/leak.h"
#include "models/base/interrupt.h"
#include "models/results/outdir.h"
#include "models/scenario/policy_load.h"
#include "models/workload/workload.h"
#include "sim/batch.h"
#include "sim/cli.h"

#define LEAK_DEFAULT_MODES "timeslice,weighted,dynprio,fifo,mps,orion,mig"

const struct vgs_cli_cmd vgs_cli_leak = {
	.name = "leak", .synopsis = "CONFIG [-p MODE[,MODE]...] [options]",
	.summary = "how much a victim's secret leaks to an attacker, per sharing mode",
	.run = vgs_cmd_leak,
	.help = "Run CONFIG (a `victim` tenant carrying a secret bit per period, a `probe` tenant observing\n"
		"its own latencies) once per sharing mode, and report per mode how well the attacker\n"
		"guesses the secret: accuracy of the best threshold on its latencies (fitted on the first\n"
		"half of its observations, scored on the second; a coin scores 50 %), and the mutual\n"
		"information in bits per observation (plug-in estimator over 8 equal-frequency latency bins,\n"
		"Miller-Madow bias-corrected).  docs/spatial.md, \"Leakage\".\n"
		"\n"
		"  -p, --policies LIST     modes, comma-separated (default " LEAK_DEFAULT_MODES "):\n"
		"                          a policy (time-sliced or spatial), or mig: the config's own policy\n"
		"                          with its GPU cut into equal MIG instances, one per vGPU\n"
		"  -o, --output DIR        where the runs and leak.csv go (default results/<scenario>-leak)\n"
		"  -j, --jobs N            runs at once (default: the number of online CPUs)\n"
		"      --set PATH=VALUE    config override for every run, as for `vgpusim run`\n"
		"      --seed N            random seed of every run\n"
		"      --duration S        measured simulated seconds of every run\n"
		VGS_ARGS_HELP_NO_CACHE
		"  -q, --quiet             no progress line, no table\n"
		"\n"
		"Exit status: 0 when every mode ran, 2 on bad input or when a run failed.\n",
};

struct leak_mode {
	struct vgs_compare_item *it;
	GPtrArray *extra;            /* --set pairs of the MIG variant */
	const char *sharing;         /* "time-sliced", "spatial", "MIG" */
	char *status;                /* of its run, NULL when it succeeded */
	struct vgs_leak res;
	bool done;
};

/* The victim's secret at a time: what the attacker's observations are labelled with. */
struct secret {
	const struct vgs_workload_spec *spec;
	uint64_t seed, period_ns;
};

static int secret_at(void *ctx, uint64_t t_ns)
{
	const struct secret *s = ctx;

	return vgs_workload_secret_bit(s->spec, s->seed, t_ns / s->period_ns);
}

/* The victim and the attacker of a scenario: the first tenants of kinds victim and probe. */
static int find_tenants(const struct vgs_scenario *s, struct secret *sec, const char **attacker, struct vgs_error *err)
{
	*attacker = NULL;
	sec->spec = NULL;
	for (uint32_t t = 0; t < s->ntenants; t++) {
		const struct vgs_tenant *tn = &s->tenants[t];

		if (!sec->spec && vgs_workload_secret_period_ns(tn->workload)) {
			sec->spec = tn->workload;
			sec->seed = vgs_workload_seed(s->seed, tn->rng_stream);
			sec->period_ns = vgs_workload_secret_period_ns(tn->workload);
		} else if (!*attacker && strcmp(vgs_workload_kind(tn->workload), "probe") == 0) {
			*attacker = tn->name;
		}
	}
	if (!sec->spec || !*attacker) {
		vgs_error_set(err, "%s: leak needs a vGPU with workload type \"victim\" and one with type \"probe\" "
			      "(configs/sidechannel.cfg)", s->path);
		return -1;
	}
	return 0;
}

static GPtrArray *run_argv(const char *config, const struct vgs_args *a, const struct leak_mode *m, const char *dir)
{
	GPtrArray *v = vgs_batch_argv(config, a->given);

	for (guint i = 0; m->extra && i < m->extra->len; i++)
		g_ptr_array_add(v, g_strdup(m->extra->pdata[i]));
	if (!vgs_compare_item_is_mig(m->it)) {
		g_ptr_array_add(v, g_strdup("-p"));
		g_ptr_array_add(v, g_strdup(m->it->policy));
	}
	g_ptr_array_add(v, g_strdup("--quiet"));
	g_ptr_array_add(v, g_strdup("-o"));
	g_ptr_array_add(v, g_build_filename(dir, m->it->name, NULL));
	return v;
}

/* Load the config as every run does (the user's options, then `extra`), with `policy` if not NULL. */
static int load(const char *config, const struct vgs_args *o, const char *policy, GPtrArray *extra,
		struct vgs_scenario *s, struct vgs_error *err)
{
	return vgs_args_load_given(config, o->given, extra, policy, s, err);
}

/* Check every mode before any run: its policy loads with the config, or its MIG variant exists. */
static int prepare(const char *config, const struct vgs_args *o, struct leak_mode *m, struct vgs_error *err)
{
	struct vgs_scenario s;
	char msg[sizeof(err->msg)];

	if (vgs_compare_item_is_mig(m->it)) {
		m->sharing = "MIG";
		m->extra = g_ptr_array_new_with_free_func(g_free);
		if (load(config, o, NULL, NULL, &s, err) < 0)
			return -1;
		if (vgs_mig_variant_args(&s, m->extra, err) == 0) {
			vgs_scenario_fini(&s);
			if (load(config, o, NULL, m->extra, &s, err) == 0) {
				vgs_scenario_fini(&s);
				return 0;
			}
		} else {
			vgs_scenario_fini(&s);
		}
		goto bad;
	}
	if (load(config, o, m->it->policy, NULL, &s, err) < 0)
		goto bad;
	m->sharing = s.spatial ? "spatial" : "time-sliced";
	vgs_scenario_fini(&s);
	return 0;
bad:
	snprintf(msg, sizeof(msg), "%s", err->msg);
	vgs_error_set(err, "-p %s: %s", m->it->text, msg);
	return -1;
}

static int write_csv(const char *dir, const struct leak_mode *m, size_t n, struct vgs_error *err)
{
	char *path = g_build_filename(dir, "leak.csv", NULL);
	FILE *f = fopen(path, "w");
	int rc = 0;

	if (!f) {
		vgs_error_set(err, "cannot write %s", path);
		g_free(path);
		return -1;
	}
	fputs("mode,sharing,observations,p_bit1,accuracy,accuracy_sd,threshold_ns,bits_per_obs,bits_per_obs_plugin,bins,"
	      "status\n", f);
	for (size_t i = 0; i < n; i++) {
		const struct vgs_leak *r = &m[i].res;

		if (!m[i].done) {
			fprintf(f, "%s,%s,,,,,,,,,%s\n", m[i].it->name, m[i].sharing, m[i].status ? m[i].status : "failed");
			continue;
		}
		fprintf(f, "%s,%s,%zu,%.4f,%.4f,%.4f,%.0f,%.6f,%.6f,%u,ok\n", m[i].it->name, m[i].sharing, r->n, r->p1,
			r->accuracy, r->accuracy_sd, r->threshold, r->mi_bits, r->mi_plugin_bits, r->bins);
	}
	if (ferror(f) | fclose(f)) {
		vgs_error_set(err, "cannot write %s", path);
		rc = -1;
	}
	g_free(path);
	return rc;
}

static void print_table(const char *final, const struct leak_mode *m, size_t n)
{
	printf("%-12s %-12s %8s %10s %16s %12s\n", "mode", "sharing", "probes", "accuracy", "coin (+-2 sd)",
	       "bits/obs");
	for (size_t i = 0; i < n; i++) {
		const struct vgs_leak *r = &m[i].res;

		if (!m[i].done) {
			printf("%-12s %-12s  run failed (%s)\n", m[i].it->name, m[i].sharing, m[i].status ? m[i].status : "?");
			continue;
		}
		printf("%-12s %-12s %8zu %9.1f%% %7.1f-%5.1f%% %12.4f\n", m[i].it->name, m[i].sharing, r->n,
		       100 * r->accuracy, 100 * (0.5 - 2 * r->accuracy_sd), 100 * (0.5 + 2 * r->accuracy_sd),
		       r->mi_bits);
	}
	printf("\nresults: %s/ (leak.csv, one run directory per mode)\n", final);
}

static int parse_opts(int argc, char **argv, struct vgs_args *a, const char **config, const char **modes,
		      unsigned *jobs)
{
	static const struct option lo[] = {
		{ "policies", required_argument, NULL, 'p' },   { "output", required_argument, NULL, VGS_ARG_OUTPUT },
		{ "jobs", required_argument, NULL, 'j' },       { "set", required_argument, NULL, VGS_ARG_SET },
		{ "seed", required_argument, NULL, VGS_ARG_SEED }, { "duration", required_argument, NULL, VGS_ARG_DURATION },
		{ "quiet", no_argument, NULL, VGS_ARG_QUIET },  VGS_ARGS_NO_CACHE, { NULL, 0, NULL, 0 },
	};
	int c;

	*jobs = vgs_batch_default_jobs();
	*modes = LEAK_DEFAULT_MODES;
	while ((c = vgs_args_next(a, "leak", argc, argv, "p:o:j:q", lo)) > 0) {
		if (c == 'p') {
			*modes = optarg;
		} else if (c == 'j') {
			if (!vgs_batch_parse_jobs(optarg, jobs))
				return vgs_args_usage_error("-j expects a number of runs from 1 to 4096, got '%s'", optarg);
		}
	}
	if (c < 0)
		return VGS_EXIT_BAD_INPUT;
	if (optind != argc - 1)
		return vgs_args_usage_error("%s", optind >= argc ? "leak expects a CONFIG file"
								: "leak expects exactly one CONFIG");
	*config = argv[optind];
	return 0;
}

int vgs_cmd_leak(int argc, char **argv)
{
	struct vgs_args a;
	struct vgs_error err = { { 0 } };
	struct vgs_scenario s = { 0 };
	struct vgs_compare_item *items = NULL;
	struct leak_mode *m = NULL;
	struct secret sec;
	const char *config = NULL, *modes = NULL, *attacker = NULL;
	char *final = NULL;
	struct vgs_outdir out = { 0 };
	struct vgs_interrupt sigs;
	struct vgs_batch batch;
	bool have_batch = false, caught = false;
	size_t n = 0, failed = 0;
	unsigned njobs;
	int rc;

	vgs_args_init(&a);
	if ((rc = parse_opts(argc, argv, &a, &config, &modes, &njobs)) != 0) {
		vgs_args_fini(&a);
		return rc;
	}
	rc = VGS_EXIT_BAD_INPUT;
	if (load(config, &a, NULL, NULL, &s, &err) < 0 || find_tenants(&s, &sec, &attacker, &err) < 0 ||
	    vgs_compare_items_parse(modes, &items, &n, &err) < 0)
		goto bad;
	m = g_new0(struct leak_mode, n);
	for (size_t i = 0; i < n; i++) {
		m[i].it = &items[i];
		if (prepare(config, &a, &m[i], &err) < 0)
			goto bad;
	}
	final = a.outdir ? g_strdup(a.outdir) : vgs_outdir_default(&s, a.given, false, "leak");
	/* From here on SIGINT/SIGTERM stop the runs and leave nothing. */
	vgs_interrupt_catch(&sigs);
	caught = true;
	if (vgs_outdir_begin(&out, final, VGS_OUTDIR_LEAK, &err))
		goto bad;
	g_free(final);
	final = g_strdup(out.path);
	vgs_batch_init(&batch, "leak", njobs, !a.quiet && isatty(STDERR_FILENO));
	have_batch = true;
	for (size_t i = 0; i < n; i++) {
		char *log = g_strdup_printf("%s/%s.log", out.tmp, m[i].it->name);

		vgs_batch_add(&batch, run_argv(config, &a, &m[i], out.tmp), log, &m[i]);
		g_free(log);
	}
	if (vgs_batch_run(&batch) < 0)
		goto out; /* interrupted: every run stopped and reaped */
	for (guint k = 0; k < batch.runs->len; k++) {
		const struct vgs_batch_run *r = batch.runs->pdata[k];
		struct leak_mode *mode = r->user;

		mode->status = g_strdup(r->status_text);
	}
	for (size_t i = 0; i < n; i++) {
		GArray *obs = g_array_new(FALSE, FALSE, sizeof(struct vgs_leak_obs));
		char *units = g_strdup_printf("%s/%s/units.csv", out.tmp, m[i].it->name);
		struct vgs_error e2;

		if (!m[i].status && vgs_leak_observe(units, attacker, secret_at, &sec, obs, &e2) == 0) {
			vgs_leak_estimate((const struct vgs_leak_obs *)obs->data, obs->len, &m[i].res);
			m[i].done = true;
		} else if (!m[i].status) {
			m[i].status = g_strdup(e2.msg);
		}
		failed += !m[i].done;
		if (!m[i].done)
			fprintf(stderr, "vgpusim: leak: run %s failed (%s), see %s/%s.log\n", m[i].it->name, m[i].status,
				final, m[i].it->name);
		g_array_free(obs, TRUE);
		g_free(units);
	}
	if (write_csv(out.tmp, m, n, &err) < 0 || vgs_outdir_commit(&out, &err) < 0)
		goto bad;
	if (!a.quiet)
		print_table(final, m, n);
	rc = failed ? VGS_EXIT_BAD_INPUT : 0;
out:
	if (vgs_interrupted()) {
		if (out.tmp)
			fprintf(stderr, "vgpusim: leak: %s: every run stopped; nothing written\n", vgs_interrupt_name());
		rc = vgs_interrupt_status();
	}
	vgs_outdir_fini(&out);
	if (caught)
		vgs_interrupt_release(&sigs);
	if (have_batch)
		vgs_batch_fini(&batch);
	g_free(final);
	for (size_t i = 0; m && i < n; i++) {
		if (m[i].extra)
			g_ptr_array_free(m[i].extra, TRUE);
		g_free(m[i].status);
	}
	g_free(m);
	vgs_compare_items_free(items, n);
	vgs_scenario_fini(&s);
	vgs_args_fini(&a);
	return rc;
bad:
	fprintf(stderr, "vgpusim: %s\n", err.msg);
	goto out;
}
