/*
 * A small streaming JSON writer: pretty-printed (2-space indent), deterministic, locale-independent.
 * The caller opens objects and arrays and writes keys and values in order; the writer places commas,
 * newlines and indentation, escapes strings (control characters as \n, \t, \u00XX; invalid UTF-8
 * bytes as \ufffd, so the output is always valid JSON) and writes non-finite doubles as null.
 *
 *     struct vgs_json j;
 *     vgs_json_init(&j, f);
 *     vgs_json_object_begin(&j);
 *     vgs_json_kv_string(&j, "name", "cloudgame");
 *     vgs_json_key(&j, "rates");
 *     vgs_json_array_begin(&j); vgs_json_double(&j, 59.9); vgs_json_array_end(&j);
 *     vgs_json_object_end(&j);
 *     if (vgs_json_finish(&j) < 0) ...
 *
 * Misuse (a value where a key is due, unbalanced ends, nesting deeper than VGS_JSON_MAX_DEPTH) sets
 * the error flag instead of writing malformed text; vgs_json_finish() reports it.
 */
#ifndef VGS_JSON_H
#define VGS_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VGS_JSON_MAX_DEPTH 32

struct vgs_json {
	FILE *f;
	int depth;
	bool in_object[VGS_JSON_MAX_DEPTH]; /* container kind per level */
	bool nonempty[VGS_JSON_MAX_DEPTH];  /* a member was written at this level */
	bool after_key;                     /* a key was written, its value is due */
	bool error;
};

void vgs_json_init(struct vgs_json *j, FILE *f);
/* 0 when every container was closed and nothing failed (I/O included), else -1.  Ends with "\n". */
int vgs_json_finish(struct vgs_json *j);

void vgs_json_object_begin(struct vgs_json *j);
void vgs_json_object_end(struct vgs_json *j);
void vgs_json_array_begin(struct vgs_json *j);
void vgs_json_array_end(struct vgs_json *j);
/* A member name inside an object; the next call writes its value. */
void vgs_json_key(struct vgs_json *j, const char *key);

void vgs_json_string(struct vgs_json *j, const char *s); /* NULL writes null */
void vgs_json_u64(struct vgs_json *j, uint64_t v);
void vgs_json_i64(struct vgs_json *j, int64_t v);
void vgs_json_double(struct vgs_json *j, double v);     /* "%.9g"; NaN and infinities write null */
void vgs_json_bool(struct vgs_json *j, bool v);
void vgs_json_null(struct vgs_json *j);

/* key + value in one call. */
void vgs_json_kv_string(struct vgs_json *j, const char *key, const char *s);
void vgs_json_kv_u64(struct vgs_json *j, const char *key, uint64_t v);
void vgs_json_kv_i64(struct vgs_json *j, const char *key, int64_t v);
void vgs_json_kv_double(struct vgs_json *j, const char *key, double v);
void vgs_json_kv_bool(struct vgs_json *j, const char *key, bool v);
void vgs_json_kv_null(struct vgs_json *j, const char *key);

/*
 * printf(fmt, v) for one double conversion (e.g. "%.6f", "%.9g") into buf, with '.' as the decimal
 * point whatever LC_NUMERIC says, so outputs are byte-identical across locales.  Returns buf.
 */
char *vgs_fmt_double(char *buf, size_t size, const char *fmt, double v);

/*
 * The same bytes as printf without its cost, for outputs with a row per tenant: v in decimal
 * (vgs_fmt_u64: buf of at least VGS_FMT_U64_SIZE), and "%.<prec>f" (vgs_fmt_fixed: correctly rounded
 * like glibc, ties to even; formats printf itself where the exact arithmetic would not fit).
 */
#define VGS_FMT_U64_SIZE 21
char *vgs_fmt_u64(char *buf, uint64_t v);
char *vgs_fmt_fixed(char *buf, size_t size, unsigned prec, double v);

#endif
