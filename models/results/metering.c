/*
 * Metering rows, the bill and metering.csv (models/results/metering.h); the rows of a `vgpusim run`
 * from its metrics and units.csv.  Formulas in docs/pools.md, "Metering".
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "models/base/json.h"
#include "models/results/metering.h"
#include "models/results/metrics_internal.h"
#include "models/results/units.h"

void vgs_meter_bill(struct vgs_meter_row *r, const struct vgs_metering_cfg *cfg, double class_price)
{
	double hours = (r->end_s - r->start_s) / 3600.0;

	r->price_per_h = class_price >= 0 ? class_price : vgs_metering_price(cfg, r->profile, r->frac);
	r->charge = r->price_per_h * (hours > 0 ? hours : 0);
	r->credit_pct = isnan(r->sla_attainment) ? 0 : vgs_metering_credit_pct(cfg, 100.0 * r->sla_attainment);
	r->bill = r->charge * (1.0 - r->credit_pct / 100.0);
}

static void put(FILE *f, const char *fmt, double v)
{
	char buf[64];

	fputc(',', f);
	if (!isnan(v))
		fputs(vgs_fmt_double(buf, sizeof(buf), fmt, v), f);
}

int vgs_metering_write(const char *dir, const struct vgs_meter_row *rows, size_t n, double unattributed_j,
		       const struct vgs_metering_cfg *cfg, struct vgs_error *err)
{
	char *path = g_build_filename(dir, "metering.csv", NULL);
	FILE *f = fopen(path, "w");
	int bad;

	if (!f) {
		vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
		g_free(path);
		return -1;
	}
	fprintf(f, "tenant,class,gpu,profile,start_s,end_s");
	for (int c = 0; c < VGS_NCLASS; c++)
		fprintf(f, ",gpu_s_%s", vgs_class_name(c));
	fprintf(f, ",fb_gb_h,energy_j,sla_attainment,price_per_h,charge,sla_credit_pct,bill,currency\n");
	for (size_t i = 0; i <= n; i++) {
		const struct vgs_meter_row *r = i < n ? &rows[i] : NULL;

		if (!r) {
			fputs("(unattributed),,,,,", f);
			for (int c = 0; c < VGS_NCLASS; c++)
				fputc(',', f);
			put(f, "%.6f", 0);
			put(f, "%.6f", unattributed_j);
			fprintf(f, ",,,,,,%s\n", cfg->currency);
			break;
		}
		fprintf(f, "%s,%s,%s,%s", r->tenant, r->cls, r->gpu ? r->gpu : "", r->profile);
		put(f, "%.6f", r->start_s);
		put(f, "%.6f", r->end_s);
		for (int c = 0; c < VGS_NCLASS; c++)
			put(f, "%.9f", r->gpu_s[c]);
		put(f, "%.9f", r->fb_gb_h);
		put(f, "%.6f", r->energy_j);
		put(f, "%.6f", r->sla_attainment);
		put(f, "%.6f", r->price_per_h);
		put(f, "%.9f", r->charge);
		put(f, "%.2f", r->credit_pct);
		put(f, "%.9f", r->bill);
		fprintf(f, ",%s\n", cfg->currency);
	}
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
		g_free(path);
		return -1;
	}
	g_free(path);
	return 0;
}

void vgs_meter_rows_free(struct vgs_meter_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		g_free(rows[i].tenant);
		g_free(rows[i].cls);
		g_free(rows[i].gpu);
		g_free(rows[i].profile);
	}
	g_free(rows);
}

void vgs_meter_totals(const struct vgs_meter_row *rows, size_t n, double *charge, double *bill, double *energy_j,
		      double *attainment)
{
	double a = 0, w = 0;

	*charge = *bill = *energy_j = 0;
	for (size_t i = 0; i < n; i++) {
		double h = rows[i].end_s - rows[i].start_s;

		*charge += rows[i].charge;
		*bill += rows[i].bill;
		*energy_j += rows[i].energy_j;
		if (!isnan(rows[i].sla_attainment) && h > 0) {
			a += rows[i].sla_attainment * h;
			w += h;
		}
	}
	*attainment = w > 0 ? a / w : NAN;
}

/* ---- `vgpusim run` ------------------------------------------------------------------------------ */

struct attain {
	const struct vgs_scenario *s;
	const struct vgs_meter_row *rows;
	uint64_t window_ns;
	uint64_t *met, *all;         /* per tenant: windows with its SLA met, windows in its lifetime */
};

bool vgs_window_sla_met(const struct vgs_sla *sla, const struct vgs_window_stat *st, uint64_t window_ns)
{
	if (sla->latency_ns)
		return st->units > 0 && st->lat_p99_ns <= (double)sla->latency_ns;
	return st->rate >= 0.99 * sla->fps - 1e9 / (double)window_ns;
}

/* A window counts for a tenant when it lies whole within its lifetime in the measured window. */
static void attain_window(void *user, uint64_t k, uint64_t a, uint64_t b, size_t i, const struct vgs_window_stat *st)
{
	struct attain *at = user;
	const struct vgs_meter_row *r = &at->rows[i];

	if (b - a != at->window_ns || (double)a < r->start_s * 1e9 - 0.5 || (double)b > r->end_s * 1e9 + 0.5)
		return;
	at->all[i]++;
	at->met[i] += vgs_window_sla_met(&at->s->tenants[i].sla, st, at->window_ns);
}

int vgs_metrics_metering(const struct vgs_metrics *m, const char *dir, const struct vgs_metering_cfg *cfg,
			 struct vgs_error *err)
{
	const struct vgs_scenario *s = m->s;
	struct vgs_meter_row *rows = g_new0(struct vgs_meter_row, s->ntenants ? s->ntenants : 1);
	char **names = g_new0(char *, s->ntenants + 1);
	struct attain at = { .s = s, .rows = rows, .window_ns = cfg->window_ns };
	int rc = -1;

	at.met = g_new0(uint64_t, s->ntenants + 1);
	at.all = g_new0(uint64_t, s->ntenants + 1);
	for (uint32_t i = 0; i < s->ntenants; i++) {
		const struct vgs_tenant *tn = &s->tenants[i];
		const struct vgs_gpu *g = &s->gpus[m->t[i].gpu];
		struct vgs_meter_row *r = &rows[i];
		uint64_t a = tn->start_ns > m->w0 ? tn->start_ns : m->w0;
		uint64_t b = tn->stop_ns < m->w0 + m->window_ns ? tn->stop_ns : m->w0 + m->window_ns;

		names[i] = tn->name;
		r->tenant = g_strdup(tn->name);
		r->cls = g_strdup(tn->group);
		r->gpu = g_strdup(g->name);
		r->profile = vgs_vgpu_profile_name(g->profile, tn->vram_quota_bytes, g->mig_profile);
		r->start_s = a * 1e-9;
		r->end_s = (b > a ? b : a) * 1e-9;
		for (int c = 0; c < VGS_NCLASS; c++)
			r->gpu_s[c] = m->t[i].busy_cls_ns[c] * 1e-9;
		r->fb_gb_h = tn->vram_quota_bytes / 1073741824.0 * (r->end_s - r->start_s) / 3600.0;
		r->energy_j = m->t[i].energy_j;
		/* A MIG instance is a GPU of its own: its share of the physical GPU is its compute slices. */
		r->frac = (double)tn->vram_quota_bytes / (double)g->vram_bytes;
		for (uint32_t k = 0; g->mig_profile && g->mig && k < g->mig->nprof; k++)
			if (strcmp(g->mig->prof[k].name, g->mig_profile) == 0)
				r->frac = (double)g->mig->prof[k].cslices / (double)g->mig->cslices;
	}
	if (vgs_windows_scan(dir, names, s->ntenants, cfg->window_ns, m->w0 + m->window_ns, attain_window, &at, err) < 0)
		goto out;
	for (uint32_t i = 0; i < s->ntenants; i++) {
		const struct vgs_tenant *tn = &s->tenants[i];

		rows[i].sla_attainment = !tn->sla.latency_ns && !(tn->sla.fps > 0) ? NAN
					 : at.all[i] ? (double)at.met[i] / (double)at.all[i] : NAN;
		vgs_meter_bill(&rows[i], cfg, -1);
	}
	rc = vgs_metering_write(dir, rows, s->ntenants, m->energy_unattributed_j, cfg, err);
out:
	vgs_meter_rows_free(rows, s->ntenants);
	g_free(names);
	g_free(at.met);
	g_free(at.all);
	return rc;
}
