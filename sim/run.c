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

#include "models/outdir.h"
#include "models/policy_load.h"
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
static double engine_energy_j(const struct sim *sim, const struct sim_engine *e)
{
	double window_s = (double)(sim->end_ns - sim->scn->warmup_ns) * 1e-9;

	if (sim->lockstep)
		return sg_host_get_consumed_energy(e->host) - e->energy_at_warmup_j;
	return e->cls->idle_w * window_s + (e->cls->busy_w - e->cls->idle_w) / e->nchan * e->exec_ns * 1e-9;
}

/* Runs the event loop (sim/loop.c), then closes what is still open at the end of the run. */
static void driver_actor(int argc, char **argv)
{
	struct sim *sim = sg_actor_self_get_data();
	const struct vgs_scenario *scn = sim->scn;
	uint64_t end = sim->end_ns;

	sim_loop(sim);
	if (sim->lockstep)
		sg_host_energy_update_all();
	for (uint32_t i = 0; i < scn->nengines; i++) {
		struct sim_engine *e = &sim->engines[i];

		/* Close what is still running: busy channels and engines, and the owners' slices. */
		for (uint32_t k = 0; k < e->nchan; k++)
			sim_chan_close(&e->chans[k], end);
		if (e->busy)
			vgs_metrics_engine_busy(sim->metrics, i, e->busy_since_ns, end);
		vgs_metrics_engine_energy(sim->metrics, i, engine_energy_j(sim, e));
	}
	for (uint32_t i = 0; i < scn->ndomains; i++) {
		struct sim_domain *d = &sim->domains[i];

		if (!d->owner)
			continue;
		vgs_metrics_slice(sim->metrics, i, d->owner->idx, d->slice_start_ns, end, VGS_CHARGE_EXPIRED);
		if (sim->tl)
			vgs_timeline_slice_end(sim->tl, i, d->owner->idx, d->slice_start_ns, end, -1);
	}
	if (sim->tl)
		vgs_timeline_stop(sim->tl);
	if (sim->progress)
		sim_progress(sim, true);
	for (uint32_t i = 0; i < scn->ntenants; i++)
		vgs_metrics_units_dropped(sim->metrics, i,
					  vgs_workload_dropped_units(sim->tenants[i].wl) - sim->tenants[i].dropped_at_warmup);
}

static void start_actor(sg_actor_t a, void *data, void (*fn)(int, char **), bool daemon)
{
	sg_actor_set_data(a, data);
	sg_actor_start(a, fn, 0, NULL);
	if (daemon)
		sg_actor_daemonize(a);
}

/* Policies first: a bad parameter is a config error, reported before anything runs. */
static int build_domains(struct sim *sim, struct vgs_error *err)
{
	const struct vgs_scenario *scn = sim->scn;
	const struct vgs_policy_ops *ops = vgs_policy_load_scenario(scn, err);

	if (!ops)
		return -1;
	for (uint32_t i = 0; i < scn->ndomains; i++) {
		struct sim_domain *d = &sim->domains[i];
		const struct vgs_domain *dc = &scn->domains[i];

		d->sim = sim;
		d->idx = i;
		d->cfg = dc;
		d->class_mask = dc->class_mask;
		d->state = D_PICK;
		d->timer_at = VGS_NO_TIME;
		d->nengines = dc->nengines;
		d->engines = g_new0(struct sim_engine *, dc->nengines);
		for (uint32_t k = 0; k < dc->nengines; k++) {
			d->engines[k] = &sim->engines[dc->engines[k]];
			d->engines[k]->domain = d;
		}
		if (vgs_policy_sched_init(&d->sched, ops, scn, dc->gpu, err))
			return -1;
		d->ntenants = 0;
		d->tenants = g_new0(struct sim_tenant *, scn->ntenants);
		d->vgpus = g_new0(struct vgs_vgpu, scn->ntenants);
	}
	return 0;
}

static int build_tenants(struct sim *sim, struct vgs_error *err)
{
	const struct vgs_scenario *scn = sim->scn;

	for (uint32_t i = 0; i < scn->ntenants; i++) {
		struct sim_tenant *t = &sim->tenants[i];
		const struct vgs_tenant *tc = &scn->tenants[i];

		t->sim = sim;
		t->idx = i;
		t->cfg = tc;
		t->gpu = &scn->gpus[tc->gpu];
		t->wl = vgs_workload_new(tc->workload, scn->seed * 0x9e3779b97f4a7c15ull + tc->rng_stream + 1);
		for (int c = 0; c < VGS_NCLASS; c++)
			g_queue_init(&t->ring[c]);
		vgs_hostq_init(&t->hq);
		sim_tenant_init(t);
		t->domains = g_new0(struct sim_domain *, scn->ndomains);
		t->vgpu_index = g_new0(uint32_t, scn->ndomains);
		for (uint32_t k = 0; k < scn->ndomains; k++) {
			struct sim_domain *d = &sim->domains[k];
			struct vgs_vgpu *v;
			int rc;

			if (d->cfg->gpu != tc->gpu)
				continue;
			v = &d->vgpus[d->ntenants];
			v->weight = tc->weight;
			v->priority = tc->priority;
			v->flags = vgs_workload_latency_sensitive(tc->workload) ? VGS_VGPU_LATENCY_SENSITIVE : 0;
			v->deadline_ns = VGS_SCHED_NO_TIME;
			v->oldest_submit_ns = VGS_SCHED_NO_TIME;
			v->owner = t;
			rc = vgs_sched_add(&d->sched, v);
			if (rc) {
				vgs_error_set(err, "policy %s refused vGPU %s (error %d)", d->sched.ops->name, tc->name, rc);
				return -1;
			}
			d->tenants[d->ntenants] = t;
			t->vgpu_index[t->ndomains] = d->ntenants++;
			t->domains[t->ndomains++] = d;
		}
	}
	return 0;
}

static void build_engines(struct sim *sim)
{
	const struct vgs_scenario *scn = sim->scn;

	for (uint32_t i = 0; i < scn->nengines; i++) {
		struct sim_engine *e = &sim->engines[i];

		e->idx = i;
		e->cfg = &scn->engines[i];
		e->cls = &scn->gpus[e->cfg->gpu].cls[e->cfg->cls];
		e->nchan = e->cls->channels ? e->cls->channels : 1;
		e->chans = g_new0(struct sim_chan, e->nchan);
		for (uint32_t k = 0; k < e->nchan; k++) {
			e->chans[k].engine = e;
			e->chans[k].index = k;
			e->chans[k].preempt_at_ns = VGS_NO_TIME;
		}
	}
}

static void start_actors(struct sim *sim)
{
	const struct vgs_scenario *scn = sim->scn;

	sim->pcie_mb = g_new0(sg_mailbox_t, 2 * scn->ngpus);
	for (uint32_t g = 0; g < scn->ngpus; g++) {
		for (int d = 0; d < 2; d++) {
			char *host = g_strdup_printf("%s.host_%s", scn->gpus[g].name, d ? "d2h" : "h2d");
			char *mb = g_strdup_printf("%s.pcie_%s", scn->gpus[g].name, d ? "d2h" : "h2d");

			sim->pcie_mb[2 * g + d] = sg_mailbox_by_name(mb);
			start_actor(sg_actor_init(mb, sg_host_by_name(host)), sim->pcie_mb[2 * g + d],
				    sim_pcie_receiver_actor, true);
			g_free(host);
			g_free(mb);
		}
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
}

static void sim_free(struct sim *sim)
{
	const struct vgs_scenario *scn = sim->scn;

	sim_loop_free(sim);

	for (uint32_t i = 0; i < scn->ntenants; i++) {
		struct sim_tenant *t = &sim->tenants[i];

		for (int c = 0; c < VGS_NCLASS; c++) {
			while (!g_queue_is_empty(&t->ring[c]))
				g_free(g_queue_pop_head(&t->ring[c]));
		}
		if (t->wl)
			vgs_workload_free(t->wl);
		if (t->hq.done)
			vgs_hostq_fini(&t->hq);
		g_free(t->domains);
		g_free(t->vgpu_index);
		g_free(t->cmd);
		for (uint32_t k = 0; k < t->nstaged; k++)
			g_free(t->staged[k]);
		g_free(t->staged);
	}
	for (uint32_t i = 0; i < scn->nengines; i++) {
		struct sim_engine *e = &sim->engines[i];

		for (uint32_t k = 0; k < e->nchan; k++)
			g_free(e->chans[k].cmd);
		g_free(e->chans);
	}
	for (uint32_t i = 0; i < scn->ndomains; i++) {
		struct sim_domain *d = &sim->domains[i];

		if (d->sched.ops)
			vgs_sched_fini(&d->sched);
		g_free(d->engines);
		g_free(d->tenants);
		g_free(d->vgpus);
	}
	sim_vram_free(sim);
	g_free(sim->engines);
	g_free(sim->domains);
	g_free(sim->tenants);
	g_free(sim->pcie_mb);
}

static double wall_now(void)
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
	double now = wall_now(), elapsed = now - sim->wall_start_s;
	double t_s = sim_now() * 1e-9, end_s = sim->end_ns * 1e-9;

	if (last) {
		fputs("\r\033[K", stderr);
		return;
	}
	if (now - sim->progress_at_s < 0.2)
		return;
	sim->progress_at_s = now;
	fprintf(stderr, "\r\033[K  simulated %.2f s of %.2f s  %3.0f %%  %.0f commands/s", t_s, end_s,
		end_s > 0 ? 100.0 * t_s / end_s : 100.0, elapsed > 0 ? sim->completed / elapsed : 0.0);
}

int sim_run(const struct sim_run_args *args, struct vgs_error *err)
{
	const struct vgs_scenario *scn = args->scn;
	struct sim sim = { .scn = scn };
	char *tmp = NULL;
	double t0 = wall_now();
	int rc = -1;

	sim.end_ns = scn->warmup_ns + scn->duration_ns;
	sim.lockstep = args->no_coalesce;
	sim.engines = g_new0(struct sim_engine, scn->nengines);
	sim.domains = g_new0(struct sim_domain, scn->ndomains);
	sim.tenants = g_new0(struct sim_tenant, scn->ntenants);

	sim_simgrid_start();
	build_engines(&sim);
	if (build_domains(&sim, err) || build_tenants(&sim, err) || sim_vram_init(&sim, err))
		goto out;
	tmp = vgs_outdir_begin(args->outdir, err);
	if (!tmp)
		goto out;
	sim.metrics = vgs_metrics_new(scn, tmp, err);
	if (!sim.metrics)
		goto out;
	if (args->commands) {
		char *path = g_build_filename(tmp, "commands.csv", NULL);

		sim.commands_csv = fopen(path, "w");
		g_free(path);
		if (!sim.commands_csv) {
			vgs_error_set(err, "cannot write commands.csv in %s: %s", tmp, strerror(errno));
			goto out;
		}
		fputs("tenant,seq,class,engine,submit_ns,start_ns,end_ns\n", sim.commands_csv);
	}
	if (args->slices || args->timeline) {
		sim.tl = vgs_timeline_open(scn, tmp, args->slices, args->timeline, err);
		if (!sim.tl)
			goto out;
	}
	sim.progress = !args->quiet && isatty(STDERR_FILENO);
	sim.wall_start_s = t0;
	if (sim_platform_load(&sim, err))
		goto out;
	start_actors(&sim);
	simgrid_run();

	struct vgs_run_info info = {
		.version = VGS_VERSION,
		.driver = "simgrid",
		.policy = sim.domains[0].sched.ops->name,
		.end_ns = sim.end_ns,
		.wall_s = wall_now() - t0,
		.activities = sim.activities,
		.commands_total = sim.completed,
		.coalesce = !sim.lockstep,
		.execs_without_activity = sim.execs_without_activity,
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
	rc = vgs_timeline_close(sim.tl, sim.end_ns, err);
	sim.tl = NULL;
	if (rc)
		goto out;
	rc = -1;
	vgs_metrics_finish(sim.metrics, &info);
	if (vgs_metrics_write(sim.metrics, tmp, err))
		goto out;
	if (vgs_outdir_commit(tmp, args->outdir, err))
		goto out;
	g_free(tmp);
	tmp = NULL;
	if (!args->quiet)
		vgs_metrics_print_table(sim.metrics, stdout);
	rc = 0;
out:
	if (sim.commands_csv)
		fclose(sim.commands_csv);
	if (sim.tl) {
		struct vgs_error ignored;

		vgs_timeline_close(sim.tl, sim.end_ns, &ignored);
	}
	if (tmp) {
		if (sim.metrics) {
			vgs_metrics_free(sim.metrics);
			sim.metrics = NULL;
		}
		vgs_outdir_abort(tmp);
		g_free(tmp);
	}
	if (sim.metrics)
		vgs_metrics_free(sim.metrics);
	sim_free(&sim);
	return rc;
}
