/*
 * One replay: build the executor's engines, domains (each with its own instance of the scenario's
 * policy, from the same libvgspolicies.a as the simulator) and tenants, run the real-time loop until
 * warm-up + duration (or Ctrl-C), and write the results directory atomically in the simulator's
 * format (models/results/metrics.h), with summary.json "driver" = the backend and "partial" = true when the
 * replay was interrupted.  The executor's own measurements go to executor.json next to it.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "hw-trace/cache.h"
#include "hw-trace/exec/exec.h"
#include "models/base/interrupt.h"
#include "models/base/json.h"
#include "models/results/outdir.h"
#include "models/scenario/policy_load.h"

#ifndef VGS_VERSION
#define VGS_VERSION "unknown"
#endif

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

static uint64_t ops_now(struct drv *d)
{
	return ex_now(exec_of(d));
}

static const struct drv_ops ex_ops = {
	.chan_size = sizeof(struct ex_chan),
	.now = ops_now,
	.chan_start = ex_chan_start,
	.chan_preempt = ex_chan_preempt,
	.timer = ex_chan_timer,
	.chan_retime = ex_chan_retime,
};

static void teardown(struct exec *x)
{
	drv_free(&x->drv);
	vgs_hist_fini(&x->dispatch_lat);
	vgs_hist_fini(&x->timer_slack);
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
	vgs_json_kv_u64(&j, "commands_total", x->drv.completed);
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
	struct exec x = { .be = args->be };
	struct vgs_interrupt sigs;
	struct vgs_outdir out = { 0 };
	bool be_up = false, caught = false;
	int rc = -1;
	struct timespec w0, w1;

	clock_gettime(CLOCK_MONOTONIC, &w0);
	vgs_hist_init(&x.dispatch_lat, 1.01);
	vgs_hist_init(&x.timer_slack, 1.01);
	if (check_supported(scn, args->be, err) || drv_build(&x.drv, scn, &ex_ops, err))
		goto out;
	if (x.be->init(&x, err))
		goto out;
	be_up = true;
	vgs_interrupt_catch(&sigs);
	caught = true;
	if (vgs_outdir_begin(&out, args->outdir, VGS_OUTDIR_RUN, err))
		goto out;
	x.drv.metrics = vgs_metrics_new(scn, out.tmp, err);
	if (!x.drv.metrics)
		goto out;
	if (args->slices) {
		x.drv.tl = vgs_timeline_open(scn, out.tmp, true, false, err);
		if (!x.drv.tl)
			goto out;
	}

	x.t0_mono_ns = 0;
	x.t0_mono_ns = ex_now(&x);
	uint64_t stopped = ex_loop(&x);
	bool partial = stopped < x.drv.end_ns;

	if (x.error) {
		vgs_error_set(err, "%s backend: %s", x.be->name, x.err.msg[0] ? x.err.msg : "engine error");
		goto out;
	}
	drv_close(&x.drv, stopped);
	clock_gettime(CLOCK_MONOTONIC, &w1);

	struct vgs_run_info info = {
		.version = VGS_VERSION,
		.driver = x.be->name,
		.policy = x.drv.domains[0].sched.ops->name,
		.end_ns = stopped,
		.wall_s = (w1.tv_sec - w0.tv_sec) + (w1.tv_nsec - w0.tv_nsec) * 1e-9,
		.commands_total = x.drv.completed,
		.partial = partial,
		.import_cache = vgs_import_cache_outcome(),
	};
	if (vgs_timeline_close(x.drv.tl, stopped, err)) {
		x.drv.tl = NULL;
		goto out;
	}
	x.drv.tl = NULL;
	if (partial && stopped <= scn->warmup_ns) {
		/* Nothing measured yet: nothing to write. */
		fprintf(stderr, "vgpusim: %s: the replay stopped at %.3f s, before the measured window (warm-up "
			"%.3f s): nothing written\n", vgs_interrupt_name(), stopped * 1e-9, scn->warmup_ns * 1e-9);
		rc = vgs_interrupt_status();
		goto out;
	}
	vgs_metrics_finish(x.drv.metrics, &info);
	if (vgs_metrics_write(x.drv.metrics, out.tmp, err) || write_executor_json(&x, out.tmp, partial, err) ||
	    vgs_outdir_commit(&out, err))
		goto out;
	if (args->result) {
		args->result->completed = x.drv.completed;
		args->result->stopped_ns = stopped;
		args->result->slack_mean_ns = x.timer_slack.count ? vgs_hist_mean(&x.timer_slack) : 0;
		args->result->slack_p50_ns = x.timer_slack.count ? vgs_hist_quantile(&x.timer_slack, 0.5) : 0;
		args->result->dispatch_p50_ns = x.dispatch_lat.count ? vgs_hist_quantile(&x.dispatch_lat, 0.5) : 0;
	}
	if (!args->quiet) {
		vgs_metrics_print_table(x.drv.metrics, stdout);
		printf("executor (%s): timer slack p50 %.1f us, p99 %.1f us; dispatch latency p50 %.1f us%s\n",
		       x.be->name, vgs_hist_quantile(&x.timer_slack, 0.5) / 1e3,
		       vgs_hist_quantile(&x.timer_slack, 0.99) / 1e3, vgs_hist_quantile(&x.dispatch_lat, 0.5) / 1e3,
		       partial ? " (interrupted: results marked partial)" : "");
	}
	if (partial)
		fprintf(stderr, "vgpusim: %s: the replay stopped at %.3f s of %.3f s; results in %s/ are marked "
			"partial\n", vgs_interrupt_name(), stopped * 1e-9, x.drv.end_ns * 1e-9, out.path);
	rc = vgs_interrupt_status();
out:
	if (x.drv.tl) {
		struct vgs_error ignored;

		vgs_timeline_close(x.drv.tl, 0, &ignored);
	}
	if (x.drv.metrics)
		vgs_metrics_free(x.drv.metrics);
	vgs_outdir_fini(&out);
	if (caught)
		vgs_interrupt_release(&sigs);
	if (be_up)
		x.be->fini(&x);
	teardown(&x);
	return rc;
}
