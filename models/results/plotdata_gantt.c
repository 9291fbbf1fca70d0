/*
 * The Gantt charts of `vgpusim plot` (gantt-NAME.dat, plot-gantt.gp): the first gantt_ms of a run's
 * measured window, read from its slices.csv as a stream: who owned each engine's domain, the
 * switches, and the command pieces on each channel.
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "models/base/csv.h"
#include "models/base/json.h"
#include "models/results/plotdata_priv.h"

enum { BOX_SLICE, BOX_SWITCH, BOX_BUSY, BOX_KINDS };

struct gantt_box {
	double t0_ms, t1_ms;         /* relative to the start of the measured window, clipped */
	guint engine;                /* row in engines.csv */
	guint channel;
	guint tenant;                /* index in the first run's tenants.csv */
	int kind;
};

static int read_slices(struct plot_ctx *p, size_t r, const char *path, uint64_t w0, uint64_t w1, GArray *boxes,
		       guint *nchan)
{
	static const char *const kinds[BOX_KINDS] = { "slice", "switch", "busy" };
	static const char *const cols[] = { "kind", "engine", "channel", "tenant", "start_ns", "end_ns" };
	const struct vgs_table *eng = &p->res[r].engines;
	GHashTable *erow = g_hash_table_new(g_str_hash, g_str_equal), *trow = g_hash_table_new(g_str_hash, g_str_equal);
	struct vgs_csv c;
	int col[G_N_ELEMENTS(cols)], rc;

	for (guint i = 0; i < vgs_table_nrows(eng); i++)
		g_hash_table_insert(erow, (gpointer)vgs_table_get(eng, i, "engine"), GUINT_TO_POINTER(i + 1));
	for (guint i = 0; i < vgs_table_nrows(tenants(p)); i++)
		g_hash_table_insert(trow, (gpointer)vgs_table_get(tenants(p), i, "tenant"), GUINT_TO_POINTER(i + 1));
	rc = vgs_plot_csv_open(p, path, cols, G_N_ELEMENTS(cols), col, &c);
	while (rc == 0 && (rc = vgs_csv_next(&c, p->err)) > 0) {
		const char *kind = vgs_csv_field(&c, col[0]), *ch = vgs_csv_field(&c, col[2]);
		guint e = GPOINTER_TO_UINT(g_hash_table_lookup(erow, vgs_csv_field(&c, col[1]) ?: ""));
		guint t = GPOINTER_TO_UINT(g_hash_table_lookup(trow, vgs_csv_field(&c, col[3]) ?: ""));
		uint64_t a, b, chan = 0;
		struct gantt_box box = { 0 };

		rc = 0;
		box.kind = -1;
		for (int k = 0; k < BOX_KINDS; k++)
			if (kind && !strcmp(kind, kinds[k]))
				box.kind = k;
		if (box.kind < 0 || !e || !t || vgs_csv_u64(vgs_csv_field(&c, col[4]), &a) < 0 ||
		    vgs_csv_u64(vgs_csv_field(&c, col[5]), &b) < 0 || (ch && *ch && vgs_csv_u64(ch, &chan) < 0)) {
			vgs_error_set(p->err, "%s:%u: expected kind (slice, switch, busy), an engine of engines.csv, a "
				      "tenant of tenants.csv and integer channel, start_ns, end_ns", path, c.line);
			rc = -1;
			break;
		}
		if (b <= w0 || a >= w1)
			continue;
		box.engine = e - 1;
		box.tenant = t - 1;
		box.channel = (guint)chan;
		box.t0_ms = (double)((a > w0 ? a : w0) - w0) / 1e6;
		box.t1_ms = (double)((b < w1 ? b : w1) - w0) / 1e6;
		if (box.kind == BOX_BUSY && box.channel + 1 > nchan[box.engine])
			nchan[box.engine] = box.channel + 1;
		if (nchan[box.engine] == 0)
			nchan[box.engine] = 1;
		g_array_append_val(boxes, box);
	}
	if (c.gz)
		vgs_csv_close(&c);
	g_hash_table_destroy(erow);
	g_hash_table_destroy(trow);
	return rc < 0 ? -1 : 0;
}

int vgs_plot_gantt_prepare(struct plot_ctx *p, size_t r, double gantt_ms, GString *missing)
{
	const struct vgs_table *eng = &p->res[r].engines;
	char *slices = g_build_filename(p->runs[r].dir, "slices.csv", NULL), *file = NULL, *path = NULL, *out;
	uint64_t w0 = (uint64_t)llround(p->res[r].warmup_s * 1e9), w1 = w0 + (uint64_t)llround(gantt_ms * 1e6);
	guint n = vgs_table_nrows(eng), *nchan = g_new0(guint, n + 1), *ypos = g_new0(guint, n + 1), nused = 0;
	GArray *boxes = g_array_new(FALSE, FALSE, sizeof(struct gantt_box));
	GString *v = g_string_new(NULL), *names = g_string_new(NULL);
	FILE *f = NULL;
	char buf[64];
	int rc = -1;

	if (!g_file_test(slices, G_FILE_TEST_EXISTS)) {
		g_string_append_printf(missing, "%s%s", missing->len ? ", " : "", p->runs[r].name);
		rc = 0;
		goto out;
	}
	if (read_slices(p, r, slices, w0, w1, boxes, nchan) < 0)
		goto out;
	/* Rows: the engines that did something in the window, in engines.csv order, first at the top. */
	for (guint e = 0; e < n; e++)
		nused += nchan[e] > 0;
	for (guint e = 0, k = 0; e < n; e++) {
		if (!nchan[e])
			continue;
		ypos[e] = nused - 1 - k++;
		g_string_append_printf(names, "%s%s", names->len ? " " : "", vgs_table_get(eng, e, "engine"));
	}
	file = g_strdup_printf("gantt-%s.dat", p->runs[r].name);
	f = vgs_plot_dat_open(p, file, &path);
	if (!f)
		goto out;
	fprintf(f, "# vgpusim plot: the first %s ms of the measured window of %s (slices.csv)\n"
		   "# blocks: 0 slices (who owned the engine's domain), 1 switches, 2 command pieces (busy)\n"
		   "# x_ms\ty\tdx_ms\tdy\ttenant  (box centre and half sizes; tenant = row of tenants.csv, from 0)\n",
		vgs_fmt_double(buf, sizeof(buf), "%g", gantt_ms), p->runs[r].name);
	for (int kind = 0; kind < BOX_KINDS; kind++) {
		bool any = false;

		for (guint i = 0; i < boxes->len; i++) {
			const struct gantt_box *b = &g_array_index(boxes, struct gantt_box, i);
			double y = ypos[b->engine], dy = 0.4;

			if (b->kind != kind)
				continue;
			if (kind == BOX_SWITCH) {
				/* a strip along the top of the row: in a dense stretch, full-height switches would
				 * bury the slices; the switch itself shows as a gap in the slice band */
				y += 0.44;
				dy = 0.06;
			} else if (kind == BOX_BUSY) {
				/* channels share the row: channel c gets the c-th of nchan bands */
				double band = 0.6 / nchan[b->engine];

				y = y - 0.3 + (b->channel + 0.5) * band;
				dy = 0.45 * band;
			}
			any = true;
			fputs(vgs_fmt_double(buf, sizeof(buf), "%.6f", (b->t0_ms + b->t1_ms) / 2), f);
			vgs_plot_dat_num(f, y);
			vgs_plot_dat_num(f, (b->t1_ms - b->t0_ms) / 2);
			vgs_plot_dat_num(f, dy);
			fprintf(f, "\t%u\n", b->tenant);
		}
		if (!any)
			fputs("NaN\tNaN\tNaN\tNaN\t0\n", f);
		fputs("\n\n", f);
	}
	rc = vgs_plot_dat_close(p, f, path);
	f = NULL;
	if (rc < 0)
		goto out;
	{
		GString *tn = g_string_new(NULL);

		for (guint i = 0; i < vgs_table_nrows(tenants(p)); i++)
			g_string_append_printf(tn, "%s%s", i ? " " : "", vgs_table_get(tenants(p), i, "tenant"));
		vgs_plot_gp_var(v, "engines", names->str);
		vgs_plot_gp_var(v, "tenants", tn->str);
		vgs_plot_gp_var(v, "policy", p->runs[r].name);
		g_string_append_printf(v, "gantt_ms=%s; ", vgs_fmt_double(buf, sizeof(buf), "%.6f", gantt_ms));
		g_string_free(tn, TRUE);
	}
	out = g_strdup_printf("gantt-%s", p->runs[r].name);
	vgs_plot_job_add(p, "plot-gantt.gp", out, path, v);
	g_free(out);
out:
	if (f)
		fclose(f);
	g_free(slices);
	g_free(file);
	g_free(path);
	g_free(nchan);
	g_free(ypos);
	g_array_free(boxes, TRUE);
	g_string_free(v, TRUE);
	g_string_free(names, TRUE);
	return rc;
}
