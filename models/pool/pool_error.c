/*
 * The two-level model against the command-level simulation of the same pool (`vgpusim pool --level
 * command`, docs/pools.md "The two levels"): DIR/pool/ (two levels) and DIR/command/ (every command)
 * read back, each metric at both levels, written as DIR/error.csv:
 *
 *     metric,two_level,command_level,error,unit
 *
 * error is relative (%) for a total -- 100 (two_level - command_level) / command_level -- and for a
 * per-request metric the mean absolute relative error over the requests (MAPE, %); for SLA attainment
 * the difference in percentage points.  Requests are matched by name (metering.csv's tenant).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "models/pool/pool_priv.h"
#include "models/results/results.h"

struct err_row {
	const char *metric, *unit;
	double two, cmd, err;
};

/* Totals and per-request MAPE of a metering.csv column pair. */
struct pair {
	double two, cmd, ape;
	uint32_t n;
};

static void add(struct pair *p, double two, double cmd)
{
	if (isnan(two) || isnan(cmd))
		return;
	p->two += two;
	p->cmd += cmd;
	if (cmd > 0) {
		p->ape += fabs(two - cmd) / cmd;
		p->n++;
	}
}

static double rel(double two, double cmd)
{
	return cmd != 0 ? 100.0 * (two - cmd) / cmd : NAN;
}

/* Mean over GPUs of the utilisation of each GPU's busiest engine class (engines.csv). */
static double busiest_util(const struct vgs_table *eng)
{
	GHashTable *g = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	GHashTableIter it;
	gpointer k, v;
	double sum = 0;
	guint n = 0;

	for (guint i = 0; i < vgs_table_nrows(eng); i++) {
		char *key = g_strdup_printf("%s|%s", vgs_table_get(eng, i, "gpu"), vgs_table_get(eng, i, "class"));
		double *acc = g_hash_table_lookup(g, key);

		if (!acc) {
			acc = g_new0(double, 2);
			g_hash_table_insert(g, key, acc);
		} else {
			g_free(key);
		}
		acc[0] += vgs_table_num(eng, i, "utilisation");
		acc[1] += 1;
	}
	/* per GPU: the busiest class's mean */
	GHashTable *best = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

	g_hash_table_iter_init(&it, g);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		char *gpu = g_strndup(k, strchr(k, '|') - (char *)k);
		double *acc = v, *b = g_hash_table_lookup(best, gpu);

		if (!b) {
			b = g_new0(double, 1);
			g_hash_table_insert(best, gpu, b);
		} else {
			g_free(gpu);
		}
		if (acc[0] / acc[1] > *b)
			*b = acc[0] / acc[1];
	}
	g_hash_table_iter_init(&it, best);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		sum += *(double *)v;
		n++;
	}
	g_hash_table_destroy(g);
	g_hash_table_destroy(best);
	return n ? sum / n : NAN;
}

static double column_sum(const struct vgs_table *t, const char *col)
{
	double s = 0;

	for (guint i = 0; i < vgs_table_nrows(t); i++) {
		double x = vgs_table_num(t, i, col);

		if (!isnan(x))
			s += x;
	}
	return s;
}

static int read(const char *dir, const char *sub, const char *file, struct vgs_table *t, struct vgs_error *err)
{
	char *path = g_build_filename(dir, sub, file, NULL);
	int rc = vgs_table_read(t, path, err);

	g_free(path);
	return rc;
}

int vgs_pool_error_write(const char *dir, struct vgs_error *err)
{
	struct vgs_table pm = { 0 }, cm = { 0 }, preq = { 0 }, pg = { 0 }, ct = { 0 }, ce = { 0 };
	struct pair busy = { 0 }, energy = { 0 }, units = { 0 }, lat = { 0 }, bill = { 0 }, charge = { 0 };
	double sla_two = 0, sla_cmd = 0, sla_diff = 0;
	uint32_t nsla = 0;
	struct err_row rows[16];
	size_t n = 0;
	char *path;
	FILE *f;
	int rc = -1;

	if (read(dir, "pool", "metering.csv", &pm, err) < 0 || read(dir, "command", "metering.csv", &cm, err) < 0 ||
	    read(dir, "pool", "requests.csv", &preq, err) < 0 || read(dir, "pool", "gpus.csv", &pg, err) < 0 ||
	    read(dir, "command", "tenants.csv", &ct, err) < 0 || read(dir, "command", "engines.csv", &ce, err) < 0)
		goto out;
	for (guint i = 0; i < vgs_table_nrows(&pm); i++) {
		const char *name = vgs_table_get(&pm, i, "tenant");
		int j = vgs_table_find(&cm, "tenant", name), r = vgs_table_find(&preq, "request", name);
		int k = vgs_table_find(&ct, "tenant", name);
		double b2 = 0, bc = 0, s2, sc;

		if (j < 0 || !strcmp(name, "(unattributed)"))
			continue;
		for (int c = 0; c < VGS_NCLASS; c++) {
			char col[32];

			snprintf(col, sizeof(col), "gpu_s_%s", vgs_class_name(c));
			b2 += vgs_table_num(&pm, i, col);
			bc += vgs_table_num(&cm, (guint)j, col);
		}
		add(&busy, b2, bc);
		add(&energy, vgs_table_num(&pm, i, "energy_j"), vgs_table_num(&cm, (guint)j, "energy_j"));
		add(&bill, vgs_table_num(&pm, i, "bill"), vgs_table_num(&cm, (guint)j, "bill"));
		add(&charge, vgs_table_num(&pm, i, "charge"), vgs_table_num(&cm, (guint)j, "charge"));
		if (r >= 0 && k >= 0) {
			add(&units, vgs_table_num(&preq, (guint)r, "units_window"), vgs_table_num(&ct, (guint)k, "units"));
			add(&lat, vgs_table_num(&preq, (guint)r, "lat_p99_ms"), vgs_table_num(&ct, (guint)k, "lat_p99_ms"));
		}
		s2 = vgs_table_num(&pm, i, "sla_attainment");
		sc = vgs_table_num(&cm, (guint)j, "sla_attainment");
		if (!isnan(s2) && !isnan(sc)) {
			sla_two += s2;
			sla_cmd += sc;
			sla_diff += fabs(s2 - sc);
			nsla++;
		}
	}
	rows[n++] = (struct err_row){ "busy_s total", "s", busy.two, busy.cmd, rel(busy.two, busy.cmd) };
	rows[n++] = (struct err_row){ "busy_s per request (MAPE)", "%", NAN, NAN, busy.n ? 100 * busy.ape / busy.n : NAN };
	rows[n++] = (struct err_row){ "energy_j total", "J", column_sum(&pm, "energy_j"), column_sum(&cm, "energy_j"),
				      rel(column_sum(&pm, "energy_j"), column_sum(&cm, "energy_j")) };
	rows[n++] = (struct err_row){ "energy_j per request (MAPE)", "%", NAN, NAN,
				      energy.n ? 100 * energy.ape / energy.n : NAN };
	rows[n++] = (struct err_row){ "units total", "units", units.two, units.cmd, rel(units.two, units.cmd) };
	rows[n++] = (struct err_row){ "units per request (MAPE)", "%", NAN, NAN, units.n ? 100 * units.ape / units.n : NAN };
	rows[n++] = (struct err_row){ "lat_p99_ms per request (MAPE)", "%", lat.n ? lat.two / lat.n : NAN,
				      lat.n ? lat.cmd / lat.n : NAN, lat.n ? 100 * lat.ape / lat.n : NAN };
	rows[n++] = (struct err_row){ "sla_attainment mean over requests", "pts", nsla ? 100 * sla_two / nsla : NAN,
				      nsla ? 100 * sla_cmd / nsla : NAN, nsla ? 100 * sla_diff / nsla : NAN };
	rows[n++] = (struct err_row){ "utilisation of the busiest engine class", "%", 100 * column_sum(&pg, "utilisation") /
				      (vgs_table_nrows(&pg) ? vgs_table_nrows(&pg) : 1), 100 * busiest_util(&ce), NAN };
	rows[n - 1].err = rel(rows[n - 1].two, rows[n - 1].cmd);
	rows[n++] = (struct err_row){ "charge total", "currency", charge.two, charge.cmd, rel(charge.two, charge.cmd) };
	rows[n++] = (struct err_row){ "bill total (after SLA credits)", "currency", bill.two, bill.cmd,
				      rel(bill.two, bill.cmd) };
	path = g_build_filename(dir, "error.csv", NULL);
	f = fopen(path, "w");
	if (!f) {
		vgs_error_set(err, "cannot write %s", path);
		g_free(path);
		goto out;
	}
	fputs("metric,two_level,command_level,error,unit\n", f);
	for (size_t i = 0; i < n; i++) {
		/* a metric named with a comma is quoted (RFC 4180) */
		fprintf(f, strchr(rows[i].metric, ',') ? "\"%s\"," : "%s,", rows[i].metric);
		if (!isnan(rows[i].two))
			fprintf(f, "%.6g", rows[i].two);
		fputc(',', f);
		if (!isnan(rows[i].cmd))
			fprintf(f, "%.6g", rows[i].cmd);
		fputc(',', f);
		if (!isnan(rows[i].err))
			fprintf(f, "%.3f", rows[i].err);
		fprintf(f, ",%s\n", strcmp(rows[i].unit, "pts") ? "%" : "pts");
	}
	rc = fclose(f) == 0 ? 0 : -1;
	if (rc)
		vgs_error_set(err, "cannot write %s", path);
	g_free(path);
out:
	vgs_table_fini(&pm);
	vgs_table_fini(&cm);
	vgs_table_fini(&preq);
	vgs_table_fini(&pg);
	vgs_table_fini(&ct);
	vgs_table_fini(&ce);
	return rc;
}

void vgs_pool_error_print(const char *dir, FILE *out)
{
	struct vgs_table t = { 0 };
	struct vgs_error err;
	char *path = g_build_filename(dir, "error.csv", NULL);

	if (vgs_table_read(&t, path, &err) == 0) {
		fprintf(out, "\ntwo levels vs command level (%s):\n", path);
		for (guint i = 0; i < vgs_table_nrows(&t); i++)
			fprintf(out, "  %-40s %12s %12s   error %s %s\n", vgs_table_get(&t, i, "metric"),
				vgs_table_get(&t, i, "two_level"), vgs_table_get(&t, i, "command_level"),
				vgs_table_get(&t, i, "error"), vgs_table_get(&t, i, "unit"));
	}
	vgs_table_fini(&t);
	g_free(path);
}
