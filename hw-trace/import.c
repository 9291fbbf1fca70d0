/*
 * The import core: recorded GPU operations in, native trace out (see import.h).
 *
 * Reconstruction, per context (DESIGN.md §3):
 *   1. Stream order: the ops of a stream, sorted by recorded start, ran in that order.
 *   2. Effective submit s: the recorded submit (launch call, ioctl), or the start when unknown.  When an
 *      op started later than both s and its stream predecessor's end, what delayed it (launch latency,
 *      a busy engine) is not modelled, so s is raised to the recorded start: solo replay then starts it
 *      exactly there.  s is made non-decreasing along a context's stream so that submission order keeps
 *      stream order.  With shared_streams (rings shared by contexts, ftrace) the predecessor may be
 *      another context's op: waiting behind it is contention that a joint replay reproduces, so the
 *      recorded submit is kept; such a capture is exact when its contexts are replayed together.
 *   3. seq = order of s (ties: start, then capture order).
 *   4. Dependency: the latest-completing op of the context that had completed by s, with
 *      gap = s - its end; with none, gap = s - s(previous).  Solo replay then submits each op at
 *      exactly s: max(s(prev), end(dep) + gap) = s.  Ops that open an open-loop unit (an arrival time,
 *      e.g. a PresentMon frame) get no dependency: they are submitted on the capture's cadence whatever
 *      the GPU does.
 *   5. Units: a unit opens at every VGS_OP_UNIT_BEGIN (and at seq 0) and closes at the op before the
 *      next one opens (E), so units follow submission order.
 * Times are rebased to the capture's first event (the earliest submit or start of any context).
 * Recorded allocations and frees (vgs_import_add_mem) become memory lines before the commands
 * (import_mem.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hw-trace/import.h"

void vgs_import_init(struct vgs_import *im, const char *format)
{
	memset(im, 0, sizeof(*im));
	im->ops = g_array_new(FALSE, FALSE, sizeof(struct vgs_op));
	im->mem = g_array_new(FALSE, FALSE, sizeof(struct vgs_mem_event));
	im->ctx_names = g_ptr_array_new_with_free_func(g_free);
	im->units = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	im->format = g_strdup(format);
}

void vgs_import_fini(struct vgs_import *im)
{
	if (im->ops)
		g_array_free(im->ops, TRUE);
	if (im->mem)
		g_array_free(im->mem, TRUE);
	if (im->ctx_names)
		g_ptr_array_free(im->ctx_names, TRUE);
	if (im->units)
		g_hash_table_destroy(im->units);
	g_free(im->source);
	g_free(im->gpu);
	g_free(im->unit);
	g_free(im->format);
	memset(im, 0, sizeof(*im));
}

/*
 * A context's name as the native format writes it: one word of the ctx column (no blank, no '#', no
 * control character; "_" when empty).  Names are made so when a context is added, so that what `trace
 * stats` prints, what `import --context` and a config's `context` key take, and what the ctx column
 * holds are the same text (two captured names that differ only there are one context).
 */
static char *ctx_word(const char *s)
{
	GString *w = g_string_new(NULL);

	for (; *s; s++)
		g_string_append_c(w, (unsigned char)*s <= ' ' || *s == '#' || *s == 0x7f ? '_' : *s);
	if (!w->len)
		g_string_append_c(w, '_');
	return g_string_free(w, FALSE);
}

uint32_t vgs_import_ctx(struct vgs_import *im, const char *name)
{
	char *word = ctx_word(name);

	for (guint i = 0; i < im->ctx_names->len; i++)
		if (strcmp(im->ctx_names->pdata[i], word) == 0) {
			g_free(word);
			return i;
		}
	g_ptr_array_add(im->ctx_names, word);
	return im->ctx_names->len - 1;
}

/* A metadata line's value: one line (a path or a GPU name may hold a line break). */
static void meta_line(FILE *out, const char *key, const char *value)
{
	fprintf(out, "@%s ", key);
	for (; *value; value++)
		fputc(*value == '\n' || *value == '\r' ? ' ' : *value, out);
	fputc('\n', out);
}

void vgs_import_add(struct vgs_import *im, const struct vgs_op *op)
{
	g_array_append_val(im->ops, *op);
}

void vgs_import_add_mem(struct vgs_import *im, const struct vgs_mem_event *e)
{
	g_array_append_val(im->mem, *e);
}

/* Per-op working state of the reconstruction. */
struct rec {
	const struct vgs_op *op;
	uint32_t index;      /* capture order, for stable ties */
	uint64_t submit;     /* effective submit */
	uint64_t seq;        /* file-wide */
	int64_t dep;         /* seq of the dependency, -1 if none */
	uint64_t gap;
	uint64_t unit;
	uint8_t flags;       /* VGS_CMD_UNIT_* */
};

static bool shared_streams;	/* set for the duration of one vgs_import_write (qsort has no user pointer) */

static int by_stream_start(const void *a, const void *b)
{
	const struct rec *x = *(struct rec *const *)a, *y = *(struct rec *const *)b;

	if (!shared_streams && x->op->ctx != y->op->ctx)
		return x->op->ctx < y->op->ctx ? -1 : 1;
	if (x->op->stream != y->op->stream)
		return x->op->stream < y->op->stream ? -1 : 1;
	if (x->op->start_ns != y->op->start_ns)
		return x->op->start_ns < y->op->start_ns ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

static int by_submit(const void *a, const void *b)
{
	const struct rec *x = *(struct rec *const *)a, *y = *(struct rec *const *)b;

	if (x->submit != y->submit)
		return x->submit < y->submit ? -1 : 1;
	if (x->op->start_ns != y->op->start_ns)
		return x->op->start_ns < y->op->start_ns ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Steps 1-2: effective submit times, per (context, stream). */
static void effective_submits(struct rec **v, size_t n)
{
	qsort(v, n, sizeof(*v), by_stream_start);
	for (size_t i = 0; i < n; i++) {
		struct rec *r = v[i];
		const struct rec *prev = (i > 0 && (shared_streams || v[i - 1]->op->ctx == r->op->ctx) &&
					  v[i - 1]->op->stream == r->op->stream) ? v[i - 1] : NULL;
		uint64_t s = r->op->submit_ns == VGS_NO_TIME ? r->op->start_ns : r->op->submit_ns;
		uint64_t ready;

		if (s > r->op->start_ns)
			s = r->op->start_ns; /* clocks of host and device disagree: trust the device */
		ready = prev && prev->op->end_ns > s ? prev->op->end_ns : s;
		if (r->op->start_ns > ready)
			s = r->op->start_ns;
		if (prev && prev->op->ctx == r->op->ctx && s < prev->submit)
			s = prev->submit;
		r->submit = s;
	}
}

struct end_entry {
	uint64_t end;
	uint64_t seq;
};

/*
 * Step 4 for one context, its ops in seq order: the dependency of each op is the op with the latest end
 * among those ended by its submit.  Ends are kept in a min-heap keyed by end of the ops not yet
 * "completed" at the current submit time; popping everything that ended by s leaves the latest one
 * seen as the candidate.  O(n log n).
 */
static void dependencies(struct rec **v, size_t n, uint64_t origin)
{
	GArray *heap = g_array_new(FALSE, FALSE, sizeof(struct end_entry));
	struct end_entry best = { 0, UINT64_MAX };
	uint64_t prev_submit = 0;

	for (size_t i = 0; i < n; i++) {
		struct rec *r = v[i];

		/* pop all ends <= submit, keep the latest */
		while (heap->len) {
			struct end_entry top = g_array_index(heap, struct end_entry, 0);

			if (top.end > r->submit)
				break;
			if (best.seq == UINT64_MAX || top.end >= best.end)
				best = top;
			/* heap pop */
			g_array_index(heap, struct end_entry, 0) = g_array_index(heap, struct end_entry, heap->len - 1);
			g_array_set_size(heap, heap->len - 1);
			for (guint k = 0;;) {
				guint l = 2 * k + 1, rr = l + 1, m = k;
				struct end_entry *h = (struct end_entry *)heap->data;

				if (l < heap->len && h[l].end < h[m].end)
					m = l;
				if (rr < heap->len && h[rr].end < h[m].end)
					m = rr;
				if (m == k)
					break;
				struct end_entry t = h[k];

				h[k] = h[m];
				h[m] = t;
				k = m;
			}
		}
		if (r->op->arrival_ns == VGS_NO_TIME && best.seq != UINT64_MAX && r->seq - best.seq <= VGS_DEP_WINDOW) {
			r->dep = (int64_t)best.seq;
			r->gap = r->submit - best.end;
		} else {
			r->dep = -1;
			/* the first op's gap counts from the capture's origin: the tenant starts there */
			r->gap = r->submit - (i ? prev_submit : origin);
		}
		prev_submit = r->submit;
		/* heap push */
		struct end_entry e = { r->op->end_ns, r->seq };

		g_array_append_val(heap, e);
		for (guint k = heap->len - 1; k > 0;) {
			guint p = (k - 1) / 2;
			struct end_entry *h = (struct end_entry *)heap->data;

			if (h[p].end <= h[k].end)
				break;
			struct end_entry t = h[k];

			h[k] = h[p];
			h[p] = t;
			k = p;
		}
	}
	g_array_free(heap, TRUE);
}

/* Step 5 for one context, ops in seq order. */
static void units(struct rec **v, size_t n)
{
	uint64_t unit = 0;

	for (size_t i = 0; i < n; i++) {
		bool begin = i == 0 || (v[i]->op->flags & VGS_OP_UNIT_BEGIN);

		if (begin && i > 0) {
			v[i - 1]->flags |= VGS_CMD_UNIT_END;
			unit++;
		}
		v[i]->unit = unit;
		if (begin)
			v[i]->flags |= VGS_CMD_UNIT_BEGIN;
	}
	if (n)
		v[n - 1]->flags |= VGS_CMD_UNIT_END;
}

static const char *flag_text(uint8_t f)
{
	switch (f & (VGS_CMD_UNIT_BEGIN | VGS_CMD_UNIT_END)) {
	case VGS_CMD_UNIT_BEGIN:
		return "B";
	case VGS_CMD_UNIT_END:
		return "E";
	case VGS_CMD_UNIT_BEGIN | VGS_CMD_UNIT_END:
		return "BE";
	default:
		return "-";
	}
}

int vgs_import_write(const struct vgs_import *im, int ctx, FILE *out, struct vgs_error *err)
{
	size_t n = 0, total = im->ops->len;
	struct rec *recs = g_new0(struct rec, total);
	struct rec **v = g_new(struct rec *, total);
	uint64_t origin = UINT64_MAX;
	struct vgs_import_mem **mems;
	size_t *last;
	uint32_t nctx;
	int rc = 0;

	for (size_t i = 0; i < total; i++) {
		const struct vgs_op *op = &g_array_index(im->ops, struct vgs_op, i);

		if (op->end_ns < op->start_ns) {
			vgs_error_set(err, "%s: op %zu ends before it starts", im->source ? im->source : "import", i);
			rc = -1;
			goto out;
		}
		/* The origin is the whole capture's first event, so contexts exported apart keep their offsets. */
		if (op->start_ns < origin)
			origin = op->start_ns;
		if (op->submit_ns != VGS_NO_TIME && op->submit_ns < origin)
			origin = op->submit_ns;
		if (ctx >= 0 && op->ctx != (uint32_t)ctx)
			continue;
		recs[n].op = op;
		recs[n].index = (uint32_t)i;
		v[n] = &recs[n];
		n++;
	}
	if (n == 0) {
		vgs_error_set(err, "%s: no GPU operations to write", im->source ? im->source : "import");
		rc = -1;
		goto out;
	}
	shared_streams = im->shared_streams;
	effective_submits(v, n);
	qsort(v, n, sizeof(*v), by_submit);
	for (size_t i = 0; i < n; i++)
		v[i]->seq = i;
	/* Per context, in seq order: dependencies and units. */
	for (uint32_t c = 0; c < im->ctx_names->len; c++) {
		struct rec **cv = g_new(struct rec *, n);
		size_t m = 0;

		for (size_t i = 0; i < n; i++)
			if (v[i]->op->ctx == c)
				cv[m++] = v[i];
		dependencies(cv, m, origin);
		units(cv, m);
		g_free(cv);
	}

	fprintf(out, "#vgpusim-trace 1\n# Imported by vgpusim import (%s); times rebased to the capture's first event.\n",
		im->format ? im->format : "?");
	if (im->unit)
		fprintf(out, "@unit %s\n", im->unit); /* the importers' own word */
	if (im->source)
		meta_line(out, "source", im->source);
	if (im->gpu)
		meta_line(out, "gpu", im->gpu);
	fprintf(out, "seq\tclass\tstream\twork_ns\tbytes\tdir\tdeps\tgap_ns\tunit\tflags%s\tstart_ns\tend_ns\n",
		ctx < 0 ? "\tctx" : "");
	/* Memory lines go before the command each context submitted next (import_mem.c). */
	nctx = im->ctx_names->len;
	mems = g_new0(struct vgs_import_mem *, nctx ? nctx : 1);
	last = g_new0(size_t, nctx ? nctx : 1);
	for (size_t i = 0; i < n; i++)
		last[v[i]->op->ctx] = i;
	for (uint32_t c = 0; c < nctx; c++)
		mems[c] = vgs_import_mem_new(im, c);
	for (size_t i = 0; i < n; i++) {
		const struct rec *r = v[i];
		const struct vgs_op *op = r->op;
		char dep[32] = "-";

		vgs_import_mem_lines(mems[op->ctx], r->submit, last[op->ctx] == i, out);

		if (r->dep >= 0)
			snprintf(dep, sizeof(dep), "%" PRId64, r->dep);
		fprintf(out, "%zu\t%s\t%" PRIu32 "\t%" PRIu64 "\t%" PRIu64 "\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%s%s%s\t%" PRIu64
			"\t%" PRIu64 "\n",
			i, vgs_class_name(op->cls), op->stream, op->end_ns - op->start_ns, op->bytes, vgs_dir_name(op->dir),
			dep, r->gap, r->unit, flag_text(r->flags), ctx < 0 ? "\t" : "",
			ctx < 0 ? (const char *)im->ctx_names->pdata[op->ctx] : "", op->start_ns - origin, op->end_ns - origin);
	}
	for (uint32_t c = 0; c < nctx; c++)
		vgs_import_mem_free(mems[c]);
	g_free(mems);
	g_free(last);
	if (ferror(out)) {
		vgs_error_set(err, "cannot write the trace: %s", strerror(errno));
		rc = -1;
	}
out:
	g_free(recs);
	g_free(v);
	return rc;
}
