/*
 * Moving a loaded trace to another GPU (docs/translate.md): its durations by kernel class, its gaps by
 * host speed (vgs_trace_translate), and the timeline a solo replay of the result gives
 * (vgs_trace_solo_times), which `vgpusim translate` writes as the new start_ns / end_ns.
 *
 * The solo timeline is the replay semantics of docs/trace-format.md on an ideal GPU (speed 1, no
 * launch, switch or trap cost, a channel for every stream), stepped in seq order as a lone tenant
 * steps it (models/driver/tenant.c): command i is fetched when command i-1 was submitted (that is
 * when a periodic unit takes its tick), submitted at max(submit(i-1), base + gap, barrier, arrival),
 * and starts when it was submitted and the command its start waits for (the previous of its stream,
 * or `after`) has ended.  On an imported capture it gives back the recorded times (the solo-replay
 * invariant, DESIGN.md §3), which is what makes an identity translation exact.
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "models/workload/kspeed.h"
#include "models/workload/trace.h"

/* The class and roofline of command i (VGS_KC_NONE without a `kc` attribute). */
static void class_of(const struct vgs_trace *t, size_t i, int *kc, int *roof)
{
	const struct vgs_trace_attr *a = t->attr ? &t->attr[i] : NULL;

	*kc = a && (a->have & VGS_ATTR_KC) ? a->kc : VGS_KC_NONE;
	*roof = vgs_kclass_roof(*kc, a && (a->have & VGS_ATTR_PROFILE) ? a->profile : 0);
}

void vgs_trace_translate(struct vgs_trace *t, const struct vgs_kspeed *from, const double *from_engine,
			 const struct vgs_kspeed *to, const double *to_engine)
{
	double host = vgs_kspeed_host(from) / vgs_kspeed_host(to);

	for (size_t i = 0; i < t->ncmds; i++) {
		struct vgs_trace_cmd *c = &t->cmds[i];
		int kc, roof;
		double w;

		class_of(t, i, &kc, &roof);
		if (kc && (to->omit & ~from->omit & (1u << kc))) {
			/* `to` emits no such op: no GPU time, nor its host call */
			c->work_ns = c->gap_ns = 0;
			continue;
		}
		w = vgs_kspeed_to_ref(from, from_engine[c->cls], kc, roof, (double)c->work_ns);
		c->work_ns = (uint64_t)llround(vgs_kspeed_from_ref(to, to_engine[c->cls], kc, roof, w));
		if (host != 1.0)
			c->gap_ns = (uint64_t)llround((double)c->gap_ns * host);
	}
}

/* The periodic arrival of a unit fetched at now_ns (vgs_ticker_next, models/workload/cmds.c). */
static uint64_t tick(uint64_t *next, uint64_t p, uint64_t now_ns)
{
	uint64_t k = *next;

	if (now_ns / p > k && now_ns > (k + 1) * p && (now_ns + p - 1) / p - 1 > k)
		k = (now_ns + p - 1) / p - 1;
	*next = k + 1;
	return k * p;
}

bool vgs_trace_solo_times(const struct vgs_trace *t, uint64_t *start, uint64_t *end)
{
	GHashTable *last = g_hash_table_new(g_direct_hash, g_direct_equal); /* stream + 1 -> seq + 1 */
	uint64_t submit = 0, ticks = 0, inflight = t->frames_in_flight;
	uint64_t end_seq[VGS_TRACE_MAX_INFLIGHT] = { 0 }, end_unit[VGS_TRACE_MAX_INFLIGHT] = { 0 };

	if (t->arrival == VGS_ARRIVAL_POISSON) {
		g_hash_table_destroy(last);
		return false; /* random arrivals: no one timeline */
	}
	for (size_t i = 0; i < t->ncmds; i++) {
		const struct vgs_trace_cmd *c = &t->cmds[i];
		bool anchor = c->flags & VGS_CMD_ANCHOR_PREV;
		uint64_t deps = 0, when, s;
		gpointer key = GUINT_TO_POINTER(c->stream + 1);
		size_t pred = GPOINTER_TO_SIZE(g_hash_table_lookup(last, key)); /* seq + 1, 0: none */
		int ndeps = c->ndeps;

		for (int d = 0; d < c->ndeps; d++)
			deps = MAX(deps, end[i - c->dep_back[d]]);
		/* frames in flight: the unit u - F must have ended (trace.c adds this fence) */
		if (inflight && (c->flags & VGS_CMD_UNIT_BEGIN) && c->unit >= inflight) {
			uint64_t k = c->unit % inflight;

			if (end_unit[k] == c->unit - inflight + 1) {
				anchor |= ndeps++ == 0;
				deps = MAX(deps, end[end_seq[k]]);
			}
		}
		if (inflight && (c->flags & VGS_CMD_UNIT_END)) {
			end_seq[c->unit % inflight] = i;
			end_unit[c->unit % inflight] = c->unit + 1;
		}
		when = (ndeps && !anchor ? deps : submit) + c->gap_ns;
		when = MAX(when, submit);
		if (anchor)
			when = MAX(when, deps);
		if (t->arrival == VGS_ARRIVAL_PERIODIC && (c->flags & VGS_CMD_UNIT_BEGIN))
			when = MAX(when, tick(&ticks, t->arrival_ns, submit));
		submit = when;
		if (t->attr && (t->attr[i].have & VGS_ATTR_AFTER))
			pred = t->attr[i].after_back == VGS_AFTER_NONE ? 0 : i - t->attr[i].after_back + 1;
		s = pred ? MAX(submit, end[pred - 1]) : submit;
		start[i] = s;
		end[i] = s + c->work_ns;
		g_hash_table_insert(last, key, GSIZE_TO_POINTER(i + 1));
	}
	g_hash_table_destroy(last);
	return true;
}
