/*
 * Per-event records of a run, streamed to disk as they happen (memory does not grow with the run):
 *
 *   slices.csv     kind,gpu,engine,channel,tenant,start_ns,end_ns      (run --slices)
 *                  kind "slice": the tenant owned the engine's scheduling domain (channel empty);
 *                  kind "switch": context switch on the engine, tenant = incoming (channel empty);
 *                  kind "busy": a command, or a piece of one, ran on that engine channel.
 *   timeline.json  Chrome trace-event format, opened by Perfetto (run --timeline): one process per
 *                  GPU, one track per engine holding the (vGPU, slice) slices with the commands of
 *                  channel 0 nested in them and the switch slices between them, one track per further
 *                  channel for its commands, and one queue-depth counter track per vGPU.
 *
 * The driver (simulator or executor) calls these in time order: every event is reported at its end
 * (a slice's start also when it starts), so rows come out ordered by end time and each track's
 * timestamps are monotonic.  Times are ns since the run start; the JSON carries µs with ns precision.
 */
#ifndef VGS_TIMELINE_H
#define VGS_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "models/scenario/scenario.h"

struct vgs_timeline;

/* Open DIR/slices.csv and/or DIR/timeline.json.  NULL with err set on I/O failure. */
struct vgs_timeline *vgs_timeline_open(const struct vgs_scenario *s, const char *dir, bool slices,
				       bool timeline, struct vgs_error *err);
/* Terminate and close the files; 0, or -1 with err set when a write failed.  Frees tl. */
int vgs_timeline_close(struct vgs_timeline *tl, uint64_t end_ns, struct vgs_error *err);

/* tenant starts owning the engines of domain at t_ns. */
void vgs_timeline_slice_begin(struct vgs_timeline *tl, uint32_t domain, uint32_t tenant, uint64_t t_ns);
/* ... and stops at t_ns; `reason` is an enum vgs_charge_reason. */
void vgs_timeline_slice_end(struct vgs_timeline *tl, uint32_t domain, uint32_t tenant, uint64_t start_ns,
			    uint64_t t_ns, int reason);
/* domain switched context to tenant from start_ns to end_ns. */
void vgs_timeline_switch(struct vgs_timeline *tl, uint32_t domain, uint32_t tenant, uint64_t start_ns,
			 uint64_t end_ns);
/* Command seq (class cls) of tenant ran on engine's channel from start_ns to end_ns. */
void vgs_timeline_busy(struct vgs_timeline *tl, uint32_t engine, uint32_t channel, uint32_t tenant, uint64_t seq,
		       int cls, uint64_t start_ns, uint64_t end_ns);
/* Ignore every later event (the run has ended; late reports at the final instant are dropped). */
void vgs_timeline_stop(struct vgs_timeline *tl);
/* tenant's queued (submitted, not started) command count became `depth` at t_ns. */
void vgs_timeline_queue(struct vgs_timeline *tl, uint32_t tenant, uint64_t t_ns, uint64_t depth);

#endif
