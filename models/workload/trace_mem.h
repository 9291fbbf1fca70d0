/*
 * Memory lines of native traces (docs/trace-format.md, "Memory"), private to models/workload/trace_load.c:
 *
 *     m alloc ID BYTES [PAGE_KB]      m free ID      m touch ID [OFFSET LENGTH]      m va ADDRESS LENGTH
 *
 * Memory lines belong to the next command line: its allocations, frees and accesses
 * (struct vgs_mem_op, models/base/types.h), in the order written.  They are checked per context when that
 * command is read: an allocation of an id that is live, a free or touch of one that is not, a touch
 * past an allocation's end are errors naming the memory line.
 */
#ifndef VGS_TRACE_MEM_H
#define VGS_TRACE_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "models/base/types.h"

/* The lists of a loaded trace: list k (1-based, as in vgs_trace_cmd.mem) is
 * ops[first[k-1] .. first[k-1] + count[k-1]). */
struct vgs_trace_memlists {
	struct vgs_mem_op *ops;
	uint32_t nops;
	uint32_t *first, *count;
	uint32_t nlists;
};

struct vgs_trace_memload;

struct vgs_trace_memload *vgs_trace_memload_new(void);
void vgs_trace_memload_free(struct vgs_trace_memload *m);
/* One memory line: its fields after the leading "m" (f[0] = alloc/free/touch/va), line number.
 * 0, or -1 with msg set (what was expected, without location). */
int vgs_trace_memload_line(struct vgs_trace_memload *m, char **f, int n, int line, char *msg, size_t size);
/* The command that follows, of context ctx: its list index (0: none), or -1 with *line and msg set. */
int64_t vgs_trace_memload_attach(struct vgs_trace_memload *m, uint32_t ctx, int *line, char *msg, size_t size);
/* Line of the first memory line still waiting for a command, 0 if none. */
int vgs_trace_memload_pending(const struct vgs_trace_memload *m);
/* Hand the lists over (the loader keeps nothing). */
void vgs_trace_memload_take(struct vgs_trace_memload *m, struct vgs_trace_memlists *out);

struct vgs_trace;
/* After loading: each command's mem_loop, its list without the allocations the trace never frees
 * (made on the first pass of a looped replay only). */
void vgs_trace_mem_loop(struct vgs_trace *t);

/* Append a list: its 1-based index. */
uint32_t vgs_trace_memlists_add(struct vgs_trace_memlists *l, const struct vgs_mem_op *ops, uint32_t n);
void vgs_trace_memlists_fini(struct vgs_trace_memlists *l);

#endif
