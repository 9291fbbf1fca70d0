/* `vgpusim trace stats`: what a trace holds, from its recorded times. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hw-trace/stats.h"
#include "models/workload/trace.h"

/* The recorded commands of one loaded context as ops of context `ctx`. */
static void add_context(struct vgs_import *im, const struct vgs_trace *t, uint32_t ctx)
{
	uint64_t laid = 0; /* where the next command without recorded times starts */

	for (size_t i = 0; i < t->ncmds; i++) {
		const struct vgs_trace_cmd *c = &t->cmds[i];
		struct vgs_op op = {
			.start_ns = t->start_ns ? t->start_ns[i] : VGS_NO_TIME,
			.end_ns = t->end_ns ? t->end_ns[i] : VGS_NO_TIME,
			.submit_ns = VGS_NO_TIME,
			.arrival_ns = VGS_NO_TIME,
			.bytes = c->bytes,
			.stream = c->stream,
			.ctx = ctx,
			.cls = c->cls,
			.dir = c->dir,
			.flags = (c->flags & VGS_CMD_UNIT_BEGIN) ? VGS_OP_UNIT_BEGIN : 0,
		};
		if (t->attr)
			op.attr = t->attr[i]; /* kernel figures, gen; `after` is recomputed when written */
		/* Without recorded times, lay the commands end to end: counts stay right, span is work, and
		 * no two ops of a stream overlap that the file did not say overlap. */
		if (op.start_ns == VGS_NO_TIME) {
			op.start_ns = laid;
			op.end_ns = laid += c->work_ns;
		}
		vgs_import_add(im, &op);
	}
}

int vgs_import_native(struct vgs_import *im, const char *path, struct vgs_error *err)
{
	struct vgs_trace *t = NULL;
	char **names;

	/* Every context of the file (a multi-context trace: ftrace imports, tests/traces/multictx.vgt). */
	if (vgs_trace_load(path, vgs_trace_first_context, &t, err) != 0)
		return -1;
	vgs_import_init(im, "native");
	im->source = g_strdup(t->source ? t->source : path);
	im->gpu = t->gpu ? g_strdup(t->gpu) : NULL;
	im->unit = t->unit_name ? g_strdup(t->unit_name) : NULL;
	names = g_strdupv(t->contexts);
	add_context(im, t, vgs_import_ctx(im, t->context ? t->context : "default"));
	for (size_t k = 1; names[0] && names[k]; k++) {
		vgs_trace_free(t);
		t = NULL;
		if (vgs_trace_load(path, names[k], &t, err) != 0) {
			g_strfreev(names);
			vgs_import_fini(im);
			return -1;
		}
		add_context(im, t, vgs_import_ctx(im, names[k]));
	}
	g_strfreev(names);
	vgs_trace_free(t);
	return 0;
}

struct edge {
	uint64_t t;
	int d;
};

static int by_time(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->d - y->d; /* ends before starts at the same instant: touching ops do not overlap */
}

/*
 * Units as the trace written from this capture has them (one code path: vgs_import_reconstruct, the
 * importer's own), per context where units are frames: the frame rate of the application's frames
 * and, with frame generation, of the frames shown (application + generated).  Then what the
 * reconstruction found: overlaps on a stream, frames in flight, kernel figures.
 */
static void print_units(const struct vgs_import *im, FILE *out)
{
	struct vgs_recon r = { 0 };
	struct vgs_error err = { { 0 } };
	const char *unit = im->unit ? im->unit : "unit";
	uint64_t kern = 0;

	if (!im->ops->len || vgs_import_reconstruct(im, -1, &r, &err)) {
		vgs_recon_fini(&r);
		fprintf(out, "units:        0\n");
		return;
	}
	fprintf(out, "units:        %" PRIu64 " (%s)\n", r.units, unit);
	for (guint c = 0; strcmp(unit, "frame") == 0 && c < im->ctx_names->len; c++) {
		uint64_t n = 0, gen = 0, first = 0, last = 0;

		for (size_t i = 0; i < r.n; i++) {
			const struct vgs_rec *x = r.v[i];

			if (x->op->ctx != c || !(x->flags & VGS_CMD_UNIT_BEGIN))
				continue;
			first = n++ ? first : x->submit;
			last = x->submit;
			gen += x->attr.gen;
		}
		double fps = n > 1 && last > first ? (n - 1) * 1e9 / (double)(last - first) : 0;

		fprintf(out, "  %-22s %" PRIu64 " frames, %.1f fps", (char *)im->ctx_names->pdata[c], n, fps);
		if (gen)
			fprintf(out, "; with %" PRIu64 " generated: %.1f fps shown", gen, fps * (double)(n + gen) / (double)n);
		fputc('\n', out);
	}
	if (r.overlaps)
		fprintf(out, "overlaps:     %" PRIu64 " ops start before an earlier op of their stream ends\n", r.overlaps);
	if (r.frames_in_flight)
		fprintf(out, "in flight:    %u frames (the capture needs %u)\n", r.frames_in_flight, r.frames_needed);
	for (size_t i = 0; i < r.n; i++)
		kern += (r.v[i]->attr.have & VGS_ATTR_KERNEL) != 0;
	if (kern)
		fprintf(out, "kernel figures: %" PRIu64 " ops (sm, threads, regs, smem, occupancy, profile)\n", kern);
	vgs_recon_fini(&r);
}

/*
 * Busy time per kernel class (models/workload/kclass.h): each class's ops and the sum of their
 * durations, its share of the sum over all classes.  Overlapping ops each count in full, so the sum
 * can exceed the busy time above (the union); the two agree on single-stream captures.  Only for
 * traces whose ops carry a class (every import does; a native trace with `kc=` attributes).
 */
static void print_kclasses(const struct vgs_import *im, FILE *out)
{
	uint64_t ops[VGS_NKCLASS] = { 0 }, ns[VGS_NKCLASS] = { 0 }, total = 0;
	bool any = false;

	for (guint i = 0; i < im->ops->len; i++) {
		const struct vgs_op *op = &g_array_index(im->ops, struct vgs_op, i);
		int kc = (op->attr.have & VGS_ATTR_KC) ? op->attr.kc : VGS_KC_NONE;

		any |= kc != VGS_KC_NONE;
		ops[kc]++;
		ns[kc] += op->end_ns - op->start_ns;
		total += op->end_ns - op->start_ns;
	}
	if (!any)
		return;
	fprintf(out, "kernel classes: ops, busy (sum of durations), share\n");
	for (int kc = 0; kc < VGS_NKCLASS; kc++)
		if (ops[kc])
			fprintf(out, "  %-12s %7" PRIu64 "  %10.3f ms  %5.1f %%\n",
				kc ? vgs_kclass_name(kc) : "(none)", ops[kc], ns[kc] / 1e6,
				total ? 100.0 * (double)ns[kc] / (double)total : 0.0);
}

void vgs_import_print_stats(const struct vgs_import *im, const char *path, FILE *out)
{
	size_t n = im->ops->len;
	uint64_t by_cls[VGS_NCLASS] = { 0 }, first = UINT64_MAX, last = 0, collectives = 0, bytes = 0;
	GHashTable *streams = g_hash_table_new(g_direct_hash, g_direct_equal);
	struct edge *e = g_new(struct edge, 2 * n + 1);
	uint64_t busy = 0, open_since = 0;
	int depth = 0, max_depth = 0;

	for (size_t i = 0; i < n; i++) {
		const struct vgs_op *op = &g_array_index(im->ops, struct vgs_op, i);
		gpointer key = GUINT_TO_POINTER(op->stream + 1);

		by_cls[op->cls]++;
		g_hash_table_insert(streams, key, GSIZE_TO_POINTER(GPOINTER_TO_SIZE(g_hash_table_lookup(streams, key)) + 1));
		if (op->start_ns < first)
			first = op->start_ns;
		if (op->end_ns > last)
			last = op->end_ns;
		collectives += !!(op->flags & VGS_OP_COLLECTIVE);
		bytes += op->bytes;
		e[2 * i] = (struct edge){ op->start_ns, +1 };
		e[2 * i + 1] = (struct edge){ op->end_ns, -1 };
	}
	/* Busy time (union of op intervals) and maximum overlap, by a sweep over start/end edges. */
	qsort(e, 2 * n, sizeof(*e), by_time);
	for (size_t i = 0; i < 2 * n; i++) {
		if (e[i].d > 0 && depth++ == 0)
			open_since = e[i].t;
		if (e[i].d < 0 && --depth == 0)
			busy += e[i].t - open_since;
		if (depth > max_depth)
			max_depth = depth;
	}
	fprintf(out, "trace:        %s\nformat:       %s\n", path, im->format ? im->format : "?");
	if (im->gpu)
		fprintf(out, "gpu:          %s\n", im->gpu);
	fprintf(out, "contexts:     %u", im->ctx_names->len);
	for (guint c = 0; c < im->ctx_names->len; c++)
		fprintf(out, "%s%s", c ? ", " : " (", (char *)im->ctx_names->pdata[c]);
	fprintf(out, "%s\nops:          %zu\n", im->ctx_names->len ? ")" : "", n);
	for (int c = 0; c < VGS_NCLASS; c++)
		if (by_cls[c])
			fprintf(out, "  %-10s  %" PRIu64 "\n", vgs_class_name(c), by_cls[c]);
	fprintf(out, "streams:      %u\n", g_hash_table_size(streams));
	{
		/* streams in numeric order */
		guint ns = g_hash_table_size(streams), k = 0;
		uint32_t *ids = g_new(uint32_t, ns);
		GHashTableIter it;
		gpointer key, val;

		g_hash_table_iter_init(&it, streams);
		while (g_hash_table_iter_next(&it, &key, &val))
			ids[k++] = GPOINTER_TO_UINT(key) - 1;
		for (guint a = 1; a < ns; a++)
			for (guint b = a; b > 0 && ids[b - 1] > ids[b]; b--) {
				uint32_t t = ids[b];

				ids[b] = ids[b - 1];
				ids[b - 1] = t;
			}
		for (guint a = 0; a < ns; a++)
			fprintf(out, "  stream %-6" PRIu32 " %zu ops\n", ids[a],
				GPOINTER_TO_SIZE(g_hash_table_lookup(streams, GUINT_TO_POINTER(ids[a] + 1))));
		g_free(ids);
	}
	if (n) {
		fprintf(out, "span:         %.3f ms\n", (last - first) / 1e6);
		fprintf(out, "busy:         %.3f ms (%.1f %% of the span)\n", busy / 1e6,
			last > first ? 100.0 * busy / (last - first) : 0.0);
	}
	print_kclasses(im, out);
	fprintf(out, "max overlap:  %d ops at once\n", max_depth);
	if (collectives)
		fprintf(out, "collectives:  %" PRIu64 " ops\n", collectives);
	if (bytes)
		fprintf(out, "bytes copied: %" PRIu64 "\n", bytes);
	print_units(im, out);
	if (g_hash_table_size(im->units)) {
		GHashTableIter it;
		gpointer key, val;

		fprintf(out, "time units:  ");
		g_hash_table_iter_init(&it, im->units);
		while (g_hash_table_iter_next(&it, &key, &val))
			fprintf(out, " %s", (char *)key);
		fputc('\n', out);
	}
	g_hash_table_destroy(streams);
	g_free(e);
}
