/*
 * Does a tenant meet its SLA?  One answer for `vgpusim sweep` (sweep.csv's sla_met) and `vgpusim capacity`
 * (its feasibility), from a run's tenants.csv row.  Plain C + GLib.
 *
 * Without a spec, a tenant meets its SLA when every SLA its config gives holds, as `vgpusim run` judged it
 * (tenants.csv sla_rate_met, sla_latency_met; docs/metrics.md); a tenant without an SLA meets it.
 * A spec (--sla) replaces the configs' SLAs for every tenant by terms KEY=VALUE, comma-separated:
 *   fps=X        unit_rate_per_s >= 0.99 X (the 1 % slack of sla_rate_met)
 *   p50_ms=X     lat_p50_ms <= X   (also p95_ms, p99_ms, max_ms)
 *   miss_pct=X   100 (deadline_misses + dropped_units) / (units + dropped_units) <= X
 * all of which must hold.
 */
#ifndef VGS_SLA_H
#define VGS_SLA_H

#include <stdbool.h>

#include "models/base/error.h"
#include "models/results/results.h"

enum vgs_sla_term_kind { VGS_SLA_FPS, VGS_SLA_P50, VGS_SLA_P95, VGS_SLA_P99, VGS_SLA_MAX, VGS_SLA_MISS, VGS_SLA_NKINDS };

struct vgs_sla_spec {
	bool set[VGS_SLA_NKINDS];
	double value[VGS_SLA_NKINDS];
	char *text;                  /* as given, for reports */
};

/* Parse "fps=60,p99_ms=16.7".  0, or -1 with err set ("--sla ...: ..."). */
int vgs_sla_parse(const char *text, struct vgs_sla_spec *spec, struct vgs_error *err);
void vgs_sla_fini(struct vgs_sla_spec *spec);
/* Tenant row `row` of a tenants.csv table meets the spec (NULL: its own SLAs). */
bool vgs_sla_met(const struct vgs_table *tenants, guint row, const struct vgs_sla_spec *spec);

#endif
