/* Host-side bookkeeping of a tenant, shared by the simulator and the executor (see hostq.h). */
#include "models/driver/hostq.h"

struct vgs_open_unit {
	uint64_t arrival_ns;
	uint64_t deadline_ns;
	uint32_t gen;              /* generated frames shown besides it (vgs_cmd.gen) */
	bool failed;               /* a command of the unit was discarded by a reset: never delivered */
};

void vgs_hostq_init(struct vgs_hostq *q)
{
	q->done = g_new0(struct vgs_done, VGS_DEP_WINDOW);
	q->stream_last = g_hash_table_new(g_direct_hash, g_direct_equal);
	q->units = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	q->deadline = UINT64_MAX;
	q->deadline_stale = false;
}

void vgs_hostq_fini(struct vgs_hostq *q)
{
	g_free(q->done);
	if (q->stream_last)
		g_hash_table_destroy(q->stream_last);
	if (q->units)
		g_hash_table_destroy(q->units);
	q->done = NULL;
	q->stream_last = q->units = NULL;
}

bool vgs_hostq_done(const struct vgs_hostq *q, uint64_t seq, uint64_t *end_ns)
{
	const struct vgs_done *d = &q->done[seq % VGS_DEP_WINDOW];

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
	gpointer last = g_hash_table_lookup(q->stream_last, GUINT_TO_POINTER(c->stream));

	g_hash_table_insert(q->stream_last, GUINT_TO_POINTER(c->stream), GSIZE_TO_POINTER((gsize)c->seq + 1));
	return last ? (uint64_t)GPOINTER_TO_SIZE(last) - 1 : VGS_NO_TIME;
}

void vgs_hostq_unit_open(struct vgs_hostq *q, const struct vgs_cmd *c, uint64_t host_now_ns)
{
	struct vgs_open_unit *u = g_new(struct vgs_open_unit, 1);
	uint64_t *key = g_new(uint64_t, 1);

	*key = c->unit;
	u->arrival_ns = c->arrival_ns != VGS_NO_TIME ? c->arrival_ns : host_now_ns;
	u->deadline_ns = c->deadline_ns;
	u->gen = c->gen;
	u->failed = false;
	if (!g_hash_table_replace(q->units, key, u))
		q->deadline_stale = true; /* it replaced an open unit of the same number */
	else if (u->deadline_ns < q->deadline)
		q->deadline = u->deadline_ns;
}

/* Recomputed, O(open units), only after a unit closed: it is asked at every change of the rings. */
uint64_t vgs_hostq_deadline(struct vgs_hostq *q)
{
	GHashTableIter it;
	gpointer key, val;
	uint64_t dl = UINT64_MAX;

	if (!q->deadline_stale)
		return q->deadline;
	g_hash_table_iter_init(&it, q->units);
	while (g_hash_table_iter_next(&it, &key, &val)) {
		const struct vgs_open_unit *u = val;

		if (u->deadline_ns < dl)
			dl = u->deadline_ns;
	}
	q->deadline = dl;
	q->deadline_stale = false;
	return dl;
}

void vgs_hostq_complete(struct vgs_hostq *q, const struct vgs_cmd *c, uint64_t end_ns, bool dropped,
			struct vgs_metrics *m, uint32_t tenant)
{
	struct vgs_done *d = &q->done[c->seq % VGS_DEP_WINDOW];
	struct vgs_open_unit *u;

	d->seq1 = c->seq + 1;
	d->end_ns = end_ns;
	if (dropped) {
		u = g_hash_table_lookup(q->units, &c->unit);
		if (u)
			u->failed = true;
	}
	if (c->flags & VGS_CMD_UNIT_END) {
		u = g_hash_table_lookup(q->units, &c->unit);
		if (u) {
			if (!u->failed) {
				vgs_metrics_unit_done(m, tenant, c->unit, u->arrival_ns, end_ns, u->deadline_ns);
				if (u->gen)
					vgs_metrics_units_generated(m, tenant, end_ns, u->gen);
			}
			g_hash_table_remove(q->units, &c->unit);
			q->deadline_stale = true;
		}
	}
}
