/* SIGINT and SIGTERM into a flag (see interrupt.h). */
#include <stddef.h>

#include "models/base/interrupt.h"

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
}

void vgs_interrupt_catch(struct vgs_interrupt *saved)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &saved->old_int);
	sigaction(SIGTERM, &sa, &saved->old_term);
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
