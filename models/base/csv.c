/* The CSV reader of csv.h: one record at a time, quotes across line breaks, exact decimal times (GLib + zlib). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <zlib.h>

#include "models/base/csv.h"

int vgs_csv_open(struct vgs_csv *c, const char *path, struct vgs_error *err)
{
	memset(c, 0, sizeof(*c));
	c->path = path;
	errno = 0;
	c->gz = gzopen(path, "rb");
	if (!c->gz) {
		vgs_error_set(err, "%s: cannot open: %s", path, strerror(errno ? errno : ENOMEM));
		return -1;
	}
	c->next_line = 1;
	c->fields = g_ptr_array_new_with_free_func(g_free);
	c->header = g_ptr_array_new_with_free_func(g_free);
	c->buf = g_string_new(NULL);
	return 0;
}

void vgs_csv_close(struct vgs_csv *c)
{
	if (c->gz)
		gzclose(c->gz);
	if (c->fields)
		g_ptr_array_free(c->fields, TRUE);
	if (c->header)
		g_ptr_array_free(c->header, TRUE);
	if (c->buf)
		g_string_free(c->buf, TRUE);
	memset(c, 0, sizeof(*c));
}

/* Append one physical line (without its LF or CRLF) to c->buf: 1, 0 at the end of the file, -1 on error. */
static int read_line(struct vgs_csv *c)
{
	char chunk[4096];
	bool any = false;

	for (;;) {
		size_t n;

		if (!gzgets(c->gz, chunk, sizeof(chunk))) {
			int e;

			gzerror(c->gz, &e);
			if (e != Z_OK && e != Z_STREAM_END)
				return -1;
			return any ? 1 : 0;
		}
		any = true;
		n = strlen(chunk);
		if (n && chunk[n - 1] == '\n') {
			n--;
			if (n && chunk[n - 1] == '\r')
				n--;
			g_string_append_len(c->buf, chunk, (gssize)n);
			return 1;
		}
		g_string_append_len(c->buf, chunk, (gssize)n);
	}
}

int vgs_csv_next(struct vgs_csv *c, struct vgs_error *err)
{
	GString *field = g_string_new(NULL);
	int rc;

	g_ptr_array_set_size(c->fields, 0);
	/* skip blank lines */
	do {
		g_string_truncate(c->buf, 0);
		c->line = c->next_line;
		rc = read_line(c);
		if (rc < 0)
			vgs_error_set(err, "%s:%u: cannot read (corrupt gzip?)", c->path, c->line);
		if (rc <= 0)
			goto out;
		c->next_line++;
		if (c->line == 1 && c->buf->len >= 3 && memcmp(c->buf->str, "\xef\xbb\xbf", 3) == 0)
			g_string_erase(c->buf, 0, 3);
	} while (c->buf->len == 0);

	for (size_t i = 0;;) {
		const char *s = c->buf->str;

		if (s[i] == '"') {
			/* quoted field, possibly continued on later lines */
			for (i++;;) {
				if (s[i] == '\0') {
					g_string_append_c(field, '\n');
					g_string_truncate(c->buf, 0);
					rc = read_line(c);
					if (rc < 0) {
						vgs_error_set(err, "%s:%u: cannot read (corrupt gzip?)", c->path,
							      c->next_line);
						goto out;
					}
					if (rc == 0) {
						vgs_error_set(err, "%s:%u: a closing '\"' for the quoted field", c->path,
							      c->line);
						rc = -1;
						goto out;
					}
					c->next_line++;
					s = c->buf->str;
					i = 0;
					continue;
				}
				if (s[i] == '"' && s[i + 1] == '"') {
					g_string_append_c(field, '"');
					i += 2;
				} else if (s[i] == '"') {
					i++;
					break;
				} else {
					g_string_append_c(field, s[i++]);
				}
			}
			if (s[i] != ',' && s[i] != '\0') {
				vgs_error_set(err, "%s:%u: ',' or the end of the line after a quoted field", c->path,
					      c->line);
				rc = -1;
				goto out;
			}
		} else {
			size_t j = i + strcspn(s + i, ",");

			g_string_append_len(field, s + i, (gssize)(j - i));
			i = j;
		}
		g_ptr_array_add(c->fields, g_strdup(field->str));
		g_string_truncate(field, 0);
		if (s[i] == '\0')
			break;
		i++; /* ',' */
	}
	rc = 1;
out:
	g_string_free(field, TRUE);
	return rc;
}

int vgs_csv_header(struct vgs_csv *c, struct vgs_error *err)
{
	int rc = vgs_csv_next(c, err);

	if (rc == 0) {
		vgs_error_set(err, "%s:1: a CSV header line (the file is empty)", c->path);
		return -1;
	}
	if (rc < 0)
		return -1;
	g_ptr_array_set_size(c->header, 0);
	for (guint i = 0; i < c->fields->len; i++)
		g_ptr_array_add(c->header, g_strdup(c->fields->pdata[i]));
	return 0;
}

int vgs_csv_col(const struct vgs_csv *c, const char *name)
{
	for (guint i = 0; i < c->header->len; i++)
		if (strcmp(c->header->pdata[i], name) == 0)
			return (int)i;
	return -1;
}

int vgs_csv_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

int vgs_csv_decimal_ns(const char *s, uint64_t unit_ns, int64_t *ns)
{
	uint64_t ip = 0, fp = 0, scale = 1;
	bool neg = false, digits = false;
	int round = 0;

	if (!s)
		return -1;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++) {
		if (ip > (UINT64_MAX - 9) / 10)
			return -1;
		ip = ip * 10 + (uint64_t)(*s - '0');
		digits = true;
	}
	if (*s == '.') {
		/* unit_ns = 10^d: the first d fraction digits are exact ns, the next one rounds */
		for (s++; *s >= '0' && *s <= '9'; s++) {
			digits = true;
			if (scale < unit_ns) {
				fp = fp * 10 + (uint64_t)(*s - '0');
				scale *= 10;
			} else if (round == 0) {
				round = *s >= '5' ? 1 : -1;
			}
		}
	}
	if (*s || !digits || ip > (uint64_t)INT64_MAX / unit_ns)
		return -1;
	uint64_t v = ip * unit_ns + fp * (unit_ns / scale) + (round > 0);

	if (v > (uint64_t)INT64_MAX)
		return -1;
	*ns = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}
