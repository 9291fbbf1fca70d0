/*
 * A small CSV reader shared by the trace importers (hw-trace/) and the comparison of results (models/).
 *
 * RFC 4180 records: fields separated by ',', optionally in double quotes ("" inside quotes is one
 * quote, and a quoted field may hold commas and line breaks); lines end in LF or CRLF; a UTF-8 byte
 * order mark before the first field is dropped; blank lines are skipped.  The file may be gzipped
 * (zlib reads plain files unchanged).  Fields keep their blanks: callers decide what a value means.
 *
 * Memory: one record at a time, O(longest record).
 */
#ifndef VGS_CSV_H
#define VGS_CSV_H

#include <stdint.h>

#include <glib.h>

#include "models/base/error.h"

struct vgs_csv {
	void *gz;                /* gzFile */
	const char *path;        /* for messages; not owned */
	unsigned line;           /* line the current record starts on (1-based) */
	unsigned next_line;      /* line the next record starts on */
	GPtrArray *fields;       /* char *: the current record */
	GPtrArray *header;       /* char *: the record vgs_csv_header() kept, or empty */
	GString *buf;
};

/* 0, or -1 with err set ("FILE: cannot open: ..."). */
int vgs_csv_open(struct vgs_csv *c, const char *path, struct vgs_error *err);
void vgs_csv_close(struct vgs_csv *c);

/* Read the next record into c->fields: 1, 0 at the end of the file, or -1 with err set. */
int vgs_csv_next(struct vgs_csv *c, struct vgs_error *err);

/* Read the first record and keep it as the header: 0, or -1 with err set (an empty file is an error). */
int vgs_csv_header(struct vgs_csv *c, struct vgs_error *err);

/* Index of the header column `name` (exact match), or -1. */
int vgs_csv_col(const struct vgs_csv *c, const char *name);

/* Field i of the current record, or NULL when the record is shorter. */
static inline const char *vgs_csv_field(const struct vgs_csv *c, int i)
{
	return i >= 0 && (guint)i < c->fields->len ? c->fields->pdata[i] : NULL;
}

/* A decimal integer, nothing else (no blanks, no sign): 0, or -1. */
int vgs_csv_u64(const char *s, uint64_t *v);

/*
 * A decimal number of `unit_ns` nanoseconds per unit (a power of ten: 1000000 for ms), optionally signed,
 * converted exactly to integer ns, rounded half away from zero: "50.14450000000000" ms is 50144500 ns with no
 * binary floating point in between.  0, or -1 when it is not such a number or overflows.
 */
int vgs_csv_decimal_ns(const char *s, uint64_t unit_ns, int64_t *ns);

#endif
