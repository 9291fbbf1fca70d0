/*
 * Reading any supported trace file into the importers' op list, and the figures of `vgpusim trace
 * stats`: ops per engine class and per stream, time span, busy time, maximum overlap, units.
 */
#ifndef VGS_TRACE_STATS_H
#define VGS_TRACE_STATS_H

#include <stdio.h>

#include "hw-trace/import.h"

/* Format of a file from its content ("native", "kineto", ...); NULL with err set when unknown. */
const char *vgs_import_detect(const char *path, struct vgs_error *err);
/* Import `path` in `format` (NULL or "auto": detected) into im (initialised here).  0 or -1. */
int vgs_import_file(struct vgs_import *im, const char *format, const char *path, struct vgs_error *err);
/* Import a capture into a temporary native trace (*temporary set: the caller removes it), bypassing the
 * import cache (hw-trace/cache.h): a vgs_trace_import_fn for models/workload/trace.c's vgs_trace_set_import. */
char *vgs_import_to_tempfile(const char *path, const char *format, bool *temporary, struct vgs_error *err);
/* A native trace's recorded commands (all contexts) as ops.  0 or -1. */
int vgs_import_native(struct vgs_import *im, const char *path, struct vgs_error *err);
/* Print the stats of an imported trace. */
void vgs_import_print_stats(const struct vgs_import *im, const char *path, FILE *out);

#endif
