/*
 * A pool run's results directory (docs/pools.md, "Outputs"): summary.json (the pool's numbers, defined
 * in docs/pools.md "Metrics"), requests.csv (one row per request), metering.csv (models/results/
 * metering.h), gpus.csv, timeseries.csv (fragmentation, allocation and load over time) and
 * migrations.csv; and the end-of-run table.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "models/base/json.h"
#include "models/pool/pool_priv.h"
#include "models/results/metering.h"

struct totals {
	double util, alloc, stranded_fb, stranded_sl, energy, unattributed, busy[VGS_NCLASS];
	double sla, charge, bill, energy_rows;
	uint32_t nsamples;
	uint64_t running, migs_done;
	double down_sum, down_max, pre_sum;
};

static double window_s(const struct vgs_pool *p)
{
	return p->w1 > p->w0 ? (double)(p->w1 - p->w0) * 1e-9 : 0;
}

static FILE *open_csv(const char *dir, const char *name, struct vgs_error *err)
{
	char *path = g_build_filename(dir, name, NULL);
	FILE *f = fopen(path, "w");

	if (!f)
		vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
	g_free(path);
	return f;
}

static int close_csv(FILE *f, const char *dir, const char *name, struct vgs_error *err)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad) {
		vgs_error_set(err, "cannot write %s/%s", dir, name);
		return -1;
	}
	return 0;
}

static void put(FILE *f, const char *fmt, double v)
{
	char buf[64];

	fputc(',', f);
	if (!isnan(v))
		fputs(vgs_fmt_double(buf, sizeof(buf), fmt, v), f);
}

/* The metering rows: every request that ran, priced by the sheet (or the default one). */
static struct vgs_meter_row *meter_rows(const struct vgs_pool *p, const struct vgs_metering_cfg *mc, size_t *n)
{
	struct vgs_meter_row *rows = g_new0(struct vgs_meter_row, p->nt + 1);
	size_t k = 0;

	for (size_t i = 0; i < p->nt; i++) {
		const struct ptenant *t = p->t[i];
		const struct vgs_req_class *c = &p->cfg->classes[t->cls];
		const struct vgs_gpu *g;
		struct vgs_meter_row *r;
		uint64_t a, b;

		if (t->placed_ns == VGS_NO_TIME)
			continue;
		g = &p->s->gpus[p->g[t->gpu].idx];
		r = &rows[k++];
		a = t->placed_ns > p->w0 ? t->placed_ns : p->w0;
		b = t->end_ns < p->w1 ? t->end_ns : p->w1;
		r->tenant = g_strdup(t->name);
		r->cls = g_strdup(c->name);
		r->gpu = g_strdup(g->name);
		r->profile = vgs_vgpu_profile_name(g->profile, t->fb_bytes, t->mig >= 0 ? p->cfg->mig[t->mig].name : NULL);
		r->start_s = a * 1e-9;
		r->end_s = (b > a ? b : a) * 1e-9;
		memcpy(r->gpu_s, t->busy_s, sizeof(r->gpu_s));
		r->fb_gb_h = (double)t->fb_bytes / 1073741824.0 * (r->end_s - r->start_s) / 3600.0;
		r->energy_j = t->energy_j;
		r->sla_attainment = t->sla_s > 0 ? t->sla_met_s / t->sla_s : NAN;
		r->frac = t->mig >= 0 ? (double)p->cfg->mig[t->mig].cslices / (g->mig ? g->mig->cslices : 7)
				      : (double)t->fb_bytes / (double)g->vram_bytes;
		vgs_meter_bill(r, mc, c->price_per_h);
	}
	*n = k;
	return rows;
}

static void totals(const struct vgs_pool *p, const struct vgs_meter_row *rows, size_t nrows, struct totals *T)
{
	double w = window_s(p), att;

	memset(T, 0, sizeof(*T));
	for (uint32_t i = 0; i < p->ngpus; i++) {
		const struct pgpu *g = &p->g[i];

		T->util += w > 0 ? g->load_s / w / p->ngpus : 0;
		T->alloc += w > 0 ? g->alloc_s / w / p->ngpus : 0;
		T->energy += g->energy_j;
		T->unattributed += g->unattributed_j;
		for (int c = 0; c < VGS_NCLASS; c++)
			T->busy[c] += g->busy_s[c];
		T->running += g->tenants->len;
	}
	for (guint i = 0; i < p->samples->len; i++) {
		const struct psample *s = &g_array_index(p->samples, struct psample, i);

		if (s->t_s * 1e9 < (double)p->w0 || s->t_s * 1e9 > (double)p->w1)
			continue;
		T->stranded_fb += s->stranded_fb_gb;
		T->stranded_sl += s->stranded_slices;
		T->nsamples++;
	}
	if (T->nsamples) {
		T->stranded_fb /= T->nsamples;
		T->stranded_sl /= T->nsamples;
	}
	vgs_meter_totals(rows, nrows, &T->charge, &T->bill, &T->energy_rows, &att);
	T->sla = att;
	for (guint i = 0; i < p->migs->len; i++) {
		const struct pmig *m = p->migs->pdata[i];
		double d = (double)(m->resume_ns - m->suspend_ns) * 1e-6; /* ms */

		if (!m->resume_ns)
			continue;
		T->migs_done++;
		T->down_sum += d;
		T->down_max = d > T->down_max ? d : T->down_max;
		T->pre_sum += (double)(m->suspend_ns - m->start_ns) * 1e-9;
	}
}

static void json_hist(struct vgs_json *j, const char *key, const struct vgs_hist *h, double scale)
{
	vgs_json_key(j, key);
	vgs_json_object_begin(j);
	vgs_json_kv_u64(j, "count", h->count);
	vgs_json_kv_double(j, "mean", h->count ? vgs_hist_mean(h) * scale : NAN);
	vgs_json_kv_double(j, "p50", vgs_hist_quantile(h, 0.5) * scale);
	vgs_json_kv_double(j, "p95", vgs_hist_quantile(h, 0.95) * scale);
	vgs_json_kv_double(j, "p99", vgs_hist_quantile(h, 0.99) * scale);
	vgs_json_kv_double(j, "max", h->count ? (double)h->max * scale : NAN);
	vgs_json_object_end(j);
}

static int write_summary(const struct vgs_pool *p, const char *dir, const struct vgs_pool_info *info,
			 const struct totals *T, const char *currency, struct vgs_error *err)
{
	FILE *f = open_csv(dir, "summary.json", err);
	struct vgs_json j;
	uint64_t distinct, lookups;

	if (!f)
		return -1;
	vgs_pool_mix_counts(p, &distinct, &lookups);
	vgs_json_init(&j, f);
	vgs_json_object_begin(&j);
	vgs_json_kv_string(&j, "version", info->version);
	vgs_json_kv_string(&j, "scenario", p->s->name);
	vgs_json_kv_string(&j, "config_path", p->s->path);
	vgs_json_kv_u64(&j, "seed", p->s->seed);
	vgs_json_kv_string(&j, "level", info->level);
	vgs_json_kv_string(&j, "placement", info->placement);
	vgs_json_kv_string(&j, "policy", p->s->policy);
	vgs_json_kv_double(&j, "duration_s", window_s(p));
	vgs_json_kv_double(&j, "warmup_s", p->w0 * 1e-9);
	vgs_json_kv_bool(&j, "partial", info->partial);
	vgs_json_key(&j, "pool");
	vgs_json_object_begin(&j);
	vgs_json_kv_u64(&j, "gpus", p->ngpus);
	vgs_json_kv_u64(&j, "hosts", p->nhosts);
	vgs_json_kv_u64(&j, "arrived", p->arrived);
	vgs_json_kv_u64(&j, "placed", p->placed);
	vgs_json_kv_u64(&j, "completed", p->completed);
	vgs_json_kv_u64(&j, "running_at_end", T->running);
	vgs_json_kv_u64(&j, "queued_at_end", p->queue.length);
	json_hist(&j, "queue_delay_s", &p->qdelay, 1e-9);
	vgs_json_kv_double(&j, "utilisation", T->util);
	vgs_json_kv_double(&j, "allocation", T->alloc);
	vgs_json_kv_double(&j, "stranded_fb_gb", T->stranded_fb);
	vgs_json_kv_double(&j, "stranded_slices", T->stranded_sl);
	vgs_json_kv_double(&j, "sla_attainment", T->sla);
	vgs_json_kv_double(&j, "energy_j", T->energy);
	vgs_json_kv_double(&j, "energy_unattributed_j", T->unattributed);
	vgs_json_key(&j, "busy_s");
	vgs_json_object_begin(&j);
	for (int c = 0; c < VGS_NCLASS; c++)
		vgs_json_kv_double(&j, vgs_class_name(c), T->busy[c]);
	vgs_json_object_end(&j);
	vgs_json_kv_double(&j, "charge", T->charge);
	vgs_json_kv_double(&j, "bill", T->bill);
	vgs_json_kv_string(&j, "currency", currency);
	vgs_json_kv_u64(&j, "migrations", p->migs->len);
	vgs_json_kv_u64(&j, "migrations_done", T->migs_done);
	vgs_json_kv_double(&j, "downtime_ms_mean", T->migs_done ? T->down_sum / T->migs_done : NAN);
	vgs_json_kv_double(&j, "downtime_ms_max", T->migs_done ? T->down_max : NAN);
	vgs_json_kv_double(&j, "precopy_s_mean", T->migs_done ? T->pre_sum / T->migs_done : NAN);
	vgs_json_object_end(&j);
	vgs_json_key(&j, "two_level");
	vgs_json_object_begin(&j);
	vgs_json_kv_u64(&j, "mixes", distinct);
	vgs_json_kv_u64(&j, "mix_lookups", lookups);
	vgs_json_kv_u64(&j, "mix_runs", info->mixes_run);
	vgs_json_kv_u64(&j, "mixes_cached", info->mixes_cached);
	vgs_json_kv_u64(&j, "passes", info->passes);
	vgs_json_kv_string(&j, "cache_key", "sha256(mix scenario text + \"" VGS_MIX_FORMAT "\")");
	vgs_json_object_end(&j);
	vgs_json_kv_double(&j, "wall_s", info->wall_s);
	vgs_json_kv_double(&j, "peak_rss_mb", info->peak_rss_kb / 1024.0);
	vgs_json_kv_string(&j, "config", p->s->echo ? p->s->echo : "");
	vgs_json_object_end(&j);
	if (vgs_json_finish(&j) < 0) {
		fclose(f);
		vgs_error_set(err, "cannot write %s/summary.json", dir);
		return -1;
	}
	fputc('\n', f);
	return close_csv(f, dir, "summary.json", err);
}

static const char *state_name(enum ptenant_state s)
{
	static const char *const n[] = { "future", "queued", "running", "done" };

	return n[s];
}

static int write_requests(const struct vgs_pool *p, const char *dir, struct vgs_error *err)
{
	FILE *f = open_csv(dir, "requests.csv", err);

	if (!f)
		return -1;
	fputs("id,request,class,arrival_s,placed_s,queue_s,gpu,host,end_s,state,units_done,units_window,units,"
	      "duration_s,migrations,downtime_ms,lat_p50_ms,lat_p99_ms,sla_attainment\n", f);
	for (size_t i = 0; i < p->nt && p->t[i]->arrival_ns < p->w1; i++) {
		const struct ptenant *t = p->t[i];
		bool placed = t->placed_ns != VGS_NO_TIME;
		double up = t->run_s - t->downtime_s;

		fprintf(f, "%" G_GUINT64_FORMAT ",%s,%s", t->id, t->name, p->cfg->classes[t->cls].name);
		put(f, "%.6f", t->arrival_ns * 1e-9);
		put(f, "%.6f", placed ? t->placed_ns * 1e-9 : NAN);
		put(f, "%.6f", placed ? (t->placed_ns - t->arrival_ns) * 1e-9 : NAN);
		fprintf(f, ",%s", t->gpu >= 0 ? p->s->gpus[p->g[t->gpu].idx].name : "");
		if (t->gpu >= 0)
			fprintf(f, ",%u", p->g[t->gpu].host);
		else
			fputc(',', f);
		put(f, "%.6f", t->end_ns != VGS_NO_TIME ? t->end_ns * 1e-9 : NAN);
		fprintf(f, ",%s", state_name(t->state));
		put(f, "%.3f", t->units_done);
		put(f, "%.3f", t->units_w);
		fprintf(f, ",%" G_GUINT64_FORMAT, t->units);
		put(f, "%.6f", t->duration_ns != VGS_NO_TIME ? t->duration_ns * 1e-9 : NAN);
		fprintf(f, ",%u", t->migrations);
		put(f, "%.3f", t->downtime_s * 1e3);
		put(f, "%.6f", up > 0 ? t->lat_p50_s / up : NAN);
		put(f, "%.6f", up > 0 ? t->lat_p99_s / up : NAN);
		put(f, "%.6f", t->sla_s > 0 ? t->sla_met_s / t->sla_s : NAN);
		fputc('\n', f);
	}
	return close_csv(f, dir, "requests.csv", err);
}

static int write_gpus(const struct vgs_pool *p, const char *dir, struct vgs_error *err)
{
	FILE *f = open_csv(dir, "gpus.csv", err);
	double w = window_s(p);

	if (!f)
		return -1;
	fputs("gpu,host,mode", f);
	for (int c = 0; c < VGS_NCLASS; c++)
		fprintf(f, ",busy_s_%s", vgs_class_name(c));
	fputs(",energy_j,energy_unattributed_j,utilisation,allocation,mean_tenants\n", f);
	for (uint32_t i = 0; i < p->ngpus; i++) {
		const struct pgpu *g = &p->g[i];

		fprintf(f, "%s,%u,%s", p->s->gpus[g->idx].name, g->host, p->vg[i].mig ? "mig" : "timeslice");
		for (int c = 0; c < VGS_NCLASS; c++)
			put(f, "%.9f", g->busy_s[c]);
		put(f, "%.6f", g->energy_j);
		put(f, "%.6f", g->unattributed_j);
		put(f, "%.6f", w > 0 ? g->load_s / w : NAN);
		put(f, "%.6f", w > 0 ? g->alloc_s / w : NAN);
		put(f, "%.6f", w > 0 ? g->tenants_s / w : NAN);
		fputc('\n', f);
	}
	return close_csv(f, dir, "gpus.csv", err);
}

static int write_series(const struct vgs_pool *p, const char *dir, struct vgs_error *err)
{
	FILE *f = open_csv(dir, "timeseries.csv", err);

	if (!f)
		return -1;
	fputs("t_s,queued,running,alloc_fb,alloc_slices,stranded_fb_gb,stranded_slices,load,power_w\n", f);
	for (guint i = 0; i < p->samples->len; i++) {
		const struct psample *s = &g_array_index(p->samples, struct psample, i);

		if (s->t_s * 1e9 > (double)p->w1)
			break;
		fprintf(f, "%.3f,%u,%u", s->t_s, s->queued, s->running);
		put(f, "%.6f", s->alloc_fb);
		put(f, "%.6f", s->alloc_slices);
		put(f, "%.6f", s->stranded_fb_gb);
		put(f, "%.6f", s->stranded_slices);
		put(f, "%.6f", s->load);
		put(f, "%.3f", s->power_w);
		fputc('\n', f);
	}
	return close_csv(f, dir, "timeseries.csv", err);
}

static int write_migs(const struct vgs_pool *p, const char *dir, struct vgs_error *err)
{
	FILE *f = open_csv(dir, "migrations.csv", err);

	if (!f)
		return -1;
	fputs("request,from,to,why,status,start_s,precopy_ms,rounds,precopy_mb,final_mb,downtime_ms,route_latency_us,"
	      "route_gbps\n", f);
	for (guint i = 0; i < p->migs->len; i++) {
		const struct pmig *m = p->migs->pdata[i];
		bool done = m->resume_ns != 0;

		fprintf(f, "%s,%s,%s,%s,%s", m->t ? m->t->name : "", p->s->gpus[p->g[m->src].idx].name,
			p->s->gpus[p->g[m->dst].idx].name, m->why, done ? "done" : m->t ? "under-way" : "cancelled");
		put(f, "%.6f", m->start_ns * 1e-9);
		put(f, "%.6f", m->suspend_ns ? (m->suspend_ns - m->start_ns) * 1e-6 : NAN);
		fprintf(f, ",%u", m->rounds);
		put(f, "%.6f", m->precopy_bytes / 1048576.0);
		put(f, "%.6f", m->final_bytes / 1048576.0);
		put(f, "%.6f", done ? (m->resume_ns - m->suspend_ns) * 1e-6 : NAN);
		put(f, "%.3f", m->lat_s * 1e6);
		put(f, "%.3f", m->bw_Bps / 1e9);
		fputc('\n', f);
	}
	return close_csv(f, dir, "migrations.csv", err);
}

int vgs_pool_write(struct vgs_pool *p, const char *dir, const struct vgs_pool_info *info, struct vgs_error *err)
{
	struct vgs_metering_cfg *def = p->s->metering ? NULL : vgs_metering_default();
	const struct vgs_metering_cfg *mc = p->s->metering ? p->s->metering : def;
	struct vgs_meter_row *rows;
	struct totals T;
	size_t nrows;
	double unattributed = 0;
	int rc;

	rows = meter_rows(p, mc, &nrows);
	totals(p, rows, nrows, &T);
	for (uint32_t i = 0; i < p->ngpus; i++)
		unattributed += p->g[i].unattributed_j;
	rc = write_summary(p, dir, info, &T, mc->currency, err) < 0 || write_requests(p, dir, err) < 0 ||
	     vgs_metering_write(dir, rows, nrows, unattributed, mc, err) < 0 || write_gpus(p, dir, err) < 0 ||
	     write_series(p, dir, err) < 0 || write_migs(p, dir, err) < 0 ? -1 : 0;
	vgs_meter_rows_free(rows, nrows);
	vgs_metering_cfg_free(def);
	return rc;
}

void vgs_pool_print(const struct vgs_pool *p, FILE *out)
{
	struct vgs_metering_cfg *def = p->s->metering ? NULL : vgs_metering_default();
	const struct vgs_metering_cfg *mc = p->s->metering ? p->s->metering : def;
	size_t nrows;
	struct vgs_meter_row *rows = meter_rows(p, mc, &nrows);
	struct totals T;

	totals(p, rows, nrows, &T);
	fprintf(out, "%-28s %u GPUs on %u hosts, placement %s, %.0f s\n", "pool", p->ngpus, p->nhosts,
		p->place.ops->name, window_s(p));
	fprintf(out, "%-28s %" G_GUINT64_FORMAT " arrived, %" G_GUINT64_FORMAT " placed, %" G_GUINT64_FORMAT
		" done, %u queued at the end\n", "requests", p->arrived, p->placed, p->completed, p->queue.length);
	fprintf(out, "%-28s mean %.3f s, p95 %.3f s, p99 %.3f s, max %.3f s\n", "queueing delay",
		p->qdelay.count ? vgs_hist_mean(&p->qdelay) * 1e-9 : 0.0, vgs_hist_quantile(&p->qdelay, 0.95) * 1e-9,
		vgs_hist_quantile(&p->qdelay, 0.99) * 1e-9, p->qdelay.count ? p->qdelay.max * 1e-9 : 0.0);
	fprintf(out, "%-28s %.1f %% busy, %.1f %% allocated\n", "utilisation", 100 * T.util, 100 * T.alloc);
	fprintf(out, "%-28s %.2f GiB framebuffer, %.2f MIG slices (time mean)\n", "stranded", T.stranded_fb,
		T.stranded_sl);
	fprintf(out, "%-28s %.2f %%\n", "SLA attainment", 100 * T.sla);
	fprintf(out, "%-28s %.3f kWh, bill %.2f %s (%.2f before SLA credits)\n", "energy, bill", T.energy / 3.6e6,
		T.bill, mc->currency, T.charge);
	if (p->migs->len)
		fprintf(out, "%-28s %u, %" G_GUINT64_FORMAT " done, downtime mean %.1f ms\n", "migrations",
			p->migs->len, T.migs_done, T.migs_done ? T.down_sum / T.migs_done : 0.0);
	vgs_meter_rows_free(rows, nrows);
	vgs_metering_cfg_free(def);
}
