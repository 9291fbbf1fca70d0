/* Child processes that never outlive their parent (see child.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "models/base/child.h"
#include "models/base/interrupt.h"

/* How often waits look at the children and the interrupt flag. */
#define POLL_MS 10

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* An unlinked temporary file, or -1. */
static int private_file(void)
{
	char *path = NULL;
	int fd = g_file_open_tmp("vgpusim-child-XXXXXX", &path, NULL);

	if (fd >= 0) {
		unlink(path);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	g_free(path);
	return fd;
}

int vgs_child_start(struct vgs_child *c, char *const argv[], const char *log, struct vgs_error *err)
{
	char *prog = strchr(argv[0], '/') ? g_strdup(argv[0]) : g_find_program_in_path(argv[0]);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), efd;
	pid_t parent = getpid();

	c->pid = 0;
	c->status = 0;
	c->errfd = -1;
	efd = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666) : private_file();
	if (!prog || null < 0 || efd < 0) {
		vgs_error_set(err, "cannot start %s: %s", argv[0],
			      !prog ? "not found" : efd < 0 && log ? g_strerror(errno) : "no file descriptor");
		goto fail;
	}
	fflush(NULL); /* nothing buffered is written twice */
	c->pid = fork();
	if (c->pid < 0) {
		vgs_error_set(err, "cannot start %s: %s", argv[0], g_strerror(errno));
		c->pid = 0;
		goto fail;
	}
	if (c->pid == 0) {
		/* Async-signal-safe calls only until exec. */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127); /* the parent is already gone */
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(efd, STDERR_FILENO);
		execv(prog, argv);
		static const char msg[] = "cannot execute the program\n";
		ssize_t unused = write(STDERR_FILENO, msg, sizeof(msg) - 1);
		(void)unused;
		_exit(127);
	}
	setpgid(c->pid, c->pid); /* also here: whichever runs first, the group exists before any kill */
	close(null);
	g_free(prog);
	if (log)
		close(efd);
	else
		c->errfd = efd;
	return 0;
fail:
	if (null >= 0)
		close(null);
	if (efd >= 0)
		close(efd);
	g_free(prog);
	return -1;
}

int vgs_child_wait(struct vgs_child *const *cs, size_t n)
{
	for (;;) {
		bool any = false;

		for (size_t i = 0; i < n; i++) {
			int st;

			if (!cs[i]->pid)
				continue;
			any = true;
			if (waitpid(cs[i]->pid, &st, WNOHANG) == cs[i]->pid) {
				cs[i]->status = st;
				cs[i]->pid = 0;
				return (int)i;
			}
		}
		if (!any)
			return -2;
		if (vgs_interrupted())
			return -1;
		sleep_ms(POLL_MS);
	}
}

void vgs_child_stop(struct vgs_child *c)
{
	int st = 0;

	if (!c->pid)
		return;
	kill(-c->pid, SIGTERM);
	for (int waited = 0; waited < VGS_CHILD_GRACE_MS; waited += POLL_MS) {
		if (waitpid(c->pid, &st, WNOHANG) == c->pid)
			goto reaped;
		sleep_ms(POLL_MS);
	}
	kill(-c->pid, SIGKILL);
	while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
		;
reaped:
	c->status = st;
	c->pid = 0;
}

void vgs_child_fini(struct vgs_child *c)
{
	if (c->errfd >= 0)
		close(c->errfd);
	c->errfd = -1;
}

char *vgs_child_last_line(const struct vgs_child *c)
{
	char buf[4096], *line = NULL;
	off_t end;
	ssize_t n;

	if (c->errfd < 0 || (end = lseek(c->errfd, 0, SEEK_END)) <= 0)
		return NULL;
	end = end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0;
	n = pread(c->errfd, buf, sizeof(buf) - 1, end);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	g_strstrip(buf);
	if (*buf) {
		char *nl = strrchr(buf, '\n');

		line = g_strdup(nl ? nl + 1 : buf);
	}
	return line;
}

char *vgs_child_status_text(int status)
{
	if (WIFEXITED(status))
		return g_strdup_printf("exit %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return g_strdup_printf("killed by signal %d", WTERMSIG(status));
	return g_strdup_printf("wait status %d", status);
}

int vgs_child_run(char *const argv[], const char *what, struct vgs_error *err)
{
	struct vgs_child c;
	struct vgs_child *cs[1] = { &c };
	int rc = -1;

	if (vgs_child_start(&c, argv, NULL, err) < 0)
		return -1;
	if (vgs_child_wait(cs, 1) < 0) {
		vgs_child_stop(&c);
		vgs_error_set(err, "%s: interrupted", what);
	} else if (WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0) {
		rc = 0;
	} else {
		char *line = vgs_child_last_line(&c), *st = vgs_child_status_text(c.status);

		vgs_error_set(err, "%s failed: %s", what, line ? line : st);
		g_free(line);
		g_free(st);
	}
	vgs_child_fini(&c);
	return rc;
}
