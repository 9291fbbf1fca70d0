/* SLA checks on tenants.csv rows (models/results/sla.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "models/results/sla.h"

#define SLA_RATE_SLACK 0.99	/* as sla_rate_met (models/results/metrics.c, docs/metrics.md) */

static const char *const term_keys[VGS_SLA_NKINDS] = {
	[VGS_SLA_FPS] = "fps", [VGS_SLA_P50] = "p50_ms", [VGS_SLA_P95] = "p95_ms",
	[VGS_SLA_P99] = "p99_ms", [VGS_SLA_MAX] = "max_ms", [VGS_SLA_MISS] = "miss_pct",
};
static const char *const term_cols[VGS_SLA_NKINDS] = {
	[VGS_SLA_P50] = "lat_p50_ms", [VGS_SLA_P95] = "lat_p95_ms", [VGS_SLA_P99] = "lat_p99_ms",
	[VGS_SLA_MAX] = "lat_max_ms",
};

int vgs_sla_parse(const char *text, struct vgs_sla_spec *spec, struct vgs_error *err)
{
	char **terms = g_strsplit(text, ",", -1);
	int rc = -1;

	memset(spec, 0, sizeof(*spec));
	for (char **t = terms; *t; t++) {
		char *eq = strchr(*t, '='), *end;
		int k;
		double v;

		for (k = 0; k < VGS_SLA_NKINDS; k++)
			if (eq && (size_t)(eq - *t) == strlen(term_keys[k]) && strncmp(*t, term_keys[k], eq - *t) == 0)
				break;
		if (k == VGS_SLA_NKINDS) {
			vgs_error_set(err, "--sla %s: '%s' is not KEY=VALUE with KEY one of fps, p50_ms, p95_ms, p99_ms, "
				      "max_ms, miss_pct", text, *t);
			goto out;
		}
		v = strtod(eq + 1, &end);
		if (end == eq + 1 || *end || !isfinite(v) || v < 0) {
			vgs_error_set(err, "--sla %s: %s expects a non-negative number, got '%s'", text, term_keys[k], eq + 1);
			goto out;
		}
		spec->set[k] = true;
		spec->value[k] = v;
	}
	spec->text = g_strdup(text);
	rc = 0;
out:
	g_strfreev(terms);
	return rc;
}

void vgs_sla_fini(struct vgs_sla_spec *spec)
{
	g_free(spec->text);
	spec->text = NULL;
}

/* A 0/1 column: met unless it says 0 (empty: no such SLA). */
static bool flag_ok(const struct vgs_table *t, guint row, const char *col)
{
	const char *v = vgs_table_get(t, row, col);

	return !v || strcmp(v, "0") != 0;
}

bool vgs_sla_met(const struct vgs_table *t, guint row, const struct vgs_sla_spec *spec)
{
	if (!spec)
		return flag_ok(t, row, "sla_rate_met") && flag_ok(t, row, "sla_latency_met");
	for (int k = 0; k < VGS_SLA_NKINDS; k++) {
		double x;

		if (!spec->set[k])
			continue;
		if (k == VGS_SLA_FPS) {
			x = vgs_table_num(t, row, "unit_rate_per_s");
			if (!(x >= SLA_RATE_SLACK * spec->value[k]))
				return false;
		} else if (k == VGS_SLA_MISS) {
			double units = vgs_table_num(t, row, "units"), dropped = vgs_table_num(t, row, "dropped_units");
			double misses = vgs_table_num(t, row, "deadline_misses");

			if (isnan(dropped))
				dropped = 0;
			x = units + dropped > 0 ? 100.0 * (misses + dropped) / (units + dropped) : 0;
			if (!(x <= spec->value[k]))
				return false;
		} else {
			x = vgs_table_num(t, row, term_cols[k]);
			if (!(x <= spec->value[k]))	/* no unit completed (NaN): not met */
				return false;
		}
	}
	return true;
}
