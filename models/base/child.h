/*
 * Child processes of a command -- compare's runs; validate's calibration, replay and simulation; the
 * gnuplot of every plot -- started, waited for and stopped in one way, so that no child outlives the
 * command that started it:
 *
 *   - each child runs in its own process group: a terminal's Ctrl-C reaches the command alone, which
 *     then stops its children itself (and a child's own children with them);
 *   - each child is started with PR_SET_PDEATHSIG = SIGKILL: should the command die without stopping
 *     it (kill -9, a crash), the kernel kills the child;
 *   - waits poll the interrupt flag (models/base/interrupt.h): on SIGINT or SIGTERM the command stops
 *     its children (SIGTERM to each group, SIGKILL after VGS_CHILD_GRACE_MS) and reaps them.
 *
 * POSIX + Linux (prctl) + GLib.
 */
#ifndef VGS_CHILD_H
#define VGS_CHILD_H

#include <stddef.h>
#include <sys/types.h>

#include "models/base/error.h"

/* How long a stopped child may take to exit after SIGTERM before it is killed. */
#define VGS_CHILD_GRACE_MS 3000

struct vgs_child {
	pid_t pid;                   /* 0 when not running */
	int status;                  /* its wait status, once it ended */
	int errfd;                   /* its stderr when no log was given: an unlinked temporary file; -1 */
};

/*
 * Start argv[0] (a path; a bare name is looked up in PATH) with argv, stdin and stdout on /dev/null and
 * stderr into `log` (created or truncated) or, log NULL, a private temporary file that
 * vgs_child_last_line() reads.  0, or -1 with err set.
 */
int vgs_child_start(struct vgs_child *c, char *const argv[], const char *log, struct vgs_error *err);
/*
 * Wait until one of the n children (those with pid 0 are skipped) ends, or SIGINT/SIGTERM arrives:
 * the index of the one that ended (its status is set, its pid 0), -1 when interrupted (the children
 * still run: stop them), -2 when none runs.
 */
int vgs_child_wait(struct vgs_child *const *cs, size_t n);
/* SIGTERM to its process group, SIGKILL if it has not ended after VGS_CHILD_GRACE_MS; reaped. */
void vgs_child_stop(struct vgs_child *c);
/* Close what the child left open (its stderr file).  The child must have ended. */
void vgs_child_fini(struct vgs_child *c);
/* The last non-blank line the child wrote on its private stderr, or NULL (g_free). */
char *vgs_child_last_line(const struct vgs_child *c);
/* "exit 3", "killed by signal 9" (g_free). */
char *vgs_child_status_text(int status);
/*
 * Run argv to its end (as vgs_child_start with a private stderr): 0 when it exits 0, else -1 with err
 * "WHAT failed: <its last line on stderr>".  On SIGINT or SIGTERM the child is stopped and -1 returned
 * with err "WHAT: interrupted" (vgs_interrupted() says so).
 */
int vgs_child_run(char *const argv[], const char *what, struct vgs_error *err);

#endif
