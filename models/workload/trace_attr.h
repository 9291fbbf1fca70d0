/*
 * Per-command attributes of native traces (docs/trace-format.md, "Attributes"): optional `key=value`
 * fields after a command line's columns.  They say what the columns cannot:
 *
 *     after=SEQ | after=-     the command starts after command SEQ (an earlier command of its stream),
 *                             or after none, instead of after the previous command of its stream: a
 *                             capture that recorded two ops of one stream overlapping
 *     anchor=prev             gap_ns counts from the previous submission; the deps are barriers
 *     gen=N                   frames generated from this unit's frame (DLSS-FG, FSR-FG, XeSS-FG), shown
 *                             besides it; on the command that begins the unit
 *     sm=N threads=N regs=N smem=BYTES occupancy=PCT profile=compute|memory|unknown
 *                             what a kernel asks of the GPU's SMs (Orion SM_usage and Profile; Kineto
 *                             grid, block, registers per thread, shared memory, est. achieved occupancy)
 *     kc=CLASS                the op's kernel class (gemm, attention, memset, h2d, ...: kclass.h), set by
 *                             the importers from the op's name and kind; GPU profiles time ops by it
 *
 * A file without attributes loads as it always did.  The loader (trace_load.c) parses each field with
 * vgs_trace_attr_parse and checks `after` against the file; the importers (hw-trace/import.c) write
 * them with vgs_trace_attr_format, so that what one writes the other reads.
 */
#ifndef VGS_TRACE_ATTR_H
#define VGS_TRACE_ATTR_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

/* Which fields of struct vgs_trace_attr were given. */
enum vgs_attr_have {
	VGS_ATTR_AFTER = 1u << 0,
	VGS_ATTR_GEN = 1u << 1,
	VGS_ATTR_SM = 1u << 2,
	VGS_ATTR_THREADS = 1u << 3,
	VGS_ATTR_REGS = 1u << 4,
	VGS_ATTR_SMEM = 1u << 5,
	VGS_ATTR_OCCUPANCY = 1u << 6,
	VGS_ATTR_PROFILE = 1u << 7,
	VGS_ATTR_KC = 1u << 8,
};
#define VGS_ATTR_KERNEL (VGS_ATTR_SM | VGS_ATTR_THREADS | VGS_ATTR_REGS | VGS_ATTR_SMEM | VGS_ATTR_OCCUPANCY | \
			 VGS_ATTR_PROFILE)

/* after=-: the command waits for no earlier command of its stream. */
#define VGS_AFTER_NONE UINT32_MAX

struct vgs_trace_attr {
	uint32_t after_back;     /* after=: seq - after (1 .. VGS_DEP_WINDOW), or VGS_AFTER_NONE */
	uint32_t gen;            /* gen=: generated frames shown with this unit's frame */
	uint32_t sm;             /* sm=: thread blocks launched, i.e. SMs it can occupy at most */
	uint32_t threads;        /* threads=: threads per block */
	uint32_t regs;           /* regs=: registers per thread */
	uint32_t smem;           /* smem=: shared memory per block, bytes */
	uint16_t have;           /* enum vgs_attr_have */
	uint8_t occupancy;       /* occupancy=: estimated achieved occupancy, % (0 .. 100) */
	uint8_t profile;         /* profile=: enum vgs_bound (models/base/types.h) */
	uint8_t kc;              /* kc=: enum vgs_kclass (models/workload/kclass.h) */
};

/*
 * One field "key=value" of the command with seq `seq`: fills a (after as seq - after) or, for
 * anchor=prev, *flags (VGS_CMD_ANCHOR_PREV).  0, or -1 with msg = what was expected (no location).
 */
int vgs_trace_attr_parse(const char *field, uint64_t seq, struct vgs_trace_attr *a, uint8_t *flags, char *msg,
			 size_t size);
/* Append a's fields and flags' anchor to out, each as "\tkey=value", for the command with seq `seq`. */
void vgs_trace_attr_format(const struct vgs_trace_attr *a, uint8_t flags, uint64_t seq, GString *out);

#endif
