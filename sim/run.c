/*
 * One simulated run: build the engines, domains (each with its policy instance) and tenants of a
 * scenario, run the event loop (sim/loop.c) in a driver actor on a SimGrid platform until warm-up +
 * duration, close the intervals still open, and write the results directory atomically.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <simgrid/engine.h>
#include <simgrid/plugins/energy.h>

#include "hw-trace/cache.h"
#include "models/base/interrupt.h"
#include "models/results/metering.h"
#include "models/results/outdir.h"
#include "models/results/units.h"
#include "models/scenario/policy_load.h"
#include "sim/sim.h"

#ifndef VGS_VERSION
#define VGS_VERSION "unknown"
#endif

/*
 * Energy an engine consumed in the measured window.  The engine's power is linear in its busy channels
 * (sim/platform.c, "idle:idle:busy": SimGrid's host-energy model with Epsilon = Idle), so it is
 * idle_w over the window plus (busy_w - idle_w) / channels per channel-second of exec.  Lockstep mode
 * reads SimGrid's energy plugin instead, which integrates the same model over its execs: the two agree
 * to the clock's rounding (tests/e2e/coalesce.py).
 */
static double engine_energy_j(const struct sim *sim, const struct drv_engine *e)
{
	const struct sim_engine *se = sim_engine(e);
	uint64_t w0 = sim->drv.scn->warmup_ns;
	double window_s = sim->drv.end_ns > w0 ? (double)(sim->drv.end_ns - w0) * 1e-9 : 0.0;

	if (sim->lockstep)
		return sg_host_get_consumed_energy(se->host) - se->energy_at_warmup_j;
	return e->cls->idle_w * window_s + (e->cls->busy_w - e->cls->idle_w) / e->nchan * se->exec_ns * 1e-9;
}

/* Runs the event loop (sim/loop.c), then closes what is still open at the end of the run. */
static void driver_actor(int argc, char **argv)
{
	struct sim *sim = sg_actor_self_get_data();
	const struct vgs_scenario *scn = sim->drv.scn;
	uint64_t end;

	sim_loop(sim);
	end = sim->drv.end_ns; /* earlier than planned when the loop was interrupted */
	if (sim->lockstep)
		sg_host_energy_update_all();
	for (uint32_t i = 0; i < scn->nengines; i++) {
		struct drv_engine *e = &sim->drv.engines[i];

		for (uint32_t k = 0; k < e->nchan; k++)
			sim_chan_close(&e->chans[k], end);
		vgs_metrics_engine_energy(sim->drv.metrics, i, engine_energy_j(sim, e));
	}
	drv_close(&sim->drv, end);
	if (sim->progress)
		sim_progress(sim, true);
}

static uint64_t sim_ops_now(struct drv *d)
{
	return sim_of(d)->clock_ns;
}

static void sim_ops_submitted(struct drv_tenant *t, struct drv_cmd *cmd)
{
	sim_vram_submit(t, cmd); /* host-side allocations and frees (sim/vram.c) */
}

static void sim_ops_completed(struct drv_tenant *t, struct drv_cmd *cmd, uint64_t now, bool dropped)
{
	struct sim *sim = sim_of(t->drv);

	if (!dropped && sim->commands_csv)
		fprintf(sim->commands_csv, "%s,%" PRIu64 ",%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n", t->cfg->name,
			cmd->c.seq, vgs_class_name(cmd->c.cls), sim->drv.scn->engines[cmd->engine].name, cmd->submit_ns,
			cmd->start_ns, now);
	sim_vram_complete(t, cmd, now); /* unpin its allocations (sim/vram.c) */
	sim_mig_completed(sim, t, now, dropped); /* a drain waits for it (sim/migrate.c) */
	if ((sim->drv.completed & 1023) == 0 && sim->progress)
		sim_progress(sim, false);
}

static void sim_ops_warmup(struct drv *d)
{
	struct sim *sim = sim_of(d);

	if (!sim->lockstep)
		return;
	sg_host_energy_update_all();
	for (uint32_t i = 0; i < d->scn->nengines; i++) {
		struct sim_engine *se = sim_engine(&d->engines[i]);

		se->energy_at_warmup_j = sg_host_get_consumed_energy(se->host);
	}
}

static void sim_ops_timer(struct drv *d, const struct vgs_timer *tm, uint64_t now)
{
	if (tm->kind == SIM_EV_MIGRATE)
		sim_mig_timer(sim_of(d), tm->obj, now);
	else
		sim_chan_timer(d, tm, now);
}

static const struct drv_ops sim_ops = {
	.engine_size = sizeof(struct sim_engine),
	.chan_size = sizeof(struct sim_chan),
	.now = sim_ops_now,
	.chan_start = sim_chan_start,
	.chan_preempt = sim_chan_preempt,
	.timer = sim_ops_timer,
	.gone = sim_vram_release,
	.submitted = sim_ops_submitted,
	.completed = sim_ops_completed,
	.warmup = sim_ops_warmup,
	.chan_retime = sim_chan_retime,
};

static void start_actor(sg_actor_t a, void *data, void (*fn)(int, char **), bool daemon)
{
	sg_actor_set_data(a, data);
	sg_actor_start(a, fn, 0, NULL);
	if (daemon)
		sg_actor_daemonize(a);
}

static void start_actors(struct sim *sim)
{
	const struct vgs_scenario *scn = sim->drv.scn;

	sim->pcie_mb = g_new0(sg_mailbox_t, 2 * scn->ngpus);
	for (uint32_t g = 0; g < scn->ngpus; g++) {
		if (scn->gpus[g].phys != g)
			continue; /* a MIG instance: its physical GPU's link */
		for (int d = 0; d < 2; d++) {
			char *mb = g_strdup_printf("%s.pcie_%s", scn->gpus[g].name, d ? "d2h" : "h2d");

			sim->pcie_mb[2 * g + d] = sg_mailbox_by_name(mb);
			start_actor(sg_actor_init(mb, sim->pcie_host[2 * g + d]), sim->pcie_mb[2 * g + d],
				    sim_pcie_receiver_actor, true);
			g_free(mb);
		}
	}
	/* Live migrations' receiving ends: one per destination GPU (sim/migrate.c). */
	for (uint32_t m = 0; m < scn->nmigrations; m++) {
		const char *dst = scn->gpus[scn->gpus[scn->migrations[m].gpu].phys].name;
		char *name = g_strdup_printf("%s.mig", dst);
		sg_mailbox_t mb = sg_mailbox_by_name(name);
		bool again = false;

		for (uint32_t k = 0; k < m; k++)
			again |= scn->gpus[scn->migrations[k].gpu].phys == scn->gpus[scn->migrations[m].gpu].phys;
		if (!again)
			start_actor(sg_actor_init(name, sg_host_by_name(name)), mb, sim_pcie_receiver_actor, true);
		g_free(name);
	}
	start_actor(sg_actor_init("driver", sim->ctl_host), sim, driver_actor, false);
}

void sim_simgrid_start(void)
{
	static char arg0[] = "vgpusim";
	/* CM02 without cross-traffic: a transfer takes exactly latency + bytes / bandwidth when alone. */
	static char a1[] = "--cfg=network/model:CM02";
	static char a2[] = "--cfg=network/crosstraffic:0";
	static char a3[] = "--cfg=contexts/stack-size:512";
	static char a4[] = "--log=root.thres:critical";
	/* Timers to the ns: SimGrid's default 1e-9 s precision can merge a 1 ns wait into "now". */
	static char a5[] = "--cfg=surf/precision:1e-12";
	char *argv[] = { arg0, a1, a2, a3, a4, a5, NULL };
	int argc = 6;

	sg_host_energy_plugin_init();
	simgrid_init(&argc, argv);
	/* SimGrid installs a SIGINT handler that exits 1 without a word: ours again (interrupt.h). */
	vgs_interrupt_init();
}

static void sim_free(struct sim *sim)
{
	sim_mig_free(sim);
	sim_transfers_free(sim);
	drv_free(&sim->drv);
	sim_vram_free(sim);
	g_free(sim->pcie_mb);
	g_free(sim->pcie_host);
}

double sim_wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * One line on stderr, redrawn in place at most 5 times a second: simulated time, % of the run done,
 * commands completed per wall second.  Only on a terminal (sim->progress), erased at the end so the
 * results table starts on a clean line.
 */
void sim_progress(struct sim *sim, bool last)
{
	double now = sim_wall_now(), elapsed = now - sim->wall_start_s;
	double t_s = sim->clock_ns * 1e-9, end_s = sim->drv.end_ns * 1e-9;

	if (last) {
		fputs("\r\033[K", stderr);
		return;
	}
	if (now - sim->progress_at_s < 0.2)
		return;
	sim->progress_at_s = now;
	fprintf(stderr, "\r\033[K  simulated %.2f s of %.2f s  %3.0f %%  %.0f commands/s", t_s, end_s,
		end_s > 0 ? 100.0 * t_s / end_s : 100.0, elapsed > 0 ? sim->drv.completed / elapsed : 0.0);
}

/* After SIGINT or SIGTERM: say what was written; the exit status. */
static int interrupted(const struct sim *sim, const char *outdir, bool written)
{
	const struct vgs_scenario *scn = sim->drv.scn;

	if (!sim->interrupted)
		fprintf(stderr, "vgpusim: %s after the run had ended: results in %s/ are complete\n",
			vgs_interrupt_name(), outdir);
	else if (written)
		fprintf(stderr, "vgpusim: %s: the run stopped at %.3f s of %.3f s simulated; results in %s/ are "
			"marked partial\n", vgs_interrupt_name(), sim->drv.end_ns * 1e-9,
			(scn->warmup_ns + scn->duration_ns) * 1e-9, outdir);
	else
		fprintf(stderr, "vgpusim: %s: the run stopped at %.3f s simulated, before the measured window "
			"(warm-up %.3f s): nothing written\n", vgs_interrupt_name(), sim->drv.end_ns * 1e-9,
			scn->warmup_ns * 1e-9);
	return vgs_interrupt_status();
}

/* A shard (sim/shard.c): close what its GPUs left open and save their accumulators. */
static int part_save(struct sim *sim, double loop_s, struct vgs_error *err)
{
	struct vgs_metrics_part p = {
		.activities = sim->activities,
		.execs_without_activity = sim->execs_without_activity,
		.commands_total = sim->drv.completed,
		.end_ns = sim->drv.end_ns,
		.partial = sim->interrupted,
		.wall_loop_s = loop_s,
	};
	char *path = g_build_filename(sim->part->dir, SIM_PART_STATE, NULL);
	int rc;

	sim_vram_finish(sim);
	rc = vgs_metrics_part_save(sim->drv.metrics, sim->part->gpu_active, &p, path, err);
	g_free(path);
	return rc;
}

int sim_results_write(const struct sim_run_args *args, struct sim *sim, struct vgs_metrics *m,
		      const struct vgs_run_info *info, struct vgs_outdir *out, double finish_t0_s, struct vgs_error *err)
{
	const struct vgs_scenario *scn = args->scn;
	double now;

	vgs_metrics_finish(m, info);
	now = sim_wall_now();
	vgs_metrics_set_wall(m, now - finish_t0_s, args->start_s > 0 ? now - args->start_s : 0.0);
	if (vgs_metrics_write(m, out->tmp, err) || (sim && sim_mig_write(sim, out->tmp, err)) ||
	    (scn->metering && vgs_metrics_metering(m, out->tmp, scn->metering, err)))
		return -1;
	if (args->window_ns) {
		char **names = g_new0(char *, scn->ntenants + 1);
		int rc;

		for (uint32_t i = 0; i < scn->ntenants; i++)
			names[i] = scn->tenants[i].name;
		rc = vgs_windows_write(out->tmp, names, scn->ntenants, args->window_ns, scn->warmup_ns, info->end_ns, err);
		g_free(names);
		if (rc)
			return -1;
	}
	if (vgs_outdir_commit(out, err))
		return -1;
	if (!args->quiet)
		vgs_metrics_print_table(m, stdout);
	return 0;
}

int sim_run(const struct sim_run_args *args, struct vgs_error *err)
{
	const struct vgs_scenario *scn = args->scn;
	struct sim sim = { .lockstep = args->no_coalesce, .part = args->part };
	struct vgs_outdir out = { 0 };
	struct vgs_interrupt sigs;
	double t0 = sim_wall_now(), loop_s, fin0;
	int rc = -1;

	sim.drv.host_wake = true;
	sim.drv.gpu_active = args->part ? args->part->gpu_active : NULL;
	sim_simgrid_start();
	vgs_interrupt_catch(&sigs);
	if (drv_build(&sim.drv, scn, &sim_ops, err) || sim_vram_init(&sim, err))
		goto out;
	if (!args->part && vgs_outdir_begin(&out, args->outdir, VGS_OUTDIR_RUN, err))
		goto out;
	sim.drv.metrics = vgs_metrics_new(scn, args->part ? args->part->dir : out.tmp, err);
	if (!sim.drv.metrics)
		goto out;
	if (args->part)
		vgs_metrics_watch_clock(sim.drv.metrics, &sim.clock_ns);
	if (args->commands) {
		char *path = g_build_filename(out.tmp, "commands.csv", NULL);

		sim.commands_csv = fopen(path, "w");
		g_free(path);
		if (!sim.commands_csv) {
			vgs_error_set(err, "cannot write commands.csv in %s: %s", out.tmp, strerror(errno));
			goto out;
		}
		fputs("tenant,seq,class,engine,submit_ns,start_ns,end_ns\n", sim.commands_csv);
	}
	if (args->slices || args->timeline) {
		sim.drv.tl = vgs_timeline_open(scn, out.tmp, args->slices, args->timeline, err);
		if (!sim.drv.tl)
			goto out;
	}
	sim.progress = args->part ? args->part->progress : !args->quiet && isatty(STDERR_FILENO);
	sim.wall_start_s = t0;
	if (sim_platform_load(&sim, err))
		goto out;
	sim_mig_init(&sim);
	start_actors(&sim);
	loop_s = sim_wall_now();
	simgrid_run();
	fin0 = sim_wall_now();
	loop_s = fin0 - loop_s;
	if (args->part) {
		rc = sim.part_stop ? SIM_PART_TRANSFERS
		     : sim.interrupted ? vgs_interrupt_status() : part_save(&sim, loop_s, err);
		goto out;
	}
	if (sim.interrupted && sim.drv.end_ns <= scn->warmup_ns) {
		rc = interrupted(&sim, out.path, false);
		goto out;
	}

	struct vgs_run_info info = {
		.version = VGS_VERSION,
		.driver = "simgrid",
		.policy = sim.drv.domains[0].sched.ops->name,
		.end_ns = sim.drv.end_ns,
		.wall_s = fin0 - t0,
		.activities = sim.activities,
		.commands_total = sim.drv.completed,
		.coalesce = !sim.lockstep,
		.execs_without_activity = sim.execs_without_activity,
		.partial = sim.interrupted,
		.wall_loop_s = loop_s,
		.shards = 1,
		.shards_why = args->shards_why,
		.import_cache = vgs_import_cache_outcome(),
	};
	if (sim.commands_csv) {
		int bad = ferror(sim.commands_csv);

		if (fclose(sim.commands_csv) != 0 || bad) {
			sim.commands_csv = NULL;
			vgs_error_set(err, "cannot write commands.csv: %s", strerror(errno));
			goto out;
		}
		sim.commands_csv = NULL;
	}
	sim_vram_finish(&sim);
	rc = vgs_timeline_close(sim.drv.tl, sim.drv.end_ns, err);
	sim.drv.tl = NULL;
	if (rc)
		goto out;
	rc = -1;
	if (sim_results_write(args, &sim, sim.drv.metrics, &info, &out, fin0, err))
		goto out;
	rc = vgs_interrupted() ? interrupted(&sim, out.path, true) : 0;
out:
	if (sim.commands_csv)
		fclose(sim.commands_csv);
	if (sim.drv.tl) {
		struct vgs_error ignored;

		vgs_timeline_close(sim.drv.tl, sim.drv.end_ns, &ignored);
	}
	if (sim.drv.metrics)
		vgs_metrics_free(sim.drv.metrics);
	vgs_outdir_fini(&out);
	sim_free(&sim);
	vgs_interrupt_release(&sigs);
	return rc;
}
