/* Results directories: checked before the work, written aside, renamed into place (see outdir.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/results/outdir.h"
#include "models/scenario/policy_load.h"

/* Longest default directory name before it is shortened with a hash. */
#define DEFAULT_NAME_MAX 120

char *vgs_outdir_norm(const char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	return g_strndup(path, n);
}

void vgs_outdir_umask(const char *path, bool dir)
{
	mode_t mask = umask(0);

	umask(mask);
	chmod(path, (dir ? 0777 : 0666) & ~mask);
}

void vgs_outdir_remove(const char *path)
{
	GDir *dir = g_dir_open(path, 0, NULL);
	const char *name;

	if (dir) {
		while ((name = g_dir_read_name(dir))) {
			char *p = g_build_filename(path, name, NULL);

			if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
				vgs_outdir_remove(p);
			else
				g_unlink(p);
			g_free(p);
		}
		g_dir_close(dir);
	}
	g_rmdir(path);
}

/* Absent, an empty directory, or a directory holding the marker. */
static int replaceable(const char *path, const char *marker, struct vgs_error *err)
{
	GStatBuf st;
	GDir *d;
	char *m;
	bool ok;

	if (g_lstat(path, &st) != 0)
		return 0;
	if (!S_ISDIR(st.st_mode)) {
		vgs_error_set(err, "%s exists and is not a directory; choose another -o", path);
		return -1;
	}
	if (!marker)
		return 0;
	m = g_build_filename(path, marker, NULL);
	ok = g_file_test(m, G_FILE_TEST_EXISTS);
	g_free(m);
	if (!ok && (d = g_dir_open(path, 0, NULL))) {
		ok = !g_dir_read_name(d);
		g_dir_close(d);
	}
	if (!ok)
		vgs_error_set(err, "%s exists and is not a vgpusim %s directory (no %s); choose another -o", path,
			      !strcmp(marker, VGS_OUTDIR_COMPARE)    ? "comparison"
			      : !strcmp(marker, VGS_OUTDIR_VALIDATE) ? "validation"
								     : "results",
			      marker);
	return ok ? 0 : -1;
}

int vgs_outdir_begin(struct vgs_outdir *o, const char *path, const char *marker, struct vgs_error *err)
{
	char *parent, *base;

	memset(o, 0, sizeof(*o));
	o->path = vgs_outdir_norm(path);
	o->marker = marker;
	if (!*o->path) {
		vgs_error_set(err, "-o: expected a directory name, got an empty one");
		return -1;
	}
	if (replaceable(o->path, marker, err) < 0)
		return -1;
	parent = g_path_get_dirname(o->path);
	base = g_path_get_basename(o->path);
	o->tmp = g_strdup_printf("%s/.%s.tmp-XXXXXX", parent, base);
	if (g_mkdir_with_parents(parent, 0777) != 0 || !g_mkdtemp(o->tmp)) {
		vgs_error_set(err, "cannot create a results directory next to %s: %s", o->path, g_strerror(errno));
		g_free(o->tmp);
		o->tmp = NULL;
	} else {
		vgs_outdir_umask(o->tmp, true); /* mkdtemp makes it 0700 */
	}
	g_free(parent);
	g_free(base);
	return o->tmp ? 0 : -1;
}

int vgs_outdir_commit(struct vgs_outdir *o, struct vgs_error *err)
{
	char *old;
	int rc = -1;

	if (rename(o->tmp, o->path) == 0) {
		rc = 0;
	} else if (errno == ENOTEMPTY || errno == EEXIST) {
		/* Checked at begin; checked again: another command may have written there since. */
		if (replaceable(o->path, o->marker, err) < 0)
			goto out;
		old = g_strdup_printf("%s.old-%d", o->path, (int)getpid());
		if (rename(o->path, old) == 0 && rename(o->tmp, o->path) == 0) {
			vgs_outdir_remove(old);
			rc = 0;
		}
		g_free(old);
	}
	if (rc < 0)
		vgs_error_set(err, "cannot move the results into %s: %s", o->path, g_strerror(errno));
out:
	if (rc == 0) {
		g_free(o->tmp);
		o->tmp = NULL;
	}
	vgs_outdir_abort(o);
	return rc;
}

void vgs_outdir_abort(struct vgs_outdir *o)
{
	if (o->tmp) {
		vgs_outdir_remove(o->tmp);
		g_free(o->tmp);
		o->tmp = NULL;
	}
}

void vgs_outdir_fini(struct vgs_outdir *o)
{
	vgs_outdir_abort(o);
	g_free(o->path);
	o->path = NULL;
}

/* s without the characters a shell would need quoted ('[0]' -> '0', '"engine"' -> 'engine'). */
static void append_clean(GString *out, const char *s)
{
	for (; *s; s++)
		if (g_ascii_isalnum(*s) || strchr("._=+-,", *s))
			g_string_append_c(out, *s);
		else if (*s == ' ' || *s == '/')
			g_string_append_c(out, '_');
}

char *vgs_outdir_default(const struct vgs_scenario *s, const GPtrArray *given, bool with_policy,
			 const char *suffix)
{
	GString *name = g_string_new(NULL);

	append_clean(name, s->name);
	if (with_policy && s->policy) {
		char *p = vgs_policy_group_name(s->policy);

		g_string_append_c(name, '-');
		append_clean(name, p);
		g_free(p);
	}
	for (guint i = 0; given && i + 1 < given->len; i += 2) {
		const char *opt = given->pdata[i], *val = given->pdata[i + 1];

		if (!strcmp(opt, "--policy"))
			continue;
		g_string_append_c(name, '-');
		if (strcmp(opt, "--set")) {
			append_clean(name, opt + 2);
			g_string_append_c(name, '=');
		}
		append_clean(name, val);
	}
	if (suffix) {
		g_string_append_c(name, '-');
		append_clean(name, suffix);
	}
	if (name->len > DEFAULT_NAME_MAX) {
		char *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA1, name->str, name->len);

		g_string_truncate(name, DEFAULT_NAME_MAX - 9);
		g_string_append_printf(name, "-%.8s", hash);
		g_free(hash);
	}
	char *path = g_build_filename("results", name->str, NULL);

	g_string_free(name, TRUE);
	return path;
}
