/*
 * One replay: build the executor's engines, domains (each with its own instance of the scenario's
 * policy, from the same libvgspolicies.a as the simulator) and tenants, run the real-time loop until
 * warm-up + duration (or Ctrl-C), and write the results directory atomically in the simulator's
 * format (models/metrics.h), with summary.json "driver" = the backend and "partial" = true when the
 * replay was interrupted.  The executor's own measurements go to executor.json next to it.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hw-trace/exec/exec.h"
#include "models/json.h"
#include "models/outdir.h"
#include "models/policy_load.h"

#ifndef VGS_VERSION
#define VGS_VERSION "unknown"
#endif

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = 1;
}

bool ex_interrupted(void)
{
	return interrupted != 0;
}

/* What the executor cannot replay faithfully is refused up front, with the config's words. */
static int check_supported(const struct vgs_scenario *scn, const struct ex_backend *be, struct vgs_error *err)
{
	for (uint32_t i = 0; i < scn->ntenants; i++) {
		if (scn->tenants[i].submit.batch_max > 1) {
			vgs_error_set(err, "%s: vGPU %s: submit.batch_max > 1 (merged submissions) is not replayed by "
				      "the executor; remove it to replay this scenario", scn->path, scn->tenants[i].name);
			return -1;
		}
	}
	if (be == &ex_backend_cuda) {
		for (uint32_t g = 0; g < scn->ngpus; g++)
			for (int c = 0; c < VGS_NCLASS; c++)
				if (scn->gpus[g].cls[c].count && scn->gpus[g].cls[c].preempt == VGS_PREEMPT_FINE) {
					vgs_error_set(err, "%s: GPU %s: %s.preempt = \"fine\": the cuda backend enforces slices "
						      "at command granularity; set preempt = \"command\"", scn->path,
						      scn->gpus[g].name, vgs_class_name(c));
					return -1;
				}
	}
	return 0;
}

static int build(struct exec *x, struct vgs_error *err)
{
	const struct vgs_scenario *scn = x->scn;
	const struct vgs_policy_ops *ops = vgs_policy_load_scenario(scn, err);

	if (!ops)
		return -1;
	x->engines = g_new0(struct ex_engine, scn->nengines);
	x->domains = g_new0(struct ex_domain, scn->ndomains);
	x->tenants = g_new0(struct ex_tenant, scn->ntenants);
	for (uint32_t i = 0; i < scn->nengines; i++) {
		struct ex_engine *e = &x->engines[i];

		e->idx = i;
		e->cfg = &scn->engines[i];
		e->cls = &scn->gpus[e->cfg->gpu].cls[e->cfg->cls];
		e->nchan = e->cls->channels ? e->cls->channels : 1;
		e->chans = g_new0(struct ex_chan, e->nchan);
		for (uint32_t k = 0; k < e->nchan; k++) {
			e->chans[k].engine = e;
			e->chans[k].index = k;
			e->chans[k].preempt_at_ns = VGS_NO_TIME;
		}
	}
	for (uint32_t i = 0; i < scn->ndomains; i++) {
		struct ex_domain *d = &x->domains[i];
		const struct vgs_domain *dc = &scn->domains[i];

		d->x = x;
		d->idx = i;
		d->cfg = dc;
		d->class_mask = dc->class_mask;
		d->nengines = dc->nengines;
		d->engines = g_new0(struct ex_engine *, dc->nengines);
		for (uint32_t k = 0; k < dc->nengines; k++) {
			d->engines[k] = &x->engines[dc->engines[k]];
			d->engines[k]->domain = d;
		}
		if (vgs_policy_sched_init(&d->sched, ops, scn, dc->gpu, err))
			return -1;
		d->tenants = g_new0(struct ex_tenant *, scn->ntenants);
		d->vgpus = g_new0(struct vgs_vgpu, scn->ntenants);
	}
	for (uint32_t i = 0; i < scn->ntenants; i++) {
		struct ex_tenant *t = &x->tenants[i];
		const struct vgs_tenant *tc = &scn->tenants[i];

		t->x = x;
		t->idx = i;
		t->cfg = tc;
		t->gpu = &scn->gpus[tc->gpu];
		/* The simulator's seed rule (sim/run.c), so both drivers replay the same command stream. */
		t->wl = vgs_workload_new(tc->workload, scn->seed * 0x9e3779b97f4a7c15ull + tc->rng_stream + 1);
		for (int c = 0; c < VGS_NCLASS; c++)
			g_queue_init(&t->ring[c]);
		vgs_hostq_init(&t->hq);
		t->domains = g_new0(struct ex_domain *, scn->ndomains);
		t->vgpu_index = g_new0(uint32_t, scn->ndomains);
		for (uint32_t k = 0; k < scn->ndomains; k++) {
			struct ex_domain *d = &x->domains[k];
			struct vgs_vgpu *v;

			if (d->cfg->gpu != tc->gpu)
				continue;
			v = &d->vgpus[d->ntenants];
			v->weight = tc->weight;
			v->priority = tc->priority;
			v->flags = vgs_workload_latency_sensitive(tc->workload) ? VGS_VGPU_LATENCY_SENSITIVE : 0;
			v->deadline_ns = VGS_SCHED_NO_TIME;
			v->oldest_submit_ns = VGS_SCHED_NO_TIME;
			v->owner = t;
			if (vgs_sched_add(&d->sched, v)) {
				vgs_error_set(err, "policy %s refused vGPU %s", d->sched.ops->name, tc->name);
				return -1;
			}
			d->tenants[d->ntenants] = t;
			t->vgpu_index[t->ndomains] = d->ntenants++;
			t->domains[t->ndomains++] = d;
		}
	}
	return 0;
}

static void teardown(struct exec *x)
{
	const struct vgs_scenario *scn = x->scn;

	for (uint32_t i = 0; x->tenants && i < scn->ntenants; i++) {
		struct ex_tenant *t = &x->tenants[i];

		for (int c = 0; c < VGS_NCLASS; c++)
			while (!g_queue_is_empty(&t->ring[c]))
				g_free(g_queue_pop_head(&t->ring[c]));
		g_free(t->cmd);
		if (t->wl)
			vgs_workload_free(t->wl);
		if (t->hq.done)
			vgs_hostq_fini(&t->hq);
		g_free(t->domains);
		g_free(t->vgpu_index);
	}
	for (uint32_t i = 0; x->engines && i < scn->nengines; i++) {
		for (uint32_t k = 0; k < x->engines[i].nchan; k++)
			g_free(x->engines[i].chans[k].cmd);
		g_free(x->engines[i].chans);
	}
	for (uint32_t i = 0; x->domains && i < scn->ndomains; i++) {
		if (x->domains[i].sched.ops)
			vgs_sched_fini(&x->domains[i].sched);
		g_free(x->domains[i].engines);
		g_free(x->domains[i].tenants);
		g_free(x->domains[i].vgpus);
	}
	g_free(x->engines);
	g_free(x->domains);
	g_free(x->tenants);
	vgs_timerheap_fini(&x->timers);
	g_queue_clear(&x->runq);
	vgs_hist_fini(&x->dispatch_lat);
	vgs_hist_fini(&x->timer_slack);
}

/* Close what is still running at `end`, as the simulator's controller does. */
static void close_open(struct exec *x, uint64_t end)
{
	const struct vgs_scenario *scn = x->scn;

	for (uint32_t i = 0; i < scn->nengines; i++) {
		struct ex_engine *e = &x->engines[i];

		for (uint32_t k = 0; k < e->nchan; k++) {
			struct ex_chan *ch = &e->chans[k];

			if (!ch->cmd)
				continue;
			vgs_metrics_busy(x->metrics, ch->cmd->tenant->idx, i, ch->run_start_ns, end);
			if (x->tl)
				vgs_timeline_busy(x->tl, i, k, ch->cmd->tenant->idx, ch->cmd->c.seq, ch->cmd->c.cls,
						  ch->run_start_ns, end);
		}
		if (e->busy)
			vgs_metrics_engine_busy(x->metrics, i, e->busy_since_ns, end);
	}
	for (uint32_t i = 0; i < scn->ndomains; i++) {
		struct ex_domain *d = &x->domains[i];

		if (d->owner) {
			vgs_metrics_slice(x->metrics, i, d->owner->idx, d->slice_start_ns, end, VGS_CHARGE_EXPIRED);
			if (x->tl)
				vgs_timeline_slice_end(x->tl, i, d->owner->idx, d->slice_start_ns, end, -1);
		}
	}
	if (x->tl)
		vgs_timeline_stop(x->tl);
	for (uint32_t i = 0; i < scn->ntenants; i++)
		vgs_metrics_units_dropped(x->metrics, i,
					  vgs_workload_dropped_units(x->tenants[i].wl) - x->tenants[i].dropped_at_warmup);
}

static void hist_json(struct vgs_json *j, const char *key, const struct vgs_hist *h)
{
	vgs_json_key(j, key);
	vgs_json_object_begin(j);
	vgs_json_kv_u64(j, "samples", h->count);
	vgs_json_kv_double(j, "mean_us", h->count ? vgs_hist_mean(h) / 1e3 : NAN);
	vgs_json_kv_double(j, "p50_us", h->count ? vgs_hist_quantile(h, 0.50) / 1e3 : NAN);
	vgs_json_kv_double(j, "p99_us", h->count ? vgs_hist_quantile(h, 0.99) / 1e3 : NAN);
	vgs_json_kv_double(j, "max_us", h->count ? (double)h->max / 1e3 : NAN);
	vgs_json_object_end(j);
}

static int write_executor_json(struct exec *x, const char *dir, bool partial, struct vgs_error *err)
{
	char *path = g_build_filename(dir, "executor.json", NULL);
	FILE *f = fopen(path, "w");
	struct vgs_json j;
	int rc;

	g_free(path);
	if (!f) {
		vgs_error_set(err, "cannot write executor.json in %s: %s", dir, strerror(errno));
		return -1;
	}
	vgs_json_init(&j, f);
	vgs_json_object_begin(&j);
	vgs_json_kv_string(&j, "backend", x->be->name);
	vgs_json_kv_bool(&j, "partial", partial);
	vgs_json_kv_u64(&j, "commands_total", x->completed);
	hist_json(&j, "dispatch_latency", &x->dispatch_lat);
	hist_json(&j, "timer_slack", &x->timer_slack);
	vgs_json_object_end(&j);
	rc = vgs_json_finish(&j);
	if (fclose(f) != 0 || rc) {
		vgs_error_set(err, "cannot write executor.json: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int ex_replay(const struct ex_replay_args *args, struct vgs_error *err)
{
	const struct vgs_scenario *scn = args->scn;
	struct exec x = { .scn = scn, .be = args->be };
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	char *tmp = NULL;
	bool be_up = false;
	int rc = -1;
	struct timespec w0, w1;

	clock_gettime(CLOCK_MONOTONIC, &w0);
	x.end_ns = scn->warmup_ns + scn->duration_ns;
	vgs_hist_init(&x.dispatch_lat, 1.01);
	vgs_hist_init(&x.timer_slack, 1.01);
	g_queue_init(&x.runq);
	if (check_supported(scn, args->be, err) || build(&x, err))
		goto out;
	if (x.be->init(&x, err))
		goto out;
	be_up = true;
	tmp = vgs_outdir_begin(args->outdir, err);
	if (!tmp)
		goto out;
	x.metrics = vgs_metrics_new(scn, tmp, err);
	if (!x.metrics)
		goto out;
	if (args->slices) {
		x.tl = vgs_timeline_open(scn, tmp, true, false, err);
		if (!x.tl)
			goto out;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);

	x.t0_mono_ns = 0;
	x.t0_mono_ns = ex_now(&x);
	ex_timer_add(&x, scn->warmup_ns, EV_WARMUP, NULL, 0);
	for (uint32_t i = 0; i < scn->ntenants; i++)
		ex_run_tenant(&x, &x.tenants[i]);
	for (uint32_t i = 0; i < scn->ndomains; i++)
		ex_run_domain(&x, &x.domains[i]);
	uint64_t stopped = ex_loop(&x);

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	bool partial = stopped < x.end_ns;

	if (x.error) {
		vgs_error_set(err, "%s backend: %s", x.be->name, x.err.msg[0] ? x.err.msg : "engine error");
		goto out;
	}
	close_open(&x, stopped);
	clock_gettime(CLOCK_MONOTONIC, &w1);

	struct vgs_run_info info = {
		.version = VGS_VERSION,
		.driver = x.be->name,
		.policy = x.domains[0].sched.ops->name,
		.end_ns = stopped,
		.wall_s = (w1.tv_sec - w0.tv_sec) + (w1.tv_nsec - w0.tv_nsec) * 1e-9,
		.commands_total = x.completed,
		.partial = partial,
	};
	if (vgs_timeline_close(x.tl, stopped, err)) {
		x.tl = NULL;
		goto out;
	}
	x.tl = NULL;
	vgs_metrics_finish(x.metrics, &info);
	if (vgs_metrics_write(x.metrics, tmp, err) || write_executor_json(&x, tmp, partial, err) ||
	    vgs_outdir_commit(tmp, args->outdir, err))
		goto out;
	g_free(tmp);
	tmp = NULL;
	if (args->result) {
		args->result->completed = x.completed;
		args->result->stopped_ns = stopped;
		args->result->slack_mean_ns = x.timer_slack.count ? vgs_hist_mean(&x.timer_slack) : 0;
		args->result->slack_p50_ns = x.timer_slack.count ? vgs_hist_quantile(&x.timer_slack, 0.5) : 0;
		args->result->dispatch_p50_ns = x.dispatch_lat.count ? vgs_hist_quantile(&x.dispatch_lat, 0.5) : 0;
	}
	if (!args->quiet) {
		vgs_metrics_print_table(x.metrics, stdout);
		printf("executor (%s): timer slack p50 %.1f us, p99 %.1f us; dispatch latency p50 %.1f us%s\n",
		       x.be->name, vgs_hist_quantile(&x.timer_slack, 0.5) / 1e3,
		       vgs_hist_quantile(&x.timer_slack, 0.99) / 1e3, vgs_hist_quantile(&x.dispatch_lat, 0.5) / 1e3,
		       partial ? " (interrupted: results marked partial)" : "");
	}
	rc = partial ? 130 : 0;
out:
	if (x.tl) {
		struct vgs_error ignored;

		vgs_timeline_close(x.tl, 0, &ignored);
	}
	if (x.metrics)
		vgs_metrics_free(x.metrics);
	if (tmp) {
		vgs_outdir_abort(tmp);
		g_free(tmp);
	}
	if (be_up)
		x.be->fini(&x);
	teardown(&x);
	return rc;
}
