/* Helpers shared by the sub-commands of vgpusim (sim/cmd_*.c); see cli.h. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/results/outdir.h"
#include "models/scenario/scenario.h"

#include "sim/cli.h"

bool vgs_cli_parse_ms(const char *s, double *ms)
{
	char *end;

	*ms = g_ascii_strtod(s, &end);
	return *s && !*end && *ms > 0 && *ms <= 1e9;
}

char *vgs_cli_sibling(const char *name)
{
	char *exe = g_file_read_link("/proc/self/exe", NULL), *dir, *path;

	if (!exe)
		return NULL;
	dir = g_path_get_dirname(exe);
	path = g_build_filename(dir, name, NULL);
	g_free(exe);
	g_free(dir);
	if (!g_file_test(path, G_FILE_TEST_IS_EXECUTABLE)) {
		g_free(path);
		return NULL;
	}
	return path;
}

double vgs_cli_wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int vgs_cli_run_executor(int argc, char **argv)
{
	char *bin = vgs_cli_sibling("vgpusim-replay");
	char **args;

	if (!bin) {
		fprintf(stderr, "vgpusim: vgpusim-replay not found next to this binary (make builds both)\n");
		return 1;
	}
	args = g_new0(char *, argc + 2);
	args[0] = bin;
	memcpy(args + 1, argv, argc * sizeof(*argv));
	execv(bin, args);
	fprintf(stderr, "vgpusim: cannot run %s: %s\n", bin, strerror(errno));
	g_free(args);
	g_free(bin);
	return 1;
}

/* ---- child runs ------------------------------------------------------------------------------- */

extern char **environ;

struct vgs_job *vgs_job_new(GPtrArray *argv, char *log, char **status)
{
	struct vgs_job *j = g_new0(struct vgs_job, 1);

	g_ptr_array_add(argv, NULL);
	j->argv = argv;
	j->log = log;
	j->status = status;
	return j;
}

void vgs_job_free(struct vgs_job *j)
{
	g_ptr_array_free(j->argv, TRUE);
	g_free(j->log);
	g_free(j);
}

/* Start j: stdout to /dev/null, stderr to its log.  0, or -1 with the run marked failed. */
static int job_start(struct vgs_job *j)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, j->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, (char **)j->argv->pdata, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		*j->status = g_strdup_printf("cannot start: %s", strerror(rc));
		j->pid = 0;
		return -1;
	}
	j->pid = pid;
	return 0;
}

static void job_done(struct vgs_job *j, int status)
{
	GStatBuf st;

	j->pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (g_stat(j->log, &st) == 0 && st.st_size == 0)
			g_unlink(j->log);
		return;
	}
	if (WIFEXITED(status))
		*j->status = g_strdup_printf("exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		*j->status = g_strdup_printf("killed by signal %d", WTERMSIG(status));
	else
		*j->status = g_strdup_printf("wait status %d", status);
}

static void progress(bool on, const char *what, size_t done, size_t total, unsigned running)
{
	if (!on)
		return;
	fprintf(stderr, "\r%s: %zu/%zu runs done, %u running\033[K", what, done, total, running);
	fflush(stderr);
}

void vgs_jobs_run(GPtrArray *jobs, unsigned max, const char *what, bool show)
{
	size_t next = 0, done = 0;
	unsigned running = 0;

	progress(show, what, 0, jobs->len, 0);
	while (done < jobs->len) {
		while (running < max && next < jobs->len) {
			if (job_start(jobs->pdata[next++]) == 0)
				running++;
			else
				done++;
		}
		if (!running)
			continue;
		int status;
		pid_t pid = waitpid(-1, &status, 0);

		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break; /* no child left: cannot happen while running > 0 */
		}
		for (guint i = 0; i < jobs->len; i++) {
			struct vgs_job *j = jobs->pdata[i];

			if (j->pid == pid) {
				job_done(j, status);
				running--;
				done++;
				break;
			}
		}
		progress(show, what, done, jobs->len, running);
	}
	if (show)
		fputs("\r\033[K", stderr);
}

/* ---- results folders of several runs ---------------------------------------------------------- */

int vgs_cli_commit(const char *tmp, const char *final, const char *marker, struct vgs_error *err)
{
	char *mark = g_build_filename(final, marker, NULL), *old;
	int rc = -1;

	if (rename(tmp, final) == 0) {
		rc = 0;
	} else if ((errno == ENOTEMPTY || errno == EEXIST) && g_file_test(mark, G_FILE_TEST_EXISTS)) {
		old = g_strdup_printf("%s.old-%d", final, (int)getpid());
		if (rename(final, old) == 0 && rename(tmp, final) == 0) {
			vgs_outdir_abort(old);
			rc = 0;
		}
		g_free(old);
	} else if (errno == ENOTEMPTY || errno == EEXIST) {
		vgs_error_set(err, "%s exists and is not a vgpusim results folder (no %s); choose another -o", final, marker);
		g_free(mark);
		return -1;
	}
	if (rc < 0)
		vgs_error_set(err, "cannot move the results into %s: %s", final, strerror(errno));
	g_free(mark);
	return rc;
}

bool vgs_cli_replaceable(const char *final, const char *marker, struct vgs_error *err)
{
	char *mark = g_build_filename(final, marker, NULL);
	GDir *d = g_dir_open(final, 0, NULL);
	bool ok = !g_file_test(final, G_FILE_TEST_EXISTS) || g_file_test(mark, G_FILE_TEST_EXISTS) ||
		  (d && !g_dir_read_name(d));

	if (!ok)
		vgs_error_set(err, "%s exists and is not a vgpusim results folder (no %s); choose another -o", final, marker);
	if (d)
		g_dir_close(d);
	g_free(mark);
	return ok;
}

int vgs_cli_load(const char *config, const GPtrArray *given, const char *policy, const GPtrArray *extra,
		 struct vgs_scenario *s, struct vgs_error *err)
{
	struct vgs_args a;
	int rc = -1;

	vgs_args_init(&a);
	if (vgs_args_take_all(&a, given, err) == 0 &&
	    (!extra || vgs_args_take_all(&a, extra, err) == 0)) {
		a.load.path = config;
		a.load.policy = policy;
		rc = vgs_scenario_load(s, &a.load, err);
	}
	vgs_args_fini(&a);
	return rc;
}
