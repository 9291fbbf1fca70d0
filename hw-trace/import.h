/*
 * Trace import: every importer (Kineto JSON, Linux ftrace text, Orion kernel CSV, PresentMon CSV) only
 * *parses* its capture into a list of recorded GPU operations; one shared core (hw-trace/import.c)
 * turns that list into the native trace format (docs/trace-format.md), reconstructing dependencies as
 * DESIGN.md §3 says, so that every format replays with the same closed-loop semantics.
 *
 * Times are absolute ns on the capture's clock (any origin); the core rebases them to the first event.
 */
#ifndef VGS_IMPORT_H
#define VGS_IMPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

#include "models/base/error.h"
#include "models/base/types.h"

enum vgs_op_flags {
	VGS_OP_COLLECTIVE = 1u << 0,  /* an NCCL/RCCL collective kernel */
	VGS_OP_UNIT_BEGIN = 1u << 1,  /* the importer knows this op opens a unit (a frame, a step) */
};

/* One recorded GPU operation. */
struct vgs_op {
	uint64_t start_ns;            /* recorded hardware start */
	uint64_t end_ns;              /* recorded completion, >= start_ns */
	uint64_t submit_ns;           /* host submission (CPU launch call, ioctl), VGS_NO_TIME if unknown */
	uint64_t arrival_ns;          /* open-loop arrival of the unit it begins, VGS_NO_TIME if none */
	uint64_t bytes;               /* copies */
	uint32_t stream;              /* stream / ring / queue: ops of one stream ran in order */
	uint32_t ctx;                 /* index into vgs_import.ctx_names: the tenant */
	uint8_t cls;                  /* enum vgs_engine_class */
	uint8_t dir;                  /* enum vgs_copy_dir */
	uint8_t flags;                /* enum vgs_op_flags */
	uint8_t bound;                /* enum vgs_bound, written as profile=P when known */
	uint16_t sm;                  /* SMs the kernel wants, written as sm=N when known (not 0) */
};

/*
 * A recorded device-memory allocation or free of a context (Kineto [memory] events of the GPU).
 * Written as memory lines (docs/trace-format.md) by import_mem.c.
 */
struct vgs_mem_event {
	uint64_t ts_ns;               /* host time, on the clock of the ops' submit times */
	uint64_t addr;                /* device address */
	int64_t bytes;                /* > 0: allocated, < 0: freed */
	uint64_t total;               /* bytes allocated after it ("Total Allocated"), UINT64_MAX if unknown */
	uint32_t ctx;
};

struct vgs_import {
	GArray *ops;                  /* struct vgs_op, in any order */
	GArray *mem;                  /* struct vgs_mem_event, in any order */
	GPtrArray *ctx_names;         /* char *, one per context; index = vgs_op.ctx */
	char *source;                 /* "@source": the capture file and importer */
	char *gpu;                    /* "@gpu": the GPU it was captured on, if known */
	char *unit;                   /* "@unit": what a unit is ("iteration", "frame", ...) */
	char *format;                 /* "kineto", "ftrace", "orion", "presentmon" */
	GHashTable *units;            /* unit name found -> count, for `trace stats` ("us", "ns") */
	/* Streams are hardware rings shared by the contexts (ftrace): an op's stream predecessor may
	 * belong to another context, and waiting behind it is recorded contention, not launch latency. */
	bool shared_streams;
};

void vgs_import_init(struct vgs_import *im, const char *format);
void vgs_import_fini(struct vgs_import *im);
/* Index of context `name`, added when new. */
uint32_t vgs_import_ctx(struct vgs_import *im, const char *name);
void vgs_import_add(struct vgs_import *im, const struct vgs_op *op);
void vgs_import_add_mem(struct vgs_import *im, const struct vgs_mem_event *e);

/*
 * import_mem.c: the memory lines of one context's commands.  vgs_import_mem_new sorts the context's
 * events by time; vgs_import_mem_lines writes those of the command submitted at submit_ns (the events
 * up to then, and with last = true all the rest) before its command line.
 */
struct vgs_import_mem;
struct vgs_import_mem *vgs_import_mem_new(const struct vgs_import *im, uint32_t ctx);
void vgs_import_mem_lines(struct vgs_import_mem *m, uint64_t submit_ns, bool last, FILE *out);
void vgs_import_mem_free(struct vgs_import_mem *m);

/*
 * Write the native trace of one context (ctx >= 0) or of all of them with a ctx column (ctx < 0),
 * reconstructing, per context: seq = submission order; a command depends on the latest command of its
 * context that had completed before it was submitted, with gap = submit - that completion (or on
 * nothing, with gap = submit - previous submission); submit = the recorded submit time, raised to the
 * recorded start when the op started later than both its submission and its stream predecessor's end
 * (launch latency is then part of the host gap, so solo replay reproduces the start exactly).
 * 0, or -1 with err set.
 */
int vgs_import_write(const struct vgs_import *im, int ctx, FILE *out, struct vgs_error *err);

/* Parsers: fill im from a capture file; 0, or -1 with err set ("FILE:LINE: ..." or "FILE: byte N: ..."). */
int vgs_import_kineto(struct vgs_import *im, const char *path, struct vgs_error *err);
int vgs_import_ftrace(struct vgs_import *im, const char *path, struct vgs_error *err);
int vgs_import_orion(struct vgs_import *im, const char *path, struct vgs_error *err);
int vgs_import_presentmon(struct vgs_import *im, const char *path, struct vgs_error *err);

#endif
