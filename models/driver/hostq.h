/*
 * The host-side bookkeeping of one tenant that both drivers (the simulator and the executor, through
 * models/driver/tenant.c) keep the same way, so that a fence, a stream order or a unit means
 * the same thing in both:
 *   - completions of the last VGS_DEP_WINDOW commands (fences look back no further: types.h);
 *   - the last submitted command of each stream (a command starts after its stream predecessor);
 *   - the open units (frames, requests, iterations) with their arrival and deadline; a unit one of whose
 *     commands a reset discarded is never delivered.
 * Memory is bounded by the window, the streams and the units in flight, not by the run's length.
 * Nothing here allocates per command: the streams are an array (a hash table only for stream numbers
 * past VGS_HOSTQ_SMALL_STREAMS) and the open units an open-addressing table of records.
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

/* An open unit (a frame, a request, an iteration): a slot of struct vgs_hostq's table. */
struct vgs_open_unit {
	uint64_t unit;             /* its number */
	uint64_t arrival_ns;
	uint64_t deadline_ns;
	uint32_t gen;              /* generated frames shown besides it (vgs_cmd.gen) */
	bool used;                 /* the slot holds a unit */
	bool failed;               /* a command of the unit was discarded by a reset: never delivered */
};

/* Streams numbered below this are kept in an array, the others in a hash table. */
#define VGS_HOSTQ_SMALL_STREAMS 4096u

struct vgs_hostq {
	struct vgs_done *done;     /* ring of the last done_cap completions: done_cap grows (a power of two)
	                            * with the seqs seen up to VGS_DEP_WINDOW, so a short-lived tenant holds
	                            * a few slots and none holds more than the window */
	uint32_t done_cap;
	uint64_t *stream_small;    /* stream -> last submitted seq + 1 (0: none), streams < nstream_small */
	uint32_t nstream_small;
	GHashTable *stream_big;    /* the same for larger stream numbers, NULL until one is seen */
	struct vgs_open_unit *units; /* the open units: linear probing, cap a power of two, <= half full */
	uint32_t units_cap, units_n;
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
