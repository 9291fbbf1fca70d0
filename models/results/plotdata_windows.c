/*
 * The time series of `vgpusim plot` (timeseries-NAME.dat, plot-timeseries.gp): from a run's
 * windows.csv (`run --windows`), per window and tenant group the mean unit rate of the group's tenants
 * and the worst (largest) p99 latency among them, so that a policy's transient behaviour -- a burst,
 * a session arriving -- shows over time.  A run without windows.csv gets no time series.
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "models/base/csv.h"
#include "models/results/plotdata_priv.h"

/* Per window: group -> the sum of its tenants' rates, their count, the worst p99. */
struct win {
	double start_s;
	double *rate, *p99;
	guint *n;
};

static void win_free(gpointer data)
{
	struct win *w = data;

	g_free(w->rate);
	g_free(w->p99);
	g_free(w->n);
	g_free(w);
}

/* The rows of windows.csv into `wins` (struct win *, in window order); group_of: tenant -> group + 1. */
static int read_windows(struct plot_ctx *p, const char *path, GHashTable *group_of, guint ngroups, GPtrArray *wins)
{
	static const char *const cols[] = { "window", "start_s", "tenant", "unit_rate_per_s", "lat_p99_ms" };
	struct vgs_csv c;
	int col[G_N_ELEMENTS(cols)], rc;

	rc = vgs_plot_csv_open(p, path, cols, G_N_ELEMENTS(cols), col, &c);
	while (rc == 0 && (rc = vgs_csv_next(&c, p->err)) > 0) {
		uint64_t k;
		guint g = GPOINTER_TO_UINT(g_hash_table_lookup(group_of, vgs_csv_field(&c, col[2]) ?: ""));
		const char *lat = vgs_csv_field(&c, col[4]);
		struct win *w;

		rc = 0;
		if (vgs_csv_u64(vgs_csv_field(&c, col[0]), &k) < 0 || k > wins->len) {
			vgs_error_set(p->err, "%s:%u: expected the windows in order", path, c.line);
			rc = -1;
			break;
		}
		if (k == wins->len) {
			w = g_new0(struct win, 1);
			w->start_s = g_ascii_strtod(vgs_csv_field(&c, col[1]) ?: "0", NULL);
			w->rate = g_new0(double, ngroups + 1);
			w->p99 = g_new0(double, ngroups + 1);
			w->n = g_new0(guint, ngroups + 1);
			for (guint i = 0; i < ngroups; i++)
				w->p99[i] = NAN;
			g_ptr_array_add(wins, w);
		}
		w = wins->pdata[k];
		if (!g--)
			continue;
		w->rate[g] += g_ascii_strtod(vgs_csv_field(&c, col[3]) ?: "0", NULL);
		w->n[g]++;
		if (lat && *lat) {
			double v = g_ascii_strtod(lat, NULL);

			if (isnan(w->p99[g]) || v > w->p99[g])
				w->p99[g] = v;
		}
	}
	if (c.gz)
		vgs_csv_close(&c);
	return rc < 0 ? -1 : 0;
}

int vgs_plot_windows_prepare(struct plot_ctx *p, size_t r, GString *missing)
{
	const struct vgs_table *t = &p->res[r].tenants;
	char *src = g_build_filename(p->runs[r].dir, "windows.csv", NULL), *name = NULL, *path = NULL;
	GHashTable *group_of = g_hash_table_new(g_str_hash, g_str_equal);
	GPtrArray *groups = g_ptr_array_new(), *wins = g_ptr_array_new_with_free_func(win_free);
	GString *v = g_string_new(NULL), *list = g_string_new(NULL);
	FILE *f;
	int rc = -1;

	if (!g_file_test(src, G_FILE_TEST_EXISTS)) {
		g_string_append_printf(missing, "%s%s", missing->len ? ", " : "", p->runs[r].name);
		rc = 0;
		goto out;
	}
	for (guint i = 0; i < vgs_table_nrows(t); i++) {
		const char *g = vgs_table_get(t, i, "group");
		guint k = 0;

		while (k < groups->len && strcmp(groups->pdata[k], g))
			k++;
		if (k == groups->len) {
			g_ptr_array_add(groups, (gpointer)g);
			g_string_append_printf(list, "%s%s", k ? " " : "", g);
		}
		g_hash_table_insert(group_of, (gpointer)vgs_table_get(t, i, "tenant"), GUINT_TO_POINTER(k + 1));
	}
	if (read_windows(p, src, group_of, groups->len, wins) < 0)
		goto out;
	name = g_strdup_printf("timeseries-%s.dat", p->runs[r].name);
	if (!(f = vgs_plot_dat_open(p, name, &path)))
		goto out;
	fputs("# start_s, then per group (groups): mean unit rate of its tenants (/s), worst p99 latency (ms)\n", f);
	for (guint k = 0; k < wins->len; k++) {
		const struct win *w = wins->pdata[k];

		char buf[G_ASCII_DTOSTR_BUF_SIZE];

		fputs(g_ascii_formatd(buf, sizeof(buf), "%.6f", w->start_s), f);
		for (guint g = 0; g < groups->len; g++) {
			vgs_plot_dat_num(f, w->n[g] ? w->rate[g] / w->n[g] : NAN);
			vgs_plot_dat_num(f, w->p99[g]);
		}
		fputc('\n', f);
	}
	if (vgs_plot_dat_close(p, f, path) < 0)
		goto out;
	vgs_plot_gp_var(v, "groups", list->str);
	vgs_plot_gp_var(v, "run", p->runs[r].name);
	name[strlen(name) - 4] = '\0';
	vgs_plot_job_add(p, "plot-timeseries.gp", name, path, v);
	rc = 0;
out:
	g_hash_table_destroy(group_of);
	g_ptr_array_free(groups, TRUE);
	g_ptr_array_free(wins, TRUE);
	g_string_free(v, TRUE);
	g_string_free(list, TRUE);
	g_free(src);
	g_free(name);
	g_free(path);
	return rc;
}
