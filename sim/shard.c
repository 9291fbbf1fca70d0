/*
 * A run split into shards (docs/simulator.md, "Shards"): when a scenario's GPUs do not interact, each
 * of up to -j processes simulates some of them -- the same driver, the same event loop, the others'
 * tenants and domains simply never started -- and the parent merges what they accumulated into the
 * results of a one-shard run, byte for byte.
 *
 * When the shards can reproduce a one-shard run (a plan of more than one shard):
 *   - the GPUs of different shards share nothing: placement is static (vgs_tenant.gpu: no pool of
 *     requests, no live migration -- its pre-copy crosses links between GPUs and its vGPU ends on
 *     another GPU --, no user platform file linking GPUs), a MIG instance
 *     stays with its physical GPU (vgs_gpu.phys: they share its PCIe link and VRAM), and SimGrid plays
 *     no part -- a PCIe transfer makes SimGrid count activities and loop waits that depend on every
 *     GPU's timeline, so a shard that starts one stops (SIM_PART_TRANSFERS) and the run is redone as
 *     one shard;
 *   - no output lists the events of different GPUs in the order they happened: --commands, --slices
 *     and --timeline (and --no-coalesce, lockstep) run as one shard; units.csv does list them, in end
 *     time order and, within one ns, by physical GPU (vgs_metrics_unit_done), which the merge restores:
 *     the shards hold physical GPUs in index order, so at a tie the lower shard's rows come first;
 *   - an untimed report (a preemption, the end of a blocked submission, skipped units) counts by the
 *     latest time reported so far, which may be another GPU's in a one-shard run: a shard whose such a
 *     report could fall on the other side of a window edge says so (vgs_metrics_part.straddle) and
 *     the run is redone.
 * summary.json says how many shards ran ("shards") and, for one, why ("shards_why").
 *
 * Each shard is a fork of this process (same scenario in memory, same binary: its state file is raw
 * memory, models/results/metrics_part.c) writing into its own directory inside the temporary results
 * directory, killed by the kernel should the parent die.  On SIGINT or SIGTERM the shards stop and
 * nothing is written (a partial run needs every GPU stopped at one instant: run -j 1 for that).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "hw-trace/cache.h"
#include "models/base/interrupt.h"
#include "models/results/outdir.h"
#include "models/scenario/policy_load.h"
#include "sim/sim.h"

struct shard {
	pid_t pid;
	int status;
	bool *gpu_active;
	char *dir;
	struct sim_part part;
};

/* Why the scenario runs as one shard with these options, or NULL when it may be split. */
static const char *one_shard_why(const struct sim_run_args *args, uint32_t *ngroups)
{
	const struct vgs_scenario *scn = args->scn;
	bool *has = g_new0(bool, scn->ngpus + 1);

	*ngroups = 0;
	for (uint32_t i = 0; i < scn->ntenants; i++) {
		uint32_t g = scn->gpus[scn->tenants[i].gpu].phys;

		*ngroups += !has[g];
		has[g] = true;
	}
	g_free(has);
	if (args->jobs <= 1)
		return "-j 1";
	/* GPUs that interact (docs/pools.md) cannot be simulated apart. */
	if (scn->pool)
		return "a pool of requests places vGPUs on any GPU";
	if (scn->nmigrations)
		return "live migrations move vGPUs between GPUs over a shared interconnect";
	if (scn->interconnect.platform)
		return "interconnect.platform links the GPUs";
	if (*ngroups <= 1)
		return "one GPU";
	if (args->no_coalesce)
		return "--no-coalesce (lockstep)";
	if (args->commands || args->slices || args->timeline)
		return "--commands, --slices or --timeline list every GPU's events in one order";
	return NULL;
}

/* Physical GPUs (with their MIG instances) to nshards shards, in index order, each shard about the
 * same number of tenants. */
static void plan(const struct vgs_scenario *scn, struct shard *sh, uint32_t nshards)
{
	uint64_t *load = g_new0(uint64_t, scn->ngpus + 1), total = 0, acc = 0;

	for (uint32_t i = 0; i < scn->ntenants; i++)
		load[scn->gpus[scn->tenants[i].gpu].phys]++;
	for (uint32_t g = 0; g < scn->ngpus; g++)
		total += load[g];
	for (uint32_t g = 0; g < scn->ngpus; g++) {
		uint32_t phys = scn->gpus[g].phys;
		/* the shard of a physical GPU: by the tenants before it (its instances follow its choice) */
		uint32_t k = phys == g ? (uint32_t)(acc * nshards / (total ? total : 1)) : UINT32_MAX;

		if (phys == g)
			acc += load[g];
		if (k == UINT32_MAX)
			for (k = 0; k < nshards && !sh[k].gpu_active[phys]; k++)
				;
		if (k >= nshards)
			k = nshards - 1;
		sh[k].gpu_active[g] = true;
	}
	g_free(load);
}

static void stop_all(struct shard *sh, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++)
		if (sh[k].pid > 0)
			kill(sh[k].pid, SIGTERM);
	for (uint32_t k = 0; k < n; k++)
		if (sh[k].pid > 0) {
			waitpid(sh[k].pid, &sh[k].status, 0);
			sh[k].pid = 0;
		}
}

/* Wait for every shard: 0 when all saved their state, SIM_PART_TRANSFERS when one stopped for a
 * transfer (the others are stopped), -1 with err set when one failed or on SIGINT/SIGTERM. */
static int wait_all(struct shard *sh, uint32_t n, struct vgs_error *err)
{
	uint32_t running = n;

	while (running) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		uint32_t k;

		if (vgs_interrupted()) {
			stop_all(sh, n);
			vgs_error_set(err, "%s", vgs_interrupt_name());
			return -1;
		}
		if (pid == 0 || (pid < 0 && errno == EINTR)) {
			g_usleep(2000);
			continue;
		}
		for (k = 0; k < n && sh[k].pid != pid; k++)
			;
		if (pid < 0 || k == n)
			continue;
		sh[k].pid = 0;
		sh[k].status = status;
		running--;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			continue;
		stop_all(sh, n);
		if (WIFEXITED(status) && WEXITSTATUS(status) == SIM_PART_TRANSFERS)
			return SIM_PART_TRANSFERS;
		char *text = g_build_filename(sh[k].dir, "error", NULL), *msg = NULL;

		if (!g_file_get_contents(text, &msg, NULL, NULL) || !*msg) {
			g_free(msg);
			msg = g_strdup_printf("shard %u ended with status %d", k, status);
		}
		vgs_error_set(err, "%s", g_strstrip(msg));
		g_free(msg);
		g_free(text);
		return -1;
	}
	return 0;
}

/* In the shard's process: simulate its GPUs, save, exit. */
static void G_GNUC_NORETURN shard_main(const struct sim_run_args *args, struct shard *s)
{
	struct sim_run_args a = *args;
	struct vgs_error err = { { 0 } };
	int rc;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	a.part = &s->part;
	a.quiet = true;
	rc = sim_run(&a, &err);
	if (rc < 0) {
		char *path = g_build_filename(s->dir, "error", NULL);

		g_file_set_contents(path, err.msg, -1, NULL);
		g_free(path);
		rc = 1;
	}
	fflush(NULL);
	_exit(rc);
}

/* The shards' results merged into one run's: 0; 1 when the merge cannot reproduce a one-shard run
 * (*why says why); -1 with err set. */
static int merge(const struct sim_run_args *args, struct shard *sh, uint32_t n, struct vgs_outdir *out,
		 double t0, const char **why, struct vgs_error *err)
{
	const struct vgs_scenario *scn = args->scn;
	const struct vgs_policy_ops *ops = vgs_policy_load_scenario(scn, err);
	struct vgs_metrics *m = ops ? vgs_metrics_new(scn, out->tmp, err) : NULL;
	struct vgs_run_info info = {
		.version = VGS_VERSION,
		.driver = "simgrid",
		.policy = ops ? ops->name : scn->policy, /* the effective policy's name, as a one-shard run's */
		.coalesce = true,
		.shards = n,
		.import_cache = vgs_import_cache_outcome(),
	};
	char **units = g_new0(char *, n + 1);
	double fin0;
	int rc = -1;

	if (!m)
		goto out;
	for (uint32_t k = 0; k < n; k++) {
		struct vgs_metrics_part p;
		char *state = g_build_filename(sh[k].dir, SIM_PART_STATE, NULL);

		rc = vgs_metrics_part_load(m, state, &p, err);
		g_free(state);
		if (rc)
			goto out;
		info.activities += p.activities;
		info.execs_without_activity += p.execs_without_activity;
		info.commands_total += p.commands_total;
		info.end_ns = p.end_ns;
		if (p.wall_loop_s > info.wall_loop_s)
			info.wall_loop_s = p.wall_loop_s;
		if (p.straddle || p.activities) {
			*why = p.activities ? "PCIe transfers (SimGrid activities)"
					    : "an untimed report at a window edge (a preemption, a blocked submission)";
			rc = 1;
			goto out;
		}
		units[k] = g_build_filename(sh[k].dir, "units.csv", NULL);
	}
	fin0 = sim_wall_now();
	rc = vgs_metrics_units_merge(m, units, n, err);
	if (rc)
		goto out;
	for (uint32_t k = 0; k < n; k++)
		vgs_outdir_remove(sh[k].dir);
	info.wall_s = fin0 - t0;
	rc = sim_results_write(args, NULL, m, &info, out, fin0, err);
out:
	if (m)
		vgs_metrics_free(m);
	g_strfreev(units);
	return rc;
}

int sim_shard_run(const struct sim_run_args *args, struct vgs_error *err)
{
	const struct vgs_scenario *scn = args->scn;
	struct sim_run_args one = *args;
	struct vgs_outdir out = { 0 };
	struct vgs_interrupt sigs;
	struct shard *sh = NULL;
	uint32_t ngroups, n = 0;
	double t0 = sim_wall_now();
	int rc;

	one.shards_why = one_shard_why(args, &ngroups);
	if (one.shards_why)
		return sim_run(&one, err);
	n = args->jobs < ngroups ? args->jobs : ngroups;
	if (vgs_outdir_begin(&out, args->outdir, VGS_OUTDIR_RUN, err))
		return -1;
	vgs_interrupt_catch(&sigs);
	sh = g_new0(struct shard, n);
	for (uint32_t k = 0; k < n; k++) {
		sh[k].gpu_active = g_new0(bool, scn->ngpus + 1);
		sh[k].dir = g_strdup_printf("%s/.shard-%u", out.tmp, k);
		sh[k].part = (struct sim_part){ sh[k].gpu_active, sh[k].dir, k == 0 && !args->quiet && isatty(STDERR_FILENO) };
		g_mkdir(sh[k].dir, 0700);
	}
	plan(scn, sh, n);
	fflush(NULL);
	for (uint32_t k = 0; k < n; k++) {
		sh[k].pid = fork();
		if (sh[k].pid == 0)
			shard_main(args, &sh[k]);
		if (sh[k].pid < 0) {
			vgs_error_set(err, "cannot start a shard: %s", strerror(errno));
			sh[k].pid = 0;
			stop_all(sh, n);
			rc = -1;
			goto out;
		}
	}
	rc = wait_all(sh, n, err);
	if (rc == SIM_PART_TRANSFERS) {
		one.shards_why = "PCIe transfers (SimGrid activities)";
		rc = 1;
	} else if (rc == 0) {
		rc = merge(args, sh, n, &out, t0, &one.shards_why, err);
	}
out:
	if (vgs_interrupted() && rc <= 0) {
		if (rc == 0) /* stopped after the results were written: they are complete */
			fprintf(stderr, "vgpusim: %s after the run had ended: results in %s/ are complete\n",
				vgs_interrupt_name(), out.path);
		else
			fprintf(stderr, "vgpusim: %s: the shards stopped; nothing written (-j 1 writes a partial "
				"run)\n", vgs_interrupt_name());
		rc = vgs_interrupt_status();
	}
	vgs_interrupt_release(&sigs);
	vgs_outdir_fini(&out);
	for (uint32_t k = 0; k < n; k++) {
		g_free(sh[k].gpu_active);
		g_free(sh[k].dir);
	}
	g_free(sh);
	if (rc == 1) /* the shards cannot reproduce a one-shard run: be one */
		return sim_run(&one, err);
	return rc;
}
