/*
 * The reconstruction: recorded GPU operations in, commands with submission order, dependencies, host
 * gaps and units out (DESIGN.md §3; import.h).  The recording is ground truth: solo replay of the
 * result on a GPU of speed 1 (no switch or trap cost) starts and ends every op when it was recorded,
 * and a slower or shared GPU slows the program down where the recording shows that it waited.
 *
 * Per context (the ftrace rings shared by contexts aside, below):
 *   1. Stream order.  The ops of a stream, by recorded start, ran in that order, but an op may start
 *      before the one ahead of it ends: profilers record a copy starting a few µs before the kernel
 *      ahead of it on its stream ends, or a GEMM before the elementwise kernel ahead of it, on NVIDIA
 *      and AMD alike.  Such an overlap is a fact to reproduce: an op's start waits for `pred`, the op of
 *      its stream with the latest end among those ended by its start (none when it overlaps them all),
 *      written as `after=SEQ` (or `after=-`) where that is not the previous op of the stream.
 *   2. Effective submit s: the recorded submit (launch call, ioctl), or the start when unknown.  When
 *      an op started later than both s and pred's end, what delayed it (launch latency, a busy engine)
 *      is not modelled, so s is raised to the recorded start: solo replay then starts it exactly there.
 *      s is made non-decreasing along a stream so that submission order keeps stream order.  With
 *      shared_streams (rings shared by contexts, ftrace) pred is the ring's previous job, whichever
 *      context it belongs to: waiting behind it is contention that a joint replay reproduces, so the
 *      recorded submit is kept.
 *   3. seq = order of s (ties: start, then capture order).
 *   4. Dependency and gap.  d = the latest-completing op of the context that had completed by s: the
 *      op is never submitted before d completes (DESIGN §3).  What the gap counts from is chosen by
 *      what the recording shows the host doing between its previous submission s' and s:
 *        - the host submits on its own (a submission chain is recorded: Kineto launch calls, ftrace
 *          ioctls) and no wait is recorded in (s', s]: gap = s - s', counted from s' (anchor=prev), d
 *          a barrier.  A d that completes late delays the op only by what the gap does not absorb, so
 *          one late op does not shift every later op (the 4,340-op capture of issue #15, 63 % idle,
 *          where 3,324 ops ended up 2.4-2.9 µs late behind one serialised overlap).
 *        - the host waited (a synchronising call ended in (s', s], struct vgs_host_wait): gap counts
 *          from the completion it waited for, the latest by the wait's end: the op follows the GPU.
 *        - no submit time is recorded (Orion kernels back to back, ops without a launch record): gap =
 *          s - end(d), counted from d: the closed loop of DESIGN §3.
 *        - an op that opens an open-loop unit (an arrival time: a PresentMon frame) gets no
 *          dependency, gap = s - s': frames arrive on the capture's cadence.
 *      With no d (or d more than VGS_DEP_WINDOW back) the gap counts from s' (the capture's origin for
 *      the first op).  Solo replay then submits every op at exactly s, by induction over seq.
 *   5. Units: a unit opens at every VGS_OP_UNIT_BEGIN (and at seq 0) and closes at the op before the
 *      next one opens (E), so units follow submission order.
 *   6. Frames in flight: where units are frames (im->frames_in_flight > 0), the smallest F >= that
 *      default for which the frame fence of trace replay (unit u waits for the end of unit u - F,
 *      models/workload/trace.c) changes nothing the capture did: @frames_in_flight F.
 */
#include <stdlib.h>
#include <string.h>

#include "hw-trace/import.h"

/* ---- the latest-ended entry as time rises ---- */

struct end_entry {
	uint64_t end;
	uint64_t key;                 /* ties on end: the larger key is the later one */
	struct vgs_rec *r;
};

/*
 * Of the entries pushed, the one with the latest end among those ended by a rising time t: a min-heap
 * (by end) of the entries not ended yet; popping those ended by t keeps the best popped.  O(log n) per
 * entry.  Used for stream order (t = an op's start) and dependencies (t = its submit).
 */
struct ended {
	GArray *heap;                 /* struct end_entry */
	struct end_entry best;        /* r == NULL: none yet */
};

static void ended_init(struct ended *e)
{
	e->heap = g_array_new(FALSE, FALSE, sizeof(struct end_entry));
	e->best = (struct end_entry){ 0, 0, NULL };
}

static void ended_fini(struct ended *e)
{
	g_array_free(e->heap, TRUE);
}

static bool before(const struct end_entry *a, const struct end_entry *b)
{
	return a->end != b->end ? a->end < b->end : a->key < b->key;
}

static void ended_push(struct ended *e, uint64_t end, uint64_t key, struct vgs_rec *r)
{
	struct end_entry x = { end, key, r };

	g_array_append_val(e->heap, x);
	for (guint k = e->heap->len - 1; k > 0;) {
		guint p = (k - 1) / 2;
		struct end_entry *h = (struct end_entry *)(void *)e->heap->data;

		if (!before(&h[k], &h[p]))
			break;
		struct end_entry t = h[k];

		h[k] = h[p];
		h[p] = t;
		k = p;
	}
}

/* The best of the entries ended by t (end <= t), NULL for none. */
static struct vgs_rec *ended_by(struct ended *e, uint64_t t)
{
	while (e->heap->len) {
		struct end_entry *h = (struct end_entry *)(void *)e->heap->data;
		struct end_entry top = h[0];

		if (top.end > t)
			break;
		if (!e->best.r || !before(&top, &e->best))
			e->best = top;
		h[0] = h[e->heap->len - 1];
		g_array_set_size(e->heap, e->heap->len - 1);
		h = (struct end_entry *)(void *)e->heap->data;
		for (guint k = 0;;) {
			guint l = 2 * k + 1, rr = l + 1, m = k;

			if (l < e->heap->len && before(&h[l], &h[m]))
				m = l;
			if (rr < e->heap->len && before(&h[rr], &h[m]))
				m = rr;
			if (m == k)
				break;
			struct end_entry t2 = h[k];

			h[k] = h[m];
			h[m] = t2;
			k = m;
		}
	}
	return e->best.r;
}

/* ---- orders ---- */

static bool shared_streams; /* set for the duration of one reconstruction (qsort has no user pointer) */
static bool by_ring;        /* by_stream_start across contexts: a shared ring's jobs */

static int by_index(const struct vgs_rec *x, const struct vgs_rec *y)
{
	return x->index < y->index ? -1 : x->index > y->index;
}

/* (context, stream, start): a context's streams, each in recorded order; with by_ring (stream, start),
 * whichever context submitted the job. */
static int by_stream_start(const void *a, const void *b)
{
	const struct vgs_rec *x = *(struct vgs_rec *const *)a, *y = *(struct vgs_rec *const *)b;

	if (!by_ring && x->op->ctx != y->op->ctx)
		return x->op->ctx < y->op->ctx ? -1 : 1;
	if (x->op->stream != y->op->stream)
		return x->op->stream < y->op->stream ? -1 : 1;
	if (x->op->start_ns != y->op->start_ns)
		return x->op->start_ns < y->op->start_ns ? -1 : 1;
	return by_index(x, y);
}

static int by_submit(const void *a, const void *b)
{
	const struct vgs_rec *x = *(struct vgs_rec *const *)a, *y = *(struct vgs_rec *const *)b;

	if (x->submit != y->submit)
		return x->submit < y->submit ? -1 : 1;
	if (x->op->start_ns != y->op->start_ns)
		return x->op->start_ns < y->op->start_ns ? -1 : 1;
	return by_index(x, y);
}

static bool same_stream(const struct vgs_rec *a, const struct vgs_rec *b)
{
	return a->op->ctx == b->op->ctx && a->op->stream == b->op->stream;
}

/* Step 1, v sorted by (context, stream, start): prev and pred of every op; the overlaps counted. */
static uint64_t stream_preds(struct vgs_rec **v, size_t n)
{
	uint64_t overlaps = 0;

	for (size_t i = 0, first = 0; i < n; i++) {
		struct ended e;

		if (i > first && same_stream(v[i], v[first]))
			continue;
		/* [first, last) is one stream */
		size_t last = first + 1;

		while (last < n && same_stream(v[last], v[first]))
			last++;
		ended_init(&e);
		for (size_t k = first; k < last; k++) {
			struct vgs_rec *r = v[k];

			r->prev = k > first ? v[k - 1] : NULL;
			r->pred = ended_by(&e, r->op->start_ns);
			overlaps += e.heap->len > 0; /* an earlier op had not ended by its start */
			ended_push(&e, r->op->end_ns, k, r);
		}
		ended_fini(&e);
		first = last;
		i = last - 1;
	}
	return overlaps;
}

/* Step 2, v sorted by (context, stream, start), or by (stream, start) with shared rings. */
static void effective_submits(struct vgs_rec **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vgs_rec *r = v[i];
		/* what its start waited for, and the op whose submission it may not precede */
		const struct vgs_rec *wait, *prev;
		uint64_t s = r->op->submit_ns == VGS_NO_TIME ? r->op->start_ns : r->op->submit_ns;
		uint64_t ready;

		if (shared_streams) {
			wait = i > 0 && v[i - 1]->op->stream == r->op->stream ? v[i - 1] : NULL;
			prev = wait && wait->op->ctx == r->op->ctx ? wait : NULL;
		} else {
			wait = r->pred;
			prev = r->prev;
		}
		if (s > r->op->start_ns)
			s = r->op->start_ns; /* clocks of host and device disagree: trust the device */
		ready = wait && wait->op->end_ns > s ? wait->op->end_ns : s;
		if (r->op->start_ns > ready)
			s = r->op->start_ns;
		if (prev && s < prev->submit)
			s = prev->submit;
		r->submit = s;
	}
}

/* The recorded host waits of context c, by end. */
static int by_end(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static GArray *wait_ends(const struct vgs_import *im, uint32_t c)
{
	GArray *w = g_array_new(FALSE, FALSE, sizeof(uint64_t));

	for (guint i = 0; im->waits && i < im->waits->len; i++) {
		const struct vgs_host_wait *h = &g_array_index(im->waits, struct vgs_host_wait, i);

		if (h->ctx == c)
			g_array_append_val(w, h->end_ns);
	}
	g_array_sort(w, by_end);
	return w;
}

static void anchor_on(struct vgs_rec *r, const struct vgs_rec *d, uint64_t from)
{
	if (d && r->seq - d->seq <= VGS_DEP_WINDOW) {
		r->dep = (int64_t)d->seq;
		r->gap = r->submit - d->op->end_ns;
	} else {
		r->dep = -1;
		r->gap = r->submit - from;
	}
}

/* Step 4 for one context, its ops in seq order. */
static void dependencies(struct vgs_rec **v, size_t n, uint64_t origin, const GArray *waits)
{
	struct ended e;
	uint64_t prev_submit = origin;
	guint w = 0;

	ended_init(&e);
	for (size_t i = 0; i < n; i++) {
		struct vgs_rec *r = v[i];
		const uint64_t *we = (const uint64_t *)(void *)waits->data;
		uint64_t waited = VGS_NO_TIME; /* the end of the last wait in (prev_submit, submit] */
		struct vgs_rec *d;

		for (; w < waits->len && we[w] <= r->submit; w++)
			if (we[w] > prev_submit)
				waited = we[w];
		if (r->op->arrival_ns != VGS_NO_TIME) {
			ended_by(&e, r->submit);
			anchor_on(r, NULL, prev_submit);
		} else if (r->op->submit_ns != VGS_NO_TIME && waited != VGS_NO_TIME) {
			anchor_on(r, ended_by(&e, waited), prev_submit);
		} else if (r->op->submit_ns != VGS_NO_TIME) {
			d = ended_by(&e, r->submit);
			anchor_on(r, d, prev_submit);
			if (r->dep >= 0) {
				r->gap = r->submit - prev_submit;
				r->flags |= VGS_CMD_ANCHOR_PREV;
			}
		} else {
			anchor_on(r, ended_by(&e, r->submit), prev_submit);
		}
		prev_submit = r->submit;
		ended_push(&e, r->op->end_ns, r->seq, r);
	}
	ended_fini(&e);
}

/* Step 5 for one context, ops in seq order; the ops that begin and end each unit into b and e. */
static void units(struct vgs_rec **v, size_t n, GPtrArray *b, GPtrArray *e)
{
	uint64_t unit = 0;

	for (size_t i = 0; i < n; i++) {
		bool begin = i == 0 || (v[i]->op->flags & VGS_OP_UNIT_BEGIN);

		if (begin && i > 0) {
			v[i - 1]->flags |= VGS_CMD_UNIT_END;
			g_ptr_array_add(e, v[i - 1]);
			unit++;
		}
		v[i]->unit = unit;
		if (begin) {
			v[i]->flags |= VGS_CMD_UNIT_BEGIN;
			g_ptr_array_add(b, v[i]);
		}
	}
	if (n) {
		v[n - 1]->flags |= VGS_CMD_UNIT_END;
		g_ptr_array_add(e, v[n - 1]);
	}
}

/*
 * Step 6: does a fence of F frames leave the capture as it was?  Unit u's first op waits for the op
 * that ended unit u - F, when that one came first: as a barrier (its gap counts from the previous
 * submission) or, when the op has a completion-anchored dependency, joining it.
 */
static bool fence_fits(struct vgs_rec **all, GPtrArray *b, GPtrArray *e, guint f)
{
	for (guint u = f; u < b->len; u++) {
		const struct vgs_rec *bu = b->pdata[u], *end = e->pdata[u - f];

		if (end->seq > bu->seq)
			continue;
		if (bu->dep >= 0 && !(bu->flags & VGS_CMD_ANCHOR_PREV)) {
			if (end->op->end_ns > all[bu->dep]->op->end_ns)
				return false;
		} else if (end->op->end_ns > bu->submit) {
			return false;
		}
	}
	return true;
}

int vgs_import_reconstruct(const struct vgs_import *im, int ctx, struct vgs_recon *r, struct vgs_error *err)
{
	size_t n = 0, total = im->ops->len;
	struct vgs_rec **v;

	memset(r, 0, sizeof(*r));
	r->recs = g_new0(struct vgs_rec, total ? total : 1);
	r->v = v = g_new(struct vgs_rec *, total ? total : 1);
	r->origin = UINT64_MAX;
	for (size_t i = 0; i < total; i++) {
		const struct vgs_op *op = &g_array_index(im->ops, struct vgs_op, i);

		if (op->end_ns < op->start_ns) {
			vgs_error_set(err, "%s: op %zu ends before it starts", im->source ? im->source : "import", i);
			return -1;
		}
		/* The origin is the whole capture's first event, so contexts exported apart keep their offsets. */
		if (op->start_ns < r->origin)
			r->origin = op->start_ns;
		if (op->submit_ns != VGS_NO_TIME && op->submit_ns < r->origin)
			r->origin = op->submit_ns;
		if (ctx >= 0 && op->ctx != (uint32_t)ctx)
			continue;
		r->recs[n] = (struct vgs_rec){ .op = op, .index = (uint32_t)i, .dep = -1, .attr = op->attr };
		r->recs[n].attr.have &= (uint16_t)~VGS_ATTR_AFTER;
		v[n] = &r->recs[n];
		n++;
	}
	r->n = n;
	if (n == 0) {
		vgs_error_set(err, "%s: no GPU operations to write", im->source ? im->source : "import");
		return -1;
	}
	shared_streams = im->shared_streams;
	by_ring = false;
	qsort(v, n, sizeof(*v), by_stream_start);
	r->overlaps = stream_preds(v, n);
	if (shared_streams) {
		by_ring = true;
		qsort(v, n, sizeof(*v), by_stream_start);
	}
	effective_submits(v, n);
	qsort(v, n, sizeof(*v), by_submit);
	for (size_t i = 0; i < n; i++)
		v[i]->seq = i;
	/* `after` where the op's start waits for another op than the previous one of its stream */
	for (size_t i = 0; i < n; i++) {
		struct vgs_rec *x = v[i];

		if (x->pred == x->prev)
			continue;
		x->attr.have |= VGS_ATTR_AFTER;
		x->attr.after_back = x->pred && x->seq - x->pred->seq <= VGS_DEP_WINDOW
					     ? (uint32_t)(x->seq - x->pred->seq) : VGS_AFTER_NONE;
	}
	/* Per context, in seq order: dependencies and units; the ops that begin and end each unit. */
	guint nctx = im->ctx_names->len;
	GPtrArray **b = g_new(GPtrArray *, nctx ? nctx : 1), **e = g_new(GPtrArray *, nctx ? nctx : 1);

	for (uint32_t c = 0; c < nctx; c++) {
		struct vgs_rec **cv = g_new(struct vgs_rec *, n);
		GArray *waits = wait_ends(im, c);
		size_t m = 0;

		for (size_t i = 0; i < n; i++)
			if (v[i]->op->ctx == c)
				cv[m++] = v[i];
		b[c] = g_ptr_array_new();
		e[c] = g_ptr_array_new();
		dependencies(cv, m, r->origin, waits);
		units(cv, m, b[c], e[c]);
		r->units += b[c]->len;
		g_array_free(waits, TRUE);
		g_free(cv);
	}
	/* Step 6: the smallest fence that fits every context (fits(F) need not follow from fits(F - 1)) */
	for (guint f = 1; im->frames_in_flight && f <= VGS_TRACE_MAX_INFLIGHT; f++) {
		bool fits = true;

		for (uint32_t c = 0; c < nctx && fits; c++)
			fits = fence_fits(v, b[c], e[c], f);
		if (fits && !r->frames_needed)
			r->frames_needed = f;
		if (fits && f >= im->frames_in_flight) {
			r->frames_in_flight = f;
			break;
		}
	}
	for (uint32_t c = 0; c < nctx; c++) {
		g_ptr_array_free(b[c], TRUE);
		g_ptr_array_free(e[c], TRUE);
	}
	g_free(b);
	g_free(e);
	return 0;
}

void vgs_recon_fini(struct vgs_recon *r)
{
	g_free(r->recs);
	g_free(r->v);
	memset(r, 0, sizeof(*r));
}
