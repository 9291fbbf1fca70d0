/*
 * The import cache: a capture named by a config (`trace = "capture.json.gz"`) is imported once and its
 * native form kept under $XDG_CACHE_HOME/vgpusim (default ~/.cache/vgpusim), so that every later run,
 * sweep point or compared policy that names the same capture loads the native trace instead of parsing
 * the capture again (docs/traces.md, "The import cache").
 *
 * An entry is FILE.vgt named by its key, the SHA-256 of
 *
 *   "vgpusim import cache\nimporter VGS_IMPORT_VERSION\nvgpusim VGS_VERSION\nformat FORMAT\nname BASENAME\n\n"
 *   followed by the capture's bytes (as stored: a .gz is hashed compressed),
 *
 * FORMAT being the importer that reads it (the detected one for "auto") and BASENAME the capture's file
 * name, which the native trace's @source line records: everything the native text depends on.  The
 * entry is that native text, then one last comment line
 *
 *   # vgpusim import cache: sha256 HEX bytes N
 *
 * where N is the length of the text before it and HEX its SHA-256: an entry that was truncated or
 * damaged no longer matches and is imported again, never trusted.  Entries are written to a temporary
 * file in the cache folder and renamed into place, so a reader sees a whole entry or none, and two runs
 * importing the same capture at once both succeed.  A cache folder that cannot be written costs one
 * warning and the run goes on without it.
 *
 * `--no-cache` (every command that runs a scenario; models/scenario/args.h) or VGS_NO_CACHE=1 in the
 * environment bypass it: each capture is imported into a temporary file, as without the cache.
 */
#ifndef VGS_IMPORT_CACHE_H
#define VGS_IMPORT_CACHE_H

#include <stdbool.h>

#include "models/base/error.h"

/*
 * The version of what the importers write: bump it whenever any importer's or the import core's native
 * output changes for the same capture, so that no cache entry written before is used again.
 */
#define VGS_IMPORT_VERSION 1

/*
 * A vgs_trace_import_fn (models/workload/trace.h): the native trace of the capture `path` read as
 * `format` ("auto": detected), from the cache or imported (and stored).  Returns its path (g_free) with
 * *temporary set when the caller must remove it (cache bypassed or unwritable), or NULL with err set
 * (the importer's message, as without the cache).
 */
char *vgs_import_cached(const char *path, const char *format, bool *temporary, struct vgs_error *err);

/*
 * What the cache did for the captures this process imported, for summary.json's `import_cache`:
 * NULL when none was imported, "off" when bypassed (--no-cache, VGS_NO_CACHE), "unwritable" when the
 * cache folder could not be written, "miss" when at least one capture was imported (and stored),
 * "hit" when every one came from the cache.
 */
const char *vgs_import_cache_outcome(void);

/* The cache folder: $XDG_CACHE_HOME/vgpusim, else ~/.cache/vgpusim (g_free). */
char *vgs_import_cache_dir(void);

#endif
