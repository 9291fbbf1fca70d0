/*
 * Slurm array jobs for a batch of runs (sim/slurm.h).  The script, DIR/slurm/<name>.sbatch:
 *
 *   #!/bin/sh
 *   #SBATCH --job-name=<name>  --array=0-<T-1>  --output=DIR/slurm/%A_%a.out  --chdir=<cwd>
 *   rc=0
 *   case "$SLURM_ARRAY_TASK_ID" in
 *   0) '/abs/vgpusim' 'run' ... 2>'LOG' || rc=1; [ -s 'LOG' ] || rm -f 'LOG' ;;   (its chunk of runs)
 *   ...
 *   esac
 *   exit $rc
 *
 * and `sbatch --parsable [--wait] [args] script`.  Every word is single-quoted (g_shell_quote), so the
 * command lines are exactly those of a local run.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "sim/batch.h"
#include "sim/slurm.h"

/* One run's command line in the script: its argv with argv[0] replaced by the binary's absolute path. */
static void append_run(GString *s, const struct vgs_batch_run *r, const char *exe)
{
	char *q = g_shell_quote(exe), *log = g_shell_quote(r->log);

	g_string_append_printf(s, "  %s", q);
	g_free(q);
	for (guint i = 1; i < r->argv->len && r->argv->pdata[i]; i++) {
		q = g_shell_quote(r->argv->pdata[i]);
		g_string_append_printf(s, " %s", q);
		g_free(q);
	}
	g_string_append_printf(s, " 2>%s </dev/null >/dev/null || rc=1\n  [ -s %s ] || rm -f %s\n", log, log, log);
	g_free(log);
}

static char *script_text(const char *dir, GPtrArray *runs, const struct vgs_slurm_opts *o, unsigned per,
			 unsigned ntasks, const char *exe)
{
	GString *s = g_string_new("#!/bin/sh\n");
	char *cwd = g_get_current_dir(), *out = g_build_filename(dir, "slurm", "%A_%a.out", NULL);

	g_string_append_printf(s, "# Written by vgpusim (sim/slurm.c): %u runs, %u per array task.\n", runs->len, per);
	g_string_append_printf(s, "#SBATCH --job-name=%s\n#SBATCH --array=0-%u\n#SBATCH --output=%s\n"
			       "#SBATCH --chdir=%s\n#SBATCH --ntasks=1\n", o->name, ntasks - 1, out, cwd);
	g_string_append(s, "rc=0\ncase \"$SLURM_ARRAY_TASK_ID\" in\n");
	for (unsigned t = 0; t < ntasks; t++) {
		g_string_append_printf(s, "%u)\n", t);
		for (unsigned k = t * per; k < (t + 1) * per && k < runs->len; k++)
			append_run(s, runs->pdata[k], exe);
		g_string_append(s, "  ;;\n");
	}
	g_string_append(s, "*)\n  echo \"vgpusim: no array task $SLURM_ARRAY_TASK_ID in this job\" >&2\n  exit 2 ;;\n"
			   "esac\nexit $rc\n");
	g_free(cwd);
	g_free(out);
	return g_string_free(s, FALSE);
}

/* The first line of text, stripped (in place). */
static char *first_line(char *text)
{
	char *nl = text ? strchr(text, '\n') : NULL;

	if (nl)
		*nl = '\0';
	return text ? g_strstrip(text) : text;
}

char *vgs_slurm_sbatch(const struct vgs_slurm_opts *o, struct vgs_error *err)
{
	const char *env = g_getenv("VGS_SBATCH");
	const char *name = o->sbatch ? o->sbatch : env && *env ? env : "sbatch";
	char *path = g_find_program_in_path(name);

	if (!path)
		vgs_error_set(err, "--slurm: no sbatch program found (%s); install Slurm's client (Debian: slurm-client) "
			      "or set VGS_SBATCH", name);
	return path;
}

int vgs_slurm_submit(const char *dir, GPtrArray *runs, const struct vgs_slurm_opts *o, char **jobid,
		     struct vgs_error *err)
{
	char *sbatch = vgs_slurm_sbatch(o, err);
	char *exe = g_file_read_link("/proc/self/exe", NULL), *sdir = g_build_filename(dir, "slurm", NULL);
	char *script = NULL, *path = NULL, *out = NULL, *errout = NULL, **extra = NULL;
	unsigned per = o->per_task ? o->per_task : 1, ntasks;
	GPtrArray *argv = g_ptr_array_new();
	GError *gerr = NULL;
	int status = 0, rc = -1, nextra = 0;

	*jobid = NULL;
	if (!sbatch)
		goto out;
	if (o->args && *o->args && !g_shell_parse_argv(o->args, &nextra, &extra, &gerr)) {
		vgs_error_set(err, "--sbatch-args '%s': %s", o->args, gerr->message);
		goto out;
	}
	while ((runs->len + per - 1) / per > VGS_SLURM_MAX_TASKS)
		per++;
	ntasks = (runs->len + per - 1) / per;
	if (!ntasks) {
		vgs_error_set(err, "--slurm: no run to submit");
		goto out;
	}
	g_mkdir_with_parents(sdir, 0755);
	script = script_text(dir, runs, o, per, ntasks, exe ? exe : "vgpusim");
	path = g_strdup_printf("%s/%s.sbatch", sdir, o->name);
	if (!g_file_set_contents(path, script, -1, &gerr)) {
		vgs_error_set(err, "cannot write %s: %s", path, gerr->message);
		goto out;
	}
	g_chmod(path, 0755);
	g_ptr_array_add(argv, sbatch);
	g_ptr_array_add(argv, "--parsable");
	if (o->wait)
		g_ptr_array_add(argv, "--wait");
	for (int i = 0; i < nextra; i++)
		g_ptr_array_add(argv, extra[i]);
	g_ptr_array_add(argv, path);
	g_ptr_array_add(argv, NULL);
	if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &errout, &status, &gerr)) {
		vgs_error_set(err, "cannot run %s: %s", sbatch, gerr->message);
		goto out;
	}
	/* --parsable prints "jobid[;cluster]" on submission; with --wait a failed task makes the exit non-zero. */
	if (out && *first_line(out)) {
		char *semi = strchr(out, ';');

		if (semi)
			*semi = '\0';
		*jobid = g_strdup(out);
	}
	if (!*jobid) {
		vgs_error_set(err, "%s refused the job (exit %d): %s", sbatch, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
			      errout && *first_line(errout) ? errout : "no job id printed");
		goto out;
	}
	rc = 0;
out:
	if (gerr)
		g_error_free(gerr);
	g_ptr_array_free(argv, TRUE);
	g_strfreev(extra);
	g_free(sbatch);
	g_free(exe);
	g_free(sdir);
	g_free(script);
	g_free(path);
	g_free(out);
	g_free(errout);
	return rc;
}
