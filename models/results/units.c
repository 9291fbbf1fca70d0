/*
 * windows.csv and unit intervals from units.csv (models/results/units.h).  One pass over the file with
 * the shared CSV reader; quantiles from the metrics' histograms (nearest rank, within 0.5 %).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "models/base/csv.h"
#include "models/base/histogram.h"
#include "models/base/json.h"
#include "models/results/units.h"

/* One tenant while reading. */
struct ut {
	struct vgs_hist lat, ival;   /* the current window (windows.csv), or the measured window */
	uint64_t last_end;           /* previous completion, UINT64_MAX before the first */
	uint64_t units, misses;
};

/* A units.csv row, parsed. */
struct urow {
	int tenant;                  /* index in the caller's list, -1 for another tenant */
	uint64_t end_ns, latency_ns;
	bool missed, measured;
};

struct ureader {
	struct vgs_csv csv;
	char *path;
	int col_tenant, col_end, col_lat, col_missed, col_measured;
	GHashTable *index;           /* tenant name -> index + 1 */
};

static void reader_close(struct ureader *r)
{
	vgs_csv_close(&r->csv);
	g_hash_table_destroy(r->index);
	g_free(r->path);
}

/* 0, or -1 with err set (r then holds nothing). */
static int reader_open(struct ureader *r, const char *dir, char *const *tenants, size_t n, struct vgs_error *err)
{
	memset(r, 0, sizeof(*r));
	r->path = g_build_filename(dir, "units.csv", NULL);
	if (vgs_csv_open(&r->csv, r->path, err) < 0) {
		g_free(r->path);
		return -1;
	}
	r->index = g_hash_table_new(g_str_hash, g_str_equal);
	for (size_t i = 0; i < n; i++)
		g_hash_table_insert(r->index, tenants[i], GSIZE_TO_POINTER(i + 1));
	if (vgs_csv_header(&r->csv, err) < 0)
		goto err;
	r->col_tenant = vgs_csv_col(&r->csv, "tenant");
	r->col_end = vgs_csv_col(&r->csv, "end_ns");
	r->col_lat = vgs_csv_col(&r->csv, "latency_ns");
	r->col_missed = vgs_csv_col(&r->csv, "deadline_missed");
	r->col_measured = vgs_csv_col(&r->csv, "measured");
	if (r->col_tenant < 0 || r->col_end < 0 || r->col_lat < 0 || r->col_missed < 0 || r->col_measured < 0) {
		vgs_error_set(err, "%s: not a units.csv (no tenant, end_ns, latency_ns, deadline_missed or measured "
			      "column)", r->path);
		goto err;
	}
	return 0;
err:
	reader_close(r);
	return -1;
}



/* The next row: 1, 0 at the end, -1 with err set. */
static int reader_next(struct ureader *r, struct urow *row, struct vgs_error *err)
{
	int rc = vgs_csv_next(&r->csv, err);
	const char *t, *e, *l, *m, *w;

	if (rc <= 0)
		return rc;
	t = vgs_csv_field(&r->csv, r->col_tenant);
	e = vgs_csv_field(&r->csv, r->col_end);
	l = vgs_csv_field(&r->csv, r->col_lat);
	m = vgs_csv_field(&r->csv, r->col_missed);
	w = vgs_csv_field(&r->csv, r->col_measured);
	if (!t || !e || !l || !m || !w || vgs_csv_u64(e, &row->end_ns) || vgs_csv_u64(l, &row->latency_ns)) {
		vgs_error_set(err, "%s:%u: expected tenant, end_ns and latency_ns", r->path, r->csv.line);
		return -1;
	}
	row->tenant = (int)GPOINTER_TO_SIZE(g_hash_table_lookup(r->index, t)) - 1;
	row->missed = !strcmp(m, "1");
	row->measured = !strcmp(w, "1");
	return 1;
}

static void ut_init(struct ut *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		vgs_hist_init(&u[i].lat, VGS_HIST_GAMMA);
		vgs_hist_init(&u[i].ival, VGS_HIST_GAMMA);
		u[i].last_end = UINT64_MAX;
		u[i].units = u[i].misses = 0;
	}
}

static void ut_fini(struct ut *u, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		vgs_hist_fini(&u[i].lat);
		vgs_hist_fini(&u[i].ival);
	}
}

/* Add a row's latency and interval to its tenant; `keep` false: only its completion time is kept. */
static void ut_add(struct ut *u, const struct urow *row, bool keep)
{
	if (keep) {
		vgs_hist_add(&u->lat, row->latency_ns);
		if (u->last_end != UINT64_MAX && row->end_ns >= u->last_end)
			vgs_hist_add(&u->ival, row->end_ns - u->last_end);
		u->units++;
		u->misses += row->missed;
	}
	u->last_end = row->end_ns;
}

static void put_ms(FILE *f, double ns)
{
	char buf[64];

	fputc(',', f);
	if (!isnan(ns))
		fputs(vgs_fmt_double(buf, sizeof(buf), "%.6f", ns / 1e6), f);
}

/* Window k's numbers of each tenant to fn, then its tenants start afresh (their last completion is kept). */
static void flush_window(struct ut *u, size_t n, uint64_t k, uint64_t w, uint64_t end_ns, vgs_window_fn fn, void *user)
{
	uint64_t a = k * w, b = a + w < end_ns ? a + w : end_ns;

	for (size_t i = 0; i < n; i++) {
		struct vgs_window_stat st = {
			.units = u[i].units,
			.misses = u[i].misses,
			.rate = b > a ? (double)u[i].units * 1e9 / (double)(b - a) : 0,
			.lat_p50_ns = vgs_hist_quantile(&u[i].lat, 0.5),
			.lat_p99_ns = vgs_hist_quantile(&u[i].lat, 0.99),
			.ival_p99_ns = vgs_hist_quantile(&u[i].ival, 0.99),
		};

		fn(user, k, a, b, i, &st);
		vgs_hist_fini(&u[i].lat);
		vgs_hist_fini(&u[i].ival);
		vgs_hist_init(&u[i].lat, VGS_HIST_GAMMA);
		vgs_hist_init(&u[i].ival, VGS_HIST_GAMMA);
		u[i].units = u[i].misses = 0;
	}
}

int vgs_windows_scan(const char *dir, char *const *tenants, size_t n, uint64_t window_ns, uint64_t end_ns,
		     vgs_window_fn fn, void *user, struct vgs_error *err)
{
	struct ut *u = g_new0(struct ut, n ? n : 1);
	struct ureader r;
	struct urow row;
	uint64_t k = 0;
	int rc = -1, got;

	ut_init(u, n);
	if (reader_open(&r, dir, tenants, n, err) < 0)
		goto out_u;
	while ((got = reader_next(&r, &row, err)) > 0) {
		while (row.end_ns >= (k + 1) * window_ns && (k + 1) * window_ns < end_ns)
			flush_window(u, n, k++, window_ns, end_ns, fn, user);
		if (row.tenant >= 0)
			ut_add(&u[row.tenant], &row, true);
	}
	if (got < 0)
		goto out;
	for (; k * window_ns < end_ns; k++)
		flush_window(u, n, k, window_ns, end_ns, fn, user);
	rc = 0;
out:
	reader_close(&r);
out_u:
	ut_fini(u, n);
	g_free(u);
	return rc;
}

struct wwrite {
	FILE *f;
	char *const *tenants;
	uint64_t warmup_ns, end_ns;
};

static void write_row(void *user, uint64_t k, uint64_t a, uint64_t b, size_t i, const struct vgs_window_stat *st)
{
	const struct wwrite *w = user;
	FILE *f = w->f;
	char buf[64];

	fprintf(f, "%" G_GUINT64_FORMAT ",%s", k, vgs_fmt_double(buf, sizeof(buf), "%.6f", (double)a / 1e9));
	fprintf(f, ",%s,", vgs_fmt_double(buf, sizeof(buf), "%.6f", (double)b / 1e9));
	for (const char *s = w->tenants[i]; *s; s++) /* names are [A-Za-z0-9_.+-]: never quoted */
		fputc(*s, f);
	fprintf(f, ",%" G_GUINT64_FORMAT ",%s", st->units, vgs_fmt_double(buf, sizeof(buf), "%.6f", st->rate));
	put_ms(f, st->lat_p50_ns);
	put_ms(f, st->lat_p99_ns);
	put_ms(f, st->ival_p99_ns);
	fprintf(f, ",%" G_GUINT64_FORMAT ",%d\n", st->misses, a >= w->warmup_ns && b <= w->end_ns ? 1 : 0);
}

int vgs_windows_write(const char *dir, char *const *tenants, size_t n, uint64_t window_ns, uint64_t warmup_ns,
		      uint64_t end_ns, struct vgs_error *err)
{
	char *path = g_build_filename(dir, "windows.csv", NULL);
	struct wwrite w = { .tenants = tenants, .warmup_ns = warmup_ns, .end_ns = end_ns };
	int rc = -1;

	w.f = fopen(path, "w");
	if (!w.f) {
		vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
		g_free(path);
		return -1;
	}
	fputs("window,start_s,end_s,tenant,units,unit_rate_per_s,lat_p50_ms,lat_p99_ms,interval_p99_ms,"
	      "deadline_misses,measured\n", w.f);
	if (vgs_windows_scan(dir, tenants, n, window_ns, end_ns, write_row, &w, err) == 0) {
		rc = 0;
		if (ferror(w.f)) {
			vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
			rc = -1;
		}
	}
	if (fclose(w.f) != 0 && rc == 0) {
		vgs_error_set(err, "cannot write %s: %s", path, strerror(errno));
		rc = -1;
	}
	g_free(path);
	return rc;
}

int vgs_units_intervals(const char *dir, char *const *tenants, size_t n, struct vgs_unit_intervals *out,
			struct vgs_error *err)
{
	struct ut *u = g_new0(struct ut, n ? n : 1);
	struct ureader r;
	struct urow row;
	int rc = -1, got;

	ut_init(u, n);
	if (reader_open(&r, dir, tenants, n, err) < 0)
		goto out_u;
	while ((got = reader_next(&r, &row, err)) > 0)
		if (row.tenant >= 0)
			ut_add(&u[row.tenant], &row, row.measured);
	if (got == 0) {
		for (size_t i = 0; i < n; i++) {
			out[i].count = u[i].ival.count;
			out[i].p50_ms = vgs_hist_quantile(&u[i].ival, 0.5) / 1e6;
			out[i].p99_ms = vgs_hist_quantile(&u[i].ival, 0.99) / 1e6;
		}
		rc = 0;
	}
	reader_close(&r);
out_u:
	ut_fini(u, n);
	g_free(u);
	return rc;
}
