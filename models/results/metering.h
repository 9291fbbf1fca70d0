/*
 * Metering (docs/pools.md, "Metering"): what each tenant used and owes.  One row per tenant --
 * GPU-seconds by engine class, framebuffer GB-hours, energy, SLA attainment -- priced by the scenario's
 * price sheet (models/scenario/pool_cfg.h, struct vgs_metering_cfg) into a bill with SLA credits.
 * Written as metering.csv by `vgpusim run` (a scenario with a `metering` group) and by `vgpusim pool`
 * (both levels), so that both levels' numbers compare column by column.
 *
 * The rows add up to the run: sum of gpu_s_<class> = the engines' channel-busy time of that class
 * (engines.csv channel_busy_ms), sum of energy_j including the "(unattributed)" row = the energy of
 * summary.json (tests/e2e/pools.py checks both).
 */
#ifndef VGS_METERING_H
#define VGS_METERING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "models/base/error.h"
#include "models/base/types.h"
#include "models/results/metrics.h"
#include "models/scenario/pool_cfg.h"

struct vgs_meter_row {
	char *tenant;
	char *cls;                   /* its vgpus entry or request class */
	char *gpu;                   /* where it ran (the last GPU, after migrations) */
	char *profile;               /* its vGPU profile (vgs_vgpu_profile_name) */
	double start_s, end_s;       /* its lifetime within the measured window */
	double gpu_s[VGS_NCLASS];    /* channel-busy seconds by engine class */
	double fb_gb_h;              /* framebuffer GiB x hours of its lifetime */
	double energy_j;
	double sla_attainment;       /* 0..1: share of its time with its SLA met; NAN without an SLA */
	double frac;                 /* its share of its GPU (framebuffer, or MIG compute slices) */
	/* priced by vgs_meter_bill */
	double price_per_h, charge, credit_pct, bill;
};

/* Price a row: charge = price_per_h x hours (the sheet's price, or the class's when price >= 0),
 * credit from the attainment (as a %) and the sheet's tiers, bill = charge x (1 - credit). */
void vgs_meter_bill(struct vgs_meter_row *r, const struct vgs_metering_cfg *cfg, double class_price);
/* Write DIR/metering.csv: the rows, then "(unattributed)" with unattributed_j.  0, or -1 with err set. */
int vgs_metering_write(const char *dir, const struct vgs_meter_row *rows, size_t n, double unattributed_j,
		       const struct vgs_metering_cfg *cfg, struct vgs_error *err);
void vgs_meter_rows_free(struct vgs_meter_row *rows, size_t n);
/* Totals of the rows for a report: bill, charge, energy, mean attainment (over rows with an SLA). */
void vgs_meter_totals(const struct vgs_meter_row *rows, size_t n, double *charge, double *bill, double *energy_j,
		      double *attainment);

/*
 * A tenant's SLA held in a window of windows.csv (vgs_windows_scan): its p99 unit latency within
 * sla.latency_ms (it completed a unit), or -- a tenant with a rate SLA only (frames at a target rate)
 * -- its unit rate at least 99 % of sla.fps less one unit (whole units counted in a finite window).  A
 * latency SLA alone judges a tenant that has both: open-loop requests arrive at random, so a window's
 * rate says nothing of the service.  The SLA attainment of both levels counts windows by this rule.
 */
struct vgs_window_stat;
bool vgs_window_sla_met(const struct vgs_sla *sla, const struct vgs_window_stat *st, uint64_t window_ns);

/*
 * `vgpusim run`: the metering rows of a finished run (m), SLA attainment from DIR/units.csv in windows
 * of cfg->window_ns within each tenant's lifetime; written as DIR/metering.csv.  0, or -1 with err set.
 */
int vgs_metrics_metering(const struct vgs_metrics *m, const char *dir, const struct vgs_metering_cfg *cfg,
			 struct vgs_error *err);

#endif
