/*
 * `vgpusim fit` (hw-trace/fit.h): per-frame series of a PresentMon capture and per-unit series of a
 * Kineto or Orion capture, fitted with models/workload/fit.c and printed as a workload group.
 *
 * PresentMon columns, found by name (the first present wins; times in ms):
 *   frame time   FrameTime | MsBetweenAppStart | MsBetweenPresents   CPU start (or present) to the next
 *   GPU busy     GPUBusy | MsGPUBusy | MsGPUActive
 *   video busy   VideoBusy | MsVideoBusy | MsGPUVideoActive          optional
 *   sync         SyncInterval                                        optional: >= 1 is vsync
 *   display      MsBetweenDisplayChange | DisplayedTime              optional: the refresh interval
 * A row whose frame time is NA is skipped; a GPU busy of NA or 0 is left out of gfx_ms only.
 *
 * The model behind the printed group (docs/workloads.md): with cadence uncapped, frames_in_flight 2
 * and a GPU busy well below the frame time, the simulated frame time (present to present) is the CPU
 * time, so cpu_ms is the capture's frame times; with vsync the present waits for the next refresh,
 * so cpu_ms is the frame times less half a refresh interval and the simulated frame time comes back
 * to the capture's multiple of the refresh interval.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "hw-trace/fit.h"
#include "hw-trace/import.h"
#include "models/base/csv.h"
#include "models/workload/fit.h"

/* ---- printing -------------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void sort(GArray *a)
{
	if (a->len > 1) /* an empty GArray's data is NULL */
		qsort(a->data, a->len, sizeof(double), cmp_double);
}

/* "p50 / p90 / p99" of the sample and of d, in unit_ns. */
static void side_by_side(FILE *out, const double *x, size_t n, const struct vgs_dist *d, double unit_ns)
{
	static const double q[] = { 0.5, 0.9, 0.99 };

	fprintf(out, "capture p50/p90/p99");
	for (size_t i = 0; i < 3; i++)
		fprintf(out, "%s%.4g", i ? "/" : " ", vgs_fit_quantile(x, n, q[i]) / unit_ns);
	fprintf(out, ", fit");
	for (size_t i = 0; i < 3; i++)
		fprintf(out, "%s%.4g", i ? "/" : " ", vgs_fit_dist_quantile(d, q[i]) / unit_ns);
}

/* v (ns) to 4 significant digits in unit_ns: a fit's precision, not the capture's. */
static double round4(double v, double unit_ns)
{
	char buf[32];

	if (v <= 0)
		return v;
	g_ascii_formatd(buf, sizeof(buf), "%.4g", v / unit_ns);
	return g_ascii_strtod(buf, NULL) * unit_ns;
}

static void round_dist(struct vgs_dist *d, double unit_ns)
{
	struct vgs_dist_ext *e = d->ext;

	d->mean_ns = round4(d->mean_ns, unit_ns);
	d->cv = round4(d->cv, 1);
	for (size_t i = 0; e && e->x_ns && i < e->n; i++)
		e->x_ns[i] = round4(e->x_ns[i], unit_ns);
	for (size_t i = 0; e && e->comp && i < e->n; i++)
		round_dist(&e->comp[i], unit_ns);
}

/*
 * Fit sorted x[0..n) (ns) and print the comment lines about it and the key's line; `what` names
 * the quantity in the capture.
 */
static void fit_key(FILE *out, GString *body, const char *key, const char *what, const double *x, size_t n,
		    bool table_only, double unit_ns, const char *unit)
{
	struct vgs_fit f;

	vgs_fit_best(x, n, table_only, &f);
	round_dist(&f.d, unit_ns);
	f.ks = vgs_fit_ks(x, n, &f.d);
	fprintf(out, "#   %s <- %s, %zu samples: %s\n#     KS distance %.4f (5 %% critical value %.4f); ", key, what, n,
		f.why, f.ks, vgs_fit_ks_critical(n));
	side_by_side(out, x, n, &f.d, unit_ns);
	fprintf(out, " %s\n", unit);
	g_string_append_printf(body, "  %s = ", key);
	vgs_dist_print_config(&f.d, unit_ns, body);
	g_string_append(body, ";\n");
	vgs_dist_fini(&f.d);
}

/* ---- PresentMon ------------------------------------------------------------------------------ */

struct pm_ctx {
	char *name;
	GArray *ft, *busy, *video, *disp; /* double, ns */
	size_t frames, synced;            /* frames, and those with SyncInterval >= 1 */
	size_t rows_sync;                 /* frames with a SyncInterval */
	GHashTable *chains;               /* swap chains seen */
};

static struct pm_ctx *pm_find(GPtrArray *ctxs, const char *name)
{
	for (guint i = 0; i < ctxs->len; i++)
		if (!strcmp(((struct pm_ctx *)ctxs->pdata[i])->name, name))
			return ctxs->pdata[i];
	return NULL;
}

static struct pm_ctx *pm_ctx(GPtrArray *ctxs, const char *name)
{
	struct pm_ctx *c = pm_find(ctxs, name);

	if (c)
		return c;
	c = g_new0(struct pm_ctx, 1);
	c->name = g_strdup(name);
	c->ft = g_array_new(FALSE, FALSE, sizeof(double));
	c->busy = g_array_new(FALSE, FALSE, sizeof(double));
	c->video = g_array_new(FALSE, FALSE, sizeof(double));
	c->disp = g_array_new(FALSE, FALSE, sizeof(double));
	c->chains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_ptr_array_add(ctxs, c);
	return c;
}

static void pm_ctx_free(struct pm_ctx *c)
{
	g_free(c->name);
	g_array_free(c->ft, TRUE);
	g_array_free(c->busy, TRUE);
	g_array_free(c->video, TRUE);
	g_array_free(c->disp, TRUE);
	g_hash_table_destroy(c->chains);
	g_free(c);
}

static void append(GArray *to, const GArray *from)
{
	g_array_append_vals(to, from->data, from->len);
}

/*
 * --context APP (no PID): the frames of every process of that application, as one context "APP"
 * appended to ctxs.  False when no process has that name.
 */
static bool pm_merge(GPtrArray *ctxs, const char *app)
{
	char *prefix = g_strdup_printf("%s-", app);
	guint n = ctxs->len;
	struct pm_ctx *m = NULL;

	for (guint i = 0; i < n; i++) {
		struct pm_ctx *x = ctxs->pdata[i];
		GHashTableIter it;
		gpointer key;

		if (!g_str_has_prefix(x->name, prefix))
			continue;
		if (!m)
			m = pm_ctx(ctxs, app);
		append(m->ft, x->ft);
		append(m->busy, x->busy);
		append(m->video, x->video);
		append(m->disp, x->disp);
		m->frames += x->frames;
		m->synced += x->synced;
		m->rows_sync += x->rows_sync;
		g_hash_table_iter_init(&it, x->chains);
		while (g_hash_table_iter_next(&it, &key, NULL))
			g_hash_table_add(m->chains, g_strdup(key));
	}
	g_free(prefix);
	return m != NULL;
}

static int first_col(const struct vgs_csv *c, const char *const *names, const char **found)
{
	for (int i = 0; names[i]; i++) {
		int k = vgs_csv_col(c, names[i]);

		if (k >= 0) {
			*found = names[i];
			return k;
		}
	}
	*found = NULL;
	return -1;
}

/* Field k as ms -> ns: 1, 0 when absent or NA, -1 with err set when it is not a number. */
static int pm_num(const struct vgs_csv *c, int k, const char *name, double *ns, struct vgs_error *err)
{
	const char *s = vgs_csv_field(c, k);
	char *end;

	if (k < 0 || !s || !*s || !strcmp(s, "NA"))
		return 0;
	*ns = g_ascii_strtod(s, &end) * 1e6;
	if (*end || !isfinite(*ns)) {
		vgs_error_set(err, "%s:%u: %s: a number of ms, found '%s'", c->path, c->line, name, s);
		return -1;
	}
	return 1;
}

struct pm_cols {
	int app, pid, chain, ft, busy, video, sync, disp;
	const char *ft_name, *busy_name, *video_name, *disp_name;
};

static int pm_row(const struct vgs_csv *c, const struct pm_cols *k, GPtrArray *ctxs, struct vgs_error *err)
{
	char *name = g_strdup_printf("%s-%s", vgs_csv_field(c, k->app), vgs_csv_field(c, k->pid));
	struct pm_ctx *x = pm_ctx(ctxs, name);
	double ft, busy, video, disp;
	int r;

	g_free(name);
	if ((r = pm_num(c, k->ft, k->ft_name, &ft, err)) <= 0)
		return r;
	x->frames++;
	g_array_append_val(x->ft, ft);
	if (k->chain >= 0 && vgs_csv_field(c, k->chain))
		g_hash_table_add(x->chains, g_strdup(vgs_csv_field(c, k->chain)));
	if ((r = pm_num(c, k->busy, k->busy_name, &busy, err)) < 0)
		return -1;
	if (r && busy > 0)
		g_array_append_val(x->busy, busy);
	if ((r = pm_num(c, k->video, k->video_name, &video, err)) < 0)
		return -1;
	if (r && video > 0)
		g_array_append_val(x->video, video);
	if ((r = pm_num(c, k->disp, k->disp_name, &disp, err)) < 0)
		return -1;
	if (r && disp > 0)
		g_array_append_val(x->disp, disp);
	if (k->sync >= 0 && vgs_csv_field(c, k->sync) && *vgs_csv_field(c, k->sync)) {
		x->rows_sync++;
		x->synced += atoi(vgs_csv_field(c, k->sync)) >= 1;
	}
	return 1;
}

static void pm_print(FILE *out, const struct vgs_fit_args *a, const struct pm_ctx *x)
{
	bool vsync = x->rows_sync && 2 * x->synced > x->rows_sync;
	double refresh_ns = 1e9 / 60, hz;
	GArray *cpu = g_array_new(FALSE, FALSE, sizeof(double));
	GString *body = g_string_new(NULL);
	char hzs[32];

	if (vsync && x->disp->len)
		refresh_ns = vgs_fit_quantile((double *)x->disp->data, x->disp->len, 0.5);
	hz = 1e9 / refresh_ns;
	g_ascii_formatd(hzs, sizeof(hzs), "%.2f", hz);
	for (guint i = 0; i < x->ft->len; i++) {
		double v = g_array_index(x->ft, double, i) - (vsync ? refresh_ns / 2 : 0);

		v = fmax(v, 0);
		g_array_append_val(cpu, v);
	}
	sort(cpu);
	fprintf(out, "# %s: %zu frames on %u swap chain%s.\n", x->name, x->frames, g_hash_table_size(x->chains),
		g_hash_table_size(x->chains) == 1 ? "" : "s");
	if (vsync)
		fprintf(out, "#   cadence vsync: %zu of %zu frames presented with SyncInterval >= 1; refresh %s Hz (median "
			     "display interval %.4g ms)\n", x->synced, x->rows_sync, hzs, refresh_ns / 1e6);
	else
		fprintf(out, "#   cadence uncapped: %zu of %zu frames presented with SyncInterval >= 1\n", x->synced,
			x->rows_sync);
	fit_key(out, body, "cpu_ms", vsync ? "frame time - half a refresh interval" : "frame time", (double *)cpu->data,
		cpu->len, true, 1e6, "ms");
	if (x->busy->len) {
		sort(x->busy);
		fit_key(out, body, "gfx_ms", "GPU busy per frame", (double *)x->busy->data, x->busy->len, false, 1e6, "ms");
	}
	if (2 * x->video->len >= x->frames) {
		sort(x->video);
		fit_key(out, body, "venc_ms", "video busy per frame", (double *)x->video->data, x->video->len, false, 1e6,
			"ms");
	} else {
		fprintf(out, "#   venc_ms: the default (NVENC, docs/workloads.md): the capture has video busy on %u of "
			     "%zu frames\n", x->video->len, x->frames);
	}
	fprintf(out, "#   frames_in_flight 2: the CPU prepares a frame while the GPU renders the last, so the frame "
		     "time is the larger of the two, as in the capture.\n"
		     "#   The capture ran without a vGPU frame-rate limiter: to reproduce it alone set frl_fps = 0 "
		     "(the vGPU's default caps closed-loop games at 60 fps, docs/workloads.md).\n");
	fprintf(out, "workload = {\n  type = \"game\";\n  cadence = \"%s\";\n", vsync ? "vsync" : "uncapped");
	if (vsync)
		fprintf(out, "  refresh_hz = %s;\n", hzs);
	fprintf(out, "%s  frames_in_flight = 2;\n};\n", body->str);
	g_string_free(body, TRUE);
	g_array_free(cpu, TRUE);
	(void)a;
}

static int fit_presentmon(const struct vgs_fit_args *a, FILE *out, struct vgs_error *err)
{
	static const char *const ft[] = { "FrameTime", "MsBetweenAppStart", "MsBetweenPresents", NULL };
	static const char *const busy[] = { "GPUBusy", "MsGPUBusy", "MsGPUActive", NULL };
	static const char *const video[] = { "VideoBusy", "MsVideoBusy", "MsGPUVideoActive", NULL };
	static const char *const disp[] = { "MsBetweenDisplayChange", "DisplayedTime", NULL };
	GPtrArray *ctxs = g_ptr_array_new_with_free_func((GDestroyNotify)pm_ctx_free);
	struct vgs_csv c;
	struct pm_cols k;
	const char *unused;
	int rc = -1, got;
	size_t printed = 0;
	bool merged;

	if (vgs_csv_open(&c, a->path, err) < 0)
		goto out_ctx;
	if (vgs_csv_header(&c, err) < 0)
		goto out;
	k.app = first_col(&c, (const char *[]){ "Application", NULL }, &unused);
	k.pid = first_col(&c, (const char *[]){ "ProcessID", NULL }, &unused);
	k.chain = first_col(&c, (const char *[]){ "SwapChainAddress", NULL }, &unused);
	k.sync = first_col(&c, (const char *[]){ "SyncInterval", NULL }, &unused);
	k.ft = first_col(&c, ft, &k.ft_name);
	k.busy = first_col(&c, busy, &k.busy_name);
	k.video = first_col(&c, video, &k.video_name);
	k.disp = first_col(&c, disp, &k.disp_name);
	if (k.app < 0 || k.pid < 0 || k.ft < 0) {
		vgs_error_set(err, "%s:%u: a PresentMon header with Application, ProcessID and a frame time column "
			      "(FrameTime, MsBetweenAppStart or MsBetweenPresents)", a->path, c.line);
		goto out;
	}
	while ((got = vgs_csv_next(&c, err)) > 0) {
		if (c.fields->len != c.header->len) {
			vgs_error_set(err, "%s:%u: %u fields as in the header, found %u", a->path, c.line, c.header->len,
				      c.fields->len);
			goto out;
		}
		if (pm_row(&c, &k, ctxs, err) < 0)
			goto out;
	}
	if (got < 0)
		goto out;
	fprintf(out, "# vgpusim fit presentmon %s\n# frame time: %s; GPU busy: %s%s%s\n", a->path, k.ft_name,
		k.busy_name ? k.busy_name : "none", k.video_name ? "; video busy: " : "", k.video_name ? k.video_name : "");
	merged = a->context && !pm_find(ctxs, a->context) && pm_merge(ctxs, a->context);
	if (merged) {
		fprintf(out, "\n");
		pm_print(out, a, ctxs->pdata[ctxs->len - 1]);
		printed++;
	}
	for (guint i = 0; i < ctxs->len && !merged; i++) {
		struct pm_ctx *x = ctxs->pdata[i];

		if ((a->context && strcmp(a->context, x->name)) || x->frames < 2)
			continue;
		fprintf(out, "\n");
		pm_print(out, a, x);
		printed++;
	}
	if (!printed) {
		GString *names = g_string_new(NULL);

		for (guint i = 0; i < ctxs->len; i++)
			g_string_append_printf(names, "%s%s", i ? ", " : "", ((struct pm_ctx *)ctxs->pdata[i])->name);
		vgs_error_set(err, "%s: %s%s%s; processes with at least 2 frames: %s", a->path,
			      a->context ? "no process named '" : "no process with at least 2 frames",
			      a->context ? a->context : "", a->context ? "'" : "", names->len ? names->str : "none");
		g_string_free(names, TRUE);
		goto out;
	}
	rc = 0;
out:
	vgs_csv_close(&c);
out_ctx:
	g_ptr_array_free(ctxs, TRUE);
	return rc;
}

/* ---- Kineto and Orion: per unit -------------------------------------------------------------- */

static int by_start(const void *a, const void *b)
{
	const struct vgs_op *x = *(const struct vgs_op *const *)a, *y = *(const struct vgs_op *const *)b;

	return x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

/* The series of one context, over its units. */
struct units {
	size_t nunits, kernels, collectives;
	GArray *kernel, *gap, *coll, *iter;   /* double ns */
};

static void unit_series(const struct vgs_import *im, uint32_t ctx, struct units *u)
{
	GPtrArray *ops = g_ptr_array_new();
	uint64_t prev_submit = VGS_NO_TIME, unit_end = 0;

	memset(u, 0, sizeof(*u));
	u->kernel = g_array_new(FALSE, FALSE, sizeof(double));
	u->gap = g_array_new(FALSE, FALSE, sizeof(double));
	u->coll = g_array_new(FALSE, FALSE, sizeof(double));
	u->iter = g_array_new(FALSE, FALSE, sizeof(double));
	for (guint i = 0; i < im->ops->len; i++) {
		struct vgs_op *op = &g_array_index(im->ops, struct vgs_op, i);

		if (op->ctx == ctx && op->cls == VGS_COMPUTE)
			g_ptr_array_add(ops, op);
	}
	g_ptr_array_sort(ops, by_start);
	for (guint i = 0; i < ops->len; i++) {
		const struct vgs_op *op = ops->pdata[i];
		uint64_t submit = op->submit_ns; /* VGS_NO_TIME without launch times (Orion): no gaps */
		double d = (double)(op->end_ns - op->start_ns);

		if (i == 0 || (op->flags & VGS_OP_UNIT_BEGIN)) {
			/* the host between the last op of a unit and the next unit's first launch */
			if (i && submit != VGS_NO_TIME && submit > unit_end) {
				double gi = (double)(submit - unit_end);

				g_array_append_val(u->iter, gi);
			}
			u->nunits++;
			prev_submit = VGS_NO_TIME;
		}
		if (op->flags & VGS_OP_COLLECTIVE) {
			u->collectives++;
			g_array_append_val(u->coll, d);
		} else {
			u->kernels++;
			g_array_append_val(u->kernel, d);
			/* launch intervals of the compute kernels of one unit, up to 2 ms (longer ones are host stalls) */
			if (prev_submit != VGS_NO_TIME && submit != VGS_NO_TIME && submit >= prev_submit &&
			    submit - prev_submit <= 2000000) {
				double gv = (double)(submit - prev_submit);

				g_array_append_val(u->gap, gv);
			}
			prev_submit = submit;
		}
		if (op->end_ns > unit_end)
			unit_end = op->end_ns;
	}
	g_ptr_array_free(ops, TRUE);
	sort(u->kernel);
	sort(u->gap);
	sort(u->coll);
	sort(u->iter);
}

static void units_free(struct units *u)
{
	g_array_free(u->kernel, TRUE);
	g_array_free(u->gap, TRUE);
	g_array_free(u->coll, TRUE);
	g_array_free(u->iter, TRUE);
}

static double mean_of(const GArray *a)
{
	double s = 0;

	for (guint i = 0; i < a->len; i++)
		s += g_array_index(a, double, i);
	return a->len ? s / a->len : 0;
}

static void units_print(FILE *out, const struct vgs_fit_args *a, const struct vgs_import *im, uint32_t ctx)
{
	struct units u;
	bool train;
	GString *body = g_string_new(NULL);
	char *base = g_path_get_basename(a->path);

	unit_series(im, ctx, &u);
	/* Kineto units are training steps unless told otherwise; Orion names inference files *_fwd. */
	train = a->as ? !strcmp(a->as, "train") : strcmp(a->format, "orion") || !strstr(base, "_fwd");
	fprintf(out, "\n# %s: %zu unit%s (%s), %zu compute kernels and %zu collectives in all\n",
		(char *)im->ctx_names->pdata[ctx], u.nunits, u.nunits == 1 ? "" : "s", im->unit ? im->unit : "unit",
		u.kernels, u.collectives);
	g_string_append_printf(body, "  kernels = %zu;\n", u.nunits ? (u.kernels + u.nunits / 2) / u.nunits : 0);
	if (u.kernel->len)
		fit_key(out, body, "kernel_us", "kernel durations", (double *)u.kernel->data, u.kernel->len, false, 1e3, "us");
	if (u.gap->len)
		fit_key(out, body, "launch_gap_us", "launch intervals <= 2 ms", (double *)u.gap->data, u.gap->len, false,
			1e3, "us");
	else {
		g_string_append(body, "  launch_gap_us = 0.0;\n");
		fprintf(out, "#   launch_gap_us 0: the capture has no launch times (kernels back to back)\n");
	}
	if (train) {
		double ig = mean_of(u.iter);

		fprintf(out, "#   iter_gap_us: mean host time between units, %u interval%s\n", u.iter->len,
			u.iter->len == 1 ? "" : "s");
		g_string_append_printf(body, "  iter_gap_us = %.1f;\n", ig / 1e3);
		g_string_append_printf(body, "  allreduce_count = %zu;\n",
				       u.nunits ? (u.collectives + u.nunits / 2) / u.nunits : 0);
		if (u.coll->len)
			fit_key(out, body, "allreduce_us", "collective durations", (double *)u.coll->data, u.coll->len,
				false, 1e3, "us");
	}
	fprintf(out, "workload = {\n  type = \"%s\";\n%s};\n", train ? "train" : "infer", body->str);
	g_string_free(body, TRUE);
	units_free(&u);
	g_free(base);
}

static int fit_units(const struct vgs_fit_args *a, FILE *out, struct vgs_error *err)
{
	struct vgs_import im;
	int rc = -1;
	size_t printed = 0;

	vgs_import_init(&im, a->format);
	if ((!strcmp(a->format, "kineto") ? vgs_import_kineto(&im, a->path, err) : vgs_import_orion(&im, a->path, err)) < 0)
		goto out;
	fprintf(out, "# vgpusim fit %s %s\n", a->format, a->path);
	for (uint32_t c = 0; c < im.ctx_names->len; c++) {
		if (a->context && strcmp(a->context, im.ctx_names->pdata[c]))
			continue;
		units_print(out, a, &im, c);
		printed++;
	}
	if (!printed) {
		vgs_error_set(err, "%s: no context named '%s'", a->path, a->context);
		goto out;
	}
	rc = 0;
out:
	vgs_import_fini(&im);
	return rc;
}

int vgs_fit_capture(const struct vgs_fit_args *a, FILE *out, struct vgs_error *err)
{
	if (!strcmp(a->format, "presentmon"))
		return fit_presentmon(a, out, err);
	return fit_units(a, out, err);
}
