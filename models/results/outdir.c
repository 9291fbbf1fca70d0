/* Atomic results directories (see outdir.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/results/outdir.h"

char *vgs_outdir_begin(const char *final, struct vgs_error *err)
{
	char *parent = g_path_get_dirname(final);
	char *base = g_path_get_basename(final);
	char *tmpl = g_strdup_printf("%s/.%s.tmp-XXXXXX", parent, base);

	if (g_mkdir_with_parents(parent, 0755) != 0 || !g_mkdtemp(tmpl)) {
		vgs_error_set(err, "cannot create a results directory next to %s: %s", final, strerror(errno));
		g_free(tmpl);
		tmpl = NULL;
	}
	g_free(parent);
	g_free(base);
	return tmpl;
}

static void remove_tree(const char *path)
{
	GDir *dir = g_dir_open(path, 0, NULL);
	const char *name;

	if (dir) {
		while ((name = g_dir_read_name(dir))) {
			char *p = g_build_filename(path, name, NULL);

			if (g_file_test(p, G_FILE_TEST_IS_DIR) && !g_file_test(p, G_FILE_TEST_IS_SYMLINK))
				remove_tree(p);
			else
				g_unlink(p);
			g_free(p);
		}
		g_dir_close(dir);
	}
	g_rmdir(path);
}

void vgs_outdir_abort(const char *tmp)
{
	if (tmp)
		remove_tree(tmp);
}

int vgs_outdir_commit(const char *tmp, const char *final, struct vgs_error *err)
{
	if (rename(tmp, final) == 0)
		return 0;
	if (errno == ENOTEMPTY || errno == EEXIST) {
		char *summary = g_build_filename(final, "summary.json", NULL);
		bool ours = g_file_test(summary, G_FILE_TEST_EXISTS);

		g_free(summary);
		if (!ours) {
			vgs_error_set(err, "%s exists and is not a vgpusim results directory (no summary.json); "
				      "choose another -o", final);
			return -1;
		}
		char *old = g_strdup_printf("%s.old-%d", final, (int)getpid());

		if (rename(final, old) == 0 && rename(tmp, final) == 0) {
			remove_tree(old);
			g_free(old);
			return 0;
		}
		g_free(old);
	}
	vgs_error_set(err, "cannot move the results into %s: %s", final, strerror(errno));
	return -1;
}
