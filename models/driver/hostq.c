/* Host-side bookkeeping of a tenant, shared by the simulator and the executor (see hostq.h). */
#include <string.h>

#include "models/driver/hostq.h"

#define UNITS_MIN 8
#define DONE_MIN 64u

void vgs_hostq_init(struct vgs_hostq *q)
{
	q->done_cap = DONE_MIN;
	q->done = g_new0(struct vgs_done, DONE_MIN);
	q->stream_small = NULL;
	q->nstream_small = 0;
	q->stream_big = NULL;
	q->units = g_new0(struct vgs_open_unit, UNITS_MIN);
	q->units_cap = UNITS_MIN;
	q->units_n = 0;
	q->deadline = UINT64_MAX;
	q->deadline_stale = false;
}

void vgs_hostq_fini(struct vgs_hostq *q)
{
	g_free(q->done);
	g_free(q->stream_small);
	if (q->stream_big)
		g_hash_table_destroy(q->stream_big);
	g_free(q->units);
	q->done = NULL;
	q->done_cap = 0;
	q->stream_small = NULL;
	q->stream_big = NULL;
	q->units = NULL;
	q->units_cap = q->units_n = 0;
}

/* ---- open units: linear probing keyed by the unit number (Knuth's multiplicative hash) ---------- */

static uint32_t unit_home(const struct vgs_hostq *q, uint64_t unit)
{
	return (uint32_t)((unit * 0x9E3779B97F4A7C15ull) >> 32) & (q->units_cap - 1);
}

/* The slot holding `unit`, or the empty slot where it would go. */
static struct vgs_open_unit *unit_slot(const struct vgs_hostq *q, uint64_t unit)
{
	uint32_t i = unit_home(q, unit);

	while (q->units[i].used && q->units[i].unit != unit)
		i = (i + 1) & (q->units_cap - 1);
	return &q->units[i];
}

static struct vgs_open_unit *unit_find(const struct vgs_hostq *q, uint64_t unit)
{
	struct vgs_open_unit *u = unit_slot(q, unit);

	return u->used ? u : NULL;
}

static void units_grow(struct vgs_hostq *q)
{
	struct vgs_open_unit *old = q->units;
	uint32_t n = q->units_cap;

	q->units_cap *= 2;
	q->units = g_new0(struct vgs_open_unit, q->units_cap);
	for (uint32_t i = 0; i < n; i++)
		if (old[i].used)
			*unit_slot(q, old[i].unit) = old[i];
	g_free(old);
}

/* Remove the unit in slot u, moving later members of its probe run back (no tombstones). */
static void unit_remove(struct vgs_hostq *q, struct vgs_open_unit *u)
{
	uint32_t mask = q->units_cap - 1, i = (uint32_t)(u - q->units), j = i;

	q->units[i].used = false;
	q->units_n--;
	for (;;) {
		uint32_t h;

		j = (j + 1) & mask;
		if (!q->units[j].used)
			return;
		h = unit_home(q, q->units[j].unit);
		/* Move j back into the hole at i unless its home lies cyclically in (i, j]. */
		if ((i <= j) ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		q->units[i] = q->units[j];
		q->units[j].used = false;
		i = j;
	}
}

/*
 * The ring behaves as one of VGS_DEP_WINDOW slots (seq's slot is seq % VGS_DEP_WINDOW): while every
 * seq recorded is below done_cap, slot seq % VGS_DEP_WINDOW is slot seq of the smaller ring, and a seq
 * at or past done_cap has nothing recorded yet.  Recording one grows the ring to cover it first.
 */
static void done_grow(struct vgs_hostq *q, uint64_t seq)
{
	uint32_t cap = q->done_cap;

	while (cap < VGS_DEP_WINDOW && seq >= cap)
		cap *= 2;
	if (cap == q->done_cap)
		return;
	q->done = g_renew(struct vgs_done, q->done, cap);
	memset(q->done + q->done_cap, 0, (cap - q->done_cap) * sizeof(*q->done));
	q->done_cap = cap;
}

bool vgs_hostq_done(const struct vgs_hostq *q, uint64_t seq, uint64_t *end_ns)
{
	const struct vgs_done *d;

	if (q->done_cap < VGS_DEP_WINDOW && seq >= q->done_cap)
		return false; /* nothing at or past done_cap completed yet */
	d = &q->done[seq % VGS_DEP_WINDOW];

	if (d->seq1 == seq + 1) {
		*end_ns = d->end_ns;
		return true;
	}
	/* A later command reused the slot: seq completed long ago (fences lie within the window). */
	if (d->seq1 > seq + 1) {
		*end_ns = 0;
		return true;
	}
	return false;
}

uint64_t vgs_hostq_stream_link(struct vgs_hostq *q, const struct vgs_cmd *c)
{
	uint64_t last;

	if (c->stream < VGS_HOSTQ_SMALL_STREAMS) {
		if (c->stream >= q->nstream_small) {
			uint32_t n = q->nstream_small ? q->nstream_small : 8;

			while (n <= c->stream)
				n *= 2;
			q->stream_small = g_renew(uint64_t, q->stream_small, n);
			memset(q->stream_small + q->nstream_small, 0, (n - q->nstream_small) * sizeof(uint64_t));
			q->nstream_small = n;
		}
		last = q->stream_small[c->stream];
		q->stream_small[c->stream] = c->seq + 1;
	} else {
		if (!q->stream_big)
			q->stream_big = g_hash_table_new(g_direct_hash, g_direct_equal);
		last = (uint64_t)GPOINTER_TO_SIZE(g_hash_table_lookup(q->stream_big, GUINT_TO_POINTER(c->stream)));
		g_hash_table_insert(q->stream_big, GUINT_TO_POINTER(c->stream), GSIZE_TO_POINTER((gsize)c->seq + 1));
	}
	return last ? last - 1 : VGS_NO_TIME;
}

void vgs_hostq_unit_open(struct vgs_hostq *q, const struct vgs_cmd *c, uint64_t host_now_ns)
{
	struct vgs_open_unit *u;
	bool replaced;

	if (2 * (q->units_n + 1) > q->units_cap)
		units_grow(q);
	u = unit_slot(q, c->unit);
	replaced = u->used;
	if (!replaced)
		q->units_n++;
	u->used = true;
	u->unit = c->unit;
	u->arrival_ns = c->arrival_ns != VGS_NO_TIME ? c->arrival_ns : host_now_ns;
	u->deadline_ns = c->deadline_ns;
	u->gen = c->gen;
	u->failed = false;
	if (replaced)
		q->deadline_stale = true; /* it replaced an open unit of the same number */
	else if (u->deadline_ns < q->deadline)
		q->deadline = u->deadline_ns;
}

/* Recomputed, O(table slots, at most 2 x the most units open at once), only after a unit closed: it
 * is asked at every change of the rings. */
uint64_t vgs_hostq_deadline(struct vgs_hostq *q)
{
	uint64_t dl = UINT64_MAX;

	if (!q->deadline_stale)
		return q->deadline;
	for (uint32_t i = 0; i < q->units_cap; i++)
		if (q->units[i].used && q->units[i].deadline_ns < dl)
			dl = q->units[i].deadline_ns;
	q->deadline = dl;
	q->deadline_stale = false;
	return dl;
}

void vgs_hostq_complete(struct vgs_hostq *q, const struct vgs_cmd *c, uint64_t end_ns, bool dropped,
			struct vgs_metrics *m, uint32_t tenant)
{
	struct vgs_done *d;
	struct vgs_open_unit *u;

	if (q->done_cap < VGS_DEP_WINDOW && c->seq >= q->done_cap)
		done_grow(q, c->seq);
	d = &q->done[c->seq % VGS_DEP_WINDOW];
	d->seq1 = c->seq + 1;
	d->end_ns = end_ns;
	if (dropped) {
		u = unit_find(q, c->unit);
		if (u)
			u->failed = true;
	}
	if (c->flags & VGS_CMD_UNIT_END) {
		u = unit_find(q, c->unit);
		if (u) {
			if (!u->failed) {
				vgs_metrics_unit_done(m, tenant, c->unit, u->arrival_ns, end_ns, u->deadline_ns);
				if (u->gen)
					vgs_metrics_units_generated(m, tenant, end_ns, u->gen);
			}
			unit_remove(q, u);
			q->deadline_stale = true;
		}
	}
}
