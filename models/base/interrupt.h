/*
 * Ctrl-C and kill: SIGINT and SIGTERM caught into a flag that long-running loops poll, so that a
 * command stops at a safe point, writes what it promises (nothing, or results marked partial) and
 * exits 128 + the signal.  One path for every command; libc only.
 */
#ifndef VGS_INTERRUPT_H
#define VGS_INTERRUPT_H

#include <signal.h>

/* The handlers that were in place before vgs_interrupt_catch(). */
struct vgs_interrupt {
	struct sigaction old_int, old_term;
};

/* From now on SIGINT and SIGTERM set the flag instead of ending the process. */
void vgs_interrupt_catch(struct vgs_interrupt *saved);
/* Put back the handlers vgs_interrupt_catch() replaced (the flag stays as it is). */
void vgs_interrupt_release(const struct vgs_interrupt *saved);
/* The signal that arrived since the process started (SIGINT or SIGTERM), or 0. */
int vgs_interrupted(void);

#endif
