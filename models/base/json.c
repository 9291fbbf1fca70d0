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

char *vgs_fmt_u64(char *buf, uint64_t v)
{
	char tmp[VGS_FMT_U64_SIZE], *p = tmp + sizeof(tmp);

	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	memcpy(buf, p, (size_t)(tmp + sizeof(tmp) - p));
	buf[tmp + sizeof(tmp) - p] = '\0';
	return buf;
}

/*
 * |v| = m * 2^e exactly (m < 2^53), so |v| * 10^prec = m * 5^prec * 2^(e + prec): an integer of at
 * most 53 + 21 bits (prec <= 9) shifted, which rounds exactly in 128 bits.  |v| < 1e9 keeps the
 * rounded result below 10^18.
 */
char *vgs_fmt_fixed(char *buf, size_t size, unsigned prec, double v)
{
	static const uint64_t pow10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
					  1000000000 };
	static const uint32_t pow5[] = { 1, 5, 25, 125, 625, 3125, 15625, 78125, 390625, 1953125 };
	char fmt[16], ip[VGS_FMT_U64_SIZE], fp[VGS_FMT_U64_SIZE];
	unsigned __int128 x;
	uint64_t q, m;
	int e, shift;
	size_t n, fl;
	char *o = buf;

	if (!isfinite(v) || prec > 9 || fabs(v) >= 1e9 || size < 32) {
		snprintf(fmt, sizeof(fmt), "%%.%uf", prec);
		return vgs_fmt_double(buf, size, fmt, v);
	}
	m = (uint64_t)ldexp(frexp(fabs(v), &e), 53);
	x = (unsigned __int128)m * pow5[prec];
	shift = 53 - e - (int)prec; /* |v| * 10^prec = x / 2^shift */
	if (shift <= 0) {
		q = (uint64_t)(x << -shift);
	} else if (shift >= 100) {
		q = 0; /* x < 2^74: below half */
	} else {
		unsigned __int128 r = x & (((unsigned __int128)1 << shift) - 1), half = (unsigned __int128)1 << (shift - 1);

		q = (uint64_t)(x >> shift);
		q += r > half || (r == half && (q & 1));
	}
	if (signbit(v))
		*o++ = '-';
	vgs_fmt_u64(ip, q / pow10[prec]);
	n = strlen(ip);
	memcpy(o, ip, n);
	o += n;
	if (prec) {
		*o++ = '.';
		vgs_fmt_u64(fp, q % pow10[prec]);
		fl = strlen(fp);
		memset(o, '0', prec - fl);
		memcpy(o + prec - fl, fp, fl);
		o += prec;
	}
	*o = '\0';
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
	static const char nl_spaces[] = "\n" "                                                                ";

	_Static_assert(sizeof(nl_spaces) >= 2 + 2 * VGS_JSON_MAX_DEPTH, "room for every depth");
	fwrite(nl_spaces, 1, 1 + 2 * (size_t)j->depth, j->f);
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

/* The length of s's prefix of printable ASCII with nothing to escape. */
static size_t plain_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
		p++;
	return (size_t)(p - (const unsigned char *)s);
}

static void json_escaped(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s + plain_len(s);

	/* Plain ASCII with nothing to escape (every key, most names) goes out in one write. */
	fputc('"', f);
	fwrite(s, 1, (size_t)(p - (const unsigned char *)s), f);
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
	size_t kl = plain_len(key), n = 0;
	char buf[256];

	/* The common key (plain ASCII, short) goes out in one write with its comma and indentation. */
	if (kl < 128 && key[kl] == '\0') {
		if (j->nonempty[j->depth])
			buf[n++] = ',';
		buf[n++] = '\n';
		memset(buf + n, ' ', 2 * (size_t)j->depth);
		n += 2 * (size_t)j->depth;
		buf[n++] = '"';
		memcpy(buf + n, key, kl);
		n += kl;
		memcpy(buf + n, "\": ", 3);
		fwrite(buf, 1, n + 3, j->f);
	} else {
		if (j->nonempty[j->depth])
			fputc(',', j->f);
		json_indent(j);
		json_escaped(j->f, key);
		fputs(": ", j->f);
	}
	j->nonempty[j->depth] = true;
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
	char buf[VGS_FMT_U64_SIZE];

	if (json_value_prefix(j))
		fputs(vgs_fmt_u64(buf, v), j->f);
}

void vgs_json_i64(struct vgs_json *j, int64_t v)
{
	char buf[VGS_FMT_U64_SIZE];

	if (!json_value_prefix(j))
		return;
	if (v < 0)
		fputc('-', j->f);
	fputs(vgs_fmt_u64(buf, v < 0 ? 0 - (uint64_t)v : (uint64_t)v), j->f);
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
	/* An integer below 10^9 is what "%.9g" prints too: its digits, without point or exponent. */
	if (fabs(v) < 1e9 && v == (double)(int64_t)v) {
		if (v < 0)
			fputc('-', j->f);
		fputs(vgs_fmt_u64(buf, (uint64_t)fabs(v)), j->f);
		return;
	}
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
