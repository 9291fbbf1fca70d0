/*
 * Results directories are written atomically: everything goes into a temporary sibling directory that
 * is renamed into place only when the run succeeded, so an interrupted or failed run leaves no
 * half-written results.  An existing results directory (one holding summary.json) is replaced.
 */
#ifndef VGS_OUTDIR_H
#define VGS_OUTDIR_H

#include "models/base/error.h"

/* Create the temporary sibling of `final`; returns its path (g_free) or NULL with err set. */
char *vgs_outdir_begin(const char *final, struct vgs_error *err);
/* Rename tmp to final (replacing an earlier results directory).  0 or -1 with err set. */
int vgs_outdir_commit(const char *tmp, const char *final, struct vgs_error *err);
/* Remove tmp and everything in it (a failed run). */
void vgs_outdir_abort(const char *tmp);

#endif
