/*
 * Results directories, one module for every command that writes one (run, replay, compare, validate,
 * plot): what -o names, what an earlier directory there may be, how it is written and how a run that
 * fails or is interrupted leaves it.
 *
 *   path       -o DIR as the user wrote it, trailing slashes removed ("out/" is "out").
 *   marker     the file that makes a directory ours (summary.json for a run, compare.csv for a
 *              comparison, validation.csv for a validation): an existing DIR is replaced only when it
 *              holds its marker or is empty, and that is checked in vgs_outdir_begin(), before any
 *              work is done, so that a run never ends in "choose another -o".
 *   writing    everything goes into a temporary sibling `.DIR.tmp-XXXXXX`, renamed onto DIR by
 *              vgs_outdir_commit() when the command succeeded (or was interrupted and wrote a complete
 *              directory marked "partial": true); vgs_outdir_abort() removes it otherwise.  An
 *              interrupted or failed command leaves no half-written results and no temporary.
 *   permissions  created with the user's umask (0777 & ~umask), like mkdir(1).
 *   default name  results/<scenario>-<policy>[-<options>][-<suffix>]: every option that changes a run
 *              (--set, --seed, --duration, --solo) is part of it, so that two different runs never
 *              share a default directory (docs/metrics.md, "The results directory").
 */
#ifndef VGS_OUTDIR_H
#define VGS_OUTDIR_H

#include <stdbool.h>

#include <glib.h>

#include "models/base/error.h"
#include "models/scenario/scenario.h"

/* The markers of the commands that write a results directory. */
#define VGS_OUTDIR_RUN "summary.json"
#define VGS_OUTDIR_COMPARE "compare.csv"
#define VGS_OUTDIR_VALIDATE "validation.csv"
#define VGS_OUTDIR_SEEDS "seeds.csv"      /* replications: compare --seeds, run --seeds */
#define VGS_OUTDIR_LEAK "leak.csv"

struct vgs_outdir {
	char *path;                  /* the final directory, normalised */
	char *tmp;                   /* the temporary sibling while it is written; NULL when none */
	const char *marker;          /* static string */
};

/*
 * Check that `path` may receive the results (absent, an empty directory, or one holding `marker`; any
 * directory when marker is NULL),
 * create its parents and the temporary sibling.  0, or -1 with err set ("DIR exists and is not ...");
 * o->path is set either way (vgs_outdir_fini frees it).
 */
int vgs_outdir_begin(struct vgs_outdir *o, const char *path, const char *marker, struct vgs_error *err);
/* Rename the temporary directory onto o->path, replacing an earlier one.  0 or -1 with err set (the
 * temporary directory is then removed). */
int vgs_outdir_commit(struct vgs_outdir *o, struct vgs_error *err);
/* Remove the temporary directory, if any (a failed or interrupted command). */
void vgs_outdir_abort(struct vgs_outdir *o);
/* vgs_outdir_abort, then free o's strings. */
void vgs_outdir_fini(struct vgs_outdir *o);

/* "out/" -> "out", "a//b/" -> "a//b", "/" stays "/" (g_free). */
char *vgs_outdir_norm(const char *path);
/* Remove `path` and everything under it (symbolic links are removed, not followed). */
void vgs_outdir_remove(const char *path);
/* chmod a file or directory the command created with a private mode to the user's umask. */
void vgs_outdir_umask(const char *path, bool dir);

/*
 * The default results directory of a scenario run: "results/<scenario>-<policy>" (the effective policy's
 * name; with_policy false leaves it out, as compare, which runs several, does), then "-<option>=<value>"
 * for each option of `given` (the scenario options as the user gave them, "--set" "P=V" ...; -p is the
 * policy, already there), then "-<suffix>" when suffix is not NULL.  Characters a shell would need quoted
 * are dropped; a name past 120 characters keeps its start and ends in a hash of the whole.  g_free.
 */
char *vgs_outdir_default(const struct vgs_scenario *s, const GPtrArray *given, bool with_policy,
			 const char *suffix);

#endif
