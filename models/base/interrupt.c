/* SIGINT and SIGTERM: end the process cleanly, or set a flag that long loops poll (see interrupt.h). */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "models/base/interrupt.h"

#define FILE_MAX 1024

static volatile sig_atomic_t caught;
/* The registered temporaries; a slot is in use when its first byte is not 0.  Changed with SIGINT and
 * SIGTERM blocked, read by the handler. */
static char files[VGS_INTERRUPT_MAX_FILES][FILE_MAX];

static void on_signal(int sig)
{
	caught = sig;
}

/* Async-signal-safe: unlink, signal, raise. */
static void on_fatal(int sig)
{
	for (int i = 0; i < VGS_INTERRUPT_MAX_FILES; i++)
		if (files[i][0])
			unlink(files[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void set_handler(void (*fn)(int), struct sigaction *old_int, struct sigaction *old_term)
{
	struct sigaction sa = { .sa_handler = fn };

	/* No SA_RESTART: a blocking wait returns EINTR and its loop looks at the flag. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, old_int);
	sigaction(SIGTERM, &sa, old_term);
}

void vgs_interrupt_init(void)
{
	set_handler(on_fatal, NULL, NULL);
}

void vgs_interrupt_catch(struct vgs_interrupt *saved)
{
	set_handler(on_signal, &saved->old_int, &saved->old_term);
}

void vgs_interrupt_release(const struct vgs_interrupt *saved)
{
	sigaction(SIGINT, &saved->old_int, NULL);
	sigaction(SIGTERM, &saved->old_term, NULL);
}

int vgs_interrupted(void)
{
	return caught;
}

int vgs_interrupt_status(void)
{
	return caught ? 128 + caught : 0;
}

const char *vgs_interrupt_name(void)
{
	return caught == SIGINT ? "SIGINT" : caught == SIGTERM ? "SIGTERM" : "";
}

/* Add or remove a path with SIGINT and SIGTERM blocked, so that the handler never sees half of one. */
static void with_signals_blocked(const char *path, bool add)
{
	sigset_t set, old;

	if (strlen(path) >= FILE_MAX)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	for (int i = 0; i < VGS_INTERRUPT_MAX_FILES; i++) {
		if (add && !files[i][0]) {
			strcpy(files[i], path);
			break;
		}
		if (!add && !strcmp(files[i], path)) {
			files[i][0] = '\0';
			break;
		}
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void vgs_interrupt_file_add(const char *path)
{
	with_signals_blocked(path, true);
}

void vgs_interrupt_file_remove(const char *path)
{
	with_signals_blocked(path, false);
}
