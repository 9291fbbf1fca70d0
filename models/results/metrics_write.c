/*
 * Metrics output: summary.json, tenants.csv, engines.csv (units.csv was streamed during the run and
 * is closed here) and the end-of-run table.  Column and field meanings are in docs/metrics.md.
 *
 * Determinism: numbers are printed with fixed formats ("%.6f" in CSVs, "%.9g" in JSON, integers for
 * ns counts) with '.' as the decimal point whatever the locale, in scenario order.  Only the fields
 * named wall_* or *_per_wall_s in summary.json (and the table's last line) depend on the wall clock.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/base/json.h"
#include "models/results/metrics_internal.h"

#ifndef VGS_VERSION
#define VGS_VERSION "unknown"
#endif

/* A number that prints as zero has no sign: "-0.000000" -> "0.000000". */
static char *unsigned_zero(char *buf)
{
	const char *p;

	if (buf[0] == '-') {
		for (p = buf + 1; *p == '0' || *p == '.'; p++)
			;
		if (*p == '\0')
			memmove(buf, buf + 1, strlen(buf));
	}
	return buf;
}

char *vgs_metrics_fmt(char *buf, size_t size, const char *fmt, double v)
{
	if (!isfinite(v)) {
		buf[0] = '\0';
		return buf;
	}
	return unsigned_zero(vgs_fmt_double(buf, size, fmt, v));
}

static FILE *open_out(const char *dir, const char *name, char *path, size_t size, struct vgs_error *err)
{
	FILE *f;

	snprintf(path, size, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		vgs_error_set(err, "%s: cannot create: %s", path, strerror(errno));
	return f;
}

static int close_out(FILE *f, const char *path, int bad, struct vgs_error *err)
{
	int io = ferror(f);

	if (fclose(f) != 0 || io || bad) {
		if (!bad)
			vgs_error_set(err, "%s: write failed: %s", path, strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}

/* CSV number: vgs_metrics_fmt(.., "%.6f", v) -- empty for NaN, no "-0" -- without printf (a row per
 * tenant). */
static void csv_f(FILE *f, double v)
{
	char buf[64];

	fputc(',', f);
	if (isfinite(v))
		fputs(unsigned_zero(vgs_fmt_fixed(buf, sizeof(buf), 6, v)), f);
}

static void csv_u(FILE *f, uint64_t v)
{
	char buf[VGS_FMT_U64_SIZE];

	fputc(',', f);
	fputs(vgs_fmt_u64(buf, v), f);
}

static void csv_s(FILE *f, const char *s)
{
	char *q = vgs_metrics_csv_field(s);

	fputc(',', f);
	fputs(q ? q : "", f);
	free(q);
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static double ms_d(double ns)
{
	return ns / 1e6;
}

static double mib(double bytes)
{
	return bytes / 1048576.0;
}

static const char *gpu_name(const struct vgs_scenario *s, uint32_t g)
{
	return g < s->ngpus ? s->gpus[g].name : "";
}

/* ---- tenants.csv ---- */

static int write_tenants_csv(const struct vgs_metrics *m, const char *dir, struct vgs_error *err)
{
	const struct vgs_scenario *s = m->s;
	char path[4096];
	FILE *f = open_out(dir, "tenants.csv", path, sizeof(path), err);

	if (!f)
		return -1;
	fputs("tenant,group,gpu,weight,priority,unit,commands,queue_mean_ms,queue_p50_ms,queue_p95_ms,"
	      "queue_p99_ms,queue_max_ms,units,unit_rate_per_s,sla_rate_per_s,sla_rate_met,lat_mean_ms,"
	      "lat_p50_ms,lat_p95_ms,lat_p99_ms,lat_max_ms,sla_latency_ms,sla_latency_met,deadline_misses,"
	      "dropped_units", f);
	for (int c = 0; c < VGS_NCLASS; c++)
		fprintf(f, ",busy_%s_ms", vgs_class_name(c));
	fputs(",held_ms,share,share_target,share_error,switches,switch_ms,preemptions,resets,"
	      "reset_dropped_commands,backpressure_ms,energy_j", f);
	for (int r = 0; r < VGS_CHARGE_NREASONS; r++)
		fprintf(f, ",slices_%s", vgs_charge_reason_name((enum vgs_charge_reason)r));
	fputs(",vram_quota_mb,vram_peak_mb,vram_avg_mb,page_faults,invalid_faults,alloc_failures,evictions,"
	      "migrated_bytes,fault_stall_ms,fault_kills,isolation_violations", f);
	fputc('\n', f);

	for (uint32_t i = 0; i < s->ntenants; i++) {
		const struct vgs_tenant *st = &s->tenants[i];
		const struct vgs_metrics_tenant *t = &m->t[i];

		fputs(m->tenant_csv_name[i], f);
		csv_s(f, st->group);
		csv_s(f, gpu_name(s, st->gpu));
		csv_u(f, st->weight);
		fprintf(f, ",%" PRId32, st->priority);
		csv_s(f, t->unit_name);
		csv_u(f, t->commands);
		csv_f(f, ms_d(t->q_mean));
		csv_f(f, ms_d(t->q_p50));
		csv_f(f, ms_d(t->q_p95));
		csv_f(f, ms_d(t->q_p99));
		csv_f(f, ms_d(t->q_max));
		csv_u(f, t->units);
		csv_f(f, t->unit_rate);
		csv_f(f, t->sla_rate_set ? st->sla.fps : NAN);
		fputs(t->sla_rate_set ? (t->sla_rate_met ? ",1" : ",0") : ",", f);
		csv_f(f, ms_d(t->l_mean));
		csv_f(f, ms_d(t->l_p50));
		csv_f(f, ms_d(t->l_p95));
		csv_f(f, ms_d(t->l_p99));
		csv_f(f, ms_d(t->l_max));
		csv_f(f, t->sla_latency_set ? ms(st->sla.latency_ns) : NAN);
		fputs(t->sla_latency_set ? (t->sla_latency_met ? ",1" : ",0") : ",", f);
		csv_u(f, t->deadline_misses);
		csv_u(f, t->dropped_units);
		for (int c = 0; c < VGS_NCLASS; c++)
			csv_f(f, ms(t->busy_cls_ns[c]));
		csv_f(f, ms(t->held_ns));
		csv_f(f, t->share);
		csv_f(f, t->target);
		csv_f(f, t->share_error);
		csv_u(f, t->switches);
		csv_f(f, ms(t->switch_ns));
		csv_u(f, t->preemptions);
		csv_u(f, t->resets);
		csv_u(f, t->reset_dropped);
		csv_f(f, ms(t->backpressure_ns));
		csv_f(f, t->energy_j);
		for (int r = 0; r < VGS_CHARGE_NREASONS; r++)
			csv_u(f, t->slices[r]);
		csv_f(f, mib((double)st->vram_quota_bytes));
		csv_f(f, mib((double)t->vram_peak));
		csv_f(f, mib(t->vram_avg));
		csv_u(f, t->page_faults);
		csv_u(f, t->invalid_faults);
		csv_u(f, t->alloc_failures);
		csv_u(f, t->evictions);
		csv_u(f, t->migrated_bytes);
		csv_f(f, ms(t->fault_stall_ns));
		csv_u(f, t->fault_kills);
		csv_u(f, t->isolation_violations);
		fputc('\n', f);
	}
	return close_out(f, path, 0, err);
}

/* ---- engines.csv ---- */

static int write_engines_csv(const struct vgs_metrics *m, const char *dir, struct vgs_error *err)
{
	const struct vgs_scenario *s = m->s;
	char path[4096];
	FILE *f = open_out(dir, "engines.csv", path, sizeof(path), err);

	if (!f)
		return -1;
	fputs("engine,gpu,class,index,busy_ms,utilisation,channel_busy_ms,commands,preemptions,resets,"
	      "energy_j\n", f);
	for (uint32_t e = 0; e < s->nengines; e++) {
		const struct vgs_engine *se = &s->engines[e];
		const struct vgs_metrics_engine *en = &m->e[e];
		char *q = vgs_metrics_csv_field(se->name);

		fputs(q ? q : "", f);
		free(q);
		csv_s(f, gpu_name(s, se->gpu));
		csv_s(f, vgs_class_name(se->cls));
		csv_u(f, se->index);
		csv_f(f, ms(en->busy_ns));
		csv_f(f, en->utilisation);
		csv_f(f, ms(en->channel_ns));
		csv_u(f, en->commands);
		csv_u(f, en->preemptions);
		csv_u(f, en->resets);
		csv_f(f, en->energy_j);
		fputc('\n', f);
	}
	return close_out(f, path, 0, err);
}

/* ---- summary.json ---- */

static void json_quantiles(struct vgs_json *j, const char *key, const struct vgs_hist *h, double mean,
			   double p50, double p95, double p99, double max)
{
	vgs_json_key(j, key);
	vgs_json_object_begin(j);
	vgs_json_kv_u64(j, "count", h->count);
	vgs_json_kv_double(j, "mean", ms_d(mean));
	vgs_json_kv_double(j, "p50", ms_d(p50));
	vgs_json_kv_double(j, "p95", ms_d(p95));
	vgs_json_kv_double(j, "p99", ms_d(p99));
	vgs_json_kv_double(j, "max", ms_d(max));
	vgs_json_object_end(j);
}

static void json_slices(struct vgs_json *j, const uint64_t *slices)
{
	vgs_json_key(j, "slices");
	vgs_json_object_begin(j);
	for (int r = 0; r < VGS_CHARGE_NREASONS; r++)
		vgs_json_kv_u64(j, vgs_charge_reason_name((enum vgs_charge_reason)r), slices[r]);
	vgs_json_object_end(j);
}

static void json_tenant(struct vgs_json *j, const struct vgs_metrics *m, uint32_t i)
{
	const struct vgs_scenario *s = m->s;
	const struct vgs_tenant *st = &s->tenants[i];
	const struct vgs_metrics_tenant *t = &m->t[i];

	vgs_json_object_begin(j);
	vgs_json_kv_string(j, "name", st->name);
	vgs_json_kv_string(j, "group", st->group);
	vgs_json_kv_u64(j, "replica", st->replica);
	vgs_json_kv_string(j, "gpu", gpu_name(s, st->gpu));
	vgs_json_kv_u64(j, "weight", st->weight);
	vgs_json_kv_i64(j, "priority", st->priority);
	vgs_json_kv_string(j, "unit", t->unit_name);
	vgs_json_key(j, "busy_ns");
	vgs_json_object_begin(j);
	for (int c = 0; c < VGS_NCLASS; c++)
		vgs_json_kv_u64(j, vgs_class_name(c), t->busy_cls_ns[c]);
	vgs_json_object_end(j);
	vgs_json_kv_u64(j, "commands", t->commands);
	json_quantiles(j, "queue_delay_ms", &t->queue_ns, t->q_mean, t->q_p50, t->q_p95, t->q_p99, t->q_max);
	vgs_json_kv_u64(j, "units", t->units);
	vgs_json_kv_double(j, "unit_rate_per_s", t->unit_rate);
	if (t->gen_units) {
		/* frame generation (a trace's gen=): frames shown, the application's and the generated ones */
		vgs_json_kv_u64(j, "generated_units", t->gen_units);
		vgs_json_kv_double(j, "shown_rate_per_s", t->shown_rate);
	}
	if (t->sla_rate_set) {
		vgs_json_kv_double(j, "sla_rate_per_s", st->sla.fps);
		vgs_json_kv_bool(j, "sla_rate_met", t->sla_rate_met);
	} else {
		vgs_json_kv_null(j, "sla_rate_per_s");
		vgs_json_kv_null(j, "sla_rate_met");
	}
	json_quantiles(j, "unit_latency_ms", &t->latency_ns, t->l_mean, t->l_p50, t->l_p95, t->l_p99, t->l_max);
	if (t->sla_latency_set) {
		vgs_json_kv_double(j, "sla_latency_ms", ms(st->sla.latency_ns));
		vgs_json_kv_bool(j, "sla_latency_met", t->sla_latency_met);
	} else {
		vgs_json_kv_null(j, "sla_latency_ms");
		vgs_json_kv_null(j, "sla_latency_met");
	}
	vgs_json_kv_u64(j, "deadline_misses", t->deadline_misses);
	vgs_json_kv_u64(j, "dropped_units", t->dropped_units);
	vgs_json_kv_u64(j, "held_ns", t->held_ns);
	vgs_json_key(j, "held_ns_by_domain");
	vgs_json_object_begin(j);
	/* its GPU's domains, and those of the GPUs a live migration took it to (as held_ns counts them) */
	for (uint32_t k = m->ix.d_start[st->gpu]; st->gpu < s->ngpus && k < m->ix.d_start[st->gpu + 1]; k++)
		vgs_json_kv_u64(j, s->domains[m->ix.d_list[k]].name, m->held_t[m->ix.held_off[i] + (k - m->ix.d_start[st->gpu])]);
	if (m->ix.x_slot && m->ix.x_slot[i] != VGS_METRICS_NO_SLOT)
		for (uint32_t d = 0; d < s->ndomains; d++)
			if (s->domains[d].gpu != st->gpu && m->x_held[(size_t)m->ix.x_slot[i] * s->ndomains + d])
				vgs_json_kv_u64(j, s->domains[d].name, m->x_held[(size_t)m->ix.x_slot[i] * s->ndomains + d]);
	vgs_json_object_end(j);
	vgs_json_kv_double(j, "share", t->share);
	vgs_json_kv_double(j, "share_target", t->target);
	vgs_json_kv_double(j, "share_error", t->share_error);
	vgs_json_kv_u64(j, "switches", t->switches);
	vgs_json_kv_u64(j, "switch_ns", t->switch_ns);
	vgs_json_kv_u64(j, "preemptions", t->preemptions);
	vgs_json_kv_u64(j, "resets", t->resets);
	vgs_json_kv_u64(j, "reset_dropped_commands", t->reset_dropped);
	vgs_json_kv_u64(j, "backpressure_ns", t->backpressure_ns);
	vgs_json_kv_double(j, "energy_j", t->energy_j);
	json_slices(j, t->slices);
	vgs_json_kv_double(j, "vram_quota_mb", mib((double)st->vram_quota_bytes));
	vgs_json_kv_double(j, "vram_peak_mb", mib((double)t->vram_peak));
	vgs_json_kv_double(j, "vram_avg_mb", mib(t->vram_avg));
	vgs_json_kv_u64(j, "page_faults", t->page_faults);
	vgs_json_kv_u64(j, "invalid_faults", t->invalid_faults);
	vgs_json_kv_u64(j, "alloc_failures", t->alloc_failures);
	vgs_json_kv_u64(j, "evictions", t->evictions);
	vgs_json_kv_u64(j, "migrated_bytes", t->migrated_bytes);
	vgs_json_kv_u64(j, "fault_stall_ns", t->fault_stall_ns);
	vgs_json_kv_u64(j, "fault_kills", t->fault_kills);
	vgs_json_kv_u64(j, "isolation_violations", t->isolation_violations);
	vgs_json_object_end(j);
}

static void json_engine(struct vgs_json *j, const struct vgs_metrics *m, uint32_t e)
{
	const struct vgs_engine *se = &m->s->engines[e];
	const struct vgs_metrics_engine *en = &m->e[e];

	vgs_json_object_begin(j);
	vgs_json_kv_string(j, "name", se->name);
	vgs_json_kv_string(j, "gpu", gpu_name(m->s, se->gpu));
	vgs_json_kv_string(j, "class", vgs_class_name(se->cls));
	vgs_json_kv_u64(j, "index", se->index);
	vgs_json_kv_u64(j, "busy_ns", en->busy_ns);
	vgs_json_kv_double(j, "utilisation", en->utilisation);
	vgs_json_kv_u64(j, "channel_busy_ns", en->channel_ns);
	vgs_json_kv_u64(j, "commands", en->commands);
	vgs_json_kv_u64(j, "preemptions", en->preemptions);
	vgs_json_kv_u64(j, "resets", en->resets);
	vgs_json_kv_double(j, "energy_j", en->energy_j);
	vgs_json_object_end(j);
}

static void json_gpu(struct vgs_json *j, const struct vgs_metrics *m, uint32_t gi)
{
	const struct vgs_gpu *sg = &m->s->gpus[gi];
	const struct vgs_metrics_gpu *g = &m->g[gi];

	vgs_json_object_begin(j);
	vgs_json_kv_string(j, "name", sg->name);
	vgs_json_kv_string(j, "profile", sg->profile);
	vgs_json_kv_string(j, "model", sg->model);
	vgs_json_kv_u64(j, "engines", g->nengines);
	vgs_json_kv_u64(j, "domains", g->ndomains);
	vgs_json_kv_double(j, "utilisation", g->utilisation);
	vgs_json_key(j, "utilisation_by_class");
	vgs_json_object_begin(j);
	for (int c = 0; c < VGS_NCLASS; c++)
		vgs_json_kv_double(j, vgs_class_name(c), g->util_cls[c]);
	vgs_json_object_end(j);
	vgs_json_kv_u64(j, "switch_ns", g->switch_ns);
	vgs_json_kv_double(j, "switch_overhead_pct", g->switch_pct);
	vgs_json_kv_double(j, "energy_j", g->energy_j);
	vgs_json_kv_u64(j, "commands", g->commands);
	vgs_json_kv_double(j, "vram_mb", mib((double)sg->vram_bytes));
	vgs_json_kv_double(j, "overcommit", sg->overcommit);
	vgs_json_kv_double(j, "vram_used_mb", mib((double)m->gv[gi].used_bytes));
	vgs_json_kv_double(j, "vram_used_peak_mb", mib((double)m->gv[gi].used_peak_bytes));
	vgs_json_kv_double(j, "fragmentation", m->gv[gi].fragmentation);
	vgs_json_object_end(j);
}

static void json_domain(struct vgs_json *j, const struct vgs_metrics *m, uint32_t d)
{
	const struct vgs_domain *sd = &m->s->domains[d];
	const struct vgs_metrics_domain *dm = &m->d[d];

	vgs_json_object_begin(j);
	vgs_json_kv_string(j, "name", sd->name);
	vgs_json_kv_string(j, "gpu", gpu_name(m->s, sd->gpu));
	vgs_json_kv_u64(j, "held_ns", dm->held_ns);
	vgs_json_kv_u64(j, "switch_ns", dm->switch_ns);
	vgs_json_kv_i64(j, "idle_ns", dm->idle_ns);
	vgs_json_kv_u64(j, "switches", dm->switches);
	json_slices(j, dm->slices);
	vgs_json_object_end(j);
}

static double per_wall(double n, double wall_s)
{
	return wall_s > 0 ? n / wall_s : NAN;
}

static int write_summary(const struct vgs_metrics *m, const char *dir, struct vgs_error *err)
{
	const struct vgs_scenario *s = m->s;
	const struct vgs_run_info *in = &m->info;
	struct vgs_json j;
	char path[4096];
	FILE *f = open_out(dir, "summary.json", path, sizeof(path), err);
	int bad;

	if (!f)
		return -1;
	vgs_json_init(&j, f);
	vgs_json_object_begin(&j);
	vgs_json_kv_u64(&j, "format", 1);
	vgs_json_kv_string(&j, "version", in->version ? in->version : VGS_VERSION);
	vgs_json_kv_string(&j, "driver", in->driver);
	vgs_json_kv_string(&j, "policy", in->policy ? in->policy : s->policy);
	if (s->preset)
		vgs_json_kv_string(&j, "preset", s->preset); /* only with a preset: other runs' files stay as they were */
	vgs_json_kv_string(&j, "config_path", s->path);
	vgs_json_kv_string(&j, "scenario", s->name);
	vgs_json_kv_string(&j, "domain_mode", s->domain_mode);
	vgs_json_kv_u64(&j, "seed", s->seed);
	vgs_json_kv_double(&j, "duration_s", m->duration_s);
	vgs_json_kv_double(&j, "warmup_s", m->warmup_s);
	vgs_json_kv_double(&j, "end_s", (double)in->end_ns / 1e9);
	vgs_json_kv_bool(&j, "partial", in->partial);
	vgs_json_kv_double(&j, "wall_s", in->wall_s);
	vgs_json_kv_u64(&j, "commands", m->commands);
	vgs_json_kv_double(&j, "quantile_rel_error", (VGS_HIST_GAMMA - 1.0) / (VGS_HIST_GAMMA + 1.0));

	vgs_json_key(&j, "global");
	vgs_json_object_begin(&j);
	vgs_json_kv_double(&j, "jain_index", m->jain);
	vgs_json_kv_double(&j, "utilisation", m->utilisation);
	vgs_json_kv_u64(&j, "switch_ns", m->switch_ns);
	vgs_json_kv_double(&j, "switch_overhead_pct", m->switch_pct);
	vgs_json_kv_double(&j, "energy_j", m->energy_j);
	vgs_json_kv_double(&j, "energy_unattributed_j", m->energy_unattributed_j);
	vgs_json_kv_u64(&j, "commands", m->commands);
	vgs_json_kv_u64(&j, "units", m->units);
	vgs_json_kv_u64(&j, "deadline_misses", m->deadline_misses);
	vgs_json_kv_u64(&j, "isolation_violations", m->isolation_violations);
	vgs_json_kv_double(&j, "commands_per_sim_s", m->duration_s > 0 ? m->commands / m->duration_s : NAN);
	vgs_json_kv_u64(&j, "activities", in->activities);
	vgs_json_kv_u64(&j, "commands_total", in->commands_total);
	vgs_json_kv_double(&j, "activities_per_command",
			   in->commands_total ? (double)in->activities / in->commands_total : NAN);
	vgs_json_kv_bool(&j, "coalesce", in->coalesce);
	vgs_json_kv_u64(&j, "execs_without_activity", in->execs_without_activity);
	if (in->shards) {
		vgs_json_kv_u64(&j, "shards", in->shards);
		if (in->shards_why)
			vgs_json_kv_string(&j, "shards_why", in->shards_why);
		else
			vgs_json_kv_null(&j, "shards_why");
	}
	if (in->import_cache)
		vgs_json_kv_string(&j, "import_cache", in->import_cache);
	vgs_json_kv_double(&j, "wall_s", in->wall_s);
	vgs_json_kv_double(&j, "wall_loop_s", in->wall_loop_s);
	vgs_json_kv_double(&j, "wall_finish_s", in->wall_finish_s);
	vgs_json_kv_double(&j, "wall_command_s", in->wall_command_s);
	vgs_json_kv_double(&j, "commands_per_wall_s", per_wall((double)m->commands, in->wall_s));
	vgs_json_kv_double(&j, "activities_per_wall_s", per_wall((double)in->activities, in->wall_s));
	vgs_json_object_end(&j);

	vgs_json_key(&j, "tenants");
	vgs_json_array_begin(&j);
	for (uint32_t i = 0; i < s->ntenants; i++)
		json_tenant(&j, m, i);
	vgs_json_array_end(&j);
	vgs_json_key(&j, "gpus");
	vgs_json_array_begin(&j);
	for (uint32_t g = 0; g < s->ngpus; g++)
		json_gpu(&j, m, g);
	vgs_json_array_end(&j);
	vgs_json_key(&j, "engines");
	vgs_json_array_begin(&j);
	for (uint32_t e = 0; e < s->nengines; e++)
		json_engine(&j, m, e);
	vgs_json_array_end(&j);
	vgs_json_key(&j, "domains");
	vgs_json_array_begin(&j);
	for (uint32_t d = 0; d < s->ndomains; d++)
		json_domain(&j, m, d);
	vgs_json_array_end(&j);

	vgs_json_kv_string(&j, "config", s->echo ? s->echo : "");
	vgs_json_object_end(&j);
	bad = vgs_json_finish(&j) < 0 && !ferror(f);
	if (bad)
		vgs_error_set(err, "%s: internal error: malformed JSON", path);
	return close_out(f, path, bad, err);
}

int vgs_metrics_write(struct vgs_metrics *m, const char *dir, struct vgs_error *err)
{
	if (!m->finished)
		vgs_metrics_finish(m, NULL);
	vgs_metrics_units_flush(m);
	if (m->units_csv) {
		int io = fflush(m->units_csv) != 0 || ferror(m->units_csv);
		if (fclose(m->units_csv) != 0)
			io = 1;
		m->units_csv = NULL;
		if (io)
			m->units_io_error = true;
	}
	if (m->units_io_error) {
		vgs_error_set(err, "%s: write failed", m->units_path);
		return -1;
	}
	if (write_summary(m, dir, err) < 0 || write_tenants_csv(m, dir, err) < 0 ||
	    write_engines_csv(m, dir, err) < 0)
		return -1;
	return 0;
}

/* ---- the end-of-run table ---- */

static const char *rate_unit(const char *unit)
{
	if (!unit)
		return "unit/s";
	if (strcmp(unit, "frame") == 0)
		return "fps";
	if (strcmp(unit, "request") == 0)
		return "req/s";
	if (strcmp(unit, "iteration") == 0)
		return "it/s";
	return "unit/s";
}

/* "%.Nf" or "-" for NaN, locale-independent. */
static const char *tf(char *buf, size_t size, const char *fmt, double v)
{
	if (!isfinite(v))
		return "-";
	return vgs_metrics_fmt(buf, size, fmt, v);
}

/* Only when something happened to memory: faults, evictions, refused allocations or violations. */
static void print_vram(const struct vgs_metrics *m, FILE *out)
{
	const struct vgs_scenario *s = m->s;
	char a[64], b[64], c[64], d[64];
	bool any = m->isolation_violations > 0;

	for (uint32_t i = 0; i < s->ntenants; i++)
		any |= m->t[i].page_faults || m->t[i].evictions || m->t[i].alloc_failures;
	if (!any)
		return;
	fprintf(out, "%-20s %12s %12s %10s %10s %12s %12s %10s\n", "vram", "peak(MB)", "quota(MB)", "faults",
		"invalid", "evictions", "migrated(MB)", "stall(ms)");
	for (uint32_t i = 0; i < s->ntenants; i++) {
		const struct vgs_metrics_tenant *t = &m->t[i];

		fprintf(out, "%-20s %12s %12s %10" PRIu64 " %10" PRIu64 " %12" PRIu64 " %12s %10s\n",
			s->tenants[i].name, tf(a, sizeof(a), "%.1f", mib((double)t->vram_peak)),
			tf(b, sizeof(b), "%.1f", mib((double)s->tenants[i].vram_quota_bytes)), t->page_faults,
			t->invalid_faults, t->evictions, tf(c, sizeof(c), "%.1f", mib((double)t->migrated_bytes)),
			tf(d, sizeof(d), "%.3f", ms(t->fault_stall_ns)));
	}
	fprintf(out, "isolation violations: %" PRIu64 "\n\n", m->isolation_violations);
}

void vgs_metrics_print_table(const struct vgs_metrics *m, FILE *out)
{
	const struct vgs_scenario *s = m->s;
	/* A replay measures real engines: its times are not simulated and it has no energy model. */
	bool simulated = !m->info.driver || !strcmp(m->info.driver, "simgrid");
	char a[64], b[64], c[64], d[64], rate[96];
	bool missed_any = false;

	fprintf(out, "%-20s %-10s %-22s %12s %14s %17s %8s\n", "tenant", "gpu", "rate/SLA",
		"p50 lat(ms)", "p99 lat/SLA", "share/target(%)", "misses");
	for (uint32_t i = 0; i < s->ntenants; i++) {
		const struct vgs_tenant *st = &s->tenants[i];
		const struct vgs_metrics_tenant *t = &m->t[i];
		bool rate_missed = t->sla_rate_set && !t->sla_rate_met;
		bool lat_missed = t->sla_latency_set && !t->sla_latency_met;
		char lat[64];

		if (t->sla_rate_set)
			snprintf(rate, sizeof(rate), "%s/%s %s%s", tf(a, sizeof(a), "%.1f", t->unit_rate),
				 tf(b, sizeof(b), "%.6g", st->sla.fps), rate_unit(t->unit_name),
				 rate_missed ? " !" : "");
		else
			snprintf(rate, sizeof(rate), "%s %s", tf(a, sizeof(a), "%.1f", t->unit_rate),
				 rate_unit(t->unit_name));
		if (t->sla_latency_set)
			snprintf(lat, sizeof(lat), "%s/%s%s", tf(a, sizeof(a), "%.3f", ms_d(t->l_p99)),
				 tf(b, sizeof(b), "%.6g", ms(st->sla.latency_ns)), lat_missed ? " !" : "");
		else
			tf(lat, sizeof(lat), "%.3f", ms_d(t->l_p99));
		snprintf(c, sizeof(c), "%s/", tf(a, sizeof(a), "%.1f", 100.0 * t->share));
		strncat(c, tf(b, sizeof(b), "%.1f", 100.0 * t->target), sizeof(c) - strlen(c) - 1);
		snprintf(d, sizeof(d), "%" PRIu64 "%s", t->deadline_misses, t->deadline_misses ? " !" : "");
		fprintf(out, "%-20s %-10s %-22s %12s %14s %17s %8s\n", st->name, gpu_name(s, st->gpu), rate,
			tf(a, sizeof(a), "%.3f", ms_d(t->l_p50)), strcmp(lat, "-") ? lat : "-", c, d);
		missed_any |= rate_missed || lat_missed || t->deadline_misses;
	}
	if (missed_any)
		fputs("! a missed SLA term: unit rate below 99 % of its SLA, p99 latency above its SLA, or units "
		      "past their deadline\n", out);
	fputc('\n', out);
	fprintf(out, "%-20s %-44s %20s %12s\n", "gpu", "utilisation by engine class (%)", "switch overhead(%)",
		"energy(J)");
	for (uint32_t g = 0; g < s->ngpus; g++) {
		char util[128] = "";

		/* Per class: a GPU-wide mean would hide a saturated graphics engine behind idle decoders. */
		for (int cl = 0; cl < VGS_NCLASS; cl++) {
			if (isnan(m->g[g].util_cls[cl]))
				continue;
			snprintf(util + strlen(util), sizeof(util) - strlen(util), "%s%s %.1f", util[0] ? "  " : "",
				 vgs_class_name(cl), 100.0 * m->g[g].util_cls[cl]);
		}
		fprintf(out, "%-20s %-44s %20s %12s\n", s->gpus[g].name, util,
			tf(b, sizeof(b), "%.2f", m->g[g].switch_pct),
			simulated ? tf(c, sizeof(c), "%.1f", m->g[g].energy_j) : "-");
	}
	fputc('\n', out);
	print_vram(m, out);
	fprintf(out, "Jain's fairness index (share/weight): %s\n", tf(a, sizeof(a), "%.4f", m->jain));
	/* duration_s is the window the run covered: shorter than configured when it was interrupted. */
	if (simulated) {
		fprintf(out, "commands: %" PRIu64 " in %s s simulated (%s commands/s simulated)%s\n", m->commands,
			tf(b, sizeof(b), "%.3f", m->duration_s),
			tf(c, sizeof(c), "%.1f", m->duration_s > 0 ? m->commands / m->duration_s : NAN),
			m->info.partial ? ", partial: interrupted" : "");
		fprintf(out, "wall: %s s, %s simulated commands per wall-clock second\n",
			tf(a, sizeof(a), "%.3f", m->info.wall_s),
			tf(d, sizeof(d), "%.0f", per_wall((double)m->commands, m->info.wall_s)));
	} else {
		fprintf(out, "commands: %" PRIu64 " in %s s measured on the %s backend (%s commands/s)%s\n",
			m->commands, tf(b, sizeof(b), "%.3f", m->duration_s), m->info.driver,
			tf(c, sizeof(c), "%.1f", m->duration_s > 0 ? m->commands / m->duration_s : NAN),
			m->info.partial ? ", partial: interrupted" : "");
	}
}
