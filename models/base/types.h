/*
 * Core vocabulary shared by models/, sim/ and hw-trace/: engine classes and the command a workload
 * hands to its tenant.  Plain C, no SimGrid.  Times are uint64_t nanoseconds, sizes bytes.
 *
 * Command semantics (docs/trace-format.md, DESIGN.md §3):
 *   - `work_ns` is the command's duration on the reference GPU; an engine with speed factor f runs it in
 *     work_ns / f, or, when the command has a kernel class (`kc`) the GPU profile times apart, at that
 *     class's speed (drv_cmd_speed, models/workload/kspeed.h).
 *   - A tenant submits its commands in `seq` order (host-side program order).  Command i is submitted at
 *         max(submit(i-1), base + gap_ns, arrival_ns)
 *     where base = the latest completion among deps[], or submit(i-1) when there are no deps.  With
 *     VGS_CMD_ANCHOR_PREV the gap counts from the host's previous submission instead and the deps are
 *     barriers (not before they complete, no think time after them):
 *         max(submit(i-1) + gap_ns, latest completion among deps[], arrival_ns)
 *     so that a dependency that completes late delays the command only by what the gap does not absorb.
 *     Without deps both forms are the same.
 *   - Commands of one stream execute in seq order (a command starts only after the previous command of its
 *     stream completed), whatever engine class they use; different streams run concurrently.  With
 *     VGS_CMD_AFTER a command starts after command `after` instead (an earlier command of its stream;
 *     VGS_NO_TIME: after none): what a capture shows when it records two ops of one stream overlapping
 *     (docs/trace-format.md, "Attributes").  Later commands of the stream still follow it.
 *   - With VGS_CMD_DEVICE_DEPS the deps are waited for on the GPU instead of by the host: the command
 *     is submitted as if it had none (base = submit(i-1)) and starts only once its deps and its stream
 *     predecessor have completed -- a wait between queues on the device (D3D12 ID3D12CommandQueue::
 *     Wait, cudaStreamWaitEvent), with which a program hands work to another engine without blocking
 *     its host thread.  Generators use it; the native trace format has no column for it.
 *   - A workload may also make its host thread wait for a command without submitting anything
 *     (vgs_workload_next() returning VGS_WL_WAIT: a swap chain's frame-latency wait, a server waiting
 *     for a batch's results): it is asked for its next command again once that command completed, at
 *     that time, so what it submits next can depend on when that was.
 *   - Units (frames, requests, iterations) are delimited by flags: the command carrying VGS_CMD_UNIT_BEGIN
 *     opens unit `unit`, the one carrying VGS_CMD_UNIT_END closes it when it completes.
 *   - Memory behaviour (docs/vram.md): `mem` names a list of struct vgs_mem_op in the workload's table
 *     (vgs_workload_mem); 0 = the command allocates, frees and accesses nothing.  The command carries
 *     only that index, so it stays small however many pages its accesses cover.
 *   - Spatial sharing (docs/spatial.md): a kernel wants `sm` SMs (thread blocks it can keep resident,
 *     0 = unknown: the whole GPU) and is compute- or memory-bound (`bound`, enum vgs_bound).  They
 *     matter only where kernels share SMs (MPS-style policies, MIG instances); both fit in what was
 *     padding, so the command keeps its size.
 */
#ifndef VGS_TYPES_H
#define VGS_TYPES_H

#include <stdint.h>

enum vgs_engine_class {
	VGS_GFX = 0,
	VGS_COMPUTE,
	VGS_COPY,
	VGS_VENC,
	VGS_VDEC,
	VGS_NCLASS
};

/* "gfx", "compute", "copy", "venc", "vdec"; NULL for an out-of-range class. */
const char *vgs_class_name(int cls);
/* Class index for a name, or -1. */
int vgs_class_parse(const char *name);

enum vgs_copy_dir {
	VGS_DIR_NONE = 0, /* not a copy, or a copy whose direction is unknown: runs for work_ns */
	VGS_DIR_H2D,      /* host to device: crosses the PCIe link */
	VGS_DIR_D2H,      /* device to host: crosses the PCIe link */
	VGS_DIR_D2D,      /* device-local: runs for work_ns on the copy engine */
};

const char *vgs_dir_name(int dir);   /* "-", "h2d", "d2h", "d2d" */
int vgs_dir_parse(const char *name); /* -1 when unknown */

/* What limits a kernel's speed: the roofline class a profiler gives it (Orion's `Profile` column). */
enum vgs_bound {
	VGS_BOUND_UNKNOWN = 0,
	VGS_BOUND_COMPUTE,   /* above the roofline's ridge point: limited by the SMs' throughput */
	VGS_BOUND_MEMORY,    /* below it: limited by DRAM bandwidth */
	VGS_NBOUND
};

const char *vgs_bound_name(int b);     /* "unknown", "compute", "memory"; NULL when out of range */
int vgs_bound_parse(const char *name); /* -1 when unknown */

#define VGS_MAX_DEPS 4
/* Dependencies must lie within this many commands of the dependent one: completion times are kept in
 * a ring of this size per tenant, so memory does not grow with the length of a run. */
#define VGS_DEP_WINDOW 16384u
#define VGS_NO_TIME UINT64_MAX

enum vgs_cmd_flags {
	VGS_CMD_UNIT_BEGIN = 1u << 0,
	VGS_CMD_UNIT_END = 1u << 1,
	/* A host<->device copy that takes its recorded work_ns instead of a transfer on the PCIe link
	 * (replaying a capture exactly). */
	VGS_CMD_RECORDED_TIME = 1u << 2,
	/* gap_ns counts from the previous submission; deps are barriers (above). */
	VGS_CMD_ANCHOR_PREV = 1u << 3,
	/* The command starts after command `after` (VGS_NO_TIME: no command) instead of the previous
	 * command of its stream. */
	VGS_CMD_AFTER = 1u << 4,
	/* deps[] are waited for on the device, not by the host (see the top comment). */
	VGS_CMD_DEVICE_DEPS = 1u << 5,
};

struct vgs_cmd {
	uint64_t seq;          /* 0, 1, 2, ... per tenant, in submission order */
	uint64_t work_ns;      /* duration on the reference GPU */
	uint64_t bytes;        /* bytes moved (copies), else 0 */
	uint64_t gap_ns;       /* host think time after deps (or the previous submission) */
	uint64_t arrival_ns;   /* open-loop arrival of the unit this command begins, tenant-relative
	                        * time; VGS_NO_TIME for closed-loop commands */
	uint64_t deadline_ns;  /* unit deadline (tenant-relative), VGS_NO_TIME if none; on UNIT_BEGIN */
	uint64_t unit;         /* index of the unit this command belongs to */
	uint64_t deps[VGS_MAX_DEPS]; /* seqs of earlier commands the host waits for before submitting */
	uint64_t after;        /* with VGS_CMD_AFTER: the seq its start waits for, VGS_NO_TIME for none */
	uint32_t stream;       /* commands of one stream execute in order */
	uint8_t ndeps;
	uint8_t cls;           /* enum vgs_engine_class */
	uint8_t dir;           /* enum vgs_copy_dir */
	uint8_t flags;         /* enum vgs_cmd_flags */
	uint32_t mem;          /* memory operations: index into the workload's table, 0 = none */
	uint32_t gen;          /* on UNIT_BEGIN: frames generated from this unit's frame (frame generation)
	                        * and shown besides it; 0 = none */
	uint16_t sm;           /* SMs the kernel wants (resident thread blocks), 0 = unknown: all */
	uint8_t bound;         /* enum vgs_bound */
	uint8_t kc;            /* kernel class (enum vgs_kclass, models/workload/kclass.h), 0 = none: a
	                        * GPU profile may time each class differently (models/workload/kspeed.h) */
	uint8_t roof;          /* the roofline it scales with where the profile measured nothing
	                        * (enum vgs_roof) */
};

/*
 * One memory operation of a command.  Allocation ids are the workload's (a tensor, a texture, a
 * trace's allocation); the vGPU maps them to virtual address ranges.  Host-side operations happen when
 * the command is submitted, in list order; device-side ones when it is about to run, where every
 * access is translated through the vGPU's own page table.
 */
enum vgs_mem_kind {
	VGS_MEM_ALLOC = 0,   /* host: allocation `id` of `arg` bytes, pages of 2^shift bytes (0: the GPU's) */
	VGS_MEM_FREE,        /* host: free `id` once every command submitted so far that touches it is done */
	VGS_MEM_TOUCH,       /* device: access bytes [arg, arg + len) of allocation `id` (len 0: to its end) */
	VGS_MEM_VA,          /* device: access virtual addresses [arg, arg + len) (len 0: one byte) */
	VGS_MEM_WILD,        /* device, adversary: access a random virtual page the vGPU has not mapped */
	VGS_MEM_FOREIGN,     /* device, adversary: access a virtual address another vGPU of the GPU maps */
};

struct vgs_mem_op {
	uint64_t arg;          /* ALLOC: bytes; TOUCH: offset; VA: address */
	uint64_t len;          /* TOUCH, VA: bytes */
	uint32_t id;           /* ALLOC, FREE, TOUCH */
	uint8_t kind;          /* enum vgs_mem_kind */
	uint8_t shift;         /* ALLOC: 12, 16, 21 or 0 */
};

#endif
