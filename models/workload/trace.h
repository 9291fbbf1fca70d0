/*
 * Native trace files (docs/trace-format.md): the loader (trace_load.c) and the loaded form.  A trace
 * is read and validated completely at load time into one compact array; workloads replaying it (the
 * `trace` workload kind in trace.c) share that array read-only.  Importers (hw-trace/) write this
 * format and their solo-replay tests read start_ns/end_ns back through this header.
 */
#ifndef VGS_TRACE_H
#define VGS_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/base/error.h"
#include "models/workload/trace_attr.h"
#include "models/workload/trace_mem.h"
#include "models/base/types.h"

#define VGS_TRACE_MAGIC "#vgpusim-trace 1"
/* Fields of a command line at most: 13 columns and the attributes (trace_attr.h). */
#define VGS_TRACE_MAX_FIELDS 32
/* @frames_in_flight and the `frames_in_flight` key at most: DXGI's maximum frame latency range is
 * 1 to 16 (IDXGIDevice1::SetMaximumFrameLatency, Microsoft Learn). */
#define VGS_TRACE_MAX_INFLIGHT 16
/* The largest allocation a memory line may make: 2^50 bytes = 1 PiB, beyond any GPU, so the bound only
 * rejects garbage (the importers refuse larger recorded allocations with the capture's location). */
#define VGS_TRACE_MAX_ALLOC_BYTES (1ull << 50)

enum vgs_arrival_kind {
	VGS_ARRIVAL_CLOSED = 0, /* units start when the host gets to them */
	VGS_ARRIVAL_PERIODIC,   /* unit u arrives at tick u (ticks skipped when the host is late) */
	VGS_ARRIVAL_POISSON,    /* exponential inter-arrival times */
};

/* One command, as compact as the column set allows: 72 bytes. */
struct vgs_trace_cmd {
	uint64_t work_ns;
	uint64_t bytes;
	uint64_t gap_ns;
	uint64_t unit;
	uint32_t stream;
	uint32_t dep_back[VGS_MAX_DEPS]; /* seq - dep, in 1 .. VGS_DEP_WINDOW */
	uint8_t ndeps;
	uint8_t cls;
	uint8_t dir;
	uint8_t flags;
	uint32_t mem;                    /* its memory lines: list index in vgs_trace.mem, 0 = none */
	uint32_t mem_loop;               /* ... on loop passes after the first (no allocation that the
					  * file never frees: those are made once) */
	uint16_t sm;                     /* attribute sm=N: SMs the kernel wants, 0 = not given (all) */
	uint8_t bound;                   /* attribute profile=P: enum vgs_bound */
};

struct vgs_trace {
	char *path;
	char *unit_name;         /* @unit, NULL when absent */
	char *source;            /* @source, NULL when absent */
	char *gpu;               /* @gpu, NULL when absent */
	enum vgs_arrival_kind arrival;
	uint64_t arrival_ns;     /* period (periodic) or mean inter-arrival (poisson); 0 when closed */
	uint64_t deadline_ns;    /* @deadline_ns: unit deadline after its arrival; VGS_NO_TIME if none */
	uint32_t frames_in_flight; /* @frames_in_flight: units in flight at most (0: no limit) */
	char *context;           /* the selected context, NULL when the file has no ctx column */
	struct vgs_trace_cmd *cmds; /* the selected context's commands, renumbered 0 .. ncmds-1 */
	size_t ncmds;
	uint64_t nunits;         /* units of the selected context, numbered 0 .. nunits-1 */
	uint64_t *start_ns;      /* recorded times per command, VGS_NO_TIME for '-'; NULL when the */
	uint64_t *end_ns;        /* file has no start_ns/end_ns columns */
	uint32_t *line;          /* source line of each command */
	struct vgs_trace_attr *attr; /* attributes per command (after renumbered); NULL when the file has
				  * none but anchor=, which is in vgs_trace_cmd.flags */
	uint32_t class_mask;
	struct vgs_trace_memlists mem; /* memory lines, per command (vgs_trace_cmd.mem) */
	char **contexts;         /* every context in the file, in order of first appearance */
	size_t ncontexts;
};

/*
 * Load and validate `path`, keeping the commands of context `context` (NULL: the file must have one
 * context or none).  Returns 0; -1 with err = "FILE:LINE: what was expected" for a bad file; -2 with
 * err = a message without location when `context` does not fit the file (the caller names the
 * config setting).
 */
int vgs_trace_load(const char *path, const char *context, struct vgs_trace **out, struct vgs_error *err);
/* As `context` of vgs_trace_load (this very pointer): the file's first context, whichever it is (its
 * t->contexts then lists them all). */
extern const char vgs_trace_first_context[];

/*
 * Captures in other formats (Kineto, ftrace, ...) can be named directly by a `trace` workload: the
 * program registers a converter that imports `path` in `format` ("auto": detected from the content)
 * into a native trace and returns its path (g_free), with *temporary set when the caller must unlink it
 * (clear: an entry of the import cache, hw-trace/cache.h, to be read only), or NULL with err set.
 * models/ does not depend on the importers (hw-trace/): vgpusim registers them at start.
 */
typedef char *(*vgs_trace_import_fn)(const char *path, const char *format, bool *temporary, struct vgs_error *err);
void vgs_trace_set_import(vgs_trace_import_fn fn);
void vgs_trace_free(struct vgs_trace *t);

/*
 * trace_translate.c (docs/translate.md).  vgs_trace_translate moves the trace from the GPU `from` to
 * the GPU `to` (models/workload/kspeed.h; *_engine: each engine class's speed factor): every work_ns
 * through the reference GPU by its kernel class, every gap_ns by the hosts' speed ratio; an op of a
 * class `to` omits and `from` does not takes no time and has no gap (it is not issued there).  A zero
 * `to` with engine speeds 1 is the reference GPU itself (the `translate` key of a trace workload).
 * vgs_trace_solo_times: each command's start and end in a solo replay on an ideal GPU (speed 1, no
 * costs, a channel per stream); false for poisson arrivals (no single timeline).
 */
struct vgs_kspeed;
void vgs_trace_translate(struct vgs_trace *t, const struct vgs_kspeed *from, const double *from_engine,
			 const struct vgs_kspeed *to, const double *to_engine);
bool vgs_trace_solo_times(const struct vgs_trace *t, uint64_t *start, uint64_t *end);

#endif
