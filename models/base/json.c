/*
 * Streaming JSON writer (see json.h).  Layout: every member or element on its own line, indented by
 * two spaces per level; empty containers print as {} and [].
 */
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "models/base/json.h"

char *vgs_fmt_double(char *buf, size_t size, const char *fmt, double v)
{
	const char *dp = localeconv()->decimal_point;
	size_t dpl;
	char *p;

	snprintf(buf, size, fmt, v);
	if (!dp || !*dp || strcmp(dp, ".") == 0)
		return buf;
	dpl = strlen(dp);
	p = strstr(buf, dp);
	if (p) {
		*p = '.';
		memmove(p + 1, p + dpl, strlen(p + dpl) + 1);
	}
	return buf;
}

void vgs_json_init(struct vgs_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

int vgs_json_finish(struct vgs_json *j)
{
	if (j->depth != 0 || j->after_key)
		j->error = true;
	fputc('\n', j->f);
	if (ferror(j->f))
		j->error = true;
	return j->error ? -1 : 0;
}

static void json_indent(struct vgs_json *j)
{
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Place the separator before a value; false (and the error flag) when a value is not allowed here. */
static bool json_value_prefix(struct vgs_json *j)
{
	if (j->error)
		return false;
	if (j->depth == 0) {
		if (j->nonempty[0]) { /* only one top-level value */
			j->error = true;
			return false;
		}
		j->nonempty[0] = true;
		return true;
	}
	if (j->in_object[j->depth]) {
		if (!j->after_key) {
			j->error = true;
			return false;
		}
		j->after_key = false;
		return true;
	}
	if (j->nonempty[j->depth])
		fputc(',', j->f);
	j->nonempty[j->depth] = true;
	json_indent(j);
	return true;
}

static void json_escaped(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	while (*p) {
		unsigned char c = *p;
		size_t len = 0;

		if (c < 0x80) {
			switch (c) {
			case '"': fputs("\\\"", f); break;
			case '\\': fputs("\\\\", f); break;
			case '\n': fputs("\\n", f); break;
			case '\r': fputs("\\r", f); break;
			case '\t': fputs("\\t", f); break;
			case '\b': fputs("\\b", f); break;
			case '\f': fputs("\\f", f); break;
			default:
				if (c < 0x20 || c == 0x7f)
					fprintf(f, "\\u%04x", c);
				else
					fputc(c, f);
			}
			p++;
			continue;
		}
		/* Copy a well-formed UTF-8 sequence through; anything else becomes U+FFFD. */
		uint32_t cp = 0;
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			cp = c & 0x07;
		}
		for (size_t k = 1; k < len; k++) {
			if ((p[k] & 0xc0) != 0x80) {
				len = 0;
				break;
			}
			cp = (cp << 6) | (p[k] & 0x3f);
		}
		if (len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff)))
			len = 0; /* overlong or surrogate */
		if (len == 4 && (cp < 0x10000 || cp > 0x10ffff))
			len = 0;
		if (len) {
			fwrite(p, 1, len, f);
			p += len;
		} else {
			fputs("\\ufffd", f);
			p++;
		}
	}
	fputc('"', f);
}

static void json_open(struct vgs_json *j, bool object)
{
	if (!json_value_prefix(j))
		return;
	if (j->depth + 1 >= VGS_JSON_MAX_DEPTH) {
		j->error = true;
		return;
	}
	fputc(object ? '{' : '[', j->f);
	j->depth++;
	j->in_object[j->depth] = object;
	j->nonempty[j->depth] = false;
}

static void json_close(struct vgs_json *j, bool object)
{
	if (j->error)
		return;
	if (j->depth == 0 || j->in_object[j->depth] != object || j->after_key) {
		j->error = true;
		return;
	}
	bool had = j->nonempty[j->depth];
	j->depth--;
	if (had)
		json_indent(j);
	fputc(object ? '}' : ']', j->f);
}

void vgs_json_object_begin(struct vgs_json *j) { json_open(j, true); }
void vgs_json_object_end(struct vgs_json *j) { json_close(j, true); }
void vgs_json_array_begin(struct vgs_json *j) { json_open(j, false); }
void vgs_json_array_end(struct vgs_json *j) { json_close(j, false); }

void vgs_json_key(struct vgs_json *j, const char *key)
{
	if (j->error)
		return;
	if (j->depth == 0 || !j->in_object[j->depth] || j->after_key || !key) {
		j->error = true;
		return;
	}
	if (j->nonempty[j->depth])
		fputc(',', j->f);
	j->nonempty[j->depth] = true;
	json_indent(j);
	json_escaped(j->f, key);
	fputs(": ", j->f);
	j->after_key = true;
}

void vgs_json_string(struct vgs_json *j, const char *s)
{
	if (!json_value_prefix(j))
		return;
	if (s)
		json_escaped(j->f, s);
	else
		fputs("null", j->f);
}

void vgs_json_u64(struct vgs_json *j, uint64_t v)
{
	if (json_value_prefix(j))
		fprintf(j->f, "%" PRIu64, v);
}

void vgs_json_i64(struct vgs_json *j, int64_t v)
{
	if (json_value_prefix(j))
		fprintf(j->f, "%" PRId64, v);
}

void vgs_json_double(struct vgs_json *j, double v)
{
	char buf[64];

	if (!json_value_prefix(j))
		return;
	if (!isfinite(v)) {
		fputs("null", j->f);
		return;
	}
	if (v == 0.0)
		v = 0.0; /* no "-0" */
	fputs(vgs_fmt_double(buf, sizeof(buf), "%.9g", v), j->f);
}

void vgs_json_bool(struct vgs_json *j, bool v)
{
	if (json_value_prefix(j))
		fputs(v ? "true" : "false", j->f);
}

void vgs_json_null(struct vgs_json *j)
{
	if (json_value_prefix(j))
		fputs("null", j->f);
}

void vgs_json_kv_string(struct vgs_json *j, const char *key, const char *s)
{
	vgs_json_key(j, key);
	vgs_json_string(j, s);
}

void vgs_json_kv_u64(struct vgs_json *j, const char *key, uint64_t v)
{
	vgs_json_key(j, key);
	vgs_json_u64(j, v);
}

void vgs_json_kv_i64(struct vgs_json *j, const char *key, int64_t v)
{
	vgs_json_key(j, key);
	vgs_json_i64(j, v);
}

void vgs_json_kv_double(struct vgs_json *j, const char *key, double v)
{
	vgs_json_key(j, key);
	vgs_json_double(j, v);
}

void vgs_json_kv_bool(struct vgs_json *j, const char *key, bool v)
{
	vgs_json_key(j, key);
	vgs_json_bool(j, v);
}

void vgs_json_kv_null(struct vgs_json *j, const char *key)
{
	vgs_json_key(j, key);
	vgs_json_null(j);
}
