/*
 * `vgpusim pool CONFIG [options]`: a pool of GPUs at two levels of detail (docs/pools.md).
 *
 *   solo       each request class alone on its GPU (a mix run each: the estimates' basis and the
 *              policies' `demand`);
 *   discovery  the pool level runs with the mixes known so far and estimates for the others, its
 *              migrations timed without contention; the mixes it had to estimate are run (-j at once);
 *              again, until a pass meets no new mix (at most --passes);
 *   final      the pool level on SimGrid (sim/pool_run.c): every mix it meets is known or run at once,
 *              so its numbers are the command-level simulator's throughout.
 *
 * --level command runs the same pool command by command instead, as one `vgpusim run` of every request
 * as a vGPU with a lifetime on the GPU and for the time the two-level run gave it (models/pool/
 * pool_cmdlevel.c), and writes both levels and their difference per metric (error.csv).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/base/child.h"
#include "models/base/interrupt.h"
#include "models/pool/pool.h"
#include "models/results/outdir.h"
#include "models/scenario/policy_load.h"
#include "sim/batch.h"
#include "sim/cli.h"
#include "sim/pool.h"

#ifndef VGS_VERSION
#define VGS_VERSION "unknown"
#endif

const struct vgs_cli_cmd vgs_cli_pool = {
	.name = "pool", .synopsis = "CONFIG [options]",
	.summary = "simulate a pool of GPUs: requests, placement, migration, metering (docs/pools.md)",
	.run = vgs_cmd_pool,
	.help = "Simulate the pool scenario CONFIG (a `requests` group): vGPU requests arrive, a placement\n"
		"policy puts them on GPUs or queues them, they run, may be live-migrated, and leave.  Two\n"
		"levels: the pool moves on those events, each GPU's tenant mix runs command by command once\n"
		"(a `vgpusim run` of one GPU, cached by its scenario's SHA-256).  Writes summary.json,\n"
		"requests.csv, metering.csv, gpus.csv, timeseries.csv and migrations.csv into DIR and prints\n"
		"the pool's numbers.\n"
		"\n"
		"options:\n"
		"  -o, --output DIR        results directory (default: results/<scenario>-<placement>)\n"
		"      --placement POLICY  placement policy, replacing pool.placement: first-fit, best-fit,\n"
		"                          spread, fgd, or a path to a .so (docs/pools.md)\n"
		VGS_ARGS_HELP
		"  -j, --jobs N            mix runs at once (default: the number of online CPUs)\n"
		"      --cache DIR         the mix cache (default: pool.mix.cache, else\n"
		"                          $XDG_CACHE_HOME/vgpusim/mix or ~/.cache/vgpusim/mix)\n"
		"      --passes N          discovery passes at most before the final one (default 4)\n"
		"      --level L           pool (default: the two levels) or command: also simulate the whole\n"
		"                          pool command by command and write DIR/pool/, DIR/command/ and\n"
		"                          DIR/error.csv (the two-level model's error per metric; small\n"
		"                          time-sliced pools only)\n"
		"  -q, --quiet             no progress line, no table\n"
		"\n"
		"Exit status: 0, or 2 on bad input or when a mix run failed (nothing written).\n",
};

struct popts {
	struct vgs_args args;
	const char *placement, *cache, *level;
	unsigned jobs;
	uint64_t passes;
};

enum { OPT_PLACEMENT = 0x300, OPT_CACHE, OPT_PASSES, OPT_LEVEL };

static int parse(int argc, char **argv, struct popts *o)
{
	static const struct option lo[] = {
		VGS_ARGS_OPTIONS,
		{ "jobs", required_argument, NULL, 'j' },
		{ "placement", required_argument, NULL, OPT_PLACEMENT },
		{ "cache", required_argument, NULL, OPT_CACHE },
		{ "passes", required_argument, NULL, OPT_PASSES },
		{ "level", required_argument, NULL, OPT_LEVEL },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->jobs = vgs_batch_default_jobs();
	o->passes = 4;
	while ((c = vgs_args_next(&o->args, "pool", argc, argv, "o:p:qj:", lo)) > 0) {
		switch (c) {
		case 'j':
			if (!vgs_batch_parse_jobs(optarg, &o->jobs))
				return vgs_args_usage_error("-j expects a number of runs from 1 to 4096, got '%s'", optarg);
			break;
		case OPT_PLACEMENT:
			o->placement = optarg;
			break;
		case OPT_CACHE:
			o->cache = optarg;
			break;
		case OPT_PASSES:
			if (vgs_batch_count_opt("--passes", optarg, 0, 100, &o->passes))
				return VGS_EXIT_BAD_INPUT;
			break;
		case OPT_LEVEL:
			if (strcmp(optarg, "pool") && strcmp(optarg, "command"))
				return vgs_args_usage_error("--level expects pool or command, got '%s'", optarg);
			o->level = optarg;
			break;
		}
	}
	return c < 0 ? VGS_EXIT_BAD_INPUT : 0;
}

/* --placement P: pool.placement = "P" for the loader (the whole group when the config has none). */
static int take_placement(struct popts *o, int argc, char **argv, struct vgs_scenario *s)
{
	struct vgs_error err = { { 0 } };
	char *set;
	int rc;

	if (vgs_args_load(&o->args, "pool", argc - optind, argv + optind, s) < 0)
		return -1;
	if (!o->placement)
		return 0;
	set = s->pool && s->pool->has_group ? g_strdup_printf("pool.placement=\"%s\"", o->placement)
					     : g_strdup_printf("pool={ placement = \"%s\"; }", o->placement);
	vgs_scenario_fini(s);
	rc = vgs_args_take(&o->args, VGS_ARG_SET, set, &err);
	g_free(set);
	if (rc < 0) {
		fprintf(stderr, "vgpusim: %s\n", err.msg);
		return -1;
	}
	return vgs_args_load(&o->args, "pool", argc - optind, argv + optind, s);
}

static const struct vgs_mix_entry *need_discovery(void *user, const struct vgs_mix *m)
{
	struct vgs_error err;

	return sim_mixer_get(user, m, false, &err);
}

static long peak_rss_kb(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : 0;
}

/* The pool's policy and parameters, and a new pool for a pass. */
struct setup {
	const struct vgs_scenario *s;
	const struct vgs_place_ops *place;
	struct vgs_place_kv *kv;
	const struct vgs_mix_entry **solo;
	struct sim_mixer *mx;
};

static int pool_new(const struct setup *u, struct vgs_pool **p, struct vgs_error *err)
{
	struct vgs_pool_args a = {
		.scn = u->s, .place = u->place, .params = u->kv, .nparams = u->s->pool->nparams,
		.ops = { .user = u->mx, .route = sim_pool_route, .route_user = (void *)u->s, .need_mix = need_discovery },
		.solo = u->solo,
	};

	return vgs_pool_new(p, &a, err);
}

/* The solo runs, then discovery passes until no mix is missing; -1 with err set. */
static int discover(struct setup *u, uint64_t passes, uint64_t *done, struct vgs_error *err)
{
	const struct vgs_pool_cfg *cfg = u->s->pool;
	GPtrArray *solos = g_ptr_array_new_with_free_func((GDestroyNotify)vgs_mix_free);
	uint32_t *one = g_new0(uint32_t, cfg->nclasses + 1);
	int rc = -1;

	for (uint32_t c = 0; c < cfg->nclasses; c++) {
		struct vgs_mix m;

		vgs_mix_solo(u->s, c, &m, &one[c]);
		g_ptr_array_add(solos, vgs_mix_copy(&m));
	}
	if (sim_mixer_run(u->mx, solos, err) < 0)
		goto out;
	for (uint32_t c = 0; c < cfg->nclasses; c++)
		u->solo[c] = sim_mixer_get(u->mx, solos->pdata[c], false, err);
	for (*done = 0; *done < passes; (*done)++) {
		struct vgs_pool *p;
		bool ok;

		if (pool_new(u, &p, err) < 0)
			goto out;
		ok = vgs_pool_run(p);
		if (!ok || !vgs_pool_misses(p)->len) {
			vgs_pool_free(p);
			if (!ok) {
				vgs_error_set(err, "pool: %s: stopped", vgs_interrupt_name());
				goto out;
			}
			break;
		}
		rc = sim_mixer_run(u->mx, vgs_pool_misses(p), err);
		vgs_pool_free(p);
		if (rc < 0)
			goto out;
		rc = -1;
	}
	rc = 0;
out:
	g_ptr_array_free(solos, TRUE);
	g_free(one);
	return rc;
}

/* --level command: the request schedule as one command-level run, then error.csv. */
static int command_level(const struct setup *u, struct vgs_pool *p, const char *dir, struct vgs_error *err)
{
	char *text, *cfg = g_build_filename(dir, "command.cfg", NULL), *out = g_build_filename(dir, "command", NULL);
	char *argv[] = { (char *)"/proc/self/exe", (char *)"run", cfg, (char *)"--quiet", (char *)"-o", out, NULL };
	GError *gerr = NULL;
	int rc = -1;

	text = vgs_pool_command_scenario(p, err);
	if (!text)
		goto out;
	if (!g_file_set_contents(cfg, text, -1, &gerr)) {
		vgs_error_set(err, "cannot write %s: %s", cfg, gerr->message);
		g_error_free(gerr);
		goto out;
	}
	if (vgs_child_run(argv, "the command-level run", err) < 0)
		goto out;
	rc = vgs_pool_error_write(dir, err);
out:
	g_free(text);
	g_free(cfg);
	g_free(out);
	return rc;
}

/* The placement policy: a relative .so path written in a config is relative to that config, as a
 * scheduling policy's is (docs/policies.md), then to the working directory; --placement's is relative
 * to the working directory. */
static const struct vgs_place_ops *load_placement(const struct vgs_pool_cfg *c, struct vgs_error *err)
{
	char *path = vgs_policy_resolve(c->placement, c->placement_file, c->placement_line);
	const struct vgs_place_ops *ops = vgs_place_load(path, err);

	g_free(path);
	return ops;
}

static int run(struct popts *o, struct vgs_scenario *s)
{
	struct vgs_error err = { { 0 } };
	struct sim_mixer mx = { 0 };
	struct setup u = { .s = s, .mx = &mx };
	struct vgs_outdir out = { 0 };
	struct vgs_pool *p = NULL;
	struct vgs_interrupt sigs;
	bool progress = !o->args.quiet && isatty(STDERR_FILENO), interrupted = false;
	bool cmd = o->level && !strcmp(o->level, "command");
	double t0 = vgs_cli_wall_s();
	uint64_t passes = 0;
	char *def = NULL, *pooldir = NULL;
	int rc = VGS_EXIT_BAD_INPUT;

	u.place = load_placement(s->pool, &err);
	if (!u.place) {
		if (s->pool->placement_line > 0)
			fprintf(stderr, "vgpusim: %s:%d: %s\n", s->pool->placement_file, s->pool->placement_line, err.msg);
		else
			fprintf(stderr, "vgpusim: %s: %s\n", s->pool->placement_file, err.msg);
		return VGS_EXIT_BAD_INPUT;
	}
	if (cmd && s->pool->nmig) {
		fprintf(stderr, "vgpusim: %s: --level command simulates time-sliced pools only (this one has MIG GPUs)\n",
			s->path);
		return VGS_EXIT_BAD_INPUT;
	}
	u.kv = g_new0(struct vgs_place_kv, s->pool->nparams + 1);
	for (size_t i = 0; i < s->pool->nparams; i++) {
		u.kv[i].key = s->pool->params[i].key;
		u.kv[i].value = s->pool->params[i].value;
	}
	u.solo = g_new0(const struct vgs_mix_entry *, s->pool->nclasses + 1);
	/* The policy's parameters, checked before any mix runs. */
	if (pool_new(&u, &p, &err) < 0)
		goto fail;
	vgs_pool_free(p);
	p = NULL;
	if (!o->args.outdir) {
		char *name = vgs_policy_group_name(s->pool->placement);

		def = vgs_outdir_default(s, o->args.given, false, name);
		g_free(name);
	}
	if (vgs_outdir_begin(&out, def ? def : o->args.outdir, VGS_OUTDIR_RUN, &err) < 0 ||
	    sim_mixer_init(&mx, s, o->cache, o->jobs, progress, &err) < 0)
		goto fail;
	vgs_interrupt_catch(&sigs);
	if (discover(&u, o->passes, &passes, &err) < 0 || pool_new(&u, &p, &err) < 0 ||
	    sim_pool_run(p, s, &mx, progress, &interrupted, &err) < 0)
		goto release;
	if (interrupted) {
		fprintf(stderr, "vgpusim: pool: %s: stopped; nothing written\n", vgs_interrupt_name());
		rc = vgs_interrupt_status();
		goto release;
	}
	vgs_pool_finish(p, UINT64_MAX);
	struct vgs_pool_info info = {
		.version = VGS_VERSION, .placement = u.place->name, .level = "pool", .wall_s = vgs_cli_wall_s() - t0,
		.mixes_run = mx.runs, .mixes_cached = mx.cached, .passes = passes + 1, .peak_rss_kb = peak_rss_kb(),
	};
	pooldir = cmd ? g_build_filename(out.tmp, "pool", NULL) : g_strdup(out.tmp);
	if (cmd)
		g_mkdir_with_parents(pooldir, 0755);
	if (vgs_pool_write(p, pooldir, &info, &err) < 0 || (cmd && command_level(&u, p, out.tmp, &err) < 0) ||
	    vgs_outdir_commit(&out, &err) < 0)
		goto release;
	if (!o->args.quiet) {
		vgs_pool_print(p, stdout);
		if (cmd)
			vgs_pool_error_print(out.path, stdout);
		printf("\nresults: %s/ (%s)\n", out.path, cmd ? "pool/, command/, error.csv"
							 : "summary.json, requests.csv, metering.csv, timeseries.csv");
	}
	rc = 0;
release:
	vgs_interrupt_release(&sigs);
fail:
	if (rc == VGS_EXIT_BAD_INPUT && err.msg[0])
		fprintf(stderr, "vgpusim: %s\n", err.msg);
	vgs_pool_free(p);
	sim_mixer_fini(&mx);
	vgs_outdir_fini(&out);
	g_free(u.kv);
	g_free(u.solo);
	g_free(def);
	g_free(pooldir);
	return rc;
}

int vgs_cmd_pool(int argc, char **argv)
{
	struct popts o = { 0 };
	struct vgs_scenario s = { 0 };
	int rc;

	vgs_args_init(&o.args);
	rc = parse(argc, argv, &o);
	if (rc)
		goto out;
	if (optind >= argc || argc - optind != 1) {
		rc = vgs_args_usage_error("%s", optind >= argc ? "pool expects a CONFIG file" : "pool expects exactly one CONFIG");
		goto out;
	}
	rc = VGS_EXIT_BAD_INPUT;
	if (take_placement(&o, argc, argv, &s) < 0)
		goto out;
	if (!s.pool) {
		fprintf(stderr, "vgpusim: %s: not a pool: a pool scenario has a `requests` group (docs/pools.md); run "
			"fixed vGPUs with `vgpusim run`\n", argv[optind]);
		goto out;
	}
	rc = run(&o, &s);
out:
	vgs_scenario_fini(&s);
	vgs_args_fini(&o.args);
	return rc;
}
