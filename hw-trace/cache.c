/*
 * The import cache (cache.h): captures named by a config imported once, their native form kept under
 * $XDG_CACHE_HOME/vgpusim with a checksum line, written by temporary file and rename.  Cost of a hit:
 * one SHA-256 pass over the capture's bytes and one over the entry, no parsing.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "hw-trace/cache.h"
#include "hw-trace/import.h"
#include "hw-trace/stats.h"
#include "models/base/interrupt.h"

#define CACHE_TRAILER "# vgpusim import cache: sha256 "

static unsigned cache_hits, cache_misses;
static bool cache_off, cache_unwritable;

const char *vgs_import_cache_outcome(void)
{
	if (cache_off)
		return "off";
	if (cache_unwritable)
		return "unwritable";
	if (cache_misses)
		return "miss";
	return cache_hits ? "hit" : NULL;
}

char *vgs_import_cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME");

	/* The XDG base directory spec: a relative $XDG_CACHE_HOME is ignored. */
	if (xdg && g_path_is_absolute(xdg))
		return g_build_filename(xdg, "vgpusim", NULL);
	return g_build_filename(g_get_home_dir(), ".cache", "vgpusim", NULL);
}

static bool cache_disabled(void)
{
	const char *v = getenv("VGS_NO_CACHE");

	return v && *v && strcmp(v, "0");
}

/* The key of cache.h: SHA-256 of the header and the capture's bytes, in hex (g_free); NULL if unreadable. */
static char *capture_key(const char *path, const char *format)
{
	GChecksum *h = g_checksum_new(G_CHECKSUM_SHA256);
	char *base = g_path_get_basename(path), *head, *key = NULL;
	guchar buf[1 << 16];
	size_t n;
	FILE *f = fopen(path, "rb");

	head = g_strdup_printf("vgpusim import cache\nimporter %d\nvgpusim %s\nformat %s\nname %s\n\n",
			       VGS_IMPORT_VERSION, VGS_VERSION, format, base);
	g_checksum_update(h, (const guchar *)head, strlen(head));
	if (f) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			g_checksum_update(h, buf, n);
		if (!ferror(f))
			key = g_strdup(g_checksum_get_string(h));
		fclose(f);
	}
	g_checksum_free(h);
	g_free(head);
	g_free(base);
	return key;
}

/*
 * Whether the entry at `path` is whole: its last line is the trailer and names the length and SHA-256
 * of everything before it.  *why says what is wrong with one that exists but is not (NULL: absent).
 */
static bool entry_ok(const char *path, const char **why)
{
	char *text = NULL, *sum = NULL, *last, *hex;
	gsize len = 0;
	unsigned long long n;
	bool ok = false;

	*why = NULL;
	if (!g_file_get_contents(path, &text, &len, NULL))
		return false;
	*why = "truncated";
	if (len < 2 || text[len - 1] != '\n')
		goto out;
	text[len - 1] = '\0';
	last = strrchr(text, '\n');
	last = last ? last + 1 : text;
	if (strncmp(last, CACHE_TRAILER, strlen(CACHE_TRAILER)))
		goto out;
	hex = last + strlen(CACHE_TRAILER);
	*why = "its checksum does not match";
	if (strlen(hex) < 64 + 7 || strncmp(hex + 64, " bytes ", 7) ||
	    sscanf(hex + 71, "%llu", &n) != 1 || n != (unsigned long long)(last - text))
		goto out;
	sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)text, n);
	ok = sum && !strncmp(hex, sum, 64);
out:
	g_free(sum);
	g_free(text);
	return ok;
}

/* Write `len` bytes of native text and its trailer to a new file, atomically renamed to `dest`. */
static int entry_write(const char *dir, const char *dest, const char *text, size_t len, struct vgs_error *err)
{
	char *tmp = g_build_filename(dir, ".import-XXXXXX", NULL);
	char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)text, len);
	FILE *f = NULL;
	int fd, rc = -1;

	if (g_mkdir_with_parents(dir, 0755) != 0) {
		vgs_error_set(err, "%s: cannot create it: %s", dir, strerror(errno));
		goto out;
	}
	fd = g_mkstemp(tmp);
	if (fd < 0) {
		vgs_error_set(err, "%s: cannot write in it: %s", dir, strerror(errno));
		goto out;
	}
	vgs_interrupt_file_add(tmp);
	f = fdopen(fd, "wb");
	if (!f)
		close(fd);
	if (!f || fwrite(text, 1, len, f) != len || fprintf(f, CACHE_TRAILER "%s bytes %zu\n", sum, len) < 0 ||
	    fclose(f) != 0) {
		vgs_error_set(err, "%s: cannot write in it: %s", dir, strerror(errno ? errno : EIO));
	} else if (g_rename(tmp, dest) != 0) {
		vgs_error_set(err, "%s: cannot rename an entry into it: %s", dir, strerror(errno));
	} else {
		rc = 0;
	}
	if (rc)
		remove(tmp);
	vgs_interrupt_file_remove(tmp);
out:
	g_free(sum);
	g_free(tmp);
	return rc;
}

/* The native text in a temporary file, as vgs_import_to_tempfile() leaves it (the cache unwritable). */
static char *text_to_tempfile(const char *text, size_t len, struct vgs_error *err)
{
	GError *gerr = NULL;
	char *tmp = NULL;
	int fd = g_file_open_tmp("vgpusim-import-XXXXXX.vgt", &tmp, &gerr);
	FILE *f;

	if (fd < 0) {
		vgs_error_set(err, "cannot create a temporary trace: %s", gerr->message);
		g_error_free(gerr);
		return NULL;
	}
	vgs_interrupt_file_add(tmp);
	f = fdopen(fd, "w");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		if (!f)
			close(fd);
		vgs_error_set(err, "cannot write a temporary trace: %s", strerror(errno ? errno : EIO));
		vgs_interrupt_file_remove(tmp);
		remove(tmp);
		g_free(tmp);
		return NULL;
	}
	return tmp;
}

char *vgs_import_cached(const char *path, const char *format, bool *temporary, struct vgs_error *err)
{
	static const char *const importers[] = { "kineto", "ftrace", "orion", "presentmon", NULL };
	struct vgs_error werr = { { 0 } };
	struct vgs_import im;
	char *dir = NULL, *key = NULL, *entry = NULL, *text = NULL, *out = NULL;
	const char *why;
	size_t len = 0;
	FILE *mem;
	bool known = false;

	*temporary = true;
	if (cache_disabled()) {
		cache_off = true;
		return vgs_import_to_tempfile(path, format, temporary, err);
	}
	if (!format || !strcmp(format, "auto")) {
		format = vgs_import_detect(path, err);
		if (!format)
			return NULL;
	}
	for (const char *const *p = importers; *p; p++)
		known |= !strcmp(*p, format);
	/* An unknown format or an unreadable file: the importer says what is wrong, as without the cache. */
	if (!known || !(key = capture_key(path, format)))
		return vgs_import_to_tempfile(path, format, temporary, err);
	dir = vgs_import_cache_dir();
	entry = g_strdup_printf("%s/%s.vgt", dir, key);
	if (entry_ok(entry, &why)) {
		cache_hits++;
		*temporary = false;
		out = entry;
		entry = NULL;
		goto done;
	}
	if (why)
		fprintf(stderr, "vgpusim: warning: import cache entry %s: %s; importing %s again\n", entry, why, path);
	if (vgs_import_file(&im, format, path, err))
		goto done;
	mem = open_memstream(&text, &len);
	/* One context: plain; several: with a ctx column, for the workload's `context` key. */
	if (!mem || vgs_import_write(&im, im.ctx_names->len == 1 ? 0 : -1, mem, err) || fclose(mem)) {
		if (!err->msg[0])
			vgs_error_set(err, "cannot hold the imported trace: %s", strerror(errno ? errno : ENOMEM));
		vgs_import_fini(&im);
		goto done;
	}
	vgs_import_fini(&im);
	cache_misses++;
	if (entry_write(dir, entry, text, len, &werr) == 0) {
		*temporary = false;
		out = entry;
		entry = NULL;
	} else {
		if (!cache_unwritable)
			fprintf(stderr, "vgpusim: warning: import cache %s; importing without it (--no-cache "
				"or VGS_NO_CACHE=1 skips the cache)\n", werr.msg);
		cache_unwritable = true;
		out = text_to_tempfile(text, len, err);
	}
done:
	free(text);
	g_free(entry);
	g_free(key);
	g_free(dir);
	return out;
}
