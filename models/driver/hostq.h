/*
 * The host-side bookkeeping of one tenant that both drivers (the simulator and the executor, through
 * models/driver/tenant.c) keep the same way, so that a fence, a stream order or a unit means
 * the same thing in both:
 *   - completions of the last VGS_DEP_WINDOW commands (fences look back no further: types.h);
 *   - the last submitted command of each stream (a command starts after its stream predecessor);
 *   - the open units (frames, requests, iterations) with their arrival and deadline; a unit one of whose
 *     commands a reset discarded is never delivered.
 * Memory is bounded by the window, the streams and the units in flight, not by the run's length.
 */
#ifndef VGS_HOSTQ_H
#define VGS_HOSTQ_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "models/results/metrics.h"
#include "models/base/types.h"

struct vgs_done {
	uint64_t seq1;             /* seq + 1 of the command that completed in this slot, 0: none yet */
	uint64_t end_ns;
};

struct vgs_hostq {
	struct vgs_done *done;     /* ring of VGS_DEP_WINDOW completions, zeroed: pages are touched as used */
	GHashTable *stream_last;   /* stream -> last submitted seq + 1 */
	GHashTable *units;         /* unit -> struct vgs_open_unit, the open units */
	uint64_t deadline;         /* the earliest deadline among them, while !deadline_stale */
	bool deadline_stale;       /* a unit closed (or was reopened): recompute */
};

void vgs_hostq_init(struct vgs_hostq *q);
void vgs_hostq_fini(struct vgs_hostq *q);
/* Has seq completed?  *end_ns = when (0 when it left the window long ago). */
bool vgs_hostq_done(const struct vgs_hostq *q, uint64_t seq, uint64_t *end_ns);
/* c enters its ring now: the seq of its stream predecessor, or VGS_NO_TIME. */
uint64_t vgs_hostq_stream_link(struct vgs_hostq *q, const struct vgs_cmd *c);
/* c (carrying VGS_CMD_UNIT_BEGIN) opens its unit; arrival: its open-loop arrival, else host_now_ns. */
void vgs_hostq_unit_open(struct vgs_hostq *q, const struct vgs_cmd *c, uint64_t host_now_ns);
/* The earliest deadline of the open units (VGS_SCHED_NO_TIME-compatible UINT64_MAX when none). */
uint64_t vgs_hostq_deadline(struct vgs_hostq *q);
/*
 * c completed at end_ns (dropped: discarded by a reset).  Records the completion, fails its unit when
 * dropped, and when c closes a unit reports the delivered unit to the metrics (tenant index `tenant`).
 */
void vgs_hostq_complete(struct vgs_hostq *q, const struct vgs_cmd *c, uint64_t end_ns, bool dropped,
			struct vgs_metrics *m, uint32_t tenant);

#endif
