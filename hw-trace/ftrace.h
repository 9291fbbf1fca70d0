/*
 * Linux ftrace importer (hw-trace/ftrace*.c): the text of `trace-cmd report` (plain or gzip), with the
 * figures that do not fit struct vgs_import.  vgs_import_ftrace() (import.h) is
 * vgs_import_ftrace_stats() with the figures thrown away.
 */
#ifndef VGS_FTRACE_H
#define VGS_FTRACE_H

#include <stdint.h>

#include "hw-trace/import.h"

struct vgs_ftrace_stats {
	uint64_t jobs;        /* jobs matched submit/run -> done: ops added */
	uint64_t reordered;   /* jobs a ring ran after a job submitted later than them (see ftrace_jobs.c) */
	uint64_t unmatched;   /* completions (drm_sched done, i915 out) of no job seen running: skipped */
	uint64_t incomplete;  /* jobs seen submitted or running that never completed in the capture */
	uint64_t preempted;   /* i915_request_out with completed?=0: the request ran again later */
	uint64_t vblanks;     /* drm_vblank_event lines, all CRTCs */
	uint64_t events;      /* event lines read, of any kind */
};

/* As vgs_import_ftrace(), also returning the figures (st may be NULL). */
int vgs_import_ftrace_stats(struct vgs_import *im, const char *path, struct vgs_ftrace_stats *st,
			    struct vgs_error *err);
/* As vgs_import_ftrace(), also returning the reordered-job count (may be NULL). */
int vgs_import_ftrace_ex(struct vgs_import *im, const char *path, uint64_t *reordered, struct vgs_error *err);

#endif
