/*
 * Which importer reads a file: decided from its content, never its name (gzip is looked through).
 *   native      first line "#vgpusim-trace 1"
 *   kineto      JSON: first non-blank byte '{' or '['
 *   orion       CSV header starting "Name,Profile,"
 *   presentmon  CSV header with "Application" and "ProcessID" columns
 *   ftrace      trace-cmd report text: "cpus=N" header, or "comm-pid [cpu] secs.usecs: event:" lines
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <unistd.h>

#include <zlib.h>

#include "hw-trace/import.h"
#include "hw-trace/stats.h"
#include "models/base/interrupt.h"

/* Whether the file starts with the gzip magic. */
static bool is_gzip(const char *path)
{
	unsigned char m[2] = { 0, 0 };
	FILE *f = fopen(path, "rb");
	bool gz = f && fread(m, 1, 2, f) == 2 && m[0] == 0x1f && m[1] == 0x8b;

	if (f)
		fclose(f);
	return gz;
}

const char *vgs_import_detect(const char *path, struct vgs_error *err)
{
	char buf[8192];
	gzFile f;
	int n, zerr = Z_OK;
	const char *p, *zmsg = NULL;
	bool gz;

	if (vgs_file_check(path, "a trace file", NULL, err) < 0)
		return NULL;
	gz = is_gzip(path);
	f = gzopen(path, "rb");
	if (!f) {
		vgs_error_set(err, "%s: cannot open: %s", path, strerror(errno ? errno : ENOMEM));
		return NULL;
	}
	n = gzread(f, buf, sizeof(buf) - 1);
	if (gz)
		zmsg = gzerror(f, &zerr);
	if (n < 0 || (n == 0 && gz && zerr != Z_OK)) {
		/* zlib's message starts with the path itself */
		if (zmsg && g_str_has_prefix(zmsg, path) && !strncmp(zmsg + strlen(path), ": ", 2))
			zmsg += strlen(path) + 2;
		vgs_error_set(err, "%s: truncated or corrupt gzip stream (%s)", path,
			      zmsg && *zmsg ? zmsg : "cannot decompress it");
		gzclose(f);
		return NULL;
	}
	gzclose(f);
	buf[n] = '\0';
	if (n == 0) {
		vgs_error_set(err, "%s: %s; expected a trace", path, gz ? "an empty gzip stream" : "an empty file");
		return NULL;
	}
	for (p = buf; *p && isspace((unsigned char)*p); p++)
		;
	if (strncmp(p, "#vgpusim-trace", 14) == 0)
		return "native";
	if (*p == '{' || *p == '[')
		return "kineto";
	if (strncmp(p, "Name,Profile,", 13) == 0)
		return "orion";
	const char *eol = strchr(p, '\n');
	size_t len = eol ? (size_t)(eol - p) : strlen(p);
	char *first = g_strndup(p, len);
	bool pm = strstr(first, "Application") && strstr(first, "ProcessID");

	g_free(first);
	if (pm)
		return "presentmon";
	if (strncmp(p, "cpus=", 5) == 0 || g_regex_match_simple("^\\s*\\S.*\\[\\d+\\]\\s+\\d+\\.\\d+:\\s+\\w+:", p,
								  G_REGEX_MULTILINE, 0))
		return "ftrace";
	vgs_error_set(err, "%s: unknown trace format; expected a native trace, Kineto JSON, trace-cmd report "
		      "text, an Orion kernel CSV or a PresentMon CSV (or name the format)", path);
	return NULL;
}

int vgs_import_file(struct vgs_import *im, const char *format, const char *path, struct vgs_error *err)
{
	static const struct {
		const char *name;
		int (*fn)(struct vgs_import *, const char *, struct vgs_error *);
	} fmts[] = {
		{ "kineto", vgs_import_kineto },
		{ "ftrace", vgs_import_ftrace },
		{ "orion", vgs_import_orion },
		{ "presentmon", vgs_import_presentmon },
	};

	if (!format || !strcmp(format, "auto")) {
		format = vgs_import_detect(path, err);
		if (!format)
			return -1;
	}
	for (size_t i = 0; i < G_N_ELEMENTS(fmts); i++) {
		if (strcmp(format, fmts[i].name) == 0) {
			vgs_import_init(im, format);
			if (fmts[i].fn(im, path, err)) {
				vgs_import_fini(im);
				return -1;
			}
			return 0;
		}
	}
	if (!strcmp(format, "native"))
		return vgs_import_native(im, path, err);
	vgs_error_set(err, "unknown format '%s'; expected kineto, ftrace, orion, presentmon, native or auto", format);
	return -1;
}

char *vgs_import_to_tempfile(const char *path, const char *format, bool *temporary, struct vgs_error *err)
{
	struct vgs_import im;
	GError *gerr = NULL;
	char *tmp = NULL;
	FILE *f;
	int fd;

	*temporary = true;
	if (vgs_import_file(&im, format, path, err))
		return NULL;
	fd = g_file_open_tmp("vgpusim-import-XXXXXX.vgt", &tmp, &gerr);
	if (fd < 0) {
		vgs_error_set(err, "cannot create a temporary trace: %s", gerr->message);
		g_error_free(gerr);
		vgs_import_fini(&im);
		return NULL;
	}
	vgs_interrupt_file_add(tmp); /* removed should SIGINT/SIGTERM end the process while it exists */
	f = fdopen(fd, "w");
	/* One context: plain; several: with a ctx column, for the workload's `context` key. */
	if (!f || vgs_import_write(&im, im.ctx_names->len == 1 ? 0 : -1, f, err) || fclose(f)) {
		if (f == NULL)
			close(fd);
		if (!err->msg[0])
			vgs_error_set(err, "cannot write a temporary trace: %s", strerror(errno));
		vgs_interrupt_file_remove(tmp);
		remove(tmp);
		g_free(tmp);
		tmp = NULL;
	}
	vgs_import_fini(&im);
	return tmp;
}
