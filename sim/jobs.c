/*
 * Running sub-runs as processes (cli.h, struct vgs_cli_job): `vgpusim compare` and `vgpusim run
 * --seeds` spawn `vgpusim run ...` of this same binary, at most -j at once, each with stdin from
 * /dev/null, stdout discarded and stderr to its log; a log left empty by a run that succeeded is
 * removed.  Outputs do not depend on -j: every run writes its own directory, and what is made of them
 * is made after all have ended, in a fixed order.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "models/results/outdir.h"
#include "sim/cli.h"

extern char **environ;

struct vgs_cli_job *vgs_cli_job_new(GPtrArray *argv, char *log, char **status_text)
{
	struct vgs_cli_job *j = g_new0(struct vgs_cli_job, 1);

	g_ptr_array_add(argv, NULL);
	j->argv = argv;
	j->log = log;
	j->status_text = status_text;
	return j;
}

void vgs_cli_job_free(struct vgs_cli_job *j)
{
	g_ptr_array_free(j->argv, TRUE);
	g_free(j->log);
	g_free(j);
}

/* Start j: stdout to /dev/null, stderr to its log.  0, or -1 with the run marked failed. */
static int job_start(struct vgs_cli_job *j)
{
	posix_spawn_file_actions_t fa;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, j->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	rc = posix_spawn(&j->pid, "/proc/self/exe", &fa, NULL, (char **)j->argv->pdata, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		*j->status_text = g_strdup_printf("cannot start: %s", strerror(rc));
		j->pid = 0;
		return -1;
	}
	return 0;
}

static void job_done(struct vgs_cli_job *j, int status)
{
	GStatBuf st;

	j->pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (g_stat(j->log, &st) == 0 && st.st_size == 0)
			g_unlink(j->log);
		return;
	}
	if (WIFEXITED(status))
		*j->status_text = g_strdup_printf("exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		*j->status_text = g_strdup_printf("killed by signal %d", WTERMSIG(status));
	else
		*j->status_text = g_strdup_printf("wait status %d", status);
}

static void progress(const char *what, bool on, size_t done, size_t total, unsigned running)
{
	if (!on)
		return;
	fprintf(stderr, "\r%s: %zu/%zu runs done, %u running\033[K", what, done, total, running);
	fflush(stderr);
}

void vgs_cli_jobs_run(GPtrArray *jobs, unsigned max, const char *what, bool show)
{
	size_t next = 0, done = 0;
	unsigned running = 0;

	progress(what, show, 0, jobs->len, 0);
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
			struct vgs_cli_job *j = jobs->pdata[i];

			if (j->pid == pid) {
				job_done(j, status);
				running--;
				done++;
				break;
			}
		}
		progress(what, show, done, jobs->len, running);
	}
	if (show)
		fputs("\r\033[K", stderr);
}

/* An earlier comparison (one seed: compare.csv; several: seeds.csv) or replication of `run --seeds`. */
static bool is_earlier(const char *final)
{
	static const char *const markers[] = { "compare.csv", "seeds.csv" };
	bool found = false;

	for (size_t i = 0; i < G_N_ELEMENTS(markers) && !found; i++) {
		char *m = g_build_filename(final, markers[i], NULL);

		found = g_file_test(m, G_FILE_TEST_EXISTS);
		g_free(m);
	}
	return found;
}

/* Replace an earlier comparison at `final` (is_earlier()), like vgs_outdir_commit for runs. */
int vgs_cli_commit_dir(const char *tmp, const char *final, struct vgs_error *err)
{
	char *old;
	int rc = -1;

	if (rename(tmp, final) == 0) {
		rc = 0;
	} else if ((errno == ENOTEMPTY || errno == EEXIST) && is_earlier(final)) {
		old = g_strdup_printf("%s.old-%d", final, (int)getpid());
		if (rename(final, old) == 0 && rename(tmp, final) == 0) {
			vgs_outdir_abort(old);
			rc = 0;
		}
		g_free(old);
	} else if (errno == ENOTEMPTY || errno == EEXIST) {
		vgs_error_set(err, "%s exists and is not a vgpusim comparison (no compare.csv); choose another -o",
			      final);
		return -1;
	}
	if (rc < 0)
		vgs_error_set(err, "cannot move the results into %s: %s", final, strerror(errno));
	return rc;
}

/* DIR may be absent, empty, or an earlier comparison (is_earlier()): checked before any run. */
bool vgs_cli_replaceable_dir(const char *final, struct vgs_error *err)
{
	GDir *d = g_dir_open(final, 0, NULL);
	bool ok = !g_file_test(final, G_FILE_TEST_EXISTS) || is_earlier(final) || (d && !g_dir_read_name(d));

	if (!ok)
		vgs_error_set(err, "%s exists and is not a vgpusim comparison (no compare.csv); choose another -o",
			      final);
	if (d)
		g_dir_close(d);
	return ok;
}

unsigned vgs_cli_default_jobs(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	return cpus > 0 ? (unsigned)cpus : 1;
}

bool vgs_cli_parse_jobs(const char *s, unsigned *jobs)
{
	uint64_t u;

	if (!vgs_args_parse_u64(s, &u) || u < 1 || u > 4096)
		return false;
	*jobs = (unsigned)u;
	return true;
}
